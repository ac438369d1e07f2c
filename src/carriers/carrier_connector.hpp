// CarrierConnector: one carrier's API (InPost ShipX, Poczta Polska e-Nadawca, ORLEN Paczka, DPD,
// Allegro's shipment management) behind one interface, for one seller's credentials.
//
// Creation may be asynchronous (ShipX, WzA): Create() returns the carrier's id at once and the
// tracking number only once the carrier confirms; Status() asks again. Every request carries our
// reference (the shipment's idempotency key) where the carrier keeps one, and FindByReference()
// asks the carrier what happened to an earlier attempt, so a retry after a crash never creates a
// second shipment. Base URLs are settings. Errors:
//   kPermissionDenied  the credentials are wrong; the message names the setting to fix
//   kInvalidArgument   the carrier refused the data (postal code, pickup point, COD over the
//                      limit, size); the message says which field, in the seller's words
//   kFailedPrecondition not possible for this shipment (cancel after pickup, letter without
//                      tracking)
//   kUnavailable / kRateLimited  retry later
// Not thread-safe: one connector per job run.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/money.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "domain/shipment.hpp"

namespace nadajnik::carriers {

struct Party {
  std::string name;  // person
  std::string company;
  std::string street;
  std::string building;  // when the carrier wants it apart; else in street
  std::string postal_code;
  std::string city;
  std::string country_code = "PL";
  std::string phone;
  std::string email;
};

struct ShipmentRequest {
  std::string reference;  // our idempotency key; carriers that keep a reference get it
  std::string service;    // carrier's service code, e.g. "inpost_locker_standard"
  Party sender;
  Party receiver;
  std::string target_point;   // parcel locker / pickup point id for point services
  std::string sending_point;  // where the seller drops it (a locker), if not collected
  std::vector<domain::Parcel> parcels;
  std::optional<Money> cash_on_delivery;
  std::string cod_bank_account;  // NRB, where the carrier asks for it
  std::optional<Money> insurance;
  std::string comment;  // printed on the label where the carrier allows
  // The marketplace order behind it (Allegro's shipment management needs them; others ignore).
  std::string checkout_form_id;
  std::string delivery_method_id;  // Allegro delivery-method UUID of the order
  bool smart = false;              // the buyer chose Allegro Smart
};

struct RemoteShipment {
  std::string remote_id;
  std::string tracking_number;  // empty until confirmed
  bool confirmed = false;       // the carrier has accepted it and a label can be fetched
  std::string status;           // the carrier's own status name, for the timeline
  std::string error;            // the carrier's reason when it refused it asynchronously
};

struct Label {
  std::string bytes;
  domain::LabelFormat format = domain::LabelFormat::kPdfA6;
};

struct TrackingEvent {
  domain::TrackingState state = domain::TrackingState::kUnknown;
  std::string code;  // the carrier's status code
  std::string description;
  Timestamp at;
};

// The end of a sending day: what the carrier hands back when the seller closes it.
struct Handover {
  std::string summary;   // what happened, in Polish ("Koperta 123 wysłana: 14 przesyłek")
  std::string document;  // a PDF for the courier or the post office, when the carrier gives one
};

struct Capabilities {
  bool asynchronous_create = false;
  bool cancel = false;
  bool cash_on_delivery = false;
  bool pickup_points = false;
  std::vector<domain::LabelFormat> label_formats;
};

class CarrierConnector {
 public:
  virtual ~CarrierConnector() = default;
  virtual domain::Carrier carrier() const = 0;
  virtual Capabilities capabilities() const = 0;
  // Checks the credentials with the cheapest call the carrier has (some can only tell at the
  // first shipment: then Ok and the first Create names the setting).
  virtual Result<void> CheckCredentials() = 0;
  virtual Result<RemoteShipment> Create(const ShipmentRequest& request) = 0;
  virtual Result<RemoteShipment> Status(const std::string& remote_id) = 0;
  // An earlier attempt with this reference, if the carrier has it.
  virtual Result<std::optional<RemoteShipment>> FindByReference(const std::string& reference) = 0;
  virtual Result<Label> FetchLabel(const std::string& remote_id, domain::LabelFormat format) = 0;
  virtual Result<std::vector<TrackingEvent>> Track(const std::string& tracking_number) = 0;
  virtual Result<void> Cancel(const std::string& remote_id) = 0;
  // Closes the sending day for these shipments (Poczta Polska: the bufor goes out as an
  // envelope; DPD: the handover protocol the courier signs). Carriers without one refuse with
  // kFailedPrecondition.
  virtual Result<Handover> CloseDay(const std::vector<std::string>& remote_ids) {
    (void)remote_ids;
    return Fail(ErrorCode::kFailedPrecondition, "ten przewoźnik nie wymaga zamykania dnia");
  }
};

}  // namespace nadajnik::carriers
