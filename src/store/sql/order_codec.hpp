// The nested parts of an Order (buyer, delivery, payment, invoice, surcharges) as the JSON text
// of orders.details_json. Columns hold what lists filter and sort on; this holds the rest.
// Decode tolerates missing fields (older rows) and refuses malformed JSON with kInternal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "domain/order.hpp"
#include "store/db.hpp"

namespace nadajnik::store::sql {

std::string EncodeOrderDetails(const domain::Order& order);
// Fills buyer, delivery, payment, invoice and surcharges of `order` (whose currency is set).
Result<void> DecodeOrderDetails(std::string_view json, domain::Order& order);

// The Allegro-owned columns of orders (revision ... bought_at, remote_updated_at, search_text) in
// the order OrderRemoteParams gives their values. The repository writes orders with them; bulk
// writers (the benchmarks) use the same two so their rows can't drift from the repository's.
const std::vector<std::string_view>& OrderRemoteColumns();
DbParams OrderRemoteParams(const domain::Order& order);

}  // namespace nadajnik::store::sql
