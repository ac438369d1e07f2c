// Scenarios and faults of the Allegro sandbox, switchable per run (--scenario NAME, repeatable)
// or while it runs (POST /__sandbox/scenarios). Each reproduces something Allegro documents or is
// known to do (shared/reference/allegro-api.md sections 2.2, 1.8, 7.3):
//
//   server-errors          bursts of 503s on REST calls (every 20th call starts a burst of 3)
//   slow                   REST answers take 1.5 s (delayMs to change)
//   duplicate-events       every journal event is emitted twice under different ids
//   missing-ready-event    a paid order's READY_FOR_PROCESSING event never reaches the journal
//   cancel-after-payment   every 5th new order is cancelled by its buyer 30 s after payment
//   not-found-for-a-while  every 5th new order answers 404 for its first 60 s
//   revoke-mid-run         every seller's tokens die after 50 REST calls (a password change)
//
// The 429 budget (--requests-per-minute) is always on, as in production. Callers hold World::mu
// except for the delay, which the middleware sleeps without the lock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "core/result.hpp"
#include "http/request.hpp"

namespace nadajnik::sandbox::allegro {

struct World;

struct ScenarioInfo {
  std::string_view name;
  std::string_view description;
};
const std::vector<ScenarioInfo>& Scenarios();

// Switches a scenario on (with optional parameters: delayMs, every, burst, afterRequests,
// share (every Nth order), seconds) or off. kInvalidArgument naming the known scenarios.
Result<void> SetScenario(World& world, std::string_view name, bool on,
                         const boost::json::object& params = {});
boost::json::array ActiveScenarios(const World& world);

struct FaultDecision {
  std::optional<http::Response> response;  // answer this instead of calling the handler
  std::chrono::milliseconds delay{0};      // sleep this long (without the lock) first
};
// Runs before every request: applies due scheduled changes (cancellations), then the REST faults.
// OAuth and /__sandbox/ paths are never faulted.
FaultDecision BeforeRequest(World& world, const http::Request& request);

}  // namespace nadajnik::sandbox::allegro
