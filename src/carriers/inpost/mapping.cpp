#include "carriers/inpost/mapping.hpp"

#include "carriers/polish_address.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "core/text.hpp"

namespace nadajnik::carriers::inpost {

namespace json = boost::json;

namespace {

constexpr std::array kLockerServices = {
    "inpost_locker_standard",  "inpost_locker_standard_smart",
    "inpost_locker_allegro",   "inpost_locker_allegro_smart",
    "inpost_locker_pass_thru", "inpost_locker_customer_service_point",
};
constexpr std::array kCourierServices = {
    "inpost_letter_allegro",
    "inpost_courier_allegro",
    "inpost_courier_c2c",
    "inpost_courier_standard",
    "inpost_courier_express_1000",
    "inpost_courier_express_1200",
    "inpost_courier_express_1700",
    "inpost_courier_palette",
    "inpost_courier_local_standard",
    "inpost_courier_local_express",
    "inpost_courier_local_super_express",
};
constexpr std::array kZpl300Services = {
    "inpost_locker_standard", "inpost_locker_allegro",  "inpost_locker_pass_thru",
    "inpost_letter_allegro",  "inpost_courier_allegro", "inpost_courier_c2c",
};

template <std::size_t N>
bool In(const std::array<const char*, N>& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(), [&](const char* x) { return s == x; });
}

// Locker templates of section 2.3, in mm, smallest first: height x width x length, 25 kg each.
struct Template {
  const char* wire;
  const char* letter;
  int dims[3];  // ascending
};
constexpr std::array<Template, 3> kTemplates = {{
    {"small", "A", {80, 380, 640}},
    {"medium", "B", {190, 380, 640}},
    {"large", "C", {380, 410, 640}},
}};
constexpr int kLockerMaxGrams = 25000;
constexpr int kCourierLongestMm = 1200;
constexpr int kCourierSumMm = 2200;

// Marks a decimal that must be written as a JSON number, not a string (Boost.JSON writes doubles
// as "1.25E1"); user strings are cleaned of control characters, so the mark can't be forged.
constexpr std::string_view kDecimalMark =
    "\x01"
    "dec:";

json::string Decimal(std::string text) { return json::string(std::string(kDecimalMark) + text); }

std::string WriteDecimals(std::string serialized) {
  static const std::regex mark(R"re("\\u0001dec:(-?[0-9]+(\.[0-9]+)?)")re");
  return std::regex_replace(serialized, mark, "$1");
}

std::string KgText(int grams) {
  std::string s = fmt::format("{}.{:03d}", grams / 1000, grams % 1000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string Bounded(std::string_view s) { return TruncateUtf8(s, 64); }

Unexpected Invalid(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(message));
}

bool PartyHasName(const Party& p) {
  return !CleanText(p.name).empty() || !CleanText(p.company).empty();
}

Result<void> ValidateAddress(const Party& p, std::string_view who) {
  if (CleanText(p.street).empty()) {
    return Invalid(fmt::format("InPost needs the {}'s street: fill in the address", who));
  }
  if (CleanText(p.building).empty()) {
    return Invalid(fmt::format(
        "InPost needs the {}'s building number apart from the street ('{}'): split the address "
        "into street and number",
        who, Bounded(p.street)));
  }
  if (CleanText(p.city).empty()) {
    return Invalid(fmt::format("InPost needs the {}'s city: fill in the address", who));
  }
  if (!NormalizePostalCode(p.postal_code)) {
    return Invalid(fmt::format(
        "InPost needs the {}'s postal code as NN-NNN; '{}' is not one: correct the address", who,
        Bounded(p.postal_code)));
  }
  if (!p.country_code.empty() && p.country_code != "PL") {
    return Invalid(
        fmt::format("InPost ShipX (Poland) delivers within PL only; the {}'s country is '{}'", who,
                    Bounded(p.country_code)));
  }
  return Ok();
}

Result<void> ValidatePhone(const Party& p, std::string_view who) {
  if (CleanText(p.phone).empty()) {
    return Invalid(fmt::format("InPost needs the {}'s phone number (9 digits): fill it in", who));
  }
  if (!NormalizePhone(p.phone)) {
    return Invalid(fmt::format(
        "InPost needs a Polish 9-digit phone number for the {}; '{}' is not one: correct it", who,
        Bounded(p.phone)));
  }
  return Ok();
}

bool LooksLikeEmail(std::string_view e) {
  auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && e.find('.', at) != std::string_view::npos &&
         e.find(' ') == std::string_view::npos;
}

json::object PeerJson(const Party& p) {
  json::object o;
  const std::string name = CleanText(p.name);
  if (!name.empty()) {
    const auto space = name.find(' ');
    o["first_name"] = space == std::string::npos ? name : name.substr(0, space);
    o["last_name"] = space == std::string::npos ? name : CleanText(name.substr(space + 1));
  }
  if (!CleanText(p.company).empty()) o["company_name"] = CleanText(p.company);
  if (!CleanText(p.email).empty()) o["email"] = CleanText(p.email);
  if (auto phone = NormalizePhone(p.phone)) o["phone"] = *phone;
  if (!CleanText(p.street).empty() || !CleanText(p.city).empty()) {
    json::object a;
    a["street"] = CleanText(p.street);
    a["building_number"] = CleanText(p.building);
    a["city"] = CleanText(p.city);
    a["post_code"] = NormalizePostalCode(p.postal_code).value_or(CleanText(p.postal_code));
    a["country_code"] = p.country_code.empty() ? "PL" : CleanText(p.country_code);
    o["address"] = std::move(a);
  }
  return o;
}

json::object MoneyJson(const Money& m) {
  return json::object{{"amount", Decimal(m.AmountString())}, {"currency", m.currency.code()}};
}

const json::value* Member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  auto it = v.get_object().find(key);
  if (it == v.get_object().end() || it->value().is_null()) return nullptr;
  return &it->value();
}

std::string StringOf(const json::value* v) {
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

Unexpected BadShape(std::string_view what, std::string_view body) {
  return Fail(ErrorCode::kInternal,
              fmt::format("InPost answered with an unexpected {} (not the documented shape)", what),
              TruncateUtf8(body, 300));
}

// "receiver.address.post_code" -> "the receiver's postal code".
std::string FieldPhrase(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    parts.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  static const std::vector<std::pair<std::string_view, std::string_view>> kFields = {
      {"phone", "phone number"},
      {"email", "e-mail"},
      {"post_code", "postal code"},
      {"city", "city"},
      {"street", "street"},
      {"building_number", "building number"},
      {"first_name", "first name"},
      {"last_name", "last name"},
      {"company_name", "company name"},
      {"name", "name"},
      {"address", "address"},
      {"country_code", "country"},
      {"template", "size (template A/B/C)"},
      {"length", "length"},
      {"width", "width"},
      {"height", "height"},
      {"weight", "weight"},
      {"dimensions", "dimensions"},
  };
  auto field = [&](const std::string& p) -> std::string {
    for (const auto& [k, v] : kFields) {
      if (p == k) return std::string(v);
    }
    return p;
  };
  const std::string& head = parts[0];
  const std::string& last =
      parts.back() == "amount" && parts.size() > 1 ? parts[parts.size() - 2] : parts.back();
  if (head == "receiver" || head == "sender") {
    return fmt::format("the {}'s {}", head, parts.size() > 1 ? field(last) : "details");
  }
  if (head == "custom_attributes") {
    if (last == "target_point") return "the parcel locker (target point)";
    if (last == "dropoff_point") return "the drop-off locker";
    if (last == "sending_method") return "the sending method";
    return "the shipment option '" + last + "'";
  }
  if (head == "parcels") {
    if (parts.size() > 1 && !parts[1].empty() &&
        std::isdigit(static_cast<unsigned char>(parts[1][0]))) {
      const int n = std::atoi(parts[1].c_str()) + 1;
      return parts.size() > 2 ? fmt::format("parcel {}'s {}", n, field(last))
                              : fmt::format("parcel {}", n);
    }
    return "the parcels";
  }
  if (head == "cod")
    return last == "currency" ? "the cash-on-delivery currency" : "the cash-on-delivery amount";
  if (head == "insurance") return "the insurance amount";
  if (head == "reference") return "the reference (order number)";
  if (head == "service") return "the service";
  return "'" + path + "'";
}

std::string KeyPhrase(std::string_view key) {
  if (key == "required") return "is missing";
  if (key == "invalid_format") return "has a wrong format";
  if (key == "too_short") return "is too short";
  if (key == "too_long") return "is too long";
  if (key == "too_small") return "is too small";
  if (key == "too_big" || key == "too_large") return "is too large";
  if (key == "does_not_exist") return "does not exist";
  if (key == "invalid") return "is not accepted";
  return fmt::format("was refused ({})", TruncateUtf8(key, 40));
}

void Flatten(const json::value& v, const std::string& prefix, std::vector<std::string>& out) {
  if (out.size() >= 20) return;
  if (v.is_array()) {
    const auto& a = v.get_array();
    std::string keys;
    for (const auto& e : a) {
      if (e.is_string()) {
        keys += (keys.empty() ? "" : ", ") + std::string(e.get_string());
      } else {
        Flatten(e, prefix, out);
      }
    }
    if (!keys.empty()) out.push_back(prefix + ": " + keys);
  } else if (v.is_object()) {
    for (const auto& [k, child] : v.get_object()) {
      Flatten(child, prefix.empty() ? std::string(k) : prefix + "." + std::string(k), out);
    }
  } else if (v.is_string()) {
    out.push_back(prefix + ": " + std::string(v.get_string()));
  }
}

}  // namespace

bool IsLockerService(std::string_view s) { return In(kLockerServices, s); }
bool IsCourierService(std::string_view s) { return In(kCourierServices, s); }
bool IsKnownService(std::string_view s) { return IsLockerService(s) || IsCourierService(s); }
bool OffersZpl300(std::string_view s) { return In(kZpl300Services, s); }
bool HasA4Label(std::string_view s) { return !IsCourierService(s); }

Result<std::string> LockerTemplateFor(const domain::Parcel& parcel, int index) {
  const int n = index + 1;
  if (parcel.weight_grams > kLockerMaxGrams) {
    return Invalid(
        fmt::format("Parcel {} weighs {} kg; InPost lockers take at most 25 kg: send it by courier",
                    n, KgText(parcel.weight_grams)));
  }
  const bool has_dims = parcel.length_mm > 0 && parcel.width_mm > 0 && parcel.height_mm > 0;
  std::array<int, 3> dims = {parcel.height_mm, parcel.width_mm, parcel.length_mm};
  std::sort(dims.begin(), dims.end());
  auto fits = [&](const Template& t) {
    return !has_dims || (dims[0] <= t.dims[0] && dims[1] <= t.dims[1] && dims[2] <= t.dims[2]);
  };
  const std::string wanted = CleanText(parcel.size_template);
  if (!wanted.empty()) {
    for (const auto& t : kTemplates) {
      if (wanted == t.wire || wanted == t.letter ||
          (wanted.size() == 1 &&
           std::toupper(static_cast<unsigned char>(wanted[0])) == t.letter[0])) {
        if (!fits(t)) {
          return Invalid(fmt::format(
              "Parcel {} ({} x {} x {} mm) does not fit InPost locker size {} (at most {} x {} x "
              "{} mm): choose a bigger size or send it by courier",
              n, parcel.length_mm, parcel.width_mm, parcel.height_mm, t.letter, t.dims[0],
              t.dims[1], t.dims[2]));
        }
        return std::string(t.wire);
      }
    }
    return Invalid(
        fmt::format("Parcel {} has size '{}'; InPost lockers take sizes A, B or C: choose one", n,
                    Bounded(wanted)));
  }
  if (!has_dims) {
    return Invalid(
        fmt::format("Parcel {} needs a locker size (A, B or C) or its dimensions: fill one in", n));
  }
  for (const auto& t : kTemplates) {
    if (fits(t)) return std::string(t.wire);
  }
  return Invalid(fmt::format(
      "Parcel {} ({} x {} x {} mm) is bigger than InPost's largest locker size C (410 x 380 x "
      "640 mm): send it by courier",
      n, parcel.length_mm, parcel.width_mm, parcel.height_mm));
}

Result<void> ValidateRequest(const ShipmentRequest& r, const ValidationLimits& limits) {
  if (r.service.empty()) return Invalid("Choose an InPost service for the shipment");
  if (!IsKnownService(r.service)) {
    return Invalid(fmt::format(
        "'{}' is not an InPost ShipX service: choose one such as inpost_locker_standard or "
        "inpost_courier_standard",
        Bounded(r.service)));
  }
  const bool locker = IsLockerService(r.service);
  if (r.parcels.empty()) return Invalid("An InPost shipment needs at least one parcel");
  if (r.parcels.size() > 1000) return Invalid("InPost takes at most 1000 parcels per shipment");
  if (!r.reference.empty() && (r.reference.size() < 3 || r.reference.size() > 100)) {
    return Invalid(
        fmt::format("InPost takes a reference (order number) of 3 to 100 characters; '{}' has {}",
                    Bounded(r.reference), r.reference.size()));
  }
  NADAJNIK_TRY(ValidatePhone(r.receiver, "receiver"));
  if (locker) {
    if (CleanText(r.target_point).empty()) {
      return Invalid(
          "An InPost locker shipment needs the buyer's parcel locker (target point, e.g. "
          "KRA01M): choose it in the order");
    }
    if (!LooksLikeEmail(CleanText(r.receiver.email))) {
      return Invalid(fmt::format(
          "InPost lockers need the receiver's e-mail for the pickup code; '{}' is not an e-mail "
          "address: fill it in",
          Bounded(r.receiver.email)));
    }
    if (r.parcels.size() != 1) {
      return Invalid(fmt::format(
          "An InPost locker shipment holds exactly one parcel, this one has {}: create one "
          "shipment per parcel or send it by courier",
          r.parcels.size()));
    }
    NADAJNIK_ASSIGN_OR_RETURN(auto tpl, LockerTemplateFor(r.parcels[0], 0));
    (void)tpl;
  } else {
    if (!PartyHasName(r.receiver)) {
      return Invalid("InPost couriers need the receiver's name or company: fill it in");
    }
    NADAJNIK_TRY(ValidateAddress(r.receiver, "receiver"));
    if (!CleanText(r.receiver.email).empty() && !LooksLikeEmail(CleanText(r.receiver.email))) {
      return Invalid(fmt::format("The receiver's e-mail '{}' is not an e-mail address: correct it",
                                 Bounded(r.receiver.email)));
    }
    for (std::size_t i = 0; i < r.parcels.size(); ++i) {
      const auto& p = r.parcels[i];
      if (p.length_mm <= 0 || p.width_mm <= 0 || p.height_mm <= 0 || p.weight_grams <= 0) {
        return Invalid(fmt::format(
            "Parcel {} needs its dimensions and weight for an InPost courier: fill them in",
            i + 1));
      }
      const int longest = std::max({p.length_mm, p.width_mm, p.height_mm});
      if (longest > kCourierLongestMm || p.length_mm + p.width_mm + p.height_mm > kCourierSumMm) {
        return Invalid(fmt::format(
            "Parcel {} ({} x {} x {} mm) is over InPost's courier limit (longest side 120 cm, "
            "length + width + height 220 cm): split it or use a pallet service",
            i + 1, p.length_mm, p.width_mm, p.height_mm));
      }
    }
    if (!CleanText(r.sending_point).empty() && !CleanText(r.sending_point).starts_with("POP-")) {
      return Invalid(fmt::format(
          "InPost couriers can't be dropped in a locker ('{}'): clear the sending point to have "
          "the courier collect it, or give a ParcelPoint (POP-...)",
          Bounded(r.sending_point)));
    }
  }
  if (PartyHasName(r.sender) || !CleanText(r.sender.street).empty()) {
    NADAJNIK_TRY(ValidateAddress(r.sender, "sender"));
    if (!CleanText(r.sender.phone).empty()) NADAJNIK_TRY(ValidatePhone(r.sender, "sender"));
  }
  if (r.cash_on_delivery) {
    const Money& cod = *r.cash_on_delivery;
    if (cod.currency.code() != "PLN") {
      return Invalid(
          fmt::format("InPost collects cash on delivery in PLN only, not {}", cod.currency.code()));
    }
    if (cod.minor <= 0) return Invalid("The cash-on-delivery amount must be above 0 PLN");
    if (cod.minor > limits.max_cod_minor) {
      Money max{limits.max_cod_minor, Currency::PLN()};
      return Invalid(fmt::format(
          "Cash on delivery of {} is over InPost's limit of {}: lower it or ask for prepayment",
          cod.ToString(), max.ToString()));
    }
  }
  if (r.insurance && r.insurance->currency.code() != "PLN") {
    return Invalid(fmt::format("InPost insures in PLN only, not {}", r.insurance->currency.code()));
  }
  const bool needs_insurance =
      r.service == "inpost_courier_standard" || r.service.starts_with("inpost_courier_express_");
  if (needs_insurance && !r.insurance && !r.cash_on_delivery) {
    return Invalid(fmt::format(
        "InPost requires an insurance amount for {}: set the declared value of the shipment",
        r.service));
  }
  return Ok();
}

Result<std::string> BuildCreateBody(const ShipmentRequest& r, const ValidationLimits& limits,
                                    std::string_view sending_method) {
  NADAJNIK_TRY(ValidateRequest(r, limits));
  const bool locker = IsLockerService(r.service);
  json::object body;
  body["service"] = r.service;
  body["receiver"] = PeerJson(r.receiver);
  if (PartyHasName(r.sender)) body["sender"] = PeerJson(r.sender);
  json::array parcels;
  for (std::size_t i = 0; i < r.parcels.size(); ++i) {
    const auto& p = r.parcels[i];
    json::object o;
    if (locker) {
      NADAJNIK_ASSIGN_OR_RETURN(auto tpl, LockerTemplateFor(p, static_cast<int>(i)));
      o["template"] = tpl;
    }
    if (p.length_mm > 0 && p.width_mm > 0 && p.height_mm > 0) {
      o["dimensions"] = json::object{
          {"length", p.length_mm}, {"width", p.width_mm}, {"height", p.height_mm}, {"unit", "mm"}};
    }
    if (p.weight_grams > 0) {
      o["weight"] = json::object{{"amount", Decimal(KgText(p.weight_grams))}, {"unit", "kg"}};
    }
    parcels.push_back(std::move(o));
  }
  body["parcels"] = std::move(parcels);
  json::object attrs;
  if (locker) attrs["target_point"] = CleanText(r.target_point);
  const std::string drop = CleanText(r.sending_point);
  if (!drop.empty()) {
    attrs["sending_method"] = drop.starts_with("POP-") ? "pop" : "parcel_locker";
    attrs["dropoff_point"] = drop;
  } else {
    attrs["sending_method"] = std::string(sending_method);
  }
  body["custom_attributes"] = std::move(attrs);
  json::array extra;
  if (r.cash_on_delivery) {
    body["cod"] = MoneyJson(*r.cash_on_delivery);
    extra.push_back("cod");
  }
  if (r.insurance) {
    body["insurance"] = MoneyJson(*r.insurance);
    extra.push_back("insurance");
  } else if (r.cash_on_delivery && !locker) {
    // Couriers insure COD parcels at least for the amount collected.
    body["insurance"] = MoneyJson(*r.cash_on_delivery);
    extra.push_back("insurance");
  }
  if (!extra.empty()) body["additional_services"] = std::move(extra);
  if (!r.reference.empty()) body["reference"] = CleanText(r.reference);
  if (!CleanText(r.comment).empty()) body["comments"] = TruncateUtf8(CleanText(r.comment), 100);
  return WriteDecimals(json::serialize(body));
}

std::string ShipmentField(const json::value& shipment, std::string_view key) {
  return StringOf(Member(shipment, key));
}

Result<RemoteShipment> ParseShipment(const json::value& v) {
  const auto* id = Member(v, "id");
  const auto* status = Member(v, "status");
  if (!id || !(id->is_int64() || id->is_uint64() || id->is_string()) || !status ||
      !status->is_string()) {
    return BadShape("shipment", v.is_object() ? json::serialize(v) : std::string("not an object"));
  }
  RemoteShipment s;
  s.remote_id = StringOf(id);
  s.status = std::string(status->get_string());
  s.tracking_number = StringOf(Member(v, "tracking_number"));
  static constexpr std::array kNoLabel = {"created", "offers_prepared", "offer_selected",
                                          "draft",   "error",           "canceled"};
  const bool before = std::find(kNoLabel.begin(), kNoLabel.end(), s.status) != kNoLabel.end();
  s.confirmed = !before && !s.tracking_number.empty();
  if (s.status == "error") {
    s.error =
        "InPost refused the shipment after accepting it (status 'error'): check it in the "
        "InPost Manager";
  } else if (s.status == "canceled") {
    s.error = "The shipment was cancelled at InPost";
  }
  return s;
}

Result<RemoteShipment> ParseShipment(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return BadShape("shipment", body);
  return ParseShipment(v);
}

Result<ShipmentPage> ParseShipmentPage(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  const auto* items = ec ? nullptr : Member(v, "items");
  if (!items || !items->is_array()) return BadShape("shipment list", body);
  ShipmentPage page;
  for (const auto& item : items->get_array()) page.items.push_back(item);
  auto num = [&](std::string_view key, std::int64_t fallback) {
    const auto* m = Member(v, key);
    return m && m->is_int64() ? m->get_int64() : fallback;
  };
  page.count = num("count", static_cast<std::int64_t>(page.items.size()));
  page.page = num("page", 1);
  page.per_page = num("per_page", static_cast<std::int64_t>(page.items.size()));
  return page;
}

domain::TrackingState TrackingStateFor(std::string_view s) {
  using domain::TrackingState;
  static const std::vector<std::pair<std::string_view, TrackingState>> kExact = {
      {"created", TrackingState::kCreated},
      {"offers_prepared", TrackingState::kCreated},
      {"offer_selected", TrackingState::kCreated},
      {"confirmed", TrackingState::kCreated},
      {"out_for_delivery", TrackingState::kOutForDelivery},
      {"out_for_delivery_to_address", TrackingState::kOutForDelivery},
      {"stack_in_box_machine", TrackingState::kReadyForPickup},
      {"stack_in_customer_service_point", TrackingState::kReadyForPickup},
      {"courier_avizo_in_customer_service_point", TrackingState::kReadyForPickup},
      {"avizo", TrackingState::kReadyForPickup},
      {"delivered", TrackingState::kDelivered},
      {"rejected_by_receiver", TrackingState::kFailed},
      {"pickup_time_expired", TrackingState::kFailed},
      {"stack_parcel_pickup_time_expired", TrackingState::kFailed},
      {"stack_parcel_in_box_machine_pickup_time_expired", TrackingState::kFailed},
      {"oversized", TrackingState::kFailed},
      {"claimed", TrackingState::kFailed},
      {"missing", TrackingState::kFailed},
      {"returned_to_sender", TrackingState::kReturned},
      {"return_pickup_confirmation_to_sender", TrackingState::kReturned},
      {"canceled", TrackingState::kUnknown},
      {"other", TrackingState::kUnknown},
  };
  for (const auto& [name, state] : kExact) {
    if (s == name) return state;
  }
  if (s.starts_with("ready_to_pickup") || s.starts_with("pickup_reminder_sent")) {
    return TrackingState::kReadyForPickup;
  }
  if (s.starts_with("undelivered")) return TrackingState::kFailed;
  static constexpr std::array kMoving = {
      "dispatched_by_sender",      "dispatched_by_sender_to_pok",
      "collected_from_sender",     "taken_by_courier",
      "taken_by_courier_from_pok", "adopted_at_source_branch",
      "sent_from_source_branch",   "adopted_at_sorting_center",
      "sent_from_sorting_center",  "adopted_at_target_branch",
      "delay_in_delivery",         "redirect_to_box",
      "canceled_redirect_to_box",  "readdressed",
      "unstack_from_box_machine",  "unstack_from_customer_service_point",
  };
  if (In(kMoving, s)) return TrackingState::kInTransit;
  return TrackingState::kUnknown;
}

Result<std::vector<TrackingEvent>> ParseTracking(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  const auto* details = ec ? nullptr : Member(v, "tracking_details");
  if (!details || !details->is_array()) return BadShape("tracking answer", body);
  std::vector<TrackingEvent> events;
  for (const auto& d : details->get_array()) {
    TrackingEvent e;
    e.code = StringOf(Member(d, "status"));
    if (e.code.empty()) return BadShape("tracking event", body);
    e.state = TrackingStateFor(e.code);
    std::string description = e.code;
    std::replace(description.begin(), description.end(), '_', ' ');
    const std::string origin = StringOf(Member(d, "origin_status"));
    e.description = origin.empty() ? description : description + " (" + origin + ")";
    auto at = ParseIso8601(StringOf(Member(d, "datetime")));
    if (!at) return BadShape("tracking event time", body);
    e.at = *at;
    events.push_back(std::move(e));
  }
  std::reverse(events.begin(), events.end());
  std::stable_sort(events.begin(), events.end(),
                   [](const TrackingEvent& a, const TrackingEvent& b) { return a.at < b.at; });
  return events;
}

std::vector<std::string> FlattenDetails(const json::value& details) {
  std::vector<std::string> out;
  Flatten(details, "", out);
  return out;
}

Error ErrorFromResponse(int http_status, std::string_view body, std::string_view what,
                        std::string_view organization_id) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  std::string key, message;
  const json::value* details = nullptr;
  if (!ec && v.is_object()) {
    key = StringOf(Member(v, "error"));
    message = StringOf(Member(v, "message"));
    if (message.empty()) message = StringOf(Member(v, "description"));
    details = Member(v, "details");
  }
  message = TruncateUtf8(CleanText(message), 300);
  Error e;
  e.details = fmt::format("HTTP {} {}: {}", http_status, key.empty() ? "-" : key,
                          ec ? TruncateUtf8(body, 300) : message);
  if (http_status == 401) {
    e.code = ErrorCode::kPermissionDenied;
    e.message = fmt::format(
        "InPost refused the API token for organization {}: generate a new ShipX token in the "
        "InPost Manager (Moje konto > API) and enter it in Ustawienia > Przewoźnicy",
        organization_id);
    return e;
  }
  if (http_status == 403) {
    e.code = ErrorCode::kPermissionDenied;
    e.message = fmt::format(
        "InPost does not let this token act for organization {}: check the organization id and "
        "the token in Ustawienia > Przewoźnicy",
        organization_id);
    return e;
  }
  if (http_status == 429) {
    e.code = ErrorCode::kRateLimited;
    e.retryable = true;
    e.message = fmt::format(
        "InPost asks to slow down (too many requests) while trying to {}; "
        "it will be retried",
        what);
    return e;
  }
  if (http_status >= 500) {
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format("InPost failed (HTTP {}) while trying to {}; it will be retried",
                            http_status, what);
    return e;
  }
  if (http_status == 404) {
    e.code = ErrorCode::kNotFound;
    e.message = fmt::format(
        "InPost could not {}: it does not know that shipment or tracking "
        "number",
        what);
    return e;
  }
  if (key == "validation_failed" && details) {
    auto items = FlattenDetails(*details);
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < 3; ++i) {
      const auto colon = items[i].find(": ");
      const std::string path = items[i].substr(0, colon);
      const std::string keys = colon == std::string::npos ? "" : items[i].substr(colon + 2);
      const std::string first_key = keys.substr(0, keys.find(','));
      text += fmt::format("{}{} {} ({})", text.empty() ? "" : "; ", FieldPhrase(path),
                          KeyPhrase(first_key), items[i]);
    }
    if (text.empty()) text = message.empty() ? "the data is not valid" : message;
    e.code = ErrorCode::kInvalidArgument;
    e.message = fmt::format("InPost refused to {}: {}. Correct it and try again", what, text);
    return e;
  }
  if (key == "invalid_action") {
    e.code = ErrorCode::kFailedPrecondition;
    e.message = fmt::format("InPost can't {} now{}", what,
                            message.empty() ? std::string() : ": " + message);
    return e;
  }
  if (key == "label_generation_failed" || key == "label_template_not_found") {
    e.code = ErrorCode::kFailedPrecondition;
    e.message = fmt::format("InPost could not generate the label ({}){}", key,
                            message.empty() ? std::string() : ": " + message);
    return e;
  }
  e.code = ErrorCode::kInvalidArgument;
  e.message = fmt::format("InPost refused to {}: {}", what,
                          message.empty() ? fmt::format("HTTP {} {}", http_status, key) : message);
  return e;
}

}  // namespace nadajnik::carriers::inpost
