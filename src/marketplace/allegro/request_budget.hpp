// RequestBudget: Allegro's request limit for one application (client id), shared by every account
// that uses it in this process (Allegro counts 9,000 requests a minute per client id, across all
// sellers, and blocks the client id for about a minute on a 429; calls during the block extend
// it: shared/reference/allegro-api.md 7.3).
//
// A sliding one-minute window counts the requests sent. High-priority calls (order import,
// shipments, status pushes) may use the whole budget; low-priority ones (stock, offers) only
// `low_priority_share` of it, so a stock sync can never starve an import. After a 429 every call
// is refused until the block ends (Retry-After when Allegro sends it, 60 s otherwise).
// Acquire() waits up to `max_wait` for room in the window, then answers kRateLimited with
// retry_after, so a worker never sleeps through a whole block.
// Thread-safe. Budgets are per process: with several instances, give each a share of the limit
// (allegro.requests_per_minute). usage() and BudgetRegistry::Peek() show what this process counted
// since it started (accounts' health).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "marketplace/request_budget_view.hpp"

namespace nadajnik::marketplace::allegro {

enum class Priority { kHigh, kLow };

struct BudgetOptions {
  int requests_per_minute = 8500;
  double low_priority_share = 0.6;
  std::chrono::milliseconds max_wait{2000};
  std::chrono::seconds default_block{60};
};

class RequestBudget {
 public:
  RequestBudget(const Clock& clock, BudgetOptions options);

  // Takes one request from the window, waiting up to max_wait for room.
  Result<void> Acquire(Priority priority);
  // A 429 arrived: block every caller until now + retry_after (or the default block).
  void OnRateLimited(std::optional<std::chrono::milliseconds> retry_after);

  using Usage = RequestBudgetUsage;
  Usage usage() const;

 private:
  void Expire(Timestamp now);

  const Clock& clock_;
  BudgetOptions options_;
  mutable std::mutex mu_;
  std::deque<Timestamp> sent_;  // send times within the last minute
  std::optional<Timestamp> blocked_until_;
  std::int64_t rate_limited_total_ = 0;
  std::optional<Timestamp> last_rate_limited_at_;
  std::optional<std::chrono::milliseconds> last_retry_after_;
  Timestamp created_at_;
};

// One budget per (API base URL, client id), created on first use.
class BudgetRegistry final : public RequestBudgetView {
 public:
  BudgetRegistry(const Clock& clock, BudgetOptions options)
      : clock_(clock), options_(std::move(options)), created_at_(clock.Now()) {}
  RequestBudget& For(const std::string& api_base_url, const std::string& client_id);
  RequestBudgetUsage Peek(const std::string& api_base_url,
                          const std::string& client_id) const override;

 private:
  const Clock& clock_;
  BudgetOptions options_;
  Timestamp created_at_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<RequestBudget>> budgets_;
};

}  // namespace nadajnik::marketplace::allegro
