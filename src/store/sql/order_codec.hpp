// The nested parts of an Order (buyer, delivery, payment, invoice, surcharges) as the JSON text
// of orders.details_json. Columns hold what lists filter and sort on; this holds the rest.
// Decode tolerates missing fields (older rows) and refuses malformed JSON with kInternal.
#pragma once

#include <string>

#include "core/result.hpp"
#include "domain/order.hpp"

namespace nadajnik::store::sql {

std::string EncodeOrderDetails(const domain::Order& order);
// Fills buyer, delivery, payment, invoice and surcharges of `order` (whose currency is set).
Result<void> DecodeOrderDetails(std::string_view json, domain::Order& order);

}  // namespace nadajnik::store::sql
