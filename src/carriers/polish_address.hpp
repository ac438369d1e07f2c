// Address fields every Polish carrier checks the same way, before anything is sent: one place
// for the rules, so the connectors agree on them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nadajnik::carriers {

// Control characters become spaces, outer spaces go (text from buyers and settings).
std::string CleanText(std::string_view s);
// "60-166" as is, "60166" -> "60-166"; anything else nullopt.
std::optional<std::string> NormalizePostalCode(std::string_view code);
// A Polish number as 9 digits ("+48 600 700 800", "0048600700800", "48600700800" ->
// "600700800"; spaces, dashes, dots and brackets ignored); nullopt for a foreign or malformed
// one, or one starting with 0.
std::optional<std::string> NormalizePolishPhone(std::string_view phone);

// "Półwiejska 2/4" -> {"Półwiejska", "2/4"}; "3 Maja 12 m. 5" -> {"3 Maja", "12 m. 5"};
// "ul. Długa 7A" -> {"ul. Długa", "7A"}. The building is the last word starting with a digit
// (with a flat number after "m."/"lok." kept with it); no such word: {street, ""}.
struct StreetAndBuilding {
  std::string street;
  std::string building;
};
StreetAndBuilding SplitStreetAndBuilding(std::string_view street);

}  // namespace nadajnik::carriers
