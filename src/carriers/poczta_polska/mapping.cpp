#include "carriers/poczta_polska/mapping.hpp"

#include "carriers/polish_address.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include <fmt/format.h>

#include "core/text.hpp"

namespace nadajnik::carriers::poczta_polska {

namespace {

constexpr char kSoapNs[] = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr char kXsiNs[] = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::int64_t kSchemaMaxMinor = 9999999;  // kwotaPobraniaType, wartoscType
constexpr int kSchemaMaxGrams = 9999999;           // masaType

constexpr std::array kPocztexFormats = {"S", "M", "L", "XL", "2XL"};
constexpr std::array kUnregistered = {
    "list_zwykly",    "list_zwykly_firmowy",   "przesylka_nierejestrowana",
    "listZwyklyType", "listZwyklyFirmowyType", "przesylkaNierejestrowanaKrajowaType",
};

std::string Bounded(std::string_view s) { return TruncateUtf8(s, 64); }

Unexpected Invalid(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(message));
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (auto c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  }
  return {};
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (auto c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) out.push_back(c);
  }
  return out;
}

std::string Attr(const pugi::xml_node& n, const char* name) { return n.attribute(name).value(); }

// The phone as 9 digits for `mobile`/`telefon` (+48 / 0048 and separators dropped).
std::optional<std::string> NormalizePhone(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.' && c != '+') {
      return std::nullopt;
    }
  }
  if (digits.size() == 13 && digits.starts_with("0048")) digits = digits.substr(4);
  if (digits.size() == 11 && digits.starts_with("48")) digits = digits.substr(2);
  if (digits.size() != 9) return std::nullopt;
  return digits;
}

// "12/3" or "12 m. 3" -> house 12, flat 3.
std::pair<std::string, std::string> SplitBuilding(std::string_view building) {
  std::string b = CleanText(building);
  for (std::string_view sep : {"/", " m. ", " m "}) {
    const auto at = b.find(sep);
    if (at != std::string::npos) {
      return {CleanText(b.substr(0, at)), CleanText(b.substr(at + sep.size()))};
    }
  }
  return {b, ""};
}

Result<void> ValidateAddress(const Party& p, std::string_view who) {
  if (CleanText(p.name).empty() && CleanText(p.company).empty()) {
    return Invalid(fmt::format("Poczta Polska needs the {}'s name or company: fill it in", who));
  }
  if (CleanText(p.company).size() > 60 ||
      (CleanText(p.company).empty() && CleanText(p.name).size() > 60)) {
    return Invalid(
        fmt::format("Poczta Polska takes at most 60 characters in the {}'s name: shorten it", who));
  }
  if (CleanText(p.street).empty()) {
    return Invalid(fmt::format("Poczta Polska needs the {}'s street: fill in the address", who));
  }
  const auto [house, flat] = SplitBuilding(p.building);
  if (house.empty()) {
    return Invalid(fmt::format(
        "Poczta Polska needs the {}'s house number apart from the street ('{}'): split the address "
        "into street and number",
        who, Bounded(p.street)));
  }
  if (house.size() > 11) {
    return Invalid(fmt::format(
        "Poczta Polska takes at most 11 characters in the {}'s house number ('{}'): correct it",
        who, Bounded(house)));
  }
  if (CleanText(p.city).empty() || CleanText(p.city).size() > 63) {
    return Invalid(
        fmt::format("Poczta Polska needs the {}'s city (1 to 63 characters): correct it", who));
  }
  if (!NormalizePostalCode(p.postal_code)) {
    return Invalid(fmt::format(
        "Poczta Polska needs the {}'s postal code as NN-NNN; '{}' is not one: correct the address",
        who, Bounded(p.postal_code)));
  }
  if (!p.country_code.empty() && p.country_code != "PL") {
    return Invalid(fmt::format(
        "These Poczta Polska services deliver within Poland only; the {}'s country is '{}'", who,
        Bounded(p.country_code)));
  }
  if (!CleanText(p.phone).empty() && !NormalizePhone(p.phone)) {
    return Invalid(fmt::format(
        "Poczta Polska needs a Polish 9-digit phone number for the {}; '{}' is not one: correct it",
        who, Bounded(p.phone)));
  }
  const std::string email = CleanText(p.email);
  if (!email.empty() && (email.size() < 6 || email.size() > 50 || email.find('@') == 0 ||
                         email.find('@') == std::string::npos)) {
    return Invalid(fmt::format(
        "Poczta Polska takes an e-mail of 6 to 50 characters for the {}; '{}' is not one: correct "
        "it",
        who, Bounded(email)));
  }
  return Ok();
}

void SetAddress(pugi::xml_node node, const Party& p) {
  const std::string company = CleanText(p.company);
  const std::string name = CleanText(p.name);
  node.append_attribute("nazwa") = TruncateUtf8(company.empty() ? name : company, 60).c_str();
  if (!company.empty() && !name.empty()) {
    node.append_attribute("nazwa2") = TruncateUtf8(name, 60).c_str();
  }
  const auto [house, flat] = SplitBuilding(p.building);
  node.append_attribute("ulica") = CleanText(p.street).c_str();
  node.append_attribute("numerDomu") = house.c_str();
  if (!flat.empty()) node.append_attribute("numerLokalu") = flat.c_str();
  node.append_attribute("miejscowosc") = CleanText(p.city).c_str();
  node.append_attribute("kodPocztowy") =
      NormalizePostalCode(p.postal_code).value_or(CleanText(p.postal_code)).c_str();
  if (auto phone = NormalizePhone(p.phone)) {
    node.append_attribute("telefon") = phone->c_str();
    node.append_attribute("mobile") = phone->c_str();
  }
  if (!CleanText(p.email).empty()) node.append_attribute("email") = CleanText(p.email).c_str();
}

std::string SizeFor(const ShipmentRequest& r, const ShipmentDefaults& d) {
  std::string wanted = CleanText(r.parcels.empty() ? "" : r.parcels[0].size_template);
  for (char& c : wanted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (IsPocztex(r.service)) return wanted.empty() ? d.pocztex_format : wanted;
  if (wanted == "A") return "GABARYT_A";
  if (wanted == "B") return "GABARYT_B";
  return wanted.empty() ? d.paczka_gabaryt : wanted;
}

struct Envelope {
  pugi::xml_document doc;
  pugi::xml_node op;
};

void StartEnvelope(Envelope& e, std::string_view operation) {
  auto decl = e.doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto env = e.doc.append_child("soapenv:Envelope");
  env.append_attribute("xmlns:soapenv") = kSoapNs;
  env.append_attribute("xmlns:en") = kNamespace;
  env.append_attribute("xmlns:xsi") = kXsiNs;
  auto body = env.append_child("soapenv:Body");
  e.op = body.append_child(("en:" + std::string(operation)).c_str());
}

std::string Save(const Envelope& e) {
  std::ostringstream out;
  e.doc.save(out, "", pugi::format_raw);
  return out.str();
}

void Text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

Unexpected BadShape(std::string_view what, std::string_view body) {
  return Fail(
      ErrorCode::kInternal,
      fmt::format("Poczta Polska answered with an unexpected {} (not the documented shape)", what),
      TruncateUtf8(body, 300));
}

int ToInt(std::string_view s) {
  if (!Digits(s) || s.size() > 9) return 0;
  return std::stoi(std::string(s));
}

}  // namespace

bool IsPocztex(std::string_view s) { return s == kPocztexKurier; }
bool IsPaczka(std::string_view s) { return s == kPaczkaEkonomiczna || s == kPaczkaPriorytetowa; }
bool IsUnregistered(std::string_view s) {
  return std::any_of(kUnregistered.begin(), kUnregistered.end(),
                     [&](const char* x) { return s == x; });
}

std::optional<std::string> NormalizeNrb(std::string_view account) {
  std::string digits;
  std::string_view a = account;
  while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
  if (a.size() >= 2 && (a[0] == 'P' || a[0] == 'p') && (a[1] == 'L' || a[1] == 'l')) {
    a.remove_prefix(2);
  }
  for (char c : a) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-') {
      return std::nullopt;
    }
  }
  if (digits.size() != 26) return std::nullopt;
  // IBAN check: the 24 digits after the check digits, "PL" as 25 21, then the check digits.
  const std::string rearranged = digits.substr(2) + "2521" + digits.substr(0, 2);
  int mod = 0;
  for (char c : rearranged) mod = (mod * 10 + (c - '0')) % 97;
  if (mod != 1) return std::nullopt;
  return digits;
}

std::string GuidFor(std::string_view reference) {
  // Two FNV-1a 64-bit hashes with different offsets: stable across builds and platforms.
  auto fnv = [&](std::uint64_t h) {
    for (unsigned char c : reference) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    return h;
  };
  return fmt::format("{:016X}{:016X}", fnv(14695981039346656037ULL), fnv(0x9E3779B97F4A7C15ULL));
}

Result<void> ValidateRequest(const ShipmentRequest& r, const ShipmentDefaults& d) {
  if (IsUnregistered(r.service)) {
    return Fail(ErrorCode::kFailedPrecondition,
                "Poczta Polska gives unregistered letters (list zwykły) no tracking number, no "
                "address label and no status: they can't be tracked for an order. Choose Pocztex "
                "Kurier or Paczka pocztowa (or a registered letter outside Nadajnik)");
  }
  if (r.service.empty()) return Invalid("Choose a Poczta Polska service for the shipment");
  if (!IsPocztex(r.service) && !IsPaczka(r.service)) {
    return Invalid(
        fmt::format("'{}' is not a Poczta Polska service Nadajnik sends: choose pocztex_kurier, "
                    "paczka_pocztowa or paczka_pocztowa_priorytet",
                    Bounded(r.service)));
  }
  if (CleanText(r.reference).empty()) {
    return Invalid("A Poczta Polska shipment needs our reference (it makes the shipment's GUID)");
  }
  if (r.parcels.size() != 1) {
    return Invalid(fmt::format(
        "Nadajnik sends one parcel per Poczta Polska shipment; this one has {}: create one "
        "shipment per parcel",
        r.parcels.size()));
  }
  const auto& parcel = r.parcels[0];
  if (parcel.weight_grams <= 0 || parcel.weight_grams > kSchemaMaxGrams) {
    return Invalid("Poczta Polska needs the parcel's weight (in grams, above 0): fill it in");
  }
  const std::string size = SizeFor(r, d);
  if (IsPocztex(r.service)) {
    if (std::none_of(kPocztexFormats.begin(), kPocztexFormats.end(),
                     [&](const char* f) { return size == f; })) {
      return Invalid(fmt::format(
          "Pocztex Kurier takes sizes S, M, L, XL or 2XL; '{}' is not one: choose a size (or the "
          "default Pocztex size in Ustawienia > Przewoźnicy)",
          Bounded(size)));
    }
  } else if (size != "GABARYT_A" && size != "GABARYT_B") {
    return Invalid(fmt::format(
        "Paczka pocztowa takes size (gabaryt) A or B; '{}' is not one: choose one (or the default "
        "size in Ustawienia > Przewoźnicy)",
        Bounded(size)));
  }
  NADAJNIK_TRY(ValidateAddress(r.receiver, "receiver"));
  if (!CleanText(r.sender.name).empty() || !CleanText(r.sender.company).empty() ||
      !CleanText(r.sender.street).empty()) {
    NADAJNIK_TRY(ValidateAddress(r.sender, "sender"));
  }
  const std::string point = CleanText(r.target_point);
  if (!point.empty()) {
    if (!IsPocztex(r.service)) {
      return Invalid(
          "Paczka pocztowa goes to the receiver's address; for delivery to a post office or "
          "pickup point choose Pocztex Kurier");
    }
    if (!Digits(point) || point.size() > 9) {
      return Invalid(fmt::format(
          "'{}' is not a Poczta Polska pickup point id (a number from the point list): choose the "
          "point again",
          Bounded(point)));
    }
  }
  if (r.cash_on_delivery) {
    const Money& cod = *r.cash_on_delivery;
    if (IsPaczka(r.service)) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "Paczka pocztowa has no cash on delivery in e-Nadawca: choose Pocztex Kurier "
                  "for a COD order");
    }
    if (cod.currency.code() != "PLN") {
      return Invalid(fmt::format("Poczta Polska collects cash on delivery in PLN only, not {}",
                                 cod.currency.code()));
    }
    if (cod.minor <= 0) return Invalid("The cash-on-delivery amount must be above 0 PLN");
    const std::int64_t limit = std::min(d.max_cod_minor, kSchemaMaxMinor);
    if (cod.minor > limit) {
      return Invalid(fmt::format(
          "Cash on delivery of {} is over the Poczta Polska limit of {}: lower it or ask for "
          "prepayment",
          cod.ToString(), Money{limit, Currency::PLN()}.ToString()));
    }
    if (CleanText(r.cod_bank_account).empty()) {
      return Invalid(
          "Poczta Polska pays cash on delivery to a bank account: enter the account number (NRB, "
          "26 digits) in Ustawienia > Przewoźnicy");
    }
    if (!NormalizeNrb(r.cod_bank_account)) {
      return Invalid(fmt::format(
          "The cash-on-delivery bank account '{}' is not a valid Polish account number (NRB: 26 "
          "digits with correct check digits): correct it in Ustawienia > Przewoźnicy",
          Bounded(r.cod_bank_account)));
    }
  }
  if (r.insurance) {
    if (r.insurance->currency.code() != "PLN") {
      return Invalid(fmt::format("Poczta Polska takes a declared value in PLN only, not {}",
                                 r.insurance->currency.code()));
    }
    if (r.insurance->minor < 0 || r.insurance->minor > kSchemaMaxMinor) {
      return Invalid("The declared value must be between 0 and 99 999.99 PLN");
    }
  }
  return Ok();
}

std::string SoapRequest(std::string_view operation,
                        const std::vector<std::pair<std::string, std::string>>& children) {
  Envelope e;
  StartEnvelope(e, operation);
  for (const auto& [name, value] : children) Text(e.op, name.c_str(), value);
  return Save(e);
}

Result<std::string> BuildAddShipment(const std::vector<ShipmentRequest>& requests,
                                     const ShipmentDefaults& d, std::optional<int> id_bufor) {
  if (requests.empty() || requests.size() > 500) {
    return Invalid("e-Nadawca adds 1 to 500 shipments per call");
  }
  Envelope e;
  StartEnvelope(e, "addShipment");
  for (const auto& r : requests) {
    NADAJNIK_TRY(ValidateRequest(r, d));
    const bool pocztex = IsPocztex(r.service);
    auto p = e.op.append_child("przesylki");
    p.append_attribute("xsi:type") = pocztex ? "en:pocztex2021KurierType" : "en:paczkaPocztowaType";
    p.append_attribute("guid") = GuidFor(CleanText(r.reference)).c_str();
    std::string opis = CleanText(r.reference);
    if (!CleanText(r.comment).empty()) opis += " " + CleanText(r.comment);
    p.append_attribute("opis") = TruncateUtf8(opis, 500).c_str();
    SetAddress(p.append_child("adres"), r.receiver);
    if (!CleanText(r.sender.name).empty() || !CleanText(r.sender.company).empty()) {
      SetAddress(p.append_child("nadawca"), r.sender);
    }
    const auto& parcel = r.parcels[0];
    const std::string size = SizeFor(r, d);
    const std::string reference = CleanText(r.reference);
    if (pocztex) {
      if (r.cash_on_delivery) {
        auto cod = p.append_child("pobranie");
        cod.append_attribute("sposobPobrania") = "RACHUNEK_BANKOWY";
        cod.append_attribute("kwotaPobrania") = std::to_string(r.cash_on_delivery->minor).c_str();
        cod.append_attribute("nrb") = NormalizeNrb(r.cod_bank_account).value_or("").c_str();
        cod.append_attribute("tytulem") = TruncateUtf8(reference, 54).c_str();
      }
      Text(p, "masa", std::to_string(parcel.weight_grams));
      if (r.insurance) Text(p, "wartosc", std::to_string(r.insurance->minor));
      Text(p, "format", size);
      if (reference.size() <= 25) Text(p, "numerPrzesylkiKlienta", reference);
      if (d.electronic_confirmation) {
        p.append_child("epo").append_attribute("xsi:type") = "en:EPOSimpleType";
      }
      if (!CleanText(r.target_point).empty()) {
        p.append_child("punktOdbioru").append_attribute("id") = CleanText(r.target_point).c_str();
      }
    } else {
      if (d.electronic_confirmation) {
        p.append_child("epo").append_attribute("xsi:type") = "en:EPOSimpleType";
      }
      p.append_attribute("kategoria") =
          r.service == kPaczkaPriorytetowa ? "PRIORYTETOWA" : "EKONOMICZNA";
      p.append_attribute("gabaryt") = size.c_str();
      p.append_attribute("masa") = std::to_string(parcel.weight_grams).c_str();
      if (r.insurance) {
        p.append_attribute("wartosc") = std::to_string(r.insurance->minor).c_str();
      }
      if (reference.size() <= 25) p.append_attribute("numerPrzesylkiKlienta") = reference.c_str();
    }
  }
  if (id_bufor) Text(e.op, "idBufor", std::to_string(*id_bufor));
  return Save(e);
}

std::string BuildGetPrintForParcel(const std::vector<std::string>& guids,
                                   domain::LabelFormat format) {
  Envelope e;
  StartEnvelope(e, "getPrintForParcel");
  for (const auto& g : guids) Text(e.op, "guid", g);
  auto type = e.op.append_child("type");
  Text(type, "kind", "ADDRESS_LABEL_BY_GUID");
  Text(type, "method", "EACH_PARCEL_SEPARATELY");
  const bool zpl = format == domain::LabelFormat::kZpl203 || format == domain::LabelFormat::kZpl300;
  Text(type, "format", zpl ? "ZPL_FORMAT" : "PDF_FORMAT");
  if (zpl) Text(type, "resolution", format == domain::LabelFormat::kZpl300 ? "DPI_300" : "DPI_203");
  return Save(e);
}

std::vector<SoapError> SoapAnswer::Errors() const {
  std::vector<SoapError> out;
  for (const auto& n : Children(response, "error")) {
    out.push_back({ToInt(Attr(n, "errorNumber")), Attr(n, "errorDesc"), Attr(n, "guid")});
  }
  return out;
}

Result<SoapAnswer> ParseAnswer(int http_status, std::string_view body, std::string_view operation,
                               std::string_view what) {
  if (http_status == 401 || http_status == 403) {
    return Fail(ErrorCode::kPermissionDenied,
                "Poczta Polska e-Nadawca refused the WebAPI login or password: check them in "
                "Ustawienia > Przewoźnicy (test and production accounts are separate, and "
                "passwords expire: change an expired one in the e-Nadawca panel)",
                fmt::format("HTTP {} while trying to {}", http_status, what));
  }
  if (http_status == 429) {
    Error e;
    e.code = ErrorCode::kRateLimited;
    e.retryable = true;
    e.message =
        fmt::format("Poczta Polska asks to slow down while trying to {}; it will be retried", what);
    return Fail(std::move(e));
  }
  auto doc = std::make_shared<pugi::xml_document>();
  const auto parsed = doc->load_buffer(body.data(), body.size());
  pugi::xml_node first;
  if (parsed) {
    auto env = doc->document_element();
    auto soap_body = LocalName(env) == "Envelope" ? Child(env, "Body") : pugi::xml_node();
    for (auto c = soap_body.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element) {
        first = c;
        break;
      }
    }
  }
  if (first && LocalName(first) == "Fault") {
    const std::string code = Child(first, "faultcode").text().get();
    const std::string text = TruncateUtf8(CleanText(Child(first, "faultstring").text().get()), 300);
    const bool server = code.find("Server") != std::string::npos || http_status >= 500;
    const bool client = code.find("Client") != std::string::npos;
    if (server && !client) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("Poczta Polska e-Nadawca failed while trying to {} ({}); it will be "
                              "retried",
                              what, text),
                  fmt::format("HTTP {} SOAP Fault {}", http_status, code));
    }
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("Poczta Polska e-Nadawca refused the request to {}: {}", what, text),
                fmt::format("HTTP {} SOAP Fault {}", http_status, code));
  }
  if (http_status >= 500) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("Poczta Polska e-Nadawca failed (HTTP {}) while trying to {}; it will "
                            "be retried",
                            http_status, what),
                TruncateUtf8(body, 300));
  }
  if (!first || LocalName(first) != std::string(operation) + "Response") {
    return BadShape(fmt::format("answer to {}", operation), body);
  }
  return SoapAnswer{doc, first};
}

Result<std::vector<AddedShipment>> ParseAddShipment(const SoapAnswer& answer) {
  std::vector<AddedShipment> out;
  for (const auto& n : Children(answer.response, "retval")) {
    AddedShipment a;
    a.guid = Attr(n, "guid");
    a.numer_nadania = Attr(n, "numerNadania");
    for (const auto& e : Children(n, "error")) {
      a.errors.push_back({ToInt(Attr(e, "errorNumber")), Attr(e, "errorDesc"), Attr(e, "guid")});
    }
    out.push_back(std::move(a));
  }
  if (out.empty()) return BadShape("addShipment answer (no retval)", "");
  return out;
}

Result<std::vector<PrintResult>> ParsePrintResults(const SoapAnswer& answer) {
  std::vector<PrintResult> out;
  for (const auto& n : Children(answer.response, "printResult")) {
    auto bytes = DecodeBase64(Child(n, "print").text().get());
    if (!bytes) return BadShape("label (print is not base64)", "");
    out.push_back({Child(n, "guid").text().get(), std::move(*bytes)});
  }
  return out;
}

std::vector<BufferedShipment> ParseBufor(const SoapAnswer& answer) {
  std::vector<BufferedShipment> out;
  for (const auto& n : Children(answer.response, "przesylka")) {
    std::string type = Attr(n, "xsi:type");
    if (type.empty()) {
      for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
        std::string_view name = a.name();
        if (name.ends_with(":type")) type = a.value();
      }
    }
    if (const auto colon = type.find(':'); colon != std::string::npos)
      type = type.substr(colon + 1);
    out.push_back({Attr(n, "guid"), Attr(n, "numerNadania"), type});
  }
  return out;
}

EnvelopeInfo ParseEnvelope(const SoapAnswer& answer) {
  EnvelopeInfo e;
  e.id = ToInt(Child(answer.response, "idEnvelope").text().get());
  e.status = Child(answer.response, "envelopeStatus").text().get();
  return e;
}

std::vector<EnvelopeInfo> ParseEnvelopeList(const SoapAnswer& answer) {
  std::vector<EnvelopeInfo> out;
  for (const auto& n : Children(answer.response, "envelopes")) {
    out.push_back(
        {ToInt(Attr(n, "idEnvelope")), Attr(n, "envelopeStatus"), Attr(n, "dataTransmisji")});
  }
  return out;
}

std::vector<ShortShipment> ParseContentShort(const SoapAnswer& answer) {
  std::vector<ShortShipment> out;
  for (const auto& n : Children(answer.response, "przesylka")) {
    out.push_back(
        {Attr(n, "guid"), Attr(n, "numerNadania"), Attr(n, "dataNadania"), Attr(n, "status")});
  }
  return out;
}

std::vector<EpoStatus> ParseEpo(const SoapAnswer& answer) {
  std::vector<EpoStatus> out;
  for (const auto& n : Children(answer.response, "epo")) {
    EpoStatus s;
    s.guid = Attr(n, "guid");
    s.numer_nadania = Attr(n, "numerNadania");
    s.status = Attr(n, "statusEPO");
    const auto info = Child(n, "EPOInfo");
    s.awizo_date = Attr(Child(info, "awizoPrzesylki"), "dataPierwszegoAwizowania");
    s.delivered_at = Attr(Child(info, "doreczeniePrzesylki"), "data");
    s.returned_at = Attr(Child(info, "zwrotPrzesylki"), "data");
    s.return_reason = Attr(Child(info, "zwrotPrzesylki"), "przyczyna");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<PostingOffice> ParseUrzedyNadania(const SoapAnswer& answer) {
  std::vector<PostingOffice> out;
  for (const auto& n : Children(answer.response, "urzedyNadania")) {
    out.push_back({ToInt(Attr(n, "urzadNadania")), Attr(n, "opis")});
  }
  return out;
}

domain::TrackingState TrackingStateForEpo(std::string_view s) {
  using domain::TrackingState;
  if (s == "NADANIE" || s == "W_TRANSPORCIE" || s == "CLO" || s == "SMS") {
    return TrackingState::kInTransit;
  }
  if (s == "W_DORECZENIU") return TrackingState::kOutForDelivery;
  if (s == "AWIZO" || s == "PONOWNE_AWIZO") return TrackingState::kReadyForPickup;
  if (s == "DORECZONA") return TrackingState::kDelivered;
  if (s == "ZWROT") return TrackingState::kReturned;
  return TrackingState::kUnknown;
}

std::string DescribeEpo(std::string_view s) {
  if (s == "NADANIE") return "posted (nadanie)";
  if (s == "W_TRANSPORCIE") return "in transport";
  if (s == "CLO") return "at customs";
  if (s == "SMS") return "receiver notified by SMS";
  if (s == "W_DORECZENIU") return "out for delivery";
  if (s == "AWIZO") return "notice left (awizo): waiting at the post office";
  if (s == "PONOWNE_AWIZO") return "second notice (ponowne awizo)";
  if (s == "ZWROT") return "returned to the sender (zwrot)";
  if (s == "DORECZONA") return "delivered";
  return "status unknown";
}

std::optional<Timestamp> ParseWireTime(std::string_view text) {
  const std::string t = CleanText(text);
  if (t.size() < 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  const bool zoned = t.size() > 19 && (t.back() == 'Z' || t[t.size() - 3] == ':');
  if (zoned) {
    auto parsed = ParseIso8601(t);
    if (!parsed) return std::nullopt;
    return *parsed;
  }
  if (!Digits(t.substr(0, 4)) || !Digits(t.substr(5, 2)) || !Digits(t.substr(8, 2))) {
    return std::nullopt;
  }
  int hh = 0, mm = 0, ss = 0;
  if (t.size() >= 19 && t[10] == 'T') {
    if (!Digits(t.substr(11, 2)) || !Digits(t.substr(14, 2)) || !Digits(t.substr(17, 2))) {
      return std::nullopt;
    }
    hh = std::stoi(t.substr(11, 2));
    mm = std::stoi(t.substr(14, 2));
    ss = std::stoi(t.substr(17, 2));
  }
  const std::chrono::year_month_day ymd{std::chrono::year{std::stoi(t.substr(0, 4))},
                                        std::chrono::month{unsigned(std::stoi(t.substr(5, 2)))},
                                        std::chrono::day{unsigned(std::stoi(t.substr(8, 2)))}};
  if (!ymd.ok()) return std::nullopt;
  // The wire has Warsaw local time without an offset.
  const Timestamp local = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::sys_days{ymd} + std::chrono::hours(hh) + std::chrono::minutes(mm) +
      std::chrono::seconds(ss));
  return local - UtcOffset(local);
}

Error ErrorFromSoapErrors(const std::vector<SoapError>& errors, std::string_view what) {
  Error e;
  e.code = ErrorCode::kInvalidArgument;
  std::string text;
  std::string hint;
  for (std::size_t i = 0; i < errors.size() && i < 3; ++i) {
    const auto& err = errors[i];
    const std::string desc = TruncateUtf8(CleanText(err.description), 200);
    text += fmt::format("{}{} (error {})", text.empty() ? "" : "; ",
                        desc.empty() ? "no description" : desc, err.number);
    const std::string low = FoldCase(desc);
    if (!hint.empty()) continue;
    const bool sender = low.find("nadawc") != std::string::npos;
    if (low.find("kod") != std::string::npos && low.find("pocztow") != std::string::npos) {
      hint = fmt::format("correct the {}'s postal code", sender ? "sender" : "receiver");
    } else if (low.find("nrb") != std::string::npos || low.find("rachun") != std::string::npos) {
      hint = "correct the cash-on-delivery bank account number (NRB) in Ustawienia > Przewoźnicy";
    } else if (low.find("punkt") != std::string::npos || low.find("placówk") != std::string::npos) {
      hint = "choose another pickup point";
    } else if (low.find("pobrani") != std::string::npos) {
      hint = "lower the cash-on-delivery amount or ask for prepayment";
    } else if (low.find("urz") != std::string::npos && low.find("nadania") != std::string::npos) {
      hint = "set the posting office (urząd nadania) in Ustawienia > Przewoźnicy";
    } else if (low.find("umow") != std::string::npos || low.find("umów") != std::string::npos) {
      hint =
          "the service is not on your Poczta Polska contract: choose another one or ask your "
          "Poczta Polska adviser";
    } else if (low.find("bufor") != std::string::npos || low.find("wysłan") != std::string::npos) {
      e.code = ErrorCode::kFailedPrecondition;
    }
  }
  if (text.empty()) text = "no reason given";
  e.message = fmt::format("Poczta Polska refused to {}: {}{}", what, text,
                          hint.empty() ? std::string() : ". What to do: " + hint);
  e.details = fmt::format("{} e-Nadawca error(s)", errors.size());
  return e;
}

}  // namespace nadajnik::carriers::poczta_polska
