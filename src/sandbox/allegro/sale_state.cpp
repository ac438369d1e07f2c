#include "sandbox/allegro/sale_state.hpp"

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/enum_names.hpp"
#include "sandbox/allegro/offers_api.hpp"
#include "sandbox/allegro/shipping_api.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

namespace {

constexpr std::pair<OfferStatus, std::string_view> kOfferStatuses[] = {
    {OfferStatus::kInactive, "INACTIVE"},
    {OfferStatus::kActivating, "ACTIVATING"},
    {OfferStatus::kActive, "ACTIVE"},
    {OfferStatus::kEnded, "ENDED"},
};
constexpr std::pair<SellingFormat, std::string_view> kSellingFormats[] = {
    {SellingFormat::kBuyNow, "BUY_NOW"},
    {SellingFormat::kAuction, "AUCTION"},
};
constexpr std::pair<TaskStatus, std::string_view> kTaskStatuses[] = {
    {TaskStatus::kNew, "NEW"},
    {TaskStatus::kSuccess, "SUCCESS"},
    {TaskStatus::kFail, "FAIL"},
};
constexpr std::pair<CommandStatus, std::string_view> kCommandStatuses[] = {
    {CommandStatus::kInProgress, "IN_PROGRESS"},
    {CommandStatus::kSuccess, "SUCCESS"},
    {CommandStatus::kError, "ERROR"},
};

// splitmix64: a good 64-bit mixer, so consecutive counters give unrelated-looking ids.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view OfferStatusWire(OfferStatus s) { return NameOf(kOfferStatuses, s); }
std::optional<OfferStatus> ParseOfferStatusWire(std::string_view s) {
  return ParseName(kOfferStatuses, s);
}
std::string_view SellingFormatWire(SellingFormat f) { return NameOf(kSellingFormats, f); }
std::string_view TaskStatusWire(TaskStatus s) { return NameOf(kTaskStatuses, s); }
std::string_view CommandStatusWire(CommandStatus s) { return NameOf(kCommandStatuses, s); }

std::uint64_t SaleState::NewNumber(std::uint64_t seed) {
  return Mix(Mix(seed ^ 0x5a1e5a1e5a1e5a1eULL) + ++id_counter);
}

std::string SaleState::NewUuid(std::uint64_t seed) {
  const std::uint64_t hi = NewNumber(seed);
  const std::uint64_t lo = Mix(hi ^ id_counter);
  // Version 4, RFC 4122 variant.
  const std::uint64_t a = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const std::uint64_t b = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

SaleState& StateOf(World& world) { return world.sale; }

void SettleSale(World& world) {
  SaleState& state = StateOf(world);
  const std::int64_t now = ToUnixMillis(world.Now());
  while (!state.timeline.empty() && state.timeline.begin()->first <= now) {
    auto node = state.timeline.extract(state.timeline.begin());
    const std::int64_t due = node.key();
    const PendingWork& work = node.mapped();
    switch (work.kind) {
      case WorkKind::kOfferOperation:
      case WorkKind::kQuantityCommand:
        ApplyOfferWork(world, work, due);
        break;
      case WorkKind::kCreateShipment:
      case WorkKind::kCancelShipment:
        ApplyShippingWork(world, work, due);
        break;
    }
  }
}

}  // namespace nadajnik::sandbox::allegro
