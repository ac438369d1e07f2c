#include "sandbox/orlen/simulator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/text.hpp"
#include "documents/labels.hpp"
#include "sandbox/allegro/generator.hpp"

namespace nadajnik::sandbox::orlen {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kPrefix = "/orlen";
constexpr std::string_view kNs = "https://91.242.220.103/WebServicePwR";

// ---- the points ------------------------------------------------------------------------------

struct Point {
  std::string code;
  std::string type;  // APM, PKN, PPP, PPK
  std::string city;
  std::string zipcode;
  std::string street;
  std::string building;
  std::string province;
  bool available = true;
  bool cod = true;
  double lat = 0;
  double lng = 0;
};

// The seeded points: the ones GiveMeAllLocationWithAllDataWithZipCode lists.
const std::vector<Point>& SeededPoints() {
  static const std::vector<Point> kPoints = {
      {"WA-116263-K1-02", "APM", "Warszawa", "00-695", "Nowogrodzka", "31", "mazowieckie", true,
       true, 52.2283, 21.0107},
      {"WA-117001-S1-04", "PKN", "Warszawa", "02-001", "Aleje Jerozolimskie", "100", "mazowieckie",
       false, true, 52.2250, 20.9960},
      {"KL-895926-J2-55", "PKN", "Kalisz", "62-800", "Górnośląska", "60", "wielkopolskie", true,
       true, 51.7508, 18.0716},
      {"KR-203344-A1-01", "APM", "Kraków", "30-624", "Malborska", "130", "małopolskie", true, true,
       50.0275, 19.9869},
      {"PO-310512-P1-03", "PPP", "Poznań", "61-888", "Półwiejska", "2", "wielkopolskie", true,
       false, 52.4019, 16.9251},
      {"GD-402288-K2-07", "APM", "Gdańsk", "80-001", "Grunwaldzka", "82", "pomorskie", true, true,
       54.3789, 18.6070},
      {"WR-505050-B3-11", "APM", "Wrocław", "50-001", "Świdnicka", "8", "dolnośląskie", true, true,
       51.1079, 17.0325},
      {"LO-606061-K1-09", "PKN", "Łódź", "90-001", "Piotrkowska", "120", "łódzkie", true, true,
       51.7592, 19.4560},
  };
  return kPoints;
}

// By the 6-digit PSD in the middle: any RR-PPPPPP-XX-NN code, "XX-116263-00-00" included, is
// completed from it (section 4.5). Besides the seeded points, every point the Allegro simulator
// hands its buyers (allegro::FindGeneratedOrlenPoint) is known, as ORLEN knows every point Allegro
// offers: a parcel machine, available, with COD, its code made from its city's code and the PSD.
// A bare PSD without the RR-...-XX-NN frame is not a DestinationCode the reference names.
std::optional<Point> FindPoint(std::string_view code) {
  if (code.size() != 15 || code[2] != '-' || code[9] != '-' || code[12] != '-') return std::nullopt;
  const std::string_view psd = code.substr(3, 6);
  for (const auto& p : SeededPoints()) {
    if (std::string_view(p.code).substr(3, 6) == psd) return p;
  }
  auto generated = allegro::FindGeneratedOrlenPoint(psd);
  if (!generated) return std::nullopt;
  Point p;
  p.code = fmt::format("{}-{}-A1-{:02d}", generated->city_code.substr(0, 2), generated->psd,
                       std::stoi(generated->psd) % 99 + 1);
  p.type = "APM";
  p.city = generated->city;
  p.zipcode = generated->postal_code;
  p.street = "Główna";
  p.building = "1";
  p.lat = 52.0;
  p.lng = 19.0;
  return p;
}

std::string Psd(const Point& p) { return p.code.substr(3, 6); }

// Section 4.5, in its order; the descriptions are the reference's.
const std::vector<std::pair<std::string_view, std::string_view>>& TransCodes() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kCodes = {
      {"100", "in regional sorting plant"},
      {"110", "in transport to sorting centre"},
      {"200", "registered (advised) by sender"},
      {"201", "cancelled"},
      {"210", "posted at point"},
      {"230", "in transport from point"},
      {"240", "in transit"},
      {"300", "in central sorting plant"},
      {"400", "central sorting"},
      {"450", "in transport to expedition"},
      {"653", "at expedition"},
      {"680", "in transport to destination point"},
      {"690", "at destination point (ready for pickup)"},
      {"695", "at point, SMS sent"},
      {"700", "expired (not collected)"},
      {"709", "return - not collected in time"},
      {"729", "return - wrong point"},
      {"749", "complaint"},
      {"790", "return to expedition"},
      {"800", "return to sorting"},
      {"900", "return to sender"},
      {"1000", "received by customer"},
      {"1100", "received"},
      {"888", "archived"},
  };
  return kCodes;
}

std::string_view TransDescription(std::string_view trans) {
  for (const auto& [k, v] : TransCodes()) {
    if (k == trans) return v;
  }
  return {};
}

constexpr std::array kJourney = {"210", "230", "300", "400", "450",
                                 "653", "680", "690", "695", "1000"};

// ---- XML helpers -----------------------------------------------------------------------------

std::string Esc(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\n') ? ' ' : c;
    }
  }
  return out;
}

std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& n, std::string_view local) {
  for (auto c : n.children()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  }
  return {};
}

std::string Text(const pugi::xml_node& n, std::string_view local) {
  std::string s = Child(n, local).text().get();
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// The namespace in scope for an element (its own xmlns or an ancestor's, for its prefix).
std::string NamespaceOf(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  const std::string attr =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  for (auto p = n; p; p = p.parent()) {
    if (auto a = p.attribute(attr.c_str())) return a.value();
  }
  return {};
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Timestamp Now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// .NET DataSet xs:dateTime in Warsaw time: "2026-11-25T18:40:00.123+01:00".
std::string WireTime(Timestamp t) {
  const auto offset = UtcOffset(t);
  const auto local = t + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::milliseconds>(local - day)};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}{}{:02d}:{:02d}",
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count(), hms.subseconds().count(), minutes < 0 ? '-' : '+',
                     std::abs(minutes) / 60, std::abs(minutes) % 60);
}

Response Xml(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.SetHeader("Content-Type", "text/xml; charset=utf-8");
  return r;
}

std::string Envelope(std::string_view inner) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body>{}</soap:Body></soap:Envelope>",
      inner);
}

Response Fault(std::string_view code, std::string_view text) {
  return Xml(500, Envelope(fmt::format("<soap:Fault><faultcode>{}</faultcode><faultstring>{}"
                                       "</faultstring><detail /></soap:Fault>",
                                       code, Esc(text))));
}

// <OpResponse xmlns=ns><OpResult>result</OpResult>extra</OpResponse>
Response Answer(std::string_view op, std::string_view result, std::string_view extra = {}) {
  return Xml(200, Envelope(fmt::format("<{0}Response xmlns=\"{1}\"><{0}Result>{2}</{0}Result>{3}"
                                       "</{0}Response>",
                                       op, kNs, result, extra)));
}

std::string ErrRow(std::string_view err, std::string_view description) {
  return fmt::format("<Err>{}</Err><ErrDes>{}</ErrDes>", err, Esc(description));
}

// A .NET DataSet as ASP.NET serializes it: an inline schema and a diffgram of <Table> rows.
std::string DataSet(const std::vector<std::string>& rows, std::string_view table = "Table") {
  std::string out =
      "<xs:schema id=\"NewDataSet\" xmlns=\"\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
      "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\"><xs:element name=\"NewDataSet\" "
      "msdata:IsDataSet=\"true\" msdata:UseCurrentLocale=\"true\"/></xs:schema>"
      "<diffgr:diffgram xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\" "
      "xmlns:diffgr=\"urn:schemas-microsoft-com:xml-diffgram-v1\"><NewDataSet xmlns=\"\">";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += fmt::format("<{0} diffgr:id=\"{0}{1}\" msdata:rowOrder=\"{2}\">{3}</{0}>", table, i + 1,
                       i, rows[i]);
  }
  out += "</NewDataSet></diffgr:diffgram>";
  return out;
}

// ---- requests --------------------------------------------------------------------------------

struct Call {
  std::string op;
  pugi::xml_node node;  // the operation element
};

const OrlenPartner* Authorize(const OrlenWorld& world, const pugi::xml_node& op) {
  const std::string id = Text(op, "PartnerID");
  const std::string key = Text(op, "PartnerKey");
  for (const auto& p : world.options.partners) {
    if (p.id == id && p.key == key) return &p;
  }
  return nullptr;
}

Response BadCredentials(std::string_view op) {
  return Answer(op, ErrRow("100", "Nieprawidłowy PartnerID lub PartnerKey"));
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string PlAmount(std::int64_t minor) {
  return fmt::format("{},{:02d} zł", minor / 100, minor % 100);
}

std::vector<std::string> PartyLines(const std::map<std::string, std::string>& f,
                                    std::string_view prefix) {
  auto get = [&](std::string_view name) {
    auto it = f.find(std::string(prefix) + std::string(name));
    return it == f.end() ? std::string() : it->second;
  };
  std::vector<std::string> lines;
  std::string person = get("FirstName");
  if (!get("LastName").empty()) person += (person.empty() ? "" : " ") + get("LastName");
  std::string name = get("CompanyName");
  if (!person.empty()) name = name.empty() ? person : name + ", " + person;
  if (!name.empty()) lines.push_back(name);
  if (!get("StreetName").empty()) {
    std::string street = get("StreetName") + " " + get("BuildingNumber");
    if (!get("FlatNumber").empty()) street += "/" + get("FlatNumber");
    lines.push_back(street);
  }
  if (!get("City").empty()) lines.push_back(get("PostCode") + " " + get("City"));
  if (!get("PhoneNumber").empty()) lines.push_back("tel. " + get("PhoneNumber"));
  return lines;
}

documents::LabelData LabelOf(const OrlenPack& p) {
  documents::LabelData l;
  l.carrier = "ORLEN Paczka";
  auto get = [&](std::string_view name) {
    auto it = p.fields.find(std::string(name));
    return it == p.fields.end() ? std::string() : it->second;
  };
  l.service = fmt::format("Paczka do punktu, gabaryt {}", get("BoxSize"));
  l.tracking_number = p.code;
  l.reference = get("SenderOrders");
  l.sender = PartyLines(p.fields, "Sender");
  l.receiver = PartyLines(p.fields, "");
  l.target_point = p.destination_code;
  if (get("CashOnDelivery") == "T" && IsDigits(get("AmountCashOnDelivery"))) {
    l.cash_on_delivery = PlAmount(std::stoll(get("AmountCashOnDelivery")));
  }
  return l;
}

std::string RenderEpl(const std::vector<documents::LabelData>& labels) {
  std::string out;
  for (const auto& l : labels) {
    out += "N\nq812\nQ1218,24\n";
    out += fmt::format("A40,40,0,4,1,1,N,\"ORLEN Paczka {}\"\n", l.target_point);
    out += fmt::format("B40,120,0,1,3,6,200,B,\"{}\"\n", l.tracking_number);
    out += "P1\n";
  }
  return out;
}

bool KnownFormat(std::string_view f) {
  return f == "PDF" || f == "PDF10" || f == "ZPL" || f == "ZPL_300DPI" || f == "EPL";
}

std::string UnknownFormat(std::string_view f) {
  return fmt::format(
      "Nieznany format etykiety (Format): {}. Dozwolone: PDF, PDF10, EPL, ZPL, ZPL_300DPI",
      TruncateUtf8(f, 20));
}

// The label document of `packs` in a KnownFormat.
Result<std::string> RenderLabels(const std::vector<const OrlenPack*>& packs,
                                 std::string_view format) {
  std::vector<documents::LabelData> labels;
  for (const auto* p : packs) labels.push_back(LabelOf(*p));
  if (format == "PDF" || format == "PDF10") {
    // PDF10 is 10 x 15 cm at ORLEN; the in-house renderer draws A6, the nearest size it has.
    NADAJNIK_ASSIGN_OR_RETURN(auto pdf, documents::RenderPdfA6(labels));
    if (format == "PDF") return documents::FourUpA4(pdf);
    return pdf;
  }
  if (format == "ZPL" || format == "ZPL_300DPI") {
    std::string zpl;
    for (const auto& l : labels) {
      NADAJNIK_ASSIGN_OR_RETURN(auto one, documents::RenderZpl(l, format == "ZPL" ? 203 : 300));
      zpl += one;
    }
    return zpl;
  }
  return RenderEpl(labels);
}

// One BusinessPack checked as the service would: the Err row and, when saved, the pack.
struct PackOutcome {
  std::string err = "000";
  std::string description = "saved";
  std::string destination;
  Point point;
};

PackOutcome CheckPack(const OrlenWorld& world, const std::map<std::string, std::string>& f,
                      bool auto_change) {
  auto get = [&](std::string_view name) {
    auto it = f.find(std::string(name));
    return it == f.end() ? std::string() : it->second;
  };
  auto fail = [](std::string err, std::string description) {
    PackOutcome o;
    o.err = std::move(err);
    o.description = std::move(description);
    return o;
  };
  static const std::regex kPostCode(R"(\d{2}-\d{3})");
  static const std::regex kPhone(R"([1-9]\d{8})");
  PackOutcome out;
  const std::string code = get("DestinationCode");
  if (code.empty()) return fail("104", "Brak kodu punktu docelowego (DestinationCode)");
  const std::optional<Point> point = FindPoint(code);
  if (!point) {
    return fail("105", fmt::format("Punkt docelowy {} nie istnieje (DestinationCode)",
                                   TruncateUtf8(code, 30)));
  }
  out.point = *point;
  if (!point->available) {
    if (!auto_change) {
      return fail("107",
                  fmt::format("Punkt docelowy {} jest niedostępny (DestinationCode)", point->code));
    }
    const Point* substitute = &SeededPoints().front();
    for (const auto& p : SeededPoints()) {
      if (p.available && p.city == point->city) {
        substitute = &p;
        break;
      }
    }
    out.point = *substitute;
    out.err = "006";
    out.description =
        fmt::format("saved; destination changed from {} to {}", point->code, substitute->code);
  }
  out.destination = out.point.code;
  const std::string box = get("BoxSize");
  if (box != "S" && box != "M" && box != "L") {
    return fail("109", fmt::format("Nieprawidłowy gabaryt (BoxSize): '{}'. Dozwolone: S, M, L",
                                   TruncateUtf8(box, 10)));
  }
  if (!std::regex_match(get("PhoneNumber"), kPhone)) {
    return fail("108", fmt::format("Nieprawidłowy numer telefonu odbiorcy (PhoneNumber): '{}'",
                                   TruncateUtf8(get("PhoneNumber"), 20)));
  }
  for (const auto* field : {"PostCode", "SenderPostCode", "ReturnPostCode"}) {
    const std::string value = get(field);
    if (!value.empty() && !std::regex_match(value, kPostCode)) {
      return fail("112", fmt::format("Nieprawidłowy kod pocztowy ({}): '{}'", field,
                                     TruncateUtf8(value, 20)));
    }
  }
  for (const auto* field : {"PackValue", "AmountCashOnDelivery"}) {
    const std::string value = get(field);
    if (!value.empty() && (!IsDigits(value) || value.size() > 9)) {
      return fail("122", fmt::format("Kwota {} musi być liczbą całkowitą w groszach: '{}'", field,
                                     TruncateUtf8(value, 20)));
    }
  }
  if (get("CashOnDelivery") == "T") {
    const std::string amount = get("AmountCashOnDelivery");
    const std::int64_t minor = amount.empty() ? 0 : std::stoll(amount);
    if (minor <= 0) {
      return fail("120", "Brak kwoty pobrania (AmountCashOnDelivery)");
    }
    if (minor > world.options.max_cod_minor) {
      return fail("120", fmt::format("Kwota pobrania {} przekracza limit {} (AmountCashOnDelivery)",
                                     PlAmount(minor), PlAmount(world.options.max_cod_minor)));
    }
    if (!out.point.cod) {
      return fail("121",
                  fmt::format("Punkt {} nie obsługuje pobrań (CashOnDelivery)", out.point.code));
    }
  }
  if (get("ConfirmTermsOfUse") != "T") {
    return fail("115", "Brak akceptacji regulaminu (ConfirmTermsOfUse)");
  }
  return out;
}

std::map<std::string, std::string> Fields(const pugi::xml_node& pack) {
  std::map<std::string, std::string> f;
  for (auto c : pack.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string v = c.text().get();
    auto first = v.find_first_not_of(" \t\r\n");
    f[std::string(LocalName(c))] = first == std::string::npos
                                       ? ""
                                       : v.substr(first, v.find_last_not_of(" \t\r\n") - first + 1);
  }
  return f;
}

std::string NewPackCode(OrlenWorld& world) {
  // 13 digits like the reference's 2100012345678; the last is a check digit (mod 10, weights
  // 3/1), which ORLEN may or may not use: the reference does not say.
  std::string base = fmt::format("210001{:06d}", world.next_pack++ % 1000000);
  int sum = 0;
  for (std::size_t i = 0; i < base.size(); ++i) sum += (base[i] - '0') * (i % 2 == 0 ? 1 : 3);
  return base + std::to_string((10 - sum % 10) % 10);
}

Response GenerateListTwo(OrlenWorld& world, const Call& call) {
  const auto* partner = Authorize(world, call.node);
  if (!partner) return BadCredentials(call.op);
  std::string format = Text(call.node, "Format");
  if (format.empty()) format = "PDF";
  const bool auto_change = Text(call.node, "AutoDestinationChange") == "T";
  std::vector<pugi::xml_node> packs;
  for (auto c : Child(call.node, "BusinessPackList").children()) {
    if (c.type() == pugi::node_element && LocalName(c) == "BusinessPack") packs.push_back(c);
  }
  if (packs.empty()) return Answer(call.op, ErrRow("104", "Brak paczek (BusinessPackList)"));
  if (packs.size() > 100) {
    return Answer(call.op, ErrRow("101", "Za dużo paczek w jednym wywołaniu (maksymalnie 100)"));
  }
  if (!KnownFormat(format)) return Answer(call.op, ErrRow("110", UnknownFormat(format)));
  std::vector<std::string> rows;
  std::vector<const OrlenPack*> saved;
  const Timestamp now = Now();
  for (const auto& node : packs) {
    auto fields = Fields(node);
    PackOutcome o = CheckPack(world, fields, auto_change);
    if (o.err != "000" && o.err != "006") {
      rows.push_back(ErrRow(o.err, o.description));
      continue;
    }
    OrlenPack p;
    p.code = NewPackCode(world);
    p.partner_id = partner->id;
    p.destination_code = o.destination;
    p.fields = std::move(fields);
    p.history.push_back({"200", "", now});
    const std::string box = p.fields["BoxSize"];
    const int price = box == "S" ? 999 : box == "M" ? 1199 : 1399;  // made up, grosze
    rows.push_back(ErrRow(o.err, o.description) +
                   fmt::format("<PackCode_RUCH>{}</PackCode_RUCH><DestinationCode>{}"
                               "</DestinationCode><DestinationId>{}</DestinationId><PackPrice>{}"
                               "</PackPrice><PackPaid>true</PackPaid>",
                               p.code, o.destination, Psd(o.point), price));
    auto [it, inserted] = world.packs.emplace(p.code, std::move(p));
    saved.push_back(&it->second);
  }
  std::string label;
  if (!saved.empty()) {
    auto document = RenderLabels(saved, format);
    if (!document)
      return Fault("soap:Server", "Label generation failed: " + document.error().message);
    label = fmt::format("<LabelData>{}</LabelData>", Base64(*document));
  }
  const std::string result = rows.size() == 1 ? rows[0] : DataSet(rows);
  return Answer(call.op, result, label);
}

Response LabelDuplicate(OrlenWorld& world, const Call& call) {
  const auto* partner = Authorize(world, call.node);
  if (!partner) return BadCredentials(call.op);
  std::vector<const OrlenPack*> packs;
  for (auto c : Child(call.node, "PackCodeList").children()) {
    if (c.type() != pugi::node_element) continue;
    const std::string code = c.text().get();
    auto it = world.packs.find(code);
    if (it == world.packs.end() || it->second.partner_id != partner->id ||
        it->second.history.back().trans == "201") {
      return Answer(call.op, ErrRow("106", fmt::format("Nie znaleziono paczki {} lub została "
                                                       "anulowana",
                                                       TruncateUtf8(code, 20))));
    }
    packs.push_back(&it->second);
  }
  if (packs.empty()) return Answer(call.op, ErrRow("106", "Brak kodów paczek (PackCodeList)"));
  if (packs.size() > 50) {
    return Answer(call.op, ErrRow("101", "Maksymalnie 50 paczek w jednym wydruku"));
  }
  std::string format = Text(call.node, "Format");
  if (format.empty()) format = "PDF";
  if (!KnownFormat(format)) return Answer(call.op, ErrRow("110", UnknownFormat(format)));
  auto document = RenderLabels(packs, format);
  if (!document) {
    return Fault("soap:Server", "Label generation failed: " + document.error().message);
  }
  return Answer(call.op, ErrRow("000", "OK"),
                fmt::format("<LabelData>{}</LabelData>", Base64(*document)));
}

Response Cancel(OrlenWorld& world, const Call& call) {
  const auto* partner = Authorize(world, call.node);
  if (!partner) return BadCredentials(call.op);
  const std::string code = Text(call.node, "PackCode");
  auto it = world.packs.find(code);
  if (it == world.packs.end() || it->second.partner_id != partner->id) {
    return Answer(call.op,
                  ErrRow("106", fmt::format("Nie znaleziono paczki {}", TruncateUtf8(code, 20))));
  }
  auto& p = it->second;
  const std::string last = p.history.back().trans;
  if (last == "201") return Answer(call.op, ErrRow("000", "Paczka była już anulowana"));
  if (last != "200") {
    return Answer(call.op, ErrRow("210", fmt::format("Paczka {} została już nadana i nie może być "
                                                     "anulowana",
                                                     code)));
  }
  p.history.push_back({"201", "", Now()});
  return Answer(call.op, ErrRow("000", "Anulowano"));
}

Response History(OrlenWorld& world, const Call& call) {
  const auto* partner = Authorize(world, call.node);
  if (!partner) return BadCredentials(call.op);
  std::vector<std::string> codes;
  for (auto c : Child(call.node, "PackCodes").children()) {
    if (c.type() == pugi::node_element) codes.push_back(c.text().get());
  }
  if (codes.size() > 1000) {
    return Answer(call.op, ErrRow("101", "Maksymalnie 1000 paczek w jednym zapytaniu"));
  }
  std::vector<std::string> rows;
  for (const auto& code : codes) {
    auto it = world.packs.find(code);
    if (it == world.packs.end() || it->second.partner_id != partner->id) continue;
    for (const auto& e : it->second.history) {
      std::string row = fmt::format(
          "<PackCode>{}</PackCode><Trans>{}</Trans><Trans_Des>{}</Trans_Des><Data>{}</Data>",
          Esc(code), e.trans, TransDescription(e.trans), WireTime(e.at));
      if (!e.attribute.empty()) row += fmt::format("<Attribute>{}</Attribute>", Esc(e.attribute));
      rows.push_back(std::move(row));
    }
  }
  return Answer(call.op, DataSet(rows));
}

Response Points(OrlenWorld&, const Call& call) {
  std::vector<std::string> rows;
  for (const auto& p : SeededPoints()) {
    rows.push_back(fmt::format(
        "<DestinationCode>{}</DestinationCode><StreetName>{}</StreetName><BuildingNumber>{}"
        "</BuildingNumber><City>{}</City><Zipcode>{}</Zipcode><Province>{}</Province><District>{}"
        "</District><Latitude>{:.5f}</Latitude><Longitude>{:.5f}</Longitude><OpeningHours>"
        "pn-nd 00:00-24:00</OpeningHours><Location>{}</Location><PSD>{}</PSD><Available>{}"
        "</Available><PointType>{}</PointType><CashOnDelivery>{}</CashOnDelivery>",
        p.code, Esc(p.street), p.building, Esc(p.city), p.zipcode, Esc(p.province), Esc(p.city),
        p.lat, p.lng, p.type == "APM" ? "Automat paczkowy" : "Punkt odbioru", Psd(p),
        p.available ? "T" : "N", p.type, p.cod ? "T" : "N"));
  }
  return Answer(call.op, DataSet(rows));
}

Response Dispatch(OrlenWorld& world, Request& req) {
  pugi::xml_document doc;
  if (!doc.load_buffer(req.body.data(), req.body.size())) {
    return Fault("soap:Client",
                 "Server was unable to read request. There is an error in XML "
                 "document.");
  }
  auto envelope = doc.document_element();
  auto body =
      envelope && LocalName(envelope) == "Envelope" ? Child(envelope, "Body") : pugi::xml_node();
  pugi::xml_node op;
  for (auto c : body.children()) {
    if (c.type() == pugi::node_element) {
      op = c;
      break;
    }
  }
  if (!op) return Fault("soap:Client", "Server was unable to read request: no SOAP body.");
  std::string action(req.Header("SOAPAction").value_or(""));
  if (action.size() >= 2 && action.front() == '"' && action.back() == '"') {
    action = action.substr(1, action.size() - 2);
  }
  const std::string name(LocalName(op));
  if (action != std::string(kNs) + "/" + name) {
    return Fault("soap:Client", fmt::format("Server did not recognize the value of HTTP Header "
                                            "SOAPAction: {}.",
                                            TruncateUtf8(action, 100)));
  }
  if (NamespaceOf(op) != kNs) {
    return Fault("soap:Client", fmt::format("The operation element {} is not in namespace {}.",
                                            TruncateUtf8(name, 60), kNs));
  }
  const Call call{name, op};
  if (name == "GenerateLabelBusinessPackListTwo") return GenerateListTwo(world, call);
  if (name == "LabelPrintDuplicateListTwo") return LabelDuplicate(world, call);
  if (name == "PutCustomerPackCanceled") return Cancel(world, call);
  if (name == "GiveMePackStatusFullHistoryList") return History(world, call);
  if (name == "GiveMeAllLocationWithAllDataWithZipCode") return Points(world, call);
  return Fault("soap:Client", fmt::format("Server did not recognize the value of HTTP Header "
                                          "SOAPAction: {}.",
                                          TruncateUtf8(action, 100)));
}

// ---- admin -----------------------------------------------------------------------------------

Response AdminJson(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}

json::object PackJson(const OrlenPack& p) {
  json::array history;
  for (const auto& e : p.history) {
    history.push_back(
        json::object{{"trans", e.trans}, {"attribute", e.attribute}, {"at", WireTime(e.at)}});
  }
  return json::object{{"packCode", p.code},
                      {"partnerId", p.partner_id},
                      {"destinationCode", p.destination_code},
                      {"trans", p.history.back().trans},
                      {"history", std::move(history)}};
}

Response AdminAdvance(OrlenWorld& world, Request& req) {
  auto it = world.packs.find(req.PathParam("code").value_or(""));
  if (it == world.packs.end()) {
    return AdminJson(404, json::object{{"error", "no such pack"}});
  }
  auto& p = it->second;
  std::string trans, attribute;
  if (!req.body.empty()) {
    boost::system::error_code ec;
    auto body = json::parse(req.body, ec);
    if (ec || !body.is_object()) {
      return AdminJson(400, json::object{{"error", "send {\"trans\"?: \"690\", \"attribute\"?}"}});
    }
    if (const auto* t = body.get_object().if_contains("trans"); t && t->is_string()) {
      trans = std::string(t->get_string());
    }
    if (const auto* a = body.get_object().if_contains("attribute"); a && a->is_string()) {
      attribute = std::string(a->get_string());
    }
  }
  if (trans.empty()) {
    const std::string last = p.history.back().trans;
    if (last == "201") return AdminJson(409, json::object{{"error", "the pack is cancelled"}});
    auto pos = std::find(kJourney.begin(), kJourney.end(), last);
    if (last == "200") {
      trans = kJourney.front();
    } else if (pos == kJourney.end() || pos + 1 == kJourney.end()) {
      return AdminJson(409, json::object{{"error", "the pack's journey is over; name a trans"}});
    } else {
      trans = *(pos + 1);
    }
  } else if (TransDescription(trans).empty()) {
    return AdminJson(400, json::object{{"error", "unknown trans code (section 4.5)"}});
  }
  p.history.push_back({trans, attribute, Now()});
  return AdminJson(200, PackJson(p));
}

Response AdminList(OrlenWorld& world, Request&) {
  json::array items;
  for (const auto& [code, p] : world.packs) items.push_back(PackJson(p));
  return AdminJson(200, json::object{{"items", std::move(items)}});
}

json::array ActiveScenarios(const OrlenWorld& world) {
  json::array out;
  if (world.faults.server_error_every > 0) {
    out.push_back(json::object{{"name", "server-errors"},
                               {"every", world.faults.server_error_every},
                               {"burst", world.faults.server_error_burst}});
  }
  if (world.faults.slow.count() > 0) {
    out.push_back(json::object{{"name", "slow"}, {"delayMs", world.faults.slow.count()}});
  }
  return out;
}

Response AdminPostScenario(OrlenWorld& world, Request& req) {
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return AdminJson(400, json::object{{"error", "send {\"name\": \"slow\", \"on\": true}"}});
  }
  const auto& o = body.get_object();
  const auto* name = o.if_contains("name");
  const auto* on = o.if_contains("on");
  auto set = SetOrlenScenario(world, name && name->is_string() ? name->get_string() : "",
                              !on || !on->is_bool() || on->get_bool(), o);
  if (!set) return AdminJson(400, json::object{{"error", set.error().message}});
  return AdminJson(200, json::object{{"active", ActiveScenarios(world)}});
}

Response AdminGetScenarios(OrlenWorld& world, Request&) {
  json::array known;
  for (const auto& [name, description] : OrlenScenarios()) {
    known.push_back(json::object{{"name", name}, {"description", description}});
  }
  return AdminJson(200,
                   json::object{{"active", ActiveScenarios(world)}, {"known", std::move(known)}});
}

std::int64_t Param(const json::object& params, std::string_view key, std::int64_t fallback,
                   std::int64_t min, std::int64_t max) {
  const auto* v = params.if_contains(key);
  if (!v || !v->is_int64()) return fallback;
  return std::clamp(v->get_int64(), min, max);
}

}  // namespace

OrlenWorld::OrlenWorld(OrlenOptions o) : options(std::move(o)) {
  for (const auto& name : options.scenarios) (void)SetOrlenScenario(*this, name, true);
}

const std::vector<std::pair<std::string_view, std::string_view>>& OrlenScenarios() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kScenarios = {
      {"server-errors",
       "bursts of HTTP 503 on ORLEN calls (every 20th call starts a burst of 3: every, burst)"},
      {"slow", "ORLEN answers take 1.5 s (delayMs)"},
  };
  return kScenarios;
}

Result<void> SetOrlenScenario(OrlenWorld& world, std::string_view name, bool on,
                              const json::object& params) {
  OrlenFaults& f = world.faults;
  if (name == "server-errors") {
    f.server_error_every = on ? static_cast<int>(Param(params, "every", 20, 1, 1000000)) : 0;
    f.server_error_burst = on ? static_cast<int>(Param(params, "burst", 3, 1, 1000)) : 0;
  } else if (name == "slow") {
    f.slow = std::chrono::milliseconds(on ? Param(params, "delayMs", 1500, 1, 120000) : 0);
  } else {
    std::string known;
    for (const auto& [n, d] : OrlenScenarios())
      known += (known.empty() ? "" : ", ") + std::string(n);
    return Fail(ErrorCode::kInvalidArgument, fmt::format("unknown ORLEN scenario '{}'; known: {}",
                                                         TruncateUtf8(name, 64), known));
  }
  f.requests = 0;
  return Ok();
}

OrlenFaultDecision OrlenBeforeRequest(OrlenWorld& world, const Request& request) {
  OrlenFaultDecision decision;
  if (!request.path.starts_with(std::string(kPrefix) + "/")) return decision;
  OrlenFaults& f = world.faults;
  ++f.requests;
  const int every = f.server_error_every;
  if (every > 0 && f.requests >= every && f.requests % every < f.server_error_burst) {
    Response r = Response::Text(503, "Service Unavailable");
    decision.response = std::move(r);
    return decision;
  }
  decision.delay = f.slow;
  return decision;
}

void RegisterOrlenRoutes(http::Router& router, OrlenWorld& world) {
  using Handler = Response (*)(OrlenWorld&, Request&);
  auto locked = [&world](Handler fn) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      return fn(world, req);
    };
  };
  const std::string p(kPrefix);
  router.Post(p + "/WebServicePwR/WebServicePwR.asmx", locked(Dispatch));
  router.Post(p + "/WebServicePwRProd/WebServicePwR.asmx", locked(Dispatch));
  router.Post("/__sandbox/orlen/packs/{code}/advance", locked(AdminAdvance));
  router.Get("/__sandbox/orlen/packs", locked(AdminList));
  router.Post("/__sandbox/orlen/scenarios", locked(AdminPostScenario));
  router.Get("/__sandbox/orlen/scenarios", locked(AdminGetScenarios));
}

}  // namespace nadajnik::sandbox::orlen
