// Small text helpers for untrusted input: bounding without breaking UTF-8, validation.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nadajnik {

// At most max_bytes bytes, cut at a UTF-8 character boundary, with "…" appended when cut
// (the ellipsis counts towards max_bytes).
std::string TruncateUtf8(std::string_view text, std::size_t max_bytes);
bool IsValidUtf8(std::string_view text);
// Lower-cases ASCII letters only (Polish letters are left as they are).
std::string AsciiLower(std::string_view text);

// A base URL without its trailing slashes ("https://api.allegro.pl/" -> "https://api.allegro.pl"),
// so that paths can be appended with one "/".
std::string TrimTrailingSlashes(std::string_view url);
// `text` without leading and trailing ASCII whitespace.
std::string Trim(std::string_view text);
// Lower-case for search: ASCII, Latin-1 and Latin Extended-A letters (every letter of Polish,
// Czech, Slovak and Hungarian: Ż -> ż, Ř -> ř, Ő -> ő). Other characters pass through; invalid
// UTF-8 bytes pass through unchanged.
std::string FoldCase(std::string_view text);

// One code point of `s` at `i`, moving `i` past it; nullopt for a byte that starts no valid
// shortest-form sequence (then `i` moves past that byte only).
std::optional<char32_t> DecodeUtf8(std::string_view s, std::size_t& i);
void AppendUtf8(std::string& out, char32_t cp);

}  // namespace nadajnik
