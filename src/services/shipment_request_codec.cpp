// The frozen carrier request stored with each shipment (shipments.request_json).
#include <fmt/format.h>

#include <cctype>

#include <boost/json.hpp>

#include "services/shipping.hpp"

namespace nadajnik::services {
namespace {

namespace json = boost::json;

json::object PartyJson(const carriers::Party& p) {
  return {{"name", p.name},
          {"company", p.company},
          {"street", p.street},
          {"building", p.building},
          {"postalCode", p.postal_code},
          {"city", p.city},
          {"countryCode", p.country_code},
          {"phone", p.phone},
          {"email", p.email}};
}

json::value MoneyJson(const std::optional<Money>& m) {
  if (!m) return nullptr;
  return json::object{{"amount", m->AmountString()}, {"currency", std::string(m->currency.code())}};
}

class Reader {
 public:
  explicit Reader(const json::object& o) : o_(o) {}
  std::string Str(std::string_view key) const {
    auto it = o_.find(key);
    return it != o_.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                     : std::string();
  }
  int Int(std::string_view key) const {
    auto it = o_.find(key);
    return it != o_.end() && it->value().is_int64() ? static_cast<int>(it->value().get_int64()) : 0;
  }
  bool Bool(std::string_view key) const {
    auto it = o_.find(key);
    return it != o_.end() && it->value().is_bool() && it->value().get_bool();
  }
  const json::value* Get(std::string_view key) const {
    auto it = o_.find(key);
    return it == o_.end() ? nullptr : &it->value();
  }

 private:
  const json::object& o_;
};

carriers::Party ReadParty(const json::value* v) {
  carriers::Party p;
  if (!v || !v->is_object()) return p;
  Reader r(v->get_object());
  p.name = r.Str("name");
  p.company = r.Str("company");
  p.street = r.Str("street");
  p.building = r.Str("building");
  p.postal_code = r.Str("postalCode");
  p.city = r.Str("city");
  p.country_code = r.Str("countryCode");
  p.phone = r.Str("phone");
  p.email = r.Str("email");
  return p;
}

Result<std::optional<Money>> ReadMoney(const json::value* v, std::string_view what) {
  if (!v || v->is_null()) return std::optional<Money>();
  if (!v->is_object()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is not an amount", what));
  }
  Reader r(v->get_object());
  NADAJNIK_ASSIGN_OR_RETURN(Money m, ParseMoney(r.Str("amount"), r.Str("currency")));
  return std::optional<Money>(m);
}

}  // namespace

std::string EncodeShipmentRequest(const carriers::ShipmentRequest& q) {
  json::array parcels;
  for (const auto& p : q.parcels) {
    parcels.push_back(json::object{{"template", p.size_template},
                                   {"weightGrams", p.weight_grams},
                                   {"lengthMm", p.length_mm},
                                   {"widthMm", p.width_mm},
                                   {"heightMm", p.height_mm}});
  }
  json::object o{{"reference", q.reference},
                 {"service", q.service},
                 {"sender", PartyJson(q.sender)},
                 {"receiver", PartyJson(q.receiver)},
                 {"targetPoint", q.target_point},
                 {"sendingPoint", q.sending_point},
                 {"parcels", std::move(parcels)},
                 {"cashOnDelivery", MoneyJson(q.cash_on_delivery)},
                 {"codBankAccount", q.cod_bank_account},
                 {"insurance", MoneyJson(q.insurance)},
                 {"comment", q.comment},
                 {"checkoutFormId", q.checkout_form_id},
                 {"deliveryMethodId", q.delivery_method_id},
                 {"smart", q.smart}};
  return json::serialize(o);
}

Result<carriers::ShipmentRequest> DecodeShipmentRequest(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCode::kInternal, "the shipment's stored request is not a JSON object");
  }
  Reader r(v.get_object());
  carriers::ShipmentRequest q;
  q.reference = r.Str("reference");
  if (q.reference.empty()) {
    return Fail(ErrorCode::kInternal, "the shipment's stored request has no reference");
  }
  q.service = r.Str("service");
  q.sender = ReadParty(r.Get("sender"));
  q.receiver = ReadParty(r.Get("receiver"));
  q.target_point = r.Str("targetPoint");
  q.sending_point = r.Str("sendingPoint");
  if (const auto* ps = r.Get("parcels"); ps && ps->is_array()) {
    for (const auto& item : ps->get_array()) {
      if (!item.is_object()) continue;
      Reader p(item.get_object());
      q.parcels.push_back({p.Str("template"), p.Int("weightGrams"), p.Int("lengthMm"),
                           p.Int("widthMm"), p.Int("heightMm"), ""});
    }
  }
  NADAJNIK_ASSIGN_OR_RETURN(q.cash_on_delivery,
                            ReadMoney(r.Get("cashOnDelivery"), "cashOnDelivery"));
  q.cod_bank_account = r.Str("codBankAccount");
  NADAJNIK_ASSIGN_OR_RETURN(q.insurance, ReadMoney(r.Get("insurance"), "insurance"));
  q.comment = r.Str("comment");
  q.checkout_form_id = r.Str("checkoutFormId");
  q.delivery_method_id = r.Str("deliveryMethodId");
  q.smart = r.Bool("smart");
  return q;
}

std::string_view LabelContentType(domain::LabelFormat format) {
  switch (format) {
    case domain::LabelFormat::kPdfA6:
    case domain::LabelFormat::kPdfA4:
      return "application/pdf";
    case domain::LabelFormat::kZpl203:
    case domain::LabelFormat::kZpl300:
      return "application/x-zpl";
  }
  return "application/octet-stream";
}

std::optional<domain::LabelFormat> ParseLabelFormatParam(std::string_view text) {
  std::string t;
  for (char c : text) t += c == '-' ? '_' : static_cast<char>(std::tolower(c));
  if (t == "zpl") t = "zpl_203";
  return domain::ParseLabelFormat(t);
}

}  // namespace nadajnik::services
