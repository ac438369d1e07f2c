// Carrier connectors from a seller's stored carrier settings (domain::CarrierSettings).
//
// Each carrier reads its own keys from `settings` (plain) and `secrets` (encrypted at rest):
// SettingKeys() lists them with a Polish description for the CLI and the panel, and
// ValidateCarrierSettings() names every missing or malformed one at once. Base URLs are keys
// too ("base_url" ...), defaulting to the carrier's production host; the demo points them at
// the built-in sandbox. Keys every carrier shares (read by the shipment service):
//   default_service      the carrier's service code used when a shipment names none (Wysyłam z
//                        Allegro needs none: the order's delivery method decides)
//   default_template     parcel size template (InPost small/medium/large, ...)
//   default_weight_grams parcel weight used when a shipment names none
//   default_length_mm, default_width_mm, default_height_mm  parcel size when a shipment names
//                        none (Wysyłam z Allegro needs it)
//   sending_point        where the seller drops parcels (an InPost locker), if not collected
//   bank_account         NRB for cash on delivery, where the carrier asks for one
//   comment_template     the shipment comment ("Zamówienie {order.checkoutFormId}"; see
//                        services/comment_template.hpp)
//   status_after_label   local status code the order moves to once its label exists ("" none)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "carriers/carrier_connector.hpp"
#include "core/result.hpp"
#include "domain/carrier_settings.hpp"

namespace nadajnik::net {
class HttpClient;
}
namespace nadajnik::marketplace {
class ConnectorFactory;
}

namespace nadajnik::carriers {

struct SettingKey {
  std::string key;
  bool secret = false;
  bool required = false;
  std::string description;  // Polish, for the CLI help and the panel's label
};

struct SettingProblem {
  std::string key;
  std::string message;  // Polish, names what is wrong and what to enter
};

// The keys `carrier` reads (shared keys included).
std::vector<SettingKey> SettingKeys(domain::Carrier carrier);

// Every problem at once (unknown key with a did-you-mean, missing required key, malformed value
// such as a non-numeric organization id or an NRB with a bad checksum); empty when usable.
std::vector<SettingProblem> ValidateCarrierSettings(const domain::CarrierSettings& settings);

struct CarrierEnv {
  net::HttpClient& http;
  // For "Wysyłam z Allegro": the account's Allegro connector (tokens, budget). May be null when
  // the process has no marketplace; then that carrier is refused with a clear message.
  marketplace::ConnectorFactory* allegro = nullptr;
};

// A connector for these settings; kInvalidArgument naming the keys when they don't validate.
Result<std::unique_ptr<CarrierConnector>> MakeCarrierConnector(
    const domain::CarrierSettings& settings, CarrierEnv& env);

}  // namespace nadajnik::carriers
