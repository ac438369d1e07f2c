#include "sandbox/allegro/world.hpp"

#include <algorithm>

#include "core/enum_names.hpp"
#include "core/text.hpp"
#include "sandbox/allegro/generator.hpp"

namespace nadajnik::sandbox::allegro {

namespace {
constexpr std::pair<CheckoutStatus, std::string_view> kCheckoutStatuses[] = {
    {CheckoutStatus::kBought, "BOUGHT"},
    {CheckoutStatus::kFilledIn, "FILLED_IN"},
    {CheckoutStatus::kReadyForProcessing, "READY_FOR_PROCESSING"},
    {CheckoutStatus::kCancelled, "CANCELLED"},
};
constexpr std::pair<FulfillmentStatus, std::string_view> kFulfillmentStatuses[] = {
    {FulfillmentStatus::kNew, "NEW"},
    {FulfillmentStatus::kProcessing, "PROCESSING"},
    {FulfillmentStatus::kReadyForShipment, "READY_FOR_SHIPMENT"},
    {FulfillmentStatus::kReadyForPickup, "READY_FOR_PICKUP"},
    {FulfillmentStatus::kSent, "SENT"},
    {FulfillmentStatus::kPickedUp, "PICKED_UP"},
    {FulfillmentStatus::kCancelled, "CANCELLED"},
    {FulfillmentStatus::kSuspended, "SUSPENDED"},
    {FulfillmentStatus::kReturned, "RETURNED"},
};
constexpr std::pair<EventType, std::string_view> kEventTypes[] = {
    {EventType::kBought, "BOUGHT"},
    {EventType::kFilledIn, "FILLED_IN"},
    {EventType::kReadyForProcessing, "READY_FOR_PROCESSING"},
    {EventType::kBuyerCancelled, "BUYER_CANCELLED"},
    {EventType::kFulfillmentStatusChanged, "FULFILLMENT_STATUS_CHANGED"},
    {EventType::kBuyerModified, "BUYER_MODIFIED"},
    {EventType::kAutoCancelled, "AUTO_CANCELLED"},
};
}  // namespace

std::string_view CheckoutStatusWire(CheckoutStatus s) { return NameOf(kCheckoutStatuses, s); }
std::optional<CheckoutStatus> ParseCheckoutStatusWire(std::string_view s) {
  return ParseName(kCheckoutStatuses, s);
}
std::string_view FulfillmentStatusWire(FulfillmentStatus s) {
  return NameOf(kFulfillmentStatuses, s);
}
std::optional<FulfillmentStatus> ParseFulfillmentStatusWire(std::string_view s) {
  return ParseName(kFulfillmentStatuses, s);
}
std::string SellerFulfillmentStatusList() {
  std::string list;
  for (const auto& [status, name] : kFulfillmentStatuses) {
    if (status == FulfillmentStatus::kReturned) continue;
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}
std::string_view EventTypeWire(EventType t) { return NameOf(kEventTypes, t); }
std::optional<EventType> ParseEventTypeWire(std::string_view s) {
  return ParseName(kEventTypes, s);
}

World::World(SandboxOptions opts) : options(std::move(opts)) {}

Timestamp World::Now() const { return SystemClock().Now() + offset; }

const Seller* World::FindSellerById(const std::string& id) const {
  for (const auto& s : sellers) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Seller* World::FindSellerByLogin(const std::string& login) const {
  for (const auto& s : sellers) {
    if (s.login == login) return &s;
  }
  return nullptr;
}

std::string World::CheckoutFormId(std::uint32_t order) const {
  return DeterministicUuid(options.seed, orders[order].index, 0);
}

std::string World::Revision(std::uint32_t order) const {
  return RevisionHex(options.seed, orders[order].index, orders[order].version);
}

GeneratedOrder World::Materialize(std::uint32_t order) const {
  const OrderRecord& r = orders[order];
  auto merged = merged_from.find(order);
  if (merged == merged_from.end()) {
    return GenerateOrder(
        {options.seed, r.index, r.marketplace, FromUnixMillis(r.bought_at_ms), r.seller});
  }
  // A joint payment: the first purchase's buyer and delivery, every purchase's line items (with
  // their ids: that is how a client matches them), one payment for the sum.
  GeneratedOrder out = Materialize(merged->second.front());
  out.checkout_form_id = CheckoutFormId(order);
  out.line_items.clear();
  out.surcharges.clear();
  Money total = out.delivery_cost;
  for (std::uint32_t source : merged->second) {
    const GeneratedOrder part = Materialize(source);
    for (const auto& li : part.line_items) {
      out.line_items.push_back(li);
      total = Add(total, Multiply(li.price, li.quantity)).value_or(total);
    }
  }
  out.total_to_pay = total;
  out.payment.id = DeterministicUuid(options.seed, r.index, 1);
  if (out.payment.paid_amount) out.payment.paid_amount = total;
  return out;
}

void World::AppendEvent(std::uint32_t order, EventType type) {
  // Ids look like microsecond timestamps and only ever grow, as Allegro's do.
  const std::int64_t now_ms = ToUnixMillis(Now());
  last_event_id = std::max(last_event_id + 1, now_ms * 1000);
  journal.push_back({last_event_id, type, order, orders[order].version, now_ms});
  if (faults.duplicate_events) {
    last_event_id += 1;
    journal.push_back({last_event_id, type, order, orders[order].version, now_ms});
  }
}

void World::Touch(std::uint32_t order) {
  ++orders[order].version;
  TouchUpdatedAt(order);
}

void World::TouchUpdatedAt(std::uint32_t order) {
  OrderRecord& r = orders[order];
  r.updated_at_ms = std::max(r.updated_at_ms + 1, ToUnixMillis(Now()));
}

Result<void> World::SetFulfillmentStatus(std::uint32_t order, std::string_view status,
                                         std::optional<std::string_view> revision) {
  auto parsed = ParseFulfillmentStatusWire(status);
  if (!parsed || *parsed == FulfillmentStatus::kReturned) {
    return Fail(ErrorCode::kInvalidArgument,
                "fulfillment status '" + TruncateUtf8(status, 40) + "' can't be set: use one of " +
                    SellerFulfillmentStatusList() + " (RETURNED is set by Allegro only)");
  }
  if (revision && *revision != Revision(order)) {
    return Fail(ErrorCode::kConflict, "Provided revision is outdated");
  }
  OrderRecord& r = orders[order];
  if (r.fulfillment != *parsed) {
    r.fulfillment = *parsed;
    Touch(order);
    AppendEvent(order, EventType::kFulfillmentStatusChanged);
  }
  return Ok();
}

std::vector<std::uint32_t> World::CreatePaidOrders(std::uint32_t seller, Marketplace marketplace,
                                                   int count, std::chrono::milliseconds spread) {
  return CreateOrders(seller, marketplace, count, spread, true);
}

namespace {
// Journal ids look like microsecond timestamps and only ever grow, as Allegro's do.
std::int64_t NextEventId(std::int64_t& last, std::int64_t at_ms) {
  last = std::max(last + 1, at_ms * 1000);
  return last;
}
}  // namespace

std::vector<std::uint32_t> World::CreateOrders(std::uint32_t seller, Marketplace marketplace,
                                               int count, std::chrono::milliseconds spread,
                                               bool paid) {
  std::vector<std::uint32_t> created;
  created.reserve(static_cast<std::size_t>(std::max(0, count)));
  const std::int64_t now_ms = ToUnixMillis(Now());
  for (int i = 0; i < count; ++i) {
    OrderRecord r;
    r.index = orders.size() + 1;
    r.seller = seller;
    r.marketplace = marketplace;
    // Spread purchases evenly back from now, oldest first, so the journal stays in time order.
    const std::int64_t back = count > 1 ? spread.count() * (count - 1 - i) / (count - 1) : 0;
    r.bought_at_ms = now_ms - back;
    r.updated_at_ms = r.bought_at_ms;
    r.status = CheckoutStatus::kBought;
    const auto idx = static_cast<std::uint32_t>(orders.size());
    orders.push_back(r);
    order_by_checkout_form.emplace(CheckoutFormId(idx), idx);
    journal.push_back(
        {NextEventId(last_event_id, r.bought_at_ms), EventType::kBought, idx, 0, r.bought_at_ms});
    if (faults.duplicate_events)
      journal.push_back(
          {NextEventId(last_event_id, r.bought_at_ms), EventType::kBought, idx, 0, r.bought_at_ms});
    if (paid) PayAt(idx, r.bought_at_ms);
    ++faults.orders_created;
    if (faults.hide_every > 0 && faults.orders_created % faults.hide_every == 0) {
      orders[idx].hidden_until_ms = now_ms + faults.hide_for.count() * 1000;
    }
    created.push_back(idx);
  }
  return created;
}

void World::PayAt(std::uint32_t order, std::int64_t at_ms) {
  OrderRecord& r = orders[order];
  for (EventType t : {EventType::kFilledIn, EventType::kReadyForProcessing}) {
    ++r.version;
    r.updated_at_ms = std::max(r.updated_at_ms, at_ms);
    r.status =
        t == EventType::kFilledIn ? CheckoutStatus::kFilledIn : CheckoutStatus::kReadyForProcessing;
    if (t == EventType::kReadyForProcessing && faults.missing_ready_event) continue;
    const int copies = faults.duplicate_events ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      journal.push_back({NextEventId(last_event_id, at_ms), t, order, r.version, at_ms});
    }
  }
  if (faults.cancel_every > 0 && (faults.orders_created + 1) % faults.cancel_every == 0) {
    scheduled_cancellations.push_back({at_ms + faults.cancel_after.count() * 1000, order});
  }
}

void World::Pay(std::uint32_t order) {
  if (orders[order].status == CheckoutStatus::kReadyForProcessing) return;
  PayAt(order, ToUnixMillis(Now()));
}

std::uint32_t World::MergeAndPay(const std::vector<std::uint32_t>& sources) {
  const OrderRecord& first = orders[sources.front()];
  OrderRecord r;
  r.index = orders.size() + 1;
  r.seller = first.seller;
  r.marketplace = first.marketplace;
  r.bought_at_ms = first.bought_at_ms;
  r.updated_at_ms = ToUnixMillis(Now());
  r.status = CheckoutStatus::kBought;
  const auto idx = static_cast<std::uint32_t>(orders.size());
  orders.push_back(r);
  order_by_checkout_form.emplace(CheckoutFormId(idx), idx);
  merged_from[idx] = sources;
  for (std::uint32_t s : sources) {
    orders[s].merged_into = idx;
    Touch(s);
  }
  PayAt(idx, ToUnixMillis(Now()));
  return idx;
}

void World::ApplyDueChanges() {
  if (scheduled_cancellations.empty()) return;
  const std::int64_t now_ms = ToUnixMillis(Now());
  auto due =
      std::stable_partition(scheduled_cancellations.begin(), scheduled_cancellations.end(),
                            [&](const ScheduledCancellation& c) { return c.at_ms > now_ms; });
  for (auto it = due; it != scheduled_cancellations.end(); ++it) {
    OrderRecord& r = orders[it->order];
    if (r.status == CheckoutStatus::kCancelled || r.merged_into >= 0) continue;
    r.status = CheckoutStatus::kCancelled;  // fulfillment stays as it was
    Touch(it->order);
    AppendEvent(it->order, EventType::kBuyerCancelled);
  }
  scheduled_cancellations.erase(due, scheduled_cancellations.end());
}

}  // namespace nadajnik::sandbox::allegro
