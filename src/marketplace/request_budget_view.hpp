// RequestBudgetView: a read-only look at a marketplace application's request budget, for the
// accounts' health (panel and API). The figures live in the memory of this process only (they are
// counted since it started and say nothing about other instances); nothing is stored.
// Implementations are thread-safe; looking never creates a budget.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace nadajnik::marketplace {

struct RequestBudgetUsage {
  int used_last_minute = 0;                // requests sent in the sliding minute
  int limit = 0;                           // requests a minute this process may send
  std::optional<Timestamp> blocked_until;  // after a 429, while it lasts
  std::int64_t rate_limited_total = 0;     // 429s since counted_since
  std::optional<Timestamp> last_rate_limited_at;
  // The last 429's Retry-After; nullopt when it came without one (the default block applied).
  std::optional<std::chrono::milliseconds> last_retry_after;
  std::optional<Timestamp> counted_since;  // when this process started counting
};

class RequestBudgetView {
 public:
  virtual ~RequestBudgetView() = default;
  // The budget of the application (API base URL, client id) that an account uses; zero use with
  // the limit when this process has not called it yet.
  virtual RequestBudgetUsage Peek(const std::string& api_base_url,
                                  const std::string& client_id) const = 0;
};

}  // namespace nadajnik::marketplace
