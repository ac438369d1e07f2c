#include "sandbox/allegro/orders_api.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/text.hpp"
#include "sandbox/allegro/generator.hpp"
#include "sandbox/allegro/order_lookup.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "security/tokens.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// GET /order/carriers: ids the tracking endpoint accepts (section 4.4).
constexpr std::pair<std::string_view, std::string_view> kCarriers[] = {
    {"ALLEGRO", "Allegro One"},
    {"INPOST", "InPost"},
    {"DPD", "DPD"},
    {"DHL", "DHL"},
    {"UPS", "UPS"},
    {"GLS", "GLS"},
    {"POCZTA_POLSKA", "Poczta Polska"},
    {"ORLEN", "ORLEN Paczka"},
    {"FEDEX", "FedEx"},
    {"YUN_EXPRESS", "YunExpress"},
    {"OTHER", "Inny przewoźnik"},
};

json::value NullIfEmpty(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object AddressJson(const WireAddress& a, bool delivery) {
  json::object o{{"street", a.street},
                 {"city", a.city},
                 {delivery ? "zipCode" : "postCode", a.zip_code},
                 {"countryCode", a.country_code}};
  if (delivery) {
    o["firstName"] = a.first_name;
    o["lastName"] = a.last_name;
    o["companyName"] = NullIfEmpty(a.company);
    o["phoneNumber"] = a.phone;
    o["modifiedAt"] = nullptr;
  }
  return o;
}

json::object PaymentJson(const WirePayment& p, std::int64_t finished_ms, bool finished) {
  json::object o{{"id", p.id}, {"type", p.type}, {"provider", p.provider}};
  o["finishedAt"] = finished ? json::value(FormatWireTime(finished_ms)) : json::value(nullptr);
  if (p.paid_amount && finished) {
    o["paidAmount"] = MoneyJson(*p.paid_amount);
    o["reconciliation"] = MoneyJson(*p.paid_amount);
  }
  o["features"] = json::array{};
  return o;
}

json::array LineItemsJson(const GeneratedOrder& g) {
  json::array items;
  for (const auto& li : g.line_items) {
    json::object offer{{"id", li.offer_id}, {"name", li.offer_name}};
    if (!li.external_id.empty()) offer["external"] = json::object{{"id", li.external_id}};
    items.push_back(json::object{{"id", li.id},
                                 {"offer", std::move(offer)},
                                 {"quantity", li.quantity},
                                 {"originalPrice", MoneyJson(li.original_price)},
                                 {"price", MoneyJson(li.price)},
                                 {"boughtAt", FormatIso8601(li.bought_at)}});
  }
  return items;
}

std::string_view LineItemsSent(const World& world, std::uint32_t order, std::size_t items) {
  auto it = world.tracking.find(order);
  if (it == world.tracking.end() || it->second.empty()) return "NONE";
  std::vector<std::string> sent;
  for (const auto& t : it->second) {
    for (const auto& [id, qty] : t.line_items) sent.push_back(id);
  }
  std::sort(sent.begin(), sent.end());
  sent.erase(std::unique(sent.begin(), sent.end()), sent.end());
  return sent.size() >= items ? "ALL" : "SOME";
}

// Orders a caller may see: the seller's own, not merged away.
bool Visible(const World& world, const Caller& caller, std::uint32_t order) {
  const OrderRecord& r = world.orders[order];
  return caller.seller && world.sellers[r.seller].id == caller.seller->id && r.merged_into < 0;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Response Validation(std::string_view message, std::string_view path = {}) {
  return RestError(422, "VALIDATION_ERROR", message,
                   "Invalid request. Fix the request and try again.", path);
}

// ---- the journal -----------------------------------------------------------------------------

json::object EventJson(const World& world, const JournalEvent& e) {
  const OrderRecord& r = world.orders[e.order];
  const GeneratedOrder g = world.Materialize(e.order);
  json::object buyer{{"id", g.buyer_id},
                     {"email", g.buyer_email},
                     {"login", g.buyer_login},
                     {"guest", g.guest},
                     {"preferences", json::object{{"language", g.buyer_language}}}};
  json::object order{
      {"seller", json::object{{"id", world.sellers[r.seller].id}}},
      {"buyer", std::move(buyer)},
      {"lineItems", LineItemsJson(g)},
      {"checkoutForm",
       json::object{{"id", g.checkout_form_id},
                    {"revision", RevisionHex(world.options.seed, r.index, e.version)}}},
      {"marketplace", json::object{{"id", MarketplaceWireId(r.marketplace)}}}};
  return {{"id", std::to_string(e.id)},
          {"occurredAt", FormatWireTime(e.occurred_at_ms)},
          {"type", EventTypeWire(e.type)},
          {"order", std::move(order)}};
}

constexpr std::int64_t kJournalRetentionMs = 60LL * 24 * 3600 * 1000;

Response GetEvents(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Caller& caller = std::get<Caller>(auth);
  int limit = 100;
  if (auto l = req.QueryParam("limit")) {
    auto v = ParseInt(*l);
    if (!v || *v < 1 || *v > 1000) return Validation("limit must be between 1 and 1000", "limit");
    limit = static_cast<int>(*v);
  }
  std::int64_t from = 0;
  if (auto f = req.QueryParam("from")) {
    auto v = ParseInt(*f);
    if (!v) return Validation("Invalid event id: " + TruncateUtf8(*f, 40), "from");
    from = *v;
  }
  std::vector<EventType> types;
  for (auto [it, end] = req.query.equal_range("type"); it != end; ++it) {
    auto t = ParseEventTypeWire(it->second);
    if (!t) return Validation("Unknown event type: " + TruncateUtf8(it->second, 40), "type");
    types.push_back(*t);
  }
  const std::int64_t oldest = ToUnixMillis(world.Now()) - kJournalRetentionMs;
  auto start = std::upper_bound(world.journal.begin(), world.journal.end(), from,
                                [](std::int64_t v, const JournalEvent& e) { return v < e.id; });
  json::array events;
  for (auto it = start; it != world.journal.end() && static_cast<int>(events.size()) < limit;
       ++it) {
    if (it->occurred_at_ms < oldest) continue;  // kept 60 days
    if (world.sellers[world.orders[it->order].seller].id != caller.seller->id) continue;
    if (!types.empty() && std::find(types.begin(), types.end(), it->type) == types.end()) continue;
    events.push_back(EventJson(world, *it));
  }
  return VendorJson(200, json::object{{"events", std::move(events)}});
}

Response GetEventStats(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Caller& caller = std::get<Caller>(auth);
  for (auto it = world.journal.rbegin(); it != world.journal.rend(); ++it) {
    if (world.sellers[world.orders[it->order].seller].id == caller.seller->id) {
      return VendorJson(
          200, json::object{{"latestEvent",
                             json::object{{"id", std::to_string(it->id)},
                                          {"occurredAt", FormatWireTime(it->occurred_at_ms)}}}});
    }
  }
  return VendorJson(200, json::object{{"latestEvent", nullptr}});
}

// ---- checkout forms --------------------------------------------------------------------------

struct TimeRange {
  std::optional<std::int64_t> gte;
  std::optional<std::int64_t> lte;
  bool Contains(std::int64_t t) const { return (!gte || t >= *gte) && (!lte || t <= *lte); }
};

std::optional<Response> ParseRange(const Request& req, const std::string& name, TimeRange& out) {
  for (const char* op : {"gte", "lte"}) {
    auto v = req.QueryParam(name + "." + op);
    if (!v) continue;
    auto t = ParseIso8601(*v);
    if (!t)
      return RestError(400, "IllegalArgumentException", "Invalid date: " + TruncateUtf8(*v, 40),
                       "Invalid request. Fix the request and try again.", name + "." + op);
    (std::string_view(op) == "gte" ? out.gte : out.lte) = ToUnixMillis(*t);
  }
  return std::nullopt;
}

Response ListCheckoutForms(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Caller& caller = std::get<Caller>(auth);
  std::int64_t offset = 0;
  std::int64_t limit = 100;
  if (auto v = req.QueryParam("offset")) {
    auto n = ParseInt(*v);
    if (!n || *n < 0) return Validation("offset must be a non-negative integer", "offset");
    offset = *n;
  }
  if (auto v = req.QueryParam("limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 100) return Validation("limit must be between 1 and 100", "limit");
    limit = *n;
  }
  if (offset + limit > 10000) {
    return Validation("Offset and limit parameters exceed maximal result size of 10000 items");
  }
  std::optional<CheckoutStatus> status;
  if (auto v = req.QueryParam("status")) {
    status = ParseCheckoutStatusWire(*v);
    if (!status) return Validation("Invalid status: " + TruncateUtf8(*v, 40), "status");
  }
  std::optional<FulfillmentStatus> fulfillment;
  if (auto v = req.QueryParam("fulfillment.status")) {
    fulfillment = ParseFulfillmentStatusWire(*v);
    if (!fulfillment) return Validation("Invalid fulfillment status", "fulfillment.status");
  }
  std::optional<bool> by_allegro;
  if (auto v = req.QueryParam("fulfillment.provider.id")) {
    if (*v != "SELLER" && *v != "ALLEGRO")
      return Validation("Invalid provider", "fulfillment.provider.id");
    by_allegro = *v == "ALLEGRO";
  }
  std::optional<Marketplace> marketplace;
  if (auto v = req.QueryParam("marketplace.id")) {
    marketplace = ParseMarketplaceWireId(*v);
    if (!marketplace) return Validation("Invalid marketplace", "marketplace.id");
  }
  TimeRange updated;
  TimeRange bought;
  if (auto e = ParseRange(req, "updatedAt", updated)) return *e;
  if (auto e = ParseRange(req, "lineItems.boughtAt", bought)) return *e;
  const std::string sort = req.QueryParam("sort").value_or("-lineItems.boughtAt");
  if (sort != "lineItems.boughtAt" && sort != "-lineItems.boughtAt" && sort != "updatedAt" &&
      sort != "-updatedAt") {
    return Validation("Invalid sort: " + TruncateUtf8(sort, 40), "sort");
  }
  const auto login = req.QueryParam("buyer.login");
  const auto payment_id = req.QueryParam("payment.id");
  const auto method_id = req.QueryParam("delivery.method.id");
  const auto items_sent = req.QueryParam("fulfillment.shipmentSummary.lineItemsSent");
  if (items_sent && *items_sent != "NONE" && *items_sent != "SOME" && *items_sent != "ALL") {
    return Validation("Invalid lineItemsSent", "fulfillment.shipmentSummary.lineItemsSent");
  }
  const bool needs_content = login || payment_id || method_id || items_sent;

  std::vector<std::uint32_t> matched;
  for (std::uint32_t i = 0; i < world.orders.size(); ++i) {
    const OrderRecord& r = world.orders[i];
    if (!Visible(world, caller, i)) continue;
    if (status && r.status != *status) continue;
    if (fulfillment && r.fulfillment != *fulfillment) continue;
    if (by_allegro && r.fulfilled_by_allegro != *by_allegro) continue;
    if (marketplace && r.marketplace != *marketplace) continue;
    if (!updated.Contains(r.updated_at_ms) || !bought.Contains(r.bought_at_ms)) continue;
    if (needs_content) {
      const GeneratedOrder g = world.Materialize(i);
      if (login && g.buyer_login != *login) continue;
      if (payment_id && g.payment.id != *payment_id) continue;
      if (method_id && g.delivery_method_id != *method_id) continue;
      if (items_sent && LineItemsSent(world, i, g.line_items.size()) != *items_sent) continue;
    }
    matched.push_back(i);
  }
  const bool by_update = sort.find("updatedAt") != std::string::npos;
  const bool descending = sort[0] == '-';
  std::stable_sort(matched.begin(), matched.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto& ra = world.orders[a];
    const auto& rb = world.orders[b];
    const auto ka = by_update ? ra.updated_at_ms : ra.bought_at_ms;
    const auto kb = by_update ? rb.updated_at_ms : rb.bought_at_ms;
    return descending ? ka > kb : ka < kb;
  });
  json::array forms;
  for (std::int64_t i = offset; i < static_cast<std::int64_t>(matched.size()) && i < offset + limit;
       ++i) {
    forms.push_back(CheckoutFormJson(world, matched[static_cast<std::size_t>(i)]));
  }
  const auto count = forms.size();
  return VendorJson(200, json::object{{"checkoutForms", std::move(forms)},
                                      {"count", count},
                                      {"totalCount", matched.size()}});
}

Response GetCheckoutForm(World& world, Request& req) {
  SettleSale(world);  // a finished Ship with Allegro command attaches its waybill
  auto auth = Authorize(world, req, kOrdersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  auto found = FindOrderForCaller(world, std::get<Caller>(auth), req.PathParam("id").value_or(""));
  if (auto* r = std::get_if<Response>(&found)) return *r;
  return VendorJson(200, CheckoutFormJson(world, std::get<std::uint32_t>(found)));
}

std::optional<json::object> ParseBody(const Request& req, Response& error) {
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) {
    error = RestError(400, "IllegalArgumentException", "Malformed JSON body",
                      "Invalid request. Fix the request and try again.");
    return std::nullopt;
  }
  return v.get_object();
}

void Receive(World& world, std::string kind, std::uint32_t order, const std::string& detail) {
  world.received.push_back({std::move(kind), world.CheckoutFormId(order),
                            world.sellers[world.orders[order].seller].id, detail,
                            ToUnixMillis(world.Now())});
}

Response PutFulfillment(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  if (auto e = RequireVendorJsonBody(req)) return *e;
  auto found = FindOrderForCaller(world, std::get<Caller>(auth), req.PathParam("id").value_or(""));
  if (auto* r = std::get_if<Response>(&found)) return *r;
  const std::uint32_t order = std::get<std::uint32_t>(found);
  Response error;
  auto body = ParseBody(req, error);
  if (!body) return error;
  auto status_it = body->find("status");
  if (status_it == body->end() || !status_it->value().is_string()) {
    return Validation("status is required", "status");
  }
  const auto revision = req.QueryParam("checkoutForm.revision");
  auto set = world.SetFulfillmentStatus(
      order, status_it->value().get_string(),
      revision ? std::optional<std::string_view>(*revision) : std::nullopt);
  if (!set && set.error().code == ErrorCode::kConflict) {
    return RestError(409, "CONFLICT", "Provided revision is outdated",
                     "Zamówienie zostało zmienione. Odśwież je i spróbuj ponownie.");
  }
  if (!set) return Validation("Invalid or forbidden fulfillment status", "status");
  Receive(world, "fulfillment", order, json::serialize(*body));
  Response ok;
  ok.status = 204;
  ok.SetHeader("trace-id", security::RandomToken(12));
  return ok;
}

json::object TrackingJson(const TrackingEntry& t) {
  json::array items;
  for (const auto& [id, qty] : t.line_items) items.push_back(json::object{{"id", id}});
  return {{"id", t.id},
          {"waybill", t.waybill},
          {"carrierId", t.carrier_id},
          {"carrierName", NullIfEmpty(t.carrier_name)},
          {"lineItems", std::move(items)},
          {"createdAt", FormatWireTime(t.created_at_ms)}};
}

Response GetShipments(World& world, Request& req) {
  SettleSale(world);
  auto auth = Authorize(world, req, kOrdersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  auto found = FindOrderForCaller(world, std::get<Caller>(auth), req.PathParam("id").value_or(""));
  if (auto* r = std::get_if<Response>(&found)) return *r;
  json::array list;
  if (auto it = world.tracking.find(std::get<std::uint32_t>(found)); it != world.tracking.end()) {
    for (const auto& t : it->second) list.push_back(TrackingJson(t));
  }
  return VendorJson(200, json::object{{"shipments", std::move(list)}});
}

Response PostShipment(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  if (auto e = RequireVendorJsonBody(req)) return *e;
  auto found = FindOrderForCaller(world, std::get<Caller>(auth), req.PathParam("id").value_or(""));
  if (auto* r = std::get_if<Response>(&found)) return *r;
  const std::uint32_t order = std::get<std::uint32_t>(found);
  Response error;
  auto body = ParseBody(req, error);
  if (!body) return error;
  auto str = [&](std::string_view key) -> std::optional<std::string> {
    auto it = body->find(key);
    if (it == body->end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().get_string());
  };
  const auto carrier = str("carrierId");
  const bool known = carrier && std::any_of(std::begin(kCarriers), std::end(kCarriers),
                                            [&](const auto& c) { return c.first == *carrier; });
  auto bad = [](std::string_view message, std::string_view path) {
    return RestError(400, "VALIDATION_ERROR", message,
                     "Invalid request. Fix the request and try again.", path);
  };
  if (!known) return bad("Unknown carrier: " + TruncateUtf8(carrier.value_or(""), 40), "carrierId");
  const auto waybill = str("waybill");
  if (!waybill || waybill->empty() || waybill->size() > 64) {
    return bad("waybill is required and may have at most 64 characters", "waybill");
  }
  const std::string carrier_name = str("carrierName").value_or("");
  if (carrier_name.size() > 30)
    return bad("carrierName may have at most 30 characters", "carrierName");
  const GeneratedOrder g = world.Materialize(order);
  TrackingEntry entry;
  if (auto it = body->find("lineItems");
      it != body->end() && it->value().is_array() && !it->value().get_array().empty()) {
    for (const auto& li : it->value().get_array()) {
      const auto* o = li.if_object();
      const auto id_it = o ? o->find("id") : nullptr;
      const std::string id = o && id_it != o->end() && id_it->value().is_string()
                                 ? std::string(id_it->value().get_string())
                                 : std::string();
      auto own = std::find_if(g.line_items.begin(), g.line_items.end(),
                              [&](const WireLineItem& w) { return w.id == id; });
      if (own == g.line_items.end()) {
        return Validation("Line item " + TruncateUtf8(id, 64) + " is not from this order",
                          "lineItems");
      }
      entry.line_items.emplace_back(id, own->quantity);
    }
  } else {
    for (const auto& li : g.line_items) entry.line_items.emplace_back(li.id, li.quantity);
  }
  entry.carrier_id = *carrier;
  entry.carrier_name = *carrier == "OTHER" ? carrier_name : std::string();
  entry.waybill = *waybill;
  entry.id = security::Base64Encode(*carrier + ":" + *waybill);
  entry.created_at_ms = ToUnixMillis(world.Now());
  world.tracking[order].push_back(entry);
  world.Touch(order);
  Receive(world, "tracking", order, json::serialize(TrackingJson(entry)));
  return VendorJson(201, TrackingJson(entry));
}

Response GetCarriers(World& world, Request& req) {
  auto auth = Authorize(world, req, "", /*user_only=*/false);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  json::array list;
  for (const auto& [id, name] : kCarriers) list.push_back(json::object{{"id", id}, {"name", name}});
  Response r = VendorJson(200, json::object{{"carriers", std::move(list)}});
  r.SetHeader("Cache-Control", "max-age=3600");
  return r;
}

Response GetMe(World& world, Request& req) {
  auto auth = Authorize(world, req, "allegro:api:profile:read");
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Seller& s = *std::get<Caller>(auth).seller;
  return VendorJson(
      200,
      json::object{{"id", s.id},
                   {"login", s.login},
                   {"firstName", s.first_name},
                   {"lastName", s.last_name},
                   {"email", s.email},
                   {"baseMarketplace", json::object{{"id", MarketplaceWireId(s.base_marketplace)}}},
                   {"company", json::object{{"name", s.company_name}, {"taxId", s.tax_id}}},
                   {"features", json::array{}}});
}

Response GetMarketplaces(World& world, Request& req) {
  auto auth = Authorize(world, req, "", /*user_only=*/false);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  struct Site {
    Marketplace marketplace;
    std::string_view language;
    std::string_view country;
  };
  constexpr Site kSites[] = {{Marketplace::kPl, "pl-PL", "PL"},
                             {Marketplace::kCz, "cs-CZ", "CZ"},
                             {Marketplace::kSk, "sk-SK", "SK"},
                             {Marketplace::kHu, "hu-HU", "HU"}};
  json::array list;
  for (const auto& site : kSites) {
    json::array languages{json::object{{"code", site.language}}};
    list.push_back(json::object{
        {"id", MarketplaceWireId(site.marketplace)},
        {"languages", json::object{{"offerCreation", languages}, {"offerDisplay", languages}}},
        {"currencies",
         json::object{{"base", json::object{{"code", MarketplaceCurrency(site.marketplace)}}},
                      {"additional", json::array{}}}},
        {"shippingCountries", json::array{json::object{{"code", site.country}}}}});
  }
  return VendorJson(200, json::object{{"marketplaces", std::move(list)}});
}

// Section 4.5: a waybill attached to an order moves PENDING -> IN_TRANSIT (1 h) ->
// RELEASED_FOR_DELIVERY (20 h) -> DELIVERED (26 h) in sandbox time; an unknown one has no details.
Response GetParcelTracking(World& world, Request& req) {
  auto auth = Authorize(world, req, "", /*user_only=*/false);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const std::string carrier = req.PathParam("carrierId").value_or("");
  const bool known = std::any_of(std::begin(kCarriers), std::end(kCarriers),
                                 [&](const auto& c) { return c.first == carrier; });
  auto bad = [](std::string_view message, std::string_view path) {
    return RestError(400, "VALIDATION_ERROR", message,
                     "Invalid request. Fix the request and try again.", path);
  };
  if (!known) return bad("Unknown carrier: " + TruncateUtf8(carrier, 40), "carrierId");
  std::vector<std::string> waybills;
  for (auto [it, end] = req.query.equal_range("waybill"); it != end; ++it)
    waybills.push_back(it->second);
  if (waybills.empty() || waybills.size() > 20) return bad("Give 1 to 20 waybills", "waybill");
  const std::int64_t now = ToUnixMillis(world.Now());
  json::array out;
  for (const auto& waybill : waybills) {
    const TrackingEntry* found = nullptr;
    for (const auto& [order, entries] : world.tracking) {
      for (const auto& t : entries) {
        if (t.waybill == waybill && t.carrier_id == carrier) found = &t;
      }
    }
    json::object item{{"waybill", waybill}};
    if (found) {
      constexpr std::pair<std::int64_t, std::string_view> kSteps[] = {
          {0, "PENDING"},
          {3600000, "IN_TRANSIT"},
          {72000000, "RELEASED_FOR_DELIVERY"},
          {93600000, "DELIVERED"}};
      json::array statuses;
      std::int64_t last = found->created_at_ms;
      for (const auto& [after, code] : kSteps) {
        if (found->created_at_ms + after > now) break;
        last = found->created_at_ms + after;
        statuses.push_back(json::object{{"occurredAt", FormatWireTime(last)}, {"code", code}});
      }
      item["trackingDetails"] = json::object{{"statuses", std::move(statuses)},
                                             {"createdAt", FormatWireTime(found->created_at_ms)},
                                             {"updatedAt", FormatWireTime(last)}};
    }
    out.push_back(std::move(item));
  }
  return VendorJson(200, json::object{{"carrierId", carrier}, {"waybills", std::move(out)}});
}

}  // namespace

json::object CheckoutFormJson(const World& world, std::uint32_t order) {
  const OrderRecord& r = world.orders[order];
  const GeneratedOrder g = world.Materialize(order);
  const bool paid =
      r.status == CheckoutStatus::kReadyForProcessing || r.status == CheckoutStatus::kCancelled;
  json::object buyer{{"id", g.buyer_id},
                     {"email", g.buyer_email},
                     {"login", g.buyer_login},
                     {"firstName", g.buyer_first_name},
                     {"lastName", g.buyer_last_name},
                     {"companyName", NullIfEmpty(g.buyer_company)},
                     {"guest", g.guest},
                     {"phoneNumber", g.buyer_phone},
                     {"preferences", json::object{{"language", g.buyer_language}}},
                     {"address", AddressJson(g.buyer_address, false)}};
  // A pickup-point delivery still names the receiver: the buyer's name and phone.
  WireAddress receiver = g.delivery_address.value_or(g.buyer_address);
  if (!g.delivery_address) {
    receiver.first_name = g.buyer_first_name;
    receiver.last_name = g.buyer_last_name;
    receiver.phone = g.buyer_phone;
  }
  json::object delivery{
      {"address", AddressJson(receiver, true)},
      {"method", json::object{{"id", g.delivery_method_id}, {"name", g.delivery_method_name}}},
      {"cost", MoneyJson(g.delivery_cost)},
      {"smart", g.smart},
      {"cancellation", nullptr},
      {"calculatedNumberOfPackages", 1}};
  if (g.pickup_point) {
    json::object address{{"street", g.pickup_point->address.street},
                         {"zipCode", g.pickup_point->address.zip_code},
                         {"city", g.pickup_point->address.city},
                         {"countryCode", g.pickup_point->address.country_code}};
    delivery["pickupPoint"] = json::object{{"id", g.pickup_point->id},
                                           {"name", g.pickup_point->name},
                                           {"description", g.pickup_point->description},
                                           {"address", std::move(address)}};
  }
  json::object invoice{{"required", g.invoice.required}};
  if (g.invoice.required) {
    const auto& a = g.invoice.address;
    invoice["address"] = json::object{
        {"street", a.street},
        {"city", a.city},
        {"zipCode", a.zip_code},
        {"countryCode", a.country_code},
        {"company", json::object{{"name", g.invoice.company_name},
                                 {"ids", json::array{json::object{{"type", g.invoice.tax_id_type},
                                                                  {"value", g.invoice.tax_id}}}},
                                 {"vatPayerStatus", "ACTIVE"},
                                 {"taxId", g.invoice.tax_id}}},
        {"naturalPerson", nullptr}};
    invoice["dueDate"] = nullptr;
    invoice["features"] = json::array{};
  }
  json::array surcharges;
  for (const auto& s : g.surcharges) surcharges.push_back(PaymentJson(s, r.bought_at_ms, paid));
  json::object total_to_pay = MoneyJson(g.total_to_pay);
  // A localized display string where a decimal belongs: still valid JSON and still a string, as
  // the schema asks, but it breaks a client that parses amounts strictly.
  if (r.served_corrupt) total_to_pay["amount"] = kCorruptAmount;
  json::object form{
      {"id", g.checkout_form_id},
      {"buyer", std::move(buyer)},
      {"payment",
       PaymentJson(g.payment, r.bought_at_ms, paid && g.payment.type != "CASH_ON_DELIVERY")},
      {"status", CheckoutStatusWire(r.status)},
      {"fulfillment",
       json::object{
           {"status", FulfillmentStatusWire(r.fulfillment)},
           {"shipmentSummary",
            json::object{{"lineItemsSent", LineItemsSent(world, order, g.line_items.size())}}},
           {"provider", json::object{{"id", r.fulfilled_by_allegro ? "ALLEGRO" : "SELLER"}}}}},
      {"delivery", std::move(delivery)},
      {"invoice", std::move(invoice)},
      {"lineItems", LineItemsJson(g)},
      {"surcharges", std::move(surcharges)},
      {"note", json::object{{"text", ""}}},
      {"marketplace", json::object{{"id", MarketplaceWireId(r.marketplace)}}},
      {"summary", json::object{{"totalToPay", std::move(total_to_pay)}}},
      {"updatedAt", FormatWireTime(r.updated_at_ms)},
      {"revision", world.Revision(order)}};
  if (!g.message_to_seller.empty()) form["messageToSeller"] = g.message_to_seller;
  return form;
}

void RegisterOrderRoutes(http::Router& router, World& world) {
  auto locked = [&world](Response (*fn)(World&, Request&)) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      return fn(world, req);
    };
  };
  router.Get("/order/events", locked(GetEvents));
  router.Get("/order/event-stats", locked(GetEventStats));
  router.Get("/order/checkout-forms", locked(ListCheckoutForms));
  router.Get("/order/checkout-forms/{id}", locked(GetCheckoutForm));
  router.Add("PUT", "/order/checkout-forms/{id}/fulfillment", locked(PutFulfillment));
  router.Get("/order/checkout-forms/{id}/shipments", locked(GetShipments));
  router.Post("/order/checkout-forms/{id}/shipments", locked(PostShipment));
  router.Get("/order/carriers", locked(GetCarriers));
  router.Get("/order/carriers/{carrierId}/tracking", locked(GetParcelTracking));
  router.Get("/me", locked(GetMe));
  router.Get("/marketplaces", locked(GetMarketplaces));
}

}  // namespace nadajnik::sandbox::allegro
