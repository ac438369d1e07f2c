#include "jobs/backoff.hpp"

#include <algorithm>

namespace nadajnik::jobs {

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt, double random01,
                                       std::chrono::milliseconds retry_after) {
  using std::chrono::milliseconds;
  const std::int64_t max_ms = std::max<std::int64_t>(1, policy.max.count());
  std::int64_t d = std::max<std::int64_t>(1, policy.base.count());
  for (int i = 1; i < attempt && d < max_ms; ++i) d *= 2;
  d = std::min(d, max_ms);
  random01 = std::clamp(random01, 0.0, 1.0);
  const auto jittered = static_cast<std::int64_t>(static_cast<double>(d) * (0.5 + 0.5 * random01));
  return std::max(milliseconds(std::max<std::int64_t>(1, jittered)), retry_after);
}

}  // namespace nadajnik::jobs
