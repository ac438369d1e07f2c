// Poczta Polska e-Nadawca wire mapping (shared/reference/carriers.md section 3, the WSDL in
// shared/reference/specs/e-nadawca-en.wsdl): our ShipmentRequest to addShipment's przesylki
// (pocztex2021KurierType for Pocztex Kurier, paczkaPocztowaType for Paczka pocztowa), the SOAP 1.1
// envelopes of the operations the connector calls, their answers read by local name, the EPO
// statuses to domain::TrackingState (section 7) and the in-band errorType lists and SOAP faults to
// Errors whose message says what to fix. No I/O; pure functions, thread-safe.
//
// Wire facts worth knowing: the schema has no elementFormDefault, so only the operation element
// is namespace-qualified and its children are not; weights are grams and money grosze (ints);
// the shipment's GUID is ours (32 characters) and we derive it from our reference so a retry finds
// the earlier attempt; unregistered letters are refused here, before any call (section 3.7).
//
// Errors: ValidateRequest and BuildAddShipment give kInvalidArgument naming the first wrong field
// and kFailedPrecondition for a product the hub can't use (unregistered letters, COD on Paczka
// pocztowa); the Parse* functions give kInternal for an answer that is not the documented shape.
#pragma once

#include "carriers/polish_address.hpp"
#include "core/base64.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "carriers/carrier_connector.hpp"
#include "core/result.hpp"

namespace nadajnik::carriers::poczta_polska {

inline constexpr char kNamespace[] = "http://e-nadawca.poczta-polska.pl";
// The WSDL's service address path (https://e-nadawca.poczta-polska.pl/websrv/en.php).
inline constexpr char kEndpointPath[] = "/websrv/en.php";

// Our service codes (ShipmentRequest::service).
inline constexpr char kPocztexKurier[] = "pocztex_kurier";                  // pocztex2021KurierType
inline constexpr char kPaczkaEkonomiczna[] = "paczka_pocztowa";             // EKONOMICZNA
inline constexpr char kPaczkaPriorytetowa[] = "paczka_pocztowa_priorytet";  // PRIORYTETOWA

// Per-seller choices the request does not carry. The sizes are the defaults when a parcel names
// none; the COD ceiling is not in the reference (the schema allows 99 999.99 PLN and section 3.6
// says business limits are lower and product-specific): 5000 PLN is our guess, kept as a setting.
struct ShipmentDefaults {
  std::string pocztex_format = "M";          // S, M, L, XL, 2XL
  std::string paczka_gabaryt = "GABARYT_A";  // GABARYT_A, GABARYT_B
  std::int64_t max_cod_minor = 500000;       // grosze
  bool electronic_confirmation = true;       // <epo/>: getEPOStatus then follows the parcel
};

bool IsPocztex(std::string_view service);
bool IsPaczka(std::string_view service);
// Unregistered products (list zwykły, list zwykły firmowy, przesyłka nierejestrowana) under our
// names or their WSDL type names.
bool IsUnregistered(std::string_view service);

// "61-123" stays, "61123" becomes "61-123"; anything else is nullopt.
using carriers::NormalizePostalCode;
// 26 digits (spaces and a leading "PL" dropped) whose IBAN check digits (the first two) are right
// for country PL; nullopt otherwise.
std::optional<std::string> NormalizeNrb(std::string_view account);
// Our reference as a GUID: 32 upper-case hex characters, the same for the same reference.
std::string GuidFor(std::string_view reference);

// Everything e-Nadawca would refuse that can be seen before sending.
Result<void> ValidateRequest(const ShipmentRequest& request, const ShipmentDefaults& defaults);

// SOAP 1.1 envelope of `operation` with unqualified text children, in order (the simple
// operations: hello, getUrzedyNadania, clearEnvelope, clearEnvelopeByGuids, sendEnvelope,
// getEnvelopeStatus, getEnvelopeBufor, getEnvelopeList, getEnvelopeContentShort, getEPOStatus).
std::string SoapRequest(std::string_view operation,
                        const std::vector<std::pair<std::string, std::string>>& children = {});
// addShipment with one przesylki element per request (after ValidateRequest each), GUIDs from
// GuidFor(reference).
Result<std::string> BuildAddShipment(const std::vector<ShipmentRequest>& requests,
                                     const ShipmentDefaults& defaults, std::optional<int> id_bufor);
// getPrintForParcel: kind ADDRESS_LABEL_BY_GUID, EACH_PARCEL_SEPARATELY, PDF_FORMAT or ZPL_FORMAT
// with DPI_203 / DPI_300 (section 3.4). The PDF page size is an account setting, not a parameter.
std::string BuildGetPrintForParcel(const std::vector<std::string>& guids,
                                   domain::LabelFormat format);

// errorType: {errorNumber, errorDesc, guid}.
struct SoapError {
  int number = 0;
  std::string description;
  std::string guid;
};

// A parsed answer: the document and its operation response element (e.g. addShipmentResponse).
struct SoapAnswer {
  std::shared_ptr<pugi::xml_document> doc;
  pugi::xml_node response;
  std::vector<SoapError> Errors() const;  // the response's direct error children
};

// An HTTP answer of the endpoint as our SoapAnswer: 401 is the login or password (kPermission
// Denied, naming the setting), a SOAP Fault is kInvalidArgument (client) or kUnavailable
// (server), 5xx without a fault and 429 are retryable, a body that is not the expected
// `<operation>Response` is kInternal. `what` names the action for messages.
Result<SoapAnswer> ParseAnswer(int http_status, std::string_view body, std::string_view operation,
                               std::string_view what);

struct AddedShipment {
  std::string guid;
  std::string numer_nadania;
  std::vector<SoapError> errors;
};
Result<std::vector<AddedShipment>> ParseAddShipment(const SoapAnswer& answer);

struct PrintResult {
  std::string guid;
  std::string bytes;  // decoded
};
Result<std::vector<PrintResult>> ParsePrintResults(const SoapAnswer& answer);

// A shipment as listed in the bufor (getEnvelopeBufor): its GUID, number and our reference.
struct BufferedShipment {
  std::string guid;
  std::string numer_nadania;
  std::string type;  // the xsi:type's local name
};
std::vector<BufferedShipment> ParseBufor(const SoapAnswer& answer);

struct EnvelopeInfo {
  int id = 0;
  std::string status;  // WYSLANY, DOSTARCZONY, PRZYJETY, WALIDOWANY, BLEDNY
  std::string date;    // dataTransmisji
};
// sendEnvelopeResponse / getEnvelopeStatusResponse (id 0 when absent) and getEnvelopeList.
EnvelopeInfo ParseEnvelope(const SoapAnswer& answer);
std::vector<EnvelopeInfo> ParseEnvelopeList(const SoapAnswer& answer);

// getEnvelopeContentShort rows.
struct ShortShipment {
  std::string guid;
  std::string numer_nadania;
  std::string date;    // dataNadania
  std::string status;  // NIEPOTWIERDZONA, POTWIERDZONA, NOWA, BRAK
};
std::vector<ShortShipment> ParseContentShort(const SoapAnswer& answer);

// getEPOStatus rows: the current statusEPO and the dates EPOInfo carries.
struct EpoStatus {
  std::string guid;
  std::string numer_nadania;
  std::string status;  // statusEPOEnum
  std::string awizo_date;
  std::string delivered_at;
  std::string returned_at;
  std::string return_reason;
};
std::vector<EpoStatus> ParseEpo(const SoapAnswer& answer);

struct PostingOffice {
  int id = 0;
  std::string description;
};
std::vector<PostingOffice> ParseUrzedyNadania(const SoapAnswer& answer);

// Section 7 / statusEPOEnum onto domain::TrackingState.
domain::TrackingState TrackingStateForEpo(std::string_view status);
std::string DescribeEpo(std::string_view status);  // "awizo: the receiver was not in"
// "2024-03-05" or "2024-03-05T10:11:12[+01:00]" as a Timestamp (a bare date is midnight Warsaw).
std::optional<Timestamp> ParseWireTime(std::string_view text);

// In-band errors of one shipment (or of an operation) as one Error: kInvalidArgument, the message
// naming what to fix where the description tells (postal code, NRB, pickup point, COD amount,
// posting office, contract), kFailedPrecondition for state errors. `what` names the shipment or
// action ("add shipment ORDER-1 to the buffer").
Error ErrorFromSoapErrors(const std::vector<SoapError>& errors, std::string_view what);

}  // namespace nadajnik::carriers::poczta_polska
