// "Wysyłam z Allegro" wire mapping (shared/reference/allegro-api.md section 5, the
// /shipment-management paths of allegro-openapi.yaml, and section 4.5 for tracking): settings,
// our ShipmentRequest to a create command, command statuses, shipment details, delivery
// proposals and services, label and cancel requests, tracking histories, and Allegro's error
// bodies to Errors whose message names the field in the seller's words. No I/O; pure functions,
// thread-safe.
//
// Remote data is untrusted: every string taken from a body is cleaned and bounded, lists are
// capped, and a body that is not the documented shape is kInternal with a bounded excerpt in
// the details. Request checks give kInvalidArgument naming the first wrong field.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "carriers/carrier_connector.hpp"
#include "core/result.hpp"

namespace nadajnik::carriers::allegro_shipping {

// The label file format, fixed when the shipment is created (section 5.2).
enum class WireLabelFormat { kPdf, kZpl };

// Plain keys of domain::CarrierSettings.settings this connector reads (all optional):
//   delivery_method_id  Allegro delivery-method UUID used instead of the order's own
//   credentials_id      UUID of the seller's own carrier contract in WzA (owner CLIENT services)
//   label_format        "pdf" (default) or "zpl": the format Allegro renders the labels in
//   tracking_carrier_id Allegro carrier id for tracking (ALLEGRO, INPOST, DPD, POCZTA_POLSKA,
//                       ORLEN, ...); empty: guessed from the waybill, then tried in turn
// Shared keys (default_service, default_weight_grams, comment_template, ...) are the shipment
// service's and pass here unchecked.
struct Settings {
  std::string delivery_method_id;
  std::string credentials_id;
  WireLabelFormat label_format = WireLabelFormat::kPdf;
  std::string tracking_carrier_id;
};
Result<Settings> ParseSettings(const std::map<std::string, std::string>& settings);

// 8-4-4-4-12 hexadecimal digits.
bool LooksLikeUuid(std::string_view text);
// The create command's id for our reference: the reference itself (lower-cased) when it is a
// UUID, otherwise a UUID derived from it (the same reference always gives the same id, so a
// retry is the same command and GET create-commands/{id} finds an earlier attempt).
std::string CommandIdFor(std::string_view reference);
// The cancel command's id for a shipment (stable: a retried cancel is the same command).
std::string CancelCommandIdFor(std::string_view shipment_id);

// The buyer's masked Allegro address, which WzA needs to link the shipment to the order
// (section 3.4: <random>+<hex>@allegromail.pl; the sandbox's ...@test.allegromail.com). Checks
// the syntax (one @, bounded local part and domain labels, no spaces or control characters) and
// the allegromail domain. The error (kInvalidArgument) says what is wrong.
Result<void> ValidateReceiverEmail(std::string_view email);

// The delivery method sent: the delivery_method_id setting, else the order's
// (request.delivery_method_id), else request.service when it is a UUID; "" lets Allegro take the
// order's own.
std::string EffectiveDeliveryMethod(const ShipmentRequest& request, const Settings& settings);

// Checks what Allegro would refuse that can be seen before sending (addresses, e-mail, phones,
// parcels with dimensions and weight, amounts) and builds the body of
// POST /shipment-management/shipments/create-commands.
Result<std::string> BuildCreateCommand(const ShipmentRequest& request, const Settings& settings,
                                       std::string_view command_id);

// One entry of an ErrorsHolder (Error400 and friends).
struct WireError {
  std::string code;
  std::string message;
  std::string details;
  std::string path;
  std::string user_message;
};
// The errors[] of a body (at most 10, each string bounded); empty when there are none.
std::vector<WireError> ParseErrors(std::string_view body);
std::vector<WireError> ParseErrors(const boost::json::value& errors);
// "receiver.postalCode" -> "receiver's postal code (receiver.postalCode)"; "input." dropped.
std::string FieldPhrase(std::string_view path);
// The errors in the seller's words, field named first: "receiver's e-mail (receiver.email):
// Wybrane zamówienie nie może zostać użyte (allegro_order_not_found)"; at most three.
std::string DescribeErrors(const std::vector<WireError>& errors);

// An answer >= 300 (or an unexpected 2xx) of the shipment-management API as our Error, following
// carrier_connector.hpp: 400/422 kInvalidArgument, 401/403 kPermissionDenied, 404 kNotFound,
// 409 kConflict, 429 kRateLimited, 5xx/504 kUnavailable. `what` names the operation ("create
// the shipment").
Error ErrorFromResponse(int http_status, std::string_view body, std::string_view what);

// GET .../create-commands/{id} and .../cancel-commands/{id}.
enum class CommandState { kInProgress, kSuccess, kError };
struct CommandStatus {
  std::string command_id;
  CommandState state = CommandState::kInProgress;
  std::string shipment_id;
  std::vector<WireError> errors;
};
Result<CommandStatus> ParseCommandStatus(std::string_view body);

// GET .../shipments/{id} (ShipmentDto), as far as we use it.
struct ShipmentDetails {
  std::string id;
  std::vector<std::string> waybills;  // packages[].waybill, in order
  std::string carrier;                // "ALLEGRO", "INPOST", ...
  std::string label_format;           // PDF, ZPL, EPL
  std::string reference_number;
  bool cancelled = false;  // canceledDate set
};
Result<ShipmentDetails> ParseShipment(std::string_view body);

// The remote_id of a creation still in progress: "command:<commandId>". Once Allegro has made
// the shipment, remote_id is its shipmentId.
std::string PendingRemoteId(std::string_view command_id);
// The command id in a pending remote_id, or nullopt for a shipment id.
std::optional<std::string> CommandIdOfRemoteId(std::string_view remote_id);
// A create command's status as a RemoteShipment (not confirmed; error set for ERROR).
RemoteShipment RemoteFromCommand(const CommandStatus& status);
// A shipment as a RemoteShipment: confirmed with the first waybill; a cancelled one is not.
RemoteShipment RemoteFromShipment(const ShipmentDetails& shipment);

// GET .../delivery-proposals/{orderId}: what we check before a Smart shipment.
struct DeliveryProposal {
  std::string order_id;
  std::string delivery_method_id;  // suggestedInput.deliveryMethodId
  std::string receiver_email;      // suggestedInput.receiver.email
  int delivery_options = 0;
};
Result<DeliveryProposal> ParseDeliveryProposal(std::string_view body);

// GET .../delivery-services: each service's (deliveryMethodId, credentialsId or "").
struct ServiceId {
  std::string delivery_method_id;
  std::string credentials_id;
  std::string name;
};
Result<std::vector<ServiceId>> ParseDeliveryServices(std::string_view body);

// POST /shipment-management/label: A6 or A4 pages for PDF; nothing for ZPL (page size is for
// PDF only). kFailedPrecondition for 300-dpi ZPL, which WzA does not offer.
Result<std::string> BuildLabelRequest(std::string_view shipment_id, domain::LabelFormat format);
// What a label file is by its first bytes: "pdf", "zpl", "zip" or "".
std::string SniffLabel(std::string_view bytes);

// POST .../cancel-commands.
std::string BuildCancelCommand(std::string_view command_id, std::string_view shipment_id);

// Section 4.5's status codes onto domain::TrackingState: PENDING created, IN_TRANSIT in
// transit, RELEASED_FOR_DELIVERY out for delivery, AVAILABLE_FOR_PICKUP and NOTICE_LEFT (the
// parcel waits at a point or post office after a missed delivery) ready for pickup, DELIVERED,
// ISSUE failed (someone must act), RETURNED; anything else unknown.
domain::TrackingState TrackingStateFor(std::string_view code);
// GET /order/carriers/{carrierId}/tracking: the events of `waybill`, oldest first (at most
// 200), or nullopt when Allegro has no tracking details for it under that carrier.
Result<std::optional<std::vector<TrackingEvent>>> ParseTracking(std::string_view body,
                                                                std::string_view waybill);
// The carriers to ask for a waybill, most likely first: the setting alone when set, else the
// WzA carriers ordered by the waybill's shape (InPost: 24 digits; DPD: 13 digits and a letter;
// Pocztex: PX...; Allegro One: A and 9 letters or digits).
std::vector<std::string> TrackingCarriersFor(std::string_view waybill,
                                             std::string_view carrier_setting);

}  // namespace nadajnik::carriers::allegro_shipping
