#include "store/sql/order_codec.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"

namespace nadajnik::store::sql {

namespace json = boost::json;
using namespace domain;

namespace {

json::object EncodeAddress(const Address& a) {
  return {{"firstName", a.first_name},     {"lastName", a.last_name},
          {"company", a.company},          {"street", a.street},
          {"postalCode", a.postal_code},   {"city", a.city},
          {"countryCode", a.country_code}, {"phone", a.phone}};
}

json::value EncodeMoney(const std::optional<Money>& m) {
  if (!m) return nullptr;
  return json::value(m->minor);
}

json::value EncodeTime(const std::optional<Timestamp>& t) {
  if (!t) return nullptr;
  return json::value(ToUnixMillis(*t));
}

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

bool Bool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}

std::optional<std::int64_t> Int(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_int64()) return std::nullopt;
  return it->value().get_int64();
}

std::optional<Money> MoneyAt(const json::object& o, std::string_view key, Currency currency) {
  auto v = Int(o, key);
  if (!v) return std::nullopt;
  return Money{*v, currency};
}

std::optional<Timestamp> TimeAt(const json::object& o, std::string_view key) {
  auto v = Int(o, key);
  if (!v) return std::nullopt;
  return FromUnixMillis(*v);
}

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_object()) return nullptr;
  return &it->value().get_object();
}

Address DecodeAddress(const json::object* o) {
  Address a;
  if (!o) return a;
  a.first_name = Str(*o, "firstName");
  a.last_name = Str(*o, "lastName");
  a.company = Str(*o, "company");
  a.street = Str(*o, "street");
  a.postal_code = Str(*o, "postalCode");
  a.city = Str(*o, "city");
  a.country_code = Str(*o, "countryCode");
  a.phone = Str(*o, "phone");
  return a;
}

json::object EncodePaymentLike(PaymentType type, const std::string& remote_id,
                               const std::string& provider, const std::optional<Money>& paid,
                               const std::optional<Timestamp>& finished_at) {
  return {{"id", remote_id},
          {"type", PaymentTypeName(type)},
          {"provider", provider},
          {"paidMinor", EncodeMoney(paid)},
          {"finishedAt", EncodeTime(finished_at)}};
}

}  // namespace

std::string EncodeOrderDetails(const Order& o) {
  json::object buyer{{"id", o.buyer.remote_id},
                     {"login", o.buyer.login},
                     {"email", o.buyer.email},
                     {"firstName", o.buyer.first_name},
                     {"lastName", o.buyer.last_name},
                     {"company", o.buyer.company},
                     {"phone", o.buyer.phone},
                     {"guest", o.buyer.guest},
                     {"address", EncodeAddress(o.buyer.address)}};
  json::object delivery{{"methodId", o.delivery.method_id},
                        {"methodName", o.delivery.method_name},
                        {"smart", o.delivery.smart},
                        {"costMinor", EncodeMoney(o.delivery.cost)},
                        {"dispatchBy", EncodeTime(o.delivery.dispatch_by)},
                        {"packages", o.delivery.packages}};
  if (o.delivery.address) delivery["address"] = EncodeAddress(*o.delivery.address);
  if (o.delivery.pickup_point) {
    const auto& p = *o.delivery.pickup_point;
    delivery["pickupPoint"] = json::object{{"id", p.id},
                                           {"name", p.name},
                                           {"description", p.description},
                                           {"address", EncodeAddress(p.address)}};
  }
  json::array tax_ids;
  for (const auto& t : o.invoice.tax_ids)
    tax_ids.push_back(json::object{{"type", t.type}, {"value", t.value}});
  json::object invoice{{"required", o.invoice.required},
                       {"companyName", o.invoice.company_name},
                       {"taxId", o.invoice.tax_id},
                       {"taxIds", std::move(tax_ids)},
                       {"address", EncodeAddress(o.invoice.address)}};
  json::array surcharges;
  for (const auto& s : o.surcharges) {
    surcharges.push_back(EncodePaymentLike(s.type, s.remote_id, s.provider, s.paid, s.finished_at));
  }
  json::object root{{"v", 1},
                    {"buyer", std::move(buyer)},
                    {"delivery", std::move(delivery)},
                    {"invoice", std::move(invoice)},
                    {"surcharges", std::move(surcharges)}};
  if (o.payment) {
    const auto& p = *o.payment;
    root["payment"] = EncodePaymentLike(p.type, p.remote_id, p.provider, p.paid, p.finished_at);
  }
  // Line items live in order_items; what only some of them carry is kept here, by line item id.
  json::object item_discounts;
  for (const auto& item : o.items) {
    if (item.discounts.empty()) continue;
    json::array types;
    for (const auto& d : item.discounts) types.emplace_back(d);
    item_discounts[item.id.value] = std::move(types);
  }
  if (!item_discounts.empty()) root["itemDiscounts"] = std::move(item_discounts);
  return json::serialize(root);
}

Result<void> DecodeOrderDetails(std::string_view text, Order& o) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCode::kInternal,
                "the stored details of order " + o.checkout_form_id.value + " are not valid JSON");
  }
  const json::object& root = v.get_object();
  const Currency currency = o.total.currency;
  if (const auto* b = Obj(root, "buyer")) {
    o.buyer.remote_id = Str(*b, "id");
    o.buyer.login = Str(*b, "login");
    o.buyer.email = Str(*b, "email");
    o.buyer.first_name = Str(*b, "firstName");
    o.buyer.last_name = Str(*b, "lastName");
    o.buyer.company = Str(*b, "company");
    o.buyer.phone = Str(*b, "phone");
    o.buyer.guest = Bool(*b, "guest");
    o.buyer.address = DecodeAddress(Obj(*b, "address"));
  }
  if (const auto* d = Obj(root, "delivery")) {
    o.delivery.method_id = Str(*d, "methodId");
    o.delivery.method_name = Str(*d, "methodName");
    o.delivery.smart = Bool(*d, "smart");
    o.delivery.cost = MoneyAt(*d, "costMinor", currency);
    o.delivery.dispatch_by = TimeAt(*d, "dispatchBy");
    o.delivery.packages = static_cast<int>(Int(*d, "packages").value_or(1));
    if (const auto* a = Obj(*d, "address")) o.delivery.address = DecodeAddress(a);
    if (const auto* p = Obj(*d, "pickupPoint")) {
      o.delivery.pickup_point = PickupPoint{Str(*p, "id"), Str(*p, "name"), Str(*p, "description"),
                                            DecodeAddress(Obj(*p, "address"))};
    }
  }
  if (const auto* i = Obj(root, "invoice")) {
    o.invoice.required = Bool(*i, "required");
    o.invoice.company_name = Str(*i, "companyName");
    o.invoice.tax_id = Str(*i, "taxId");
    o.invoice.address = DecodeAddress(Obj(*i, "address"));
    if (auto it = i->find("taxIds"); it != i->end() && it->value().is_array()) {
      for (const auto& t : it->value().get_array()) {
        if (t.is_object()) {
          o.invoice.tax_ids.push_back({Str(t.get_object(), "type"), Str(t.get_object(), "value")});
        }
      }
    }
  }
  auto decode_payment = [&](const json::object& p, auto& out) {
    out.remote_id = Str(p, "id");
    out.type = ParsePaymentType(Str(p, "type")).value_or(PaymentType::kOnline);
    out.provider = Str(p, "provider");
    out.paid = MoneyAt(p, "paidMinor", currency);
    out.finished_at = TimeAt(p, "finishedAt");
  };
  if (const auto* p = Obj(root, "payment")) {
    Payment payment;
    decode_payment(*p, payment);
    o.payment = std::move(payment);
  }
  if (auto it = root.find("surcharges"); it != root.end() && it->value().is_array()) {
    for (const auto& s : it->value().get_array()) {
      if (!s.is_object()) continue;
      Surcharge surcharge;
      decode_payment(s.get_object(), surcharge);
      o.surcharges.push_back(std::move(surcharge));
    }
  }
  // Discounts annotate the line items already in `o.items` (none when a list skips them).
  if (const auto* discounts = Obj(root, "itemDiscounts")) {
    for (auto& item : o.items) {
      auto it = discounts->find(item.id.value);
      if (it == discounts->end() || !it->value().is_array()) continue;
      item.discounts.clear();
      for (const auto& d : it->value().get_array()) {
        if (d.is_string()) item.discounts.emplace_back(d.get_string());
      }
    }
  }
  return Ok();
}

DbParams OrderRemoteParams(const Order& o) {
  const std::string buyer_name = o.buyer.first_name.empty() ? o.buyer.last_name
                                 : o.buyer.last_name.empty()
                                     ? o.buyer.first_name
                                     : o.buyer.first_name + " " + o.buyer.last_name;
  return DbParams{
      o.revision,
      std::string(domain::MarketplaceId(o.marketplace)),
      std::string(o.total.currency.code()),
      std::string(domain::CheckoutStatusName(o.checkout_status)),
      std::string(domain::FulfillmentStatusName(o.fulfillment_status)),
      o.fulfillment_provider == FulfillmentProvider::kAllegro ? "ALLEGRO" : "SELLER",
      o.buyer.login,
      o.buyer.email,
      buyer_name,
      o.buyer.company,
      o.buyer.phone,
      o.buyer.guest,
      o.delivery.method_id,
      o.delivery.method_name,
      o.delivery.smart,
      o.delivery.pickup_point ? o.delivery.pickup_point->id : std::string(),
      o.delivery.cost ? DbValue(o.delivery.cost->minor) : DbValue(),
      o.payment ? DbValue(std::string(domain::PaymentTypeName(o.payment->type))) : DbValue(),
      o.cash_on_delivery(),
      o.payment && o.payment->paid ? DbValue(o.payment->paid->minor) : DbValue(),
      o.total.minor,
      o.invoice.required,
      o.buyer_note,
      o.seller_note,
      ToUnixMillis(o.bought_at.value_or(o.remote_updated_at)),
      ToUnixMillis(o.remote_updated_at),
      FoldCase(o.buyer.login + " " + o.buyer.email + " " + buyer_name + " " +
               o.checkout_form_id.value),
  };
}

const std::vector<std::string_view>& OrderRemoteColumns() {
  static const std::vector<std::string_view> columns = {
      "revision",           "marketplace",          "currency",
      "checkout_status",    "fulfillment_status",   "fulfillment_provider",
      "buyer_login",        "buyer_email",          "buyer_name",
      "buyer_company",      "buyer_phone",          "buyer_guest",
      "delivery_method_id", "delivery_method_name", "smart",
      "pickup_point_id",    "delivery_cost_minor",  "payment_type",
      "cash_on_delivery",   "paid_minor",           "total_minor",
      "invoice_required",   "buyer_note",           "seller_note",
      "bought_at",          "remote_updated_at",    "search_text"};
  return columns;
}

}  // namespace nadajnik::store::sql
