#include "core/clock.hpp"

#include <sstream>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace nadajnik {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

std::string FormatIso8601(Timestamp t) { return date::format("%FT%TZ", t); }

Result<Timestamp> ParseIso8601(std::string_view text) {
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("'{}' is not an ISO 8601 date-time such as 2024-01-10T10:12:32Z",
                            text.substr(0, 40)));
  };
  if (text.size() < 20 || text.size() > 40) return bad();
  std::string s(text);
  // Normalize the zone to +00:00 form for %Ez, keeping the fractional part.
  if (s.back() == 'Z' || s.back() == 'z') {
    s.pop_back();
    s += "+00:00";
  }
  std::istringstream in(s);
  std::chrono::sys_time<std::chrono::microseconds> tp;
  in >> date::parse("%FT%T%Ez", tp);
  if (in.fail()) return bad();
  in.peek();
  if (!in.eof()) return bad();
  return std::chrono::time_point_cast<milliseconds>(tp);
}

std::string FormatLocal(Timestamp t, std::string_view zone) {
  try {
    const auto* tz = date::locate_zone(zone);
    return date::format("%F %R", date::make_zoned(tz, std::chrono::floor<std::chrono::minutes>(t)));
  } catch (const std::exception&) {
    return date::format("%F %R UTC", std::chrono::floor<std::chrono::minutes>(t));
  }
}

std::chrono::seconds UtcOffset(Timestamp t, std::string_view zone) {
  try {
    const auto* tz = date::locate_zone(zone);
    return tz->get_info(std::chrono::floor<std::chrono::seconds>(t)).offset;
  } catch (const std::exception&) {
    return std::chrono::seconds(0);
  }
}

}  // namespace nadajnik
