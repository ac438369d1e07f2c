// ORLEN Paczka wire mapping (shared/reference/carriers.md section 4): our ShipmentRequest to the
// BusinessPack element of GenerateLabelBusinessPackListTwo, the SOAP envelopes of the operations
// the connector calls, their answers (Err / ErrDes rows, .NET DataSet diffgrams read by local
// name, base64 LabelData) to our types, and the Trans status codes to domain::TrackingState
// (section 7). No I/O; pure functions, thread-safe.
//
// Errors: ValidateRequest and BuildBusinessPack give kInvalidArgument naming the first wrong field
// in the seller's words (what ORLEN would refuse, checked before sending); the Parse* functions
// give kInternal for an answer that is not XML or not the documented shape (details carry a
// bounded excerpt). ErrorFromResult turns a non-zero Err into the Error the seller sees.
#pragma once

#include "carriers/polish_address.hpp"
#include "core/base64.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carriers/carrier_connector.hpp"
#include "core/result.hpp"

namespace nadajnik::carriers::orlen {

// The operation namespace: an IP literal, on purpose (section 4.1).
inline constexpr std::string_view kNamespace = "https://91.242.220.103/WebServicePwR";

struct ValidationLimits {
  // The reference gives no COD ceiling for ORLEN Paczka (and notes COD may be withdrawn from the
  // current API): 5000 PLN is ORLEN Paczka's published price-list limit, not from the reference;
  // a setting, so a contract with another limit needs no code change.
  std::int64_t max_cod_minor = 500000;  // grosze
};

struct PackOptions {
  // "T": ORLEN may substitute a nearby point when the chosen one is unavailable (Err 006-008).
  bool auto_destination_change = true;
};

// "61-123" stays, "61123" becomes "61-123"; anything else is nullopt.
using carriers::NormalizePostalCode;
// Polish phone to 9 digits: spaces, dashes, dots and brackets dropped, +48 / 0048 stripped.
inline std::optional<std::string> NormalizePhone(std::string_view phone) {
  return NormalizePolishPhone(phone);
}
// The DestinationCode to send for a target point (section 4.5): a full "WA-116263-K1-02" as it is;
// the point's 6-digit PSD alone ("116263", how Allegro names the buyer's ORLEN point) or
// "XX-116263-00-00" as "XX-116263-00-00", which ORLEN completes from the PSD. Surrounding blanks
// are dropped and letters upper-cased; nullopt for anything else.
std::optional<std::string> DestinationCodeFor(std::string_view point);
// Whether DestinationCodeFor accepts `code`.
bool IsPointCode(std::string_view code);
// The BoxSize (S, M, L) of a parcel: its template (S/M/L or the locker letters A/B/C) or the
// smallest that holds its dimensions. The sizes are not in the reference ("follow the locker
// A/B/C pattern"): the InPost locker slots are used as the bound. kInvalidArgument when none fits.
Result<std::string> BoxSizeFor(const domain::Parcel& parcel);

// Everything ORLEN would refuse that can be seen before sending: one parcel, the pickup point
// (DestinationCodeFor),
// the receiver's phone and e-mail, postal codes, the size, the COD ceiling and currency.
Result<void> ValidateRequest(const ShipmentRequest& request, const ValidationLimits& limits);

// The <BusinessPack> element (no namespace prefix; it inherits the operation's default one); its
// DestinationCode is DestinationCodeFor(request.target_point).
Result<std::string> BuildBusinessPack(const ShipmentRequest& request,
                                      const ValidationLimits& limits);

// A SOAP 1.1 envelope for `operation` whose body holds PartnerID, PartnerKey and then `inner`
// (already XML). Text values are escaped by the callers through XmlEscape.
std::string Envelope(std::string_view operation, std::string_view partner_id,
                     std::string_view partner_key, std::string_view inner);
std::string XmlEscape(std::string_view text);
// "\"https://91.242.220.103/WebServicePwR/<operation>\"", the SOAPAction header value.
std::string SoapAction(std::string_view operation);

// GenerateLabelBusinessPackListTwo for `packs` (BuildBusinessPack output), with the label format
// ("PDF", "PDF10", "ZPL", "ZPL_300DPI", "EPL").
std::string BuildGenerateListTwo(std::string_view partner_id, std::string_view partner_key,
                                 const std::vector<std::string>& packs, std::string_view format,
                                 const PackOptions& options);
std::string BuildLabelDuplicate(std::string_view partner_id, std::string_view partner_key,
                                const std::vector<std::string>& pack_codes,
                                std::string_view format);
std::string BuildHistoryList(std::string_view partner_id, std::string_view partner_key,
                             const std::vector<std::string>& pack_codes);
std::string BuildCancel(std::string_view partner_id, std::string_view partner_key,
                        std::string_view pack_code);
std::string BuildPointList(std::string_view partner_id, std::string_view partner_key);

// One result row: the Err / ErrDes pair and whatever else the row holds.
struct ResultRow {
  std::string err;  // "0", "000", "006", "104", ...
  std::string err_description;
  std::string pack_code;  // PackCode_RUCH
  std::string destination_code;
  std::string destination_id;
  std::int64_t pack_price_minor = -1;  // grosze; -1 when absent
  bool ok() const;                     // 0 / 000 / 006-008
  bool destination_changed() const;    // 006-008
};

struct OperationAnswer {
  std::vector<ResultRow> rows;  // document order: every element holding an <Err> child
  std::string label_data;       // decoded LabelData (empty when absent)
};

// Any answer of the operation `operation`; kInternal for a SOAP Fault or a non-XML body (the
// fault string goes to the details), kInternal when LabelData is not base64.
Result<OperationAnswer> ParseAnswer(std::string_view body, std::string_view operation);

// The Error for a row whose Err is not a success: `what` names the action ("create the pack for
// order 1001"), `partner_id` goes into the credentials message.
Error ErrorFromResult(const ResultRow& row, std::string_view what, std::string_view partner_id);

// Section 4.5 / 7: Trans code (+ Attribute POWROT / 2_POWROT) to our state. 888 (archived) and
// unknown codes are kUnknown; 201 (cancelled) is kUnknown too (the domain keeps cancellation in
// ShipmentState).
domain::TrackingState TrackingStateFor(std::string_view trans, std::string_view attribute = {});

struct HistoryRow {
  std::string pack_code;
  std::string trans;
  std::string trans_description;
  std::string data;  // as sent
  std::string attribute;
};
// GiveMePackStatusFullHistoryList rows {PackCode, Trans, Trans_Des, Data, Attribute}.
Result<std::vector<HistoryRow>> ParseHistory(std::string_view body);
// The events of one pack, oldest first, 888 rows left out.
Result<std::vector<TrackingEvent>> EventsFor(const std::vector<HistoryRow>& rows,
                                             std::string_view pack_code);
// "2026-11-25T18:40:00+01:00", "...T18:40:00.123", "2026-11-25 18:40:00" (no offset: Warsaw).
Result<Timestamp> ParseOrlenTime(std::string_view text);

struct Point {
  std::string destination_code;
  std::string psd;
  std::string street;
  std::string building;
  std::string city;
  std::string zipcode;
  std::string point_type;  // APM, PKN, PPP, PPK
  bool available = true;
  bool cash_on_delivery = false;
};
// GiveMeAllLocationWithAllDataWithZipCode rows.
Result<std::vector<Point>> ParsePoints(std::string_view body);

}  // namespace nadajnik::carriers::orlen
