#include "sandbox/allegro/order_lookup.hpp"

#include <cctype>

#include "core/text.hpp"

namespace nadajnik::sandbox::allegro {

bool LooksLikeUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::optional<std::uint32_t> FindVisibleOrder(const World& world, const Caller& caller,
                                              std::string_view id) {
  if (caller.seller == nullptr || !LooksLikeUuid(id)) return std::nullopt;
  auto it = world.order_by_checkout_form.find(std::string(id));
  if (it == world.order_by_checkout_form.end()) return std::nullopt;
  const OrderRecord& r = world.orders[it->second];
  if (world.sellers[r.seller].id != caller.seller->id || r.merged_into >= 0) return std::nullopt;
  if (r.hidden_until_ms > ToUnixMillis(world.Now())) return std::nullopt;
  return it->second;
}

std::variant<std::uint32_t, http::Response> FindOrderForCaller(World& world, const Caller& caller,
                                                               const std::string& id) {
  if (!LooksLikeUuid(id)) {
    return RestError(422, "VALIDATION_ERROR", "Invalid checkout form id: " + TruncateUtf8(id, 64),
                     "Invalid request. Fix the request and try again.", "id");
  }
  if (auto order = FindVisibleOrder(world, caller, id)) return *order;
  return RestError(404, "CheckoutFormNotFoundException", "Checkout form " + id + " not found",
                   "Nie znaleziono zamówienia.");
}

}  // namespace nadajnik::sandbox::allegro
