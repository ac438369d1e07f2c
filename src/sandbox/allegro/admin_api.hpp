// The sandbox's own admin endpoints under /__sandbox/ (no Allegro path starts so), JSON in and
// out, for tests and the demo: issue tokens without a browser, create/pay/cancel orders, advance
// time, revoke a seller's tokens, read what the sandbox received.
//
// POST /__sandbox/orders/{id}/{action} answers 200 with the form as GET would serve it, 404 for
// an unknown id, 400 for an unknown action or a bad body. Actions:
//   pay, cancel          the buyer pays / cancels after payment (journal events as Allegro's)
//   hide {"seconds"}     the form answers 404 for a while
//   corrupt              the form is served malformed (summary.totalToPay.amount "12,34 zł")
//                        in GET by id and in the list, until repaired; no event, no updatedAt
//   repair               served correctly again; updatedAt moves, no event, same revision
//   fulfillment {"status"}  the seller set the status in Allegro's web panel: as the PUT
//                        (new revision and updatedAt, FULFILLMENT_STATUS_CHANGED; optional
//                        ?checkoutForm.revision, 409 when stale) but not listed in received;
//                        400 names the allowed statuses (RETURNED is not one)
// Each handler holds World::mu for the whole request.
#pragma once

#include "http/router.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

void RegisterAdminRoutes(http::Router& router, World& world);

}  // namespace nadajnik::sandbox::allegro
