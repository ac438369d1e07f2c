#include "sandbox/poczta_polska/simulator.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/text.hpp"

namespace nadajnik::sandbox::poczta_polska {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kPrefix = "/poczta-polska";
constexpr char kNs[] = "http://e-nadawca.poczta-polska.pl";
constexpr char kSoapNs[] = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr char kXsiNs[] = "http://www.w3.org/2001/XMLSchema-instance";

// Seeded pickup points (placowkaPocztowaType); maksymalnaKwotaPobrania in grosze is made up.
struct Point {
  int id;
  const char* name;
  const char* city;
  const char* post_code;  // 5 digits, as the WSDL's placowka kodPocztowy
  const char* street;
  const char* house;
  const char* province;  // idWojewodztwo
  std::int64_t max_cod;
};
constexpr std::array<Point, 5> kPoints = {{
    {261401, "UP Kraków 1", "Kraków", "31045", "Westerplatte", "20", "12", 500000},
    {261402, "UP Kraków 40", "Kraków", "30624", "Malborska", "65", "12", 200000},
    {264101, "UP Poznań 1", "Poznań", "61890", "Kościuszki", "77", "30", 500000},
    {260101, "UP Warszawa 1", "Warszawa", "00001", "Świętokrzyska", "31/33", "14", 500000},
    {265501, "Automat Pocztowy Gdańsk", "Gdańsk", "80001", "Grunwaldzka", "82", "22", 0},
}};
const Point* FindPoint(int id) {
  for (const auto& p : kPoints) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// Well-formed postal codes that do not exist (the "not served" refusal of section 3.8).
constexpr std::array kMissingPostalCodes = {"00-000", "99-999"};
constexpr std::array kUnregisteredTypes = {"listZwyklyType", "listZwyklyFirmowyType",
                                           "przesylkaNierejestrowanaKrajowaType"};
constexpr std::array kPocztexFormats = {"S", "M", "L", "XL", "2XL"};
constexpr std::array kJourney = {"NADANIE", "W_TRANSPORCIE", "W_DORECZENIU", "DORECZONA"};
constexpr std::array kEpoStatuses = {"NIEZNANY", "NADANIE",      "W_TRANSPORCIE", "CLO",
                                     "SMS",      "W_DORECZENIU", "AWIZO",         "PONOWNE_AWIZO",
                                     "ZWROT",    "DORECZONA"};

template <typename A>
bool In(const A& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(), [&](const char* x) { return s == x; });
}

Timestamp Now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}
std::string Date(Timestamp t) { return FormatLocal(t).substr(0, 10); }
// Warsaw local time without an offset, as xsd:dateTime.
std::string DateTime(Timestamp t) {
  const std::string local = FormatLocal(t);  // "2026-11-25 15:37"
  return local.substr(0, 10) + "T" + local.substr(11, 5) + ":00";
}

std::string Base64Encode(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += i + 1 < in.size() ? kTable[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      break;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view LocalName(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}
std::string_view LocalName(const pugi::xml_node& n) { return LocalName(n.name()); }

std::string_view Prefix(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
}

// The namespace URI bound to `prefix` at node n (xmlns / xmlns:prefix up the tree).
std::string NamespaceOf(pugi::xml_node n, std::string_view prefix) {
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (; n; n = n.parent()) {
    if (auto a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
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

std::string Text(const pugi::xml_node& parent, std::string_view local) {
  return Child(parent, local).text().get();
}

// The xsi:type of an element, as its local name (the prefix may be any bound to the namespace).
std::string XsiType(const pugi::xml_node& n) {
  for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    if (LocalName(name) != "type" || Prefix(name).empty()) continue;
    if (NamespaceOf(n, Prefix(name)) != kXsiNs) continue;
    return std::string(LocalName(a.value()));
  }
  return {};
}

std::string Pln(std::int64_t minor) {
  return fmt::format("{},{:02d} zł", minor / 100, minor % 100);
}

// ---- SOAP replies ---------------------------------------------------------------------------

struct Reply {
  pugi::xml_document doc;
  pugi::xml_node out;  // the <opResponse> element
};

std::unique_ptr<Reply> StartReply(std::string_view operation) {
  auto r = std::make_unique<Reply>();
  auto decl = r->doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto env = r->doc.append_child("SOAP-ENV:Envelope");
  env.append_attribute("xmlns:SOAP-ENV") = kSoapNs;
  env.append_attribute("xmlns:ns1") = kNs;
  env.append_attribute("xmlns:xsi") = kXsiNs;
  auto body = env.append_child("SOAP-ENV:Body");
  r->out = body.append_child(("ns1:" + std::string(operation) + "Response").c_str());
  return r;
}

Response Xml(int status, const pugi::xml_document& doc) {
  std::ostringstream s;
  doc.save(s, "", pugi::format_raw);
  Response r;
  r.status = status;
  r.body = s.str();
  r.SetHeader("Content-Type", "text/xml; charset=utf-8");
  return r;
}

Response Send(const std::unique_ptr<Reply>& r) { return Xml(200, r->doc); }

Response Fault(int status, std::string_view code, std::string_view text) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto env = doc.append_child("SOAP-ENV:Envelope");
  env.append_attribute("xmlns:SOAP-ENV") = kSoapNs;
  auto fault = env.append_child("SOAP-ENV:Body").append_child("SOAP-ENV:Fault");
  fault.append_child("faultcode").text().set(("SOAP-ENV:" + std::string(code)).c_str());
  fault.append_child("faultstring").text().set(std::string(text).c_str());
  return Xml(status, doc);
}

Response SchemaFault(std::string_view text) {
  return Fault(500, "Client", fmt::format("Schema validation failed: {}", text));
}

void AddError(pugi::xml_node parent, int number, std::string_view desc,
              std::string_view guid = {}) {
  auto e = parent.append_child("error");
  e.append_attribute("errorNumber") = number;
  e.append_attribute("errorDesc") = std::string(desc).c_str();
  if (!guid.empty()) e.append_attribute("guid") = std::string(guid).c_str();
}

void AddText(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

// ---- state ----------------------------------------------------------------------------------

void AdvanceEnvelopes(PocztaPolskaWorld& world, Timestamp now) {
  if (world.options.accept_delay.count() <= 0) return;
  for (auto& [id, e] : world.envelopes) {
    if (e.status == "WYSLANY" && now - e.sent_at >= world.options.accept_delay) {
      e.status = "PRZYJETY";
    }
  }
}

std::optional<int> IdBufor(const PocztaPolskaAccount& account, const pugi::xml_node& op,
                           std::string& fault) {
  const std::string text = Text(op, "idBufor");
  if (text.empty()) return account.id_bufor;
  if (!Digits(text) || text.size() > 9) {
    fault = "idBufor is not an xsd:int";
    return std::nullopt;
  }
  return std::stoi(text);
}

// ---- addShipment ----------------------------------------------------------------------------

struct Checked {
  std::vector<std::pair<int, std::string>> errors;
  void Add(int n, std::string d) { errors.emplace_back(n, std::move(d)); }
};

bool ValidNrb(const std::string& nrb) {
  if (nrb.size() != 26 || !Digits(nrb)) return false;
  const std::string r = nrb.substr(2) + "2521" + nrb.substr(0, 2);
  int mod = 0;
  for (char c : r) mod = (mod * 10 + (c - '0')) % 97;
  return mod == 1;
}

std::vector<std::string> AddressLines(const pugi::xml_node& a) {
  std::vector<std::string> lines;
  if (!a) return lines;
  lines.push_back(a.attribute("nazwa").value());
  if (*a.attribute("nazwa2").value()) lines.push_back(a.attribute("nazwa2").value());
  std::string street =
      fmt::format("{} {}", a.attribute("ulica").value(), a.attribute("numerDomu").value());
  if (*a.attribute("numerLokalu").value())
    street += "/" + std::string(a.attribute("numerLokalu").value());
  lines.push_back(street);
  lines.push_back(
      fmt::format("{} {}", a.attribute("kodPocztowy").value(), a.attribute("miejscowosc").value()));
  if (*a.attribute("telefon").value()) {
    lines.push_back(fmt::format("tel. {}", a.attribute("telefon").value()));
  }
  return lines;
}

void CheckAddress(Checked& c, const pugi::xml_node& a, std::string_view who) {
  if (!a) {
    c.Add(1101, fmt::format("Brak adresu {}", who));
    return;
  }
  if (!*a.attribute("nazwa").value()) c.Add(1102, fmt::format("Brak nazwy {}", who));
  if (!*a.attribute("miejscowosc").value()) c.Add(1103, fmt::format("Brak miejscowości {}", who));
  if (!*a.attribute("ulica").value()) c.Add(1104, fmt::format("Brak ulicy {}", who));
  std::string code = a.attribute("kodPocztowy").value();
  if (code.size() == 5 && Digits(code)) code = code.substr(0, 2) + "-" + code.substr(2);
  const bool formed =
      code.size() == 6 && code[2] == '-' && Digits(code.substr(0, 2)) && Digits(code.substr(3));
  if (!formed) {
    c.Add(1105, fmt::format("Niepoprawny kod pocztowy {}: '{}' (oczekiwany NN-NNN)", who,
                            TruncateUtf8(a.attribute("kodPocztowy").value(), 20)));
  } else if (In(kMissingPostalCodes, code)) {
    c.Add(1106, fmt::format("Kod pocztowy {} {} nie istnieje lub nie jest obsługiwany", who, code));
  }
}

// Schema checks that make the whole call a SOAP Fault; empty when fine.
std::string SchemaProblem(const pugi::xml_node& p, const std::string& type) {
  const std::string guid = p.attribute("guid").value();
  if (guid.size() != 32) return fmt::format("attribute guid '{}' is not 32 characters", guid);
  auto int_in = [](const std::string& s, std::int64_t lo, std::int64_t hi) {
    return Digits(s) && s.size() <= 9 && std::stoll(s) >= lo && std::stoll(s) <= hi;
  };
  if (type == "paczkaPocztowaType") {
    for (auto c = p.first_child(); c; c = c.next_sibling()) {
      const auto name = LocalName(c);
      if (name != "adres" && name != "nadawca" && name != "epo" && name != "ubezpieczenie" &&
          name != "mpk" && name != "oplacaOdbiorca" && name != "relatedToAllegro") {
        return fmt::format("element '{}' is not expected in paczkaPocztowaType", name);
      }
    }
    const std::string kat = p.attribute("kategoria").value();
    if (kat != "EKONOMICZNA" && kat != "PRIORYTETOWA") {
      return "paczkaPocztowaType: attribute kategoria is required (EKONOMICZNA|PRIORYTETOWA)";
    }
    const std::string gab = p.attribute("gabaryt").value();
    if (gab != "GABARYT_A" && gab != "GABARYT_B") {
      return "paczkaPocztowaType: attribute gabaryt is required (GABARYT_A|GABARYT_B)";
    }
    if (auto m = p.attribute("masa"); m && !int_in(m.value(), 1, 9999999)) {
      return "masa is not a masaType (1..9999999 g)";
    }
  }
  if (type == "pocztex2021KurierType") {
    const std::string format = Text(p, "format");
    if (!format.empty() && !In(kPocztexFormats, format)) {
      return fmt::format("format '{}' is not a formatPocztex2021Type (S|M|L|XL|2XL)", format);
    }
    if (auto m = Child(p, "masa"); m && !int_in(m.text().get(), 1, 9999999)) {
      return "masa is not a masaType (1..9999999 g)";
    }
    if (auto cod = Child(p, "pobranie")) {
      const std::string kwota = cod.attribute("kwotaPobrania").value();
      if (!kwota.empty() && !int_in(kwota, 0, 9999999)) {
        return "kwotaPobrania is not a kwotaPobraniaType (0..9999999 grosze)";
      }
      const std::string how = cod.attribute("sposobPobrania").value();
      if (!how.empty() && how != "PRZEKAZ" && how != "RACHUNEK_BANKOWY") {
        return "sposobPobrania is not PRZEKAZ|RACHUNEK_BANKOWY";
      }
      if (std::string(cod.attribute("nrb").value()).size() > 26) return "nrb is over 26 characters";
      if (std::string(cod.attribute("tytulem").value()).size() > 54) {
        return "tytulem is over 54 characters";
      }
    }
    if (auto point = Child(p, "punktOdbioru")) {
      if (!Digits(point.attribute("id").value())) return "punktOdbioru: attribute id is required";
    }
  }
  return {};
}

Response AddShipment(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                     const pugi::xml_node& op) {
  const auto items = Children(op, "przesylki");
  if (items.empty() || items.size() > 500) return SchemaFault("przesylki: 1..500 elements");
  std::string fault;
  const auto bufor = IdBufor(account, op, fault);
  if (!bufor) return SchemaFault(fault);
  std::vector<std::string> types;
  for (const auto& p : items) {
    const std::string type = XsiType(p);
    if (type.empty()) return SchemaFault("przesylki needs xsi:type (przesylkaType is abstract)");
    if (auto problem = SchemaProblem(p, type); !problem.empty()) return SchemaFault(problem);
    types.push_back(type);
  }
  auto reply = StartReply("addShipment");
  const Timestamp now = Now();
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& p = items[i];
    const std::string& type = types[i];
    const std::string guid = p.attribute("guid").value();
    auto retval = reply->out.append_child("retval");
    retval.append_attribute("guid") = guid.c_str();
    if (*bufor != account.id_bufor) {
      AddError(retval, 1001, fmt::format("Bufor {} nie istnieje", *bufor), guid);
      continue;
    }
    Checked c;
    if (world.shipments.count(guid) || std::find(seen.begin(), seen.end(), guid) != seen.end()) {
      c.Add(1002, fmt::format("Przesyłka o GUID {} już istnieje", guid));
    }
    const bool unregistered = In(kUnregisteredTypes, type);
    const bool pocztex = type == "pocztex2021KurierType";
    const bool paczka = type == "paczkaPocztowaType";
    if (!unregistered && !pocztex && !paczka) {
      c.Add(1003, fmt::format("Typ przesyłki {} nie jest dostępny na umowie tego konta", type));
    }
    PocztaPolskaShipment s;
    s.guid = guid;
    s.type = type;
    s.login = account.login;
    s.created_at = now;
    if (pocztex || paczka) {
      CheckAddress(c, Child(p, "adres"), "adresata");
      if (auto sender = Child(p, "nadawca")) CheckAddress(c, sender, "nadawcy");
      s.epo = static_cast<bool>(Child(p, "epo"));
      const std::string masa = pocztex ? Text(p, "masa") : p.attribute("masa").value();
      auto& l = s.label;
      l.carrier = "Poczta Polska";
      l.receiver = AddressLines(Child(p, "adres"));
      l.sender = AddressLines(Child(p, "nadawca"));
      if (l.sender.empty()) l.sender = {"Nadawca: " + account.login};
      l.reference = TruncateUtf8(p.attribute("opis").value(), 120);
      if (!masa.empty()) {
        const int g = std::stoi(masa);
        l.weight = fmt::format("{},{:03d} kg", g / 1000, g % 1000);
      }
      if (pocztex) {
        const std::string format = Text(p, "format").empty() ? "M" : Text(p, "format");
        l.service = "Pocztex Kurier, format " + format;
        if (auto cod = Child(p, "pobranie")) {
          const std::string how = cod.attribute("sposobPobrania").value();
          const std::string kwota = cod.attribute("kwotaPobrania").value();
          s.cod_minor = kwota.empty() ? 0 : std::stoll(kwota);
          if (kwota.empty() || s.cod_minor <= 0) c.Add(1201, "Brak kwoty pobrania");
          if (how == "RACHUNEK_BANKOWY" && !ValidNrb(cod.attribute("nrb").value())) {
            c.Add(1202, fmt::format("Niepoprawny numer rachunku bankowego (NRB) '{}' dla pobrania",
                                    TruncateUtf8(cod.attribute("nrb").value(), 30)));
          }
          if (s.cod_minor > world.options.max_cod_minor) {
            c.Add(1203, fmt::format("Kwota pobrania {} przekracza dopuszczalną kwotę {}",
                                    Pln(s.cod_minor), Pln(world.options.max_cod_minor)));
          }
          l.cash_on_delivery = "POBRANIE " + Pln(s.cod_minor);
        }
        if (auto point = Child(p, "punktOdbioru")) {
          const std::string id = point.attribute("id").value();
          const Point* found = id.size() <= 9 ? FindPoint(std::stoi(id)) : nullptr;
          if (!found) {
            c.Add(1301, fmt::format("Nieznany punkt odbioru (placówka) o id {}", id));
          } else {
            l.target_point = found->name;
            if (s.cod_minor > 0 && s.cod_minor > found->max_cod) {
              c.Add(1302, fmt::format("Punkt odbioru {} nie przyjmuje pobrania powyżej {}",
                                      found->name, Pln(found->max_cod)));
            }
          }
        }
      } else {
        const bool prio = std::string(p.attribute("kategoria").value()) == "PRIORYTETOWA";
        l.service =
            fmt::format("Paczka pocztowa {}, gabaryt {}", prio ? "priorytetowa" : "ekonomiczna",
                        std::string(p.attribute("gabaryt").value()).substr(8));
      }
    }
    if (!c.errors.empty()) {
      for (const auto& [n, d] : c.errors) AddError(retval, n, d, guid);
      continue;
    }
    if (!unregistered) {
      s.numer_nadania = fmt::format("00659007734{:09d}", world.next_number++);
      s.label.tracking_number = s.numer_nadania;
      retval.append_attribute("numerNadania") = s.numer_nadania.c_str();
    }
    seen.push_back(guid);
    world.shipments[guid] = std::move(s);
  }
  return Send(reply);
}

// ---- the other operations -------------------------------------------------------------------

std::vector<PocztaPolskaShipment*> InBufor(PocztaPolskaWorld& world, const std::string& login) {
  std::vector<PocztaPolskaShipment*> out;
  for (auto& [g, s] : world.shipments) {
    if (s.login == login && s.envelope_id == 0) out.push_back(&s);
  }
  return out;
}

Response GetEnvelopeBufor(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                          const pugi::xml_node& op) {
  std::string fault;
  const auto bufor = IdBufor(account, op, fault);
  if (!bufor) return SchemaFault(fault);
  auto reply = StartReply("getEnvelopeBufor");
  if (*bufor != account.id_bufor) {
    AddError(reply->out, 1001, fmt::format("Bufor {} nie istnieje", *bufor));
    return Send(reply);
  }
  for (auto* s : InBufor(world, account.login)) {
    auto p = reply->out.append_child("przesylka");
    p.append_attribute("xsi:type") = ("ns1:" + s->type).c_str();
    p.append_attribute("guid") = s->guid.c_str();
    if (!s->numer_nadania.empty()) p.append_attribute("numerNadania") = s->numer_nadania.c_str();
  }
  return Send(reply);
}

Response ClearEnvelope(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                       const pugi::xml_node& op) {
  std::string fault;
  const auto bufor = IdBufor(account, op, fault);
  if (!bufor) return SchemaFault(fault);
  auto reply = StartReply("clearEnvelope");
  if (*bufor != account.id_bufor) {
    AddText(reply->out, "retval", "false");
    AddError(reply->out, 1001, fmt::format("Bufor {} nie istnieje", *bufor));
    return Send(reply);
  }
  for (auto* s : InBufor(world, account.login)) world.shipments.erase(s->guid);
  AddText(reply->out, "retval", "true");
  return Send(reply);
}

Response ClearEnvelopeByGuids(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                              const pugi::xml_node& op) {
  std::string fault;
  const auto bufor = IdBufor(account, op, fault);
  if (!bufor) return SchemaFault(fault);
  const auto guids = Children(op, "guid");
  if (guids.empty()) return SchemaFault("guid: at least one element");
  auto reply = StartReply("clearEnvelopeByGuids");
  for (const auto& g : guids) {
    const std::string guid = g.text().get();
    auto it = world.shipments.find(guid);
    if (it == world.shipments.end() || it->second.login != account.login) {
      AddError(reply->out, 1401, fmt::format("Brak przesyłki o GUID {} w buforze", guid), guid);
    } else if (it->second.envelope_id != 0) {
      AddError(reply->out, 1402,
               fmt::format("Przesyłka {} została już wysłana w kopercie {}; nie można jej usunąć",
                           it->second.numer_nadania, it->second.envelope_id),
               guid);
    } else {
      world.shipments.erase(it);
    }
  }
  return Send(reply);
}

Response SendEnvelope(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                      const pugi::xml_node& op) {
  std::string fault;
  const auto bufor = IdBufor(account, op, fault);
  if (!bufor) return SchemaFault(fault);
  const std::string urzad_text = Text(op, "urzadNadania");
  if (!urzad_text.empty() && (!Digits(urzad_text) || urzad_text.size() > 9)) {
    return SchemaFault("urzadNadania is not an xsd:int");
  }
  auto reply = StartReply("sendEnvelope");
  int urzad = urzad_text.empty() ? 0 : std::stoi(urzad_text);
  if (urzad == 0 && account.urzedy_nadania.size() == 1) urzad = account.urzedy_nadania[0];
  if (*bufor != account.id_bufor) {
    AddError(reply->out, 1001, fmt::format("Bufor {} nie istnieje", *bufor));
  } else if (urzad == 0) {
    AddError(reply->out, 1501, "Nie wskazano urzędu nadania (konto ma ich kilka)");
  } else if (std::find(account.urzedy_nadania.begin(), account.urzedy_nadania.end(), urzad) ==
             account.urzedy_nadania.end()) {
    AddError(reply->out, 1502,
             fmt::format("Nieznany urząd nadania {}: nie jest przypisany do konta", urzad));
  } else {
    auto pending = InBufor(world, account.login);
    if (pending.empty()) {
      AddError(reply->out, 1503, "Bufor jest pusty: brak przesyłek do wysłania");
    } else {
      PocztaPolskaEnvelope e;
      e.id = world.next_envelope++;
      e.login = account.login;
      e.urzad_nadania = urzad;
      e.sent_at = Now();
      for (auto* s : pending) {
        s->envelope_id = e.id;
        e.guids.push_back(s->guid);
      }
      AddText(reply->out, "idEnvelope", std::to_string(e.id));
      AddText(reply->out, "envelopeStatus", e.status);
      AddText(reply->out, "envelopeFilename", fmt::format("koperta_{}.xml", e.id));
      world.envelopes[e.id] = std::move(e);
    }
  }
  return Send(reply);
}

PocztaPolskaEnvelope* FindEnvelope(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                                   const std::string& id) {
  if (!Digits(id) || id.size() > 9) return nullptr;
  auto it = world.envelopes.find(std::stoi(id));
  if (it == world.envelopes.end() || it->second.login != account.login) return nullptr;
  return &it->second;
}

Response GetEnvelopeStatus(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                           const pugi::xml_node& op) {
  AdvanceEnvelopes(world, Now());
  auto reply = StartReply("getEnvelopeStatus");
  const std::string id = Text(op, "idEnvelope");
  if (id.empty()) return SchemaFault("idEnvelope is required");
  if (auto* e = FindEnvelope(world, account, id)) {
    AddText(reply->out, "envelopeStatus", e->status);
  } else {
    AddError(reply->out, 1601, fmt::format("Koperta {} nie istnieje", id));
  }
  return Send(reply);
}

Response GetEnvelopeList(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                         const pugi::xml_node& op) {
  AdvanceEnvelopes(world, Now());
  const std::string start = Text(op, "startDate");
  const std::string end = Text(op, "endDate");
  if (start.size() != 10 || end.size() != 10) {
    return SchemaFault("startDate and endDate are xsd:date");
  }
  auto reply = StartReply("getEnvelopeList");
  for (const auto& [id, e] : world.envelopes) {
    const std::string day = Date(e.sent_at);
    if (e.login != account.login || day < start || day > end) continue;
    auto n = reply->out.append_child("envelopes");
    n.append_attribute("idEnvelope") = e.id;
    n.append_attribute("envelopeStatus") = e.status.c_str();
    n.append_attribute("dataTransmisji") = day.c_str();
  }
  return Send(reply);
}

Response GetEnvelopeContentShort(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                                 const pugi::xml_node& op) {
  AdvanceEnvelopes(world, Now());
  const std::string id = Text(op, "idEnvelope");
  if (id.empty()) return SchemaFault("idEnvelope is required");
  auto reply = StartReply("getEnvelopeContentShort");
  auto* e = FindEnvelope(world, account, id);
  if (!e) return Send(reply);
  for (const auto& guid : e->guids) {
    const auto& s = world.shipments.at(guid);
    auto n = reply->out.append_child("przesylka");
    if (!s.numer_nadania.empty()) n.append_attribute("numerNadania") = s.numer_nadania.c_str();
    n.append_attribute("guid") = guid.c_str();
    n.append_attribute("dataNadania") = Date(e->sent_at).c_str();
    if (s.cod_minor > 0) n.append_attribute("pobranie") = static_cast<long long>(s.cod_minor);
    n.append_attribute("status") = e->status == "PRZYJETY" ? "POTWIERDZONA" : "NOWA";
  }
  return Send(reply);
}

Response GetEpoStatus(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                      const pugi::xml_node& op) {
  const auto guids = Children(op, "guid");
  const std::string id = Text(op, "idEnvelope");
  const std::string ended = Text(op, "endedOnly");
  if (guids.empty() || guids.size() > 500) return SchemaFault("guid: 1..500 elements");
  if (id.empty() || (ended != "true" && ended != "false" && ended != "1" && ended != "0")) {
    return SchemaFault("endedOnly (xsd:boolean) and idEnvelope are required");
  }
  auto reply = StartReply("getEPOStatus");
  auto* e = FindEnvelope(world, account, id);
  if (!e) {
    AddError(reply->out, 1601, fmt::format("Koperta {} nie istnieje", id));
    return Send(reply);
  }
  const bool ended_only = ended == "true" || ended == "1";
  for (const auto& g : guids) {
    const std::string guid = g.text().get();
    auto it = world.shipments.find(guid);
    if (it == world.shipments.end() || it->second.envelope_id != e->id) {
      AddError(reply->out, 1701, fmt::format("Brak przesyłki o GUID {} w kopercie {}", guid, id),
               guid);
      continue;
    }
    const auto& s = it->second;
    if (!s.epo) {
      AddError(reply->out, 1702,
               fmt::format("Przesyłka {} nadana bez usługi EPO (elektroniczne potwierdzenie "
                           "odbioru)",
                           s.numer_nadania),
               guid);
      continue;
    }
    if (ended_only && s.epo_status != "DORECZONA" && s.epo_status != "ZWROT") continue;
    auto n = reply->out.append_child("epo");
    auto info = n.append_child("EPOInfo");
    if (s.awizo_at) {
      info.append_child("awizoPrzesylki").append_attribute("dataPierwszegoAwizowania") =
          Date(*s.awizo_at).c_str();
    }
    if (s.delivered_at) {
      auto d = info.append_child("doreczeniePrzesylki");
      d.append_attribute("data") = DateTime(*s.delivered_at).c_str();
      d.append_attribute("osobaOdbierajaca") = "ADRESAT";
    }
    if (s.returned_at) {
      auto z = info.append_child("zwrotPrzesylki");
      z.append_attribute("przyczyna") = "NIE_PODJETO_W_TERMINIE";
      z.append_attribute("data") = DateTime(*s.returned_at).c_str();
    }
    n.append_attribute("guid") = guid.c_str();
    n.append_attribute("numerNadania") = s.numer_nadania.c_str();
    n.append_attribute("statusEPO") = s.epo_status.c_str();
  }
  return Send(reply);
}

Response GetPrintForParcel(PocztaPolskaWorld& world, const PocztaPolskaAccount& account,
                           const pugi::xml_node& op, bool legacy_by_guid) {
  const auto guids = Children(op, "guid");
  if (guids.empty() || guids.size() > 500) return SchemaFault("guid: 1..500 elements");
  std::string kind = "ADDRESS_LABEL_BY_GUID", method = "EACH_PARCEL_SEPARATELY",
              format = "PDF_FORMAT", resolution = "DPI_203";
  if (!legacy_by_guid) {
    const auto type = Child(op, "type");
    if (!type) return SchemaFault("type (PrintType) is required");
    kind = Text(type, "kind");
    method = Text(type, "method");
    if (!Text(type, "format").empty()) format = Text(type, "format");
    if (!Text(type, "resolution").empty()) resolution = Text(type, "resolution");
    static constexpr std::array kKinds = {"ADDRESS_LABEL",
                                          "ADDRESS_LABEL_BY_GUID",
                                          "CUSTOMS_DECLARATION",
                                          "ADDRESS_LABEL_FOR_RETURN_DOCUMENTS",
                                          "CHECKLIST",
                                          "COLLECT_ON_DELIVERY_FORM",
                                          "WAYBILL",
                                          "REPORT",
                                          "ADDRESS_LABEL_FOR_ERETURN",
                                          "ADDRESS_LABEL_FOR_FOREGIN_RETURN"};
    if (!In(kKinds, kind))
      return SchemaFault(fmt::format("kind '{}' is not a PrintKindEnum", kind));
    if (method != "EACH_PARCEL_SEPARATELY" && method != "ALL_PARCELS_IN_ONE_FILE") {
      return SchemaFault(fmt::format("method '{}' is not a PrintMethodEnum", method));
    }
    if (format != "PDF_FORMAT" && format != "ZPL_FORMAT") {
      return SchemaFault(fmt::format("format '{}' is not a PrintFormatEnum", format));
    }
    if (resolution != "DPI_203" && resolution != "DPI_300") {
      return SchemaFault(fmt::format("resolution '{}' is not a PrintResolutionEnum", resolution));
    }
  }
  auto reply = StartReply(legacy_by_guid ? "getAddresLabelByGuid" : "getPrintForParcel");
  std::vector<std::pair<std::string, const documents::LabelData*>> labels;
  for (const auto& g : guids) {
    const std::string guid = g.text().get();
    auto it = world.shipments.find(guid);
    if (it == world.shipments.end() || it->second.login != account.login) {
      AddError(reply->out, 1801, fmt::format("Brak przesyłki o GUID {}", guid), guid);
    } else if (it->second.numer_nadania.empty()) {
      AddError(reply->out, 1802,
               fmt::format("Przesyłka {} jest nierejestrowana: nie ma nalepki adresowej", guid),
               guid);
    } else {
      labels.emplace_back(guid, &it->second.label);
    }
  }
  if (kind != "ADDRESS_LABEL" && kind != "ADDRESS_LABEL_BY_GUID") {
    AddError(reply->out, 1803, fmt::format("Wydruk {} nie jest dostępny w symulatorze", kind));
    return Send(reply);
  }
  auto render = [&](const std::vector<const documents::LabelData*>& group) -> Result<std::string> {
    if (format == "ZPL_FORMAT") {
      std::string out;
      for (const auto* l : group) {
        NADAJNIK_ASSIGN_OR_RETURN(auto zpl,
                                  documents::RenderZpl(*l, resolution == "DPI_300" ? 300 : 203));
        out += zpl;
      }
      return out;
    }
    std::vector<documents::LabelData> copies;
    for (const auto* l : group) copies.push_back(*l);
    return documents::RenderPdfA6(copies);
  };
  auto emit = [&](const std::string& guid, const std::vector<const documents::LabelData*>& group) {
    auto bytes = render(group);
    if (!bytes) {
      AddError(reply->out, 1804, "Błąd generowania wydruku: " + bytes.error().message, guid);
      return;
    }
    if (legacy_by_guid) {
      auto c = reply->out.append_child("content");
      AddText(c, "pdfContent", Base64Encode(*bytes));
      c.append_attribute("nrNadania") = group[0]->tracking_number.c_str();
      c.append_attribute("guid") = guid.c_str();
      return;
    }
    auto r = reply->out.append_child("printResult");
    if (!guid.empty()) AddText(r, "guid", guid);
    AddText(r, "print", Base64Encode(*bytes));
  };
  if (method == "ALL_PARCELS_IN_ONE_FILE" && !labels.empty()) {
    std::vector<const documents::LabelData*> all;
    for (const auto& [g, l] : labels) all.push_back(l);
    emit("", all);
  } else {
    for (const auto& [g, l] : labels) emit(g, {l});
  }
  // errors follow the results in the response's sequence
  for (auto& e : Children(reply->out, "error")) reply->out.append_move(e);
  return Send(reply);
}

Response GetPlacowkiPocztowe(PocztaPolskaWorld&, const PocztaPolskaAccount&,
                             const pugi::xml_node& op) {
  const std::string province = Text(op, "idWojewodztwo");
  if (province.size() != 2 || !Digits(province)) return SchemaFault("idWojewodztwo: 02..32");
  auto reply = StartReply("getPlacowkiPocztowe");
  for (const auto& p : kPoints) {
    if (province != p.province) continue;
    auto n = reply->out.append_child("placowka");
    if (p.max_cod > 0) AddText(n, "maksymalnaKwotaPobrania", std::to_string(p.max_cod));
    n.append_attribute("id") = p.id;
    n.append_attribute("nazwa") = p.name;
    n.append_attribute("kodPocztowy") = p.post_code;
    n.append_attribute("miejscowosc") = p.city;
    n.append_attribute("ulica") = p.street;
    n.append_attribute("numerDomu") = p.house;
    n.append_attribute("nazwaWydruk") = p.name;
  }
  return Send(reply);
}

// ---- the endpoint ---------------------------------------------------------------------------

const PocztaPolskaAccount* Authenticate(const PocztaPolskaWorld& world, const Request& req) {
  const std::string header(req.Header("Authorization").value_or(""));
  if (!header.starts_with("Basic ")) return nullptr;
  auto decoded = Base64Decode(header.substr(6));
  if (!decoded) return nullptr;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return nullptr;
  const std::string login = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  for (const auto& a : world.options.accounts) {
    if (a.login == login && a.password == password) return &a;
  }
  return nullptr;
}

Response Endpoint(PocztaPolskaWorld& world, Request& req) {
  const PocztaPolskaAccount* account = Authenticate(world, req);
  if (!account) {
    Response r = Response::Text(401, "Unauthorized: e-Nadawca WebAPI login or password is wrong");
    r.SetHeader("WWW-Authenticate", "Basic realm=\"e-Nadawca WebAPI\"");
    return r;
  }
  pugi::xml_document doc;
  if (!doc.load_buffer(req.body.data(), req.body.size())) {
    return Fault(500, "Client", "Malformed XML in the request");
  }
  const auto env = doc.document_element();
  if (LocalName(env) != "Envelope" || NamespaceOf(env, Prefix(env.name())) != kSoapNs) {
    return Fault(500, "VersionMismatch", "Not a SOAP 1.1 envelope");
  }
  pugi::xml_node op;
  for (auto c = Child(env, "Body").first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      op = c;
      break;
    }
  }
  if (!op) return Fault(500, "Client", "Empty SOAP Body");
  if (NamespaceOf(op, Prefix(op.name())) != kNs) {
    return Fault(500, "Client",
                 fmt::format("Element {} is not in namespace {}", LocalName(op), kNs));
  }
  const std::string operation(LocalName(op));
  if (operation == "hello") {
    auto reply = StartReply("hello");
    AddText(reply->out, "out", Text(op, "in"));
    return Send(reply);
  }
  if (operation == "getGuid") {
    const std::string n = Text(op, "ilosc");
    if (!Digits(n) || n.size() > 3 || std::stoi(n) < 1 || std::stoi(n) > 100) {
      return SchemaFault("ilosc: 1..100");
    }
    auto reply = StartReply("getGuid");
    static std::mt19937_64 rng(42);
    for (int i = 0; i < std::stoi(n); ++i) {
      AddText(reply->out, "guid", fmt::format("{:016X}{:016X}", rng(), rng()));
    }
    return Send(reply);
  }
  if (operation == "getUrzedyNadania") {
    auto reply = StartReply("getUrzedyNadania");
    for (int id : account->urzedy_nadania) {
      auto n = reply->out.append_child("urzedyNadania");
      n.append_attribute("urzadNadania") = id;
      n.append_attribute("opis") = fmt::format("UP Kraków {}", id % 100).c_str();
      n.append_attribute("nazwaWydruk") = fmt::format("UP Kraków {}", id % 100).c_str();
    }
    return Send(reply);
  }
  if (operation == "getPasswordExpiredDate") {
    auto reply = StartReply("getPasswordExpiredDate");
    AddText(reply->out, "dataWygasniecia", Date(Now() + std::chrono::hours(24 * 90)));
    return Send(reply);
  }
  if (operation == "addShipment") return AddShipment(world, *account, op);
  if (operation == "getEnvelopeBufor") return GetEnvelopeBufor(world, *account, op);
  if (operation == "clearEnvelope") return ClearEnvelope(world, *account, op);
  if (operation == "clearEnvelopeByGuids") return ClearEnvelopeByGuids(world, *account, op);
  if (operation == "sendEnvelope") return SendEnvelope(world, *account, op);
  if (operation == "getEnvelopeStatus") return GetEnvelopeStatus(world, *account, op);
  if (operation == "getEnvelopeList") return GetEnvelopeList(world, *account, op);
  if (operation == "getEnvelopeContentShort") return GetEnvelopeContentShort(world, *account, op);
  if (operation == "getEPOStatus") return GetEpoStatus(world, *account, op);
  if (operation == "getPrintForParcel") return GetPrintForParcel(world, *account, op, false);
  if (operation == "getAddresLabelByGuid") return GetPrintForParcel(world, *account, op, true);
  if (operation == "getPlacowkiPocztowe") return GetPlacowkiPocztowe(world, *account, op);
  return Fault(500, "Client",
               fmt::format("Operation {} is not implemented by the sandbox", operation));
}

// ---- admin ----------------------------------------------------------------------------------

Response Json(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}
Response AdminBad(std::string message) {
  return Json(400, json::object{{"error", std::move(message)}});
}

json::object ShipmentJson(const PocztaPolskaShipment& s) {
  return json::object{
      {"guid", s.guid},   {"numerNadania", s.numer_nadania}, {"type", s.type},
      {"login", s.login}, {"idEnvelope", s.envelope_id},     {"statusEPO", s.epo_status}};
}

Response AdminAccept(PocztaPolskaWorld& world, Request& req) {
  const std::string id = req.PathParam("id").value_or("");
  if (!Digits(id) || id.size() > 9 || !world.envelopes.count(std::stoi(id))) {
    return Json(404, json::object{{"error", "no such envelope"}});
  }
  auto& e = world.envelopes.at(std::stoi(id));
  e.status = "PRZYJETY";
  return Json(200, json::object{{"idEnvelope", e.id}, {"envelopeStatus", e.status}});
}

Response AdminAdvance(PocztaPolskaWorld& world, Request& req) {
  const std::string number = req.PathParam("number").value_or("");
  PocztaPolskaShipment* s = nullptr;
  for (auto& [g, x] : world.shipments) {
    if (!x.numer_nadania.empty() && x.numer_nadania == number) s = &x;
  }
  if (!s) return Json(404, json::object{{"error", "no such shipment"}});
  if (s->envelope_id == 0) return AdminBad("the shipment is still in the bufor: send its envelope");
  boost::system::error_code ec;
  auto body =
      json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), ec);
  std::string next;
  if (!ec && body.is_object()) {
    if (auto* v = body.get_object().if_contains("status"); v && v->is_string()) {
      next = std::string(v->get_string());
    }
  }
  if (next.empty()) {
    auto it = std::find_if(kJourney.begin(), kJourney.end(),
                           [&](const char* x) { return s->epo_status == x; });
    if (it == kJourney.end()) {
      next = kJourney.front();
    } else if (std::next(it) != kJourney.end()) {
      next = *std::next(it);
    } else {
      return AdminBad(fmt::format("'{}' is the end of the journey: name a status", s->epo_status));
    }
  } else if (!In(kEpoStatuses, next)) {
    return AdminBad(fmt::format("'{}' is not a statusEPOEnum value", TruncateUtf8(next, 40)));
  }
  const Timestamp now = Now();
  s->epo_status = next;
  if (next == "AWIZO" || next == "PONOWNE_AWIZO") s->awizo_at = s->awizo_at.value_or(now);
  if (next == "DORECZONA") s->delivered_at = now;
  if (next == "ZWROT") s->returned_at = now;
  return Json(200, ShipmentJson(*s));
}

Response AdminList(PocztaPolskaWorld& world, Request&) {
  json::array items;
  for (const auto& [g, s] : world.shipments) items.push_back(ShipmentJson(s));
  json::array envelopes;
  AdvanceEnvelopes(world, Now());
  for (const auto& [id, e] : world.envelopes) {
    envelopes.push_back(json::object{{"idEnvelope", id}, {"envelopeStatus", e.status}});
  }
  return Json(200, json::object{{"items", std::move(items)}, {"envelopes", std::move(envelopes)}});
}

json::array ActiveScenarios(const PocztaPolskaWorld& world) {
  json::array out;
  const auto& f = world.faults;
  if (f.server_error_every > 0) {
    out.push_back(json::object{{"name", "server-errors"},
                               {"every", f.server_error_every},
                               {"burst", f.server_error_burst}});
  }
  if (f.slow.count() > 0)
    out.push_back(json::object{{"name", "slow"}, {"delayMs", f.slow.count()}});
  return out;
}

Response AdminPostScenario(PocztaPolskaWorld& world, Request& req) {
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  if (ec || !body.is_object()) return AdminBad("send {\"name\": \"server-errors\", \"on\": true}");
  const auto& o = body.get_object();
  const auto* name = o.if_contains("name");
  const auto* on = o.if_contains("on");
  auto set = SetPocztaPolskaScenario(
      world, name && name->is_string() ? std::string_view(name->get_string()) : "",
      !on || !on->is_bool() || on->get_bool(), o);
  if (!set) return AdminBad(set.error().message);
  return Json(200, json::object{{"active", ActiveScenarios(world)}});
}

Response AdminGetScenarios(PocztaPolskaWorld& world, Request&) {
  json::array known;
  for (const auto& [name, description] : PocztaPolskaScenarios()) {
    known.push_back(json::object{{"name", name}, {"description", description}});
  }
  return Json(200, json::object{{"active", ActiveScenarios(world)}, {"known", std::move(known)}});
}

std::int64_t Param(const json::object& params, std::string_view key, std::int64_t fallback,
                   std::int64_t min, std::int64_t max) {
  const auto* v = params.if_contains(key);
  if (!v || !v->is_int64()) return fallback;
  return std::clamp(v->get_int64(), min, max);
}

}  // namespace

PocztaPolskaWorld::PocztaPolskaWorld(PocztaPolskaOptions o) : options(std::move(o)) {
  for (const auto& name : options.scenarios) (void)SetPocztaPolskaScenario(*this, name, true);
}

const std::vector<std::pair<std::string_view, std::string_view>>& PocztaPolskaScenarios() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kScenarios = {
      {"server-errors",
       "SOAP Server faults with HTTP 500 (every 20th call starts a burst of 3: every, burst)"},
      {"slow", "e-Nadawca answers take 1.5 s (delayMs)"},
  };
  return kScenarios;
}

Result<void> SetPocztaPolskaScenario(PocztaPolskaWorld& world, std::string_view name, bool on,
                                     const json::object& params) {
  auto& f = world.faults;
  if (name == "server-errors") {
    f.server_error_every = on ? static_cast<int>(Param(params, "every", 20, 1, 1000000)) : 0;
    f.server_error_burst = on ? static_cast<int>(Param(params, "burst", 3, 1, 1000)) : 0;
  } else if (name == "slow") {
    f.slow = std::chrono::milliseconds(on ? Param(params, "delayMs", 1500, 1, 120000) : 0);
  } else {
    std::string known;
    for (const auto& [n, d] : PocztaPolskaScenarios()) {
      known += (known.empty() ? "" : ", ") + std::string(n);
    }
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("unknown Poczta Polska scenario '{}'; known: {}",
                            TruncateUtf8(name, 64), known));
  }
  f.requests = 0;
  return Ok();
}

PocztaPolskaFaultDecision PocztaPolskaBeforeRequest(PocztaPolskaWorld& world,
                                                    const Request& request) {
  PocztaPolskaFaultDecision decision;
  if (!request.path.starts_with(std::string(kPrefix) + "/")) return decision;
  auto& f = world.faults;
  ++f.requests;
  if (f.server_error_every > 0 && f.requests >= f.server_error_every &&
      f.requests % f.server_error_every < f.server_error_burst) {
    decision.response = Fault(500, "Server", "Wewnętrzny błąd serwera e-Nadawca");
    return decision;
  }
  decision.delay = f.slow;
  return decision;
}

void RegisterPocztaPolskaRoutes(http::Router& router, PocztaPolskaWorld& world) {
  using Fn = Response (*)(PocztaPolskaWorld&, Request&);
  auto locked = [&world](Fn fn) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      return fn(world, req);
    };
  };
  router.Post(std::string(kPrefix) + "/websrv/en.php", locked(Endpoint));
  router.Post("/__sandbox/poczta-polska/envelopes/{id}/accept", locked(AdminAccept));
  router.Post("/__sandbox/poczta-polska/shipments/{number}/advance", locked(AdminAdvance));
  router.Get("/__sandbox/poczta-polska/shipments", locked(AdminList));
  router.Post("/__sandbox/poczta-polska/scenarios", locked(AdminPostScenario));
  router.Get("/__sandbox/poczta-polska/scenarios", locked(AdminGetScenarios));
}

}  // namespace nadajnik::sandbox::poczta_polska
