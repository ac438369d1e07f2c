// Bench support: what the benchmarks in bench/ share. The program name for messages, a scratch
// folder removed on the way out, dying on an unexpected error, the machine (CPU, load), scratch
// databases (a SQLite file, or a database created on the PostgreSQL server named by
// NADAJNIK_BENCH_POSTGRES_URL and dropped again), latency percentiles and the table header.
//
// Benches that run the in-process Allegro sandbox share its seller, client and a refresh token.
//
// Process-wide state: SetProgramName() and MakeScratchDir() are called once from Main(), before
// any thread starts. Die() and OrDie() end the process (exit status 1) after removing the scratch
// folder; scratch PostgreSQL databases are dropped only by ScratchDatabase's destructor, so an
// early death leaves them behind (the next run with the same pid drops them first).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/result.hpp"
#include "net/http_client.hpp"
#include "security/secret_box.hpp"
#include "services/account_service.hpp"
#include "store/connection_pool.hpp"
#include "store/db.hpp"

namespace nadajnik::bench {

using Steady = std::chrono::steady_clock;

inline double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }
inline double Millis(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// ---- Program name, scratch folder, dying ---------------------------------------------------

namespace detail {
inline std::string program_name = "bench";
// The temporary folder of this run, removed on the way out (Die() included).
inline std::filesystem::path scratch_dir;
}  // namespace detail

// The name that starts messages ("store_bench: ..."); set once at the top of Main().
inline void SetProgramName(std::string name) { detail::program_name = std::move(name); }
inline const std::string& ProgramName() { return detail::program_name; }

inline void RemoveScratchDir() {
  if (detail::scratch_dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(detail::scratch_dir, ec);
}

// Says "<program>: <message>" on stderr, removes the scratch folder and exits with status 1.
[[noreturn]] inline void Die(std::string_view message) {
  std::cerr << ProgramName() << ": " << message << "\n";
  RemoveScratchDir();
  std::exit(1);
}

[[noreturn]] inline void Die(const std::string& what, const Error& e) {
  Die(what + ": " + e.Describe());
}

template <typename T>
T OrDie(Result<T> r, const std::string& what) {
  if (!r) Die(what, r.error());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// Creates <temp>/<prefix>.XXXXXX for this run's files; RemoveScratchDir() and Die() remove it.
// Exits with status 1 when the folder cannot be made.
inline std::filesystem::path MakeScratchDir(std::string_view prefix) {
  const auto tmp_root = std::filesystem::temp_directory_path();
  std::string pattern = (tmp_root / (std::string(prefix) + ".XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << ProgramName() << ": cannot create a temporary folder in " << tmp_root << "\n";
    std::exit(1);
  }
  detail::scratch_dir = pattern;
  return detail::scratch_dir;
}

// N from argv[1], or `fallback` without one; nullopt when argv[1] is not a positive number.
inline std::optional<std::int64_t> CountArgument(int argc, char** argv, std::int64_t fallback) {
  if (argc <= 1) return fallback;
  std::int64_t n = 0;
  try {
    n = std::stoll(argv[1]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (n < 1) return std::nullopt;
  return n;
}

// ---- The Allegro sandbox ------------------------------------------------------------------

// The sandbox's seller 0 (allegro.pl) and its OAuth client.
inline constexpr std::string_view kSandboxSeller = "sprzedawca-pl";
inline constexpr std::string_view kSandboxClientId = "nadajnik-sandbox";
inline constexpr std::string_view kSandboxClientSecret = "nadajnik-sandbox-secret";

// A refresh token for `login`, from the admin endpoint of the sandbox at `sandbox_url`
// (sandbox::Sandbox::base_url()); dies when the sandbox gives none.
inline std::string SandboxRefreshToken(net::HttpClient& http, const std::string& sandbox_url,
                                       std::string_view login = kSandboxSeller) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = sandbox_url + "/__sandbox/tokens";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = fmt::format(R"({{"login":"{}"}})", login);
  auto r = OrDie(http.Send(req), "ask the sandbox for a refresh token");
  boost::system::error_code ec;
  const auto body = boost::json::parse(r.body, ec);
  const auto* token =
      !ec && body.is_object() ? body.as_object().if_contains("refresh_token") : nullptr;
  if (r.status != 200 || token == nullptr || !token->is_string()) {
    Die(fmt::format("the sandbox gave no refresh token (HTTP {}): {}", r.status, r.body));
  }
  return std::string(token->as_string());
}

// The account "PL" of the sandbox's seller 0 at `sandbox_url` (environment "custom").
inline services::NewAccount SandboxAccount(const std::string& sandbox_url) {
  services::NewAccount a;
  a.alias = "PL";
  a.name = "Sklep Wiśnia";
  a.login = std::string(kSandboxSeller);
  a.environment = "custom";
  a.auth_url = sandbox_url;
  a.api_url = sandbox_url;
  a.client_id = std::string(kSandboxClientId);
  a.client_secret = std::string(kSandboxClientSecret);
  return a;
}

// ---- The machine ---------------------------------------------------------------------------

inline std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

// "2 cores (<CPU model>)".
inline std::string CoresAndCpu() {
  return fmt::format("{} cores ({})", std::thread::hardware_concurrency(), CpuModel());
}

// The 1-minute load average: other work on this 2-core machine (a build) skews the figures.
inline std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  in >> first;
  return first.empty() ? "unknown" : first;
}

inline void PrintLoadAverageAtEnd(std::string_view backend) {
  std::cout << fmt::format("{:<9} (load average at the end: {})\n", backend, LoadAverage());
}

// ---- Scratch databases ---------------------------------------------------------------------

// A fixed key: two runs encrypt the same way, and no secret is at stake in a bench.
inline security::SecretBox BenchSecretBox() {
  security::SecretBox::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
  return security::SecretBox::FromKey(key);
}

// The server named by NADAJNIK_BENCH_POSTGRES_URL (its maintenance database, such as
// postgresql://postgres@127.0.0.1:5432/postgres); without one, prints that PostgreSQL is skipped
// and returns nullopt.
inline std::optional<std::string> BenchPostgresServer() {
  const char* pg = std::getenv("NADAJNIK_BENCH_POSTGRES_URL");
  if (pg != nullptr && *pg != '\0') return std::string(pg);
  std::cout << "postgres: skipped (set NADAJNIK_BENCH_POSTGRES_URL to a server's maintenance "
               "database, or run scripts/run-bench.sh, which starts one)\n";
  return std::nullopt;
}

// The server URL with its database (the path) replaced by `name`; query parameters are kept.
inline std::string WithDatabase(const std::string& url, const std::string& name) {
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

// The engine and the settings that decide what a commit costs: "SQLite 3.40.1,
// journal_mode=wal, synchronous=NORMAL" or "PostgreSQL 15.x, fsync=on, synchronous_commit=on",
// then on PostgreSQL ", name=value" for each of `more_postgres_settings`.
inline std::string DescribeDatabase(
    store::DbConnection& db, std::initializer_list<std::string_view> more_postgres_settings = {}) {
  if (db.dialect() == store::Dialect::kSqlite) {
    auto v = OrDie(db.Query("SELECT sqlite_version()"), "sqlite_version()");
    auto j = OrDie(db.Query("PRAGMA journal_mode"), "PRAGMA journal_mode");
    auto s = OrDie(db.Query("PRAGMA synchronous"), "PRAGMA synchronous");
    static constexpr const char* kSync[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    const auto sync = s.Int(0, 0);
    return fmt::format("SQLite {}, journal_mode={}, synchronous={}", v.Text(0, 0), j.Text(0, 0),
                       sync >= 0 && sync <= 3 ? kSync[sync] : "?");
  }
  auto show = [&](std::string_view setting) {
    const std::string name(setting);
    return OrDie(db.Query("SHOW " + name), name).Text(0, 0);
  };
  std::string out = "PostgreSQL " + show("server_version");
  for (std::string_view setting : {"fsync", "synchronous_commit"}) {
    out += fmt::format(", {}={}", setting, show(setting));
  }
  for (std::string_view setting : more_postgres_settings) {
    out += fmt::format(", {}={}", setting, show(setting));
  }
  return out;
}

// ---- Latency and the table -----------------------------------------------------------------

struct Latency {
  std::size_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double total_s = 0;
};

// Nearest-rank percentiles of `ms` (milliseconds), their maximum and their sum in seconds.
inline Latency Summarize(std::vector<double> ms) {
  Latency l;
  l.count = ms.size();
  if (ms.empty()) return l;
  for (double v : ms) l.total_s += v / 1000.0;
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

// Column widths of a bench's table ("backend operation count seconds rate") and its rule.
struct TableLayout {
  int operation = 0;
  int count = 0;
  int rate = 0;
  int rule = 0;
};

inline void PrintRule(const TableLayout& t) {
  std::cout << std::string(static_cast<std::size_t>(t.rule), '-') << "\n";
}

inline void PrintTableHeader(const TableLayout& t) {
  std::cout << fmt::format("{:<9} {:<{}} {:>{}} {:>9} {:>{}}\n", "backend", "operation",
                           t.operation, "count", t.count, "seconds", "rate", t.rate);
  PrintRule(t);
}

}  // namespace nadajnik::bench
