#include "carriers/polish_address.hpp"

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

}  // namespace nadajnik::carriers
