// Import benchmark: how fast Allegro orders come in, and how soon a local status change reaches
// Allegro, over real loopback HTTP against the in-process Allegro sandbox, on SQLite and
// PostgreSQL.
//
//   import_bench [N]     N orders (default 100000); e.g. `import_bench 5000` for a quick run
//
// The application is opened as `nadajnik serve` opens it (app::OpenRuntime: data folder, key
// file, store, migrations); its Allegro side is built as wiring.cpp's MakeMarketplace builds it
// (curl client, request budget, connectors, authorizer, accounts, importer, status sync), with a
// timing decorator around the HTTP client and around the store, so each phase can say where its
// time went. Our request budget is Allegro's: 9,000 requests a minute per client id. The sandbox's
// own limit is set out of the way (10,000,000 a minute): the budget is what we measure.
// Per backend:
//   (1) journal import: an account is added and authorized with a sandbox refresh token and its
//       first PollJournal bootstraps (journal position, an empty backfill). Then N paid allegro.pl
//       orders appear in the sandbox, bought over the last 24 hours (3 journal events each), and
//       PollJournal is called as the allegro.journal job calls it (again at once while it says
//       `more`, after retry_after when rate-limited) until all N are stored. Figures: orders/s,
//       Allegro requests per order, and the orders/minute ceiling that implies under 9,000
//       requests/minute. Target: over 2,000 orders/s on 2 cores with SQLite. If our budget held
//       the import back, the phase runs again, on a fresh sandbox and database, with a budget
//       out of the way, to show what the import does without it;
//   (2) manual import ("Importuj": paid, NEW, bought in the last 30 days; the list endpoint by
//       time windows) of the same N orders into a fresh database;
//   (3) status-push lag: on the database of (1), with a JobRunner running the marketplace jobs as
//       `nadajnik serve` runs them (journal, sweep, pushes), C = min(2000, N/50) orders are moved
//       to "W realizacji" (pushes PROCESSING) at 100 a second. Lag: from just before
//       StatusSync::Change to the sandbox receiving the fulfilment PUT (its received list; one
//       clock, the system's), and the order timeline's own view (status_pushed: at - remote_at,
//       from queuing the push to committing its completion). Target: p99 under 10 s.
// Each import phase also prints its orders/s by tenth of the run (a rate that falls as the table
// grows points at a per-order cost that grows with it) and where its time went (Allegro calls,
// store transactions, the rest; CPU of the import's thread and of the sandbox's). An import phase
// stops after NADAJNIK_BENCH_PHASE_SECONDS (default 120; 0 = no limit) and reports what it
// imported by then, so a slow import can't hold `make bench` for an hour.
// The exit status is 1 when an import failed or lost orders, or a push never arrived (a missed
// target or a phase stopped at its time limit is reported, not failed).
// The sandbox runs in this process: its CPU is on the same 2 cores and in the peak RSS (N orders
// in its world). Time "in Allegro calls" is the client's wait for a response (sandbox serving and
// loopback), not Allegro's production latency, which is far higher per request.
// PostgreSQL runs only if NADAJNIK_BENCH_POSTGRES_URL names a server (see store_bench).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "app/config.hpp"
#include "app/runtime.hpp"
#include "bench_support.hpp"
#include "core/clock.hpp"
#include "core/secret.hpp"
#include "jobs/job_runner.hpp"
#include "marketplace/allegro/allegro_connector.hpp"
#include "marketplace/allegro/authorizer.hpp"
#include "marketplace/allegro/request_budget.hpp"
#include "net/http_client.hpp"
#include "observability/log.hpp"
#include "sandbox/sandbox.hpp"
#include "services/account_service.hpp"
#include "services/marketplace_jobs.hpp"
#include "services/order_import.hpp"
#include "services/status_sync.hpp"
#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "store/store.hpp"

namespace nadajnik::bench {
namespace {

namespace allegro = marketplace::allegro;

constexpr int kAllegroRequestsPerMinute = 9000;  // per client id (allegro-api.md 7.3)
constexpr int kUnlimitedBudget = 10'000'000;
constexpr double kTargetOrdersPerSecond = 2000;
constexpr double kTargetLagP99Seconds = 10;
constexpr int kChangesPerSecond = 100;
constexpr int kMaxChanges = 2000;
constexpr std::string_view kPushedStatus = "W realizacji";  // maps to PROCESSING by default
const auto kBoughtOver = std::chrono::hours(24);
const auto kPushTimeout = std::chrono::seconds(120);
// An import phase stops here: a healthy import of 100,000 orders takes well under a minute, and
// one that slows as the table grows must not hold `make bench` for an hour.
const auto kDefaultPhaseLimit = std::chrono::seconds(120);
constexpr TableLayout kTable{.operation = 46, .count = 16, .rate = 22, .rule = 106};

// ---- Process figures ------------------------------------------------------------------------

struct Memory {
  std::int64_t rss_kb = 0;
  std::int64_t hwm_kb = 0;
};

Memory ReadMemory() {
  Memory m;
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    auto value = [&] { return std::atoll(line.c_str() + line.find(':') + 1); };
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = value();
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kb = value();
  }
  return m;
}

std::string Mib(std::int64_t kb) { return fmt::format("{:.0f} MiB", kb / 1024.0); }

double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// CPU of the whole process and of the calling thread, which runs the import in (1) and (2):
// the difference is the sandbox's (and the runner's, in (3)).
struct Cpu {
  double process = 0;
  double thread = 0;
  static Cpu Now() { return {CpuSeconds(RUSAGE_SELF), CpuSeconds(RUSAGE_THREAD)}; }
  Cpu operator-(const Cpu& o) const { return {process - o.process, thread - o.thread}; }
};

// ---- An HTTP client and a store that time what passes through them --------------------------

enum class Call { kEvents, kEventStats, kList, kGetForm, kFulfillment, kToken, kOther, kCount };
constexpr std::array<std::string_view, static_cast<int>(Call::kCount)> kCallNames = {
    "events", "event-stats", "list", "GET form", "PUT fulfilment", "token", "other"};

Call Classify(const net::HttpRequest& r) {
  const std::string_view url = r.url;
  const auto path_at = url.find('/', url.find("://") + 3);
  const std::string_view path = path_at == std::string_view::npos ? "" : url.substr(path_at);
  if (path.starts_with("/order/events")) return Call::kEvents;
  if (path.starts_with("/order/event-stats")) return Call::kEventStats;
  if (path.starts_with("/order/checkout-forms?")) return Call::kList;
  if (path.starts_with("/order/checkout-forms/")) {
    return r.method == "PUT" ? Call::kFulfillment : Call::kGetForm;
  }
  if (path.starts_with("/auth/oauth/token")) return Call::kToken;
  return Call::kOther;
}

struct HttpStats {
  std::array<std::int64_t, static_cast<int>(Call::kCount)> count{};
  std::int64_t bytes = 0;
  double seconds = 0;
  std::int64_t total() const {
    std::int64_t t = 0;
    for (auto c : count) t += c;
    return t;
  }
  HttpStats operator-(const HttpStats& o) const {
    HttpStats d = *this;
    for (std::size_t i = 0; i < count.size(); ++i) d.count[i] -= o.count[i];
    d.bytes -= o.bytes;
    d.seconds -= o.seconds;
    return d;
  }
  // "events 301, list 1204": the kinds of call made, in the order above.
  std::string Describe() const {
    std::string out;
    for (std::size_t i = 0; i < count.size(); ++i) {
      if (count[i] == 0) continue;
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", kCallNames[i], count[i]);
    }
    return out.empty() ? "none" : out;
  }
};

class TimedHttpClient final : public net::HttpClient {
 public:
  explicit TimedHttpClient(std::unique_ptr<net::HttpClient> inner) : inner_(std::move(inner)) {}

  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    const auto t0 = Steady::now();
    auto r = inner_->Send(request);
    const double s = Seconds(Steady::now() - t0);
    std::lock_guard lock(mu_);
    ++stats_.count[static_cast<int>(Classify(request))];
    stats_.seconds += s;
    if (r) stats_.bytes += static_cast<std::int64_t>(r->body.size());
    return r;
  }
  HttpStats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  std::unique_ptr<net::HttpClient> inner_;
  mutable std::mutex mu_;
  HttpStats stats_;
};

struct StoreStats {
  std::int64_t writes = 0;
  std::int64_t reads = 0;
  double seconds = 0;
  StoreStats operator-(const StoreStats& o) const {
    return {writes - o.writes, reads - o.reads, seconds - o.seconds};
  }
};

// Also how a phase is stopped at its time limit: once cancelled, every transaction fails as
// retryable, which makes PollJournal and Import return at once (what they stored stays).
class TimedStore final : public store::Store {
 public:
  explicit TimedStore(store::Store& inner) : inner_(inner) {}
  store::Dialect dialect() const override { return inner_.dialect(); }
  Result<void> RunTransaction(bool write, const Work& fn) override {
    if (cancelled_) {
      Error e;
      e.code = ErrorCode::kUnavailable;
      e.message = "stopped: the bench's time limit for this phase has passed";
      e.retryable = true;
      return Fail(std::move(e));
    }
    const auto t0 = Steady::now();
    auto r = inner_.RunTransaction(write, fn);
    const double s = Seconds(Steady::now() - t0);
    std::lock_guard lock(mu_);
    ++(write ? stats_.writes : stats_.reads);
    stats_.seconds += s;
    return r;
  }
  StoreStats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }
  void Cancel(bool on) { cancelled_ = on; }

 private:
  store::Store& inner_;
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  StoreStats stats_;
};

// ---- The application ------------------------------------------------------------------------

// The Allegro side, as wiring.cpp's MakeMarketplace builds it, over the timing decorators.
// Members are destroyed bottom-up: everything below `budgets` refers to what is above it.
struct Parts {
  std::unique_ptr<TimedHttpClient> http;
  std::unique_ptr<TimedStore> store;
  std::unique_ptr<allegro::BudgetRegistry> budgets;
  std::unique_ptr<allegro::AllegroConnectorFactory> connectors;
  std::unique_ptr<allegro::AllegroAuthorizer> authorizer;
  std::unique_ptr<services::AccountService> accounts;
  std::unique_ptr<services::OrderImporter> importer;
  std::unique_ptr<services::StatusSync> status_sync;
  std::function<void()> wake;  // the job runner's, while one runs
};

std::unique_ptr<Parts> MakeParts(app::Runtime& rt, const std::string& name) {
  const app::Config::Allegro& c = rt.config.allegro;
  auto parts = std::make_unique<Parts>();
  net::HttpClientOptions http_options;
  http_options.user_agent = "Nadajnik/bench (+https://github.com/nadajnik/nadajnik)";
  parts->http = std::make_unique<TimedHttpClient>(net::MakeCurlHttpClient(http_options));
  parts->store = std::make_unique<TimedStore>(*rt.store);
  allegro::BudgetOptions budget;
  budget.requests_per_minute = c.requests_per_minute;
  budget.default_block = std::chrono::seconds(c.rate_limit_pause_seconds);
  parts->budgets = std::make_unique<allegro::BudgetRegistry>(rt.clock, budget);
  allegro::ConnectorOptions options;
  options.lease_owner = fmt::format("import_bench:{}:{}", ::getpid(), name);
  options.timeout = std::chrono::seconds(c.timeout_seconds);
  allegro::ConnectorEnv env{*parts->http,    *parts->store, rt.clock,
                            *parts->budgets, options,       &rt.metrics};
  parts->connectors = std::make_unique<allegro::AllegroConnectorFactory>(env);
  parts->authorizer = std::make_unique<allegro::AllegroAuthorizer>(env);
  parts->accounts = std::make_unique<services::AccountService>(
      *parts->store, rt.clock,
      services::EnvironmentUrls{c.production_auth_url, c.production_api_url, c.sandbox_auth_url,
                                c.sandbox_api_url});
  services::ImportOptions import_options;
  import_options.backfill_days = c.backfill_days;
  import_options.sweep_grace = std::chrono::seconds(c.sweep_grace_seconds);
  parts->importer =
      std::make_unique<services::OrderImporter>(*parts->store, rt.clock, import_options);
  Parts* raw = parts.get();
  parts->status_sync = std::make_unique<services::StatusSync>(*parts->store, rt.clock, [raw] {
    if (raw->wake) raw->wake();
  });
  return parts;
}

// One Nadajnik instance: a fresh database, the runtime, the Allegro parts and one account of the
// sandbox's seller, authorized. `scratch` is declared first so the database outlives the rest.
struct Instance {
  std::optional<ScratchDatabase> scratch;
  store::DatabaseOptions db;
  std::unique_ptr<app::Runtime> runtime;
  std::unique_ptr<Parts> parts;
  AccountId account;
  std::string api_url;
};

std::unique_ptr<Instance> OpenInstance(const std::filesystem::path& dir, const std::string& backend,
                                       const std::string& name,
                                       const std::optional<std::string>& pg_server,
                                       int requests_per_minute, sandbox::Sandbox& sb) {
  auto in = std::make_unique<Instance>();
  app::Config config;
  config.data.dir = dir / (backend + "-" + name);
  config.log.level = "warn";
  config.allegro.requests_per_minute = requests_per_minute;
  if (pg_server) {
    in->scratch.emplace(ScratchDatabase::Postgres(*pg_server, name));
    config.database.url = in->scratch->options().url;
  }
  in->db.url = config.database.url;
  in->db.sqlite_path = config.data.dir / "nadajnik.db";
  in->runtime = OrDie(app::OpenRuntime(config), "open the runtime (" + name + ")");
  in->parts = MakeParts(*in->runtime, name);
  in->api_url = sb.base_url();
  const services::NewAccount a = SandboxAccount(sb.base_url());
  in->account = OrDie(in->parts->accounts->Add(a), "add the account");
  const std::string token = SandboxRefreshToken(*in->parts->http, sb.base_url());
  OrDie(in->parts->authorizer->UseRefreshToken(in->account, Secret<>(token)),
        "authorize the account");
  return in;
}

std::unique_ptr<sandbox::Sandbox> StartSandbox() {
  sandbox::SandboxConfig config;
  config.allegro.requests_per_minute = kUnlimitedBudget;
  auto sb = std::make_unique<sandbox::Sandbox>(config);
  OrDie(sb->Start(), "start the sandbox");
  return sb;
}

void CreateOrders(sandbox::Sandbox& sb, std::int64_t n) {
  auto& world = sb.world();
  std::lock_guard lock(world.mu);
  const auto created = world.CreatePaidOrders(0, sandbox::allegro::Marketplace::kPl,
                                              static_cast<int>(n), kBoughtOver);
  if (static_cast<std::int64_t>(created.size()) != n || world.sellers[0].login != kSandboxSeller) {
    Die(fmt::format("the sandbox made {} orders for {}, asked {} for {}", created.size(),
                    world.sellers[0].login, n, kSandboxSeller));
  }
}

std::int64_t StoredOrders(store::DbConnection& db, AccountId account) {
  return OrDie(db.Query("SELECT COUNT(*) FROM orders WHERE account_id = $1", {account.value}),
               "count orders")
      .Int(0, 0);
}

// Watches an import phase from its own thread: the orders stored over time (for the rate by
// tenth of the run), the budget's window (did our 9,000 a minute hold the import back?), and the
// phase's time limit, past which it cancels the store (see TimedStore).
class PhaseWatch {
 public:
  PhaseWatch(const store::DatabaseOptions& db, AccountId account, TimedStore& store,
             allegro::RequestBudget& budget, std::chrono::seconds limit)
      : monitor_(OrDie(store::OpenConnection(db), "connect (watch)")),
        account_(account),
        store_(store),
        budget_(budget),
        limit_(limit),
        before_(StoredOrders(*monitor_, account)),
        start_(Steady::now()),
        thread_([this] { Run(); }) {}
  ~PhaseWatch() { Stop(); }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    store_.Cancel(false);
    samples_.emplace_back(Seconds(Steady::now() - start_), Imported());
  }
  // Orders stored since the phase started (counted now, after Stop() too). Any thread.
  std::int64_t Imported() {
    std::lock_guard lock(monitor_mu_);  // one connection, used by one thread at a time
    return StoredOrders(*monitor_, account_) - before_;
  }
  bool cut() const { return cut_; }
  int budget_peak() const { return peak_; }
  int budget_limit() const { return limit_rpm_; }
  bool budget_saturated() const { return peak_ >= limit_rpm_ || blocked_; }
  // "2410 2380 ...": orders/s in each tenth of `n` that was reached (call after Stop()). The
  // time a tenth was reached is interpolated between the samples around it.
  std::string RatesByTenth(std::int64_t n) const {
    std::string out;
    double prev_t = 0;
    std::size_t i = 0;
    for (int k = 1; k <= 10; ++k) {
      const std::int64_t mark = n * k / 10;
      while (i < samples_.size() && samples_[i].second < mark) ++i;
      if (i == samples_.size()) break;
      double t = samples_[i].first;
      if (i > 0 && samples_[i].second > samples_[i - 1].second) {
        const auto& [t0, c0] = samples_[i - 1];
        t = t0 + (t - t0) * static_cast<double>(mark - c0) /
                     static_cast<double>(samples_[i].second - c0);
      }
      const double rate = t > prev_t ? static_cast<double>(n) / 10.0 / (t - prev_t) : 0.0;
      out += fmt::format("{}{:.0f}", out.empty() ? "" : " ", rate);
      prev_t = t;
    }
    return out.empty() ? "(no tenth completed)" : out;
  }

 private:
  void Run() {
    auto next_count = start_;
    while (!stop_) {
      const auto u = budget_.usage();
      peak_ = std::max(peak_.load(), u.used_last_minute);
      limit_rpm_ = u.limit;
      if (u.blocked_until) blocked_ = true;
      const auto now = Steady::now();
      if (now >= next_count) {
        samples_.emplace_back(Seconds(now - start_), Imported());
        next_count = now + std::chrono::milliseconds(250);
      }
      if (limit_.count() > 0 && now - start_ >= limit_ && !cut_) {
        cut_ = true;
        store_.Cancel(true);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::mutex monitor_mu_;
  std::unique_ptr<store::DbConnection> monitor_;
  AccountId account_;
  TimedStore& store_;
  allegro::RequestBudget& budget_;
  std::chrono::seconds limit_;
  std::int64_t before_;
  Steady::time_point start_;
  std::vector<std::pair<double, std::int64_t>> samples_;  // seconds, orders stored
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::atomic<int> peak_{0};
  std::atomic<int> limit_rpm_{0};
  std::atomic<bool> blocked_{false};
  std::thread thread_;  // last: starts once the rest is ready
};

// ---- Output -------------------------------------------------------------------------------

void PrintRow(std::string_view backend, std::string_view op, std::int64_t count,
              std::string_view unit, double seconds, std::string_view extra = {}) {
  std::cout << fmt::format("{:<9} {:<46} {:>9} {:<6} {:>9.2f} {:>11.0f} {:<10}{}\n", backend, op,
                           count, unit, seconds, seconds > 0 ? count / seconds : 0.0,
                           std::string(unit) + "/s", extra);
  std::cout.flush();
}

void PrintNote(std::string_view backend, const std::string& text) {
  std::cout << fmt::format("{:<9}     {}\n", backend, text);
  std::cout.flush();
}

void PrintLatency(std::string_view backend, std::string_view op, const Latency& l,
                  std::string_view note) {
  std::cout << fmt::format(
      "{:<9} {:<46} {:>9} {:<6} {:>9}   p50 {:>8.1f} ms  p99 {:>8.1f} ms  max {:>8.1f} ms  {}\n",
      backend, op, l.count, "pushes", "", l.p50_ms, l.p99_ms, l.max_ms, note);
  std::cout.flush();
}

std::string Outcomes(const services::ImportReport& r) {
  return fmt::format("[inserted {}, updated {}, unchanged {}, skipped {}, failed {}]", r.inserted,
                     r.updated, r.unchanged, r.skipped, r.failed);
}

// Where an import's wall time went: the import runs on this thread, one call at a time, so its
// wall time is the wait for Allegro, the store's transactions (the import's logic inside them
// included) and the rest (JSON parsing, mapping, bookkeeping).
void PrintBreakdown(std::string_view backend, double wall, const HttpStats& http,
                    const StoreStats& st, const Cpu& cpu) {
  const double rest = wall - http.seconds - st.seconds;
  auto pct = [&](double s) { return wall > 0 ? 100.0 * s / wall : 0.0; };
  PrintNote(backend,
            fmt::format(
                "time: Allegro calls {:.1f} s ({:.0f}%, {:.1f} ms each, {:.0f} MB "
                "received), store transactions {:.1f} s ({:.0f}%, {} writes, {} "
                "reads), the rest {:.1f} s ({:.0f}%: JSON, mapping, waits for our request budget)",
                http.seconds, pct(http.seconds),
                http.total() > 0 ? 1000.0 * http.seconds / http.total() : 0.0, http.bytes / 1e6,
                st.seconds, pct(st.seconds), st.writes, st.reads, rest, pct(rest)));
  PrintNote(backend,
            fmt::format("CPU: {:.1f} s on the import's thread, {:.1f} s on the others (the "
                        "sandbox serving); {:.2f} of 2 cores busy on average",
                        cpu.thread, cpu.process - cpu.thread, wall > 0 ? cpu.process / wall : 0.0));
}

// ---- (1) The journal ------------------------------------------------------------------------

struct JournalResult {
  double orders_per_second = 0;
  double requests_per_order = 0;
  bool capped = false;
  bool cut = false;
  bool failed = false;
};

// What an import phase's first line says after the count: the import's own report, unless runs
// ended early (a time limit, a rate limit, an error), whose reports are lost though what they
// stored stays: then the store's count is the truth.
std::string OutcomeNote(const services::ImportReport& r, std::int64_t imported) {
  if (r.inserted == imported) return "  " + Outcomes(r);
  return fmt::format("  (counted in the store; the runs that completed reported {} inserted)",
                     r.inserted);
}

void PrintCutOrFailure(std::string_view backend, const PhaseWatch& watch,
                       const std::string& failure, std::int64_t imported, std::int64_t n,
                       std::chrono::seconds limit) {
  if (watch.cut()) {
    PrintNote(backend, fmt::format("STOPPED at the {} s time limit with {} of {} orders imported "
                                   "(NADAJNIK_BENCH_PHASE_SECONDS; 0 = no limit): the figures "
                                   "are for those",
                                   limit.count(), imported, n));
  }
  if (!failure.empty()) {
    PrintNote(backend,
              fmt::format("FAILED with {} of {} orders imported: {}", imported, n, failure));
  }
}

// Requests per order, and the orders per minute they allow under Allegro's limit.
std::string RequestFigures(const HttpStats& http, std::int64_t imported) {
  const double per_order =
      imported > 0 ? static_cast<double>(http.total()) / static_cast<double>(imported) : 0.0;
  return fmt::format(
      "Allegro requests {} ({}): {:.4f} per order; ceiling under {} "
      "requests/min per client id: {:.0f} orders/min ({:.0f} orders/s)",
      http.total(), http.Describe(), per_order, kAllegroRequestsPerMinute,
      per_order > 0 ? kAllegroRequestsPerMinute / per_order : 0.0,
      per_order > 0 ? kAllegroRequestsPerMinute / per_order / 60.0 : 0.0);
}

JournalResult RunJournal(const std::string& backend, Instance& in, sandbox::Sandbox& sb,
                         std::int64_t n, std::chrono::seconds limit, std::string_view label) {
  Parts& parts = *in.parts;
  {
    // The bootstrap: the journal's position and the backfill, before any order exists.
    auto api = OrDie(parts.connectors->ForAccount(in.account), "a connector");
    OrDie(parts.importer->PollJournal(in.account, *api), "bootstrap the journal");
  }
  CreateOrders(sb, n);

  allegro::RequestBudget& budget = parts.budgets->For(in.api_url, std::string(kSandboxClientId));
  const HttpStats http0 = parts.http->stats();
  const StoreStats store0 = parts.store->stats();
  const Cpu cpu0 = Cpu::Now();
  PhaseWatch watch(in.db, in.account, *parts.store, budget, limit);
  services::ImportReport total;
  int polls = 0, limited = 0, idle = 0, errors_in_a_row = 0;
  double waited = 0;
  std::string failure;
  const auto t0 = Steady::now();
  for (;;) {
    // A connector per run, as the job makes one.
    auto api = OrDie(parts.connectors->ForAccount(in.account), "a connector");
    bool more = false;
    auto report = parts.importer->PollJournal(in.account, *api, &more);
    if (watch.cut()) break;
    if (!report) {
      // The job runs again: after retry_after when rate-limited (a 429, or our budget's wait
      // ran out), with a backoff otherwise. The bench gives up on a fourth error in a row.
      const Error& e = report.error();
      const bool rate_limited = e.code == ErrorCode::kRateLimited;
      if (!rate_limited && (!e.retryable || ++errors_in_a_row > 3)) {
        failure = e.Describe();
        break;
      }
      if (rate_limited) ++limited;
      const auto pause = e.retry_after.value_or(std::chrono::seconds(1));
      const auto w0 = Steady::now();
      std::this_thread::sleep_for(std::max(pause, std::chrono::milliseconds(10)));
      waited += Seconds(Steady::now() - w0);
      continue;
    }
    errors_in_a_row = 0;
    ++polls;
    total.Merge(*report);
    if (more) continue;
    const std::int64_t stored = watch.Imported();
    if (stored >= n) break;
    if (report->events == 0 && ++idle > 3) {
      failure = fmt::format("the journal is read to its end but the store holds {} of {} orders",
                            stored, n);
      break;
    }
  }
  const double wall = Seconds(Steady::now() - t0);
  watch.Stop();
  const std::int64_t imported = watch.Imported();
  const Cpu cpu = Cpu::Now() - cpu0;
  const HttpStats http = parts.http->stats() - http0;
  const StoreStats st = parts.store->stats() - store0;

  JournalResult result;
  result.cut = watch.cut();
  result.failed = !failure.empty();
  result.orders_per_second = static_cast<double>(imported) / wall;
  result.requests_per_order =
      imported > 0 ? static_cast<double>(http.total()) / static_cast<double>(imported) : 0.0;
  result.capped = !result.cut && (watch.budget_saturated() || limited > 0);
  PrintRow(backend, fmt::format("(1) journal import{}", label), imported, "orders", wall,
           OutcomeNote(total, imported));
  PrintCutOrFailure(backend, watch, failure, imported, n, limit);
  PrintNote(backend, fmt::format("orders/s by tenth of the run: {}", watch.RatesByTenth(n)));
  PrintNote(backend, fmt::format("{} PollJournal runs completed, {} events read in them; {}", polls,
                                 total.events, RequestFigures(http, imported)));
  PrintNote(backend,
            fmt::format("our budget: {} requests/min, peak {} in a minute, this run's average "
                        "{:.0f}/min; {} rate-limited runs ({:.1f} s waited after them): {}",
                        watch.budget_limit(), watch.budget_peak(),
                        static_cast<double>(http.total()) / wall * 60.0, limited, waited,
                        result.capped ? "the budget HELD THE IMPORT BACK" : "not a limit here"));
  PrintBreakdown(backend, wall, http, st, cpu);
  PrintNote(backend,
            fmt::format("target: over {:.0f} orders/s on 2 cores with SQLite: {:.0f} "
                        "orders/s, {}",
                        kTargetOrdersPerSecond, result.orders_per_second,
                        result.orders_per_second > kTargetOrdersPerSecond ? "met" : "MISSED"));
  return result;
}

// ---- (2) The manual import -------------------------------------------------------------------

// Returns false when the import failed or lost orders.
bool RunManualImport(const std::string& backend, Instance& in, std::int64_t n,
                     std::chrono::seconds limit) {
  Parts& parts = *in.parts;
  allegro::RequestBudget& budget = parts.budgets->For(in.api_url, std::string(kSandboxClientId));
  const HttpStats http0 = parts.http->stats();
  const StoreStats store0 = parts.store->stats();
  const Cpu cpu0 = Cpu::Now();
  PhaseWatch watch(in.db, in.account, *parts.store, budget, limit);
  services::ImportReport report;
  int limited = 0;
  std::string failure;
  const auto t0 = Steady::now();
  for (;;) {
    auto api = OrDie(parts.connectors->ForAccount(in.account), "a connector");
    auto r = parts.importer->Import(in.account, *api, services::ManualImport{30, false});
    if (watch.cut()) break;
    if (r) {
      report.Merge(*r);
      break;
    }
    // Rate-limited: the seller presses "Importuj" again later (what is stored stays). Anything
    // else is the import's failure.
    if (r.error().code != ErrorCode::kRateLimited) {
      failure = r.error().Describe();
      break;
    }
    ++limited;
    std::this_thread::sleep_for(r.error().retry_after.value_or(std::chrono::seconds(1)));
  }
  const double wall = Seconds(Steady::now() - t0);
  watch.Stop();
  const std::int64_t imported = watch.Imported();
  const Cpu cpu = Cpu::Now() - cpu0;
  const HttpStats http = parts.http->stats() - http0;
  const StoreStats st = parts.store->stats() - store0;
  PrintRow(backend, "(2) manual import (list by time windows)", imported, "orders", wall,
           OutcomeNote(report, imported));
  PrintCutOrFailure(backend, watch, failure, imported, n, limit);
  const bool lost = !watch.cut() && failure.empty() && imported != n;
  if (lost) PrintNote(backend, fmt::format("MISSING ORDERS: stored {} of {}", imported, n));
  PrintNote(backend, fmt::format("orders/s by tenth of the run: {}", watch.RatesByTenth(n)));
  PrintNote(backend,
            fmt::format("{}; {} rate-limited restarts", RequestFigures(http, imported), limited));
  PrintBreakdown(backend, wall, http, st, cpu);
  return failure.empty() && !lost;
}

// ---- (3) Status-push lag ----------------------------------------------------------------------

// Returns false when a push did not arrive.
bool RunPushLag(const std::string& backend, Instance& in, sandbox::Sandbox& sb, int changes,
                bool journal_behind) {
  app::Runtime& rt = *in.runtime;
  Parts& parts = *in.parts;
  const app::Config& config = rt.config;
  auto monitor = OrDie(store::OpenConnection(in.db), "connect (monitor)");

  // Orders spread over the whole import, chosen before the clock starts.
  auto rows = OrDie(monitor->Query("SELECT id, checkout_form_id FROM orders WHERE account_id = $1 "
                                   "ORDER BY id",
                                   {in.account.value}),
                    "list orders");
  // A journal import stopped at its time limit may hold fewer orders than asked for.
  changes = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(changes), rows.size()));
  if (changes == 0) Die("no orders for the push bench");
  std::vector<std::pair<OrderId, std::string>> picked;
  for (int i = 0; i < changes; ++i) {
    const std::size_t r = static_cast<std::size_t>(i) * rows.size() / changes;
    picked.emplace_back(OrderId(rows.Int(r, 0)), rows.Text(r, 1));
  }
  std::size_t received_before = 0;
  {
    std::lock_guard lock(sb.world().mu);
    received_before = sb.world().received.size();
  }

  // The job runner as `nadajnik serve` sets it up.
  jobs::RunnerOptions runner_options;
  runner_options.workers = config.jobs.workers;
  runner_options.poll_interval = std::chrono::milliseconds(config.jobs.poll_interval_ms);
  runner_options.lease = std::chrono::seconds(config.jobs.lease_seconds);
  runner_options.backoff = {std::chrono::milliseconds(config.jobs.backoff_base_ms),
                            std::chrono::milliseconds(config.jobs.backoff_max_ms)};
  jobs::JobRunner runner(*parts.store, rt.clock, runner_options, &rt.metrics);
  jobs::RegisterBuiltinJobs(runner);
  services::RegisterMarketplaceJobs(
      runner,
      {*parts.store,
       rt.clock,
       *parts.connectors,
       *parts.importer,
       *parts.status_sync,
       {std::chrono::milliseconds(config.allegro.journal_interval_ms),
        std::chrono::seconds(config.allegro.sweep_interval_seconds), std::chrono::seconds(30)}});
  parts.wake = [&runner] { runner.Wake(); };
  OrDie(runner.Start(), "start the job runner");

  const HttpStats http0 = parts.http->stats();
  const Cpu cpu0 = Cpu::Now();
  std::unordered_map<std::string, std::int64_t> changed_at;  // checkout form -> ms
  std::vector<double> change_ms;
  const auto t0 = Steady::now();
  const auto step = std::chrono::microseconds(1'000'000 / kChangesPerSecond);
  for (int i = 0; i < changes; ++i) {
    std::this_thread::sleep_until(t0 + step * i);
    const auto c0 = Steady::now();
    changed_at[picked[i].second] = ToUnixMillis(rt.clock.Now());
    auto c = OrDie(parts.status_sync->Change(picked[i].first, std::string(kPushedStatus), "bench"),
                   "change a status");
    if (!c.queued) Die(fmt::format("changing order {} queued no push", picked[i].first.value));
    change_ms.push_back(Millis(Steady::now() - c0));
  }
  const double changing = Seconds(Steady::now() - t0);

  // Until the sandbox has every PUT and the timeline every completion.
  std::vector<double> lags;
  std::int64_t pushed = 0;
  const auto deadline = Steady::now() + kPushTimeout;
  for (;;) {
    {
      auto& world = sb.world();
      std::lock_guard lock(world.mu);
      lags.clear();
      std::unordered_map<std::string, bool> seen;
      for (std::size_t i = received_before; i < world.received.size(); ++i) {
        const auto& r = world.received[i];
        if (r.kind != "fulfillment") continue;
        auto it = changed_at.find(r.checkout_form_id);
        if (it == changed_at.end() || !seen.emplace(r.checkout_form_id, true).second) continue;
        lags.push_back(static_cast<double>(r.at_ms - it->second));
      }
    }
    pushed = OrDie(monitor->Query("SELECT COUNT(*) FROM order_events WHERE kind = 'status_pushed'"),
                   "count pushes")
                 .Int(0, 0);
    if ((lags.size() >= picked.size() && pushed >= changes) || Steady::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double drained = Seconds(Steady::now() - t0);
  const Cpu cpu = Cpu::Now() - cpu0;
  // A journal import stopped at its time limit goes on in the journal job meanwhile; stop it
  // the way the import phases stop, rather than wait for its run to end.
  parts.store->Cancel(true);
  runner.Stop();
  parts.store->Cancel(false);
  parts.wake = nullptr;
  const HttpStats http = parts.http->stats() - http0;

  auto timeline = OrDie(monitor->Query("SELECT e.at - e.remote_at FROM order_events e "
                                       "JOIN orders o ON o.id = e.order_id "
                                       "WHERE o.account_id = $1 AND e.kind = 'status_pushed' "
                                       "AND e.remote_at IS NOT NULL",
                                       {in.account.value}),
                        "read the timeline");
  std::vector<double> timeline_ms;
  for (std::size_t r = 0; r < timeline.size(); ++r) {
    timeline_ms.push_back(static_cast<double>(timeline.Int(r, 0)));
  }
  auto jobs = OrDie(monitor->Query("SELECT state, COUNT(*) FROM jobs WHERE kind = $1 "
                                   "GROUP BY state ORDER BY state",
                                   {std::string(services::kPushStatusJob)}),
                    "count push jobs");
  std::string job_states;
  for (std::size_t r = 0; r < jobs.size(); ++r) {
    job_states +=
        fmt::format("{}{} {}", job_states.empty() ? "" : ", ", jobs.Text(r, 0), jobs.Int(r, 1));
  }

  const Latency sent = Summarize(lags);
  const Latency change = Summarize(change_ms);
  PrintRow(backend, fmt::format("(3) status changes at {}/s, job runner on", kChangesPerSecond),
           changes, "chgs", changing,
           fmt::format("  (StatusSync::Change p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms)",
                       change.p50_ms, change.p99_ms, change.max_ms));
  PrintLatency(backend, "(3) lag: change -> sandbox receives the PUT", sent,
               fmt::format("({} of {} received in {:.1f} s)", sent.count, changes, drained));
  PrintLatency(backend, "(3) lag: timeline status_pushed at-remote_at", Summarize(timeline_ms),
               fmt::format("({} pushes in the timeline)", pushed));
  PrintNote(backend,
            fmt::format("{} workers, poll {} ms, woken on change; push jobs: {}; Allegro "
                        "requests meanwhile: {} ({})",
                        runner_options.workers, runner_options.poll_interval.count(),
                        job_states.empty() ? "none" : job_states, http.total(), http.Describe()));
  if (journal_behind) {
    PrintNote(backend,
              "meanwhile the journal job went on importing what (1) had not: the pushes "
              "competed with that import");
  }
  const bool all_arrived = sent.count == static_cast<std::size_t>(changes) && pushed == changes;
  if (!all_arrived) {
    PrintNote(backend, fmt::format("PUSHES MISSING after {} s: the sandbox received {} of {}, the "
                                   "timeline holds {}",
                                   kPushTimeout.count(), sent.count, changes, pushed));
  }
  PrintNote(
      backend,
      fmt::format("CPU {:.1f} s over {:.1f} s; target p99 under {:.0f} s: {}", cpu.process, drained,
                  kTargetLagP99Seconds,
                  all_arrived && sent.p99_ms < kTargetLagP99Seconds * 1000 ? "met" : "MISSED"));
  return all_arrived;
}

// ---- The benchmark ------------------------------------------------------------------------

// Returns false when an import failed or lost orders, or a push did not arrive.
bool RunBackend(const std::filesystem::path& dir, const std::string& backend,
                const std::optional<std::string>& pg, std::int64_t n, int changes,
                std::chrono::seconds limit) {
  auto sb = StartSandbox();
  auto journal = OpenInstance(dir, backend, "journal", pg, kAllegroRequestsPerMinute, *sb);
  {
    auto probe = OrDie(store::OpenConnection(journal->db), "connect");
    std::cout << backend << ": " << DescribeDatabase(*probe) << "; sandbox at " << sb->base_url()
              << "\n";
  }
  const JournalResult first = RunJournal(backend, *journal, *sb, n, limit, "");
  bool ok = !first.failed;
  if (first.capped) {
    // What the import does when our budget is out of the way: a fresh sandbox and database.
    auto sb2 = StartSandbox();
    auto unlimited = OpenInstance(dir, backend, "journal-unlimited", pg, kUnlimitedBudget, *sb2);
    ok = !RunJournal(backend, *unlimited, *sb2, n, limit, ", budget out of the way").failed && ok;
  }
  PrintNote(backend, fmt::format("memory after (1): VmRSS {}", Mib(ReadMemory().rss_kb)));
  {
    auto manual = OpenInstance(dir, backend, "manual", pg, kAllegroRequestsPerMinute, *sb);
    ok = RunManualImport(backend, *manual, n, limit) && ok;
  }
  ok = RunPushLag(backend, *journal, *sb, changes, first.cut || first.failed) && ok;
  const Memory m = ReadMemory();
  PrintNote(backend,
            fmt::format("memory: VmRSS {}, peak so far (VmHWM) {}", Mib(m.rss_kb), Mib(m.hwm_kb)));
  PrintLoadAverageAtEnd(backend);
  return ok;
}

// The time limit of each import phase: NADAJNIK_BENCH_PHASE_SECONDS, or kDefaultPhaseLimit;
// 0 = none. Nullopt when the variable is not a number.
std::optional<std::chrono::seconds> PhaseLimit() {
  const char* v = std::getenv("NADAJNIK_BENCH_PHASE_SECONDS");
  if (v == nullptr || *v == '\0') return kDefaultPhaseLimit;
  char* end = nullptr;
  const long long s = std::strtoll(v, &end, 10);
  if (*end != '\0' || s < 0) return std::nullopt;
  return std::chrono::seconds(s);
}

int Main(int argc, char** argv) {
  SetProgramName("import_bench");
  const std::optional<std::int64_t> count = CountArgument(argc, argv, 100000);
  if (!count || *count > 1'000'000) {
    std::cerr << "usage: import_bench [N]   (N orders, 1..1000000, default 100000)\n";
    return 2;
  }
  const std::int64_t n = *count;
  const int changes = static_cast<int>(std::clamp<std::int64_t>(n / 50, 1, kMaxChanges));
  const std::optional<std::chrono::seconds> limit = PhaseLimit();
  if (!limit) {
    std::cerr << "import_bench: NADAJNIK_BENCH_PHASE_SECONDS must be a whole number of seconds "
                 "(0 = no limit)\n";
    return 2;
  }
  log::Init(log::Format::kText, log::Level::kWarn);
  const std::filesystem::path dir = MakeScratchDir("nadajnik-import-bench");

  std::cout << fmt::format(
      "{}: N = {} paid allegro.pl orders bought over the last {} h, one account; {} status "
      "changes at {}/s\n",
      ProgramName(), n, kBoughtOver.count(), changes, kChangesPerSecond);
  std::cout << fmt::format(
      "machine: {}; in-process Allegro sandbox over loopback HTTP; our request budget {} "
      "requests/min per client id; import phases stop after {}; data in {}\n",
      CoresAndCpu(), kAllegroRequestsPerMinute,
      limit->count() > 0 ? fmt::format("{} s", limit->count()) : "no time limit", dir.string());
  PrintTableHeader(kTable);
  const auto started = Steady::now();
  bool ok = RunBackend(dir, "sqlite", std::nullopt, n, changes, *limit);
  if (const auto pg = BenchPostgresServer()) {
    ok = RunBackend(dir, "postgres", pg, n, changes, *limit) && ok;
  }
  PrintRule(kTable);
  const Memory m = ReadMemory();
  std::cout << fmt::format(
      "{}: peak RSS (VmHWM) {} (the sandbox's world included); done in {:.1f} "
      "s\n",
      ProgramName(), Mib(m.hwm_kb), Seconds(Steady::now() - started));
  RemoveScratchDir();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace nadajnik::bench

int main(int argc, char** argv) { return nadajnik::bench::Main(argc, argv); }
