// Tracking numbers to Allegro: once a carrier confirms a shipment, its tracking number is added
// to the order on Allegro (POST /order/checkout-forms/{id}/shipments) by a durable job queued in
// the same transaction as the confirmation, retried until Allegro confirms.
//
// The push is idempotent although Allegro's POST is not: the job first lists the order's
// waybills and adds ours only if it is not there, so a crash between Allegro's answer and our
// commit repeats nothing. Shipments bought through "Wysyłam z Allegro" are attached by Allegro
// itself and are not pushed. Each push lands on the order's timeline with its lag.
#pragma once

#include <functional>
#include <string_view>

#include "core/clock.hpp"
#include "domain/shipment.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

inline constexpr std::string_view kPushTrackingJob = "allegro.push_tracking";

// Allegro's carrierId for our carrier (GET /order/carriers): INPOST, DPD, POCZTA_POLSKA (Pocztex
// too), ORLEN, ALLEGRO.
std::string_view AllegroCarrierId(domain::Carrier carrier);

// Queues the push of `shipment`'s tracking number (no-op for Allegro-bought shipments).
Result<void> EnqueueTrackingPush(store::UnitOfWork& uow, const domain::Shipment& shipment,
                                 Timestamp now);

// The job's work. `complete` commits the timeline entry with the job's completion.
Result<void> PushTracking(store::Store& store, const Clock& clock, ShipmentId shipment,
                          marketplace::MarketplaceConnector& api,
                          const std::function<Result<void>(const store::Store::Work&)>& complete);

}  // namespace nadajnik::services
