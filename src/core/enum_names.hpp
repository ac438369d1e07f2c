// Name tables for enums that cross a boundary (database, API, Allegro's wire format):
//   constexpr std::pair<Color, std::string_view> kColors[] = {{Color::kRed, "red"}, ...};
//   NameOf(kColors, Color::kRed) == "red"; ParseName(kColors, "red") == Color::kRed.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace nadajnik {

template <typename E, std::size_t N>
constexpr std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N], E value) {
  for (const auto& [v, n] : table) {
    if (v == value) return n;
  }
  return table[0].second;
}

template <typename E, std::size_t N>
constexpr std::optional<E> ParseName(const std::pair<E, std::string_view> (&table)[N],
                                     std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace nadajnik
