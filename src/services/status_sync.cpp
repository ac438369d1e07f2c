#include "services/status_sync.hpp"

#include <fmt/format.h>

#include "core/text.hpp"
#include "store/job_repository.hpp"

namespace nadajnik::services {

using domain::FulfillmentStatus;

namespace {

std::string PushKey(OrderId id) { return fmt::format("allegro.status:{}", id.value); }

Result<void> EnqueuePush(store::UnitOfWork& uow, const domain::Order& order, Timestamp now) {
  store::NewJob job;
  job.kind = std::string(kPushStatusJob);
  job.priority = 10;
  job.run_at = now;
  job.max_attempts = 50;
  job.unique_key = PushKey(order.id);
  job.account_id = order.account_id;
  job.order_id = order.id;
  NADAJNIK_TRY(uow.jobs().Enqueue(job, now));  // a queued push sends the newest status anyway
  return Ok();
}

Result<domain::LocalStatus> FindStatus(store::UnitOfWork& uow, const std::string& wanted) {
  NADAJNIK_ASSIGN_OR_RETURN(auto statuses, uow.statuses().List());
  const std::string folded = FoldCase(wanted);
  for (const auto& s : statuses) {
    if (FoldCase(s.name) == folded || std::to_string(s.id.value) == wanted) return s;
  }
  std::string known;
  for (const auto& s : statuses) known += (known.empty() ? "" : ", ") + s.name;
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown status '{}': use one of {}", TruncateUtf8(wanted, 64), known));
}

}  // namespace

StatusSync::StatusSync(store::Store& store, const Clock& clock, std::function<void()> wake)
    : store_(store), clock_(clock), wake_(std::move(wake)) {}

Result<StatusChange> ChangeStatusIn(store::UnitOfWork& uow, OrderId id, const std::string& status,
                                    const std::string& actor, Timestamp now) {
  NADAJNIK_ASSIGN_OR_RETURN(auto order, uow.orders().Get(id));
  if (!order) return Fail(ErrorCode::kNotFound, fmt::format("no order with id {}", id.value));
  if (order->merged_into) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("order {} was merged into order {}: change that one", id.value,
                            order->merged_into->value));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto target, FindStatus(uow, status));
  StatusChange c;
  c.order = id;
  c.status = target.id;
  c.status_name = target.name;
  NADAJNIK_ASSIGN_OR_RETURN(c.pushes, uow.status_mappings().Mapped(order->account_id, target.id));
  if (target.id == order->local_status_id) {  // nothing changes, nothing is pushed
    c.unchanged = true;
    return c;
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto statuses, uow.statuses().List());
  std::string from = "?";
  for (const auto& s : statuses) {
    if (s.id == order->local_status_id) from = s.name;
  }
  NADAJNIK_TRY(uow.orders().SetLocalStatus(id, target.id, now));
  domain::OrderEvent e;
  e.order_id = id;
  e.kind = "status_changed";
  e.at = now;
  e.message = fmt::format("Status: {} → {}", from, target.name);
  e.actor = actor;
  NADAJNIK_TRY(uow.order_events().Append(e));
  if (!c.pushes) return c;
  if (order->read_only()) {
    c.warnings.push_back(
        "To zamówienie realizuje magazyn Allegro (One Fulfillment): status zmieniono tylko w "
        "Nadajniku");
    c.pushes.reset();
    return c;
  }
  if (order->fulfillment_status == FulfillmentStatus::kNew &&
      *c.pushes != FulfillmentStatus::kNew && !order->cancelled()) {
    c.warnings.push_back(fmt::format(
        "Status realizacji w Allegro zmieni się z NEW na {}: kupujący nie będzie mógł już sam "
        "anulować zamówienia ani zmienić adresu",
        domain::FulfillmentStatusName(*c.pushes)));
  }
  NADAJNIK_TRY(EnqueuePush(uow, *order, now));
  c.queued = true;
  return c;
}

Result<StatusChange> StatusSync::Change(OrderId id, const std::string& status,
                                        const std::string& actor) {
  const Timestamp now = clock_.Now();
  NADAJNIK_ASSIGN_OR_RETURN(auto change, store_.InTransaction([&](store::UnitOfWork& uow) {
    return ChangeStatusIn(uow, id, status, actor, now);
  }));
  if (change.queued && wake_) wake_();
  return change;
}

Result<std::vector<BulkStatusResult>> StatusSync::ChangeMany(const std::vector<OrderId>& orders,
                                                             const std::string& status,
                                                             const std::string& actor) {
  if (orders.empty()) return Fail(ErrorCode::kInvalidArgument, "no orders given");
  if (orders.size() > 1000) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("at most 1000 orders at once ({} given)", orders.size()));
  }
  std::vector<BulkStatusResult> out;
  out.reserve(orders.size());
  bool queued = false;
  for (OrderId id : orders) {
    const Timestamp now = clock_.Now();
    auto change = store_.InTransaction(
        [&](store::UnitOfWork& uow) { return ChangeStatusIn(uow, id, status, actor, now); });
    if (change && change->queued) queued = true;
    // A status that doesn't exist is the same refusal for every order: say it once.
    if (!change && change.error().code == ErrorCode::kInvalidArgument && out.empty()) {
      return Fail(change.error());
    }
    out.push_back({id, std::move(change)});
  }
  if (queued && wake_) wake_();
  return out;
}

Result<void> StatusSync::Push(
    OrderId id, Timestamp queued_at, marketplace::MarketplaceConnector& api,
    const std::function<Result<void>(const store::Store::Work&)>& complete) {
  struct Target {
    domain::Order order;
    std::optional<FulfillmentStatus> desired;
  };
  auto load = [&]() -> Result<Target> {
    return store_.Read([&](store::UnitOfWork& uow) -> Result<Target> {
      NADAJNIK_ASSIGN_OR_RETURN(auto order, uow.orders().Get(id));
      if (!order) return Fail(ErrorCode::kNotFound, fmt::format("order {} was deleted", id.value));
      Target t{std::move(*order), std::nullopt};
      NADAJNIK_ASSIGN_OR_RETURN(
          t.desired, uow.status_mappings().Mapped(t.order.account_id, t.order.local_status_id));
      return t;
    });
  };
  NADAJNIK_ASSIGN_OR_RETURN(auto target, load());
  if (!target.desired || target.order.read_only() || target.order.merged_into) return Ok();
  const FulfillmentStatus desired = *target.desired;
  if (target.order.fulfillment_status != desired) {
    auto pushed =
        api.SetFulfillmentStatus(target.order.checkout_form_id, desired, target.order.revision);
    if (!pushed && pushed.error().code == ErrorCode::kConflict) {
      // A stale revision: the buyer changed something. Read the form, store it, decide again.
      NADAJNIK_ASSIGN_OR_RETURN(auto fresh, api.GetOrder(target.order.checkout_form_id));
      if (!fresh.order) return Fail(fresh.order.error());
      domain::Order updated = *fresh.order;
      updated.account_id = target.order.account_id;
      NADAJNIK_TRY(store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        NADAJNIK_TRY(uow.orders().Upsert(updated, clock_.Now()));
        return Ok();
      }));
      if (updated.cancelled()) {
        return complete([&](store::UnitOfWork& uow) {
          domain::OrderEvent e;
          e.order_id = id;
          e.kind = "status_push_skipped";
          e.at = clock_.Now();
          e.message = "Nie wysłano statusu do Allegro: kupujący anulował zamówienie";
          return uow.order_events().Append(e);
        });
      }
      pushed = api.SetFulfillmentStatus(updated.checkout_form_id, desired, updated.revision);
    }
    if (!pushed) {
      Error e = pushed.error();
      // Retried by the job until Allegro confirms; a form gone for good is not.
      e.retryable = e.code != ErrorCode::kNotFound && e.code != ErrorCode::kInvalidArgument &&
                    e.code != ErrorCode::kPermissionDenied;
      if (e.code == ErrorCode::kUnauthenticated) e.retryable = true;  // resumes after re-auth
      return Fail(std::move(e));
    }
  }
  return complete([&](store::UnitOfWork& uow) -> Result<void> {
    const Timestamp now = clock_.Now();
    domain::OrderEvent e;
    e.order_id = id;
    e.kind = "status_pushed";
    e.at = now;
    e.remote_at = queued_at;
    e.message = fmt::format("Allegro: status realizacji ustawiony na {}",
                            domain::FulfillmentStatusName(desired));
    NADAJNIK_TRY(uow.order_events().Append(e));
    // Changed again while this push was on its way: send the newest one too.
    NADAJNIK_ASSIGN_OR_RETURN(auto order, uow.orders().Get(id));
    if (!order) return Ok();
    NADAJNIK_ASSIGN_OR_RETURN(
        auto now_desired, uow.status_mappings().Mapped(order->account_id, order->local_status_id));
    if (now_desired && *now_desired != desired) NADAJNIK_TRY(EnqueuePush(uow, *order, now));
    return Ok();
  });
}

}  // namespace nadajnik::services
