// BudgetRegistry as the accounts' health sees it: Peek never creates a budget, shows what this
// process counted (and since when), and remembers the last 429 with its Retry-After.
#include <gtest/gtest.h>

#include "marketplace/allegro/request_budget.hpp"

namespace nadajnik::marketplace::allegro {
namespace {

using namespace std::chrono_literals;

TEST(BudgetRegistryPeek, ShowsTheUseOfTheApplicationAndItsLast429) {
  const Timestamp start = FromUnixMillis(1767225600000);
  FakeClock clock(start);
  BudgetOptions options;
  options.requests_per_minute = 100;
  options.max_wait = 0ms;
  BudgetRegistry registry(clock, options);
  const RequestBudgetView& view = registry;

  RequestBudgetUsage unused = view.Peek("https://api.example", "app-1");
  EXPECT_EQ(unused.used_last_minute, 0);
  EXPECT_EQ(unused.limit, 100);
  EXPECT_EQ(unused.counted_since, start);
  EXPECT_FALSE(unused.last_rate_limited_at);

  clock.Advance(5s);
  RequestBudget& budget = registry.For("https://api.example", "app-1");
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(budget.Acquire(Priority::kHigh));
  EXPECT_EQ(view.Peek("https://api.example", "app-1").used_last_minute, 7);
  EXPECT_EQ(view.Peek("https://api.example", "app-2").used_last_minute, 0) << "per client id";

  budget.OnRateLimited(30s);
  RequestBudgetUsage limited = view.Peek("https://api.example", "app-1");
  EXPECT_EQ(limited.rate_limited_total, 1);
  EXPECT_EQ(limited.last_rate_limited_at, start + 5s);
  EXPECT_EQ(limited.last_retry_after, std::optional<std::chrono::milliseconds>(30s));
  EXPECT_EQ(limited.blocked_until, start + 35s);
  EXPECT_EQ(limited.counted_since, start) << "since the process started, not the first call";

  budget.OnRateLimited(std::nullopt);
  EXPECT_FALSE(view.Peek("https://api.example", "app-1").last_retry_after) << "none was sent";
  clock.Advance(2min);
  RequestBudgetUsage later = view.Peek("https://api.example", "app-1");
  EXPECT_EQ(later.used_last_minute, 0);
  EXPECT_FALSE(later.blocked_until);
  EXPECT_EQ(later.rate_limited_total, 2);
}

}  // namespace
}  // namespace nadajnik::marketplace::allegro
