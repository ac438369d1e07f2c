// The shipment comment: a seller's template ("Zamówienie {order.checkoutFormId}") rendered for one
// order and printed on the label where the carrier allows.
//
// Variables: {order.id} (Nadajnik's number), {order.checkoutFormId}, {order.total} ("138.44 PLN"),
// {order.items} ("2× Kubek, 1× Talerz"), {order.boughtAt} (Warsaw time, "2024-05-01 14:03"),
// {buyer.login}, {buyer.name}, {buyer.email}, {delivery.method}. `{{` and `}}` write a literal
// brace. An unknown variable or an unpaired brace is kInvalidArgument naming it, so the settings
// page refuses the template when it is saved (CheckCommentTemplate) rather than at the first
// shipment.
//
// Buyer-supplied values are untrusted: control characters, line breaks, Unicode line separators
// and bidirectional overrides become spaces or go, invalid UTF-8 is dropped, and the result is
// bounded to max_length bytes at a character boundary (ending in "…" when cut). Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "domain/order.hpp"

namespace nadajnik::services {

// The variable names a template may use, without braces ("order.id", ...), for help texts.
const std::vector<std::string_view>& CommentVariables();

// Ok when `tmpl` renders for any order: every variable known, every brace paired.
Result<void> CheckCommentTemplate(std::string_view tmpl);

// `tmpl` with the order's values, cleaned, at most max_length bytes.
Result<std::string> RenderComment(std::string_view tmpl, const domain::Order& order,
                                  std::size_t max_length);

}  // namespace nadajnik::services
