#include "domain/marketplace.hpp"

namespace nadajnik::domain {

namespace {
struct Info {
  Marketplace marketplace;
  std::string_view id;
  std::string_view currency;
};
constexpr Info kMarketplaces[] = {
    {Marketplace::kAllegroPl, "allegro-pl", "PLN"},
    {Marketplace::kAllegroCz, "allegro-cz", "CZK"},
    {Marketplace::kAllegroSk, "allegro-sk", "EUR"},
    {Marketplace::kAllegroHu, "allegro-hu", "HUF"},
};
}  // namespace

std::string_view MarketplaceId(Marketplace m) {
  for (const auto& i : kMarketplaces) {
    if (i.marketplace == m) return i.id;
  }
  return "allegro-pl";
}

std::optional<Marketplace> ParseMarketplace(std::string_view id) {
  for (const auto& i : kMarketplaces) {
    if (i.id == id) return i.marketplace;
  }
  return std::nullopt;
}

Currency MarketplaceCurrency(Marketplace m) {
  for (const auto& i : kMarketplaces) {
    if (i.marketplace == m) return *Currency::Parse(i.currency);
  }
  return Currency::PLN();
}

}  // namespace nadajnik::domain
