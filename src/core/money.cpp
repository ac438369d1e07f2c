#include "core/money.hpp"

#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace nadajnik {

Result<Currency> Currency::Parse(std::string_view code) {
  if (code.size() != 3) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("currency must be a three-letter ISO 4217 code, got '{}'", code.substr(0, 16)));
  }
  Currency c;
  for (std::size_t i = 0; i < 3; ++i) {
    if (code[i] < 'A' || code[i] > 'Z') {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("currency must be three upper-case letters, got '{}'", code));
    }
    c.code_[i] = code[i];
  }
  return c;
}

Currency Currency::PLN() { return *Parse("PLN"); }

int Currency::exponent() const {
  // ISO 4217 currencies without minor units that a Central European seller may meet.
  static constexpr std::string_view kZero[] = {"JPY", "KRW", "ISK", "CLP", "VND", "XOF", "XAF"};
  for (auto z : kZero) {
    if (code() == z) return 0;
  }
  return 2;
}

namespace {
std::int64_t Pow10(int n) {
  std::int64_t r = 1;
  while (n-- > 0) r *= 10;
  return r;
}
}  // namespace

std::string Money::AmountString() const {
  const int exp = currency.exponent();
  if (exp == 0) return fmt::format("{}", minor);
  const std::int64_t scale = Pow10(exp);
  const bool negative = minor < 0;
  // Work in unsigned to survive INT64_MIN.
  const std::uint64_t abs =
      negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  return fmt::format("{}{}.{:0{}}", negative ? "-" : "", abs / scale, abs % scale, exp);
}

std::string Money::ToString() const {
  return fmt::format("{} {}", AmountString(), currency.code());
}

Result<Money> ParseMoney(std::string_view amount, std::string_view currency_code) {
  NADAJNIK_ASSIGN_OR_RETURN(Currency currency, Currency::Parse(currency_code));
  auto bad = [&](std::string_view why) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("amount '{}' is not a valid {} amount: {}", amount.substr(0, 32),
                            currency.code(), why));
  };
  std::string_view s = amount;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return bad("empty");
  const int exp = currency.exponent();
  std::int64_t whole = 0;
  std::int64_t frac = 0;
  int frac_digits = 0;
  bool seen_dot = false;
  bool seen_digit = false;
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1000;
  for (char ch : s) {
    if (ch == '.') {
      if (seen_dot) return bad("two decimal points");
      seen_dot = true;
      continue;
    }
    if (ch < '0' || ch > '9') return bad("unexpected character");
    seen_digit = true;
    if (seen_dot) {
      if (++frac_digits > exp) {
        if (ch != '0') return bad(fmt::format("more than {} fractional digits", exp));
        --frac_digits;  // trailing zeros beyond the exponent are harmless ("1.000")
        continue;
      }
      frac = frac * 10 + (ch - '0');
    } else {
      if (whole > kLimit) return bad("too large");
      whole = whole * 10 + (ch - '0');
    }
  }
  if (!seen_digit) return bad("no digits");
  std::int64_t minor = whole * Pow10(exp) + frac * Pow10(exp - frac_digits);
  return Money{negative ? -minor : minor, currency};
}

Result<Money> Add(const Money& a, const Money& b) {
  if (!(a.currency == b.currency)) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("cannot add {} to {}: different currencies", b.ToString(), a.ToString()));
  }
  return Money{a.minor + b.minor, a.currency};
}

Money Multiply(const Money& unit, std::int64_t quantity) {
  return Money{unit.minor * quantity, unit.currency};
}

}  // namespace nadajnik
