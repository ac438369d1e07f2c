// Untrusted label text (buyer names, comments) made safe to render: UTF-8 decoded leniently,
// bounded, with control characters and characters the output can't show replaced. Pure and
// thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace nadajnik::documents {

// At most `max_code_points` characters of `text`: invalid UTF-8 bytes become '?', control
// characters (tabs and line breaks included) become spaces, runs of spaces collapse to one and
// the ends are trimmed; a character for which `printable(cp)` is false becomes '?'. When text
// was cut, "…" ends the result.
template <typename Printable>
std::string CleanLabelText(std::string_view text, std::size_t max_code_points, Printable printable);

// The decoded code point at text[i] (advancing i), or U+FFFD for an invalid sequence.
char32_t NextCodePoint(std::string_view text, std::size_t& i);
void AppendUtf8(std::string& out, char32_t cp);

template <typename Printable>
std::string CleanLabelText(std::string_view text, std::size_t max_code_points,
                           Printable printable) {
  std::string out;
  out.reserve(std::min(text.size(), max_code_points * 2));
  std::size_t count = 0;
  bool pending_space = false;
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t cp = NextCodePoint(text, i);
    const bool control = cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029;
    if (control || cp == U' ' || cp == 0xA0) {
      pending_space = count > 0;
      continue;
    }
    if (cp == 0xFFFD || !printable(cp)) cp = U'?';
    const std::size_t needed = pending_space ? 2 : 1;
    if (count + needed > max_code_points) {
      AppendUtf8(out, U'…');
      return out;
    }
    if (pending_space) {
      out.push_back(' ');
      ++count;
      pending_space = false;
    }
    AppendUtf8(out, cp);
    ++count;
  }
  return out;
}

}  // namespace nadajnik::documents
