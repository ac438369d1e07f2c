// Finding a checkout form by its id on behalf of a caller, as every /order/checkout-forms/{id}
// endpoint of the Allegro sandbox does (shared/reference/allegro-api.md section 3.2).
//
// A caller sees only its own seller's orders, never one merged into another (404 after a joint
// payment), nor one hidden by the "404 for a while" fault. Callers hold World::mu.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "http/request.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

// 8-4-4-4-12 hexadecimal digits, either case.
bool LooksLikeUuid(std::string_view text);

// The order's index when `id` names an order the caller may see now; nullopt otherwise
// (unknown, another seller's, merged away, hidden for a while, or not a UUID at all).
std::optional<std::uint32_t> FindVisibleOrder(const World& world, const Caller& caller,
                                              std::string_view id);

// The order, or the documented answer of the checkout-form endpoints: 422 VALIDATION_ERROR for
// a malformed UUID, 404 CheckoutFormNotFoundException for anything not visible to the caller.
std::variant<std::uint32_t, http::Response> FindOrderForCaller(World& world, const Caller& caller,
                                                               const std::string& id);

}  // namespace nadajnik::sandbox::allegro
