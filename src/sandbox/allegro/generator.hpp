// Generator: realistic Allegro orders, deterministic from (seed, index).
//
// The same seed and index always give the same order, byte for byte: names with diacritics of the
// marketplace's country (Polish, Czech, Slovak, Hungarian), addresses and postal codes of that
// country, companies with tax ids asking for invoices, guests, 1-4 line items with SKUs, prices in
// the marketplace's currency, Smart and not, parcel lockers / points and courier addresses,
// online payments and cash on delivery, surcharges, buyer notes. No I/O; thread-safe.
#pragma once

#include <cstdint>

#include "sandbox/allegro/model.hpp"

namespace nadajnik::sandbox::allegro {

struct OrderSeed {
  std::uint64_t seed = 1;   // the run's --seed
  std::uint64_t index = 0;  // the order's number in this run
  Marketplace marketplace = Marketplace::kPl;
  Timestamp bought_at;  // line items' boughtAt
};

GeneratedOrder GenerateOrder(const OrderSeed& seed);

// Deterministic helpers shared with the state (ids that must be stable for a seed).
std::string DeterministicUuid(std::uint64_t seed, std::uint64_t a, std::uint64_t b);
// Allegro's short hex revision ("819b5836") of version `version` of an order.
std::string RevisionHex(std::uint64_t seed, std::uint64_t index, std::uint32_t version);

}  // namespace nadajnik::sandbox::allegro
