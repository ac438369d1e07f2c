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
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "jobs/job_runner.hpp"
#include "observability/log.hpp"
#include "security/secret_box.hpp"
#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "store/store.hpp"

namespace nadajnik::bench {
namespace {

using Steady = std::chrono::steady_clock;

constexpr int kBatch = 500;
constexpr int kWorkers = 4;
constexpr std::chrono::milliseconds kPoll{10};
constexpr std::string_view kKind = "bench.noop";
constexpr auto kProcessTimeout = std::chrono::minutes(10);

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// The temporary folder of this run, removed on the way out (Die() included).
std::filesystem::path scratch_dir;

void RemoveScratchDir() {
  if (scratch_dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(scratch_dir, ec);
}

[[noreturn]] void Die(const std::string& what, const Error& e) {
  std::cerr << "job_queue_bench: " << what << ": " << e.Describe() << "\n";
  RemoveScratchDir();
  std::exit(1);
}

template <typename T>
T OrDie(Result<T> r, const std::string& what) {
  if (!r) Die(what, r.error());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

// The 1-minute load average: other work on this 2-core machine (a build) skews the figures.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  in >> first;
  return first.empty() ? "unknown" : first;
}

// The server URL with its database (the path) replaced by `name`; query parameters are kept.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const std::size_t authority = url.find("://");
  const std::size_t start = authority == std::string::npos ? 0 : authority + 3;
  const std::size_t query = url.find('?', start);
  const std::size_t path_end = query == std::string::npos ? url.size() : query;
  const std::size_t slash = url.find('/', start);
  if (slash == std::string::npos || slash > path_end) {
    return url.substr(0, path_end) + "/" + name + url.substr(path_end);
  }
  return url.substr(0, slash + 1) + name + url.substr(path_end);
}

// A fresh, empty database: a file in a temporary folder, or a database created on the
// PostgreSQL server (dropped again by the destructor).
class ScratchDatabase {
 public:
  static ScratchDatabase Sqlite(const std::filesystem::path& dir, const std::string& name) {
    ScratchDatabase db;
    db.options_.sqlite_path = dir / (name + ".db");
    return db;
  }
  static ScratchDatabase Postgres(const std::string& server, const std::string& name) {
    ScratchDatabase db;
    db.server_ = server;
    db.name_ = fmt::format("nadajnik_bench_{}_{}", ::getpid(), name);
    auto admin = OrDie(store::OpenConnection(AdminOptions(server)), "connect to " + server);
    OrDie(admin->ExecScript("DROP DATABASE IF EXISTS " + db.name_ + " WITH (FORCE)"),
          "drop " + db.name_);
    OrDie(admin->ExecScript("CREATE DATABASE " + db.name_), "create " + db.name_);
    db.options_.url = WithDatabase(server, db.name_);
    return db;
  }
  ScratchDatabase(ScratchDatabase&& o) noexcept
      : options_(std::move(o.options_)),
        server_(std::move(o.server_)),
        name_(std::exchange(o.name_, {})) {}
  ScratchDatabase& operator=(ScratchDatabase&&) = delete;
  ~ScratchDatabase() {
    if (name_.empty()) return;
    auto admin = store::OpenConnection(AdminOptions(server_));
    if (!admin || !(*admin)->ExecScript("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)")) {
      std::cerr << "warning: the bench database " << name_ << " was not dropped\n";
    }
  }
  const store::DatabaseOptions& options() const { return options_; }

 private:
  ScratchDatabase() = default;
  static store::DatabaseOptions AdminOptions(const std::string& server) {
    store::DatabaseOptions o;
    o.url = server;
    return o;
  }
  store::DatabaseOptions options_;
  std::string server_;
  std::string name_;
};

std::string Describe(store::DbConnection& db) {
  if (db.dialect() == store::Dialect::kSqlite) {
    auto v = OrDie(db.Query("SELECT sqlite_version()"), "sqlite_version()");
    auto j = OrDie(db.Query("PRAGMA journal_mode"), "PRAGMA journal_mode");
    auto s = OrDie(db.Query("PRAGMA synchronous"), "PRAGMA synchronous");
    static constexpr const char* kSync[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    const auto sync = s.Int(0, 0);
    return fmt::format("SQLite {}, journal_mode={}, synchronous={}", v.Text(0, 0), j.Text(0, 0),
                       sync >= 0 && sync <= 3 ? kSync[sync] : "?");
  }
  auto v = OrDie(db.Query("SHOW server_version"), "server_version");
  auto f = OrDie(db.Query("SHOW fsync"), "fsync");
  auto c = OrDie(db.Query("SHOW synchronous_commit"), "synchronous_commit");
  return fmt::format("PostgreSQL {}, fsync={}, synchronous_commit={}", v.Text(0, 0), f.Text(0, 0),
                     c.Text(0, 0));
}

struct Latency {
  std::size_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

Latency Summarize(std::vector<double> ms) {
  Latency l;
  l.count = ms.size();
  if (ms.empty()) return l;
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1;
    return ms[std::min(i, ms.size() - 1)];
  };
  l.p50_ms = rank(0.50);
  l.p99_ms = rank(0.99);
  l.max_ms = ms.back();
  return l;
}

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
  std::cout << backend << ": " << Describe(*monitor) << "\n";
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
  std::cout << fmt::format("{:<9} (load average at the end: {})\n", backend, LoadAverage());
  return ok;
}

int Main(int argc, char** argv) {
  std::int64_t n = 20000;
  if (argc > 1) {
    try {
      n = std::stoll(argv[1]);
    } catch (const std::exception&) {
      n = 0;
    }
    if (n < 1) {
      std::cerr << "usage: job_queue_bench [N]   (N jobs, default 20000)\n";
      return 2;
    }
  }
  log::Init(log::Format::kText, log::Level::kWarn);

  const auto tmp_root = std::filesystem::temp_directory_path();
  std::string pattern = (tmp_root / "nadajnik-job-bench.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "job_queue_bench: cannot create a temporary folder in " << tmp_root << "\n";
    return 1;
  }
  const std::filesystem::path dir = pattern;
  scratch_dir = dir;

  std::cout << fmt::format("job_queue_bench: N = {} jobs, {} per enqueue transaction\n", n, kBatch);
  std::cout << fmt::format("machine: {} cores ({}), SQLite file in {}\n",
                           std::thread::hardware_concurrency(), CpuModel(), dir.string());
  std::cout << fmt::format("{:<9} {:<44} {:>12} {:>9} {:>16}\n", "backend", "operation", "count",
                           "seconds", "rate");
  std::cout << std::string(100, '-') << "\n";

  security::SecretBox::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
  const auto secrets = security::SecretBox::FromKey(key);

  const auto started = Steady::now();
  bool ok = RunBackend("sqlite", ScratchDatabase::Sqlite(dir, "jobs"), n, secrets);
  const char* pg = std::getenv("NADAJNIK_BENCH_POSTGRES_URL");
  if (pg != nullptr && *pg != '\0') {
    ok = RunBackend("postgres", ScratchDatabase::Postgres(pg, "jobs"), n, secrets) && ok;
  } else {
    std::cout << "postgres: skipped (set NADAJNIK_BENCH_POSTGRES_URL to a server's maintenance "
                 "database, or run scripts/run-bench.sh, which starts one)\n";
  }
  std::cout << fmt::format("job_queue_bench: done in {:.1f} s\n", Seconds(Steady::now() - started));
  RemoveScratchDir();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::bench

int main(int argc, char** argv) { return nadajnik::bench::Main(argc, argv); }
