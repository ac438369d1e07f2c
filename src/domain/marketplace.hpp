// Allegro's marketplaces. An order belongs to exactly one and all its amounts are in that
// marketplace's currency (allegro.cz orders stay in CZK: no conversion).
#pragma once

#include <optional>
#include <string_view>

#include "core/money.hpp"

namespace nadajnik::domain {

enum class Marketplace { kAllegroPl, kAllegroCz, kAllegroSk, kAllegroHu };

std::string_view MarketplaceId(Marketplace m);  // "allegro-pl"
std::optional<Marketplace> ParseMarketplace(std::string_view id);
Currency MarketplaceCurrency(Marketplace m);  // PLN, CZK, EUR, HUF

}  // namespace nadajnik::domain
