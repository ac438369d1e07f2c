// The order endpoints of the Allegro sandbox (shared/reference/allegro-api.md sections 2-4):
// the event journal and its stats, checkout forms (list and one), fulfilment status with
// revision checks, tracking numbers, and the carriers list.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "http/router.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

void RegisterOrderRoutes(http::Router& router, World& world);

// What summary.totalToPay.amount says while an order is served corrupt
// (OrderRecord::served_corrupt, POST /__sandbox/orders/{id}/corrupt).
inline constexpr std::string_view kCorruptAmount = "12,34 zł";

// The CheckoutForm JSON of an order as it is now, malformed if the order is served corrupt
// (caller holds World::mu).
boost::json::object CheckoutFormJson(const World& world, std::uint32_t order);

}  // namespace nadajnik::sandbox::allegro
