// Shipment: one parcel (or multi-parcel consignment) created with a carrier for an order.
//
// Every create intent carries an idempotency key stored before the carrier is called; the state
// machine makes a retry ask "what happened?" instead of creating a second shipment:
//   kPending (key stored, carrier not yet confirmed) -> kCreated (carrier id known) ->
//   kLabelReady -> kInTransit ... -> kDelivered | kReturned; kFailed / kCancelled are final.
// Tracking states are normalized across carriers (see TrackingState).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"

namespace nadajnik::domain {

enum class Carrier { kInPost, kDpd, kPocztaPolska, kOrlenPaczka, kAllegroShipping };
std::string_view CarrierCode(Carrier c);  // "inpost", "dpd", "poczta_polska", ...
std::optional<Carrier> ParseCarrier(std::string_view code);  // also "orlen" (sellers' name)
std::string_view CarrierDisplayName(Carrier c);  // "InPost", "Poczta Polska", "Wysyłam z Allegro"

enum class ShipmentState { kPending, kCreated, kLabelReady, kCancelled, kFailed };
std::string_view ShipmentStateName(ShipmentState s);  // "pending"
std::optional<ShipmentState> ParseShipmentState(std::string_view s);

enum class TrackingState {
  kUnknown,
  kCreated,
  kInTransit,
  kOutForDelivery,
  kReadyForPickup,
  kDelivered,
  kFailed,
  kReturned,
};
std::string_view TrackingStateName(TrackingState s);
std::optional<TrackingState> ParseTrackingState(std::string_view s);
std::string_view TrackingStateLabel(TrackingState s);  // Polish: "W drodze", "Doręczona"
// Delivered and returned are final: tracking stops.
inline bool TrackingFinal(TrackingState s) {
  return s == TrackingState::kDelivered || s == TrackingState::kReturned;
}

enum class LabelFormat { kPdfA6, kPdfA4, kZpl203, kZpl300 };
std::string_view LabelFormatName(LabelFormat f);  // "pdf_a6"
std::optional<LabelFormat> ParseLabelFormat(std::string_view s);

struct Parcel {
  std::string size_template;  // carrier's template (InPost A/B/C) or empty
  int weight_grams = 0;
  int length_mm = 0;
  int width_mm = 0;
  int height_mm = 0;
  std::string tracking_number;  // per parcel for multi-parcel consignments
};

struct Shipment {
  ShipmentId id;
  OrderId order_id;
  AccountId account_id;
  Carrier carrier = Carrier::kInPost;
  std::string service;          // carrier service code ("inpost_locker_standard")
  std::string idempotency_key;  // unique; written before the carrier call
  ShipmentState state = ShipmentState::kPending;
  TrackingState tracking_state = TrackingState::kUnknown;
  std::string remote_id;  // the carrier's shipment id
  std::string tracking_number;
  std::vector<Parcel> parcels;
  std::optional<Money> cash_on_delivery;
  std::optional<Money> insurance;
  std::string label_path;  // under the data dir, once fetched
  std::optional<LabelFormat> label_format;
  std::string last_error;
  // What the carrier is asked (services/shipping encodes it), frozen when the user confirmed.
  std::string request_json = "{}";
  // Set, and committed, before the first carrier call: after a crash a retry asks the carrier
  // about this key instead of creating again.
  std::optional<Timestamp> carrier_called_at;
  std::optional<Timestamp> tracking_checked_at;
  std::optional<Timestamp> handed_over_at;  // the day was closed with it (envelope, protocol)
  std::string tracking_detail;              // the carrier's last status, in its words
  std::string created_by;                   // user name, "api:<token>" or "cli"
  int shipment_no = 1;  // 1 for an order's first shipment; more only when confirmed
  Timestamp created_at;
  Timestamp updated_at;

  bool active() const {
    return state != ShipmentState::kCancelled && state != ShipmentState::kFailed;
  }
};

}  // namespace nadajnik::domain
