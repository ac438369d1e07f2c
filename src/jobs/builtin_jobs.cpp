// Built-in job kinds: the diagnostic probe and periodic housekeeping.
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "jobs/job_runner.hpp"
#include "store/store.hpp"

namespace nadajnik::jobs {

namespace {

struct ProbePayload {
  std::int64_t sleep_ms = 0;
  bool fail = false;
};

Result<ProbePayload> ParseProbe(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "system.probe payload must be a JSON object");
  }
  ProbePayload p;
  const auto& o = v.get_object();
  if (auto it = o.find("sleepMs"); it != o.end()) {
    if (!it->value().is_int64() || it->value().get_int64() < 0 ||
        it->value().get_int64() > 600000) {
      return Fail(ErrorCode::kInvalidArgument,
                  "system.probe sleepMs must be an integer from 0 to 600000");
    }
    p.sleep_ms = it->value().get_int64();
  }
  if (auto it = o.find("fail"); it != o.end())
    p.fail = it->value().is_bool() && it->value().get_bool();
  return p;
}

Result<void> RunProbe(JobContext& ctx) {
  NADAJNIK_ASSIGN_OR_RETURN(ProbePayload p, ParseProbe(ctx.job().payload));
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(p.sleep_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (ctx.stopping()) {
      return Fail(ErrorCode::kUnavailable, "the worker stopped before the probe finished");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (p.fail) {
    return Fail(ErrorCode::kUnavailable, "the probe was asked to fail (payload fail=true)");
  }
  const Timestamp now = ctx.clock().Now();
  return ctx.Complete([&](store::UnitOfWork& uow) {
    return uow.jobs().RecordProbeRun(ctx.job().id, ctx.worker(), now);
  });
}

Result<void> RunPrune(JobContext& ctx) {
  const Timestamp now = ctx.clock().Now();
  return ctx.store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.sessions().DeleteExpired(now));
    NADAJNIK_TRY(uow.login_failures().Prune(now - std::chrono::hours(24)));
    NADAJNIK_TRY(uow.jobs().PruneDone(now - std::chrono::hours(24 * 7)));
    return Ok();
  });
}

// Folds the orders list's +1/-1 counter rows (see migration 0006) into one row per key.
Result<void> RunCompactCounts(JobContext& ctx) {
  return ctx.store().InTransaction([](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.orders().CompactCounts());
    return Ok();
  });
}

}  // namespace

void RegisterBuiltinJobs(JobRunner& runner) {
  runner.Register("system.probe", RunProbe);
  runner.Register("system.prune", RunPrune);
  runner.AddPeriodic({"system.prune", std::chrono::hours(1), 200});
  runner.Register("orders.compact_counts", RunCompactCounts);
  runner.AddPeriodic({"orders.compact_counts", std::chrono::minutes(1), 200});
}

}  // namespace nadajnik::jobs
