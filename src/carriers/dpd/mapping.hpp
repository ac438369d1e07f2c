// DPD Polska DPDServices wire mapping (shared/reference/carriers.md section 5): our
// ShipmentRequest to the SOAP envelope of generatePackagesNumbersV4 (openUMLFeV3), the label,
// protocol, postal-code and tracking calls, and their answers and SOAP Faults back to our types.
// No I/O; pure functions, thread-safe.
//
// The reference names the operations, types and fields but not the XML namespaces, the item
// element names of arrays, the tracking event codes, the pickup point id format or the COD
// ceiling: those are assumptions, kept in this file (see the comments where they are used).
// Parsing matches elements by local name, so a namespace prefix never matters.
//
// Errors: ValidateRequest and the Build* functions give kInvalidArgument naming the first wrong
// field in the seller's words; the Parse* functions give kInternal for an answer that is not the
// documented shape; ErrorFromFault maps DeniedAccessWSException to kPermissionDenied (naming the
// settings to fix), SchemaValidationException and DPDServiceException to kInvalidArgument, and
// anything else at HTTP >= 500 to kUnavailable.
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

namespace nadajnik::carriers::dpd {

// Namespaces of the production WSDLs (not in the reference).
inline constexpr std::string_view kPackageNamespace = "http://dpdservices.dpd.com.pl/";
inline constexpr std::string_view kInfoNamespace = "http://events.dpdinfoservices.dpd.com.pl/";

// Our service codes: courier to the door, and delivery to a DPD Pickup point (services.dpdPickup).
inline constexpr std::string_view kServiceClassic = "dpd_classic";
inline constexpr std::string_view kServicePickup = "dpd_pickup";

// authDataV1. The password is plain here because it has to go into the body; the connector
// keeps it as a Secret and never logs a body.
struct AuthData {
  std::string login;
  std::string password;
  std::string master_fid;
};

// Checked before sending. The reference gives no COD ceiling for DPD; 11 000 PLN is an
// assumption (DPD's domestic price list), a setting so another contract needs no code change.
struct ValidationLimits {
  std::int64_t max_cod_minor = 1100000;  // grosze
};

// "61-123" stays, "61123" becomes "61-123"; anything else is nullopt.
using carriers::NormalizePostalCode;
// Polish phone to 9 digits (spaces, dashes, brackets dropped; +48 / 0048 stripped).
std::optional<std::string> NormalizePhone(std::string_view phone);

// What DPD would refuse and can be seen before sending: service, pickup point for dpd_pickup,
// receiver and sender name, address, postal code (NN-NNN for PL), city, phone (mandatory for
// both, section 5.3), parcels with weight, COD in PLN under the ceiling.
Result<void> ValidateRequest(const ShipmentRequest& request, const ValidationLimits& limits);

// pkgNumsGenerationPolicyV1
enum class GenerationPolicy { kStopOnFirstError, kAllOrNothing, kIgnoreErrors };
std::string_view PolicyName(GenerationPolicy policy);

// The SOAP envelope of generatePackagesNumbersV4 with one package per request (each validated;
// the error names the request's position when there are several). The sender's fid is
// auth.master_fid; the package reference is the request's reference (our idempotency key).
Result<std::string> BuildGeneratePackagesNumbers(const std::vector<ShipmentRequest>& requests,
                                                 const AuthData& auth,
                                                 const ValidationLimits& limits,
                                                 GenerationPolicy policy, std::string_view lang);

struct ValidationInfo {
  std::string error_id;
  std::string error_code;
  std::string field_names;
  std::string info;
};

struct ParcelResult {
  std::string status;
  std::string parcel_id;
  std::string reference;
  std::string waybill;
  std::vector<ValidationInfo> validation;
};

struct PackageResult {
  std::string status;
  std::string package_id;
  std::string reference;
  std::vector<ValidationInfo> validation;
  std::vector<ParcelResult> parcels;
};

struct GenerationResult {
  std::string status;
  std::string session_id;
  std::vector<PackageResult> packages;
};

// packagesGenerationResponseV2. Arrays are read both as <Packages><Package>... and as repeated
// <Packages> elements (the reference doesn't say which the service uses).
Result<GenerationResult> ParseGeneratePackagesNumbers(std::string_view body);

// A package answered OK with a waybill for every parcel becomes a confirmed RemoteShipment
// (DPD creates synchronously); anything else becomes an Error naming what to fix, with the DPD
// codes in details. `request` supplies the values the message quotes.
Result<RemoteShipment> ToRemoteShipment(const PackageResult& package,
                                        const ShipmentRequest& request);

// Our remote id for a DPD package: its waybills joined by ',' (the first is the tracking
// number). Label and protocol calls address parcels by waybill, and DPD has no call that lists a
// package's parcels, so the id carries them.
std::string RemoteIdOf(const std::vector<std::string>& waybills);
Result<std::vector<std::string>> WaybillsOf(std::string_view remote_id);

// generateSpedLabelsV4: PDF + LBL_PRINTER (one label per page) for kPdfA6, PDF + A4 for kPdfA4,
// ZPL + LBL_PRINTER for kZpl203; label type BIC3. kFailedPrecondition for kZpl300 (the reference
// lists one ZPL; its resolution isn't stated, 203 dpi is assumed).
Result<std::string> BuildGenerateSpedLabels(const std::vector<std::string>& waybills,
                                            domain::LabelFormat format, const AuthData& auth);
// generateProtocolV2 for these parcels, PDF on A4.
std::string BuildGenerateProtocol(const std::vector<std::string>& waybills, const AuthData& auth);

struct DocumentResult {
  std::string data;  // decoded documentData
  std::string document_id;
  std::string status;  // session.statusInfo.status
  std::string description;
};
// documentGenerationResponseV1 (labels and protocols).
Result<DocumentResult> ParseDocument(std::string_view body);

// findPostalCodeV1 {countryCode, zipCode}; the answer's status ("OK" when served).
std::string BuildFindPostalCode(std::string_view postal_code, const AuthData& auth);
Result<std::string> ParseFindPostalCode(std::string_view body);

// getEventsForWaybillV1 on the Info service.
std::string BuildGetEvents(std::string_view waybill, bool only_last, const AuthData& auth);
// Events oldest first, whatever order the wire has; eventTime is Warsaw local time
// "YYYY-MM-DD HH:MM:SS" (assumed).
Result<std::vector<TrackingEvent>> ParseEvents(std::string_view body);

// Section 7's DPD column onto domain::TrackingState. The reference names the events (data
// received, pickup scan, depot scans, out for delivery, at Pickup point, delivered, failed
// attempt, return) but not their businessCode values: the codes here are assumptions.
domain::TrackingState TrackingStateFor(std::string_view business_code);

// A SOAP Fault (or a non-XML error answer) as our Error; nullopt when `body` is no Fault and
// the status is < 400. `what` names the operation ("create the shipment").
std::optional<Error> ErrorFromFault(int http_status, std::string_view body, std::string_view what,
                                    const AuthData& auth);

}  // namespace nadajnik::carriers::dpd
