// "Wysyłam z Allegro" / Allegro Smart: Allegro's shipment-management API as a carrier.
// (Interface for the factory; the connector itself is declared below by its author.)
#pragma once

#include <memory>

#include "carriers/carrier_connector.hpp"
#include "domain/carrier_settings.hpp"
#include "marketplace/marketplace_connector.hpp"

namespace nadajnik::carriers::allegro_shipping {

// A connector speaking through `allegro` (the account's connector: tokens, request budget).
// kInvalidArgument naming the key when `settings` don't validate.
Result<std::unique_ptr<CarrierConnector>> MakeConnector(
    const domain::CarrierSettings& settings,
    std::unique_ptr<marketplace::MarketplaceConnector> allegro);

}  // namespace nadajnik::carriers::allegro_shipping
