#include "sandbox/allegro/model.hpp"

#include <utility>

#include "core/enum_names.hpp"

namespace nadajnik::sandbox::allegro {

namespace {
// shared/reference/allegro-api.md section 8. The business variants (allegro-business-pl...) are
// not accepted: the sandbox creates orders on the four consumer sites only.
constexpr std::pair<Marketplace, std::string_view> kWireIds[] = {
    {Marketplace::kPl, "allegro-pl"},
    {Marketplace::kCz, "allegro-cz"},
    {Marketplace::kSk, "allegro-sk"},
    {Marketplace::kHu, "allegro-hu"},
};
constexpr std::pair<Marketplace, std::string_view> kCurrencies[] = {
    {Marketplace::kPl, "PLN"},
    {Marketplace::kCz, "CZK"},
    {Marketplace::kSk, "EUR"},
    {Marketplace::kHu, "HUF"},
};
}  // namespace

std::string_view MarketplaceWireId(Marketplace m) { return NameOf(kWireIds, m); }

std::optional<Marketplace> ParseMarketplaceWireId(std::string_view id) {
  return ParseName(kWireIds, id);
}

std::string_view MarketplaceCurrency(Marketplace m) { return NameOf(kCurrencies, m); }

}  // namespace nadajnik::sandbox::allegro
