// The order timeline / event log: every step of an order with its time, so the lag of each step
// is visible (Allegro's event time -> imported -> status pushed -> tracking pushed ...).
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace nadajnik::domain {

struct OrderEvent {
  std::int64_t id = 0;
  OrderId order_id;
  std::string kind;  // "imported", "updated", "status_changed", "tracking_pushed", ...
  Timestamp at;      // when Nadajnik recorded it
  std::optional<Timestamp> remote_at;  // when it happened at Allegro / the carrier, if known
  std::string message;                 // human-readable, in Polish
  std::string actor;                   // "system", a username, "api:<token name>"
};

// A seller-defined order status (Nowe, W realizacji, ...), ordered by position.
struct LocalStatus {
  StatusId id;
  std::string name;
  int position = 0;
  std::string color;  // "#RRGGBB"
};

}  // namespace nadajnik::domain
