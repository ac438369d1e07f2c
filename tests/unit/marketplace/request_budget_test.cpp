#include "marketplace/allegro/request_budget.hpp"

#include <gtest/gtest.h>

namespace nadajnik::marketplace::allegro {
namespace {

using namespace std::chrono_literals;

BudgetOptions Options(int per_minute) {
  BudgetOptions o;
  o.requests_per_minute = per_minute;
  o.low_priority_share = 0.5;
  o.max_wait = 0ms;  // answer at once: the tests move the clock themselves
  o.default_block = 60s;
  return o;
}

TEST(RequestBudget, ImportsMayUseTheWholeMinuteStockSyncOnlyItsShare) {
  FakeClock clock(FromUnixMillis(1767225600000));
  RequestBudget budget(clock, Options(10));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(budget.Acquire(Priority::kLow)) << i;
  auto low = budget.Acquire(Priority::kLow);
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().code, ErrorCode::kRateLimited);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(budget.Acquire(Priority::kHigh)) << i;
  auto high = budget.Acquire(Priority::kHigh);
  ASSERT_FALSE(high);
  ASSERT_TRUE(high.error().retry_after);
  EXPECT_LE(*high.error().retry_after, 60s);
  EXPECT_EQ(budget.usage().used_last_minute, 10);
  clock.Advance(61s);
  EXPECT_TRUE(budget.Acquire(Priority::kHigh)) << "the window slid on";
}

TEST(RequestBudget, A429BlocksEveryCallerUntilRetryAfterOrTheDefaultMinute) {
  FakeClock clock(FromUnixMillis(1767225600000));
  RequestBudget budget(clock, Options(9000));
  budget.OnRateLimited(std::nullopt);
  auto blocked = budget.Acquire(Priority::kHigh);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(*blocked.error().retry_after, 60s);
  clock.Advance(30s);
  EXPECT_FALSE(budget.Acquire(Priority::kHigh));
  clock.Advance(31s);
  EXPECT_TRUE(budget.Acquire(Priority::kHigh));
  budget.OnRateLimited(5s);  // Retry-After: 5
  EXPECT_FALSE(budget.Acquire(Priority::kHigh));
  clock.Advance(6s);
  EXPECT_TRUE(budget.Acquire(Priority::kHigh));
  EXPECT_EQ(budget.usage().rate_limited_total, 2);
}

TEST(BudgetRegistry, AccountsOfOneClientIdShareOneBudget) {
  FakeClock clock(FromUnixMillis(1767225600000));
  BudgetRegistry registry(clock, Options(1));
  RequestBudget& a = registry.For("https://api.allegro.pl", "client-1");
  RequestBudget& b = registry.For("https://api.allegro.pl", "client-1");
  RequestBudget& other = registry.For("https://api.allegro.pl", "client-2");
  EXPECT_EQ(&a, &b);
  EXPECT_TRUE(a.Acquire(Priority::kHigh));
  EXPECT_FALSE(b.Acquire(Priority::kHigh));
  EXPECT_TRUE(other.Acquire(Priority::kHigh));
}

}  // namespace
}  // namespace nadajnik::marketplace::allegro
