// The orders list's query, one parser for the panel (/orders?...) and the API
// (GET /api/v1/orders): the same parameter names, the same meaning, the same refusals.
//
//   account       alias or id           marketplace  allegro-pl | allegro-cz | ...
//   status        local status name/id  allegroStatus BOUGHT | FILLED_IN | READY_FOR_PROCESSING
//   carrier       carrier code | none   smart, cod   1 | 0 (also true | false)
//   from, to      2026-11-25 (the day in Poland) or an ISO 8601 time
//   q             buyer, login, e-mail, order id (substring) or tracking number (exact)
//   attention     1: only orders needing attention
//   sort          newest | oldest | total_desc | total_asc
//   cursor        the nextCursor / "Następna strona" of the previous page
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/account.hpp"
#include "domain/order_event.hpp"
#include "store/repositories.hpp"

namespace nadajnik::services {

using QueryLookup = std::function<std::optional<std::string>(std::string_view name)>;

// One refused parameter: which, and why in English (the API) and Polish (the panel).
struct QueryProblem {
  std::string param;
  std::string english;
  std::string polish;
};

struct ParsedOrderQuery {
  store::OrderFilter filter;  // refused parameters are left out of it
  std::vector<QueryProblem> problems;
};

// `limit` is left at its default: the API and the panel page differently.
ParsedOrderQuery ParseOrderQuery(const QueryLookup& get,
                                 const std::vector<domain::LocalStatus>& statuses,
                                 const std::vector<domain::MarketplaceAccount>& accounts);

// The filter back as query parameters in canonical form (account alias, status id, ...),
// without cursor and limit: links keep the filter when they change one thing.
std::vector<std::pair<std::string, std::string>> OrderQueryParams(
    const store::OrderFilter& filter, const std::vector<domain::MarketplaceAccount>& accounts);

std::string_view OrderSortName(store::OrderSort sort);  // "newest", "total_desc", ...
std::string EncodeOrderCursor(const domain::Order& last, store::OrderSort sort);

}  // namespace nadajnik::services
