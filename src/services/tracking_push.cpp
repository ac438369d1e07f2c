#include "services/tracking_push.hpp"

#include <fmt/format.h>

namespace nadajnik::services {

std::string_view AllegroCarrierId(domain::Carrier carrier) {
  switch (carrier) {
    case domain::Carrier::kInPost:
      return "INPOST";
    case domain::Carrier::kDpd:
      return "DPD";
    case domain::Carrier::kPocztaPolska:
      return "POCZTA_POLSKA";
    case domain::Carrier::kOrlenPaczka:
      return "ORLEN";
    case domain::Carrier::kAllegroShipping:
      return "ALLEGRO";
  }
  return "OTHER";
}

Result<void> EnqueueTrackingPush(store::UnitOfWork& uow, const domain::Shipment& shipment,
                                 Timestamp now) {
  if (shipment.carrier == domain::Carrier::kAllegroShipping) return Ok();
  store::NewJob job;
  job.kind = std::string(kPushTrackingJob);
  job.priority = 10;
  job.run_at = now;
  job.max_attempts = 50;
  job.unique_key = fmt::format("allegro.tracking:{}", shipment.id.value);
  job.account_id = shipment.account_id;
  job.order_id = shipment.order_id;
  job.payload = fmt::format(R"({{"shipment":{}}})", shipment.id.value);
  NADAJNIK_TRY(uow.jobs().Enqueue(job, now));
  return Ok();
}

Result<void> PushTracking(store::Store& store, const Clock& clock, ShipmentId id,
                          marketplace::MarketplaceConnector& api,
                          const std::function<Result<void>(const store::Store::Work&)>& complete) {
  struct Loaded {
    domain::Shipment shipment;
    domain::Order order;
  };
  NADAJNIK_ASSIGN_OR_RETURN(auto loaded, store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    NADAJNIK_ASSIGN_OR_RETURN(auto shipment, uow.shipments().Get(id));
    if (!shipment) return Fail(ErrorCode::kNotFound, fmt::format("no shipment {}", id.value));
    NADAJNIK_ASSIGN_OR_RETURN(auto order, uow.orders().Get(shipment->order_id));
    if (!order) return Fail(ErrorCode::kNotFound, "the shipment's order is gone");
    return Loaded{std::move(*shipment), std::move(*order)};
  }));
  const auto& s = loaded.shipment;
  if (s.tracking_number.empty() || s.carrier == domain::Carrier::kAllegroShipping) {
    return complete({});
  }
  marketplace::Waybill waybill;
  waybill.waybill = s.tracking_number;
  waybill.carrier_id = std::string(AllegroCarrierId(s.carrier));
  NADAJNIK_ASSIGN_OR_RETURN(auto existing, api.ListWaybills(loaded.order.checkout_form_id));
  bool present = false;
  for (const auto& w : existing) present |= w.waybill == waybill.waybill;
  if (!present) {
    auto added = api.AddWaybill(loaded.order.checkout_form_id, waybill);
    if (!added) {
      Error e = added.error();
      // Refusals (unknown carrier, waybill over-used, order gone) stay visible as dead jobs;
      // everything else is retried until Allegro confirms.
      e.retryable = e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kRateLimited ||
                    e.code == ErrorCode::kUnauthenticated;
      return Fail(std::move(e));
    }
  }
  return complete([&](store::UnitOfWork& uow) -> Result<void> {
    domain::OrderEvent e;
    e.order_id = s.order_id;
    e.kind = "tracking_pushed";
    e.at = clock.Now();
    e.remote_at = s.updated_at;
    e.message = present ? fmt::format("Allegro ma już numer przesyłki {} ({})", s.tracking_number,
                                      waybill.carrier_id)
                        : fmt::format("Numer przesyłki {} ({}) dodany w Allegro", s.tracking_number,
                                      waybill.carrier_id);
    return uow.order_events().Append(e);
  });
}

}  // namespace nadajnik::services
