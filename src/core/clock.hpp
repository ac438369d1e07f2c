// Time in Nadajnik: UTC everywhere, millisecond precision, stored as milliseconds since the epoch.
//
// Clock is injected wherever "now" matters so tests can use FakeClock. SystemClock is
// thread-safe; FakeClock is thread-safe too (an atomic), so a test may advance it while
// workers read it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace nadajnik {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_ms_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp{milliseconds{now_ms_.load()}}; }
  void Advance(milliseconds d) { now_ms_ += d.count(); }
  void Set(Timestamp t) { now_ms_ = t.time_since_epoch().count(); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

inline std::int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMillis(std::int64_t ms) { return Timestamp{milliseconds{ms}}; }

// "2024-01-10T10:12:32.321Z" (always UTC, always milliseconds).
std::string FormatIso8601(Timestamp t);
// Accepts RFC 3339 date-times as Allegro sends them: "2024-01-10T10:12:32Z",
// "...32.321Z", "...32.321456Z", "...32+01:00". The result is UTC.
Result<Timestamp> ParseIso8601(std::string_view text);
// "2026-11-25 15:37" in the given IANA zone (the panel shows Polish sellers their own time).
// Falls back to UTC with a " UTC" suffix if the zone is unknown on this machine.
std::string FormatLocal(Timestamp t, std::string_view zone = "Europe/Warsaw");
// The zone's offset from UTC at `t` (+1 h or +2 h for Europe/Warsaw); 0 for an unknown zone.
std::chrono::seconds UtcOffset(Timestamp t, std::string_view zone = "Europe/Warsaw");

}  // namespace nadajnik
