#include "store/db.hpp"

#include <charconv>

#include "core/text.hpp"

namespace nadajnik::store {

std::int64_t DbRows::Int(std::size_t row, std::size_t col) const {
  const DbValue& v = at(row, col);
  if (v.is_int()) return v.as_int();
  if (v.is_null()) return 0;
  // Text that holds a number (e.g. PostgreSQL's text format for COUNT(*)).
  std::int64_t out = 0;
  const std::string& s = v.as_text();
  std::from_chars(s.data(), s.data() + s.size(), out);
  return out;
}

std::string DbRows::Text(std::size_t row, std::size_t col) const {
  const DbValue& v = at(row, col);
  if (v.is_null()) return {};
  if (v.is_int()) return std::to_string(v.as_int());
  return v.as_text();
}

std::optional<std::string> DbRows::OptText(std::size_t row, std::size_t col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

std::optional<std::int64_t> DbRows::OptInt(std::size_t row, std::size_t col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

std::string SqlExcerpt(std::string_view sql, std::size_t max_bytes) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() > max_bytes + 4) break;  // enough to know it must be cut
  }
  return TruncateUtf8(out, max_bytes);
}

}  // namespace nadajnik::store
