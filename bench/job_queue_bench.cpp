// Job queue benchmark: the durable job table and the JobRunner, on SQLite and PostgreSQL.
//
//   job_queue_bench [N]     N jobs (default 20000)
//
// Per backend, on a fresh database with the production schema:
//   1. enqueue N jobs through JobRepository::Enqueue, 500 per transaction (jobs/s);
//   2. process them with a JobRunner (4 workers, 10 ms poll) and a no-op handler, timed from
//      Start() until the store shows no queued or running job (jobs/s);
//   3. check that every job ran exactly once: N done, none dead or left, each id seen once by
//      the handler, every job with attempts = 1;
//   4. latency of the runner's own transactions, measured by a Store decorator: a claim that
//      got a job, a claim that found none, a completion (p50/p99).
// The runner's work per job is the store's: the handler does nothing, so jobs/s is the queue's
// ceiling. PostgreSQL runs only if NADAJNIK_BENCH_POSTGRES_URL names a server (see store_bench).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "jobs/job_runner.hpp"
#include "observability/log.hpp"
#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "store/store.hpp"

namespace nadajnik::bench {
namespace {

constexpr int kBatch = 500;
constexpr int kWorkers = 4;
constexpr std::chrono::milliseconds kPoll{10};
constexpr std::string_view kKind = "bench.noop";
constexpr auto kProcessTimeout = std::chrono::minutes(10);
constexpr TableLayout kTable{.operation = 44, .count = 12, .rate = 16, .rule = 100};

// ---- A Store that times the runner's transactions ------------------------------------------

// What one transaction did with the job table.
struct TxnProbe {
  bool claimed = false;
  bool got_job = false;
  bool completed = false;
};

class ProbeJobRepository final : public store::JobRepository {
 public:
  ProbeJobRepository(store::JobRepository& inner, TxnProbe& probe) : inner_(inner), probe_(probe) {}

  Result<std::optional<JobId>> Enqueue(const store::NewJob& job, Timestamp now) override {
    return inner_.Enqueue(job, now);
  }
  Result<std::vector<store::Job>> Claim(const std::string& owner,
                                        const std::vector<std::string>& kinds, int limit,
                                        Timestamp now, milliseconds lease) override {
    auto r = inner_.Claim(owner, kinds, limit, now, lease);
    probe_.claimed = true;
    probe_.got_job = r && !r->empty();
    return r;
  }
  Result<void> Complete(JobId id, const std::string& owner, Timestamp now) override {
    probe_.completed = true;
    return inner_.Complete(id, owner, now);
  }
  Result<store::JobState> RecordFailure(JobId id, const std::string& owner,
                                        const std::string& error, Timestamp retry_at,
                                        Timestamp now) override {
    return inner_.RecordFailure(id, owner, error, retry_at, now);
  }
  Result<void> Bury(JobId id, const std::string& owner, const std::string& error,
                    Timestamp now) override {
    return inner_.Bury(id, owner, error, now);
  }
  Result<std::int64_t> ExtendLeases(const std::vector<JobId>& ids, const std::string& owner,
                                    Timestamp until, Timestamp now) override {
    return inner_.ExtendLeases(ids, owner, until, now);
  }
  Result<std::int64_t> RequeueExpired(Timestamp now) override { return inner_.RequeueExpired(now); }
  Result<std::optional<store::Job>> Get(JobId id) override { return inner_.Get(id); }
  Result<std::vector<store::Job>> List(const store::JobFilter& filter) override {
    return inner_.List(filter);
  }
  Result<std::vector<store::JobCount>> CountByKindAndState() override {
    return inner_.CountByKindAndState();
  }
  Result<std::int64_t> PruneDone(Timestamp before) override { return inner_.PruneDone(before); }
  Result<void> RecordProbeRun(JobId id, const std::string& worker, Timestamp at) override {
    return inner_.RecordProbeRun(id, worker, at);
  }
  Result<std::int64_t> CountProbeRuns(std::optional<JobId> id) override {
    return inner_.CountProbeRuns(id);
  }

 private:
  store::JobRepository& inner_;
  TxnProbe& probe_;
};

class ProbeUnitOfWork final : public store::UnitOfWork {
 public:
  ProbeUnitOfWork(store::UnitOfWork& inner, TxnProbe& probe) : inner_(inner), probe_(probe) {}

  store::OrderRepository& orders() override { return inner_.orders(); }
  store::StatusRepository& statuses() override { return inner_.statuses(); }
  store::OrderEventRepository& order_events() override { return inner_.order_events(); }
  store::AccountRepository& accounts() override { return inner_.accounts(); }
  store::ShipmentRepository& shipments() override { return inner_.shipments(); }
  store::UserRepository& users() override { return inner_.users(); }
  store::SessionRepository& sessions() override { return inner_.sessions(); }
  store::ApiTokenRepository& api_tokens() override { return inner_.api_tokens(); }
  store::LoginFailureRepository& login_failures() override { return inner_.login_failures(); }
  store::JobRepository& jobs() override {
    if (!jobs_) jobs_.emplace(inner_.jobs(), probe_);
    return *jobs_;
  }

 private:
  store::UnitOfWork& inner_;
  TxnProbe& probe_;
  std::optional<ProbeJobRepository> jobs_;
};

class TimedStore final : public store::Store {
 public:
  explicit TimedStore(store::Store& inner) : inner_(inner) {}

  store::Dialect dialect() const override { return inner_.dialect(); }

  Result<void> RunTransaction(bool write, const Work& fn) override {
    TxnProbe probe;
    const auto t0 = Steady::now();
    auto r = inner_.RunTransaction(write, [&](store::UnitOfWork& uow) -> Result<void> {
      probe = {};
      ProbeUnitOfWork wrapped(uow, probe);
      return fn(wrapped);
    });
    const double ms = Seconds(Steady::now() - t0) * 1000.0;
    std::lock_guard lock(mu_);
    if (probe.claimed) {
      (probe.got_job ? claim_hit_ : claim_empty_).push_back(ms);
    } else if (probe.completed) {
      complete_.push_back(ms);
    }
    return r;
  }

  std::vector<double> claim_hit() const {
    std::lock_guard lock(mu_);
    return claim_hit_;
  }
  std::vector<double> claim_empty() const {
    std::lock_guard lock(mu_);
    return claim_empty_;
  }
  std::vector<double> complete() const {
    std::lock_guard lock(mu_);
    return complete_;
  }

 private:
  store::Store& inner_;
  mutable std::mutex mu_;
  std::vector<double> claim_hit_;
  std::vector<double> claim_empty_;
  std::vector<double> complete_;
};

// ---- The benchmark ------------------------------------------------------------------------

void PrintRow(std::string_view backend, std::string_view op, std::int64_t count, double seconds,
              std::string_view extra = {}) {
  std::cout << fmt::format("{:<9} {:<44} {:>7} jobs {:>9.2f} {:>9.0f} jobs/s  {}\n", backend, op,
                           count, seconds, seconds > 0 ? count / seconds : 0.0, extra);
  std::cout.flush();
}

void PrintLatency(std::string_view backend, std::string_view op, const Latency& l) {
  std::cout << fmt::format(
      "{:<9} {:<44} {:>7} txns   p50 {:>7.3f} ms  p99 {:>7.3f} ms  max {:>8.3f} ms\n", backend, op,
      l.count, l.p50_ms, l.p99_ms, l.max_ms);
  std::cout.flush();
}

std::int64_t Remaining(store::DbConnection& db) {
  return OrDie(db.Query("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"),
               "count remaining jobs")
      .Int(0, 0);
}

// Returns true when every job ran exactly once.
bool RunBackend(const std::string& backend, ScratchDatabase database, std::int64_t n,
                const security::SecretBox& secrets) {
  auto inner = OrDie(store::OpenStore(database.options(), secrets), "open the store");
  auto monitor = OrDie(store::OpenConnection(database.options()), "connect (monitor)");
  std::cout << backend << ": " << DescribeDatabase(*monitor) << "\n";
  SystemClock clock;

  // 1. Enqueue.
  std::int64_t max_id = 0;
  double enqueue_s = 0;
  for (std::int64_t start = 0; start < n; start += kBatch) {
    const std::int64_t end = std::min<std::int64_t>(n, start + kBatch);
    std::vector<store::NewJob> batch;
    for (std::int64_t i = start; i < end; ++i) {
      store::NewJob job;
      job.kind = std::string(kKind);
      job.payload = fmt::format(R"({{"orderId":{},"checkoutFormId":"bench-{:08d}"}})", i + 1, i);
      job.order_id = OrderId(i + 1);
      batch.push_back(std::move(job));
    }
    const auto t0 = Steady::now();
    OrDie(inner->InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
      const Timestamp now = clock.Now();
      for (auto& job : batch) {
        job.run_at = now;
        NADAJNIK_ASSIGN_OR_RETURN(auto id, uow.jobs().Enqueue(job, now));
        if (id) max_id = std::max(max_id, id->value);
      }
      return Ok();
    }),
          "enqueue a batch");
    enqueue_s += Seconds(Steady::now() - t0);
  }
  PrintRow(backend, "enqueue (JobRepository::Enqueue, 500/txn)", n, enqueue_s);

  // 2. Process.
  std::vector<std::atomic<int>> runs(static_cast<std::size_t>(max_id) + 1);
  std::atomic<std::int64_t> handled{0};
  std::atomic<std::int64_t> foreign{0};
  TimedStore timed(*inner);
  jobs::RunnerOptions options;
  options.workers = kWorkers;
  options.poll_interval = kPoll;
  jobs::JobRunner runner(timed, clock, options);
  runner.Register(std::string(kKind), [&](jobs::JobContext& ctx) -> Result<void> {
    const std::int64_t id = ctx.job().id.value;
    if (id > 0 && id <= max_id) {
      runs[static_cast<std::size_t>(id)].fetch_add(1);
    } else {
      foreign.fetch_add(1);
    }
    handled.fetch_add(1);
    return Ok();
  });

  const auto t0 = Steady::now();
  OrDie(runner.Start(), "start the runner");
  auto last_poll = t0;
  bool finished = false;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const auto now = Steady::now();
    // The store is asked often only once the handler has seen every job (so the monitor does
    // not compete with the workers), and once a second before that to notice a stall.
    if (handled.load() >= n || now - last_poll >= std::chrono::seconds(1)) {
      last_poll = now;
      if (Remaining(*monitor) == 0) {
        finished = true;
        break;
      }
    }
    if (now - t0 > kProcessTimeout) break;
  }
  const double process_s = Seconds(Steady::now() - t0);
  runner.Stop();
  PrintRow(backend,
           fmt::format("process (JobRunner, {} workers, poll {} ms)", kWorkers, kPoll.count()), n,
           process_s, finished ? "" : "(TIMED OUT: jobs left in the queue)");

  // 3. Exactly once?
  std::int64_t done = 0, dead = 0, left = 0;
  auto states = OrDie(monitor->Query("SELECT state, COUNT(*) FROM jobs GROUP BY state"),
                      "count jobs by state");
  for (std::size_t r = 0; r < states.size(); ++r) {
    const std::string state = states.Text(r, 0);
    if (state == "done") {
      done = states.Int(r, 1);
    } else if (state == "dead") {
      dead = states.Int(r, 1);
    } else {
      left += states.Int(r, 1);
    }
  }
  const std::int64_t retried =
      OrDie(monitor->Query("SELECT COUNT(*) FROM jobs WHERE attempts <> 1"), "count attempts")
          .Int(0, 0);
  std::int64_t missing = 0, doubled = 0;
  for (std::int64_t id = 1; id <= max_id; ++id) {
    const int k = runs[static_cast<std::size_t>(id)].load();
    if (k == 0) ++missing;
    if (k > 1) ++doubled;
  }
  const bool ok = done == n && dead == 0 && left == 0 && retried == 0 && missing == 0 &&
                  doubled == 0 && foreign.load() == 0 && handled.load() == n;
  std::cout << fmt::format(
      "{:<9} check: done {} of {}, dead {}, left {}; handler ran {} times: {} jobs never, {} "
      "twice or more; attempts != 1: {} -> {}\n",
      backend, done, n, dead, left, handled.load(), missing, doubled, retried,
      ok ? "OK, every job ran exactly once" : "FAILED");

  // 4. The runner's transactions.
  const Latency hit = Summarize(timed.claim_hit());
  const Latency empty = Summarize(timed.claim_empty());
  const Latency complete = Summarize(timed.complete());
  PrintLatency(backend, "claim transaction that got a job", hit);
  PrintLatency(backend, "claim transaction that found none (poll)", empty);
  PrintLatency(backend, "complete transaction (mark done)", complete);
  std::cout << fmt::format(
      "{:<9} write transactions per job: {:.2f} (claims incl. empty {}, "
      "completions {})\n",
      backend,
      static_cast<double>(hit.count + empty.count + complete.count) / static_cast<double>(n),
      hit.count + empty.count, complete.count);
  PrintLoadAverageAtEnd(backend);
  return ok;
}

int Main(int argc, char** argv) {
  SetProgramName("job_queue_bench");
  const std::optional<std::int64_t> count = CountArgument(argc, argv, 20000);
  if (!count) {
    std::cerr << "usage: job_queue_bench [N]   (N jobs, default 20000)\n";
    return 2;
  }
  const std::int64_t n = *count;
  log::Init(log::Format::kText, log::Level::kWarn);
  const std::filesystem::path dir = MakeScratchDir("nadajnik-job-bench");

  std::cout << fmt::format("{}: N = {} jobs, {} per enqueue transaction\n", ProgramName(), n,
                           kBatch);
  std::cout << fmt::format("machine: {}, SQLite file in {}\n", CoresAndCpu(), dir.string());
  PrintTableHeader(kTable);

  const auto secrets = BenchSecretBox();
  const auto started = Steady::now();
  bool ok = RunBackend("sqlite", ScratchDatabase::Sqlite(dir, "jobs"), n, secrets);
  if (const auto pg = BenchPostgresServer()) {
    ok = RunBackend("postgres", ScratchDatabase::Postgres(*pg, "jobs"), n, secrets) && ok;
  }
  std::cout << fmt::format("{}: done in {:.1f} s\n", ProgramName(),
                           Seconds(Steady::now() - started));
  RemoveScratchDir();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::bench

int main(int argc, char** argv) { return nadajnik::bench::Main(argc, argv); }
