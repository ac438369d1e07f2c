// Structured logs: one event per line, "text" (human, the default) or "json" (one JSON object a
// line). An event has a name and fields; field values are escaped (control characters, quotes,
// newlines) and bounded (1 KiB), so buyer- or API-supplied text can't forge a line.
// Secrets never go in: pass Secret<T> values only through fmt, which prints "***".
// Thread-safe. Init() may be called once at start; before it, logs go to stderr as text at info.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace nadajnik::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, double v);
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), number(true) {}
  std::string key;
  std::string value;
  bool number = false;
};

// Sends logs to stderr (default) or to the file at `path` (appending), in `format`.
void Init(Format format, Level level, const std::string& path = {});
Level ParseLevelOr(std::string_view text, Level fallback);

void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, e, f);
}
inline void Info(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, e, f);
}
inline void Warn(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, e, f);
}
inline void Error(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kError, e, f);
}

// The line Write() would emit, without the timestamp (for tests).
std::string FormatLine(Format format, Level level, std::string_view event,
                       std::initializer_list<Field> fields);

}  // namespace nadajnik::log
