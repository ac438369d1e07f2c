// Money: integer minor units plus an ISO 4217 currency code. Never a double.
//
// Allegro sends amounts as decimal strings ("138.44"); ParseMoney converts them exactly, and
// refuses more fractional digits than the currency has. Arithmetic across currencies is an error
// the caller sees (Add returns Result), not a silent conversion: a CZK order stays in CZK.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace nadajnik {

class Currency {
 public:
  Currency() = default;
  // Accepts exactly three ASCII upper-case letters.
  static Result<Currency> Parse(std::string_view code);
  static Currency PLN();

  std::string_view code() const { return {code_.data(), 3}; }
  // Number of fractional digits (ISO 4217 exponent): 2 for PLN, CZK, EUR, HUF; 0 for JPY...
  int exponent() const;
  bool empty() const { return code_[0] == '\0'; }
  friend bool operator==(const Currency&, const Currency&) = default;

 private:
  std::array<char, 4> code_{};
};

struct Money {
  std::int64_t minor = 0;
  Currency currency;

  friend bool operator==(const Money&, const Money&) = default;
  // "138.44 PLN"
  std::string ToString() const;
  // "138.44" (the decimal amount alone, as Allegro's API wants it)
  std::string AmountString() const;
};

// Parses a decimal amount string ("12", "12.5", "12.50", "-3.10") in the given currency.
Result<Money> ParseMoney(std::string_view amount, std::string_view currency);
Result<Money> Add(const Money& a, const Money& b);
Money Multiply(const Money& unit, std::int64_t quantity);

}  // namespace nadajnik
