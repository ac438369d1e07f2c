#include "jobs/job_runner.hpp"

#include "core/text.hpp"
#include "store/store.hpp"

#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace nadajnik::jobs {

using std::chrono::milliseconds;

Result<void> JobContext::Complete(const store::Store::Work& effects) {
  const Timestamp now = clock_.Now();
  auto r = store_.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.jobs().Complete(job_.id, worker_, now));
    if (effects) NADAJNIK_TRY(effects(uow));
    if (on_complete_) NADAJNIK_TRY(on_complete_(uow));
    return Ok();
  });
  if (r) completed_ = true;
  return r;
}

namespace {

std::string DefaultOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "unknown");
  std::random_device rd;
  return fmt::format("{}:{}:{:06x}", host, getpid(), rd() & 0xFFFFFF);
}

}  // namespace

struct JobRunner::Impl {
  store::Store& store;
  const Clock& clock;
  RunnerOptions options;
  observability::Metrics* metrics;

  std::map<std::string, JobHandler> handlers;
  std::map<std::string, std::string> dead_notices;
  std::vector<std::string> kinds;
  std::map<std::string, PeriodicJob> periodic;

  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t wake_seq = 0;
  std::atomic<bool> stopping{false};
  bool started = false;
  std::set<std::int64_t> running;
  std::vector<std::thread> threads;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(store::Store& s, const Clock& c, RunnerOptions o, observability::Metrics* m)
      : store(s), clock(c), options(std::move(o)), metrics(m) {
    if (options.owner.empty()) options.owner = DefaultOwner();
    options.workers = std::max(1, options.workers);
  }

  double Random01() {
    std::lock_guard lock(mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }

  // Waits for `d`, or until stopping, or (with `seen`) until Wake() moved wake_seq past it.
  // Returns false when stopping.
  bool Sleep(milliseconds d, std::optional<std::uint64_t> seen) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return stopping.load() || (seen && wake_seq != *seen); });
    return !stopping.load();
  }

  store::Store::Work NextOccurrence(const store::Job& job) {
    auto it = periodic.find(job.kind);
    if (it == periodic.end()) return {};
    PeriodicJob p = it->second;
    return [this, p](store::UnitOfWork& uow) -> Result<void> {
      return EnqueuePeriodic(uow, p, clock.Now() + p.interval);
    };
  }

  static Result<void> EnqueuePeriodic(store::UnitOfWork& uow, const PeriodicJob& p,
                                      Timestamp run_at) {
    store::NewJob job;
    job.kind = p.kind;
    job.priority = p.priority;
    job.run_at = run_at;
    job.unique_key = "periodic:" + p.kind;
    job.max_attempts = 5;
    auto r = uow.jobs().Enqueue(job, run_at);
    if (!r) return Fail(r.error());
    return Ok();
  }

  void Count(const std::string& kind, std::string_view outcome) {
    if (metrics) {
      metrics->CounterAdd("nadajnik_jobs_processed_total",
                          {{"kind", kind}, {"outcome", std::string(outcome)}});
    }
  }

  // Claims one job; nullopt when none is due (or the store failed: logged).
  std::optional<store::Job> ClaimOne() {
    auto claimed = store.InTransaction([&](store::UnitOfWork& uow) {
      return uow.jobs().Claim(options.owner, kinds, 1, clock.Now(), options.lease);
    });
    if (!claimed) {
      log::Warn("jobs.claim_failed", {{"error", claimed.error().Describe()}});
      return std::nullopt;
    }
    if (claimed->empty()) return std::nullopt;
    return std::move(claimed->front());
  }

  void Execute(const store::Job& job) {
    {
      std::lock_guard lock(mu);
      running.insert(job.id.value);
    }
    const auto started_at = std::chrono::steady_clock::now();
    JobContext ctx(job, store, clock, options.owner, stopping, NextOccurrence(job));
    Result<void> r = Ok();
    auto handler = handlers.find(job.kind);
    try {
      r = handler->second(ctx);
    } catch (const std::exception& e) {
      r = Fail(ErrorCode::kInternal, fmt::format("the {} job crashed: {}", job.kind, e.what()));
    } catch (...) {
      r = Fail(ErrorCode::kInternal, fmt::format("the {} job crashed", job.kind));
    }
    if (r && !ctx.completed()) r = ctx.Complete({});
    Finish(job, r);
    {
      std::lock_guard lock(mu);
      running.erase(job.id.value);
    }
    if (metrics) {
      metrics->HistogramObserve(
          "nadajnik_job_duration_seconds", {{"kind", job.kind}},
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count());
    }
  }

  void Finish(const store::Job& job, const Result<void>& r) {
    const Timestamp now = clock.Now();
    if (r) {
      Count(job.kind, "done");
      log::Debug("jobs.done", {{"job_id", static_cast<long long>(job.id.value)},
                               {"kind", job.kind},
                               {"attempt", job.attempts}});
      return;
    }
    const Error& error = r.error();
    if (error.code == ErrorCode::kConflict && !ctx_lease_ok(job)) {
      // Lease lost: another worker owns the job now; nothing to record.
      log::Warn("jobs.lease_lost", {{"job_id", static_cast<long long>(job.id.value)},
                                    {"kind", job.kind},
                                    {"error", error.message}});
      return;
    }
    const std::string message =
        fmt::format("attempt {}/{}: {}", job.attempts, job.max_attempts, error.Describe());
    auto outcome = store.InTransaction([&](store::UnitOfWork& uow) -> Result<store::JobState> {
      store::JobState state = store::JobState::kDead;
      if (!error.retryable) {
        NADAJNIK_TRY(uow.jobs().Bury(job.id, options.owner, "permanent error, " + message, now));
      } else {
        const milliseconds delay = BackoffDelay(options.backoff, job.attempts, Random01(),
                                                error.retry_after.value_or(milliseconds(0)));
        NADAJNIK_ASSIGN_OR_RETURN(
            state, uow.jobs().RecordFailure(job.id, options.owner, message, now + delay, now));
      }
      if (state == store::JobState::kDead && job.order_id) {
        if (auto notice = dead_notices.find(job.kind); notice != dead_notices.end()) {
          NADAJNIK_TRY(uow.orders().SetAttention(
              *job.order_id, true, TruncateUtf8(notice->second + ": " + error.message, 500), now));
        }
      }
      return state;
    });
    if (!outcome) {
      log::Error("jobs.record_failure_failed", {{"job_id", static_cast<long long>(job.id.value)},
                                                {"kind", job.kind},
                                                {"error", outcome.error().Describe()}});
      return;
    }
    const bool dead = *outcome == store::JobState::kDead;
    Count(job.kind, dead ? "dead" : "retry");
    (dead ? log::Error : log::Warn)(dead ? "jobs.dead" : "jobs.retry",
                                    {{"job_id", static_cast<long long>(job.id.value)},
                                     {"kind", job.kind},
                                     {"attempt", job.attempts},
                                     {"error", error.Describe()}});
  }

  // A kConflict from Complete means the lease was lost; a handler's own kConflict (a stale
  // revision at Allegro) is an ordinary failure. Ask the store which one it is.
  bool ctx_lease_ok(const store::Job& job) {
    auto current = store.Read([&](store::UnitOfWork& uow) { return uow.jobs().Get(job.id); });
    return current && *current && (*current)->state == store::JobState::kRunning &&
           (*current)->lease_owner == options.owner;
  }

  void WorkerLoop() {
    while (!stopping.load()) {
      std::uint64_t seen;
      {
        std::lock_guard lock(mu);
        seen = wake_seq;
      }
      auto job = ClaimOne();
      if (!job) {
        if (!Sleep(options.poll_interval, seen)) break;
        continue;
      }
      Execute(*job);
    }
  }

  void HeartbeatLoop() {
    const milliseconds beat = std::clamp(options.lease / 3, milliseconds(100), milliseconds(10000));
    auto next_ensure = std::chrono::steady_clock::now();
    while (Sleep(beat, std::nullopt)) {
      std::vector<JobId> ids;
      {
        std::lock_guard lock(mu);
        for (auto id : running) ids.emplace_back(id);
      }
      const Timestamp now = clock.Now();
      auto r = store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
        if (!ids.empty()) {
          NADAJNIK_TRY(uow.jobs().ExtendLeases(ids, options.owner, now + options.lease, now));
        }
        auto requeued = uow.jobs().RequeueExpired(now);
        if (!requeued) return Fail(requeued.error());
        if (*requeued > 0) {
          log::Warn("jobs.leases_expired", {{"count", static_cast<long long>(*requeued)}});
        }
        return Ok();
      });
      if (!r) log::Warn("jobs.heartbeat_failed", {{"error", r.error().Describe()}});
      if (std::chrono::steady_clock::now() >= next_ensure) {
        EnsurePeriodic();
        next_ensure = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      }
    }
  }

  void EnsurePeriodic() {
    if (periodic.empty()) return;
    auto r = store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      for (const auto& [kind, p] : periodic) NADAJNIK_TRY(EnqueuePeriodic(uow, p, clock.Now()));
      return Ok();
    });
    if (!r) log::Warn("jobs.schedule_failed", {{"error", r.error().Describe()}});
  }
};

JobRunner::JobRunner(store::Store& store, const Clock& clock, RunnerOptions options,
                     observability::Metrics* metrics)
    : impl_(std::make_unique<Impl>(store, clock, std::move(options), metrics)) {
  if (metrics) {
    metrics->Describe("nadajnik_jobs_processed_total", "counter",
                      "Jobs finished by this process, by kind and outcome (done, retry, dead).");
    metrics->Describe("nadajnik_job_duration_seconds", "histogram",
                      "Time a job's handler took, by kind.");
  }
}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::SetDeadNotice(const std::string& kind, std::string notice) {
  impl_->dead_notices[kind] = std::move(notice);
}

void JobRunner::Register(const std::string& kind, JobHandler handler) {
  if (impl_->handlers.emplace(kind, std::move(handler)).second) impl_->kinds.push_back(kind);
}

void JobRunner::AddPeriodic(PeriodicJob periodic) {
  impl_->periodic[periodic.kind] = std::move(periodic);
}

Result<void> JobRunner::Start() {
  if (impl_->started) return Ok();
  for (const auto& [kind, p] : impl_->periodic) {
    if (!impl_->handlers.count(kind)) {
      return Fail(ErrorCode::kInternal, "periodic job " + kind + " has no handler");
    }
  }
  impl_->EnsurePeriodic();
  impl_->started = true;
  impl_->stopping = false;
  for (int i = 0; i < impl_->options.workers; ++i) {
    impl_->threads.emplace_back([this] { impl_->WorkerLoop(); });
  }
  impl_->threads.emplace_back([this] { impl_->HeartbeatLoop(); });
  log::Info("jobs.started", {{"owner", impl_->options.owner},
                             {"workers", impl_->options.workers},
                             {"kinds", static_cast<long long>(impl_->kinds.size())}});
  return Ok();
}

void JobRunner::Stop() {
  if (!impl_->started) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->started = false;
  log::Info("jobs.stopped", {{"owner", impl_->options.owner}});
}

void JobRunner::Wake() {
  {
    std::lock_guard lock(impl_->mu);
    ++impl_->wake_seq;
  }
  impl_->cv.notify_all();
}

Result<int> JobRunner::RunDue(int max_jobs) {
  int ran = 0;
  while (ran < max_jobs) {
    auto claimed = impl_->store.InTransaction([&](store::UnitOfWork& uow) {
      return uow.jobs().Claim(impl_->options.owner, impl_->kinds, 1, impl_->clock.Now(),
                              impl_->options.lease);
    });
    if (!claimed) return Fail(claimed.error());
    if (claimed->empty()) break;
    impl_->Execute(claimed->front());
    ++ran;
  }
  return ran;
}

const std::string& JobRunner::owner() const { return impl_->options.owner; }

}  // namespace nadajnik::jobs
