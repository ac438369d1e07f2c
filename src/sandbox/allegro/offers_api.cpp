#include "sandbox/allegro/offers_api.hpp"

#include "sandbox/allegro/generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "core/text.hpp"
#include "sandbox/allegro/order_lookup.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "sandbox/allegro/wire_json.hpp"
#include "security/tokens.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kInvalidRequest = "Invalid request. Fix the request and try again.";

constexpr std::int64_t kOperationMs = 2000;        // a long-running PATCH
constexpr std::int64_t kQuantityCommandMs = 1000;  // until a quantity command's tasks run
constexpr std::size_t kMaxOffersPerCriterion = 1000;
constexpr int kMaxStock = 2147483647;  // int32, as the schema says

// ---- deterministic offers ----------------------------------------------------------------------

std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string DeterministicId(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  const std::uint64_t hi = Mix(seed * 0x100000001b3ULL ^ Mix(a) ^ (b << 17));
  const std::uint64_t lo = Mix(hi ^ b);
  const std::uint64_t x = (hi & 0xffffffffffff0fffULL) | 0x4000ULL;
  const std::uint64_t y = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", x >> 32, (x >> 16) & 0xffff, x & 0xffff,
                     y >> 48, y & 0xffffffffffffULL);
}

// The seller's offers are the catalogue its orders sell (generator.hpp): the same ids, SKUs and
// names as the orders' line items, so a client can map SKUs to offers for stock.
void GenerateSellerOffers(World& world, SaleState& state, std::uint32_t seller) {
  const std::uint64_t seed = world.options.seed;
  const Marketplace base = world.sellers[seller].base_marketplace;
  const std::int64_t now = ToUnixMillis(world.Now());
  const std::vector<CatalogueOffer> catalogue = SellerCatalogue(seed, seller, base);
  const std::vector<CatalogueOffer> on_cz = SellerCatalogue(seed, seller, Marketplace::kCz);
  const std::vector<CatalogueOffer> on_sk = SellerCatalogue(seed, seller, Marketplace::kSk);
  const int count = static_cast<int>(catalogue.size());
  for (int k = 0; k < count; ++k) {
    const std::uint64_t r = Mix(seed ^ (static_cast<std::uint64_t>(seller) << 32) ^ (k + 1));
    const CatalogueOffer& c = catalogue[static_cast<std::size_t>(k)];
    if (state.offer_index.contains(c.id)) continue;  // ids are unique per seller by design
    SaleOffer o;
    o.id = c.id;
    o.seller = seller;
    o.name = TruncateUtf8(c.name, 75);
    o.category_id = c.category_id;
    o.external_id = c.sku;
    o.image_url = fmt::format("https://a.allegroimg.com/original/{:02x}/{:016x}", r & 0xff, r);
    o.shipping_rates_id = DeterministicId(seed, 0x5417, seller);
    o.return_policy_id = DeterministicId(seed, 0x9e7a, seller);
    o.implied_warranty_id = DeterministicId(seed, 0x3a77, seller);
    o.base = base;
    o.format = (k == 10 || k == 20) ? SellingFormat::kAuction : SellingFormat::kBuyNow;
    o.price = c.price;
    if (base == Marketplace::kPl && k % 3 == 0) {
      o.additional.push_back(
          {Marketplace::kCz, on_cz[static_cast<std::size_t>(k)].price, static_cast<int>(r % 7)});
    }
    if (k % 5 == 0 && base != Marketplace::kSk) {
      o.additional.push_back({Marketplace::kSk, on_sk[static_cast<std::size_t>(k)].price,
                              static_cast<int>((r >> 8) % 4)});
    }
    o.sold = static_cast<int>((r >> 16) % 40);
    o.watchers = static_cast<int>((r >> 24) % 60);
    o.visits = o.watchers * 11 + static_cast<int>((r >> 32) % 400);
    o.is_fulfillment = k % 16 == 9;
    o.created_at_ms = now - static_cast<std::int64_t>(count - k) * 6 * 3600 * 1000;
    o.updated_at_ms = o.created_at_ms;
    if (o.format == SellingFormat::kAuction) {
      o.available = 1;
      o.status = OfferStatus::kActive;
    } else if (k % 13 == 7) {
      o.available = 0;
      o.status = OfferStatus::kEnded;
      o.ended_by = "EMPTY_STOCK";
    } else if (k % 11 == 5) {
      o.available = 5 + static_cast<int>((r >> 40) % 20);
      o.status = OfferStatus::kInactive;
      o.sold = 0;
    } else {
      o.available =
          k % 7 == 2 ? 1 + static_cast<int>((r >> 40) % 3) : 4 + static_cast<int>((r >> 40) % 117);
      o.status = OfferStatus::kActive;
    }
    if (o.status != OfferStatus::kInactive) o.started_at_ms = o.created_at_ms + 60000;
    if (o.status == OfferStatus::kEnded) o.ended_at_ms = now - (r % 72) * 3600 * 1000;
    state.offer_index.emplace(o.id, state.offers.size());
    state.offers.push_back(std::move(o));
  }
}

// ---- JSON ------------------------------------------------------------------------------------

json::object PriceJson(const Money& m) { return MoneyJson(m); }

json::object OfferListingJson(const SaleOffer& o) {
  json::object selling{{"format", SellingFormatWire(o.format)}, {"price", PriceJson(o.price)}};
  json::object listing{{"id", o.id},
                       {"name", o.name},
                       {"category", json::object{{"id", o.category_id}}},
                       {"primaryImage", json::object{{"url", o.image_url}}},
                       {"sellingMode", std::move(selling)}};
  if (o.format == SellingFormat::kAuction) {
    listing["saleInfo"] = json::object{{"currentPrice", PriceJson(o.price)}, {"biddersCount", 0}};
  }
  listing["stock"] = json::object{{"available", o.available}, {"sold", o.sold}};
  listing["stats"] = json::object{{"watchersCount", o.watchers}, {"visitsCount", o.visits}};
  json::array additional_ids;
  json::object additional;
  for (const auto& a : o.additional) {
    additional_ids.push_back(json::object{{"id", MarketplaceWireId(a.marketplace)}});
    additional[MarketplaceWireId(a.marketplace)] =
        json::object{{"publication", json::object{{"state", "APPROVED"}}},
                     {"sellingMode", json::object{{"price", PriceJson(a.price)}}},
                     {"stock", json::object{{"sold", a.sold}}}};
  }
  json::object publication{{"status", OfferStatusWire(o.status)}};
  if (o.started_at_ms) publication["startedAt"] = FormatWireTime(o.started_at_ms);
  if (o.ended_at_ms) publication["endedAt"] = FormatWireTime(o.ended_at_ms);
  publication["marketplaces"] =
      json::object{{"base", json::object{{"id", MarketplaceWireId(o.base)}}},
                   {"additional", std::move(additional_ids)}};
  listing["publication"] = std::move(publication);
  listing["afterSalesServices"] =
      json::object{{"impliedWarranty", json::object{{"id", o.implied_warranty_id}}},
                   {"returnPolicy", json::object{{"id", o.return_policy_id}}}};
  if (!o.external_id.empty()) listing["external"] = json::object{{"id", o.external_id}};
  listing["delivery"] = json::object{{"shippingRates", json::object{{"id", o.shipping_rates_id}}}};
  listing["b2b"] = json::object{{"buyableOnlyByBusiness", false}};
  listing["isFulfillment"] = o.is_fulfillment;
  listing["additionalMarketplaces"] = std::move(additional);
  return listing;
}

std::string_view LanguageOf(Marketplace m) {
  switch (m) {
    case Marketplace::kPl:
      return "pl-PL";
    case Marketplace::kCz:
      return "cs-CZ";
    case Marketplace::kSk:
      return "sk-SK";
    case Marketplace::kHu:
      return "hu-HU";
  }
  return "pl-PL";
}

json::object ProductOfferJson(const SaleOffer& o) {
  json::object selling{{"format", SellingFormatWire(o.format)}, {"price", PriceJson(o.price)}};
  if (o.format == SellingFormat::kAuction) selling["startingPrice"] = PriceJson(o.price);
  // The product-offer view has no startedAt/endedAt (schema Publication), unlike the listing.
  json::object publication{{"status", OfferStatusWire(o.status)}, {"republish", false}};
  publication["endedBy"] = o.ended_by.empty() ? json::value(nullptr) : json::value(o.ended_by);
  json::array additional_ids;
  json::object additional;
  for (const auto& a : o.additional) {
    additional_ids.push_back(json::object{{"id", MarketplaceWireId(a.marketplace)}});
    additional[MarketplaceWireId(a.marketplace)] = json::object{
        {"sellingMode",
         json::object{{"format", SellingFormatWire(o.format)}, {"price", PriceJson(a.price)}}},
        {"publication", json::object{{"state", "APPROVED"}, {"refusalReasons", json::array{}}}}};
  }
  publication["marketplaces"] =
      json::object{{"base", json::object{{"id", MarketplaceWireId(o.base)}}},
                   {"additional", std::move(additional_ids)}};
  const bool czech = o.base == Marketplace::kCz || o.base == Marketplace::kSk;
  json::object offer{
      {"id", o.id},
      {"name", o.name},
      {"category", json::object{{"id", o.category_id}}},
      {"productSet", json::array{}},
      {"parameters", json::array{}},
      {"images", json::array{json::value(o.image_url)}},
      {"sellingMode", std::move(selling)},
      {"stock", json::object{{"available", o.available}, {"unit", o.unit}}},
      {"publication", std::move(publication)},
      {"additionalMarketplaces", std::move(additional)},
      {"delivery", json::object{{"handlingTime", "PT24H"},
                                {"shippingRates", json::object{{"id", o.shipping_rates_id}}}}},
      {"afterSalesServices",
       json::object{{"impliedWarranty", json::object{{"id", o.implied_warranty_id}}},
                    {"returnPolicy", json::object{{"id", o.return_policy_id}}}}},
      {"payments", json::object{{"invoice", "VAT"}}},
      {"location", json::object{{"city", czech ? "Praha" : "Poznań"},
                                {"countryCode", czech ? "CZ" : "PL"},
                                {"postCode", czech ? "110 00" : "61-001"}}},
      {"b2b", json::object{{"buyableOnlyByBusiness", false}}},
      {"attachments", json::array{}},
      {"language", LanguageOf(o.base)},
      {"validation", json::object{{"errors", json::array{}},
                                  {"warnings", json::array{}},
                                  {"validatedAt", FormatWireTime(o.updated_at_ms)}}},
      {"warnings", json::array{}},
      {"createdAt", FormatWireTime(o.created_at_ms)},
      {"updatedAt", FormatWireTime(o.updated_at_ms)}};
  if (!o.external_id.empty()) offer["external"] = json::object{{"id", o.external_id}};
  return offer;
}

json::object GeneralReportJson(const QuantityCommand& c) {
  int failed = 0;
  int success = 0;
  for (const auto& t : c.tasks) {
    if (t.status == TaskStatus::kFail) ++failed;
    if (t.status == TaskStatus::kSuccess) ++success;
  }
  return {{"id", c.id},
          {"createdAt", FormatWireTime(c.created_at_ms)},
          {"completedAt", c.applied ? json::value(FormatWireTime(c.done_at_ms)) : json::value()},
          {"taskCount", json::object{{"failed", failed},
                                     {"success", success},
                                     {"total", static_cast<std::int64_t>(c.tasks.size())}}}};
}

// ---- helpers ---------------------------------------------------------------------------------

// Every offer endpoint runs under the world's lock with the seller's offers in place and the
// asynchronous work whose time has come already applied.
Response Locked(World& world, Request& req, Response (*fn)(World&, Request&)) {
  std::lock_guard lock(world.mu);
  EnsureOffers(world);
  SettleSale(world);
  return fn(world, req);
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::size_t Utf8Length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

Response BadQuery(std::string message, std::string_view path) {
  return RestError(400, "VALIDATION_ERROR", message, kInvalidRequest, path);
}

Response Unprocessable(std::string message, std::string_view path = {}) {
  return RestError(422, "VALIDATION_ERROR", message, kInvalidRequest, path);
}

Response OfferNotFound(const std::string& id) {
  return RestError(404, "OfferNotFoundException", "Not Found",
                   "Offer " + TruncateUtf8(id, 40) + " does not exist.");
}

Response NotReadable() {
  return RestError(400, "BAD_REQUEST", "Message is not readable.",
                   "Request contains invalid data. Contact the application author.",
                   "request.body");
}

// The caller's offer with this id, or nullptr.
SaleOffer* FindOffer(World& world, const Caller& caller, const std::string& id) {
  SaleState& state = StateOf(world);
  auto it = state.offer_index.find(id);
  if (it == state.offer_index.end()) return nullptr;
  SaleOffer& o = state.offers[it->second];
  if (caller.seller == nullptr || world.sellers[o.seller].id != caller.seller->id) return nullptr;
  return &o;
}

std::uint32_t SellerIndex(const World& world, const Caller& caller) {
  for (std::uint32_t i = 0; i < world.sellers.size(); ++i) {
    if (world.sellers[i].id == caller.seller->id) return i;
  }
  return 0;  // Authorize only lets existing sellers through
}

void ReceiveStock(World& world, const Caller& caller, const json::object& detail) {
  world.received.push_back(
      {"stock", "", caller.seller->id, json::serialize(detail), ToUnixMillis(world.Now())});
}

std::string AbsoluteUrl(const Request& req, const std::string& path) {
  auto host = req.Header("Host");
  if (!host || host->empty()) return path;
  return fmt::format("http://{}{}", *host, path);
}

// Sets the stock, ending an ACTIVE or ACTIVATING offer that reaches 0 (section 6.2).
void SetStock(SaleOffer& o, int available, std::int64_t now_ms, std::string_view ended_by) {
  o.available = available;
  o.updated_at_ms = now_ms;
  if (available == 0 &&
      (o.status == OfferStatus::kActive || o.status == OfferStatus::kActivating)) {
    o.status = OfferStatus::kEnded;
    o.ended_by = std::string(ended_by);
    o.ended_at_ms = now_ms;
  }
}

// ---- GET /sale/offers --------------------------------------------------------------------------

std::vector<std::string> QueryValues(const Request& req, const std::string& name) {
  std::vector<std::string> values;
  for (auto [it, end] = req.query.equal_range(name); it != end; ++it) values.push_back(it->second);
  return values;
}

Response SearchOffers(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Caller& caller = std::get<Caller>(auth);
  SaleState& state = StateOf(world);

  std::int64_t limit = 20;
  std::int64_t offset = 0;
  if (auto v = req.QueryParam("limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 1000) return BadQuery("limit must be between 1 and 1000", "limit");
    limit = *n;
  }
  if (auto v = req.QueryParam("offset")) {
    auto n = ParseInt(*v);
    if (!n || *n < 0 || *n > 9999999) {
      return BadQuery("offset must be between 0 and 9999999", "offset");
    }
    offset = *n;
  }
  if (offset + limit > 10000000) {
    return BadQuery("The sum of offset and limit must not exceed 10000000", "offset");
  }
  const auto ids = QueryValues(req, "offer.id");
  const auto externals = QueryValues(req, "external.id");
  if (externals.size() > 100) return BadQuery("At most 100 external.id values", "external.id");
  for (const auto& e : externals) {
    if (e.size() > 100)
      return BadQuery("external.id may have at most 100 characters", "external.id");
  }
  std::vector<OfferStatus> statuses;
  for (const auto& s : QueryValues(req, "publication.status")) {
    auto st = ParseOfferStatusWire(s);
    if (!st)
      return BadQuery("Invalid publication.status: " + TruncateUtf8(s, 40), "publication.status");
    statuses.push_back(*st);
  }
  std::vector<SellingFormat> formats;
  for (const auto& s : QueryValues(req, "sellingMode.format")) {
    if (s == "BUY_NOW") {
      formats.push_back(SellingFormat::kBuyNow);
    } else if (s == "AUCTION") {
      formats.push_back(SellingFormat::kAuction);
    } else if (s != "ADVERTISEMENT") {  // a valid format no sandbox offer has
      return BadQuery("Invalid sellingMode.format: " + TruncateUtf8(s, 40), "sellingMode.format");
    }
  }
  const bool formats_given = req.query.count("sellingMode.format") > 0;
  std::optional<Marketplace> marketplace;
  if (auto v = req.QueryParam("publication.marketplace")) {
    marketplace = ParseMarketplaceWireId(*v);
    if (!marketplace) {
      return BadQuery("Invalid publication.marketplace: " + TruncateUtf8(*v, 40),
                      "publication.marketplace");
    }
  }
  std::optional<bool> fulfillment;
  if (auto v = req.QueryParam("isFulfillment")) {
    fulfillment = ParseBool(*v);
    if (!fulfillment) return BadQuery("isFulfillment must be true or false", "isFulfillment");
  }
  const auto category = req.QueryParam("category.id");
  const auto name = req.QueryParam("name");
  const std::string name_lower = name ? AsciiLower(*name) : std::string();
  const std::string sort = req.QueryParam("sort").value_or("");
  static const std::set<std::string> kSorts = {"",
                                               "sellingMode.price.amount",
                                               "-sellingMode.price.amount",
                                               "stock.sold",
                                               "-stock.sold",
                                               "stock.available",
                                               "-stock.available"};
  if (!kSorts.contains(sort)) return BadQuery("Invalid sort: " + TruncateUtf8(sort, 40), "sort");

  const std::uint32_t seller = SellerIndex(world, caller);
  // Price and "sold" on the marketplace asked for (section 6.1), else on the base marketplace.
  auto price_on = [&](const SaleOffer& o) -> std::int64_t {
    if (marketplace && *marketplace != o.base) {
      for (const auto& a : o.additional) {
        if (a.marketplace == *marketplace) return a.price.minor;
      }
    }
    return o.price.minor;
  };
  auto sold_on = [&](const SaleOffer& o) -> int {
    if (marketplace && *marketplace != o.base) {
      for (const auto& a : o.additional) {
        if (a.marketplace == *marketplace) return a.sold;
      }
    }
    return o.sold;
  };
  std::vector<const SaleOffer*> matched;
  for (const auto& o : state.offers) {
    if (o.seller != seller) continue;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), o.id) == ids.end()) continue;
    if (!externals.empty() &&
        std::find(externals.begin(), externals.end(), o.external_id) == externals.end()) {
      continue;
    }
    if (!statuses.empty() &&
        std::find(statuses.begin(), statuses.end(), o.status) == statuses.end()) {
      continue;
    }
    if (formats_given && std::find(formats.begin(), formats.end(), o.format) == formats.end()) {
      continue;
    }
    if (marketplace && o.base != *marketplace &&
        std::none_of(o.additional.begin(), o.additional.end(),
                     [&](const AdditionalListing& a) { return a.marketplace == *marketplace; })) {
      continue;
    }
    if (fulfillment && o.is_fulfillment != *fulfillment) continue;
    if (category && o.category_id != *category) continue;
    if (name && AsciiLower(o.name).find(name_lower) == std::string::npos) continue;
    matched.push_back(&o);
  }
  const bool descending = !sort.empty() && sort[0] == '-';
  const std::string key = descending ? sort.substr(1) : sort;
  std::stable_sort(matched.begin(), matched.end(), [&](const SaleOffer* a, const SaleOffer* b) {
    if (key.empty()) return a->created_at_ms > b->created_at_ms;  // newest first
    std::int64_t ka = 0;
    std::int64_t kb = 0;
    if (key == "sellingMode.price.amount") {
      ka = price_on(*a);
      kb = price_on(*b);
    } else if (key == "stock.sold") {
      ka = sold_on(*a);
      kb = sold_on(*b);
    } else {
      ka = a->available;
      kb = b->available;
    }
    return descending ? ka > kb : ka < kb;
  });
  json::array list;
  for (std::int64_t i = offset; i < static_cast<std::int64_t>(matched.size()) && i < offset + limit;
       ++i) {
    list.push_back(OfferListingJson(*matched[static_cast<std::size_t>(i)]));
  }
  const auto count = static_cast<std::int64_t>(list.size());
  return VendorJson(200, json::object{{"offers", std::move(list)},
                                      {"count", count},
                                      {"totalCount", static_cast<std::int64_t>(matched.size())}});
}

// ---- /sale/product-offers/{offerId} ----------------------------------------------------------

Response GetProductOffer(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const std::string id = req.PathParam("offerId").value_or("");
  if (id.empty() || !ParseInt(id) || *ParseInt(id) <= 0) {
    return RestError(400, "VALIDATION_ERROR", "Invalid offer ID format: " + TruncateUtf8(id, 40),
                     kInvalidRequest, "offerId");
  }
  const SaleOffer* o = FindOffer(world, std::get<Caller>(auth), id);
  if (!o) return OfferNotFound(id);
  return VendorJson(200, ProductOfferJson(*o));
}

Response PatchProductOffer(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  if (auto e = RequireVendorJsonBody(req)) return *e;
  const Caller& caller = std::get<Caller>(auth);
  SaleState& state = StateOf(world);
  const std::string id = req.PathParam("offerId").value_or("");
  SaleOffer* offer = FindOffer(world, caller, id);
  if (!offer) return OfferNotFound(id);
  auto body = wire::ParseObject(req.body);
  if (!body) return NotReadable();

  // Read and check everything before changing anything.
  std::optional<int> available;
  std::optional<std::string> unit;
  if (const auto* v = wire::Find(*body, "stock")) {
    const auto* stock = v->if_object();
    if (!stock) return NotReadable();
    auto a = wire::GetInt(*stock, "available");
    if (a.WrongType()) return NotReadable();
    if (a.value) {
      if (*a.value < 0 || *a.value > kMaxStock) {
        return Unprocessable("stock.available must be between 0 and 2147483647", "stock.available");
      }
      available = static_cast<int>(*a.value);
    }
    auto u = wire::GetString(*stock, "unit");
    if (u.WrongType()) return NotReadable();
    if (u.value) {
      if (*u.value != "UNIT" && *u.value != "PAIR" && *u.value != "SET") {
        return NotReadable();  // not one of the enum's values: the body cannot be read
      }
      unit = *u.value;
    }
  }
  std::optional<OfferStatus> target;
  if (const auto* v = wire::Find(*body, "publication")) {
    const auto* publication = v->if_object();
    if (!publication) return NotReadable();
    auto s = wire::GetString(*publication, "status");
    if (s.WrongType()) return NotReadable();
    if (s.value) {
      auto st = ParseOfferStatusWire(*s.value);
      if (!st) return NotReadable();
      if (*st != OfferStatus::kActive && *st != OfferStatus::kEnded) {
        return Unprocessable("publication.status can be changed to ACTIVE or ENDED only",
                             "publication.status");
      }
      target = *st;
    }
  }
  std::optional<Money> price;
  if (const auto* v = wire::Find(*body, "sellingMode")) {
    const auto* selling = v->if_object();
    if (!selling) return NotReadable();
    if (const auto* p = wire::GetObject(*selling, "price")) {
      auto amount = wire::GetString(*p, "amount");
      auto currency = wire::GetString(*p, "currency");
      if (amount.WrongType() || currency.WrongType()) return NotReadable();
      const std::string base_currency(MarketplaceCurrency(offer->base));
      if (currency.value && *currency.value != base_currency) {
        return Unprocessable(fmt::format("Provided marketplace „{}” must have all monetary values "
                                         "in currency „{}”",
                                         MarketplaceWireId(offer->base), base_currency),
                             "sellingMode.price.currency");
      }
      auto parsed = ParseMoney(amount.value.value_or(""), base_currency);
      if (!parsed || parsed->minor <= 0) {
        return Unprocessable("sellingMode.price.amount must be a positive amount",
                             "sellingMode.price.amount");
      }
      price = *parsed;
    }
  }
  auto name = wire::GetString(*body, "name");
  if (name.WrongType()) return NotReadable();
  if (name.value &&
      (!IsValidUtf8(*name.value) || Utf8Length(*name.value) < 1 || Utf8Length(*name.value) > 75)) {
    return Unprocessable("name must have 1 to 75 characters", "name");
  }
  std::optional<std::string> external;
  if (const auto* v = wire::Find(*body, "external")) {
    const auto* e = v->if_object();
    if (!e) return NotReadable();
    auto eid = wire::GetString(*e, "id");
    if (eid.WrongType()) return NotReadable();
    if (eid.value && eid.value->size() > 100) {
      return Unprocessable("external.id may have at most 100 characters", "external.id");
    }
    external = eid.value.value_or("");
  }
  if (!offer->pending_operation.empty()) {
    return RestError(409, "CONFLICT", "The previous edition of the offer is still being processed",
                     "Poprzednia zmiana oferty jest jeszcze przetwarzana. Spróbuj za chwilę.");
  }
  const int stock_after = available.value_or(offer->available);
  const bool changes_status =
      target && *target != offer->status &&
      !(*target == OfferStatus::kActive && offer->status == OfferStatus::kActivating);
  if (changes_status && *target == OfferStatus::kActive && stock_after == 0) {
    return Unprocessable("An offer without stock cannot be activated", "stock.available");
  }

  const std::int64_t now = ToUnixMillis(world.Now());
  if (name.value) offer->name = *name.value;
  if (external) offer->external_id = *external;
  if (price) offer->price = *price;
  if (unit) offer->unit = *unit;
  if (available) SetStock(*offer, *available, now, "USER");
  offer->updated_at_ms = now;
  if (available || unit) {
    json::object detail{
        {"offerId", offer->id},
        {"externalId",
         offer->external_id.empty() ? json::value() : json::value(offer->external_id)},
        {"via", "PATCH /sale/product-offers"},
        {"stock", body->at("stock")}};
    ReceiveStock(world, caller, detail);
  }
  if (!changes_status) return VendorJson(200, ProductOfferJson(*offer));

  // A publication change is long-running: 202 and an operation to poll.
  OfferOperation op;
  op.offer_id = offer->id;
  op.seller = offer->seller;
  op.target = *target;
  op.started_at_ms = now;
  op.done_at_ms = now + kOperationMs;
  const std::string op_id = state.NewUuid(world.options.seed);
  offer->pending_operation = op_id;
  if (*target == OfferStatus::kActive) offer->status = OfferStatus::kActivating;
  state.offer_operations.emplace(op_id, op);
  state.timeline.emplace(op.done_at_ms, PendingWork{WorkKind::kOfferOperation, op_id});
  Response r = VendorJson(202, ProductOfferJson(*offer));
  r.SetHeader("Location", AbsoluteUrl(req, fmt::format("/sale/product-offers/{}/operations/{}",
                                                       offer->id, op_id)));
  r.SetHeader("Retry-After", std::to_string((kOperationMs + 999) / 1000));
  return r;
}

Response GetOperation(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Caller& caller = std::get<Caller>(auth);
  SaleState& state = StateOf(world);
  const std::string offer_id = req.PathParam("offerId").value_or("");
  const std::string op_id = req.PathParam("operationId").value_or("");
  auto it = state.offer_operations.find(op_id);
  if (it == state.offer_operations.end() || it->second.offer_id != offer_id ||
      world.sellers[it->second.seller].id != caller.seller->id) {
    return RestError(404, "NOT_FOUND", "Operation " + TruncateUtf8(op_id, 40) + " not found",
                     "Nie znaleziono operacji.", "operationId");
  }
  const OfferOperation& op = it->second;
  if (op.applied) {
    Response r;
    r.status = 303;
    r.SetHeader("Location", AbsoluteUrl(req, "/sale/product-offers/" + offer_id));
    r.SetHeader("trace-id", security::RandomToken(12));
    return r;
  }
  Response r = VendorJson(
      202,
      json::object{{"offer", json::object{{"id", offer_id}}},
                   {"operation", json::object{{"id", op_id},
                                              {"status", "IN_PROGRESS"},
                                              {"startedAt", FormatWireTime(op.started_at_ms)}}}});
  const std::int64_t left = op.done_at_ms - ToUnixMillis(world.Now());
  r.SetHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, (left + 999) / 1000)));
  return r;
}

// ---- quantity commands -----------------------------------------------------------------------

Response PutQuantityCommand(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  if (auto e = RequireVendorJsonBody(req)) return *e;
  const Caller& caller = std::get<Caller>(auth);
  SaleState& state = StateOf(world);
  const std::string id = req.PathParam("commandId").value_or("");
  if (!LooksLikeUuid(id)) {
    return RestError(400, "VALIDATION_ERROR", "commandId must be a UUID", kInvalidRequest,
                     "commandId");
  }
  if (state.quantity_commands.contains(id)) {
    return RestError(409, "CONFLICT", "Command id was already used",
                     "Identyfikator polecenia został już użyty.", "commandId");
  }
  auto body = wire::ParseObject(req.body);
  if (!body) return NotReadable();
  const auto* modification = wire::GetObject(*body, "modification");
  if (!modification) {
    return RestError(400, "VALIDATION_ERROR", "modification is required", kInvalidRequest,
                     "modification");
  }
  auto change = wire::GetString(*modification, "changeType");
  if (!change.value || (*change.value != "FIXED" && *change.value != "GAIN")) {
    return RestError(400, "VALIDATION_ERROR", "modification.changeType must be FIXED or GAIN",
                     kInvalidRequest, "modification.changeType");
  }
  auto value = wire::GetInt(*modification, "value");
  if (!value.value) {
    return RestError(400, "VALIDATION_ERROR", "modification.value must be an integer",
                     kInvalidRequest, "modification.value");
  }
  const bool gain = *change.value == "GAIN";
  if (!gain && *value.value <= 0) {
    return Unprocessable("For changeType FIXED the new quantity must be greater than 0",
                         "modification.value");
  }
  if (*value.value > kMaxStock || *value.value < -kMaxStock) {
    return Unprocessable("modification.value is out of range", "modification.value");
  }
  const auto* criteria = wire::GetArray(*body, "offerCriteria");
  if (!criteria) {
    return RestError(400, "VALIDATION_ERROR", "offerCriteria is required", kInvalidRequest,
                     "offerCriteria");
  }
  std::vector<std::string> offer_ids;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < criteria->size(); ++i) {
    const auto* criterion = (*criteria)[i].if_object();
    const std::string path = fmt::format("offerCriteria[{}]", i);
    if (!criterion)
      return RestError(400, "VALIDATION_ERROR", path + " must be an object", kInvalidRequest, path);
    auto type = wire::GetString(*criterion, "type");
    if (!type.value || *type.value != "CONTAINS_OFFERS") {
      return RestError(400, "VALIDATION_ERROR", path + ".type must be CONTAINS_OFFERS",
                       kInvalidRequest, path + ".type");
    }
    const auto* offers = wire::GetArray(*criterion, "offers");
    if (!offers) {
      return RestError(400, "VALIDATION_ERROR", path + ".offers is required", kInvalidRequest,
                       path + ".offers");
    }
    if (offers->size() > kMaxOffersPerCriterion) {
      return Unprocessable(
          fmt::format("{}.offers may list at most {} offers", path, kMaxOffersPerCriterion),
          path + ".offers");
    }
    for (const auto& entry : *offers) {
      const auto* o = entry.if_object();
      auto oid = o ? wire::GetString(*o, "id") : wire::Field<std::string>{true, std::nullopt};
      if (!oid.value || oid.value->empty()) {
        return RestError(400, "VALIDATION_ERROR", path + ".offers[].id is required",
                         kInvalidRequest, path + ".offers");
      }
      if (seen.insert(*oid.value).second) offer_ids.push_back(*oid.value);
    }
  }
  if (offer_ids.empty()) return Unprocessable("The command lists no offers", "offerCriteria");

  QuantityCommand command;
  command.id = id;
  command.seller = SellerIndex(world, caller);
  command.gain = gain;
  command.value = *value.value;
  command.created_at_ms = ToUnixMillis(world.Now());
  command.done_at_ms = command.created_at_ms + kQuantityCommandMs;
  for (auto& oid : offer_ids) command.tasks.push_back({std::move(oid)});
  json::object detail{{"commandId", id},
                      {"via", "PUT /sale/offer-quantity-change-commands"},
                      {"modification", *wire::Find(*body, "modification")},
                      {"offerCriteria", *wire::Find(*body, "offerCriteria")}};
  ReceiveStock(world, caller, detail);
  state.timeline.emplace(command.done_at_ms, PendingWork{WorkKind::kQuantityCommand, id});
  auto [it, inserted] = state.quantity_commands.emplace(id, std::move(command));
  return VendorJson(201, GeneralReportJson(it->second));
}

const QuantityCommand* FindCommand(World& world, const Caller& caller, const std::string& id) {
  SaleState& state = StateOf(world);
  auto it = state.quantity_commands.find(id);
  if (it == state.quantity_commands.end() ||
      world.sellers[it->second.seller].id != caller.seller->id) {
    return nullptr;
  }
  return &it->second;
}

Response CommandNotFound(const std::string& id) {
  return RestError(404, "NOT_FOUND", "Command " + TruncateUtf8(id, 40) + " not found",
                   "Nie znaleziono polecenia.", "commandId");
}

Response GetQuantityCommand(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const std::string id = req.PathParam("commandId").value_or("");
  const QuantityCommand* c = FindCommand(world, std::get<Caller>(auth), id);
  if (!c) return CommandNotFound(id);
  return VendorJson(200, GeneralReportJson(*c));
}

Response GetQuantityTasks(World& world, Request& req) {
  auto auth = Authorize(world, req, kOffersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const std::string id = req.PathParam("commandId").value_or("");
  const QuantityCommand* c = FindCommand(world, std::get<Caller>(auth), id);
  if (!c) return CommandNotFound(id);
  std::int64_t limit = 100;
  std::int64_t offset = 0;
  if (auto v = req.QueryParam("limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 1000)
      return Unprocessable("limit must be between 1 and 1000", "limit");
    limit = *n;
  }
  if (auto v = req.QueryParam("offset")) {
    auto n = ParseInt(*v);
    if (!n || *n < 0 || *n > 999)
      return Unprocessable("offset must be between 0 and 999", "offset");
    offset = *n;
  }
  json::array tasks;
  for (std::int64_t i = offset;
       i < static_cast<std::int64_t>(c->tasks.size()) && i < offset + limit; ++i) {
    const QuantityTask& t = c->tasks[static_cast<std::size_t>(i)];
    json::object task{{"offer", json::object{{"id", t.offer_id}}},
                      {"field", "stock.available"},
                      {"status", TaskStatusWire(t.status)}};
    json::array errors;
    if (t.status == TaskStatus::kFail) {
      task["message"] = t.error_message;
      errors.push_back(json::object{{"code", t.error_code},
                                    {"message", t.error_message},
                                    {"details", nullptr},
                                    {"path", "stock.available"},
                                    {"userMessage", t.error_user_message},
                                    {"metadata", json::object{}}});
    }
    task["errors"] = std::move(errors);
    tasks.push_back(std::move(task));
  }
  return VendorJson(200, json::object{{"tasks", std::move(tasks)}});
}

void RunQuantityCommand(SaleState& state, QuantityCommand& c) {
  for (auto& t : c.tasks) {
    auto it = state.offer_index.find(t.offer_id);
    if (it == state.offer_index.end() || state.offers[it->second].seller != c.seller) {
      t.status = TaskStatus::kFail;
      t.error_code = "OfferNotFoundException";
      t.error_message = "Offer " + t.offer_id + " not found";
      t.error_user_message = "Oferta " + t.offer_id + " nie istnieje.";
      continue;
    }
    SaleOffer& o = state.offers[it->second];
    const std::int64_t result = c.gain ? o.available + c.value : c.value;
    if (result < 0 || result > kMaxStock) {
      t.status = TaskStatus::kFail;
      t.error_code = "VALIDATION_ERROR";
      t.error_message = fmt::format("The quantity of offer {} would be {}, outside 0..{}", o.id,
                                    result, kMaxStock);
      t.error_user_message = "Nieprawidłowa liczba przedmiotów.";
      continue;
    }
    SetStock(o, static_cast<int>(result), c.done_at_ms, "USER");
    t.status = TaskStatus::kSuccess;
  }
  c.applied = true;
}

void RegisterRoute(http::Router& router, World& world, const char* method, const char* path,
                   Response (*fn)(World&, Request&)) {
  router.Add(method, path, [&world, fn](Request& req) { return Locked(world, req, fn); });
}

}  // namespace

void EnsureOffers(World& world) {
  SaleState& state = StateOf(world);
  if (state.offers_ready.size() < world.sellers.size()) {
    state.offers_ready.resize(world.sellers.size(), false);
  }
  for (std::uint32_t s = 0; s < world.sellers.size(); ++s) {
    if (state.offers_ready[s]) continue;
    GenerateSellerOffers(world, state, s);
    state.offers_ready[s] = true;
  }
}

void ApplyOfferWork(World& world, const PendingWork& work, std::int64_t due_ms) {
  SaleState& state = StateOf(world);
  if (work.kind == WorkKind::kQuantityCommand) {
    auto it = state.quantity_commands.find(work.id);
    if (it != state.quantity_commands.end() && !it->second.applied) {
      RunQuantityCommand(state, it->second);
    }
    return;
  }
  auto op_it = state.offer_operations.find(work.id);
  if (op_it == state.offer_operations.end() || op_it->second.applied) return;
  OfferOperation& op = op_it->second;
  op.applied = true;
  auto it = state.offer_index.find(op.offer_id);
  if (it == state.offer_index.end()) return;
  SaleOffer& o = state.offers[it->second];
  if (o.pending_operation == work.id) o.pending_operation.clear();
  o.updated_at_ms = due_ms;
  if (op.target == OfferStatus::kActive) {
    // Stock may have reached 0 meanwhile (a quantity command): then the offer ends instead.
    if (o.available > 0) {
      o.status = OfferStatus::kActive;
      o.started_at_ms = due_ms;
      o.ended_at_ms = 0;
      o.ended_by.clear();
    } else {
      o.status = OfferStatus::kEnded;
      o.ended_by = "EMPTY_STOCK";
      o.ended_at_ms = due_ms;
    }
  } else if (o.status != OfferStatus::kEnded) {
    o.status = OfferStatus::kEnded;
    o.ended_by = "USER";
    o.ended_at_ms = due_ms;
  }
}

void RegisterOfferRoutes(http::Router& router, World& world) {
  RegisterRoute(router, world, "GET", "/sale/offers", SearchOffers);
  RegisterRoute(router, world, "GET", "/sale/product-offers/{offerId}", GetProductOffer);
  RegisterRoute(router, world, "PATCH", "/sale/product-offers/{offerId}", PatchProductOffer);
  RegisterRoute(router, world, "GET", "/sale/product-offers/{offerId}/operations/{operationId}",
                GetOperation);
  RegisterRoute(router, world, "PUT", "/sale/offer-quantity-change-commands/{commandId}",
                PutQuantityCommand);
  RegisterRoute(router, world, "GET", "/sale/offer-quantity-change-commands/{commandId}",
                GetQuantityCommand);
  RegisterRoute(router, world, "GET", "/sale/offer-quantity-change-commands/{commandId}/tasks",
                GetQuantityTasks);
}

}  // namespace nadajnik::sandbox::allegro
