// The sandbox's own picture of Allegro's orders, shaped like the wire format of
// shared/reference/allegro-api.md (CheckoutForm), not like Nadajnik's domain model: the simulator
// follows the documentation, never our client.
//
// An order's static content (buyer, delivery, items, prices) is a pure function of the generator
// seed and the order's index (generator.hpp), so a million orders cost only their small mutable
// records (state.hpp); GeneratedOrder is built when a request needs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/money.hpp"

namespace nadajnik::sandbox::allegro {

enum class Marketplace : std::uint8_t { kPl, kCz, kSk, kHu };
std::string_view MarketplaceWireId(Marketplace m);  // "allegro-pl"
std::optional<Marketplace> ParseMarketplaceWireId(std::string_view id);
std::string_view MarketplaceCurrency(Marketplace m);  // "PLN", "CZK", "EUR", "HUF"

struct WireAddress {
  std::string first_name;
  std::string last_name;
  std::string company;  // empty: null on the wire
  std::string street;
  std::string city;
  std::string zip_code;
  std::string country_code;
  std::string phone;
};

struct WirePickupPoint {
  std::string id;  // "POZ08A" (InPost), "CZ-1234" (Czech points)
  std::string name;
  std::string description;
  WireAddress address;
};

struct WireLineItem {
  std::string id;  // UUID, stable across merges
  std::string offer_id;
  std::string offer_name;
  std::string external_id;  // SKU; empty: no "external"
  int quantity = 1;
  Money original_price;
  Money price;
  Timestamp bought_at;
};

struct WirePayment {
  std::string id;                    // UUID
  std::string type;                  // ONLINE, CASH_ON_DELIVERY, ...
  std::string provider;              // P24, PAYU, AF, OFFLINE
  std::optional<Money> paid_amount;  // absent for COD
};

struct WireInvoice {
  bool required = false;
  std::string company_name;
  std::string tax_id;       // "1111111111"
  std::string tax_id_type;  // PL_NIP, CZ_ICO, SK_ICO, HU_ADOSZAM
  WireAddress address;
};

// Everything about one order that never changes after it was bought.
struct GeneratedOrder {
  std::string checkout_form_id;  // UUID
  Marketplace marketplace = Marketplace::kPl;
  std::string buyer_id;
  std::string buyer_login;  // "Kasia_1987" or "Client:12345" for guests
  std::string buyer_email;  // masked: <random>+<hex>@allegromail.pl
  std::string buyer_first_name;
  std::string buyer_last_name;
  std::string buyer_company;
  std::string buyer_phone;
  bool guest = false;
  std::string buyer_language;  // pl-PL, cs-CZ, sk-SK, hu-HU
  WireAddress buyer_address;
  WirePayment payment;
  std::string delivery_method_id;  // UUID
  std::string delivery_method_name;
  bool smart = false;
  std::optional<WireAddress> delivery_address;  // courier
  std::optional<WirePickupPoint> pickup_point;  // lockers and points
  Money delivery_cost;
  WireInvoice invoice;
  std::vector<WireLineItem> line_items;
  std::vector<WirePayment> surcharges;
  std::string message_to_seller;  // the buyer's note; empty: absent
  Money total_to_pay;             // items + delivery + surcharges
};

}  // namespace nadajnik::sandbox::allegro
