#include "carriers/allegro_shipping/mapping.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <regex>

#include <fmt/format.h>

#include "carriers/polish_address.hpp"
#include "core/text.hpp"

namespace nadajnik::carriers::allegro_shipping {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxText = 300;  // any string taken from a body
constexpr std::size_t kMaxErrors = 10;
constexpr std::size_t kMaxPackages = 50;
constexpr std::size_t kMaxServices = 500;
constexpr std::size_t kMaxEvents = 200;
constexpr std::size_t kMaxId = 100;  // ids and waybills

// Allegro's carriers that WzA labels are bought from (section 4.4), for tracking.
constexpr std::array<std::string_view, 5> kWzaCarriers = {"ALLEGRO", "INPOST", "DPD",
                                                          "POCZTA_POLSKA", "ORLEN"};

std::string Bounded(std::string_view s, std::size_t max = kMaxText) {
  return TruncateUtf8(CleanText(IsValidUtf8(s) ? s : std::string_view()), max);
}

const json::value* Member(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  return o ? o->if_contains(key) : nullptr;
}

// A string member (bounded), "" when absent, null or not a string.
std::string Str(const json::value& v, std::string_view key, std::size_t max = kMaxText) {
  const auto* m = Member(v, key);
  return m && m->is_string() ? Bounded(m->get_string(), max) : std::string();
}

Unexpected NotDocumented(std::string_view what, std::string_view body) {
  return Fail(ErrorCode::kInternal,
              fmt::format("Allegro answered {} in a shape its documentation does not describe; "
                          "it will be reported to the Nadajnik team",
                          what),
              TruncateUtf8(body, 300));
}

Result<json::value> ParseBody(std::string_view body, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return NotDocumented(what, body);
  return v;
}

// Marks a decimal that must be written as a JSON number (Boost.JSON writes doubles as "1.2E0");
// texts from buyers are cleaned of control characters, so the mark can't be forged.
constexpr std::string_view kDecimalMark =
    "\x01"
    "dec:";

json::string Decimal(std::string text) { return json::string(std::string(kDecimalMark) + text); }

std::string WriteDecimals(const std::string& serialized) {
  static const std::regex mark(R"re("\\u0001dec:(-?[0-9]+(\.[0-9]+)?)")re");
  return std::regex_replace(serialized, mark, "$1");
}

// 1234 thousandths with 3 decimals -> "1.234"; trailing zeros dropped ("1.2", "30").
std::string FixedText(std::int64_t units, int decimals) {
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string s = fmt::format("{}.{:0{}d}", units / scale, units % scale, decimals);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

json::object Dimension(int mm) {
  return {{"value", Decimal(FixedText(mm, 1))}, {"unit", "CENTIMETER"}};
}

json::object Weight(int grams) {
  return {{"value", Decimal(FixedText(grams, 3))}, {"unit", "KILOGRAMS"}};
}

Unexpected Invalid(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsUpperAlpha(std::string_view s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Locker size templates (InPost A/B/C, small/medium/large) as their largest box, in mm.
std::optional<std::array<int, 3>> TemplateDims(std::string_view t) {
  const std::string s = AsciiLower(t);
  if (s == "a" || s == "small") return std::array<int, 3>{640, 380, 80};
  if (s == "b" || s == "medium") return std::array<int, 3>{640, 380, 190};
  if (s == "c" || s == "large") return std::array<int, 3>{640, 380, 410};
  return std::nullopt;
}

std::string_view PackageType(std::string_view t) {
  for (std::string_view type : {"DOX", "PACKAGE", "PALLET", "OTHER"}) {
    if (AsciiLower(t) == AsciiLower(type)) return type;
  }
  return "PACKAGE";
}

struct Side {
  std::string_view key;     // "sender" / "receiver"
  std::string_view phrase;  // "sender's" / "receiver's"
};

Result<json::object> AddressJson(const Party& p, const Side& side, std::string_view point) {
  json::object o;
  const std::string name = TruncateUtf8(CleanText(p.name), 100);
  const std::string company = TruncateUtf8(CleanText(p.company), 100);
  if (name.empty() && company.empty()) {
    return Invalid(
        fmt::format("The {} name or company is required ({}.name)", side.phrase, side.key));
  }
  if (!name.empty()) o["name"] = name;
  if (!company.empty()) o["company"] = company;
  std::string street = CleanText(p.street);
  const std::string building = CleanText(p.building);
  if (!building.empty()) street += (street.empty() ? "" : " ") + building;
  if (street.empty()) {
    return Invalid(fmt::format("The {} street is required ({}.street)", side.phrase, side.key));
  }
  o["street"] = TruncateUtf8(street, 100);
  const std::string country = p.country_code.empty() ? "PL" : CleanText(p.country_code);
  if (!IsUpperAlpha(country, 2)) {
    return Invalid(fmt::format("The {} country must be a two-letter code such as PL ({}: '{}')",
                               side.phrase, side.key, TruncateUtf8(country, 10)));
  }
  std::string postal = CleanText(p.postal_code);
  if (country == "PL") {
    auto normalized = NormalizePostalCode(postal);
    if (!normalized) {
      return Invalid(fmt::format("The {} postal code '{}' is not a Polish postal code (NN-NNN)",
                                 side.phrase, TruncateUtf8(postal, 20)));
    }
    postal = *normalized;
  } else if (postal.empty() || postal.size() > 12) {
    return Invalid(
        fmt::format("The {} postal code is required ({}.postalCode)", side.phrase, side.key));
  }
  o["postalCode"] = postal;
  const std::string city = CleanText(p.city);
  if (city.empty()) {
    return Invalid(fmt::format("The {} city is required ({}.city)", side.phrase, side.key));
  }
  o["city"] = TruncateUtf8(city, 100);
  o["countryCode"] = country;
  const std::string email = CleanText(p.email);
  if (email.empty()) {
    return Invalid(fmt::format("The {} e-mail is required ({}.email)", side.phrase, side.key));
  }
  o["email"] = email;
  std::string phone = CleanText(p.phone);
  if (country == "PL") {
    auto normalized = NormalizePolishPhone(phone);
    if (!normalized) {
      return Invalid(fmt::format("The {} phone '{}' is not a Polish phone number (9 digits)",
                                 side.phrase, TruncateUtf8(phone, 30)));
    }
    phone = *normalized;
  } else if (phone.empty() || phone.size() > 20) {
    return Invalid(fmt::format("The {} phone is required ({}.phone)", side.phrase, side.key));
  }
  o["phone"] = phone;
  const std::string pt = CleanText(point);
  if (!pt.empty()) o["point"] = TruncateUtf8(pt, 64);
  return o;
}

Result<json::object> AmountJson(const Money& m, std::string_view field) {
  if (m.minor <= 0) {
    return Invalid(fmt::format("The {} amount must be greater than zero", field));
  }
  if (m.currency.empty() || m.currency.exponent() != 2) {
    return Invalid(
        fmt::format("The {} currency must be one with two decimals (PLN, CZK, EUR)", field));
  }
  return json::object{{"amount", m.AmountString()}, {"currency", std::string(m.currency.code())}};
}

// An NRB (26 digits, spaces allowed) as an IBAN; an IBAN as it is.
std::optional<std::string> Iban(std::string_view account) {
  std::string compact;
  for (char c : account) {
    if (c != ' ' && c != '-') compact += c;
  }
  if (compact.empty()) return std::nullopt;
  const bool digits =
      std::all_of(compact.begin(), compact.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && compact.size() == 26) return "PL" + compact;
  static const std::regex kIban("^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$");
  if (std::regex_match(compact, kIban)) return compact;
  return std::nullopt;
}

std::uint64_t Fnv1a(std::string_view s, std::uint64_t basis) {
  std::uint64_t h = basis;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A name-based UUID (version 8: custom) of `name`.
std::string DerivedUuid(std::string_view name) {
  const std::uint64_t hi = Mix(Fnv1a(name, 0xcbf29ce484222325ULL));
  const std::uint64_t lo = Mix(Fnv1a(name, 0x84222325cbf29ce4ULL) ^ hi);
  return fmt::format("{:08x}-{:04x}-8{:03x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                     hi & 0xfff, 0x8000 | ((lo >> 48) & 0x3fff), lo & 0xffffffffffffULL);
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperAlnum(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z'); }

}  // namespace

Result<Settings> ParseSettings(const std::map<std::string, std::string>& settings) {
  Settings out;
  auto get = [&](const char* key) {
    auto it = settings.find(key);
    return it == settings.end() ? std::string() : CleanText(it->second);
  };
  out.delivery_method_id = AsciiLower(get("delivery_method_id"));
  if (!out.delivery_method_id.empty() && !LooksLikeUuid(out.delivery_method_id)) {
    return Invalid(fmt::format(
        "Setting delivery_method_id must be an Allegro delivery-method UUID such as "
        "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93, not '{}'; leave it empty to use each order's "
        "own method",
        TruncateUtf8(out.delivery_method_id, 60)));
  }
  out.credentials_id = AsciiLower(get("credentials_id"));
  if (!out.credentials_id.empty() && !LooksLikeUuid(out.credentials_id)) {
    return Invalid(fmt::format(
        "Setting credentials_id must be the UUID of your carrier contract in Wysyłam z Allegro "
        "(GET /shipment-management/delivery-services), not '{}'; leave it empty for Allegro "
        "Standard",
        TruncateUtf8(out.credentials_id, 60)));
  }
  const std::string format = AsciiLower(get("label_format"));
  if (format.empty() || format == "pdf") {
    out.label_format = WireLabelFormat::kPdf;
  } else if (format == "zpl") {
    out.label_format = WireLabelFormat::kZpl;
  } else {
    return Invalid(
        fmt::format("Setting label_format must be pdf or zpl, not '{}'", TruncateUtf8(format, 20)));
  }
  out.tracking_carrier_id = get("tracking_carrier_id");
  if (!out.tracking_carrier_id.empty() &&
      (out.tracking_carrier_id.size() > 40 ||
       !std::all_of(out.tracking_carrier_id.begin(), out.tracking_carrier_id.end(),
                    [](char c) { return IsUpperAlnum(c) || c == '_'; }))) {
    return Invalid(fmt::format(
        "Setting tracking_carrier_id must be an Allegro carrier id such as ALLEGRO, INPOST or "
        "DPD (upper-case), not '{}'",
        TruncateUtf8(out.tracking_carrier_id, 40)));
  }
  return out;
}

bool LooksLikeUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!IsDigit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) {
      return false;
    }
  }
  return true;
}

std::string CommandIdFor(std::string_view reference) {
  if (LooksLikeUuid(reference)) return AsciiLower(reference);
  return DerivedUuid(fmt::format("nadajnik:create:{}", reference));
}

std::string CancelCommandIdFor(std::string_view shipment_id) {
  return DerivedUuid(fmt::format("nadajnik:cancel:{}", shipment_id));
}

Result<void> ValidateReceiverEmail(std::string_view email) {
  if (email.empty()) {
    return Invalid(
        "The receiver's e-mail (receiver.email) is missing: Wysyłam z Allegro needs the buyer's "
        "Allegro address (…@allegromail.pl) from the order");
  }
  const std::string shown = TruncateUtf8(email, 80);
  auto bad = [&](std::string_view why) {
    return Invalid(
        fmt::format("The receiver's e-mail (receiver.email) '{}' is not valid: {}", shown, why));
  };
  if (email.size() > 254 || !IsValidUtf8(email)) return bad("it is too long or not text");
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return bad("it must contain exactly one @");
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  auto local_ok = [](char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("._%+-").find(c) != std::string_view::npos;
  };
  if (local.empty() || local.size() > 64 || !std::all_of(local.begin(), local.end(), local_ok) ||
      local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return bad("the part before @ has characters an address can't have");
  }
  // Domain: labels of letters, digits and inner hyphens, at least two, the last alphabetic.
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (true) {
    const auto dot = domain.find('.', start);
    labels.emplace_back(AsciiLower(domain.substr(start, dot - start)));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels.size() < 2) return bad("the domain after @ is incomplete");
  for (const auto& l : labels) {
    const bool chars_ok =
        AllOf(l, [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || c == '-'; });
    if (!chars_ok || l.size() > 63 || l.front() == '-' || l.back() == '-') {
      return bad("the domain after @ is malformed");
    }
  }
  if (!AllOf(labels.back(), [](char c) { return c >= 'a' && c <= 'z'; }) ||
      labels.back().size() < 2) {
    return bad("the domain after @ does not end in a top-level domain");
  }
  if (std::find(labels.begin(), labels.end() - 1, "allegromail") == labels.end() - 1) {
    return bad(
        "Wysyłam z Allegro accepts only the buyer's Allegro address (…@allegromail.pl) from the "
        "order");
  }
  return Ok();
}

std::string EffectiveDeliveryMethod(const ShipmentRequest& request, const Settings& settings) {
  if (!settings.delivery_method_id.empty()) return settings.delivery_method_id;
  const std::string order_method = AsciiLower(CleanText(request.delivery_method_id));
  if (!order_method.empty()) return order_method;
  const std::string service = AsciiLower(CleanText(request.service));
  if (LooksLikeUuid(service)) return service;
  return {};
}

Result<std::string> BuildCreateCommand(const ShipmentRequest& request, const Settings& settings,
                                       std::string_view command_id) {
  if (!LooksLikeUuid(command_id)) {
    return Fail(ErrorCode::kInternal, "a create command needs a UUID command id");
  }
  const std::string method = EffectiveDeliveryMethod(request, settings);
  if (!method.empty() && !LooksLikeUuid(method)) {
    return Invalid(
        fmt::format("The order's delivery method '{}' is not an Allegro delivery-method UUID; set "
                    "delivery_method_id in Ustawienia > Przewoźnicy > Wysyłam z Allegro",
                    TruncateUtf8(method, 60)));
  }
  NADAJNIK_TRY(ValidateReceiverEmail(CleanText(request.receiver.email)));
  json::object input;
  if (!method.empty()) input["deliveryMethodId"] = method;
  if (!settings.credentials_id.empty()) input["credentialsId"] = settings.credentials_id;
  const Side sender{"sender", "sender's"};
  const Side receiver{"receiver", "receiver's"};
  NADAJNIK_ASSIGN_OR_RETURN(input["sender"],
                            AddressJson(request.sender, sender, request.sending_point));
  NADAJNIK_ASSIGN_OR_RETURN(input["receiver"],
                            AddressJson(request.receiver, receiver, request.target_point));
  const std::string reference = CleanText(request.reference);
  if (reference.empty()) {
    return Fail(ErrorCode::kInternal, "a shipment request needs our reference");
  }
  input["referenceNumber"] = TruncateUtf8(reference, 100);
  if (request.parcels.empty()) return Invalid("The shipment has no parcels (packages)");
  if (request.parcels.size() > kMaxPackages) {
    return Invalid(fmt::format("A shipment can have at most {} parcels", kMaxPackages));
  }
  json::array packages;
  const std::string text_on_label = TruncateUtf8(CleanText(request.comment), 100);
  for (std::size_t i = 0; i < request.parcels.size(); ++i) {
    const domain::Parcel& p = request.parcels[i];
    std::array<int, 3> dims{p.length_mm, p.width_mm, p.height_mm};
    if (dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0) {
      if (auto t = TemplateDims(p.size_template)) {
        dims = *t;
      } else {
        return Invalid(fmt::format(
            "Parcel {} needs its length, width and height (packages[{}]): Wysyłam z Allegro "
            "prices and checks the box by its dimensions",
            i + 1, i));
      }
    }
    if (p.weight_grams <= 0) {
      return Invalid(fmt::format("Parcel {} needs its weight (packages[{}].weight)", i + 1, i));
    }
    json::object package{{"type", PackageType(p.size_template)},
                         {"length", Dimension(dims[0])},
                         {"width", Dimension(dims[1])},
                         {"height", Dimension(dims[2])},
                         {"weight", Weight(p.weight_grams)}};
    if (!text_on_label.empty()) package["textOnLabel"] = text_on_label;
    packages.push_back(std::move(package));
  }
  input["packages"] = std::move(packages);
  if (request.insurance) {
    NADAJNIK_ASSIGN_OR_RETURN(input["insurance"], AmountJson(*request.insurance, "insurance"));
  }
  if (request.cash_on_delivery) {
    NADAJNIK_ASSIGN_OR_RETURN(auto cod, AmountJson(*request.cash_on_delivery, "cash on delivery"));
    if (!CleanText(request.cod_bank_account).empty()) {
      auto iban = Iban(CleanText(request.cod_bank_account));
      if (!iban) {
        return Invalid(
            "The bank account for cash on delivery (bank_account) must be a 26-digit NRB or an "
            "IBAN");
      }
      cod["iban"] = *iban;
      const std::string owner =
          CleanText(request.sender.company.empty() ? request.sender.name : request.sender.company);
      if (!owner.empty()) cod["ownerName"] = TruncateUtf8(owner, 100);
    }
    input["cashOnDelivery"] = std::move(cod);
  }
  input["labelFormat"] = settings.label_format == WireLabelFormat::kZpl ? "ZPL" : "PDF";
  input["additionalServices"] = json::array{};
  input["additionalProperties"] = json::object{};
  json::object body{{"commandId", std::string(command_id)}, {"input", std::move(input)}};
  return WriteDecimals(json::serialize(body));
}

std::vector<WireError> ParseErrors(const json::value& errors) {
  std::vector<WireError> out;
  const auto* list = errors.if_array();
  if (!list) return out;
  for (const auto& e : *list) {
    if (out.size() >= kMaxErrors) break;
    if (!e.is_object()) continue;
    WireError w{Str(e, "code", 80), Str(e, "message"), Str(e, "details"), Str(e, "path", 120),
                Str(e, "userMessage")};
    if (w.code.empty() && w.message.empty() && w.user_message.empty()) continue;
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<WireError> ParseErrors(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec) return {};
  const auto* errors = Member(v, "errors");
  return errors ? ParseErrors(*errors) : std::vector<WireError>{};
}

std::string FieldPhrase(std::string_view raw) {
  std::string path = Bounded(raw, 120);
  if (path.starts_with("input.")) path = path.substr(6);
  if (path.empty()) return {};
  static const std::vector<std::pair<std::string_view, std::string_view>> kFields = {
      {"receiver.email", "receiver's e-mail"},
      {"receiver.postalCode", "receiver's postal code"},
      {"receiver.phone", "receiver's phone"},
      {"receiver.street", "receiver's street"},
      {"receiver.city", "receiver's city"},
      {"receiver.countryCode", "receiver's country"},
      {"receiver.name", "receiver's name"},
      {"receiver.point", "pickup point"},
      {"receiver", "receiver's address"},
      {"sender.email", "sender's e-mail"},
      {"sender.postalCode", "sender's postal code"},
      {"sender.phone", "sender's phone"},
      {"sender.street", "sender's street"},
      {"sender.city", "sender's city"},
      {"sender.countryCode", "sender's country"},
      {"sender.name", "sender's name"},
      {"sender.point", "drop-off point (sending_point)"},
      {"sender", "sender's address"},
      {"deliveryMethodId", "delivery method (delivery_method_id)"},
      {"credentialsId", "carrier contract (credentials_id)"},
      {"cashOnDelivery.iban", "bank account for cash on delivery (bank_account)"},
      {"cashOnDelivery", "cash on delivery"},
      {"insurance", "insurance"},
      {"labelFormat", "label format (label_format)"},
      {"additionalServices", "additional services"},
      {"additionalProperties", "additional properties"},
      {"referenceNumber", "reference"},
      {"shipmentId", "shipment id"},
      {"shipmentIds", "shipment id"},
      {"commandId", "command id"},
      {"orderId", "order"},
  };
  static const std::regex kPackage(R"(^packages\[(\d{1,3})\](?:\.(\w+))?.*$)");
  std::smatch m;
  if (std::regex_match(path, m, kPackage)) {
    const int n = std::stoi(m[1].str()) + 1;
    const std::string part = m[2].str();
    std::string what = part.empty() ? "" : " " + part;
    if (part == "weight") what = " weight";
    if (part == "type") what = " type";
    return fmt::format("parcel {}{} ({})", n, what, path);
  }
  if (path == "packages") return "parcels (packages)";
  for (const auto& [prefix, phrase] : kFields) {
    if (path == prefix || path.starts_with(std::string(prefix) + ".")) {
      return fmt::format("{} ({})", phrase, path);
    }
  }
  return path;
}

std::string DescribeErrors(const std::vector<WireError>& errors) {
  std::string out;
  for (std::size_t i = 0; i < errors.size() && i < 3; ++i) {
    const WireError& e = errors[i];
    const std::string field = FieldPhrase(e.path);
    std::string text = !e.user_message.empty() ? e.user_message : e.message;
    // The developer message often says more than the translated one ("...limit of 25 kg").
    if (!e.message.empty() && e.message != text) text += " – " + e.message;
    if (!e.details.empty() && e.details != e.message && e.details != e.user_message) {
      text += " (" + e.details + ")";
    }
    if (text.empty()) text = e.code;
    out += (out.empty() ? "" : "; ") + (field.empty() ? text : field + ": " + text);
  }
  return out;
}

Error ErrorFromResponse(int http_status, std::string_view body, std::string_view what) {
  const auto errors = ParseErrors(body);
  std::string described = DescribeErrors(errors);
  Error e;
  e.details = fmt::format("HTTP {} {}: {}", http_status, errors.empty() ? "-" : errors[0].code,
                          errors.empty() ? TruncateUtf8(body, 300) : described);
  if (described.empty()) described = fmt::format("HTTP {}", http_status);
  if (http_status == 401 || http_status == 403) {
    e.code = ErrorCode::kPermissionDenied;
    e.message = fmt::format(
        "Allegro does not let this account {} with Wysyłam z Allegro ({}): authorize the Allegro "
        "account again in Konta (the application needs the allegro:api:shipments scopes) and "
        "check that the seller has accepted the Wysyłam z Allegro terms",
        what, described);
    return e;
  }
  if (http_status == 429) {
    e.code = ErrorCode::kRateLimited;
    e.retryable = true;
    e.message =
        fmt::format("Allegro asks to slow down while trying to {}; it will be retried", what);
    return e;
  }
  if (http_status >= 500) {
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format("Allegro failed (HTTP {}{}) while trying to {}; it will be retried",
                            http_status,
                            http_status == 504 ? ", the carrier did not answer in time" : "", what);
    return e;
  }
  if (http_status == 404) {
    e.code = ErrorCode::kNotFound;
    e.message = fmt::format("Allegro could not {}: {}", what, described);
    return e;
  }
  if (http_status == 409) {
    e.code = ErrorCode::kConflict;
    e.message = fmt::format("Allegro refused to {} (conflict): {}", what, described);
    return e;
  }
  if (http_status == 400 || http_status == 422) {
    e.code = ErrorCode::kInvalidArgument;
    e.message = fmt::format("Allegro refused to {}: {}. Correct it and try again", what, described);
    return e;
  }
  e.code = ErrorCode::kInternal;
  e.message =
      fmt::format("Allegro answered HTTP {} while trying to {}: {}", http_status, what, described);
  return e;
}

Result<CommandStatus> ParseCommandStatus(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(auto v, ParseBody(body, "a command status"));
  CommandStatus out;
  out.command_id = Str(v, "commandId", kMaxId);
  const std::string status = Str(v, "status", 40);
  if (status == "IN_PROGRESS") {
    out.state = CommandState::kInProgress;
  } else if (status == "SUCCESS") {
    out.state = CommandState::kSuccess;
  } else if (status == "ERROR") {
    out.state = CommandState::kError;
  } else {
    return NotDocumented("a command status", body);
  }
  out.shipment_id = Str(v, "shipmentId", kMaxId);
  if (const auto* errors = Member(v, "errors")) out.errors = ParseErrors(*errors);
  if (out.state == CommandState::kSuccess && out.shipment_id.empty()) {
    return NotDocumented("a successful command without a shipmentId", body);
  }
  return out;
}

Result<ShipmentDetails> ParseShipment(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(auto v, ParseBody(body, "a shipment"));
  ShipmentDetails out;
  out.id = Str(v, "id", kMaxId);
  if (out.id.empty()) return NotDocumented("a shipment without an id", body);
  if (const auto* packages = Member(v, "packages"); packages && packages->is_array()) {
    for (const auto& p : packages->get_array()) {
      if (out.waybills.size() >= kMaxPackages) break;
      out.waybills.push_back(Str(p, "waybill", kMaxId));
    }
  }
  out.carrier = Str(v, "carrier", 40);
  out.label_format = Str(v, "labelFormat", 10);
  out.reference_number = Str(v, "referenceNumber", kMaxId);
  out.cancelled = !Str(v, "canceledDate", 40).empty();
  return out;
}

std::string PendingRemoteId(std::string_view command_id) {
  return "command:" + std::string(command_id);
}

std::optional<std::string> CommandIdOfRemoteId(std::string_view remote_id) {
  constexpr std::string_view kPrefix = "command:";
  if (!remote_id.starts_with(kPrefix)) return std::nullopt;
  return std::string(remote_id.substr(kPrefix.size()));
}

RemoteShipment RemoteFromCommand(const CommandStatus& status) {
  RemoteShipment r;
  r.remote_id = PendingRemoteId(status.command_id);
  r.confirmed = false;
  switch (status.state) {
    case CommandState::kInProgress:
      r.status = "IN_PROGRESS";
      break;
    case CommandState::kSuccess:
      r.status = "SUCCESS";
      r.remote_id = status.shipment_id;
      break;
    case CommandState::kError:
      r.status = "ERROR";
      r.error = fmt::format(
          "Wysyłam z Allegro did not create the shipment: {}",
          status.errors.empty() ? std::string("no reason given") : DescribeErrors(status.errors));
      break;
  }
  return r;
}

RemoteShipment RemoteFromShipment(const ShipmentDetails& s) {
  RemoteShipment r;
  r.remote_id = s.id;
  r.tracking_number = s.waybills.empty() ? std::string() : s.waybills.front();
  if (s.cancelled) {
    r.status = "CANCELLED";
    r.error = fmt::format("The shipment {} was cancelled in Wysyłam z Allegro", s.id);
    return r;
  }
  r.confirmed = !r.tracking_number.empty();
  r.status = r.confirmed ? "CREATED" : "WAITING_FOR_WAYBILL";
  return r;
}

Result<DeliveryProposal> ParseDeliveryProposal(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(auto v, ParseBody(body, "a delivery proposal"));
  DeliveryProposal out;
  out.order_id = Str(v, "orderId", kMaxId);
  if (const auto* input = Member(v, "suggestedInput"); input && input->is_object()) {
    out.delivery_method_id = AsciiLower(Str(*input, "deliveryMethodId", kMaxId));
    if (const auto* receiver = Member(*input, "receiver")) {
      out.receiver_email = Str(*receiver, "email", 254);
    }
  }
  if (const auto* options = Member(v, "deliveryOptions"); options && options->is_array()) {
    out.delivery_options =
        static_cast<int>(std::min<std::size_t>(options->get_array().size(), 100));
  }
  return out;
}

Result<std::vector<ServiceId>> ParseDeliveryServices(std::string_view body) {
  NADAJNIK_ASSIGN_OR_RETURN(auto v, ParseBody(body, "the delivery services"));
  const auto* services = Member(v, "services");
  if (!services || !services->is_array()) return NotDocumented("the delivery services", body);
  std::vector<ServiceId> out;
  for (const auto& s : services->get_array()) {
    if (out.size() >= kMaxServices) break;
    const auto* id = Member(s, "id");
    if (!id) continue;
    out.push_back({AsciiLower(Str(*id, "deliveryMethodId", kMaxId)),
                   AsciiLower(Str(*id, "credentialsId", kMaxId)), Str(s, "name", 120)});
  }
  return out;
}

Result<std::string> BuildLabelRequest(std::string_view shipment_id, domain::LabelFormat format) {
  json::object body{{"shipmentIds", json::array{json::value(std::string(shipment_id))}}};
  switch (format) {
    case domain::LabelFormat::kPdfA6:
      body["pageSize"] = "A6";
      body["cutLine"] = false;
      break;
    case domain::LabelFormat::kPdfA4:
      body["pageSize"] = "A4";
      body["cutLine"] = false;
      break;
    case domain::LabelFormat::kZpl203:
      break;
    case domain::LabelFormat::kZpl300:
      return Fail(ErrorCode::kFailedPrecondition,
                  "Wysyłam z Allegro does not offer a choice of ZPL resolution (its ZPL labels "
                  "are 203 dpi): choose ZPL 203 dpi or PDF in the label settings");
  }
  return json::serialize(body);
}

std::string SniffLabel(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && i < 16 &&
         (bytes[i] == ' ' || bytes[i] == '\r' || bytes[i] == '\n' || bytes[i] == '\t')) {
    ++i;
  }
  const std::string_view b = bytes.substr(i);
  if (b.starts_with("%PDF")) return "pdf";
  if (b.starts_with("^XA")) return "zpl";
  if (b.starts_with("PK\x03\x04")) return "zip";
  return {};
}

std::string BuildCancelCommand(std::string_view command_id, std::string_view shipment_id) {
  return json::serialize(
      json::object{{"commandId", std::string(command_id)},
                   {"input", json::object{{"shipmentId", std::string(shipment_id)}}}});
}

domain::TrackingState TrackingStateFor(std::string_view code) {
  using domain::TrackingState;
  if (code == "PENDING") return TrackingState::kCreated;
  if (code == "IN_TRANSIT") return TrackingState::kInTransit;
  if (code == "RELEASED_FOR_DELIVERY") return TrackingState::kOutForDelivery;
  if (code == "AVAILABLE_FOR_PICKUP" || code == "NOTICE_LEFT") {
    return TrackingState::kReadyForPickup;
  }
  if (code == "DELIVERED") return TrackingState::kDelivered;
  if (code == "ISSUE") return TrackingState::kFailed;
  if (code == "RETURNED") return TrackingState::kReturned;
  return TrackingState::kUnknown;
}

Result<std::optional<std::vector<TrackingEvent>>> ParseTracking(std::string_view body,
                                                                std::string_view waybill) {
  NADAJNIK_ASSIGN_OR_RETURN(auto v, ParseBody(body, "a tracking history"));
  const auto* waybills = Member(v, "waybills");
  if (!waybills || !waybills->is_array()) return NotDocumented("a tracking history", body);
  for (const auto& w : waybills->get_array()) {
    if (Str(w, "waybill", kMaxId) != waybill) continue;
    const auto* details = Member(w, "trackingDetails");
    if (!details || !details->is_object()) break;
    const auto* statuses = Member(*details, "statuses");
    if (!statuses || !statuses->is_array()) return NotDocumented("a tracking history", body);
    std::vector<TrackingEvent> events;
    for (const auto& s : statuses->get_array()) {
      if (events.size() >= kMaxEvents) break;
      TrackingEvent e;
      e.code = Str(s, "code", 40);
      auto at = ParseIso8601(Str(s, "occurredAt", 40));
      if (e.code.empty() || !at) return NotDocumented("a tracking status", body);
      e.at = *at;
      e.state = TrackingStateFor(e.code);
      e.description = Str(s, "description");
      events.push_back(std::move(e));
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const TrackingEvent& a, const TrackingEvent& b) { return a.at < b.at; });
    return std::optional<std::vector<TrackingEvent>>(std::move(events));
  }
  return std::optional<std::vector<TrackingEvent>>();
}

std::vector<std::string> TrackingCarriersFor(std::string_view waybill,
                                             std::string_view carrier_setting) {
  if (!carrier_setting.empty()) return {std::string(carrier_setting)};
  std::string first;
  if (waybill.size() == 24 && AllOf(waybill, IsDigit)) {
    first = "INPOST";
  } else if (waybill.size() == 14 && AllOf(waybill.substr(0, 13), IsDigit) &&
             waybill.back() >= 'A' && waybill.back() <= 'Z') {
    first = "DPD";
  } else if (waybill.starts_with("PX")) {
    first = "POCZTA_POLSKA";
  } else if (waybill.size() == 10 && waybill.front() == 'A' && AllOf(waybill, IsUpperAlnum)) {
    first = "ALLEGRO";
  } else if (waybill.size() == 13 && AllOf(waybill, IsDigit)) {
    first = "ORLEN";
  }
  std::vector<std::string> out;
  if (!first.empty()) out.push_back(first);
  for (std::string_view c : kWzaCarriers) {
    if (c != first) out.emplace_back(c);
  }
  return out;
}

}  // namespace nadajnik::carriers::allegro_shipping
