// Ship with Allegro (Wysyłam z Allegro) in the Allegro sandbox, /shipment-management
// (shared/reference/allegro-api.md section 5):
//
//   GET  /shipment-management/delivery-services                   shipments:write (deprecated)
//   GET  /shipment-management/delivery-proposals/{orderId}        shipments:write
//   POST /shipment-management/shipments/create-commands           shipments:write
//   GET  /shipment-management/shipments/create-commands/{id}      shipments:write
//   GET  /shipment-management/shipments/{shipmentId}              shipments:read
//   POST /shipment-management/label                               shipments:read
//   POST /shipment-management/shipments/cancel-commands           shipments:write
//   GET  /shipment-management/shipments/cancel-commands/{id}      shipments:write
//
// Services: the Allegro Standard ones of allegro.pl and allegro.cz under the delivery method ids
// the order generator uses (InPost lockers and Kurier24, DPD, Pocztex, ORLEN, Allegro One,
// Zásilkovna, PPL, Balíkovna; the "pobranie"/"dobírka" variants take cash on delivery), owner
// ALLEGRO, for every seller; plus one contract service (owner CLIENT, with credentialsId) for
// sellers based on allegro.pl. Another Allegro method (allegro.sk, allegro.hu) becomes a service
// by its name; a seller's own method (not named "Allegro ...") is not one, and its delivery
// proposal is 400 UNSUPPORTED_DELIVERY_METHOD. A proposal for an order the caller cannot ship
// (another seller's, unknown, cancelled, One Fulfillment) is 400 VALIDATION_FAILED "Selected
// order can not be used", as create commands report it.
//
// Commands are asynchronous: the POST answers 200 with the command and Retry-After, the status is
// IN_PROGRESS for 2 s of sandbox time (1 s for cancels), then SUCCESS or ERROR. A body that
// cannot be read is 400 at once; everything that needs the order or the service (receiver.email
// must be the order's masked buyer e-mail, else VALIDATION_FAILED "Selected order can not be
// used"; credentialsId; pickup point; box size and weight; multi-parcel for carrier ALLEGRO;
// COD and insurance limits) makes the command end in ERROR. Reusing a commandId replays the
// first command (idempotent) and never makes a second shipment. A created shipment gets one
// waybill per package and attaches them to the order as tracking numbers (GET
// /order/checkout-forms/{id}/shipments); a cancelled one takes them off again. Labels come in
// the format chosen at creation (PDF or ZPL, wza_labels.hpp) as application/octet-stream; a
// cancelled shipment has none (204). Create commands are recorded in World::received as kind
// "shipment".
//
// Handlers lock World::mu for the whole request.
#pragma once

#include "http/router.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

void RegisterShippingRoutes(http::Router& router, World& world);

// Completes a create or cancel command that fell due at `due_ms` (SettleSale() calls it). The
// caller holds world.mu.
void ApplyShippingWork(World& world, const PendingWork& work, std::int64_t due_ms);

}  // namespace nadajnik::sandbox::allegro
