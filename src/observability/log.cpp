#include "observability/log.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace nadajnik::log {
namespace {

// Field values longer than this are cut (at a UTF-8 boundary) and end with kEllipsis.
constexpr std::size_t kMaxValueBytes = 1024;
constexpr std::size_t kMaxKeyBytes = 128;
constexpr std::string_view kEllipsis = "...";

struct State {
  State() : logger(MakeLogger(std::make_shared<spdlog::sinks::stderr_sink_mt>())) {}

  static std::shared_ptr<spdlog::logger> MakeLogger(spdlog::sink_ptr sink) {
    // Not registered with spdlog's registry: nobody else can reconfigure or drop it.
    auto logger = std::make_shared<spdlog::logger>("nadajnik", std::move(sink));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);  // Write() filters; spdlog only writes.
    logger->flush_on(spdlog::level::trace);   // a crash must not eat the last lines
    return logger;
  }

  std::shared_ptr<spdlog::logger> Logger() {
    std::lock_guard lock(mu);
    return logger;
  }

  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  std::atomic<Level> level{Level::kInfo};
  std::atomic<Format> format{Format::kText};
};

State& GlobalState() {
  // Never destroyed: static destructors and detached threads may still log at exit.
  static State* state = new State();
  return *state;
}

spdlog::level::level_enum SpdlogLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

std::string_view TextLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO ";
    case Level::kWarn:
      return "WARN ";
    case Level::kError:
      return "ERROR";
  }
  return "ERROR";
}

std::string_view JsonLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "error";
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i, char32_t* code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len;
  char32_t cp;
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  *code_point = cp;
  return len;
}

// Cuts `value` to at most kMaxValueBytes, never inside a UTF-8 sequence.
std::string_view Bounded(std::string_view value, bool* truncated) {
  *truncated = value.size() > kMaxValueBytes;
  if (!*truncated) return value;
  std::size_t end = kMaxValueBytes - kEllipsis.size();
  // Step back over continuation bytes so a multi-byte character is dropped whole.
  std::size_t back = 0;
  while (end > 0 && back < 3 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) {
    --end;
    ++back;
  }
  return value.substr(0, end);
}

// Appends `value` escaped for the inside of a double-quoted string; the result is valid in both
// formats: JSON string escapes, invalid UTF-8 replaced by U+FFFD, and every control or
// line-breaking character (C0, DEL, C1, U+2028, U+2029) escaped so a value stays on its line.
void AppendEscaped(std::string& out, std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    char32_t cp = 0;
    const std::size_t len = Utf8SequenceLength(value, i, &cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(cp));
        } else {
          out.append(value.substr(i, len));
        }
    }
    i += len;
  }
}

void AppendQuoted(std::string& out, std::string_view value) {
  bool truncated = false;
  const std::string_view bounded = Bounded(value, &truncated);
  out += '"';
  AppendEscaped(out, bounded);
  if (truncated) out += kEllipsis;
  out += '"';
}

// Keys and event names come from code, but are still reduced to a safe token so that even a
// careless caller can't forge a field.
void AppendToken(std::string& out, std::string_view token) {
  if (token.empty()) {
    out += '_';
    return;
  }
  for (char c : token.substr(0, kMaxKeyBytes)) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == ':';
    out += ok ? c : '_';
  }
}

bool IsPlainText(std::string_view value) {
  if (value.empty() || value.size() > kMaxValueBytes) return false;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

// A number field's value is emitted bare in JSON only if it really is a JSON literal; Field's
// members are public, so this is checked rather than trusted.
bool IsJsonLiteral(std::string_view v) {
  if (v == "true" || v == "false") return true;
  std::size_t i = 0;
  if (i < v.size() && v[i] == '-') ++i;
  if (i >= v.size()) return false;
  if (v[i] == '0') {
    ++i;
  } else if (v[i] >= '1' && v[i] <= '9') {
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  } else {
    return false;
  }
  if (i < v.size() && v[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
    if (i == start) return false;
  }
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
    if (i == start) return false;
  }
  return i == v.size();
}

bool IsReservedJsonKey(std::string_view key) {
  return key == "ts" || key == "level" || key == "event";
}

std::string Render(Format format, Level level, std::string_view timestamp, std::string_view event,
                   std::initializer_list<Field> fields) {
  std::string out;
  out.reserve(64 + fields.size() * 24);
  if (format == Format::kJson) {
    out += '{';
    if (!timestamp.empty()) {
      out += "\"ts\":\"";
      out += timestamp;
      out += "\",";
    }
    out += "\"level\":\"";
    out += JsonLevel(level);
    out += "\",\"event\":\"";
    AppendToken(out, event);
    out += '"';
    for (const Field& field : fields) {
      out += ",\"";
      // The envelope's keys can't be overridden by a field.
      if (IsReservedJsonKey(field.key)) out += '_';
      AppendToken(out, field.key);
      out += "\":";
      if (field.number && IsJsonLiteral(field.value)) {
        out += field.value;
      } else {
        AppendQuoted(out, field.value);
      }
    }
    out += '}';
    return out;
  }
  if (!timestamp.empty()) {
    out += timestamp;
    out += ' ';
  }
  out += TextLevel(level);
  out += ' ';
  AppendToken(out, event);
  for (const Field& field : fields) {
    out += ' ';
    AppendToken(out, field.key);
    out += '=';
    if (IsPlainText(field.value)) {
      out += field.value;
    } else {
      AppendQuoted(out, field.value);
    }
  }
  return out;
}

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k) {
  number = std::isfinite(v);
  value = number ? fmt::format("{}", v) : (std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"));
}

void Init(Format format, Level level, const std::string& path) {
  State& state = GlobalState();
  std::string open_error;
  std::shared_ptr<spdlog::logger> logger;
  if (path.empty()) {
    logger = State::MakeLogger(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    try {
      logger = State::MakeLogger(
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false));
    } catch (const std::exception& e) {
      open_error = e.what();
    }
  }
  state.format.store(format);
  state.level.store(level);
  if (logger) {
    std::lock_guard lock(state.mu);
    state.logger = std::move(logger);
  }
  if (!open_error.empty()) {
    // Init() has no error channel; stay on stderr and say so loudly rather than log nowhere.
    Error("log.file_open_failed", {{"path", path}, {"reason", open_error}});
  }
}

Level ParseLevelOr(std::string_view text, Level fallback) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "debug" || lower == "trace") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  return fallback;
}

void Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  State& state = GlobalState();
  if (level < state.level.load(std::memory_order_relaxed)) return;
  const std::string line =
      Render(state.format.load(std::memory_order_relaxed), level, NowUtc(), event, fields);
  state.Logger()->log(SpdlogLevel(level), spdlog::string_view_t(line.data(), line.size()));
}

std::string FormatLine(Format format, Level level, std::string_view event,
                       std::initializer_list<Field> fields) {
  return Render(format, level, {}, event, fields);
}

}  // namespace nadajnik::log
