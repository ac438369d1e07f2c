// Strong id types: an OrderId can't be passed where an AccountId is expected.
// Local ids are database-generated 64-bit integers; remote ids (checkout forms) are strings.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace nadajnik {

template <typename Tag>
struct Id {
  std::int64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  constexpr bool valid() const { return value > 0; }
  friend constexpr auto operator<=>(const Id&, const Id&) = default;
};

template <typename Tag>
struct TextId {
  std::string value;

  TextId() = default;
  explicit TextId(std::string v) : value(std::move(v)) {}
  bool empty() const { return value.empty(); }
  friend auto operator<=>(const TextId&, const TextId&) = default;
};

using OrderId = Id<struct OrderIdTag>;
using AccountId = Id<struct AccountIdTag>;
using ShipmentId = Id<struct ShipmentIdTag>;
using UserId = Id<struct UserIdTag>;
using JobId = Id<struct JobIdTag>;
using ApiTokenId = Id<struct ApiTokenIdTag>;
using StatusId = Id<struct StatusIdTag>;

using CheckoutFormId = TextId<struct CheckoutFormIdTag>;
using LineItemId = TextId<struct LineItemIdTag>;

}  // namespace nadajnik

template <typename Tag>
struct std::hash<nadajnik::Id<Tag>> {
  std::size_t operator()(const nadajnik::Id<Tag>& id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};

template <typename Tag>
struct std::hash<nadajnik::TextId<Tag>> {
  std::size_t operator()(const nadajnik::TextId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value);
  }
};
