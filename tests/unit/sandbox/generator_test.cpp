#include "sandbox/allegro/generator.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/text.hpp"

namespace nadajnik::sandbox::allegro {
namespace {

const Timestamp kBoughtAt = FromUnixMillis(1'718'012'345'678);  // 2024-06-10T09:45:45.678Z
constexpr Marketplace kMarketplaces[] = {Marketplace::kPl, Marketplace::kCz, Marketplace::kSk,
                                         Marketplace::kHu};

GeneratedOrder Make(std::uint64_t index, Marketplace m = Marketplace::kPl, std::uint64_t seed = 1) {
  return GenerateOrder({seed, index, m, kBoughtAt});
}

// `count` orders of seed 1 in a marketplace, generated once per test binary. An index names one
// order of a run whatever its marketplace (the state never reuses one), so each marketplace
// draws from its own range of indexes.
const std::vector<GeneratedOrder>& Sample(Marketplace m, std::size_t count) {
  static std::map<std::pair<Marketplace, std::size_t>, std::vector<GeneratedOrder>> cache;
  auto& orders = cache[{m, count}];
  if (orders.empty()) {
    const std::uint64_t first = static_cast<std::uint64_t>(m) * 1'000'000;
    for (std::size_t i = 0; i < count; ++i) orders.push_back(Make(first + i, m));
  }
  return orders;
}

bool Matches(const std::string& s, const std::string& pattern) {
  static std::map<std::string, std::regex> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern)).first;
  return std::regex_match(s, it->second);
}

// The messages of the failures `check` reports, kept from the running test.
template <typename F>
std::vector<std::string> FailuresOf(F check) {
  testing::TestPartResultArray results;
  {
    testing::ScopedFakeTestPartResultReporter reporter(
        testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) {
    messages.push_back(results.GetTestPartResult(i).message());
  }
  return messages;
}

const char* const kUuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

// ---- field-by-field equality --------------------------------------------------------------

void ExpectSameMoney(const Money& a, const Money& b, const std::string& what) {
  EXPECT_EQ(a.minor, b.minor) << what;
  EXPECT_EQ(a.currency.code(), b.currency.code()) << what;
}

void ExpectSameAddress(const WireAddress& a, const WireAddress& b, const std::string& what) {
  EXPECT_EQ(a.first_name, b.first_name) << what;
  EXPECT_EQ(a.last_name, b.last_name) << what;
  EXPECT_EQ(a.company, b.company) << what;
  EXPECT_EQ(a.street, b.street) << what;
  EXPECT_EQ(a.city, b.city) << what;
  EXPECT_EQ(a.zip_code, b.zip_code) << what;
  EXPECT_EQ(a.country_code, b.country_code) << what;
  EXPECT_EQ(a.phone, b.phone) << what;
}

void ExpectSamePayment(const WirePayment& a, const WirePayment& b, const std::string& what) {
  EXPECT_EQ(a.id, b.id) << what;
  EXPECT_EQ(a.type, b.type) << what;
  EXPECT_EQ(a.provider, b.provider) << what;
  ASSERT_EQ(a.paid_amount.has_value(), b.paid_amount.has_value()) << what;
  if (a.paid_amount) ExpectSameMoney(*a.paid_amount, *b.paid_amount, what + ".paid_amount");
}

void ExpectSameOrder(const GeneratedOrder& a, const GeneratedOrder& b) {
  EXPECT_EQ(a.checkout_form_id, b.checkout_form_id);
  EXPECT_EQ(a.marketplace, b.marketplace);
  EXPECT_EQ(a.buyer_id, b.buyer_id);
  EXPECT_EQ(a.buyer_login, b.buyer_login);
  EXPECT_EQ(a.buyer_email, b.buyer_email);
  EXPECT_EQ(a.buyer_first_name, b.buyer_first_name);
  EXPECT_EQ(a.buyer_last_name, b.buyer_last_name);
  EXPECT_EQ(a.buyer_company, b.buyer_company);
  EXPECT_EQ(a.buyer_phone, b.buyer_phone);
  EXPECT_EQ(a.guest, b.guest);
  EXPECT_EQ(a.buyer_language, b.buyer_language);
  ExpectSameAddress(a.buyer_address, b.buyer_address, "buyer_address");
  ExpectSamePayment(a.payment, b.payment, "payment");
  EXPECT_EQ(a.delivery_method_id, b.delivery_method_id);
  EXPECT_EQ(a.delivery_method_name, b.delivery_method_name);
  EXPECT_EQ(a.smart, b.smart);
  ASSERT_EQ(a.delivery_address.has_value(), b.delivery_address.has_value());
  if (a.delivery_address) {
    ExpectSameAddress(*a.delivery_address, *b.delivery_address, "delivery_address");
  }
  ASSERT_EQ(a.pickup_point.has_value(), b.pickup_point.has_value());
  if (a.pickup_point) {
    EXPECT_EQ(a.pickup_point->id, b.pickup_point->id);
    EXPECT_EQ(a.pickup_point->name, b.pickup_point->name);
    EXPECT_EQ(a.pickup_point->description, b.pickup_point->description);
    ExpectSameAddress(a.pickup_point->address, b.pickup_point->address, "pickup_point.address");
  }
  ExpectSameMoney(a.delivery_cost, b.delivery_cost, "delivery_cost");
  EXPECT_EQ(a.invoice.required, b.invoice.required);
  EXPECT_EQ(a.invoice.company_name, b.invoice.company_name);
  EXPECT_EQ(a.invoice.tax_id, b.invoice.tax_id);
  EXPECT_EQ(a.invoice.tax_id_type, b.invoice.tax_id_type);
  ExpectSameAddress(a.invoice.address, b.invoice.address, "invoice.address");
  ASSERT_EQ(a.line_items.size(), b.line_items.size());
  for (std::size_t i = 0; i < a.line_items.size(); ++i) {
    const WireLineItem& x = a.line_items[i];
    const WireLineItem& y = b.line_items[i];
    const std::string what = "line_items[" + std::to_string(i) + "]";
    EXPECT_EQ(x.id, y.id) << what;
    EXPECT_EQ(x.offer_id, y.offer_id) << what;
    EXPECT_EQ(x.offer_name, y.offer_name) << what;
    EXPECT_EQ(x.external_id, y.external_id) << what;
    EXPECT_EQ(x.quantity, y.quantity) << what;
    ExpectSameMoney(x.original_price, y.original_price, what + ".original_price");
    ExpectSameMoney(x.price, y.price, what + ".price");
    EXPECT_EQ(x.bought_at, y.bought_at) << what;
  }
  ASSERT_EQ(a.surcharges.size(), b.surcharges.size());
  for (std::size_t i = 0; i < a.surcharges.size(); ++i) {
    ExpectSamePayment(a.surcharges[i], b.surcharges[i], "surcharges[" + std::to_string(i) + "]");
  }
  EXPECT_EQ(a.message_to_seller, b.message_to_seller);
  ExpectSameMoney(a.total_to_pay, b.total_to_pay, "total_to_pay");
}

std::vector<const Money*> AllAmounts(const GeneratedOrder& o) {
  std::vector<const Money*> out{&o.delivery_cost, &o.total_to_pay};
  if (o.payment.paid_amount) out.push_back(&*o.payment.paid_amount);
  for (const auto& li : o.line_items) {
    out.push_back(&li.price);
    out.push_back(&li.original_price);
  }
  for (const auto& s : o.surcharges) {
    if (s.paid_amount) out.push_back(&*s.paid_amount);
  }
  return out;
}

std::vector<const WireAddress*> AllAddresses(const GeneratedOrder& o) {
  std::vector<const WireAddress*> out{&o.buyer_address};
  if (o.delivery_address) out.push_back(&*o.delivery_address);
  if (o.pickup_point) out.push_back(&o.pickup_point->address);
  if (o.invoice.required) out.push_back(&o.invoice.address);
  return out;
}

// Every human-readable text of an order.
std::vector<std::string> AllTexts(const GeneratedOrder& o) {
  std::vector<std::string> out{o.buyer_first_name,     o.buyer_last_name,      o.buyer_company,
                               o.delivery_method_name, o.invoice.company_name, o.message_to_seller};
  for (const WireAddress* a : AllAddresses(o)) {
    for (const std::string* s :
         {&a->first_name, &a->last_name, &a->company, &a->street, &a->city}) {
      out.push_back(*s);
    }
  }
  if (o.pickup_point) {
    out.push_back(o.pickup_point->name);
    out.push_back(o.pickup_point->description);
  }
  for (const auto& li : o.line_items) out.push_back(li.offer_name);
  return out;
}

// ---- tax id check digits, written independently of the generator ---------------------------

bool ValidNip(const std::string& v) {
  if (!Matches(v, "[1-9][0-9]{9}")) return false;
  const int w[] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += w[i] * (v[i] - '0');
  return sum % 11 != 10 && sum % 11 == v[9] - '0';
}

bool ValidIco(const std::string& v) {
  if (!Matches(v, "[0-9]{8}")) return false;
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += (8 - i) * (v[i] - '0');
  const int r = sum % 11;
  const int check = r == 0 ? 1 : r == 1 ? 0 : 11 - r;
  return check == v[7] - '0';
}

bool ValidAdoszam(const std::string& v) {
  if (!Matches(v, "[0-9]{8}-[1-5]-[0-9]{2}")) return false;
  const int w[] = {9, 7, 3, 1, 9, 7, 3};
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += w[i] * (v[i] - '0');
  const int county = std::stoi(v.substr(11, 2));
  const bool county_ok =
      (county >= 2 && county <= 20) || (county >= 22 && county <= 44) || county == 51;
  return (10 - sum % 10) % 10 == v[7] - '0' && county_ok;
}

// ---- determinism ----------------------------------------------------------------------------

TEST(SandboxGenerator, SameSeedAndIndexGiveTheSameOrder) {
  for (Marketplace m : kMarketplaces) {
    for (std::uint64_t i = 0; i < 300; ++i) {
      SCOPED_TRACE(testing::Message() << "marketplace " << MarketplaceWireId(m) << " index " << i);
      ExpectSameOrder(Make(i, m), Make(i, m));
    }
  }
  // No hidden state: an order generated after many others is still the same.
  const GeneratedOrder first = Make(7777, Marketplace::kCz);
  for (std::uint64_t i = 0; i < 100; ++i) Make(i, Marketplace::kHu);
  ExpectSameOrder(first, Make(7777, Marketplace::kCz));
}

TEST(SandboxGenerator, TheEqualityCheckNoticesADifference) {
  // Guards the test above: the comparison fails for two different orders, and for one field.
  const auto different = FailuresOf([] { ExpectSameOrder(Make(1), Make(2)); });
  ASSERT_FALSE(different.empty());
  EXPECT_NE(different.front().find("checkout_form_id"), std::string::npos) << different.front();
  GeneratedOrder changed = Make(3);
  changed.line_items.back().price.minor += 1;
  const auto one = FailuresOf([&] { ExpectSameOrder(Make(3), changed); });
  ASSERT_EQ(one.size(), 1u);
  EXPECT_NE(one.front().find("].price"), std::string::npos) << one.front();
  changed = Make(3);
  changed.pickup_point.reset();
  changed.delivery_address.reset();
  changed.delivery_address.emplace();
  EXPECT_FALSE(FailuresOf([&] { ExpectSameOrder(Make(3), changed); }).empty());
}

TEST(SandboxGenerator, OrdersAreTheSameOnEveryPlatform) {
  // Pinned values: another standard library, compiler or CPU must give exactly these, so a seed
  // names the same orders everywhere (bug reports and fixtures quote them). A deliberate change
  // of the generator changes them too: update them in the same commit.
  EXPECT_EQ(DeterministicUuid(1, 0, 0), "d35e0ff7-d167-47ad-bde8-31877bc5e7fe");
  EXPECT_EQ(DeterministicUuid(20250602, 123456, 7), "f82dceeb-b63e-4ba0-a4f1-569d30e272d9");
  EXPECT_EQ(RevisionHex(1, 0, 0), "ad9f2eb0");
  EXPECT_EQ(RevisionHex(1, 0, 1), "0ba56fe1");
  const GeneratedOrder o = Make(42);
  EXPECT_EQ(o.buyer_login, "biegacz_58");
  EXPECT_EQ(o.total_to_pay.AmountString(), "209.97");
  EXPECT_EQ(o.line_items.front().offer_id, "12258616825");
}

TEST(SandboxGenerator, CheckoutFormIdIsTheOneTheStateComputes) {
  // World::CheckoutFormId answers lookups with DeterministicUuid(seed, index, 0).
  for (std::uint64_t seed : {1ULL, 99ULL}) {
    for (std::uint64_t i = 0; i < 50; ++i) {
      EXPECT_EQ(GenerateOrder({seed, i, Marketplace::kSk, kBoughtAt}).checkout_form_id,
                DeterministicUuid(seed, i, 0));
    }
  }
}

TEST(SandboxGenerator, DifferentIndexesAndSeedsGiveDifferentIds) {
  std::set<std::string> ids;
  std::size_t expected = 0;
  for (Marketplace m : kMarketplaces) {
    const std::size_t n = m == Marketplace::kPl ? 10000 : 2000;
    for (const GeneratedOrder& o : Sample(m, n)) {
      ids.insert(o.checkout_form_id);
      ids.insert(o.payment.id);
      expected += 2;
      for (const auto& li : o.line_items) {
        ids.insert(li.id);
        ++expected;
      }
      for (const auto& s : o.surcharges) {
        ids.insert(s.id);
        ++expected;
      }
    }
  }
  EXPECT_EQ(ids.size(), expected);
  // The same index in a different marketplace or seed is another order.
  EXPECT_NE(Make(5, Marketplace::kPl, 1).checkout_form_id,
            Make(5, Marketplace::kPl, 2).checkout_form_id);
  EXPECT_NE(Make(5, Marketplace::kPl, 1).buyer_id, Make(5, Marketplace::kPl, 2).buyer_id);
  EXPECT_NE(DeterministicUuid(1, 5, 0), DeterministicUuid(1, 0, 5));
}

TEST(SandboxGenerator, IdsAreVersion4Uuids) {
  for (Marketplace m : kMarketplaces) {
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      EXPECT_TRUE(Matches(o.checkout_form_id, kUuid)) << o.checkout_form_id;
      EXPECT_TRUE(Matches(o.payment.id, kUuid)) << o.payment.id;
      EXPECT_TRUE(Matches(o.delivery_method_id, kUuid)) << o.delivery_method_name;
      for (const auto& li : o.line_items) EXPECT_TRUE(Matches(li.id, kUuid)) << li.id;
      for (const auto& s : o.surcharges) EXPECT_TRUE(Matches(s.id, kUuid)) << s.id;
    }
  }
  for (std::uint64_t a = 0; a < 1000; ++a) {
    const std::string u = DeterministicUuid(a * 7919, a, a % 3);
    EXPECT_TRUE(Matches(u, kUuid)) << u;
  }
}

TEST(SandboxGenerator, RevisionsAreShortHexAndNewForEveryVersion) {
  std::set<std::string> first_revisions;
  for (std::uint64_t index = 0; index < 200; ++index) {
    std::set<std::string> seen;
    for (std::uint32_t v = 0; v < 500; ++v) {
      const std::string r = RevisionHex(1, index, v);
      ASSERT_TRUE(Matches(r, "[0-9a-f]{8}")) << r;
      EXPECT_TRUE(seen.insert(r).second) << "index " << index << " repeats " << r << " at " << v;
      EXPECT_EQ(r, RevisionHex(1, index, v));
    }
    first_revisions.insert(RevisionHex(1, index, 0));
  }
  EXPECT_EQ(first_revisions.size(), 200u);
  EXPECT_NE(RevisionHex(1, 0, 0), RevisionHex(2, 0, 0));
}

// ---- money ----------------------------------------------------------------------------------

TEST(SandboxGenerator, EachMarketplaceUsesItsCurrencyEverywhere) {
  for (Marketplace m : kMarketplaces) {
    const std::string currency(MarketplaceCurrency(m));
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      for (const Money* money : AllAmounts(o)) {
        ASSERT_EQ(money->currency.code(), currency) << o.checkout_form_id;
        // Forints and crowns are whole: "4990.00", "349.00".
        if (m == Marketplace::kHu || m == Marketplace::kCz) {
          EXPECT_EQ(money->minor % 100, 0) << money->ToString();
          EXPECT_TRUE(money->AmountString().ends_with(".00")) << money->ToString();
        }
      }
    }
  }
}

TEST(SandboxGenerator, PricesAreInRealisticRanges) {
  // Cheapest and dearest unit prices, in the marketplace's minor units.
  const std::map<Marketplace, std::pair<std::int64_t, std::int64_t>> bounds = {
      {Marketplace::kPl, {500, 250000}},
      {Marketplace::kCz, {2000, 1500000}},
      {Marketplace::kSk, {100, 60000}},
      {Marketplace::kHu, {50000, 25000000}}};
  for (Marketplace m : kMarketplaces) {
    const auto [lo, hi] = bounds.at(m);
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      for (const auto& li : o.line_items) {
        EXPECT_GE(li.price.minor, lo) << li.offer_name << " " << li.price.ToString();
        EXPECT_LE(li.original_price.minor, hi) << li.offer_name << " " << li.price.ToString();
      }
    }
  }
}

TEST(SandboxGenerator, TotalsAddUpExactly) {
  for (Marketplace m : kMarketplaces) {
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      Money sum{0, o.total_to_pay.currency};
      for (const auto& li : o.line_items) {
        auto next = Add(sum, Multiply(li.price, li.quantity));
        ASSERT_TRUE(next) << next.error().message;
        sum = *next;
      }
      auto with_delivery = Add(sum, o.delivery_cost);
      ASSERT_TRUE(with_delivery);
      sum = *with_delivery;
      for (const auto& s : o.surcharges) {
        ASSERT_TRUE(s.paid_amount);
        auto next = Add(sum, *s.paid_amount);
        ASSERT_TRUE(next);
        sum = *next;
      }
      EXPECT_EQ(sum.minor, o.total_to_pay.minor) << o.checkout_form_id;
      EXPECT_GT(o.total_to_pay.minor, 0);
    }
  }
}

TEST(SandboxGenerator, OnlineOrdersArePaidInFullAndCashOnDeliveryIsNot) {
  int cod = 0;
  int online = 0;
  for (Marketplace m : kMarketplaces) {
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      if (o.payment.type == "CASH_ON_DELIVERY") {
        ++cod;
        EXPECT_EQ(o.payment.provider, "OFFLINE");
        EXPECT_FALSE(o.payment.paid_amount.has_value()) << o.checkout_form_id;
        // The courier collects totalToPay: nothing of it was paid online.
        EXPECT_TRUE(o.surcharges.empty());
        EXPECT_FALSE(o.smart);
      } else {
        ++online;
        EXPECT_EQ(o.payment.type, "ONLINE");
        const std::set<std::string> providers = m == Marketplace::kPl
                                                    ? std::set<std::string>{"P24", "PAYU", "AF"}
                                                    : std::set<std::string>{"PAYU", "AF"};
        EXPECT_TRUE(providers.count(o.payment.provider)) << o.payment.provider;
        ASSERT_TRUE(o.payment.paid_amount.has_value());
        // The main payment plus the surcharge payments are exactly what was due.
        std::int64_t paid = o.payment.paid_amount->minor;
        for (const auto& s : o.surcharges) {
          EXPECT_EQ(s.type, "ONLINE");
          ASSERT_TRUE(s.paid_amount.has_value());
          EXPECT_GT(s.paid_amount->minor, 0);
          paid += s.paid_amount->minor;
        }
        EXPECT_EQ(paid, o.total_to_pay.minor);
        if (o.surcharges.empty()) {
          EXPECT_EQ(*o.payment.paid_amount, o.total_to_pay);
        }
      }
    }
  }
  EXPECT_GT(cod, 0);
  EXPECT_GT(online, 0);
}

TEST(SandboxGenerator, LineItemsLookLikeAllegroOffers) {
  for (Marketplace m : kMarketplaces) {
    std::map<std::string, std::tuple<std::string, std::string, std::int64_t>> catalogue;
    int items = 0;
    int with_sku = 0;
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      ASSERT_GE(o.line_items.size(), 1u);
      ASSERT_LE(o.line_items.size(), 4u);
      std::set<std::string> offers;
      for (const auto& li : o.line_items) {
        ++items;
        EXPECT_TRUE(offers.insert(li.offer_id).second) << "offer twice in " << o.checkout_form_id;
        EXPECT_TRUE(Matches(li.offer_id, "[1-9][0-9]{10}")) << li.offer_id;
        EXPECT_FALSE(li.offer_name.empty());
        if (!li.external_id.empty()) {
          ++with_sku;
          EXPECT_TRUE(Matches(li.external_id, "SKU-[A-Z]{2}-[0-9]{6}")) << li.external_id;
        }
        EXPECT_GE(li.quantity, 1);
        EXPECT_LE(li.quantity, 3);
        EXPECT_GT(li.price.minor, 0);
        EXPECT_GE(li.original_price.minor, li.price.minor);
        EXPECT_EQ(li.bought_at, kBoughtAt);
        // One offer has one name, SKU and list price in a marketplace, whichever order sold it.
        const auto entry = std::make_tuple(li.offer_name, li.external_id, li.original_price.minor);
        auto [it, added] = catalogue.emplace(li.offer_id, entry);
        EXPECT_EQ(it->second, entry) << li.offer_id;
      }
    }
    EXPECT_GT(with_sku * 100, items * 65) << MarketplaceWireId(m);
    EXPECT_LT(with_sku * 100, items * 95) << MarketplaceWireId(m);
    EXPECT_GE(catalogue.size(), 20u);
  }
}

// ---- buyers, addresses, delivery ------------------------------------------------------------

TEST(SandboxGenerator, AddressesAndPhonesFollowTheCountrysFormats) {
  struct Format {
    const char* country;
    const char* language;
    const char* postal;
    const char* phone;
  };
  const std::map<Marketplace, Format> formats = {
      {Marketplace::kPl, {"PL", "pl-PL", "[0-9]{2}-[0-9]{3}", "\\+48[5-8][0-9]{8}"}},
      {Marketplace::kCz, {"CZ", "cs-CZ", "[1-7][0-9]{2} [0-9]{2}", "\\+420[67][0-9]{8}"}},
      {Marketplace::kSk, {"SK", "sk-SK", "[089][0-9]{2} [0-9]{2}", "\\+4219[0-9]{8}"}},
      {Marketplace::kHu, {"HU", "hu-HU", "[1-9][0-9]{3}", "\\+36(20|30|31|50|70)[0-9]{7}"}}};
  for (Marketplace m : kMarketplaces) {
    const Format& f = formats.at(m);
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      EXPECT_EQ(o.buyer_language, f.language);
      EXPECT_TRUE(Matches(o.buyer_phone, f.phone)) << o.buyer_phone;
      for (const WireAddress* a : AllAddresses(o)) {
        EXPECT_EQ(a->country_code, f.country);
        EXPECT_TRUE(Matches(a->zip_code, f.postal)) << a->zip_code << " " << a->city;
        EXPECT_FALSE(a->street.empty());
        EXPECT_FALSE(a->city.empty());
      }
      if (o.delivery_address) {
        EXPECT_TRUE(Matches(o.delivery_address->phone, f.phone)) << o.delivery_address->phone;
        EXPECT_FALSE(o.delivery_address->first_name.empty());
        // The buyer or their family: the same surname, maybe in the other gender's form
        // (Kowalski/Kowalska, Novák/Nováková, Vaněk/Vaňková).
        const std::string& a = o.delivery_address->last_name;
        const std::string& b = o.buyer_last_name;
        const auto stem = std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin();
        EXPECT_GE(stem, 2) << a << " / " << b;
      }
    }
  }
}

TEST(SandboxGenerator, BuyersHaveAllegroIdsLoginsAndMaskedEmails) {
  for (Marketplace m : kMarketplaces) {
    std::map<std::string, std::string> login_by_id;
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      EXPECT_TRUE(Matches(o.buyer_id, "[1-9][0-9]{7,8}")) << o.buyer_id;
      EXPECT_TRUE(Matches(o.buyer_email, "[a-z0-9]{10}\\+[0-9a-f]{9}@allegromail\\.pl"))
          << o.buyer_email;
      if (o.guest) {
        EXPECT_EQ(o.buyer_login, "Client:" + o.buyer_id);
      } else {
        EXPECT_TRUE(Matches(o.buyer_login, "[A-Za-z0-9_.-]{3,20}")) << o.buyer_login;
      }
      EXPECT_FALSE(o.buyer_first_name.empty());
      EXPECT_FALSE(o.buyer_last_name.empty());
      // A buyer id belongs to one account.
      auto [it, added] = login_by_id.emplace(o.buyer_id, o.buyer_login);
      EXPECT_EQ(it->second, o.buyer_login) << o.buyer_id;
    }
  }
}

TEST(SandboxGenerator, RepeatBuyersKeepTheirAccount) {
  std::map<std::string, const GeneratedOrder*> first_by_buyer;
  int repeats = 0;
  for (const GeneratedOrder& o : Sample(Marketplace::kPl, 10000)) {
    auto [it, added] = first_by_buyer.emplace(o.buyer_id, &o);
    if (added) continue;
    ++repeats;
    const GeneratedOrder& f = *it->second;
    EXPECT_EQ(f.buyer_login, o.buyer_login);
    EXPECT_EQ(f.buyer_first_name, o.buyer_first_name);
    EXPECT_EQ(f.buyer_last_name, o.buyer_last_name);
    EXPECT_EQ(f.buyer_company, o.buyer_company);
    EXPECT_EQ(f.buyer_address.street, o.buyer_address.street);
    EXPECT_EQ(f.buyer_email.substr(0, 10), o.buyer_email.substr(0, 10));
    EXPECT_NE(f.checkout_form_id, o.checkout_form_id);
  }
  EXPECT_GT(repeats, 0);
  EXPECT_LT(repeats, 1000);
}

TEST(SandboxGenerator, DeliveryIsAPickupPointOrAnAddressAndSmartIsFree) {
  for (Marketplace m : kMarketplaces) {
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      EXPECT_NE(o.pickup_point.has_value(), o.delivery_address.has_value()) << o.checkout_form_id;
      EXPECT_FALSE(o.delivery_method_name.empty());
      if (o.smart) {
        EXPECT_EQ(o.delivery_cost.minor, 0);
      } else {
        EXPECT_GT(o.delivery_cost.minor, 0) << o.delivery_method_name;
      }
      const bool cod_method = o.delivery_method_name.find("pobranie") != std::string::npos ||
                              o.delivery_method_name.find("dobírka") != std::string::npos ||
                              o.delivery_method_name.find("dobierka") != std::string::npos ||
                              o.delivery_method_name.find("utánvét") != std::string::npos;
      EXPECT_EQ(cod_method, o.payment.type == "CASH_ON_DELIVERY") << o.delivery_method_name;
      if (!o.pickup_point) continue;
      const WirePickupPoint& p = *o.pickup_point;
      EXPECT_FALSE(p.id.empty());
      EXPECT_FALSE(p.name.empty());
      EXPECT_FALSE(p.description.empty());
      if (o.delivery_method_name.starts_with("Allegro Paczkomaty InPost")) {
        EXPECT_TRUE(Matches(p.id, "[A-Z]{3}[0-9]{2}[A-Z]{1,4}")) << p.id;
        EXPECT_EQ(p.name, "Paczkomat " + p.id);
      }
      if (m != Marketplace::kPl) {
        EXPECT_EQ(p.name.find("Paczkomat"), std::string::npos);
      }
    }
  }
}

TEST(SandboxGenerator, CompanyBuyersRequestAnInvoiceWithAValidTaxId) {
  const std::map<Marketplace, std::string> types = {{Marketplace::kPl, "PL_NIP"},
                                                    {Marketplace::kCz, "CZ_ICO"},
                                                    {Marketplace::kSk, "SK_ICO"},
                                                    {Marketplace::kHu, "HU_ADOSZAM"}};
  for (Marketplace m : kMarketplaces) {
    int companies = 0;
    for (const GeneratedOrder& o : Sample(m, 2000)) {
      EXPECT_EQ(o.invoice.required, !o.buyer_company.empty()) << o.checkout_form_id;
      if (!o.invoice.required) continue;
      ++companies;
      EXPECT_EQ(o.invoice.company_name, o.buyer_company);
      EXPECT_EQ(o.invoice.address.company, o.buyer_company);
      EXPECT_EQ(o.invoice.tax_id_type, types.at(m));
      const std::string& id = o.invoice.tax_id;
      switch (m) {
        case Marketplace::kPl:
          EXPECT_TRUE(ValidNip(id)) << id;
          break;
        case Marketplace::kCz:
        case Marketplace::kSk:
          EXPECT_TRUE(ValidIco(id)) << id;
          break;
        case Marketplace::kHu:
          EXPECT_TRUE(ValidAdoszam(id)) << id;
          break;
      }
    }
    EXPECT_GT(companies, 0) << MarketplaceWireId(m);
  }
  // The validators themselves reject a wrong check digit.
  EXPECT_TRUE(ValidNip("5261040828"));
  EXPECT_FALSE(ValidNip("5261040829"));
  EXPECT_TRUE(ValidIco("25596641"));
  EXPECT_FALSE(ValidIco("25596642"));
}

// ---- a realistic mix ------------------------------------------------------------------------

TEST(SandboxGenerator, SharesOverTenThousandOrdersAreRealistic) {
  const auto& orders = Sample(Marketplace::kPl, 10000);
  int guests = 0, cod = 0, pickup = 0, smart = 0, invoices = 0, notes = 0, surcharges = 0;
  int multi_item = 0, discounted = 0, other_receiver = 0;
  std::set<std::string> methods;
  for (const GeneratedOrder& o : orders) {
    guests += o.guest;
    cod += o.payment.type == "CASH_ON_DELIVERY";
    pickup += o.pickup_point.has_value();
    smart += o.smart;
    invoices += o.invoice.required;
    notes += !o.message_to_seller.empty();
    surcharges += !o.surcharges.empty();
    multi_item += o.line_items.size() > 1;
    for (const auto& li : o.line_items) discounted += li.price.minor < li.original_price.minor;
    other_receiver += o.delivery_address && o.delivery_address->street != o.buyer_address.street;
    methods.insert(o.delivery_method_name);
  }
  auto share = [&](int n) { return n * 100.0 / static_cast<double>(orders.size()); };
  EXPECT_GT(share(guests), 4);
  EXPECT_LT(share(guests), 13);
  EXPECT_GT(share(cod), 11);
  EXPECT_LT(share(cod), 19);
  EXPECT_GT(share(pickup), 55);
  EXPECT_LT(share(pickup), 65);
  EXPECT_GT(share(smart), 35);
  EXPECT_LT(share(smart), 65);
  EXPECT_GT(share(invoices), 11);
  EXPECT_LT(share(invoices), 19);
  EXPECT_GT(share(notes), 16);
  EXPECT_LT(share(notes), 24);
  EXPECT_GT(share(surcharges), 3);
  EXPECT_LT(share(surcharges), 8);
  EXPECT_GT(share(multi_item), 30);
  EXPECT_LT(share(multi_item), 50);
  EXPECT_GT(discounted, 0);
  EXPECT_GT(other_receiver, 0);
  EXPECT_GE(methods.size(), 10u);
  for (const char* name : {"Allegro Paczkomaty InPost", "Allegro Kurier DPD", "Allegro One Box",
                           "Allegro Pocztex Kurier 48", "Allegro Odbiór w Punkcie ORLEN Paczka"}) {
    EXPECT_TRUE(methods.count(name)) << name;
  }
}

TEST(SandboxGenerator, SmartIsMostlyPolish) {
  auto smart_share = [](Marketplace m) {
    const auto& orders = Sample(m, 2000);
    return std::count_if(orders.begin(), orders.end(), [](const auto& o) { return o.smart; });
  };
  const auto pl = smart_share(Marketplace::kPl);
  for (Marketplace m : {Marketplace::kCz, Marketplace::kSk, Marketplace::kHu}) {
    EXPECT_GT(smart_share(m), 0) << MarketplaceWireId(m);
    EXPECT_LT(smart_share(m), pl) << MarketplaceWireId(m);
  }
}

TEST(SandboxGenerator, TextsUseTheirLanguagesLettersAndStayValidUtf8) {
  const std::map<Marketplace, std::vector<std::string>> letters = {
      {Marketplace::kPl, {"ą", "ć", "ę", "ł", "ń", "ó", "ś", "ź", "ż"}},
      {Marketplace::kCz, {"ř", "ů", "ě", "š", "č", "ž", "ý", "á", "í", "é"}},
      {Marketplace::kSk, {"ľ", "ĺ", "ŕ", "ô", "ä"}},
      {Marketplace::kHu, {"ő", "ű", "ö", "ü", "á", "é"}}};
  for (Marketplace m : kMarketplaces) {
    std::string all;
    for (const GeneratedOrder& o : Sample(m, m == Marketplace::kPl ? 10000 : 2000)) {
      for (const std::string& text : AllTexts(o)) {
        EXPECT_TRUE(IsValidUtf8(text)) << text;
        all += text;
        all += '\n';
      }
    }
    for (const std::string& letter : letters.at(m)) {
      EXPECT_NE(all.find(letter), std::string::npos) << MarketplaceWireId(m) << " lacks " << letter;
    }
    // Texts that exercise a client's escaping: quotes, ampersands, angle brackets, newlines, emoji.
    for (const char* tricky : {"\"", "&", "<", ">", "\n", "\xF0\x9F"}) {
      EXPECT_NE(all.find(tricky), std::string::npos) << MarketplaceWireId(m) << " lacks " << tricky;
    }
  }
  // Polish buyer notes carry newlines and emoji themselves (not only the joined text above).
  bool note_newline = false;
  bool note_emoji = false;
  for (const GeneratedOrder& o : Sample(Marketplace::kPl, 10000)) {
    note_newline |= o.message_to_seller.find('\n') != std::string::npos;
    note_emoji |= o.message_to_seller.find("\xF0\x9F") != std::string::npos;
  }
  EXPECT_TRUE(note_newline);
  EXPECT_TRUE(note_emoji);
}

// ---- model.cpp ------------------------------------------------------------------------------

TEST(SandboxModel, MarketplaceWireIdsAndCurrencies) {
  const std::map<Marketplace, std::pair<std::string, std::string>> expected = {
      {Marketplace::kPl, {"allegro-pl", "PLN"}},
      {Marketplace::kCz, {"allegro-cz", "CZK"}},
      {Marketplace::kSk, {"allegro-sk", "EUR"}},
      {Marketplace::kHu, {"allegro-hu", "HUF"}}};
  for (const auto& [m, names] : expected) {
    EXPECT_EQ(MarketplaceWireId(m), names.first);
    EXPECT_EQ(MarketplaceCurrency(m), names.second);
    EXPECT_EQ(ParseMarketplaceWireId(names.first), m);
  }
  for (const char* unknown :
       {"", "allegro-de", "ALLEGRO-PL", "allegro-pl ", "allegro-business-pl"}) {
    EXPECT_FALSE(ParseMarketplaceWireId(unknown).has_value()) << unknown;
  }
}

}  // namespace
}  // namespace nadajnik::sandbox::allegro
