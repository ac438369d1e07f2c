#include "services/marketplace_jobs.hpp"

#include <fmt/format.h>

#include "observability/log.hpp"
#include "services/tracking_push.hpp"

namespace nadajnik::services {

namespace {

constexpr std::string_view kJournalJob = "allegro.journal";
constexpr std::string_view kSweepJob = "allegro.sweep";
constexpr std::string_view kScheduleJob = "allegro.schedule";

store::NewJob AccountJob(std::string_view kind, AccountId account, Timestamp run_at) {
  store::NewJob job;
  job.kind = std::string(kind);
  job.priority = kind == kJournalJob ? 20 : 50;
  job.run_at = run_at;
  job.max_attempts = 1000000;  // a poll never gives up; the scheduler heals a dead one anyway
  job.unique_key = fmt::format("{}:{}", kind, account.value);
  job.account_id = account;
  return job;
}

// Account jobs never die of an error: an expired authorization pauses them, the rest is retried.
Error Retryable(Error e) {
  e.retryable = true;
  return e;
}

AccountId AccountOf(const jobs::JobContext& ctx) {
  return ctx.job().account_id.value_or(AccountId{});
}

Result<void> LogReport(std::string_view what, AccountId account, const ImportReport& r) {
  if (r.inserted + r.updated + r.failed + r.incidents == 0) return Ok();
  log::Info(what, {{"account", static_cast<long long>(account.value)},
                   {"inserted", r.inserted},
                   {"updated", r.updated},
                   {"failed", r.failed},
                   {"incidents", r.incidents},
                   {"events", r.events},
                   {"requests", static_cast<long long>(r.requests)}});
  return Ok();
}

}  // namespace

Result<void> ScheduleAccountJobs(store::UnitOfWork& uow, AccountId account, Timestamp now) {
  NADAJNIK_TRY(uow.jobs().Enqueue(AccountJob(kJournalJob, account, now), now));
  NADAJNIK_TRY(uow.jobs().Enqueue(AccountJob(kSweepJob, account, now), now));
  return Ok();
}

void RegisterMarketplaceJobs(jobs::JobRunner& runner, MarketplaceJobDeps deps) {
  runner.Register(std::string(kJournalJob), [deps](jobs::JobContext& ctx) -> Result<void> {
    const AccountId account = AccountOf(ctx);
    auto api = deps.connectors.ForAccount(account);
    if (!api) {
      if (api.error().code == ErrorCode::kNotFound) return Ok();  // account deleted
      return Fail(Retryable(api.error()));
    }
    bool more = false;
    auto report = deps.importer.PollJournal(account, **api, &more);
    if (!report) {
      const Error e = report.error();
      auto noted = deps.store.InTransaction([&](store::UnitOfWork& uow) {
        return uow.accounts().SetLastError(account, e.message, ctx.clock().Now());
      });
      (void)noted;
      return Fail(Retryable(e));
    }
    NADAJNIK_TRY(LogReport("import.journal", account, *report));
    return ctx.Complete([&](store::UnitOfWork& uow) -> Result<void> {
      const Timestamp now = ctx.clock().Now();
      NADAJNIK_TRY(uow.jobs().Enqueue(
          AccountJob(kJournalJob, account, more ? now : now + deps.options.journal_interval), now));
      return Ok();
    });
  });

  runner.Register(std::string(kSweepJob), [deps](jobs::JobContext& ctx) -> Result<void> {
    const AccountId account = AccountOf(ctx);
    auto api = deps.connectors.ForAccount(account);
    if (!api) {
      if (api.error().code == ErrorCode::kNotFound) return Ok();
      return Fail(Retryable(api.error()));
    }
    auto report = deps.importer.Sweep(account, **api);
    if (!report) return Fail(Retryable(report.error()));
    NADAJNIK_TRY(LogReport("import.sweep", account, *report));
    return ctx.Complete([&](store::UnitOfWork& uow) -> Result<void> {
      const Timestamp now = ctx.clock().Now();
      NADAJNIK_TRY(uow.jobs().Enqueue(
          AccountJob(kSweepJob, account, now + deps.options.sweep_interval), now));
      return Ok();
    });
  });

  runner.SetDeadNotice(std::string(kPushStatusJob), "Status nie dotarł do Allegro");
  runner.SetDeadNotice(std::string(kPushTrackingJob), "Numer nadania nie dotarł do Allegro");
  runner.Register(std::string(kPushStatusJob), [deps](jobs::JobContext& ctx) -> Result<void> {
    if (!ctx.job().order_id) return Ok();
    const AccountId account = AccountOf(ctx);
    NADAJNIK_ASSIGN_OR_RETURN(auto api, deps.connectors.ForAccount(account));
    return deps.status_sync.Push(
        *ctx.job().order_id, ctx.job().created_at, *api,
        [&](const store::Store::Work& effects) { return ctx.Complete(effects); });
  });

  runner.Register(std::string(kPushTrackingJob), [deps](jobs::JobContext& ctx) -> Result<void> {
    // The payload names the shipment: {"shipment": 12}.
    const std::string& p = ctx.job().payload;
    const auto colon = p.find(':');
    std::int64_t shipment = 0;
    if (colon != std::string::npos) shipment = std::strtoll(p.c_str() + colon + 1, nullptr, 10);
    if (shipment <= 0) {
      return Fail(ErrorCode::kInvalidArgument, "the tracking push names no shipment");
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto api, deps.connectors.ForAccount(AccountOf(ctx)));
    return PushTracking(deps.store, deps.clock, ShipmentId(shipment), *api,
                        [&](const store::Store::Work& effects) { return ctx.Complete(effects); });
  });

  runner.Register(std::string(kScheduleJob), [deps](jobs::JobContext& ctx) -> Result<void> {
    return ctx.Complete([&](store::UnitOfWork& uow) -> Result<void> {
      const Timestamp now = ctx.clock().Now();
      NADAJNIK_ASSIGN_OR_RETURN(auto accounts, uow.accounts().List());
      for (const auto& a : accounts) {
        if (a.state != domain::AccountState::kActive) continue;
        NADAJNIK_TRY(ScheduleAccountJobs(uow, a.id, now));
      }
      return Ok();
    });
  });
  runner.AddPeriodic({std::string(kScheduleJob), deps.options.schedule_interval, 30});
}

}  // namespace nadajnik::services
