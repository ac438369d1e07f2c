// InPost ShipX wire mapping (shared/reference/carriers.md section 2): our ShipmentRequest to the
// simplified-mode create body, ShipX shipment / list / tracking JSON to our types, ShipX status
// names to domain::TrackingState (section 7), and ShipX error bodies (section 2.9) to Errors whose
// message names the field in the seller's words. No I/O; pure functions, thread-safe.
//
// Errors: ValidateRequest and BuildCreateBody give kInvalidArgument naming the first wrong field
// (what InPost would refuse, checked before sending); the Parse* functions give kInternal for a
// body that is not the documented shape (details carry a bounded excerpt).
#pragma once

#include "carriers/polish_address.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "carriers/carrier_connector.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace nadajnik::carriers::inpost {

// Limits the client checks before sending. The COD ceiling is not in the reference (it says only
// "validation depends on service"); 5000 PLN is InPost's published price-list limit, kept as a
// setting so a contract with another limit needs no code change.
struct ValidationLimits {
  std::int64_t max_cod_minor = 500000;  // grosze
};

// Service families of section 2.4.
bool IsLockerService(std::string_view service);
bool IsCourierService(std::string_view service);
bool IsKnownService(std::string_view service);
// Services for which ShipX renders ZPL at 300 dpi (section 2.6, type=dpi300).
bool OffersZpl300(std::string_view service);
// Courier services have no "normal" (A4) label: ShipX answers A6.
bool HasA4Label(std::string_view service);

// "61-123" stays, "61123" becomes "61-123"; anything else is nullopt.
using carriers::NormalizePostalCode;
// Polish phone to 9 digits: spaces, dashes, dots and brackets dropped, +48 / 0048 stripped.
inline std::optional<std::string> NormalizePhone(std::string_view phone) {
  return NormalizePolishPhone(phone);
}

// The locker template ("small"/"medium"/"large") a parcel needs: its own template (A/B/C or the
// ShipX names) if it fits, else the smallest that holds its dimensions. kInvalidArgument when it
// fits none, weighs over 25 kg, or names an unknown template.
Result<std::string> LockerTemplateFor(const domain::Parcel& parcel, int index);

// Everything InPost would refuse that can be seen before sending: postal codes, phones, e-mail
// for lockers, the target point for locker services, one parcel per locker shipment and its
// template, courier size limits, COD ceiling and currency, insurance where required, the
// reference length.
Result<void> ValidateRequest(const ShipmentRequest& request, const ValidationLimits& limits);

// The simplified-mode body of POST /v1/organizations/{org}/shipments (section 2.3), after
// ValidateRequest. `sending_method` is the default when the request names no sending point
// ("dispatch_order": a courier collects). Amounts and weights are JSON numbers ("12.50", "2.5").
Result<std::string> BuildCreateBody(const ShipmentRequest& request, const ValidationLimits& limits,
                                    std::string_view sending_method = "dispatch_order");

// A ShipX shipment (create answer, GET /v1/shipments/{id}, list item) as our RemoteShipment.
Result<RemoteShipment> ParseShipment(const boost::json::value& shipment);
Result<RemoteShipment> ParseShipment(std::string_view body);
// The shipment's "reference" and "service" (for FindByReference and label options).
std::string ShipmentField(const boost::json::value& shipment, std::string_view key);

struct ShipmentPage {
  std::vector<boost::json::value> items;
  std::int64_t count = 0;
  std::int64_t page = 1;
  std::int64_t per_page = 0;
};
// {"href","count","page","per_page","items":[...]}
Result<ShipmentPage> ParseShipmentPage(std::string_view body);

// Section 7's mapping, onto domain::TrackingState. "canceled" and "other" are kUnknown (the
// domain keeps cancellation in ShipmentState); "claimed" and "missing" are kFailed (someone must
// act); unknown names are kUnknown.
domain::TrackingState TrackingStateFor(std::string_view status);

// GET /v1/tracking/{n}: tracking_details, oldest first (the wire is newest first).
Result<std::vector<TrackingEvent>> ParseTracking(std::string_view body);

// A ShipX error answer (any status >= 400) as our Error. `what` names the operation for the
// message ("create the shipment", "fetch the label of shipment 123"); `organization_id` goes into
// the credential messages.
Error ErrorFromResponse(int http_status, std::string_view body, std::string_view what,
                        std::string_view organization_id);

// "receiver.address.post_code: invalid_format" for each leaf of a ShipX details object, in order.
std::vector<std::string> FlattenDetails(const boost::json::value& details);

}  // namespace nadajnik::carriers::inpost
