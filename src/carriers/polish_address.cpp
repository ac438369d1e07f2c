#include "carriers/polish_address.hpp"

#include <cctype>
#include <vector>

#include <algorithm>

namespace nadajnik::carriers {

std::string CleanText(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::optional<std::string> NormalizePostalCode(std::string_view code) {
  const std::string c = CleanText(code);
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  const std::string_view v = c;
  if (c.size() == 6 && c[2] == '-' && digits(v.substr(0, 2)) && digits(v.substr(3))) return c;
  if (c.size() == 5 && digits(v)) return c.substr(0, 2) + "-" + c.substr(2);
  return std::nullopt;
}

std::optional<std::string> NormalizePolishPhone(std::string_view phone) {
  std::string digits;
  bool plus = false;
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return std::nullopt;
    }
  }
  if (plus) {
    if (!digits.starts_with("48")) return std::nullopt;
    digits = digits.substr(2);
  } else if (digits.size() == 13 && digits.starts_with("0048")) {
    digits = digits.substr(4);
  } else if (digits.size() == 11 && digits.starts_with("48")) {
    digits = digits.substr(2);
  }
  if (digits.size() != 9 || digits[0] == '0') return std::nullopt;
  return digits;
}

StreetAndBuilding SplitStreetAndBuilding(std::string_view street) {
  const std::string clean = CleanText(street);
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < clean.size()) {
    auto end = clean.find(' ', start);
    if (end == std::string::npos) end = clean.size();
    if (end > start) words.push_back(clean.substr(start, end - start));
    start = end + 1;
  }
  auto digit_first = [&](std::size_t i) {
    return !words[i].empty() && words[i][0] >= '0' && words[i][0] <= '9';
  };
  auto flat_marker = [&](std::size_t i) {
    std::string w;
    for (char c : words[i]) w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return w == "m." || w == "m" || w == "lok." || w == "lok" || w == "lokal" || w == "/";
  };
  std::optional<std::size_t> at;
  for (std::size_t i = words.size(); i-- > 1;) {
    if (!digit_first(i)) continue;
    if (flat_marker(i - 1)) {
      for (std::size_t j = i - 1; j-- > 1;) {
        if (digit_first(j)) {
          at = j;
          break;
        }
      }
    } else {
      at = i;
    }
    break;
  }
  if (!at) return {clean, ""};
  StreetAndBuilding out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string& part = i < *at ? out.street : out.building;
    if (!part.empty()) part += ' ';
    part += words[i];
  }
  return out;
}

}  // namespace nadajnik::carriers
