#include "jobs/backoff.hpp"

#include <gtest/gtest.h>

namespace nadajnik::jobs {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesPerAttemptWithinJitterAndStopsAtTheCap) {
  const BackoffPolicy p{1s, 60s};
  EXPECT_EQ(BackoffDelay(p, 1, 0.999999), 999ms);
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), 500ms);
  EXPECT_EQ(BackoffDelay(p, 3, 0.0), 2s);
  EXPECT_EQ(BackoffDelay(p, 3, 1.0), 4s);
  EXPECT_EQ(BackoffDelay(p, 30, 1.0), 60s) << "capped";
  EXPECT_EQ(BackoffDelay(p, 1000, 0.0), 30s) << "no overflow far past the cap";
}

TEST(Backoff, ALongerRetryAfterFromTheRemoteWins) {
  const BackoffPolicy p{1s, 60s};
  EXPECT_EQ(BackoffDelay(p, 1, 0.5, 120s), 120s);
  EXPECT_EQ(BackoffDelay(p, 1, 1.0, 10ms), 1s);
}

TEST(Backoff, JitterSpreadsRetriesThatFailedTogether) {
  const BackoffPolicy p{10s, 1h};
  EXPECT_NE(BackoffDelay(p, 4, 0.1), BackoffDelay(p, 4, 0.9));
}

}  // namespace
}  // namespace nadajnik::jobs
