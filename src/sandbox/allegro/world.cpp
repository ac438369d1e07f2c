#include "sandbox/allegro/world.hpp"

#include "core/enum_names.hpp"
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
  return GenerateOrder({options.seed, r.index, r.marketplace, FromUnixMillis(r.bought_at_ms)});
}

void World::AppendEvent(std::uint32_t order, EventType type) {
  // Ids look like microsecond timestamps and only ever grow, as Allegro's do.
  const std::int64_t now_ms = ToUnixMillis(Now());
  last_event_id = std::max(last_event_id + 1, now_ms * 1000);
  journal.push_back({last_event_id, type, order, orders[order].version, now_ms});
}

void World::Touch(std::uint32_t order) {
  OrderRecord& r = orders[order];
  ++r.version;
  r.updated_at_ms = std::max(r.updated_at_ms + 1, ToUnixMillis(Now()));
}

std::vector<std::uint32_t> World::CreatePaidOrders(std::uint32_t seller, Marketplace marketplace,
                                                   int count, std::chrono::milliseconds spread) {
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
    r.status = CheckoutStatus::kReadyForProcessing;
    r.version = 2;  // bought, filled in, paid
    const auto idx = static_cast<std::uint32_t>(orders.size());
    orders.push_back(r);
    order_by_checkout_form.emplace(CheckoutFormId(idx), idx);
    std::uint32_t version = 0;  // the revision each step had
    for (EventType t : {EventType::kBought, EventType::kFilledIn, EventType::kReadyForProcessing}) {
      last_event_id = std::max(last_event_id + 1, r.bought_at_ms * 1000);
      journal.push_back({last_event_id, t, idx, version++, r.bought_at_ms});
    }
    created.push_back(idx);
  }
  return created;
}

}  // namespace nadajnik::sandbox::allegro
