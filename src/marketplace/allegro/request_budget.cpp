#include "marketplace/allegro/request_budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace nadajnik::marketplace::allegro {

using std::chrono::milliseconds;

RequestBudget::RequestBudget(const Clock& clock, BudgetOptions options)
    : clock_(clock), options_(std::move(options)), created_at_(clock.Now()) {
  options_.requests_per_minute = std::max(1, options_.requests_per_minute);
}

void RequestBudget::Expire(Timestamp now) {
  const Timestamp horizon = now - std::chrono::minutes(1);
  while (!sent_.empty() && sent_.front() <= horizon) sent_.pop_front();
}

Result<void> RequestBudget::Acquire(Priority priority) {
  const int cap = priority == Priority::kHigh
                      ? options_.requests_per_minute
                      : std::max(1, static_cast<int>(options_.requests_per_minute *
                                                     options_.low_priority_share));
  const auto deadline = std::chrono::steady_clock::now() + options_.max_wait;
  while (true) {
    milliseconds wait{0};
    {
      std::lock_guard lock(mu_);
      const Timestamp now = clock_.Now();
      if (blocked_until_ && now < *blocked_until_) {
        const auto left = std::chrono::duration_cast<milliseconds>(*blocked_until_ - now);
        Error e;
        e.code = ErrorCode::kRateLimited;
        e.message = fmt::format(
            "Allegro limits requests for this application: waiting {} s before the next call",
            (left.count() + 999) / 1000);
        e.retryable = true;
        e.retry_after = left;
        return Fail(std::move(e));
      }
      Expire(now);
      if (static_cast<int>(sent_.size()) < cap) {
        sent_.push_back(now);
        return Ok();
      }
      // The oldest request that keeps us at the cap leaves the window at this time.
      const Timestamp frees_at =
          sent_[sent_.size() - static_cast<std::size_t>(cap)] + std::chrono::minutes(1);
      wait = std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(frees_at - now));
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= milliseconds(0)) {
      Error e;
      e.code = ErrorCode::kRateLimited;
      e.message = "the request budget of this Allegro application is used up for this minute";
      e.retryable = true;
      e.retry_after = wait;
      return Fail(std::move(e));
    }
    std::this_thread::sleep_for(std::min({wait, left, milliseconds(250)}));
  }
}

void RequestBudget::OnRateLimited(std::optional<milliseconds> retry_after) {
  std::lock_guard lock(mu_);
  const Timestamp until = clock_.Now() + retry_after.value_or(options_.default_block);
  if (!blocked_until_ || *blocked_until_ < until) blocked_until_ = until;
  ++rate_limited_total_;
  last_rate_limited_at_ = clock_.Now();
  last_retry_after_ = retry_after;
}

RequestBudget::Usage RequestBudget::usage() const {
  std::lock_guard lock(mu_);
  Usage u;
  const Timestamp now = clock_.Now();
  const Timestamp horizon = now - std::chrono::minutes(1);
  u.used_last_minute = static_cast<int>(
      std::count_if(sent_.begin(), sent_.end(), [&](Timestamp t) { return t > horizon; }));
  u.limit = options_.requests_per_minute;
  if (blocked_until_ && *blocked_until_ > now) u.blocked_until = blocked_until_;
  u.rate_limited_total = rate_limited_total_;
  u.last_rate_limited_at = last_rate_limited_at_;
  u.last_retry_after = last_retry_after_;
  u.counted_since = created_at_;
  return u;
}

RequestBudget& BudgetRegistry::For(const std::string& api_base_url, const std::string& client_id) {
  std::lock_guard lock(mu_);
  auto& slot = budgets_[api_base_url + "\n" + client_id];
  if (!slot) slot = std::make_unique<RequestBudget>(clock_, options_);
  return *slot;
}

RequestBudgetUsage BudgetRegistry::Peek(const std::string& api_base_url,
                                        const std::string& client_id) const {
  std::lock_guard lock(mu_);
  auto it = budgets_.find(api_base_url + "\n" + client_id);
  RequestBudgetUsage u;
  if (it != budgets_.end()) u = it->second->usage();
  if (it == budgets_.end()) u.limit = std::max(1, options_.requests_per_minute);
  u.counted_since = created_at_;  // nothing was sent before a budget's first use
  return u;
}

}  // namespace nadajnik::marketplace::allegro
