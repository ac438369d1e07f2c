#include "sandbox/allegro/shipping_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <regex>
#include <set>

#include "core/text.hpp"
#include "sandbox/allegro/order_lookup.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "sandbox/allegro/wire_json.hpp"
#include "sandbox/allegro/wza_labels.hpp"
#include "security/tokens.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kInvalidRequest = "Invalid request. Fix the request and try again.";
constexpr std::string_view kUnreadable = "The object sent cannot be properly parsed";

constexpr std::int64_t kCreateMs = 2000;
constexpr std::int64_t kCancelMs = 1000;

// ---- services ------------------------------------------------------------------------------

enum class DeliveryType { kDoor, kApm, kPudo };

std::string_view DeliveryTypeWire(DeliveryType t) {
  switch (t) {
    case DeliveryType::kDoor:
      return "DOOR";
    case DeliveryType::kApm:
      return "APM";
    case DeliveryType::kPudo:
      return "PUDO";
  }
  return "DOOR";
}

struct NamedItem {
  std::string id;
  std::string name;
  std::string description;
  bool read_only = false;  // additional properties only
};

struct Service {
  std::string method_id;
  std::string name;
  std::string carrier_id;
  DeliveryType type = DeliveryType::kDoor;
  std::vector<Marketplace> marketplaces;
  std::string currency;        // of the limits
  std::int64_t cod_limit = 0;  // whole units; 0: no cash on delivery
  std::int64_t insurance_limit = 0;
  bool force_iban = false;
  std::array<double, 3> max_dims{};  // cm, largest first
  double max_kg = 0;
  bool multi_package = false;
  bool contract = false;  // owner CLIENT: needs the seller's credentialsId
  bool pickup_available = true;
  std::vector<std::string> package_types{"PACKAGE"};
  std::vector<NamedItem> additional_services;
  std::vector<NamedItem> additional_properties;
};

// Allegro Standard services of allegro.pl and allegro.cz, with the delivery method ids the order
// generator uses (an order's method is then a service as it is), and one contract service.
const std::vector<Service>& Catalogue() {
  static const std::vector<Service> services = [] {
    const NamedItem handling{"ADDITIONAL_HANDLING", "Niestandardowa paczka",
                             "Paczka o nietypowym kształcie lub z nietypowego materiału"};
    const NamedItem sending_code{"SENDING_CODE", "Kod nadania",
                                 "Kod do nadania paczki w automacie bez etykiety", true};
    std::vector<Service> list;
    auto add = [&](std::string_view id, std::string_view name, std::string_view carrier,
                   DeliveryType type, Marketplace marketplace, bool cod) -> Service& {
      Service s;
      s.method_id = std::string(id);
      s.name = std::string(name);
      s.carrier_id = std::string(carrier);
      s.type = type;
      s.marketplaces = {marketplace};
      s.currency = std::string(MarketplaceCurrency(marketplace));
      const bool pln = s.currency == "PLN";
      s.cod_limit = cod ? (pln ? 5000 : 50000) : 0;
      const bool door = type == DeliveryType::kDoor;
      s.insurance_limit = door ? (pln ? 50000 : 200000) : (pln ? 5000 : 30000);
      s.max_dims = door                         ? std::array<double, 3>{150, 100, 100}
                   : type == DeliveryType::kApm ? std::array<double, 3>{64, 41, 38}
                                                : std::array<double, 3>{60, 40, 40};
      s.max_kg = door ? 31.5 : type == DeliveryType::kApm ? 25 : 20;
      s.multi_package = door && carrier != "ALLEGRO";
      s.pickup_available = door;
      if (door && carrier != "ALLEGRO") s.additional_services.push_back(handling);
      if (type == DeliveryType::kApm && carrier == "INPOST") {
        s.additional_properties.push_back(sending_code);
      }
      list.push_back(std::move(s));
      return list.back();
    };
    constexpr auto kPl = Marketplace::kPl;
    constexpr auto kCz = Marketplace::kCz;
    constexpr auto kApm = DeliveryType::kApm;
    constexpr auto kPudo = DeliveryType::kPudo;
    constexpr auto kDoor = DeliveryType::kDoor;
    add("2488f7b7-5d1c-4d65-b85c-4cbcf253fd93", "Allegro Paczkomaty InPost", "INPOST", kApm, kPl,
        false);
    add("cfdcd8ce-c9b4-4f9c-a895-ccc418e259ff", "Allegro Paczkomaty InPost pobranie", "INPOST",
        kApm, kPl, true);
    add("8d2a481e-856c-4bb6-8b31-0c5a9d495bd7", "Allegro One Box", "ALLEGRO", kApm, kPl, false);
    add("d39f92f2-b49d-4cd3-ac6b-ab7f3b17c52d", "Allegro Odbiór w Punkcie ORLEN Paczka", "ORLEN",
        kPudo, kPl, false);
    add("20173e52-318a-4249-b1d9-760f777b5663", "Allegro Odbiór w Punkcie ORLEN Paczka pobranie",
        "ORLEN", kPudo, kPl, true);
    add("6c321e46-50eb-41aa-886a-cf0cbcc4d0be", "Allegro Odbiór w Punkcie DPD Pickup", "DPD", kPudo,
        kPl, false);
    add("e8465779-7c98-4301-ad9f-24786136b1bb", "Allegro Kurier DPD", "DPD", kDoor, kPl, false)
        .package_types.push_back("DOX");
    add("cb0c5ea6-c259-4f9f-bd6c-042bb9affce2", "Allegro Kurier DPD pobranie", "DPD", kDoor, kPl,
        true)
        .package_types.push_back("DOX");
    Service& pocztex = add("862502fa-344e-4573-8577-00f9c78dc5a4", "Allegro Pocztex Kurier 48",
                           "POCZTA_POLSKA", kDoor, kPl, false);
    pocztex.max_dims = {120, 60, 60};
    pocztex.max_kg = 30;
    Service& pocztex_cod =
        add("fc1839e3-b140-4acb-ad32-455667c01977", "Allegro Pocztex Kurier 48 pobranie",
            "POCZTA_POLSKA", kDoor, kPl, true);
    pocztex_cod.max_dims = {120, 60, 60};
    pocztex_cod.max_kg = 30;
    add("7fa3731c-a4b2-44ad-8e45-df4f6412640a", "Allegro Kurier24 InPost", "INPOST", kDoor, kPl,
        false);
    add("b978908e-5703-4603-9a1f-c1ae4fc4ce3e", "Allegro Kurier24 InPost pobranie", "INPOST", kDoor,
        kPl, true);
    add("d4869ef2-2ba3-4361-8f97-b6f1517c8f5f", "Allegro One Kurier", "ALLEGRO", kDoor, kPl, false);
    add("92fc8a86-d922-441b-ae6e-dc92cc49e1af", "Allegro Zásilkovna – výdejní místa", "PACKETA",
        kPudo, kCz, false);
    add("6e150cfd-2a26-4364-b45a-3a155a0d75b3", "Allegro Zásilkovna – výdejní místa, dobírka",
        "PACKETA", kPudo, kCz, true);
    add("9697c559-05d1-497c-a7ae-a46159068d6c", "Allegro Zásilkovna Z-BOX", "PACKETA", kApm, kCz,
        false);
    add("991253ed-586d-435f-8750-690342f721e8", "Allegro One Box", "ALLEGRO", kApm, kCz, false);
    add("b8d1e761-f9a7-47d4-bc63-ccbe88bd42e5", "Allegro Balíkovna", "CESKA_POSTA", kPudo, kCz,
        false);
    add("656143be-3b3f-4414-b384-4c58a7fee4fc", "Allegro Zásilkovna – doručení na adresu",
        "PACKETA", kDoor, kCz, false);
    add("abe546f0-eab8-40af-958a-52c66309883a", "Allegro PPL kurýr", "PPL", kDoor, kCz, false);
    add("263299d0-0382-49dd-8eb6-b34dc20a1375", "Allegro PPL kurýr, dobírka", "PPL", kDoor, kCz,
        true);
    add("4cae1df7-91b8-44d7-abbd-c6f8df68418a", "Allegro DPD kurýr", "DPD", kDoor, kCz, false);
    // The seller's own contract, set up in the web UI (owner CLIENT); IBAN needed for COD.
    Service& contract = add("a7d0e2c4-6b8f-4e1a-9c3d-5f7b9e1a3c5d", "InPost Kurier (umowa własna)",
                            "INPOST", kDoor, kPl, true);
    contract.contract = true;
    contract.force_iban = true;
    contract.insurance_limit = 100000;
    return list;
  }();
  return services;
}

std::string CredentialsId(std::uint64_t seed, const Seller& seller) {
  // Deterministic per seller, UUID-shaped like Allegro's.
  std::uint64_t h = seed * 0x9e3779b97f4a7c15ULL;
  for (char c : seller.id) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  const std::uint64_t lo = h * 0xbf58476d1ce4e5b9ULL + 0x94d049bb133111ebULL;
  return fmt::format("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", h >> 32, (h >> 16) & 0xffff,
                     h & 0xfff, (lo >> 52) & 0xfff, lo & 0xffffffffffffULL);
}

// The services a seller sees: all Allegro Standard ones, and the contract ones of sellers based
// on allegro.pl.
std::vector<const Service*> SellerServices(const Seller& seller) {
  std::vector<const Service*> out;
  for (const auto& s : Catalogue()) {
    if (s.contract && seller.base_marketplace != Marketplace::kPl) continue;
    out.push_back(&s);
  }
  return out;
}

bool ContainsIgnoringCase(std::string_view text, std::string_view needle) {
  return AsciiLower(text).find(AsciiLower(needle)) != std::string::npos;
}

// The WzA service of the order's own delivery method, or nullopt when the method is the
// seller's own (not an Allegro Standard one).
std::optional<Service> ServiceForOrder(const GeneratedOrder& g) {
  for (const auto& s : Catalogue()) {
    if (!s.contract && s.method_id == g.delivery_method_id) return s;
  }
  for (const auto& s : Catalogue()) {
    if (!s.contract && AsciiLower(s.name) == AsciiLower(g.delivery_method_name)) {
      Service copy = s;
      copy.method_id = g.delivery_method_id;
      return copy;
    }
  }
  if (!AsciiLower(g.delivery_method_name).starts_with("allegro")) return std::nullopt;
  // Another Allegro method: carrier and kind from its name and the order's pickup point.
  const std::string& name = g.delivery_method_name;
  Service s;
  s.method_id = g.delivery_method_id;
  s.name = name;
  s.carrier_id = "ALLEGRO";
  static constexpr std::pair<std::string_view, std::string_view> kCarrierWords[] = {
      {"inpost", "INPOST"},
      {"paczkomat", "INPOST"},
      {"dpd", "DPD"},
      {"dhl", "DHL"},
      {"ups", "UPS"},
      {"gls", "GLS"},
      {"fedex", "FEDEX"},
      {"pocztex", "POCZTA_POLSKA"},
      {"poczta", "POCZTA_POLSKA"},
      {"orlen", "ORLEN"},
      {"packeta", "PACKETA"},
      {"zásilkovna", "PACKETA"},
      {"ppl", "PPL"},
      {"foxpost", "FOXPOST"},
      {"mpl", "MAGYAR_POSTA"},
      {"balíkovna", "CESKA_POSTA"},
  };
  for (const auto& [word, carrier] : kCarrierWords) {
    if (ContainsIgnoringCase(name, word)) {
      s.carrier_id = std::string(carrier);
      break;
    }
  }
  const bool locker = ContainsIgnoringCase(name, "paczkomat") ||
                      ContainsIgnoringCase(name, "box") || ContainsIgnoringCase(name, "automat");
  const bool cod = ContainsIgnoringCase(name, "pobranie") ||
                   ContainsIgnoringCase(name, "dobírka") ||
                   ContainsIgnoringCase(name, "dobierka") || ContainsIgnoringCase(name, "utánvét");
  s.type =
      g.pickup_point ? (locker ? DeliveryType::kApm : DeliveryType::kPudo) : DeliveryType::kDoor;
  s.marketplaces = {g.marketplace};
  s.currency = std::string(MarketplaceCurrency(g.marketplace));
  const bool pln = s.currency == "PLN";
  s.cod_limit = cod ? (pln ? 5000 : 50000) : 0;
  s.insurance_limit = pln ? 5000 : 30000;
  s.max_dims = s.type == DeliveryType::kDoor ? std::array<double, 3>{150, 100, 100}
                                             : std::array<double, 3>{64, 41, 38};
  s.max_kg = s.type == DeliveryType::kDoor ? 31.5 : 25;
  s.multi_package = s.type == DeliveryType::kDoor && s.carrier_id != "ALLEGRO";
  s.pickup_available = s.type == DeliveryType::kDoor;
  return s;
}

// ---- addresses -------------------------------------------------------------------------------

std::string_view CountryOf(Marketplace m) {
  switch (m) {
    case Marketplace::kPl:
      return "PL";
    case Marketplace::kCz:
      return "CZ";
    case Marketplace::kSk:
      return "SK";
    case Marketplace::kHu:
      return "HU";
  }
  return "PL";
}

// The seller's dispatch address (in Allegro, from the account's settings).
WzaAddress SenderOf(const Seller& seller) {
  WzaAddress a;
  a.name = seller.first_name + " " + seller.last_name;
  a.company = seller.company_name;
  a.email = seller.email;
  a.country_code = std::string(CountryOf(seller.base_marketplace));
  switch (seller.base_marketplace) {
    case Marketplace::kCz:
      a.street = "Skladová 8";
      a.postal_code = "190 00";
      a.city = "Praha";
      a.phone = "+420601234567";
      break;
    case Marketplace::kSk:
      a.street = "Skladová 3";
      a.postal_code = "821 09";
      a.city = "Bratislava";
      a.phone = "+421901234567";
      break;
    case Marketplace::kHu:
      a.street = "Raktár utca 5";
      a.postal_code = "1097";
      a.city = "Budapest";
      a.phone = "+36301234567";
      break;
    case Marketplace::kPl:
      a.street = "Magazynowa 12";
      a.postal_code = "61-131";
      a.city = "Poznań";
      a.phone = "+48500600700";
      break;
  }
  return a;
}

WzaAddress ReceiverOf(const GeneratedOrder& g) {
  const WireAddress& d = g.delivery_address ? *g.delivery_address : g.buyer_address;
  WzaAddress a;
  const std::string first = g.delivery_address ? d.first_name : g.buyer_first_name;
  const std::string last = g.delivery_address ? d.last_name : g.buyer_last_name;
  a.name = first + (first.empty() || last.empty() ? "" : " ") + last;
  a.company = g.delivery_address ? d.company : g.buyer_company;
  a.street = d.street;
  a.postal_code = d.zip_code;
  a.city = d.city;
  a.country_code = d.country_code.empty() ? std::string(CountryOf(g.marketplace)) : d.country_code;
  a.email = g.buyer_email;
  a.phone = g.delivery_address && !d.phone.empty() ? d.phone : g.buyer_phone;
  if (g.pickup_point) a.point = g.pickup_point->id;
  return a;
}

json::object AddressJson(const WzaAddress& a) {
  json::object o;
  if (!a.name.empty()) o["name"] = a.name;
  if (!a.company.empty()) o["company"] = a.company;
  o["street"] = a.street;
  o["postalCode"] = a.postal_code;
  o["city"] = a.city;
  if (!a.state.empty()) o["state"] = a.state;
  o["countryCode"] = a.country_code;
  o["email"] = a.email;
  o["phone"] = a.phone;
  if (!a.point.empty()) o["point"] = a.point;
  return o;
}

// ---- JSON -------------------------------------------------------------------------------------

json::object DimensionJson(double value, std::string_view unit) {
  // Whole numbers as integers: Boost.JSON would write 30.0 as 3E1.
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return {{"value", static_cast<std::int64_t>(value)}, {"unit", unit}};
  }
  return {{"value", value}, {"unit", unit}};
}

std::string LimitAmount(std::int64_t whole) { return fmt::format("{}.00", whole); }

json::array NamedItemsJson(const std::vector<NamedItem>& items, bool properties) {
  json::array out;
  for (const auto& i : items) {
    json::object o{{"id", i.id}, {"name", i.name}, {"description", i.description}};
    if (properties) {
      o["required"] = false;
      o["readOnly"] = i.read_only;
    }
    out.push_back(std::move(o));
  }
  return out;
}

json::object ServiceJson(const Service& s, const std::string& credentials) {
  json::array marketplaces;
  for (auto m : s.marketplaces) marketplaces.push_back(json::value(MarketplaceWireId(m)));
  json::array package_types;
  for (const auto& t : s.package_types) package_types.push_back(json::value(t));
  json::value cod = nullptr;
  if (s.cod_limit > 0) {
    cod = json::object{{"limit", s.cod_limit},
                       {"currency", s.currency},
                       {"paymentType", "MONEY_TRANSFER"},
                       {"forceRequireIban", s.force_iban}};
  }
  return {{"id", json::object{{"deliveryMethodId", s.method_id},
                              {"credentialsId",
                               s.contract ? json::value(credentials) : json::value(nullptr)}}},
          {"name", s.name},
          {"carrierId", s.carrier_id},
          {"owner", s.contract ? "CLIENT" : "ALLEGRO"},
          {"marketplaces", std::move(marketplaces)},
          {"packageTypes", std::move(package_types)},
          {"cashOnDelivery", std::move(cod)},
          {"insurance", json::object{{"limit", s.insurance_limit}, {"currency", s.currency}}},
          {"additionalServices", NamedItemsJson(s.additional_services, false)},
          {"additionalProperties", NamedItemsJson(s.additional_properties, true)},
          {"features", json::object{}}};
}

json::object ErrorJson(const WzaError& e) {
  return {{"code", e.code},
          {"message", e.message},
          {"details", e.details.empty() ? e.message : e.details},
          {"path", e.path.empty() ? json::value(nullptr) : json::value(e.path)},
          {"userMessage", e.user_message.empty() ? e.message : e.user_message}};
}

json::object ShipmentJson(const WzaShipment& s) {
  json::array packages;
  for (const auto& p : s.packages) {
    json::object o{{"waybill", p.waybill},
                   {"type", p.type},
                   {"length", DimensionJson(p.length_cm, "CENTIMETER")},
                   {"width", DimensionJson(p.width_cm, "CENTIMETER")},
                   {"height", DimensionJson(p.height_cm, "CENTIMETER")},
                   {"weight", DimensionJson(p.weight_kg, "KILOGRAMS")}};
    if (!p.text_on_label.empty()) o["textOnLabel"] = p.text_on_label;
    o["transportingInfo"] =
        json::array{json::object{{"carrierId", s.carrier_id}, {"carrierWaybill", p.waybill}}};
    packages.push_back(std::move(o));
  }
  json::object o{{"id", s.id}, {"deliveryMethodId", s.delivery_method_id}};
  if (!s.credentials_id.empty()) o["credentialsId"] = s.credentials_id;
  o["sender"] = AddressJson(s.sender);
  o["receiver"] = AddressJson(s.receiver);
  if (!s.reference_number.empty()) o["referenceNumber"] = s.reference_number;
  o["packages"] = std::move(packages);
  if (s.insurance) {
    o["insurance"] =
        json::object{{"amount", s.insurance->amount}, {"currency", s.insurance->currency}};
  }
  if (s.cash_on_delivery) {
    json::object cod{{"amount", s.cash_on_delivery->amount},
                     {"currency", s.cash_on_delivery->currency}};
    if (!s.cash_on_delivery->owner_name.empty()) cod["ownerName"] = s.cash_on_delivery->owner_name;
    if (!s.cash_on_delivery->iban.empty()) cod["iban"] = s.cash_on_delivery->iban;
    o["cashOnDelivery"] = std::move(cod);
  }
  o["createdDate"] = FormatWireTime(s.created_at_ms);
  if (s.canceled_at_ms) o["canceledDate"] = FormatWireTime(s.canceled_at_ms);
  o["carrier"] = s.carrier_id;
  o["labelFormat"] = s.label_format;
  json::array services;
  for (const auto& a : s.additional_services) services.push_back(json::value(a));
  o["additionalServices"] = std::move(services);
  json::object properties;
  for (const auto& [k, v] : s.additional_properties) properties[k] = v;
  o["additionalProperties"] = std::move(properties);
  o["transport"] = json::array{json::value(s.carrier_id)};
  o["pickupAvailable"] = s.pickup_available;
  return o;
}

// ---- request parsing (400 on anything unreadable) ----------------------------------------------

struct ParseError {
  std::string message;
  std::string path;
};

// The /shipment-management error shape (Error400/403/404/504): code, message, details as text,
// path and userMessage, no metadata.
Response WzaErrorResponse(int status, const WzaError& e) {
  return VendorJson(status, json::object{{"errors", json::array{ErrorJson(e)}}});
}

// An error made by the shared checks (Authorize, RequireVendorJsonBody) in that shape.
Response WzaShaped(Response r) {
  boost::system::error_code ec;
  json::value body = json::parse(r.body, ec);
  auto* errors = !ec && body.is_object() ? body.as_object().if_contains("errors") : nullptr;
  if (errors == nullptr || !errors->is_array()) return r;  // 401: the OAuth shape stays
  for (auto& e : errors->as_array()) {
    auto* o = e.if_object();
    if (o == nullptr) continue;
    o->erase("metadata");
    if (auto* details = o->if_contains("details"); details != nullptr && details->is_null()) {
      *details = o->contains("message") ? o->at("message") : json::value("");
    }
  }
  r.body = json::serialize(body);
  return r;
}

Response BadRequest(const ParseError& e) {
  return WzaErrorResponse(
      400, {"VALIDATION_ERROR", e.message, "", e.path, std::string(kInvalidRequest)});
}

std::optional<ParseError> ReadAddress(const json::object& input, const std::string& key,
                                      WzaAddress& out) {
  const auto* v = wire::Find(input, key);
  if (!v) return ParseError{key + " is required", key};
  const auto* a = v->if_object();
  if (!a) return ParseError{std::string(kUnreadable), key};
  struct Member {
    std::string_view name;
    std::string* target;
    bool required;
  };
  const Member members[] = {
      {"name", &out.name, false},
      {"company", &out.company, false},
      {"street", &out.street, true},
      {"postalCode", &out.postal_code, true},
      {"city", &out.city, true},
      {"state", &out.state, false},
      {"countryCode", &out.country_code, false},
      {"email", &out.email, true},
      {"phone", &out.phone, true},
      {"point", &out.point, false},
  };
  for (const auto& m : members) {
    const std::string path = key + "." + std::string(m.name);
    auto f = wire::GetString(*a, m.name);
    if (f.WrongType()) return ParseError{std::string(kUnreadable), path};
    if (f.value) *m.target = *f.value;
    if (m.required && m.target->empty()) return ParseError{path + " is required", path};
  }
  if (out.country_code.empty()) out.country_code = "PL";  // the schema's default
  static const std::regex kCountry("^[A-Z]{2}$");
  if (!std::regex_match(out.country_code, kCountry)) {
    return ParseError{key + ".countryCode must be an ISO 3166-1 alpha-2 code",
                      key + ".countryCode"};
  }
  if (out.name.empty() && out.company.empty()) {
    return ParseError{key + ": name or company is required", key + ".name"};
  }
  return std::nullopt;
}

std::optional<ParseError> ReadDimension(const json::object& package, const std::string& path,
                                        std::string_view key, std::string_view unit, double& out) {
  const std::string here = path + "." + std::string(key);
  const auto* d = wire::GetObject(package, key);
  if (!d) return ParseError{here + " is required", here};
  auto value = wire::GetNumber(*d, "value");
  if (!value.value) return ParseError{here + ".value must be a number", here + ".value"};
  if (*value.value <= 0) return ParseError{here + ".value must be greater than 0", here + ".value"};
  auto u = wire::GetString(*d, "unit");
  if (u.WrongType() || (u.value && *u.value != unit)) {
    return ParseError{fmt::format("{}.unit must be {}", here, unit), here + ".unit"};
  }
  out = *value.value;
  return std::nullopt;
}

std::optional<ParseError> ReadAmount(const json::object& input, std::string_view key,
                                     std::optional<WzaAmount>& out) {
  const std::string path(key);
  const auto* v = wire::Find(input, key);
  if (!v) return std::nullopt;
  const auto* o = v->if_object();
  if (!o) return ParseError{std::string(kUnreadable), path};
  static const std::regex kAmount(R"(^\d+[.,]\d{1,2}$)");
  static const std::regex kCurrency("^[A-Z]{3}$");
  auto amount = wire::GetString(*o, "amount");
  auto currency = wire::GetString(*o, "currency");
  if (!amount.value || !std::regex_match(*amount.value, kAmount)) {
    return ParseError{path + ".amount must look like 123.45", path + ".amount"};
  }
  if (!currency.value || !std::regex_match(*currency.value, kCurrency)) {
    return ParseError{path + ".currency must be an ISO 4217 code", path + ".currency"};
  }
  WzaAmount a{*amount.value, *currency.value, "", ""};
  for (auto [name, target] : {std::pair{"ownerName", &a.owner_name}, std::pair{"iban", &a.iban}}) {
    auto f = wire::GetString(*o, name);
    if (f.WrongType()) return ParseError{std::string(kUnreadable), path + "." + name};
    if (f.value) *target = *f.value;
  }
  out = a;
  return std::nullopt;
}

struct CreateInput {
  std::string delivery_method_id;
  std::string credentials_id;
  WzaAddress sender;
  WzaAddress receiver;
  std::string reference_number;
  std::vector<WzaPackage> packages;
  std::optional<WzaAmount> insurance;
  std::optional<WzaAmount> cash_on_delivery;
  std::string label_format = "PDF";
  std::vector<std::string> additional_services;
  std::map<std::string, std::string> additional_properties;
};

std::optional<ParseError> ReadCreateInput(const json::object& input, CreateInput& out) {
  for (auto [name, target] : {std::pair{"deliveryMethodId", &out.delivery_method_id},
                              std::pair{"credentialsId", &out.credentials_id},
                              std::pair{"referenceNumber", &out.reference_number}}) {
    auto f = wire::GetString(input, name);
    if (f.WrongType()) return ParseError{std::string(kUnreadable), name};
    if (f.value) *target = *f.value;
  }
  if (auto e = ReadAddress(input, "sender", out.sender)) return e;
  if (auto e = ReadAddress(input, "receiver", out.receiver)) return e;
  const auto* packages = wire::GetArray(input, "packages");
  if (!packages || packages->empty()) return ParseError{"packages is required", "packages"};
  static const std::set<std::string> kTypes = {"DOX", "PACKAGE", "PALLET", "OTHER"};
  for (std::size_t i = 0; i < packages->size(); ++i) {
    const std::string path = fmt::format("packages[{}]", i);
    const auto* p = (*packages)[i].if_object();
    if (!p) return ParseError{std::string(kUnreadable), path};
    WzaPackage package;
    auto type = wire::GetString(*p, "type");
    if (!type.value || !kTypes.contains(*type.value)) {
      return ParseError{path + ".type must be DOX, PACKAGE, PALLET or OTHER", path + ".type"};
    }
    package.type = *type.value;
    if (auto e = ReadDimension(*p, path, "length", "CENTIMETER", package.length_cm)) return e;
    if (auto e = ReadDimension(*p, path, "width", "CENTIMETER", package.width_cm)) return e;
    if (auto e = ReadDimension(*p, path, "height", "CENTIMETER", package.height_cm)) return e;
    if (auto e = ReadDimension(*p, path, "weight", "KILOGRAMS", package.weight_kg)) return e;
    auto text = wire::GetString(*p, "textOnLabel");
    if (text.WrongType()) return ParseError{std::string(kUnreadable), path + ".textOnLabel"};
    package.text_on_label = text.value.value_or("");
    out.packages.push_back(std::move(package));
  }
  if (auto e = ReadAmount(input, "insurance", out.insurance)) return e;
  if (auto e = ReadAmount(input, "cashOnDelivery", out.cash_on_delivery)) return e;
  auto format = wire::GetString(input, "labelFormat");
  if (format.WrongType() || (format.value && *format.value != "PDF" && *format.value != "ZPL")) {
    return ParseError{"labelFormat must be PDF or ZPL", "labelFormat"};
  }
  if (format.value) out.label_format = *format.value;
  if (const auto* v = wire::Find(input, "additionalServices")) {
    const auto* a = v->if_array();
    if (!a) return ParseError{std::string(kUnreadable), "additionalServices"};
    for (const auto& s : *a) {
      if (!s.is_string()) return ParseError{std::string(kUnreadable), "additionalServices"};
      out.additional_services.emplace_back(s.get_string());
    }
  }
  if (const auto* v = wire::Find(input, "additionalProperties")) {
    const auto* o = v->if_object();
    if (!o) return ParseError{std::string(kUnreadable), "additionalProperties"};
    for (const auto& [k, value] : *o) {
      if (!value.is_string()) return ParseError{std::string(kUnreadable), "additionalProperties"};
      out.additional_properties.emplace(std::string(k), std::string(value.get_string()));
    }
  }
  return std::nullopt;
}

// The input as accepted, in the schema's types (a dimension sent as text comes back a number).
json::object InputJson(const CreateInput& in) {
  json::object o;
  if (!in.delivery_method_id.empty()) o["deliveryMethodId"] = in.delivery_method_id;
  if (!in.credentials_id.empty()) o["credentialsId"] = in.credentials_id;
  o["sender"] = AddressJson(in.sender);
  o["receiver"] = AddressJson(in.receiver);
  if (!in.reference_number.empty()) o["referenceNumber"] = in.reference_number;
  json::array packages;
  for (const auto& p : in.packages) {
    json::object package{{"type", p.type},
                         {"length", DimensionJson(p.length_cm, "CENTIMETER")},
                         {"width", DimensionJson(p.width_cm, "CENTIMETER")},
                         {"height", DimensionJson(p.height_cm, "CENTIMETER")},
                         {"weight", DimensionJson(p.weight_kg, "KILOGRAMS")}};
    if (!p.text_on_label.empty()) package["textOnLabel"] = p.text_on_label;
    packages.push_back(std::move(package));
  }
  o["packages"] = std::move(packages);
  auto amount = [](const WzaAmount& a) {
    json::object j{{"amount", a.amount}, {"currency", a.currency}};
    if (!a.owner_name.empty()) j["ownerName"] = a.owner_name;
    if (!a.iban.empty()) j["iban"] = a.iban;
    return j;
  };
  if (in.insurance) o["insurance"] = amount(*in.insurance);
  if (in.cash_on_delivery) o["cashOnDelivery"] = amount(*in.cash_on_delivery);
  o["labelFormat"] = in.label_format;
  json::array services;
  for (const auto& a : in.additional_services) services.push_back(json::value(a));
  o["additionalServices"] = std::move(services);
  json::object properties;
  for (const auto& [k, v] : in.additional_properties) properties[k] = v;
  o["additionalProperties"] = std::move(properties);
  return o;
}

// ---- finding the order by the buyer's e-mail
// ------------------------------------------------------

std::uint32_t SellerIndex(const World& world, const Seller& seller) {
  for (std::uint32_t i = 0; i < world.sellers.size(); ++i) {
    if (world.sellers[i].id == seller.id) return i;
  }
  return 0;
}

// The seller's newest visible order whose buyer e-mail is `email`. Orders are generated on
// demand, so the index grows lazily: new orders first, then older ones down to the first match;
// no order is generated twice.
std::optional<std::uint32_t> FindOrderByEmail(World& world, SaleState& state, std::uint32_t seller,
                                              const std::string& email) {
  const std::string key = AsciiLower(email);
  const auto total = static_cast<std::uint32_t>(world.orders.size());
  if (state.email_hi == 0 && state.email_lo == 0) state.email_lo = state.email_hi = total;
  auto add = [&](std::uint32_t i) {
    state.orders_by_email.emplace(AsciiLower(world.Materialize(i).buyer_email), i);
  };
  while (state.email_hi < total) add(state.email_hi++);
  auto match = [&]() -> std::optional<std::uint32_t> {
    std::optional<std::uint32_t> best;
    const std::int64_t now = ToUnixMillis(world.Now());
    for (auto [it, end] = state.orders_by_email.equal_range(key); it != end; ++it) {
      const OrderRecord& r = world.orders[it->second];
      if (r.seller != seller || r.merged_into >= 0 || r.hidden_until_ms > now) continue;
      if (!best || it->second > *best) best = it->second;
    }
    return best;
  };
  if (auto found = match()) return found;
  while (state.email_lo > 0) {
    add(--state.email_lo);
    if (auto found = match()) return found;
  }
  return std::nullopt;
}

// ---- judging a create command
// ----------------------------------------------------------------------

WzaError Validation(std::string message, std::string path) {
  return {"VALIDATION_ERROR", std::move(message), "", std::move(path), ""};
}

double Sum(const std::string& amount) {
  std::string text = amount;
  std::replace(text.begin(), text.end(), ',', '.');
  return std::strtod(text.c_str(), nullptr);
}

// Everything that needs the order or the service. Fills `draft` and returns the errors (none:
// the command will succeed).
std::vector<WzaError> JudgeCreate(World& world, SaleState& state, const Seller& seller,
                                  const CreateInput& in, WzaShipment& draft,
                                  std::optional<std::uint32_t>& order_out) {
  std::vector<WzaError> errors;
  const std::uint32_t seller_index = SellerIndex(world, seller);
  auto order = FindOrderByEmail(world, state, seller_index, in.receiver.email);
  if (!order) {
    return {{"VALIDATION_FAILED", "Selected order can not be used", "allegro_order_not_found",
             "receiver.email", "Wybrane zamówienie nie może zostać użyte"}};
  }
  order_out = order;
  const OrderRecord& record = world.orders[*order];
  if (record.status == CheckoutStatus::kCancelled || record.fulfilled_by_allegro) {
    return {{"VALIDATION_FAILED", "Selected order can not be used",
             record.fulfilled_by_allegro ? "allegro_order_fulfilled_by_allegro"
                                         : "allegro_order_cancelled",
             "receiver.email", "Wybrane zamówienie nie może zostać użyte"}};
  }
  const GeneratedOrder g = world.Materialize(*order);
  const std::optional<Service> own = ServiceForOrder(g);
  std::optional<Service> service;
  if (in.delivery_method_id.empty()) {
    service = own;
  } else if (own && own->method_id == in.delivery_method_id) {
    service = own;
  } else {
    for (const Service* s : SellerServices(seller)) {
      if (s->method_id == in.delivery_method_id) service = *s;
    }
  }
  if (!service) {
    const std::string message =
        in.delivery_method_id.empty()
            ? fmt::format(
                  "The order's delivery method \"{}\" is not handled by Ship with Allegro; "
                  "choose a deliveryMethodId",
                  g.delivery_method_name)
            : fmt::format("Delivery method {} is not available",
                          TruncateUtf8(in.delivery_method_id, 64));
    return {{"DELIVERY_METHOD_NOT_AVAILABLE", message, "", "deliveryMethodId", ""}};
  }
  const Service& s = *service;
  if (std::find(s.marketplaces.begin(), s.marketplaces.end(), g.marketplace) ==
      s.marketplaces.end()) {
    return {{"DELIVERY_METHOD_NOT_AVAILABLE",
             fmt::format("Delivery method {} is not available for orders from {}", s.method_id,
                         MarketplaceWireId(g.marketplace)),
             "", "deliveryMethodId", ""}};
  }
  const std::string credentials = CredentialsId(world.options.seed, seller);
  if (s.contract) {
    if (in.credentials_id.empty()) {
      errors.push_back(
          Validation(fmt::format("Credentials ID is required for selecting method {}", s.method_id),
                     "input.credentialsId"));
    } else if (in.credentials_id != credentials) {
      errors.push_back(
          Validation(fmt::format("Credentials {} not found", TruncateUtf8(in.credentials_id, 64)),
                     "input.credentialsId"));
    }
  } else if (!in.credentials_id.empty()) {
    errors.push_back(Validation(
        fmt::format("Credentials ID must be null for Allegro Standard method {}", s.method_id),
        "input.credentialsId"));
  }
  if (s.type != DeliveryType::kDoor && in.receiver.point.empty()) {
    errors.push_back(
        Validation(fmt::format("A pickup point is required for {}", s.name), "receiver.point"));
  }
  if (in.packages.size() > 1 && !s.multi_package) {
    errors.push_back(
        {"SHIPMENT_VALIDATION_ERROR",
         fmt::format("Multi-parcel shipments are not supported for carrierId={}", s.carrier_id), "",
         "packages", ""});
  }
  for (std::size_t i = 0; i < in.packages.size(); ++i) {
    const WzaPackage& p = in.packages[i];
    const std::string path = fmt::format("packages[{}]", i);
    if (std::find(s.package_types.begin(), s.package_types.end(), p.type) ==
        s.package_types.end()) {
      errors.push_back(Validation(
          fmt::format("Package type {} is not available for {}", p.type, s.name), path + ".type"));
    }
    std::array<double, 3> dims{p.length_cm, p.width_cm, p.height_cm};
    std::sort(dims.begin(), dims.end(), std::greater<>());
    if (dims[0] > s.max_dims[0] || dims[1] > s.max_dims[1] || dims[2] > s.max_dims[2]) {
      errors.push_back(
          Validation(fmt::format("Package dimensions exceed the limits of {}: at most {}x{}x{} cm",
                                 s.name, s.max_dims[0], s.max_dims[1], s.max_dims[2]),
                     path));
    }
    if (p.weight_kg > s.max_kg) {
      errors.push_back(Validation(
          fmt::format("Package weight exceeds the limit of {}: at most {} kg", s.name, s.max_kg),
          path + ".weight"));
    }
  }
  if (in.cash_on_delivery) {
    const WzaAmount& cod = *in.cash_on_delivery;
    if (s.cod_limit == 0) {
      errors.push_back(Validation(fmt::format("Cash on delivery is not available for {}", s.name),
                                  "cashOnDelivery"));
    } else if (cod.currency != s.currency) {
      errors.push_back(
          Validation(fmt::format("Cash on delivery must be in {} for {}", s.currency, s.name),
                     "cashOnDelivery.currency"));
    } else if (Sum(cod.amount) > static_cast<double>(s.cod_limit)) {
      errors.push_back(Validation(
          fmt::format("Cash on delivery exceeds the limit of {} {}", s.cod_limit, s.currency),
          "cashOnDelivery.amount"));
    }
    if (s.force_iban && cod.iban.empty()) {
      errors.push_back(Validation("IBAN is required for cash on delivery with this method",
                                  "cashOnDelivery.iban"));
    }
  }
  if (in.insurance) {
    if (in.insurance->currency != s.currency) {
      errors.push_back(Validation(fmt::format("Insurance must be in {} for {}", s.currency, s.name),
                                  "insurance.currency"));
    } else if (Sum(in.insurance->amount) > static_cast<double>(s.insurance_limit)) {
      errors.push_back(Validation(
          fmt::format("Insurance exceeds the limit of {} {}", s.insurance_limit, s.currency),
          "insurance.amount"));
    }
  }
  for (const auto& a : in.additional_services) {
    if (std::none_of(s.additional_services.begin(), s.additional_services.end(),
                     [&](const NamedItem& i) { return i.id == a; })) {
      errors.push_back(Validation(
          fmt::format("Additional service {} is not available for {}", TruncateUtf8(a, 40), s.name),
          "additionalServices"));
    }
  }
  for (const auto& [k, v] : in.additional_properties) {
    auto it = std::find_if(s.additional_properties.begin(), s.additional_properties.end(),
                           [&](const NamedItem& i) { return i.id == k; });
    if (it == s.additional_properties.end() || it->read_only) {
      errors.push_back(Validation(
          fmt::format("Additional property {} cannot be set for {}", TruncateUtf8(k, 40), s.name),
          "additionalProperties"));
    }
  }
  draft.seller = seller_index;
  draft.order = *order;
  draft.delivery_method_id = s.method_id;
  draft.credentials_id = s.contract ? in.credentials_id : std::string();
  draft.service_name = s.name;
  draft.carrier_id = s.carrier_id;
  draft.sender = in.sender;
  draft.receiver = in.receiver;
  if (s.type == DeliveryType::kDoor) draft.receiver.point.clear();
  draft.reference_number = in.reference_number;
  draft.packages = in.packages;
  draft.insurance = in.insurance;
  draft.cash_on_delivery = in.cash_on_delivery;
  draft.label_format = in.label_format;
  draft.additional_services = in.additional_services;
  draft.additional_properties = in.additional_properties;
  draft.pickup_available = s.pickup_available;
  return errors;
}

std::string NewWaybill(World& world, SaleState& state, std::string_view carrier) {
  const std::uint64_t n = state.NewNumber(world.options.seed);
  if (carrier == "INPOST") return fmt::format("6{:023}", n % 100000000000000000ULL);
  if (carrier == "DPD") return fmt::format("1000{:09}U", n % 1000000000ULL);
  if (carrier == "POCZTA_POLSKA") return fmt::format("PX{:010}", n % 10000000000ULL);
  if (carrier == "ORLEN") return fmt::format("9{:012}", n % 1000000000000ULL);
  if (carrier == "ALLEGRO") {
    static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
    std::string w = "A";
    std::uint64_t x = n;
    for (int i = 0; i < 9; ++i) {
      w += kAlphabet[x % kAlphabet.size()];
      x /= kAlphabet.size();
    }
    return w;
  }
  return fmt::format("{:012}", n % 1000000000000ULL);
}

// ---- handlers
// ------------------------------------------------------------------------------------

Response GetDeliveryServices(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsWrite);
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  const Seller& seller = *std::get<Caller>(auth).seller;
  const std::string credentials = CredentialsId(world.options.seed, seller);
  json::array services;
  for (const Service* s : SellerServices(seller)) services.push_back(ServiceJson(*s, credentials));
  return VendorJson(200, json::object{{"services", std::move(services)}});
}

Response OrderCannotBeUsed(std::string_view details, std::string_view path) {
  return WzaErrorResponse(
      400, {"VALIDATION_FAILED", "Selected order can not be used", std::string(details),
            std::string(path), "Wybrane zamówienie nie może zostać użyte"});
}

Response GetDeliveryProposal(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsWrite);
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  const Caller& caller = std::get<Caller>(auth);
  const std::string id = req.PathParam("orderId").value_or("");
  auto order = FindVisibleOrder(world, caller, id);
  if (!order) return OrderCannotBeUsed("allegro_order_not_found", "orderId");
  const OrderRecord& record = world.orders[*order];
  if (record.status == CheckoutStatus::kCancelled) {
    return OrderCannotBeUsed("allegro_order_cancelled", "orderId");
  }
  if (record.fulfilled_by_allegro) {
    return OrderCannotBeUsed("allegro_order_fulfilled_by_allegro", "orderId");
  }
  const GeneratedOrder g = world.Materialize(*order);
  const auto service = ServiceForOrder(g);
  if (!service) {
    return WzaErrorResponse(
        400, {"UNSUPPORTED_DELIVERY_METHOD", "The selected delivery option is not supported.", "",
              "", "Wybrana metoda dostawy nie jest obsługiwana."});
  }
  const Service& s = *service;
  const WzaAddress sender = SenderOf(*caller.seller);
  const WzaAddress receiver = ReceiverOf(g);
  json::object package{{"type", "PACKAGE"},
                       {"length", DimensionJson(30, "CENTIMETER")},
                       {"width", DimensionJson(20, "CENTIMETER")},
                       {"height", DimensionJson(10, "CENTIMETER")},
                       {"weight", DimensionJson(1.0, "KILOGRAMS")}};
  json::object input{{"deliveryMethodId", s.method_id},
                     {"sender", AddressJson(sender)},
                     {"receiver", AddressJson(receiver)},
                     {"packages", json::array{std::move(package)}}};
  const std::string order_currency(g.total_to_pay.currency.code());
  if (order_currency == s.currency && g.total_to_pay.minor <= s.insurance_limit * 100) {
    input["insurance"] = MoneyJson(g.total_to_pay);
  }
  if (g.payment.type == "CASH_ON_DELIVERY" && s.cod_limit > 0 && order_currency == s.currency) {
    input["cashOnDelivery"] = MoneyJson(g.total_to_pay);
  }
  input["labelFormat"] = "PDF";
  input["additionalServices"] = json::array{};
  input["additionalProperties"] = json::object{};
  json::object limits;
  if (s.cod_limit > 0) {
    limits["cashOnDelivery"] =
        json::object{{"amount", LimitAmount(s.cod_limit)}, {"currency", s.currency}};
  }
  limits["insurance"] =
      json::object{{"amount", LimitAmount(s.insurance_limit)}, {"currency", s.currency}};
  limits["dimensions"] = json::object{{"length", DimensionJson(s.max_dims[0], "CENTIMETER")},
                                      {"width", DimensionJson(s.max_dims[1], "CENTIMETER")},
                                      {"height", DimensionJson(s.max_dims[2], "CENTIMETER")}};
  limits["weight"] = DimensionJson(s.max_kg, "KILOGRAMS");
  json::object option{{"deliveryType", DeliveryTypeWire(s.type)},
                      {"paymentType", "PREPAID"},
                      {"packageType", "PACKAGE"},
                      {"originCountry", sender.country_code},
                      {"destinationCountry", receiver.country_code},
                      {"limits", std::move(limits)},
                      {"additionalServices", NamedItemsJson(s.additional_services, false)},
                      {"additionalProperties", NamedItemsJson(s.additional_properties, true)}};
  return VendorJson(200, json::object{{"orderId", g.checkout_form_id},
                                      {"suggestedInput", std::move(input)},
                                      {"deliveryOptions", json::array{std::move(option)}}});
}

Response WithRetryAfter(Response r, std::int64_t done_at_ms, std::int64_t now_ms) {
  const std::int64_t left = std::max<std::int64_t>(0, done_at_ms - now_ms);
  r.SetHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, (left + 999) / 1000)));
  return r;
}

// The commandId of a command body: the client's (a UUID), or a new one. nullopt + error when
// the client's is malformed.
std::optional<std::string> CommandIdOf(World& world, const json::object& body, ParseError& error) {
  auto id = wire::GetString(body, "commandId");
  if (id.WrongType() || (id.value && !LooksLikeUuid(*id.value))) {
    error = {"commandId must be a UUID", "commandId"};
    return std::nullopt;
  }
  if (id.value) return AsciiLower(*id.value);
  return StateOf(world).NewUuid(world.options.seed);
}

// What a create or cancel command request starts with (section 5.2): the caller, its body, the
// command id and the input; or the response already due: an error, or the replay of a command
// id used before (idempotent: the same command again, whatever this body says).
struct CommandStart {
  const Caller* caller = nullptr;
  json::object body;
  std::string command_id;
  const json::object* input = nullptr;
  std::int64_t now = 0;
};

template <typename Commands>
std::variant<CommandStart, Response> StartCommand(World& world, const Request& req,
                                                  const std::variant<Caller, Response>& auth,
                                                  const Commands& commands) {
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  if (auto e = RequireVendorJsonBody(req)) return WzaShaped(*e);
  CommandStart start;
  start.caller = &std::get<Caller>(auth);
  SettleSale(world);
  start.now = ToUnixMillis(world.Now());
  auto body = wire::ParseObject(req.body);
  if (!body) return BadRequest({std::string(kUnreadable), ""});
  start.body = std::move(*body);
  ParseError error;
  auto command_id = CommandIdOf(world, start.body, error);
  if (!command_id) return BadRequest(error);
  start.command_id = *command_id;
  if (auto it = commands.find(start.command_id); it != commands.end()) {
    if (world.sellers[it->second.seller].id != start.caller->seller->id) {
      return BadRequest({"commandId was already used", "commandId"});
    }
    return WithRetryAfter(VendorJson(200, json::parse(it->second.echo)), it->second.done_at_ms,
                          start.now);
  }
  start.input = wire::GetObject(start.body, "input");
  if (!start.input) return BadRequest({"input is required", "input"});
  return start;
}

Response PostCreateCommand(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsWrite);
  SaleState& state = StateOf(world);
  auto started = StartCommand(world, req, auth, state.create_commands);
  if (auto* r = std::get_if<Response>(&started)) return *r;
  const CommandStart& start = std::get<CommandStart>(started);
  const Caller& caller = *start.caller;
  const std::int64_t now = start.now;
  const std::string* command_id = &start.command_id;
  const json::object* input = start.input;
  CreateInput in;
  if (auto e = ReadCreateInput(*input, in)) return BadRequest(*e);

  WzaCreateCommand command;
  command.id = *command_id;
  command.seller = SellerIndex(world, *caller.seller);
  command.done_at_ms = now + kCreateMs;
  std::optional<std::uint32_t> order;
  command.errors = JudgeCreate(world, state, *caller.seller, in, command.draft, order);
  json::object echo{{"commandId", command.id}, {"input", InputJson(in)}};
  command.echo = json::serialize(echo);
  world.received.push_back({"shipment", order ? world.CheckoutFormId(*order) : std::string(),
                            caller.seller->id, command.echo, now});
  state.timeline.emplace(command.done_at_ms, PendingWork{WorkKind::kCreateShipment, command.id});
  state.create_commands.emplace(command.id, std::move(command));
  return WithRetryAfter(VendorJson(200, echo), now + kCreateMs, now);
}

Response CommandNotFound(const std::string& id) {
  return WzaErrorResponse(404, {"NOT_FOUND", "Command " + TruncateUtf8(id, 64) + " not found", "",
                                "commandId", "Nie znaleziono polecenia."});
}

json::object StatusJson(const std::string& command_id, CommandStatus status,
                        const std::vector<WzaError>& errors, const std::string& shipment_id) {
  json::array list;
  for (const auto& e : errors) list.push_back(ErrorJson(e));
  return {{"commandId", command_id},
          {"status", CommandStatusWire(status)},
          {"errors", std::move(list)},
          {"shipmentId", shipment_id.empty() ? json::value(nullptr) : json::value(shipment_id)}};
}

Response GetCreateCommand(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsWrite);
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  const Caller& caller = std::get<Caller>(auth);
  SettleSale(world);
  const std::string id = AsciiLower(req.PathParam("commandId").value_or(""));
  if (!LooksLikeUuid(id)) return BadRequest({"commandId must be a UUID", "commandId"});
  SaleState& state = StateOf(world);
  auto it = state.create_commands.find(id);
  if (it == state.create_commands.end() ||
      world.sellers[it->second.seller].id != caller.seller->id) {
    return CommandNotFound(id);
  }
  const WzaCreateCommand& c = it->second;
  if (!c.applied) {
    return WithRetryAfter(VendorJson(200, StatusJson(c.id, CommandStatus::kInProgress, {}, "")),
                          c.done_at_ms, ToUnixMillis(world.Now()));
  }
  const CommandStatus status = c.errors.empty() ? CommandStatus::kSuccess : CommandStatus::kError;
  return VendorJson(200, StatusJson(c.id, status, c.errors, c.shipment_id));
}

const WzaShipment* FindShipment(World& world, const Caller& caller, const std::string& id) {
  SaleState& state = StateOf(world);
  auto it = state.shipments.find(id);
  if (it == state.shipments.end() || world.sellers[it->second.seller].id != caller.seller->id) {
    return nullptr;
  }
  return &it->second;
}

Response ShipmentNotFound(std::string_view path) {
  return WzaErrorResponse(
      404, {"SHIPMENT_NOT_FOUND", "Requested shipment was not found",
            "Requested shipment was not found", std::string(path), "Nie odnaleziono przewozu"});
}

Response GetShipment(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsRead);
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  SettleSale(world);
  const WzaShipment* s =
      FindShipment(world, std::get<Caller>(auth), req.PathParam("shipmentId").value_or(""));
  if (!s) return ShipmentNotFound("shipmentId");
  return VendorJson(200, ShipmentJson(*s));
}

Response PostCancelCommand(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsWrite);
  SaleState& state = StateOf(world);
  auto started = StartCommand(world, req, auth, state.cancel_commands);
  if (auto* r = std::get_if<Response>(&started)) return *r;
  const CommandStart& start = std::get<CommandStart>(started);
  const Caller& caller = *start.caller;
  const std::int64_t now = start.now;
  const std::string* command_id = &start.command_id;
  const json::object* input = start.input;
  auto shipment = wire::GetString(*input, "shipmentId");
  if (!shipment.value || shipment.value->empty()) {
    return BadRequest({"input.shipmentId is required", "input.shipmentId"});
  }
  WzaCancelCommand command;
  command.id = *command_id;
  command.seller = SellerIndex(world, *caller.seller);
  command.shipment_id = *shipment.value;
  command.done_at_ms = now + kCancelMs;
  json::object echo{{"commandId", command.id},
                    {"input", json::object{{"shipmentId", *shipment.value}}}};
  command.echo = json::serialize(echo);
  state.timeline.emplace(command.done_at_ms, PendingWork{WorkKind::kCancelShipment, command.id});
  state.cancel_commands.emplace(command.id, std::move(command));
  return WithRetryAfter(VendorJson(200, echo), now + kCancelMs, now);
}

Response GetCancelCommand(World& world, Request& req) {
  auto auth = Authorize(world, req, kShipmentsWrite);
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  const Caller& caller = std::get<Caller>(auth);
  SettleSale(world);
  const std::string id = AsciiLower(req.PathParam("commandId").value_or(""));
  if (!LooksLikeUuid(id)) return BadRequest({"commandId must be a UUID", "commandId"});
  SaleState& state = StateOf(world);
  auto it = state.cancel_commands.find(id);
  if (it == state.cancel_commands.end() ||
      world.sellers[it->second.seller].id != caller.seller->id) {
    return CommandNotFound(id);
  }
  const WzaCancelCommand& c = it->second;
  if (!c.applied) {
    return WithRetryAfter(
        VendorJson(200, StatusJson(c.id, CommandStatus::kInProgress, {}, c.shipment_id)),
        c.done_at_ms, ToUnixMillis(world.Now()));
  }
  const CommandStatus status = c.errors.empty() ? CommandStatus::kSuccess : CommandStatus::kError;
  return VendorJson(200, StatusJson(c.id, status, c.errors, c.shipment_id));
}

// The label endpoint answers application/octet-stream, so it accepts that (or anything) in
// Accept as well as the vendor type Authorize() insists on.
std::variant<Caller, Response> AuthorizeBinary(World& world, const Request& req,
                                               std::string_view scope) {
  auto accept = req.Header("Accept");
  if (accept && (accept->find("application/octet-stream") != std::string_view::npos ||
                 accept->find("*/*") != std::string_view::npos)) {
    Request copy = req;
    std::erase_if(copy.headers, [](const auto& h) { return AsciiLower(h.first) == "accept"; });
    copy.headers.emplace_back("Accept", std::string(kVendorJson));
    return Authorize(world, copy, scope);
  }
  return Authorize(world, req, scope);
}

std::string Decimal(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::vector<std::string> AddressLines(const WzaAddress& a) {
  std::vector<std::string> lines;
  if (!a.name.empty()) lines.push_back(a.name);
  if (!a.company.empty()) lines.push_back(a.company);
  lines.push_back(a.street);
  lines.push_back(a.postal_code + " " + a.city + " " + a.country_code);
  lines.push_back("tel. " + a.phone);
  return lines;
}

std::vector<LabelPage> LabelsOf(const WzaShipment& s) {
  std::vector<LabelPage> labels;
  for (std::size_t i = 0; i < s.packages.size(); ++i) {
    const WzaPackage& p = s.packages[i];
    LabelPage label;
    label.waybill = p.waybill;
    label.carrier_id = s.carrier_id;
    label.service_name = s.service_name;
    label.sender = AddressLines(s.sender);
    label.receiver = AddressLines(s.receiver);
    label.point = s.receiver.point;
    label.package = fmt::format("{}/{}  {}  {}x{}x{} cm  {} kg", i + 1, s.packages.size(), p.type,
                                Decimal(p.length_cm), Decimal(p.width_cm), Decimal(p.height_cm),
                                Decimal(p.weight_kg));
    label.reference = s.reference_number;
    label.text_on_label = p.text_on_label;
    if (s.cash_on_delivery) {
      label.cash_on_delivery = s.cash_on_delivery->amount + " " + s.cash_on_delivery->currency;
    }
    label.created = FormatWireTime(s.created_at_ms).substr(0, 10);
    labels.push_back(std::move(label));
  }
  return labels;
}

std::vector<std::string> SummaryLines(World& world, const WzaShipment& s,
                                      const std::vector<std::string>& fields) {
  std::vector<std::string> lines;
  const GeneratedOrder g = world.Materialize(s.order);
  for (const auto& field : fields) {
    if (field == "WAYBILL") {
      std::string waybills;
      for (const auto& p : s.packages) waybills += (waybills.empty() ? "" : ", ") + p.waybill;
      lines.push_back("Waybill: " + waybills);
    } else if (field == "ORDER_ID") {
      lines.push_back("Order: " + g.checkout_form_id);
    } else if (field == "BUYER_LOGIN") {
      lines.push_back("Buyer: " + g.buyer_login);
    } else if (field == "ITEMS") {
      for (const auto& li : g.line_items) {
        lines.push_back(fmt::format("  {} x {}{}", li.quantity, li.offer_name,
                                    li.external_id.empty() ? "" : " [" + li.external_id + "]"));
      }
    } else if (field == "DIMS_AND_WEIGHT") {
      for (const auto& p : s.packages) {
        lines.push_back(fmt::format("Package {}: {}x{}x{} cm, {} kg", p.waybill,
                                    Decimal(p.length_cm), Decimal(p.width_cm), Decimal(p.height_cm),
                                    Decimal(p.weight_kg)));
      }
    } else if (field == "ADD_LABEL_TEXT") {
      for (const auto& p : s.packages) {
        if (!p.text_on_label.empty()) lines.push_back("Label text: " + p.text_on_label);
      }
    } else if (field == "NOTES_FOR_ORDER") {
      if (!g.message_to_seller.empty()) lines.push_back("Buyer's note: " + g.message_to_seller);
    } else if (field == "REF_NUMBER") {
      if (!s.reference_number.empty()) lines.push_back("Reference: " + s.reference_number);
    } else if (field == "COD") {
      if (s.cash_on_delivery) {
        lines.push_back("COD: " + s.cash_on_delivery->amount + " " + s.cash_on_delivery->currency);
      }
    } else if (field == "INSURANCE") {
      if (s.insurance) {
        lines.push_back("Insurance: " + s.insurance->amount + " " + s.insurance->currency);
      }
    }
  }
  return lines;
}

Response PostLabel(World& world, Request& req) {
  auto auth = AuthorizeBinary(world, req, kShipmentsRead);
  if (auto* r = std::get_if<Response>(&auth)) return WzaShaped(*r);
  if (auto e = RequireVendorJsonBody(req)) return WzaShaped(*e);
  const Caller& caller = std::get<Caller>(auth);
  SettleSale(world);
  auto body = wire::ParseObject(req.body);
  if (!body) return BadRequest({std::string(kUnreadable), ""});
  const auto* ids = wire::GetArray(*body, "shipmentIds");
  if (!ids || ids->empty()) return BadRequest({"shipmentIds is required", "shipmentIds"});
  auto page_size = wire::GetString(*body, "pageSize");
  if (page_size.WrongType() ||
      (page_size.value && *page_size.value != "A4" && *page_size.value != "A6")) {
    return BadRequest({"pageSize must be A4 or A6", "pageSize"});
  }
  auto cut_line = wire::GetBool(*body, "cutLine");
  if (cut_line.WrongType()) return BadRequest({"cutLine must be true or false", "cutLine"});
  std::optional<bool> summary_last;
  std::vector<std::string> summary_fields;
  if (const auto* v = wire::Find(*body, "summaryReport")) {
    static const std::set<std::string> kFields = {
        "WAYBILL",        "ORDER_ID",        "BUYER_LOGIN", "ITEMS", "DIMS_AND_WEIGHT",
        "ADD_LABEL_TEXT", "NOTES_FOR_ORDER", "REF_NUMBER",  "COD",   "INSURANCE"};
    const auto* report = v->if_object();
    auto placement = report ? wire::GetString(*report, "placement") : wire::Field<std::string>{};
    const auto* fields = report ? wire::GetArray(*report, "fields") : nullptr;
    if (!placement.value || (*placement.value != "LAST" && *placement.value != "EVERY") ||
        !fields) {
      return BadRequest(
          {"summaryReport needs placement (LAST or EVERY) and fields", "summaryReport"});
    }
    for (const auto& f : *fields) {
      if (!f.is_string() || !kFields.contains(std::string(f.get_string()))) {
        return BadRequest({"Unknown summaryReport field", "summaryReport.fields"});
      }
      summary_fields.emplace_back(f.get_string());
    }
    summary_last = *placement.value == "LAST";
  }
  std::vector<const WzaShipment*> shipments;
  for (const auto& id : *ids) {
    if (!id.is_string()) return BadRequest({"shipmentIds must be strings", "shipmentIds"});
    const WzaShipment* s = FindShipment(world, caller, std::string(id.get_string()));
    if (!s) return ShipmentNotFound("shipmentIds");
    if (s->canceled_at_ms == 0) shipments.push_back(s);
  }
  if (shipments.empty()) {
    Response none;
    none.status = 204;
    none.SetHeader("trace-id", security::RandomToken(12));
    return none;
  }
  const std::string format = shipments.front()->label_format;
  if (std::any_of(shipments.begin(), shipments.end(),
                  [&](const WzaShipment* s) { return s->label_format != format; })) {
    return BadRequest(
        {"The shipments have labels in different formats (PDF and ZPL); ask for "
         "each format separately",
         "shipmentIds"});
  }
  Response r;
  r.status = 200;
  r.SetHeader("Content-Type", "application/octet-stream");
  r.SetHeader("trace-id", security::RandomToken(12));
  if (format == "ZPL") {
    std::vector<LabelPage> labels;
    for (const WzaShipment* s : shipments) {
      auto more = LabelsOf(*s);
      labels.insert(labels.end(), more.begin(), more.end());
    }
    r.body = RenderLabelZpl(labels);
    r.SetHeader("Content-Disposition", "attachment; filename=\"labels.zpl\"");
    return r;
  }
  std::vector<LabelDocumentPage> pages;
  SummaryPage all{"Podsumowanie / Summary", {}};
  for (const WzaShipment* s : shipments) {
    for (auto& label : LabelsOf(*s)) pages.emplace_back(std::move(label));
    if (summary_last) {
      auto lines = SummaryLines(world, *s, summary_fields);
      if (*summary_last) {
        all.lines.push_back("Shipment " + s->id);
        all.lines.insert(all.lines.end(), lines.begin(), lines.end());
      } else {
        pages.emplace_back(SummaryPage{"Podsumowanie / Summary: " + s->id, std::move(lines)});
      }
    }
  }
  if (summary_last && *summary_last) pages.emplace_back(std::move(all));
  const LabelPageSize size =
      page_size.value.value_or("A6") == "A4" ? LabelPageSize::kA4 : LabelPageSize::kA6;
  r.body = RenderLabelPdf(pages, size, cut_line.value.value_or(false));
  r.SetHeader("Content-Disposition", "attachment; filename=\"labels.pdf\"");
  return r;
}

void RegisterRoute(http::Router& router, World& world, const char* method, const char* path,
                   Response (*fn)(World&, Request&)) {
  router.Add(method, path, [&world, fn](Request& req) {
    std::lock_guard lock(world.mu);
    return fn(world, req);
  });
}

void ApplyCreate(World& world, SaleState& state, WzaCreateCommand& c) {
  c.applied = true;
  if (!c.errors.empty()) return;
  WzaShipment s = c.draft;
  s.id = state.NewUuid(world.options.seed);
  s.created_at_ms = c.done_at_ms;
  for (auto& p : s.packages) p.waybill = NewWaybill(world, state, s.carrier_id);
  // Shipments created through WzA are attached to the order automatically (section 4.2).
  const GeneratedOrder g = world.Materialize(s.order);
  auto& tracking = world.tracking[s.order];
  for (const auto& p : s.packages) {
    TrackingEntry t;
    t.id = security::Base64Encode(s.carrier_id + ":" + p.waybill);
    t.carrier_id = s.carrier_id;
    t.waybill = p.waybill;
    for (const auto& li : g.line_items) t.line_items.emplace_back(li.id, li.quantity);
    t.created_at_ms = c.done_at_ms;
    tracking.push_back(std::move(t));
  }
  world.Touch(s.order);
  c.shipment_id = s.id;
  state.shipments.emplace(s.id, std::move(s));
}

void ApplyCancel(World& world, SaleState& state, WzaCancelCommand& c) {
  c.applied = true;
  auto it = state.shipments.find(c.shipment_id);
  if (it == state.shipments.end() || it->second.seller != c.seller) {
    c.errors.push_back({"SHIPMENT_NOT_FOUND", "Requested shipment was not found",
                        "Requested shipment was not found", "input.shipmentId",
                        "Nie odnaleziono przewozu"});
    return;
  }
  WzaShipment& s = it->second;
  if (s.canceled_at_ms != 0) {
    c.errors.push_back(
        Validation(fmt::format("Shipment {} is already cancelled", s.id), "input.shipmentId"));
    return;
  }
  s.canceled_at_ms = c.done_at_ms;
  // A cancelled label's waybills will never move: they leave the order's tracking numbers.
  auto& tracking = world.tracking[s.order];
  std::erase_if(tracking, [&](const TrackingEntry& t) {
    return t.carrier_id == s.carrier_id &&
           std::any_of(s.packages.begin(), s.packages.end(),
                       [&](const WzaPackage& p) { return p.waybill == t.waybill; });
  });
  world.Touch(s.order);
}

}  // namespace

void ApplyShippingWork(World& world, const PendingWork& work, std::int64_t) {
  SaleState& state = StateOf(world);
  if (work.kind == WorkKind::kCreateShipment) {
    auto it = state.create_commands.find(work.id);
    if (it != state.create_commands.end() && !it->second.applied) {
      ApplyCreate(world, state, it->second);
    }
  } else if (work.kind == WorkKind::kCancelShipment) {
    auto it = state.cancel_commands.find(work.id);
    if (it != state.cancel_commands.end() && !it->second.applied) {
      ApplyCancel(world, state, it->second);
    }
  }
}

void RegisterShippingRoutes(http::Router& router, World& world) {
  RegisterRoute(router, world, "GET", "/shipment-management/delivery-services",
                GetDeliveryServices);
  RegisterRoute(router, world, "GET", "/shipment-management/delivery-proposals/{orderId}",
                GetDeliveryProposal);
  RegisterRoute(router, world, "POST", "/shipment-management/shipments/create-commands",
                PostCreateCommand);
  RegisterRoute(router, world, "GET", "/shipment-management/shipments/create-commands/{commandId}",
                GetCreateCommand);
  RegisterRoute(router, world, "GET", "/shipment-management/shipments/{shipmentId}", GetShipment);
  RegisterRoute(router, world, "POST", "/shipment-management/shipments/cancel-commands",
                PostCancelCommand);
  RegisterRoute(router, world, "GET", "/shipment-management/shipments/cancel-commands/{commandId}",
                GetCancelCommand);
  RegisterRoute(router, world, "POST", "/shipment-management/label", PostLabel);
}

}  // namespace nadajnik::sandbox::allegro
