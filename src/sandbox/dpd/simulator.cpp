#include "sandbox/dpd/simulator.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pugixml.hpp>

#include "core/text.hpp"
#include "documents/labels.hpp"
#include "security/tokens.hpp"

namespace nadajnik::sandbox::dpd {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kPrefix = "/dpd";
constexpr char kPackageNs[] = "http://dpdservices.dpd.com.pl/";
constexpr char kInfoNs[] = "http://events.dpdinfoservices.dpd.com.pl/";

// ---- XML helpers --------------------------------------------------------------------------------

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node parent, std::string_view name) {
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == name) return c;
  }
  return {};
}

std::vector<pugi::xml_node> Children(pugi::xml_node parent, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == name) out.push_back(c);
  }
  return out;
}

std::string Text(pugi::xml_node parent, std::string_view name) {
  std::string s = Child(parent, name).text().get();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

void Put(pugi::xml_node parent, const char* name, std::string_view value) {
  parent.append_child(name).text().set(std::string(value).c_str());
}

Timestamp Now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// "2024-05-10 12:34:56", Warsaw time.
std::string WireTime(Timestamp t) {
  const auto local = std::chrono::floor<std::chrono::seconds>(t + UtcOffset(t));
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{local - day};
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

struct Reply {
  pugi::xml_document doc;
  pugi::xml_node body;

  Reply() {
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    auto env = doc.append_child("soap:Envelope");
    env.append_attribute("xmlns:soap") = "http://schemas.xmlsoap.org/soap/envelope/";
    body = env.append_child("soap:Body");
  }
  // <ns2:{op}Response xmlns:ns2=ns><return/>
  pugi::xml_node Return(std::string_view op, const char* ns) {
    auto r = body.append_child(("ns2:" + std::string(op) + "Response").c_str());
    r.append_attribute("xmlns:ns2") = ns;
    return r.append_child("return");
  }
  Response Send(int status = 200) const {
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);
    Response r;
    r.status = status;
    r.body = out.str();
    r.SetHeader("Content-Type", "text/xml; charset=utf-8");
    return r;
  }
};

// SOAP 1.1 Fault with the DPD exception as its detail.
Response Fault(std::string_view exception, std::string_view message,
               std::string_view code = "soap:Server") {
  Reply reply;
  auto f = reply.body.append_child("soap:Fault");
  Put(f, "faultcode", code);
  Put(f, "faultstring", message);
  auto d = f.append_child("detail").append_child(("ns2:" + std::string(exception)).c_str());
  d.append_attribute("xmlns:ns2") = kPackageNs;
  Put(d, "message", message);
  return reply.Send(500);
}

// ---- validation -------------------------------------------------------------------------------

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool PolishPostalCode(std::string_view s) {
  return s.size() == 6 && s[2] == '-' && IsDigits(s.substr(0, 2)) && IsDigits(s.substr(3));
}

// Decimal "12", "12.5", "12.50" to minor units.
std::optional<std::int64_t> Minor(std::string_view s) {
  const auto dot = s.find('.');
  const auto whole = s.substr(0, dot);
  const auto frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (!IsDigits(whole) || whole.size() > 12 || frac.size() > 2 ||
      (!frac.empty() && !IsDigits(frac))) {
    return std::nullopt;
  }
  std::int64_t v = std::stoll(std::string(whole)) * 100;
  if (!frac.empty()) v += std::stoi(std::string(frac)) * (frac.size() == 1 ? 10 : 1);
  return v;
}

std::optional<double> Kilograms(std::string_view s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  char* end = nullptr;
  const std::string copy(s);
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !(v > 0)) return std::nullopt;
  return v;
}

struct Problem {
  std::string code;
  std::string fields;
  std::string info;
};

const DpdPickupPoint* FindPoint(const DpdWorld& world, std::string_view pudo) {
  for (const auto& p : world.options.pickup_points) {
    if (p.pudo == pudo) return &p;
  }
  return nullptr;
}

bool Served(const DpdWorld& world, const std::string& code) {
  return PolishPostalCode(code) && std::find(world.options.unserved_postal_codes.begin(),
                                             world.options.unserved_postal_codes.end(),
                                             code) == world.options.unserved_postal_codes.end();
}

void CheckAddress(const DpdWorld& world, pugi::xml_node a, const std::string& who,
                  std::vector<Problem>& out) {
  const std::string upper = who == "sender" ? "SENDER" : "RECEIVER";
  if (!a) {
    out.push_back({"MISSING_" + upper, who, "The " + who + " address is missing"});
    return;
  }
  const std::string country = Text(a, "countryCode");
  const std::string code = Text(a, "postalCode");
  if (country.empty() || country == "PL") {
    if (!Served(world, code)) {
      out.push_back({"INCORRECT_" + upper + "_POSTAL_CODE", who + ".postalCode",
                     fmt::format("Postal code '{}' of the {} is incorrect or not served",
                                 TruncateUtf8(code, 20), who)});
    }
  }
  if (Text(a, "name").empty() && Text(a, "company").empty()) {
    out.push_back({"INCORRECT_" + upper + "_NAME", who + ".name",
                   "The " + who + " needs a name or a company"});
  }
  if (Text(a, "address").empty()) {
    out.push_back({"INCORRECT_" + upper + "_ADDRESS", who + ".address",
                   "The " + who + " address line is empty"});
  }
  if (Text(a, "city").empty()) {
    out.push_back({"INCORRECT_" + upper + "_CITY", who + ".city", "The " + who + " city is empty"});
  }
  if (Text(a, "phone").empty()) {
    out.push_back(
        {"MISSING_" + upper + "_PHONE", who + ".phone", "The " + who + " phone is mandatory"});
  }
}

std::vector<std::string> AddressLines(pugi::xml_node a) {
  std::vector<std::string> lines;
  std::string name = Text(a, "company");
  const std::string person = Text(a, "name");
  if (!person.empty()) name = name.empty() ? person : name + ", " + person;
  if (!name.empty()) lines.push_back(name);
  lines.push_back(Text(a, "address"));
  lines.push_back(Text(a, "postalCode") + " " + Text(a, "city"));
  if (!Text(a, "phone").empty()) lines.push_back("tel. " + Text(a, "phone"));
  return lines;
}

// ---- operations -------------------------------------------------------------------------------

struct PackageCheck {
  std::vector<Problem> package;
  std::vector<std::vector<Problem>> parcels;
  bool ok() const {
    if (!package.empty()) return false;
    return std::all_of(parcels.begin(), parcels.end(), [](const auto& p) { return p.empty(); });
  }
};

PackageCheck CheckPackage(const DpdWorld& world, pugi::xml_node pkg, const DpdAccount& account) {
  PackageCheck c;
  auto sender = Child(pkg, "sender");
  CheckAddress(world, sender, "sender", c.package);
  if (sender && !Text(sender, "fid").empty() && Text(sender, "fid") != account.master_fid) {
    c.package.push_back({"INCORRECT_SENDER_FID", "sender.fid",
                         "The sender's fid is not the masterFid of this account"});
  }
  CheckAddress(world, Child(pkg, "receiver"), "receiver", c.package);
  const std::string payer = Text(pkg, "payerType");
  if (payer != "SENDER" && payer != "RECEIVER" && payer != "THIRD_PARTY") {
    c.package.push_back(
        {"INCORRECT_PAYER_TYPE", "payerType", "payerType must be SENDER, RECEIVER or THIRD_PARTY"});
  }
  auto services = Child(pkg, "services");
  if (auto cod = Child(services, "cod")) {
    const auto minor = Minor(Text(cod, "amount"));
    if (!minor || *minor <= 0) {
      c.package.push_back({"INCORRECT_COD_AMOUNT", "services.cod.amount",
                           "The COD amount is not a positive decimal"});
    } else if (*minor > world.options.max_cod_minor) {
      c.package.push_back(
          {"INCORRECT_COD_AMOUNT", "services.cod.amount",
           fmt::format("COD amount {} is over the limit of {}.{:02d} PLN", Text(cod, "amount"),
                       world.options.max_cod_minor / 100, world.options.max_cod_minor % 100)});
    }
    if (Text(cod, "currency") != "PLN") {
      c.package.push_back(
          {"INCORRECT_COD_CURRENCY", "services.cod.currency", "COD is collected in PLN only"});
    }
  }
  if (auto pickup = Child(services, "dpdPickup")) {
    const std::string pudo = Text(pickup, "pudo");
    if (!FindPoint(world, pudo)) {
      c.package.push_back({"INCORRECT_PUDO", "services.dpdPickup.pudo",
                           fmt::format("DPD Pickup point '{}' does not exist or is closed",
                                       TruncateUtf8(pudo, 30))});
    }
  }
  const auto parcels = Children(pkg, "parcels");
  if (parcels.empty()) {
    c.package.push_back({"MISSING_PARCELS", "parcels", "A package needs at least one parcel"});
  }
  for (auto p : parcels) {
    std::vector<Problem> problems;
    if (!Kilograms(Text(p, "weight"))) {
      problems.push_back({"INCORRECT_WEIGHT", "weight", "The parcel weight (kg) is missing"});
    }
    for (const char* size : {"sizeX", "sizeY", "sizeZ"}) {
      const std::string v = Text(p, size);
      if (!v.empty() && !IsDigits(v)) {
        problems.push_back(
            {"INCORRECT_SIZE", size, fmt::format("{} must be whole centimetres", size)});
      }
    }
    c.parcels.push_back(std::move(problems));
  }
  return c;
}

void PutValidation(pugi::xml_node node, const std::vector<Problem>& problems, int& error_id) {
  if (problems.empty()) return;
  auto details = node.append_child("ValidationDetails");
  for (const auto& p : problems) {
    auto v = details.append_child("ValidationInfo");
    Put(v, "ErrorId", std::to_string(error_id++));
    Put(v, "ErrorCode", p.code);
    Put(v, "FieldNames", p.fields);
    Put(v, "Info", p.info);
  }
}

std::string NewWaybill(DpdWorld& world) { return fmt::format("{:013d}Q", world.next_waybill++); }

Response GeneratePackagesNumbers(DpdWorld& world, pugi::xml_node op, const DpdAccount& account) {
  const std::string policy = Text(op, "pkgNumsGenerationPolicyV1");
  if (policy != "STOP_ON_FIRST_ERROR" && policy != "ALL_OR_NOTHING" && policy != "IGNORE_ERRORS") {
    return Fault("SchemaValidationException",
                 "pkgNumsGenerationPolicyV1 must be STOP_ON_FIRST_ERROR, ALL_OR_NOTHING or "
                 "IGNORE_ERRORS",
                 "soap:Client");
  }
  auto uml = Child(op, "openUMLFeV3");
  const auto packages = Children(uml, "packages");
  if (!uml || packages.empty()) {
    return Fault("SchemaValidationException", "openUMLFeV3 with at least one package is required",
                 "soap:Client");
  }
  std::vector<PackageCheck> checks;
  for (auto pkg : packages) checks.push_back(CheckPackage(world, pkg, account));
  const bool all_ok =
      std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.ok(); });
  Reply reply;
  auto ret = reply.Return("generatePackagesNumbersV4", kPackageNs);
  const Timestamp begin = Now();
  Put(ret, "Status", all_ok ? "OK" : "INCORRECT_DATA");
  Put(ret, "SessionId", std::to_string(world.next_session++));
  Put(ret, "BeginTime", WireTime(begin));
  auto list = ret.append_child("Packages");
  bool stopped = false;
  int error_id = 1;
  for (std::size_t i = 0; i < packages.size(); ++i) {
    auto pkg = packages[i];
    const auto& check = checks[i];
    auto out = list.append_child("Package");
    const std::string reference = Text(pkg, "reference");
    const bool accept = check.ok() && !stopped && (policy != "ALL_OR_NOTHING" || all_ok);
    const bool report = !stopped;  // after the first error STOP_ON_FIRST_ERROR looks no further
    if (!check.ok() && policy == "STOP_ON_FIRST_ERROR") stopped = true;
    Put(out, "Status", accept ? "OK" : "NOT_PROCESSED");
    DpdPackage stored;
    if (accept) {
      stored.id = world.next_package++;
      Put(out, "PackageId", std::to_string(stored.id));
    }
    Put(out, "Reference", reference);
    if (report) PutValidation(out, check.package, error_id);
    auto parcels_out = out.append_child("Parcels");
    const auto parcels = Children(pkg, "parcels");
    for (std::size_t k = 0; k < parcels.size(); ++k) {
      auto p_out = parcels_out.append_child("Parcel");
      const bool parcel_ok = check.parcels[k].empty();
      Put(p_out, "Status", accept ? "OK" : "NOT_PROCESSED");
      Put(p_out, "Reference", Text(parcels[k], "reference"));
      if (report && !parcel_ok) PutValidation(p_out, check.parcels[k], error_id);
      if (!accept) continue;
      DpdParcel parcel;
      parcel.waybill = NewWaybill(world);
      parcel.parcel_id = world.next_parcel++;
      parcel.package_id = stored.id;
      parcel.master_fid = account.master_fid;
      parcel.weight = Text(parcels[k], "weight");
      parcel.reference = Text(parcels[k], "reference");
      parcel.index = static_cast<int>(k);
      parcel.events.push_back({"030103", "Zarejestrowano dane przesyłki", begin});
      Put(p_out, "ParcelId", std::to_string(parcel.parcel_id));
      Put(p_out, "Waybill", parcel.waybill);
      stored.waybills.push_back(parcel.waybill);
      world.parcels[parcel.waybill] = std::move(parcel);
    }
    if (accept) {
      auto services = Child(pkg, "services");
      stored.master_fid = account.master_fid;
      stored.reference = reference;
      stored.ref1 = Text(pkg, "ref1");
      stored.pudo = Text(Child(services, "dpdPickup"), "pudo");
      if (auto cod = Child(services, "cod"))
        stored.cod_minor = Minor(Text(cod, "amount")).value_or(0);
      stored.sender = AddressLines(Child(pkg, "sender"));
      stored.receiver = AddressLines(Child(pkg, "receiver"));
      world.packages[stored.id] = std::move(stored);
    }
  }
  Put(ret, "EndTime", WireTime(Now()));
  return reply.Send();
}

// The parcels a dpdServicesParamsV1 names (by waybill, parcelId or reference), or the first one
// it names that this account doesn't have.
struct Selection {
  std::vector<const DpdParcel*> parcels;
  std::string missing;
};

Selection Select(const DpdWorld& world, pugi::xml_node params, const DpdAccount& account) {
  Selection s;
  auto session = Child(params, "session");
  for (auto pkg : Children(session, "packages")) {
    for (auto p : Children(pkg, "parcels")) {
      const std::string waybill = Text(p, "waybill");
      const std::string parcel_id = Text(p, "parcelId");
      const std::string reference = Text(p, "reference");
      const DpdParcel* found = nullptr;
      for (const auto& [w, parcel] : world.parcels) {
        if (parcel.master_fid != account.master_fid) continue;
        if ((!waybill.empty() && w == waybill) ||
            (!parcel_id.empty() && std::to_string(parcel.parcel_id) == parcel_id) ||
            (waybill.empty() && parcel_id.empty() && !reference.empty() &&
             parcel.reference == reference)) {
          found = &parcel;
          break;
        }
      }
      if (!found) {
        if (s.missing.empty()) s.missing = !waybill.empty() ? waybill : parcel_id + reference;
        continue;
      }
      s.parcels.push_back(found);
    }
  }
  return s;
}

documents::LabelData LabelOf(const DpdWorld& world, const DpdParcel& parcel) {
  const DpdPackage& pkg = world.packages.at(parcel.package_id);
  documents::LabelData l;
  l.carrier = "DPD";
  l.service = fmt::format("{}, paczka {} z {}", pkg.pudo.empty() ? "DPD Classic" : "DPD Pickup",
                          parcel.index + 1, pkg.waybills.size());
  l.tracking_number = parcel.waybill;
  l.reference = pkg.reference;
  l.sender = pkg.sender;
  l.receiver = pkg.receiver;
  if (!pkg.pudo.empty()) {
    const auto* point = FindPoint(world, pkg.pudo);
    l.target_point = pkg.pudo + (point ? " " + point->name : "");
  }
  if (pkg.cod_minor > 0 && parcel.index == 0) {
    l.cash_on_delivery = fmt::format("{},{:02d} zł", pkg.cod_minor / 100, pkg.cod_minor % 100);
  }
  std::string w = parcel.weight;
  std::replace(w.begin(), w.end(), '.', ',');
  l.weight = w + " kg";
  l.comment = pkg.ref1;
  return l;
}

std::string RenderEpl(const std::vector<documents::LabelData>& labels) {
  std::string out;
  for (const auto& l : labels) {
    out += "N\nq812\nQ1218,24\n";
    out += fmt::format("A40,40,0,4,1,1,N,\"DPD {}\"\n", l.tracking_number);
    out += fmt::format("B40,120,0,1,3,6,200,B,\"{}\"\n", l.tracking_number);
    out += "P1\n";
  }
  return out;
}

Response DocumentReply(std::string_view op, const Result<std::string>& document, DpdWorld& world,
                       std::string_view failure) {
  Reply reply;
  auto ret = reply.Return(op, kPackageNs);
  auto status = ret.append_child("session").append_child("statusInfo");
  if (!failure.empty()) {
    Put(status, "status", "NOT_FOUND");
    Put(status, "description", failure);
    return reply.Send();
  }
  if (!document) return Fault("DPDServiceException", document.error().message);
  Put(ret, "documentData", security::Base64Encode(*document));
  Put(ret, "documentId", fmt::format("DOC{:08d}", world.next_document++));
  Put(status, "status", "OK");
  return reply.Send();
}

Response GenerateSpedLabels(DpdWorld& world, pugi::xml_node op, const DpdAccount& account) {
  const std::string format = Text(op, "outputDocFormatV1");
  const std::string page = Text(op, "outputDocPageFormatV1");
  if ((format != "PDF" && format != "ZPL" && format != "EPL") ||
      (page != "A4" && page != "LBL_PRINTER")) {
    return Fault("SchemaValidationException",
                 "outputDocFormatV1 must be PDF, EPL or ZPL and outputDocPageFormatV1 A4 or "
                 "LBL_PRINTER",
                 "soap:Client");
  }
  auto selection = Select(world, Child(op, "dpdServicesParamsV1"), account);
  if (!selection.missing.empty() || selection.parcels.empty()) {
    return DocumentReply(
        "generateSpedLabelsV4", std::string(), world,
        selection.parcels.empty() && selection.missing.empty()
            ? "No parcels given in dpdServicesParamsV1.session"
            : fmt::format("Parcel {} not found for this FID", TruncateUtf8(selection.missing, 40)));
  }
  std::vector<documents::LabelData> labels;
  for (const auto* p : selection.parcels) labels.push_back(LabelOf(world, *p));
  Result<std::string> doc = std::string();
  if (format == "PDF") {
    doc = documents::RenderPdfA6(labels);
    if (doc && page == "A4") doc = documents::FourUpA4(*doc);
  } else if (format == "ZPL") {
    std::string all;
    for (const auto& l : labels) {
      auto one = documents::RenderZpl(l, 203);
      if (!one) return Fault("DPDServiceException", one.error().message);
      all += *one;
    }
    doc = all;
  } else {
    doc = RenderEpl(labels);
  }
  return DocumentReply("generateSpedLabelsV4", doc, world, "");
}

// The handover protocol: one A4 page per 25 parcels, a table and two signature lines.
Result<std::string> RenderProtocol(const DpdWorld& world,
                                   const std::vector<const DpdParcel*>& parcels,
                                   const std::string& fid, const std::string& number) {
  std::string out;
  auto write = [](void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  const double w = 595.28, h = 841.89;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(write, &out, w, h);
  cairo_t* cr = cairo_create(surface);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  auto text = [&](double x, double y, double size, const std::string& s) {
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s.c_str());
  };
  constexpr std::size_t kPerPage = 25;
  const std::size_t pages = std::max<std::size_t>(1, (parcels.size() + kPerPage - 1) / kPerPage);
  std::int64_t cod_total = 0;
  for (std::size_t page = 0; page < pages; ++page) {
    text(40, 60, 16, "DPD Polska - protokół przekazania przesyłek");
    text(40, 82, 10,
         fmt::format("Protokół {}  FID {}  {}  strona {} z {}", number, fid, WireTime(Now()),
                     page + 1, pages));
    double y = 120;
    text(40, y, 9,
         "Lp.   List przewozowy      Odbiorca                              Waga     Pobranie");
    y += 16;
    for (std::size_t i = page * kPerPage; i < std::min(parcels.size(), (page + 1) * kPerPage);
         ++i) {
      const DpdParcel& p = *parcels[i];
      const DpdPackage& pkg = world.packages.at(p.package_id);
      const std::int64_t cod = p.index == 0 ? pkg.cod_minor : 0;
      cod_total += cod;
      text(40, y, 9, fmt::format("{:<5} {}", i + 1, p.waybill));
      text(180, y, 9,
           TruncateUtf8(pkg.receiver.empty() ? std::string() : pkg.receiver.front(), 40));
      text(400, y, 9, p.weight + " kg");
      if (cod > 0) text(460, y, 9, fmt::format("{},{:02d} zł", cod / 100, cod % 100));
      y += 16;
    }
    if (page + 1 == pages) {
      y += 10;
      text(40, y, 10,
           fmt::format("Razem paczek: {}   Pobrania razem: {},{:02d} zł", parcels.size(),
                       cod_total / 100, cod_total % 100));
      text(40, h - 100, 10, "Podpis nadawcy: ...........................");
      text(320, h - 100, 10, "Podpis kuriera: ...........................");
    }
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const auto status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Fail(ErrorCode::kInternal, "cairo could not render the protocol");
  }
  return out;
}

Response GenerateProtocol(DpdWorld& world, pugi::xml_node op, const DpdAccount& account) {
  if (Text(op, "outputDocFormatV1") != "PDF") {
    return Fault("SchemaValidationException", "The protocol is generated as PDF only",
                 "soap:Client");
  }
  auto selection = Select(world, Child(op, "dpdServicesParamsV1"), account);
  if (!selection.missing.empty() || selection.parcels.empty()) {
    return DocumentReply(
        "generateProtocolV2", std::string(), world,
        selection.parcels.empty() && selection.missing.empty()
            ? "No parcels given in dpdServicesParamsV1.session"
            : fmt::format("Parcel {} not found for this FID", TruncateUtf8(selection.missing, 40)));
  }
  const std::string number = fmt::format("PROT{:08d}", world.next_document);
  return DocumentReply("generateProtocolV2",
                       RenderProtocol(world, selection.parcels, account.master_fid, number), world,
                       "");
}

Response FindPostalCode(DpdWorld& world, pugi::xml_node op, const DpdAccount&) {
  auto code = Child(op, "postalCodeV1");
  const std::string zip = Text(code, "zipCode");
  Reply reply;
  auto ret = reply.Return("findPostalCodeV1", kPackageNs);
  Put(ret, "status", Served(world, zip) ? "OK" : "NO_POSTCODE");
  return reply.Send();
}

Response GetEvents(DpdWorld& world, pugi::xml_node op, const DpdAccount&) {
  const std::string waybill = Text(op, "waybill");
  const std::string select = Text(op, "eventsSelectType");
  if (waybill.empty() || (select != "ALL" && select != "ONLY_LAST")) {
    return Fault("SchemaValidationException",
                 "waybill and eventsSelectType (ALL or ONLY_LAST) are required", "soap:Client");
  }
  Reply reply;
  auto ret = reply.Return("getEventsForWaybillV1", kInfoNs);
  auto it = world.parcels.find(waybill);
  if (it != world.parcels.end()) {
    const auto& events = it->second.events;
    const std::size_t from = select == "ONLY_LAST" ? events.size() - 1 : 0;
    for (std::size_t i = events.size(); i-- > from;) {  // newest first
      auto e = ret.append_child("eventsList");
      Put(e, "waybill", waybill);
      Put(e, "eventTime", WireTime(events[i].at));
      Put(e, "businessCode", events[i].code);
      Put(e, "description", events[i].description);
      Put(e, "country", "PL");
      Put(e, "depot", "1495");
    }
  }
  Put(ret, "confirmId", "0");
  return reply.Send();
}

const DpdAccount* Authenticate(const DpdWorld& world, pugi::xml_node op) {
  auto auth = Child(op, "authDataV1");
  if (!auth) return nullptr;
  const std::string login = Text(auth, "login");
  const std::string password = Text(auth, "password");
  const std::string fid = Text(auth, "masterFid");
  for (const auto& a : world.options.accounts) {
    if (a.login == login && a.password == password && a.master_fid == fid) return &a;
  }
  return nullptr;
}

using Operation = Response (*)(DpdWorld&, pugi::xml_node, const DpdAccount&);

Response Soap(DpdWorld& world, const Request& req,
              const std::vector<std::pair<std::string_view, Operation>>& operations) {
  pugi::xml_document doc;
  if (!doc.load_buffer(req.body.data(), req.body.size())) {
    return Fault("SchemaValidationException", "The request is not well-formed XML", "soap:Client");
  }
  auto env = doc.document_element();
  auto body = LocalName(env.name()) == "Envelope" ? Child(env, "Body") : pugi::xml_node{};
  pugi::xml_node op;
  for (auto c : body.children()) {
    if (c.type() == pugi::node_element) {
      op = c;
      break;
    }
  }
  if (!op) {
    return Fault("SchemaValidationException", "A SOAP envelope with an operation is required",
                 "soap:Client");
  }
  const auto name = LocalName(op.name());
  for (const auto& [n, fn] : operations) {
    if (n != name) continue;
    const DpdAccount* account = Authenticate(world, op);
    if (!account) {
      return Fault("DeniedAccessWSException",
                   "Access denied: wrong login, password or masterFid, or the method is not "
                   "enabled for this account");
    }
    return fn(world, op, *account);
  }
  return Fault("SchemaValidationException",
               fmt::format("Unknown operation {}", TruncateUtf8(name, 60)), "soap:Client");
}

// ---- admin ------------------------------------------------------------------------------------

Response AdminJson(int status, const json::value& v) {
  return Response::Json(status, json::serialize(v));
}

std::string Describe(std::string_view code) {
  static const std::map<std::string_view, std::string_view> kNames = {
      {"030103", "Zarejestrowano dane przesyłki"},
      {"040101", "Przesyłka odebrana przez kuriera"},
      {"170101", "Przyjęcie przesyłki w oddziale DPD"},
      {"170102", "Wydanie przesyłki do doręczenia"},
      {"180101", "Przesyłka gotowa do odbioru w punkcie DPD Pickup"},
      {"190101", "Przesyłka doręczona"},
      {"190102", "Przesyłka odebrana w punkcie DPD Pickup"},
      {"230101", "Nieudana próba doręczenia"},
      {"200101", "Zwrot przesyłki do nadawcy"},
  };
  auto it = kNames.find(code);
  return it == kNames.end() ? std::string() : std::string(it->second);
}

Response AdminAdvance(DpdWorld& world, Request& req) {
  std::lock_guard lock(world.mu);
  auto it = world.parcels.find(req.PathParam("waybill").value_or(""));
  if (it == world.parcels.end()) {
    return AdminJson(404, json::object{{"error", "no such waybill"}});
  }
  DpdParcel& p = it->second;
  boost::system::error_code ec;
  auto body = json::parse(req.body.empty() ? "{}" : req.body, ec);
  std::string code;
  if (!ec && body.is_object() && body.as_object().contains("code") &&
      body.as_object().at("code").is_string()) {
    code = std::string(body.as_object().at("code").as_string());
    if (Describe(code).empty()) {
      return AdminJson(400, json::object{{"error", "unknown businessCode"}});
    }
  } else {
    const bool pickup = !world.packages.at(p.package_id).pudo.empty();
    const std::vector<std::string> journey =
        pickup ? std::vector<std::string>{"030103", "040101", "170101", "180101", "190102"}
               : std::vector<std::string>{"030103", "040101", "170101", "170102", "190101"};
    auto at = std::find(journey.begin(), journey.end(), p.events.back().code);
    if (at == journey.end() || at + 1 == journey.end()) {
      return AdminJson(409, json::object{{"error", "the parcel's journey is over"}});
    }
    code = *(at + 1);
  }
  const Timestamp now = std::max(Now(), p.events.back().at + std::chrono::seconds(1));
  p.events.push_back({code, Describe(code), now});
  return AdminJson(200, json::object{{"waybill", p.waybill}, {"businessCode", code}});
}

Response AdminPackages(DpdWorld& world, Request&) {
  std::lock_guard lock(world.mu);
  json::array out;
  for (const auto& [id, pkg] : world.packages) {
    json::array waybills;
    for (const auto& w : pkg.waybills) waybills.push_back(json::string(w));
    out.push_back(json::object{{"packageId", id},
                               {"fid", pkg.master_fid},
                               {"reference", pkg.reference},
                               {"pudo", pkg.pudo},
                               {"codMinor", pkg.cod_minor},
                               {"waybills", std::move(waybills)}});
  }
  return AdminJson(200, json::object{{"packages", std::move(out)}});
}

Response AdminScenario(DpdWorld& world, Request& req) {
  std::lock_guard lock(world.mu);
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  if (ec || !body.is_object() || !body.as_object().contains("name") ||
      !body.as_object().at("name").is_string()) {
    return AdminJson(400, json::object{{"error", "expected {\"name\", \"on\"}"}});
  }
  const auto& o = body.as_object();
  const bool on = !o.contains("on") || (o.at("on").is_bool() && o.at("on").as_bool());
  if (auto set = SetDpdScenario(world, std::string(o.at("name").as_string()), on); !set) {
    return AdminJson(400, json::object{{"error", set.error().message}});
  }
  return AdminJson(200, json::object{{"unavailable", world.unavailable}});
}

}  // namespace

DpdWorld::DpdWorld(DpdOptions o) : options(std::move(o)) {
  for (const auto& name : options.scenarios) (void)SetDpdScenario(*this, name, true);
}

const std::vector<std::pair<std::string_view, std::string_view>>& DpdScenarios() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kScenarios = {
      {"unavailable", "every DPDServices call answers HTTP 503"},
  };
  return kScenarios;
}

Result<void> SetDpdScenario(DpdWorld& world, std::string_view name, bool on) {
  if (name == "unavailable") {
    world.unavailable = on;
    return Ok();
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown DPD scenario '{}'; known: unavailable", TruncateUtf8(name, 64)));
}

DpdFaultDecision DpdBeforeRequest(DpdWorld& world, const Request& request) {
  DpdFaultDecision decision;
  if (!request.path.starts_with(std::string(kPrefix) + "/")) return decision;
  if (world.unavailable) {
    Response r = Response::Text(503, "Service Unavailable");
    r.SetHeader("Retry-After", "1");
    decision.response = std::move(r);
  }
  return decision;
}

void RegisterDpdRoutes(http::Router& router, DpdWorld& world) {
  const std::string p(kPrefix);
  router.Post(p + "/DPDPackageObjServicesService/DPDPackageObjServices", [&world](Request& req) {
    std::lock_guard lock(world.mu);
    return Soap(world, req,
                {{"generatePackagesNumbersV4", GeneratePackagesNumbers},
                 {"generateSpedLabelsV4", GenerateSpedLabels},
                 {"generateProtocolV2", GenerateProtocol},
                 {"findPostalCodeV1", FindPostalCode}});
  });
  router.Post(p + "/DPDInfoServicesObjEventsService/DPDInfoServicesObjEvents",
              [&world](Request& req) {
                std::lock_guard lock(world.mu);
                return Soap(world, req, {{"getEventsForWaybillV1", GetEvents}});
              });
  router.Post("/__sandbox/dpd/parcels/{waybill}/advance",
              [&world](Request& req) { return AdminAdvance(world, req); });
  router.Get("/__sandbox/dpd/packages",
             [&world](Request& req) { return AdminPackages(world, req); });
  router.Post("/__sandbox/dpd/scenarios",
              [&world](Request& req) { return AdminScenario(world, req); });
}

}  // namespace nadajnik::sandbox::dpd
