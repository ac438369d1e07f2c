#include "app/config.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

extern char** environ;

namespace nadajnik::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kEnvPrefix = "NADAJNIK_";
constexpr std::string_view kTestEnvPrefix = "NADAJNIK_TEST_";
constexpr std::string_view kExampleFile = "etc/nadajnik.example.toml";

enum class ValueType { kString, kInt, kBool, kPath };

// A string check returns an empty string when the value is acceptable, otherwise what is wrong
// with it. It never repeats the value: the caller decides whether the value may be shown.
using StringCheck = std::string (*)(std::string_view);

// One configuration key. Exactly one of the field accessors is set, matching `type`.
struct KeySpec {
  std::string_view key;
  ValueType type = ValueType::kString;
  std::string_view help;
  std::string_view expected;  // the accepted form of a string or path value
  std::string& (*string_field)(Config&) = nullptr;
  int& (*int_field)(Config&) = nullptr;
  bool& (*bool_field)(Config&) = nullptr;
  fs::path& (*path_field)(Config&) = nullptr;
  StringCheck check = nullptr;
  int min = 0;
  int max = 0;
  bool sensitive = false;  // may hold a password: never echoed in messages
};

KeySpec StringKey(std::string_view key, std::string& (*field)(Config&), StringCheck check,
                  std::string_view expected, std::string_view help, bool sensitive = false) {
  KeySpec spec;
  spec.key = key;
  spec.type = ValueType::kString;
  spec.help = help;
  spec.expected = expected;
  spec.string_field = field;
  spec.check = check;
  spec.sensitive = sensitive;
  return spec;
}

KeySpec IntKey(std::string_view key, int& (*field)(Config&), int min, int max,
               std::string_view help) {
  KeySpec spec;
  spec.key = key;
  spec.type = ValueType::kInt;
  spec.help = help;
  spec.int_field = field;
  spec.min = min;
  spec.max = max;
  return spec;
}

KeySpec BoolKey(std::string_view key, bool& (*field)(Config&), std::string_view help) {
  KeySpec spec;
  spec.key = key;
  spec.type = ValueType::kBool;
  spec.help = help;
  spec.bool_field = field;
  return spec;
}

KeySpec PathKey(std::string_view key, fs::path& (*field)(Config&), std::string_view help) {
  KeySpec spec;
  spec.key = key;
  spec.type = ValueType::kPath;
  spec.help = help;
  spec.expected = "a non-empty path to a folder";
  spec.path_field = field;
  return spec;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[i]);
    const auto b = static_cast<unsigned char>(prefix[i]);
    if (std::tolower(a) != std::tolower(b)) return false;
  }
  return true;
}

bool HasSpaceOrControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
  });
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.back() == '.') host.remove_suffix(1);
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

std::string CheckPort(std::string_view port) {
  if (port.empty()) return "the port is missing after ':'";
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
    return "the port is not a number";
  }
  int value = 0;
  std::from_chars(port.data(), port.data() + port.size(), value);
  if (value < 1 || value > 65535) return "the port is out of range";
  return {};
}

std::string CheckListen(std::string_view value) {
  if (value.empty()) return "it is empty";
  if (value.find("://") != std::string_view::npos) {
    return "it is a URL; give only host:port (a public address goes in server.public_url)";
  }
  if (value.front() == '[') {
    const std::size_t close = value.find(']');
    if (close == std::string_view::npos) return "the IPv6 address has no closing ']'";
    std::string address(value.substr(1, close - 1));
    // A zone ("fe80::1%eth0") is valid for link-local addresses; inet_pton doesn't take it.
    if (const std::size_t zone = address.find('%'); zone != std::string::npos) {
      if (zone + 1 == address.size()) return "the IPv6 zone after '%' is empty";
      address.resize(zone);
    }
    in6_addr parsed{};
    if (::inet_pton(AF_INET6, address.c_str(), &parsed) != 1) {
      return "the address in brackets is not an IPv6 address";
    }
    const std::string_view rest = value.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return "there is no :port after the IPv6 address";
    return CheckPort(rest.substr(1));
  }
  const std::size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return "there is no :port";
  const std::string_view host = value.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    return "an IPv6 address needs brackets, as in [::1]:8080";
  }
  if (host.empty()) return "the host is missing; use 0.0.0.0 (all IPv4) or [::] (all IPv6)";
  const bool looks_numeric =
      std::all_of(host.begin(), host.end(), [](char c) { return IsDigit(c) || c == '.'; });
  if (looks_numeric) {
    in_addr parsed{};
    if (::inet_pton(AF_INET, std::string(host).c_str(), &parsed) != 1) {
      return "the host is not a valid IPv4 address";
    }
  } else if (!IsHostName(host)) {
    return "the host is neither an IP address nor a host name";
  }
  return CheckPort(value.substr(colon + 1));
}

std::string CheckPublicUrl(std::string_view value);

std::string CheckBaseUrl(std::string_view value) {
  if (value.empty()) return "it is empty";
  return CheckPublicUrl(value);
}

std::string CheckPublicUrl(std::string_view value) {
  if (value.empty()) return {};
  std::string_view rest;
  if (StartsWithIgnoringCase(value, "https://")) {
    rest = value.substr(8);
  } else if (StartsWithIgnoringCase(value, "http://")) {
    rest = value.substr(7);
  } else {
    return "it does not start with http:// or https://";
  }
  if (HasSpaceOrControl(value)) return "it contains spaces or control characters";
  if (value.find_first_of("?#") != std::string_view::npos) {
    return "it has a query or fragment, which a base URL cannot have";
  }
  if (rest.substr(0, rest.find('/')).empty()) return "it has no host";
  return {};
}

std::string CheckDatabaseUrl(std::string_view value) {
  if (value.empty()) return {};
  if (!StartsWithIgnoringCase(value, "postgresql://") &&
      !StartsWithIgnoringCase(value, "postgres://")) {
    return "it does not start with postgresql:// or postgres://";
  }
  if (HasSpaceOrControl(value)) return "it contains spaces or control characters";
  return {};
}

std::string CheckLogFormat(std::string_view value) {
  return value == "text" || value == "json" ? std::string() : std::string("unknown format");
}

std::string CheckLogLevel(std::string_view value) {
  return value == "debug" || value == "info" || value == "warn" || value == "error"
             ? std::string()
             : std::string("unknown level");
}

std::string CheckLogFile(std::string_view value) {
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20) return "it contains control characters";
  }
  return {};
}

// The table of keys: the single source for parsing, environment names and documentation.

const std::vector<KeySpec>& Specs() {
  static const std::vector<KeySpec> specs = {
      StringKey(
          "server.listen", [](Config& c) -> std::string& { return c.server.listen; }, CheckListen,
          "host:port with a port from 1 to 65535, e.g. 127.0.0.1:8080, [::1]:8080 or "
          "localhost:8080",
          "Address and port the HTTP server (panel and API) listens on"),
      StringKey(
          "server.public_url", [](Config& c) -> std::string& { return c.server.public_url; },
          CheckPublicUrl,
          "empty, or an http:// or https:// URL without query, e.g. https://nadajnik.example.pl",
          "Address sellers use to reach the panel, when it differs from server.listen (a proxy); "
          "https:// turns on Secure cookies"),
      IntKey(
          "server.threads", [](Config& c) -> int& { return c.server.threads; }, 1, 256,
          "Threads serving HTTP requests"),
      BoolKey(
          "server.trust_proxy_headers",
          [](Config& c) -> bool& { return c.server.trust_proxy_headers; },
          "Trust X-Forwarded-For/-Proto; enable only behind a reverse proxy that sets them"),
      PathKey(
          "data.dir", [](Config& c) -> fs::path& { return c.data.dir; },
          "Folder for the SQLite database, the key file and labels (relative to the working "
          "folder)"),
      StringKey(
          "database.url", [](Config& c) -> std::string& { return c.database.url; },
          CheckDatabaseUrl,
          "empty (SQLite in data.dir) or a PostgreSQL URL such as "
          "postgresql://nadajnik@localhost/nadajnik",
          "Database to use: SQLite at <data.dir>/nadajnik.db, or PostgreSQL",
          /*sensitive=*/true),
      IntKey(
          "database.pool_size", [](Config& c) -> int& { return c.database.pool_size; }, 1, 256,
          "Database connections kept open"),
      IntKey(
          "database.busy_timeout_ms", [](Config& c) -> int& { return c.database.busy_timeout_ms; },
          0, 600000, "How long SQLite waits for a lock before reporting the database busy"),
      IntKey(
          "jobs.workers", [](Config& c) -> int& { return c.jobs.workers; }, 1, 256,
          "Workers running background jobs (imports, labels, notifications)"),
      IntKey(
          "jobs.poll_interval_ms", [](Config& c) -> int& { return c.jobs.poll_interval_ms; }, 10,
          60000, "How often an idle worker looks for due jobs"),
      IntKey(
          "jobs.lease_seconds", [](Config& c) -> int& { return c.jobs.lease_seconds; }, 5, 86400,
          "How long a worker holds a job before another worker may take it over"),
      IntKey(
          "jobs.max_attempts", [](Config& c) -> int& { return c.jobs.max_attempts; }, 1, 1000,
          "Attempts before a failing job is given up and reported"),
      IntKey(
          "jobs.backoff_base_ms", [](Config& c) -> int& { return c.jobs.backoff_base_ms; }, 10,
          86400000, "Delay before the first retry; doubles with each attempt"),
      IntKey(
          "jobs.backoff_max_ms", [](Config& c) -> int& { return c.jobs.backoff_max_ms; }, 10,
          604800000, "Longest delay between retries; at least jobs.backoff_base_ms"),
      StringKey(
          "log.format", [](Config& c) -> std::string& { return c.log.format; }, CheckLogFormat,
          "text or json", "Log lines for people (text) or for a log collector (json)"),
      StringKey(
          "log.level", [](Config& c) -> std::string& { return c.log.level; }, CheckLogLevel,
          "debug, info, warn or error", "Least severe level written to the log"),
      StringKey(
          "log.file", [](Config& c) -> std::string& { return c.log.file; }, CheckLogFile,
          "empty (stderr) or a file path", "File the log is appended to"),
      StringKey(
          "allegro.production_auth_url",
          [](Config& c) -> std::string& { return c.allegro.production_auth_url; }, CheckBaseUrl,
          "an http:// or https:// URL without query", "Allegro's OAuth server (production)"),
      StringKey(
          "allegro.production_api_url",
          [](Config& c) -> std::string& { return c.allegro.production_api_url; }, CheckBaseUrl,
          "an http:// or https:// URL without query", "Allegro's REST API (production)"),
      StringKey(
          "allegro.sandbox_auth_url",
          [](Config& c) -> std::string& { return c.allegro.sandbox_auth_url; }, CheckBaseUrl,
          "an http:// or https:// URL without query", "Allegro's OAuth server (Allegro's sandbox)"),
      StringKey(
          "allegro.sandbox_api_url",
          [](Config& c) -> std::string& { return c.allegro.sandbox_api_url; }, CheckBaseUrl,
          "an http:// or https:// URL without query", "Allegro's REST API (Allegro's sandbox)"),
      IntKey(
          "allegro.requests_per_minute",
          [](Config& c) -> int& { return c.allegro.requests_per_minute; }, 1, 9000,
          "Requests a minute this instance may send per Allegro client id (Allegro allows 9,000 "
          "per application; split it between instances)"),
      IntKey(
          "allegro.journal_interval_ms",
          [](Config& c) -> int& { return c.allegro.journal_interval_ms; }, 100, 3600000,
          "How often each account's order journal is read"),
      IntKey(
          "allegro.sweep_interval_seconds",
          [](Config& c) -> int& { return c.allegro.sweep_interval_seconds; }, 5, 86400,
          "How often the reconciliation sweep looks for orders the journal missed"),
      IntKey(
          "allegro.backfill_days", [](Config& c) -> int& { return c.allegro.backfill_days; }, 1,
          365, "Days of paid, new orders imported when an account is first connected"),
      IntKey(
          "allegro.timeout_seconds", [](Config& c) -> int& { return c.allegro.timeout_seconds; }, 1,
          600, "Seconds one call to Allegro may take"),
      IntKey(
          "allegro.rate_limit_pause_seconds",
          [](Config& c) -> int& { return c.allegro.rate_limit_pause_seconds; }, 1, 3600,
          "Seconds every call for a client id waits after Allegro answered 429 without "
          "Retry-After (Allegro blocks the client id for about a minute)"),
      IntKey(
          "allegro.sweep_grace_seconds",
          [](Config& c) -> int& { return c.allegro.sweep_grace_seconds; }, 0, 86400,
          "Seconds the reconciliation sweep stays behind the journal, so that it only reports "
          "orders the journal really missed"),
      IntKey(
          "shipping.tracking_interval_minutes",
          [](Config& c) -> int& { return c.shipping.tracking_interval_minutes; }, 1, 10080,
          "Minutes between two tracking checks of one shipment (until it is delivered or "
          "returned)"),
      IntKey(
          "shipping.tracking_run_seconds",
          [](Config& c) -> int& { return c.shipping.tracking_run_seconds; }, 1, 86400,
          "Seconds between two runs of the tracking job, which checks the shipments that are due"),
      IntKey(
          "shipping.confirm_wait_seconds",
          [](Config& c) -> int& { return c.shipping.confirm_wait_seconds; }, 0, 600,
          "Seconds one shipment job polls an asynchronous carrier (InPost, Wysyłam z Allegro) for "
          "its confirmation before it frees the worker and looks again a second later (0: ask "
          "once)"),
      IntKey(
          "auth.session_ttl_minutes", [](Config& c) -> int& { return c.auth.session_ttl_minutes; },
          5, 43200, "Minutes a panel session lasts after sign-in"),
      IntKey(
          "auth.login_max_failures", [](Config& c) -> int& { return c.auth.login_max_failures; }, 1,
          1000, "Failed sign-ins allowed per username and per address within the window"),
      IntKey(
          "auth.login_window_seconds",
          [](Config& c) -> int& { return c.auth.login_window_seconds; }, 10, 86400,
          "Seconds over which failed sign-ins are counted"),
  };
  return specs;
}

std::string_view SectionOf(std::string_view key) { return key.substr(0, key.find('.')); }
std::string_view NameOf(std::string_view key) { return key.substr(key.find('.') + 1); }

std::vector<std::string_view> Sections() {
  std::vector<std::string_view> sections;
  for (const KeySpec& spec : Specs()) {
    const std::string_view section = SectionOf(spec.key);
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      sections.push_back(section);
    }
  }
  return sections;
}

std::string EnvName(std::string_view key) {
  std::string name(kEnvPrefix);
  for (char c : key) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

const KeySpec* FindKey(std::string_view key) {
  for (const KeySpec& spec : Specs()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

const KeySpec* FindByEnvName(std::string_view name) {
  for (const KeySpec& spec : Specs()) {
    if (EnvName(spec.key) == name) return &spec;
  }
  return nullptr;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII
// case, so "server.lisen", "sevrer.listen" and "Server.Listen" all find "server.listen".
std::size_t EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The candidate closest to `input`, if it is close enough to be what was meant.
std::optional<std::string> Closest(std::string_view input,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = EditDistance(input, candidate);
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(1, std::min<std::size_t>(input.size(), 12) / 3);
  if (!best || best_distance > allowed) return std::nullopt;
  return best;
}

std::vector<std::string> AllKeys() {
  std::vector<std::string> keys;
  for (const KeySpec& spec : Specs()) keys.emplace_back(spec.key);
  return keys;
}

// A key written at the top of the file ("listen = ...") is matched against key names too, so
// the suggestion can point to the section it belongs in.
std::optional<std::string> SuggestKey(std::string_view input) {
  if (auto full = Closest(input, AllKeys())) return full;
  if (input.find('.') != std::string_view::npos) return std::nullopt;
  for (const KeySpec& spec : Specs()) {
    if (EditDistance(input, NameOf(spec.key)) <= (input.size() >= 6 ? 1u : 0u)) {
      return std::string(spec.key);
    }
  }
  return std::nullopt;
}

std::string KnownKeysOf(std::string_view section) {
  std::string names;
  for (const KeySpec& spec : Specs()) {
    if (SectionOf(spec.key) != section) continue;
    if (!names.empty()) names += ", ";
    names += NameOf(spec.key);
  }
  return names;
}

std::string KnownSections() {
  std::string names;
  for (std::string_view section : Sections()) {
    if (!names.empty()) names += ", ";
    names += fmt::format("[{}]", section);
  }
  return names;
}

// Quoted, with control characters escaped and long values cut, so a message stays one line.
std::string Quote(std::string_view value) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = "\"";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (shown >= kMaxShown && (c & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
    ++shown;
  }
  out += "\"";
  return out;
}

std::string_view TomlTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

std::string Expected(const KeySpec& spec, bool textual) {
  switch (spec.type) {
    case ValueType::kInt:
      return fmt::format("an integer from {} to {}", spec.min, spec.max);
    case ValueType::kBool:
      return textual ? "true or false (yes/no and 1/0 also work)" : "true or false";
    case ValueType::kString:
    case ValueType::kPath:
      return std::string(spec.expected);
  }
  return {};
}

std::optional<long long> ParseInteger(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return std::nullopt;
}

Result<std::string> ReadConfigFile(const fs::path& file) {
  auto cannot_read = [&](int err) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("cannot read the config file {}: {}; check the path, or start "
                            "without a config file to use the defaults and NADAJNIK_* variables",
                            file.string(), std::strerror(err)));
  };
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cannot_read(errno);
  struct stat st {};
  // Pipes are fine (--config <(...)); a folder is not.
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return cannot_read(err);
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return cannot_read(err);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

class Loader {
 public:
  void LoadFile(const fs::path& file) {
    const std::string name = file.string();
    auto text = ReadConfigFile(file);
    if (!text) {
      problems_.push_back(text.error().message);
      return;
    }
    toml::table root;
#if TOML_EXCEPTIONS
    try {
      root = toml::parse(*text, name);
    } catch (const toml::parse_error& e) {
      problems_.push_back(SyntaxProblem(name, e));
      return;
    }
#else
    toml::parse_result parsed = toml::parse(*text, name);
    if (!parsed) {
      problems_.push_back(SyntaxProblem(name, parsed.error()));
      return;
    }
    root = std::move(parsed).table();
#endif
    // toml::table iterates in key order; report in the order of the file instead.
    // Value problems are first recorded in problems_ (by ApplyToml) and then moved here with
    // their line.
    std::vector<std::pair<std::size_t, std::string>> located;
    const std::size_t before = problems_.size();
    const auto sections = Sections();
    for (auto&& [section_key, section_node] : root) {
      const std::string section(section_key.str());
      const std::size_t line = section_key.source().begin.line;
      const std::string where = Where(name, line);
      if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
        located.emplace_back(line, section_node.is_table()
                                       ? UnknownSection(section, where)
                                       : UnknownFileKey(section, where, std::nullopt));
        continue;
      }
      const toml::table* table = section_node.as_table();
      if (table == nullptr) {
        located.emplace_back(
            line,
            fmt::format("'{}' in {} is {}, but it is a section: write [{}] on a line of its "
                        "own and put its keys ({}) below it",
                        section, where, TomlTypeName(section_node), section, KnownKeysOf(section)));
        continue;
      }
      for (auto&& [key, node] : *table) {
        const std::string full = section + "." + std::string(key.str());
        const std::size_t key_line = key.source().begin.line;
        const std::size_t mark = problems_.size();
        if (const KeySpec* spec = FindKey(full)) {
          ApplyToml(*spec, node, Where(name, key_line));
        } else {
          problems_.push_back(UnknownFileKey(full, Where(name, key_line), section));
        }
        for (std::size_t i = mark; i < problems_.size(); ++i) {
          located.emplace_back(key_line, std::move(problems_[i]));
        }
        problems_.resize(mark);
      }
    }
    problems_.resize(before);
    std::stable_sort(located.begin(), located.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [line, problem] : located) problems_.push_back(std::move(problem));
  }

  void LoadEnvironment(const std::map<std::string, std::string>& env) {
    for (const auto& [name, value] : env) {
      if (!name.starts_with(kEnvPrefix) || name.starts_with(kTestEnvPrefix)) continue;
      const KeySpec* spec = FindByEnvName(name);
      if (spec == nullptr) {
        problems_.push_back(UnknownEnv(name));
        continue;
      }
      ApplyText(*spec, value, "environment variable " + name);
    }
  }

  void LoadFlags(const std::map<std::string, std::string>& flags) {
    for (const auto& [key, value] : flags) {
      const KeySpec* spec = FindKey(key);
      if (spec == nullptr) {
        std::string problem =
            fmt::format("unknown configuration key '{}' given on the command line", key);
        if (auto suggestion = SuggestKey(key)) {
          problem += fmt::format("; did you mean '{}'?", *suggestion);
        } else {
          problem += fmt::format("; see {} for the known keys", kExampleFile);
        }
        problems_.push_back(std::move(problem));
        continue;
      }
      ApplyText(*spec, value, "command-line flag for " + key);
    }
  }

  void CheckRelations() {
    if (!failed_.contains("jobs.backoff_base_ms") && !failed_.contains("jobs.backoff_max_ms") &&
        config_.jobs.backoff_max_ms < config_.jobs.backoff_base_ms) {
      problems_.push_back(fmt::format(
          "jobs.backoff_max_ms ({} from {}) is less than jobs.backoff_base_ms ({} from {}); "
          "raise jobs.backoff_max_ms or lower jobs.backoff_base_ms",
          config_.jobs.backoff_max_ms, OriginOf("jobs.backoff_max_ms"),
          config_.jobs.backoff_base_ms, OriginOf("jobs.backoff_base_ms")));
    }
  }

  Result<Config> Finish() && {
    if (problems_.empty()) return std::move(config_);
    std::string message;
    for (const std::string& problem : problems_) {
      if (!message.empty()) message += '\n';
      message += problem;
    }
    return Fail(ErrorCode::kInvalidArgument, std::move(message),
                fmt::format("{} configuration problem(s)", problems_.size()));
  }

 private:
  static std::string Where(const std::string& file, std::size_t line) {
    return line > 0 ? fmt::format("{}, line {}", file, line) : file;
  }

  static std::string SyntaxProblem(const std::string& file, const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return fmt::format(
        "{}, line {}, column {}: TOML syntax error: {}; fix the file (see {} for "
        "the expected layout)",
        file, begin.line, begin.column, e.description(), kExampleFile);
  }

  static std::string UnknownSection(const std::string& section, const std::string& where) {
    std::vector<std::string> candidates;
    for (std::string_view s : Sections()) candidates.emplace_back(s);
    std::string problem = fmt::format("unknown section [{}] in {}", section, where);
    if (auto suggestion = Closest(section, candidates)) {
      problem += fmt::format("; did you mean [{}]?", *suggestion);
    } else {
      problem += fmt::format("; the known sections are {}", KnownSections());
    }
    return problem;
  }

  static std::string UnknownFileKey(const std::string& key, const std::string& where,
                                    std::optional<std::string> section) {
    std::string problem = fmt::format("unknown key '{}' in {}", key, where);
    if (auto suggestion = SuggestKey(key)) {
      problem += fmt::format("; did you mean '{}'?", *suggestion);
    } else if (section) {
      problem += fmt::format("; the keys of [{}] are {}", *section, KnownKeysOf(*section));
    } else {
      problem += fmt::format("; keys belong in a section, e.g. [server] listen = ...; see {}",
                             kExampleFile);
    }
    return problem;
  }

  static std::string UnknownEnv(const std::string& name) {
    std::vector<std::string> candidates;
    for (const KeySpec& spec : Specs()) candidates.push_back(EnvName(spec.key));
    std::string problem = fmt::format("unknown environment variable {}", name);
    // Compare without the common prefix, which would make every name look close.
    std::vector<std::string> suffixes;
    for (const std::string& c : candidates) suffixes.push_back(c.substr(kEnvPrefix.size()));
    if (auto suggestion = Closest(std::string_view(name).substr(kEnvPrefix.size()), suffixes)) {
      problem += fmt::format("; did you mean {}{}?", kEnvPrefix, *suggestion);
    } else {
      problem += fmt::format(
          "; NADAJNIK_* variables set configuration keys (server.listen is "
          "NADAJNIK_SERVER_LISTEN, see {}): rename or unset it",
          kExampleFile);
    }
    return problem;
  }

  std::string OriginOf(std::string_view key) const {
    auto it = origins_.find(key);
    return it == origins_.end() ? "the default" : it->second;
  }

  void Problem(const KeySpec& spec, const std::string& origin, std::string_view got,
               std::string_view reason, bool textual) {
    failed_.insert(spec.key);
    std::string problem = fmt::format("{} from {}: got {}", spec.key, origin, got);
    if (!reason.empty()) problem += fmt::format(" ({})", reason);
    problem += fmt::format("; expected {}", Expected(spec, textual));
    problems_.push_back(std::move(problem));
  }

  std::string Shown(const KeySpec& spec, std::string_view value) const {
    return spec.sensitive ? "a value that is not shown here because it may contain a password"
                          : Quote(value);
  }

  void Accept(const KeySpec& spec, const std::string& origin) {
    failed_.erase(spec.key);
    origins_[spec.key] = origin;
  }

  void SetString(const KeySpec& spec, std::string value, const std::string& origin, bool textual) {
    if (spec.type == ValueType::kPath) {
      if (value.empty()) return Problem(spec, origin, "an empty path", {}, textual);
      spec.path_field(config_) = fs::path(std::move(value));
      return Accept(spec, origin);
    }
    if (spec.check != nullptr) {
      if (std::string reason = spec.check(value); !reason.empty()) {
        return Problem(spec, origin, Shown(spec, value), reason, textual);
      }
    }
    spec.string_field(config_) = std::move(value);
    Accept(spec, origin);
  }

  void SetInt(const KeySpec& spec, long long value, std::string_view shown,
              const std::string& origin, bool textual) {
    if (value < spec.min || value > spec.max) {
      return Problem(spec, origin, shown, "out of range", textual);
    }
    spec.int_field(config_) = static_cast<int>(value);
    Accept(spec, origin);
  }

  void SetBool(const KeySpec& spec, bool value, const std::string& origin) {
    spec.bool_field(config_) = value;
    Accept(spec, origin);
  }

  void ApplyToml(const KeySpec& spec, const toml::node& node, const std::string& origin) {
    switch (spec.type) {
      case ValueType::kString:
      case ValueType::kPath:
        if (const auto* s = node.as_string()) return SetString(spec, s->get(), origin, false);
        return Problem(spec, origin, TomlTypeName(node), "write the value in double quotes", false);
      case ValueType::kInt:
        if (const auto* i = node.as_integer()) {
          return SetInt(spec, i->get(), std::to_string(i->get()), origin, false);
        }
        if (const auto* s = node.as_string(); s != nullptr && ParseInteger(s->get())) {
          return Problem(spec, origin, Quote(s->get()), "write the number without quotes", false);
        }
        return Problem(spec, origin, TomlTypeName(node), {}, false);
      case ValueType::kBool:
        if (const auto* b = node.as_boolean()) return SetBool(spec, b->get(), origin);
        if (const auto* s = node.as_string(); s != nullptr && ParseBool(s->get())) {
          return Problem(spec, origin, Quote(s->get()), "write true or false without quotes",
                         false);
        }
        return Problem(spec, origin, TomlTypeName(node), {}, false);
    }
  }

  void ApplyText(const KeySpec& spec, const std::string& text, const std::string& origin) {
    switch (spec.type) {
      case ValueType::kString:
      case ValueType::kPath:
        return SetString(spec, text, origin, true);
      case ValueType::kInt:
        if (auto value = ParseInteger(text)) return SetInt(spec, *value, Quote(text), origin, true);
        return Problem(spec, origin, Quote(text), "not a whole number", true);
      case ValueType::kBool:
        if (auto value = ParseBool(text)) return SetBool(spec, *value, origin);
        return Problem(spec, origin, Quote(text), {}, true);
    }
  }

  Config config_;
  std::map<std::string_view, std::string> origins_;
  std::set<std::string_view> failed_;
  std::vector<std::string> problems_;
};

std::string DefaultText(const KeySpec& spec) {
  Config defaults;
  switch (spec.type) {
    case ValueType::kString:
      return spec.string_field(defaults);
    case ValueType::kInt:
      return std::to_string(spec.int_field(defaults));
    case ValueType::kBool:
      return spec.bool_field(defaults) ? "true" : "false";
    case ValueType::kPath:
      return spec.path_field(defaults).string();
  }
  return {};
}

std::string_view TypeText(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kInt:
      return "int";
    case ValueType::kBool:
      return "bool";
    case ValueType::kPath:
      return "path";
  }
  return "string";
}

}  // namespace

Result<Config> LoadConfig(const ConfigSources& sources) {
  Loader loader;
  if (!sources.file.empty()) loader.LoadFile(sources.file);
  loader.LoadEnvironment(sources.env);
  loader.LoadFlags(sources.flags);
  loader.CheckRelations();
  return std::move(loader).Finish();
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    // The first definition wins, as with getenv().
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

const std::vector<ConfigKeyInfo>& ConfigKeys() {
  static const std::vector<ConfigKeyInfo> keys = [] {
    std::vector<ConfigKeyInfo> out;
    for (const KeySpec& spec : Specs()) {
      ConfigKeyInfo info;
      info.key = std::string(spec.key);
      info.type = std::string(TypeText(spec.type));
      info.default_value = DefaultText(spec);
      info.help = fmt::format("{}; {}. Environment: {}", spec.help, Expected(spec, false),
                              EnvName(spec.key));
      out.push_back(std::move(info));
    }
    return out;
  }();
  return keys;
}

}  // namespace nadajnik::app
