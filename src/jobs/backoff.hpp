// Retry delays: exponential backoff with jitter, so that jobs failing together (an outage at
// Allegro) do not retry together. Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace nadajnik::jobs {

struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds max{std::chrono::hours(1)};
};

// Delay before attempt `attempt + 1` after `attempt` failures (attempt >= 1):
// d = min(max, base * 2^(attempt-1)), then a uniformly random value in [d/2, d] picked by
// `random01` in [0, 1). A remote Retry-After longer than that wins.
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt, double random01,
                                       std::chrono::milliseconds retry_after = {});

}  // namespace nadajnik::jobs
