// Placeholder until the connector lands (replaced by its implementation).
#include "carriers/allegro_shipping/api.hpp"

namespace nadajnik::carriers::allegro_shipping {

Result<std::unique_ptr<CarrierConnector>> MakeConnector(
    const domain::CarrierSettings&, std::unique_ptr<marketplace::MarketplaceConnector>) {
  return Fail(ErrorCode::kFailedPrecondition, "Wysyłam z Allegro is not available yet");
}

}  // namespace nadajnik::carriers::allegro_shipping
