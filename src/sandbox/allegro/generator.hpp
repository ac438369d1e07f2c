// Generator: realistic Allegro orders, deterministic from (seed, index).
//
// The same seed and index always give the same order, byte for byte: names with diacritics of the
// marketplace's country (Polish, Czech, Slovak, Hungarian), addresses and postal codes of that
// country, companies with tax ids asking for invoices, guests, 1-4 line items with SKUs, prices in
// the marketplace's currency, Smart and not, parcel lockers / points and courier addresses,
// online payments and cash on delivery, surcharges, buyer notes. No I/O; thread-safe.
#pragma once

#include <optional>

#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/allegro/model.hpp"

namespace nadajnik::sandbox::allegro {

struct OrderSeed {
  std::uint64_t seed = 1;   // the run's --seed
  std::uint64_t index = 0;  // the order's number in this run
  Marketplace marketplace = Marketplace::kPl;
  Timestamp bought_at;       // line items' boughtAt
  std::uint32_t seller = 0;  // whose offers the line items are (offer ids are per seller)
};

GeneratedOrder GenerateOrder(const OrderSeed& seed);

// One offer of a seller's catalogue: the offers GenerateOrder sells, as one marketplace shows
// them. Id, SKU and category are the same on every marketplace (stock is shared); the name and
// the price are the marketplace's.
struct CatalogueOffer {
  std::string id;   // numeric, unique per (seed, seller)
  std::string sku;  // empty: the offer has no SKU
  std::string name;
  std::string category_id;
  Money price;
};
std::vector<CatalogueOffer> SellerCatalogue(std::uint64_t seed, std::uint32_t seller,
                                            Marketplace marketplace);

// Deterministic helpers shared with the state (ids that must be stable for a seed).
std::string DeterministicUuid(std::uint64_t seed, std::uint64_t a, std::uint64_t b);
// Allegro's short hex revision ("819b5836") of version `version` of an order.
std::string RevisionHex(std::uint64_t seed, std::uint64_t index, std::uint32_t version);

// A parcel-locker id this generator hands out ("POZ08A": a Polish city's code, two digits, a
// suffix), with the city's name and a postal code in it; nullopt for any other id. The InPost
// simulator knows these lockers, as InPost knows every locker Allegro offers a buyer.
struct GeneratedLocker {
  std::string city;
  std::string postal_code;
};
std::optional<GeneratedLocker> FindGeneratedLocker(std::string_view id);

// An ORLEN Paczka point id this generator hands out: its 6-digit PSD, drawn from 100000..399999
// and tied to no city, so the city here (a Polish one, with its InPost-style code "WAW" and a
// postal code) is derived from the PSD: stable, not the address the order shows. nullopt for any
// other id. The ORLEN simulator knows these points, as ORLEN knows every point Allegro offers.
struct GeneratedOrlenPoint {
  std::string psd;
  std::string city;
  std::string city_code;  // "WAW", "KRA", ...
  std::string postal_code;
};
std::optional<GeneratedOrlenPoint> FindGeneratedOrlenPoint(std::string_view psd);

}  // namespace nadajnik::sandbox::allegro
