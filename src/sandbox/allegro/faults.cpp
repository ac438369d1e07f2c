#include "sandbox/allegro/faults.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sandbox/allegro/oauth.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;

const std::vector<ScenarioInfo>& Scenarios() {
  static const std::vector<ScenarioInfo> kScenarios = {
      {"server-errors", "bursts of 503 on REST calls (every 20th call starts a burst of 3)"},
      {"slow", "REST answers take 1.5 s (delayMs)"},
      {"duplicate-events", "every journal event appears twice under different ids"},
      {"missing-ready-event", "paid orders' READY_FOR_PROCESSING events are missing"},
      {"cancel-after-payment", "every 5th new order is cancelled by its buyer 30 s after payment"},
      {"not-found-for-a-while", "every 5th new order answers 404 for its first 60 s"},
      {"revoke-mid-run", "all sellers' tokens die after 50 REST calls (afterRequests)"},
  };
  return kScenarios;
}

namespace {

std::int64_t Param(const json::object& params, std::string_view key, std::int64_t fallback,
                   std::int64_t min, std::int64_t max) {
  auto it = params.find(key);
  if (it == params.end() || !it->value().is_int64()) return fallback;
  return std::clamp(it->value().get_int64(), min, max);
}

bool Faultable(std::string_view path) {
  return !path.starts_with("/__sandbox/") && !path.starts_with("/auth/") &&
         !path.starts_with("/skojarz-aplikacje") && !path.starts_with("/uzytkownik/");
}

}  // namespace

Result<void> SetScenario(World& world, std::string_view name, bool on, const json::object& params) {
  Faults& f = world.faults;
  if (name == "server-errors") {
    f.server_error_every = on ? static_cast<int>(Param(params, "every", 20, 2, 1000000)) : 0;
    f.server_error_burst = on ? static_cast<int>(Param(params, "burst", 3, 1, 1000)) : 0;
  } else if (name == "slow") {
    f.slow = std::chrono::milliseconds(on ? Param(params, "delayMs", 1500, 1, 120000) : 0);
  } else if (name == "duplicate-events") {
    f.duplicate_events = on;
  } else if (name == "missing-ready-event") {
    f.missing_ready_event = on;
  } else if (name == "cancel-after-payment") {
    f.cancel_every = on ? static_cast<int>(Param(params, "share", 5, 1, 1000000)) : 0;
    f.cancel_after = std::chrono::seconds(Param(params, "seconds", 30, 0, 86400));
  } else if (name == "not-found-for-a-while") {
    f.hide_every = on ? static_cast<int>(Param(params, "share", 5, 1, 1000000)) : 0;
    f.hide_for = std::chrono::seconds(Param(params, "seconds", 60, 1, 86400));
  } else if (name == "revoke-mid-run") {
    f.revoke_after_requests = on ? Param(params, "afterRequests", 50, 1, 100000000) : 0;
    f.rest_requests = 0;
  } else {
    std::string known;
    for (const auto& s : Scenarios()) known += (known.empty() ? "" : ", ") + std::string(s.name);
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("unknown scenario '{}'; known: {}", name.substr(0, 64), known));
  }
  return Ok();
}

json::array ActiveScenarios(const World& world) {
  const Faults& f = world.faults;
  json::array out;
  if (f.server_error_every > 0) {
    out.push_back(json::object{{"name", "server-errors"},
                               {"every", f.server_error_every},
                               {"burst", f.server_error_burst}});
  }
  if (f.slow.count() > 0)
    out.push_back(json::object{{"name", "slow"}, {"delayMs", f.slow.count()}});
  if (f.duplicate_events) out.push_back(json::object{{"name", "duplicate-events"}});
  if (f.missing_ready_event) out.push_back(json::object{{"name", "missing-ready-event"}});
  if (f.cancel_every > 0) {
    out.push_back(json::object{{"name", "cancel-after-payment"},
                               {"share", f.cancel_every},
                               {"seconds", f.cancel_after.count()}});
  }
  if (f.hide_every > 0) {
    out.push_back(json::object{{"name", "not-found-for-a-while"},
                               {"share", f.hide_every},
                               {"seconds", f.hide_for.count()}});
  }
  if (f.revoke_after_requests > 0) {
    out.push_back(
        json::object{{"name", "revoke-mid-run"}, {"afterRequests", f.revoke_after_requests}});
  }
  return out;
}

FaultDecision BeforeRequest(World& world, const http::Request& request) {
  world.ApplyDueChanges();
  FaultDecision decision;
  if (!Faultable(request.path)) return decision;
  Faults& f = world.faults;
  ++f.rest_requests;
  if (f.revoke_after_requests > 0 && f.rest_requests == f.revoke_after_requests) {
    for (const auto& seller : world.sellers) RevokeSellerTokens(world, seller.id);
  }
  if (f.server_error_every > 0) {
    // Calls every, every+1, ... every+burst-1 fail, then 2*every, ... and so on.
    if (f.rest_requests >= f.server_error_every &&
        f.rest_requests % f.server_error_every < f.server_error_burst) {
      decision.response =
          RestError(503, "ServiceUnavailable", "The service is temporarily unavailable",
                    "Usługa chwilowo niedostępna. Spróbuj ponownie.");
      return decision;
    }
  }
  decision.delay = f.slow;
  return decision;
}

}  // namespace nadajnik::sandbox::allegro
