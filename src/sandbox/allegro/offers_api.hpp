// The offer and stock endpoints of the Allegro sandbox (shared/reference/allegro-api.md section 6):
//
//   GET   /sale/offers                                            sale:offers:read
//   GET   /sale/product-offers/{offerId}                          sale:offers:read
//   PATCH /sale/product-offers/{offerId}                          sale:offers:write
//   GET   /sale/product-offers/{offerId}/operations/{operationId} sale:offers:read
//   PUT   /sale/offer-quantity-change-commands/{commandId}        sale:offers:write
//   GET   /sale/offer-quantity-change-commands/{commandId}        sale:offers:write
//   GET   /sale/offer-quantity-change-commands/{commandId}/tasks  sale:offers:write
//
// Each seller gets 48 offers the first time any of these is called (deterministic for the seed:
// names in the seller's language, SKUs, prices in the base currency, some listed on other
// marketplaces, a few INACTIVE, ENDED or auctions). Stock is shared by all marketplaces.
//
// A PATCH that only edits stock, price, name or SKU is applied at once (200 with the offer).
// One that changes publication.status is long-running: 202 with Location (the operation) and
// Retry-After, the offer ACTIVATING meanwhile; polling gives 202 until it is done, then 303 to
// the offer; another PATCH of the offer before that is 409. Setting stock 0 on an ACTIVE or
// ACTIVATING offer ends it. Quantity commands answer 201 with their report and run their tasks
// a second of sandbox time later (NEW, then SUCCESS or FAIL per offer); a reused commandId is
// 409. Stock edits are recorded in World::received as kind "stock".
//
// Handlers lock World::mu for the whole request.
#pragma once

#include "http/router.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

void RegisterOfferRoutes(http::Router& router, World& world);

// Generates the offers of sellers that have none yet. The caller holds world.mu.
void EnsureOffers(World& world);

// Runs an offer operation or a quantity command that fell due at `due_ms` (SettleSale() calls
// it). The caller holds world.mu.
void ApplyOfferWork(World& world, const PendingWork& work, std::int64_t due_ms);

}  // namespace nadajnik::sandbox::allegro
