#include "carriers/dpd/mapping.hpp"

#include "carriers/polish_address.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <sstream>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/clock.hpp"
#include "core/text.hpp"

namespace nadajnik::carriers::dpd {

namespace {

constexpr std::string_view kSoapEnvelope = "http://schemas.xmlsoap.org/soap/envelope/";

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- writing ----------------------------------------------------------------------------------

struct Envelope {
  pugi::xml_document doc;
  pugi::xml_node operation;

  Envelope(std::string_view ns, std::string_view op) {
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    auto env = doc.append_child("soapenv:Envelope");
    env.append_attribute("xmlns:soapenv") = std::string(kSoapEnvelope).c_str();
    env.append_attribute("xmlns:dpd") = std::string(ns).c_str();
    env.append_child("soapenv:Header");
    auto body = env.append_child("soapenv:Body");
    operation = body.append_child(("dpd:" + std::string(op)).c_str());
  }

  std::string Text() const {
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);
    return out.str();
  }
};

// Unqualified child elements, as the DPD WSDLs declare their parameters.
pugi::xml_node Add(pugi::xml_node parent, const char* name) { return parent.append_child(name); }

void AddText(pugi::xml_node parent, const char* name, std::string_view value) {
  parent.append_child(name).text().set(std::string(value).c_str());
}

void AddOptional(pugi::xml_node parent, const char* name, std::string_view value) {
  if (!value.empty()) AddText(parent, name, value);
}

void AddAuth(pugi::xml_node op, const AuthData& auth) {
  auto a = Add(op, "authDataV1");
  AddText(a, "login", auth.login);
  AddText(a, "masterFid", auth.master_fid);
  AddText(a, "password", auth.password);
}

std::string Decimal(std::int64_t minor) {
  return fmt::format("{}{}.{:02d}", minor < 0 ? "-" : "", std::abs(minor) / 100,
                     std::abs(minor) % 100);
}

std::string Kilograms(int grams) {
  std::string text = fmt::format("{:.3f}", grams / 1000.0);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

int Centimetres(int mm) { return (mm + 9) / 10; }

std::string AddressLine(const Party& p) {
  std::string line = Trim(p.street);
  const std::string building = Trim(p.building);
  if (!building.empty()) line += (line.empty() ? "" : " ") + building;
  return line;
}

void AddAddress(pugi::xml_node parent, const char* element, const Party& p, std::string_view fid) {
  auto a = Add(parent, element);
  AddText(a, "address", AddressLine(p));
  AddText(a, "city", Trim(p.city));
  AddOptional(a, "company", Trim(p.company));
  AddText(a, "countryCode", p.country_code.empty() ? "PL" : p.country_code);
  AddOptional(a, "email", Trim(p.email));
  AddOptional(a, "fid", fid);
  AddOptional(a, "name", Trim(p.name));
  AddText(a, "phone", NormalizePhone(p.phone).value_or(Trim(p.phone)));
  const bool pl = p.country_code.empty() || p.country_code == "PL";
  AddText(a, "postalCode",
          pl ? NormalizePostalCode(p.postal_code).value_or(p.postal_code) : p.postal_code);
}

Result<void> CheckParty(const Party& p, std::string_view who, std::string_view fix) {
  if (Trim(p.name).empty() && Trim(p.company).empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("DPD needs the {}'s name or company: {}", who, fix));
  }
  if (AddressLine(p).empty() || Trim(p.city).empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("DPD needs the {}'s street, house number and city: {}", who, fix));
  }
  const bool pl = p.country_code.empty() || p.country_code == "PL";
  if (pl && !NormalizePostalCode(p.postal_code)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("DPD needs the {}'s postal code as NN-NNN; '{}' is not one: {}", who,
                            TruncateUtf8(p.postal_code, 20), fix));
  }
  if (!NormalizePhone(p.phone)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("DPD needs the {}'s phone number (9 digits); '{}' is not one: {}", who,
                            TruncateUtf8(p.phone, 30), fix));
  }
  return Ok();
}

// ---- reading ----------------------------------------------------------------------------------

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

bool NameIs(pugi::xml_node n, std::string_view name) {
  const auto local = LocalName(n.name());
  return local.size() == name.size() &&
         std::equal(local.begin(), local.end(), name.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

pugi::xml_node Child(pugi::xml_node parent, std::string_view name) {
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && NameIs(c, name)) return c;
  }
  return {};
}

std::vector<pugi::xml_node> Children(pugi::xml_node parent, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && NameIs(c, name)) out.push_back(c);
  }
  return out;
}

std::string TextOf(pugi::xml_node parent, std::string_view name) {
  return Trim(Child(parent, name).text().get());
}

// <List><Item/><Item/></List> or <List/><List/>: the items.
std::vector<pugi::xml_node> Items(pugi::xml_node parent, std::string_view list,
                                  std::string_view item) {
  std::vector<pugi::xml_node> out;
  for (auto l : Children(parent, list)) {
    auto inner = Children(l, item);
    if (inner.empty()) {
      out.push_back(l);
    } else {
      out.insert(out.end(), inner.begin(), inner.end());
    }
  }
  return out;
}

struct Parsed {
  pugi::xml_document doc;
  pugi::xml_node body;
};

Result<void> Load(Parsed& p, std::string_view text, std::string_view what) {
  auto ok = p.doc.load_buffer(text.data(), text.size());
  if (!ok) {
    return Fail(ErrorCode::kInternal,
                fmt::format("DPD answered {} with something that is not XML", what),
                TruncateUtf8(text, 300));
  }
  auto env = p.doc.document_element();
  p.body = NameIs(env, "Envelope") ? Child(env, "Body") : pugi::xml_node{};
  if (!p.body) {
    return Fail(ErrorCode::kInternal, fmt::format("DPD answered {} without a SOAP body", what),
                TruncateUtf8(text, 300));
  }
  return Ok();
}

// The <return> of the one response element in the body.
Result<pugi::xml_node> ReturnOf(const Parsed& p, std::string_view response, std::string_view what,
                                std::string_view text) {
  auto r = Child(p.body, response);
  auto ret = r ? Child(r, "return") : pugi::xml_node{};
  if (!ret) {
    return Fail(ErrorCode::kInternal,
                fmt::format("DPD's answer to {} has no {}/return", what, response),
                TruncateUtf8(text, 300));
  }
  return ret;
}

std::vector<ValidationInfo> ValidationOf(pugi::xml_node node) {
  std::vector<ValidationInfo> out;
  for (auto v : Items(node, "ValidationDetails", "ValidationInfo")) {
    ValidationInfo i{TextOf(v, "ErrorId"), TextOf(v, "ErrorCode"), TextOf(v, "FieldNames"),
                     TextOf(v, "Info")};
    if (!i.error_code.empty() || !i.info.empty()) out.push_back(std::move(i));
  }
  return out;
}

std::string DescribeValidation(const std::vector<ValidationInfo>& list) {
  std::string out;
  for (const auto& v : list) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} [{}] {}", v.error_code, v.field_names, v.info);
  }
  return TruncateUtf8(out, 1000);
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return AsciiLower(haystack).find(AsciiLower(needle)) != std::string::npos;
}

}  // namespace

std::optional<std::string> NormalizePhone(std::string_view phone) {
  std::string digits;
  bool plus = false;
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return std::nullopt;
    }
  }
  if (plus && digits.starts_with("48")) digits.erase(0, 2);
  if (!plus && digits.size() == 13 && digits.starts_with("0048")) digits.erase(0, 4);
  if (!plus && digits.size() == 11 && digits.starts_with("48")) digits.erase(0, 2);
  if (digits.size() != 9) return std::nullopt;
  return digits;
}

Result<void> ValidateRequest(const ShipmentRequest& r, const ValidationLimits& limits) {
  if (r.service != kServiceClassic && r.service != kServicePickup) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("'{}' is not a DPD service of Nadajnik: choose {} (courier) or {} "
                            "(DPD Pickup point)",
                            TruncateUtf8(r.service, 40), kServiceClassic, kServicePickup));
  }
  if (r.service == kServicePickup && Trim(r.target_point).empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "A DPD Pickup shipment needs the pickup point the buyer chose: pick it in the "
                "shipment form");
  }
  NADAJNIK_TRY(CheckParty(r.receiver, "receiver", "correct the buyer's address in the order"));
  NADAJNIK_TRY(
      CheckParty(r.sender, "sender", "correct the sender address in Ustawienia > Przewoźnicy"));
  if (r.parcels.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "A DPD shipment needs at least one parcel");
  }
  for (std::size_t i = 0; i < r.parcels.size(); ++i) {
    if (r.parcels[i].weight_grams <= 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("Parcel {} needs its weight: DPD wants every parcel weighed", i + 1));
    }
  }
  if (r.cash_on_delivery) {
    const Money& cod = *r.cash_on_delivery;
    if (cod.currency != Currency::PLN()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("DPD takes cash on delivery in PLN only, not {}: change the COD "
                              "amount in the shipment form",
                              cod.currency.code()));
    }
    if (cod.minor <= 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "The cash on delivery amount must be above zero: correct it or send without COD");
    }
    if (cod.minor > limits.max_cod_minor) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("Cash on delivery of {} PLN is over DPD's limit of {} PLN: lower it "
                              "or send without COD",
                              Decimal(cod.minor), Decimal(limits.max_cod_minor)));
    }
  }
  return Ok();
}

std::string_view PolicyName(GenerationPolicy policy) {
  switch (policy) {
    case GenerationPolicy::kStopOnFirstError:
      return "STOP_ON_FIRST_ERROR";
    case GenerationPolicy::kAllOrNothing:
      return "ALL_OR_NOTHING";
    case GenerationPolicy::kIgnoreErrors:
      return "IGNORE_ERRORS";
  }
  return "STOP_ON_FIRST_ERROR";
}

Result<std::string> BuildGeneratePackagesNumbers(const std::vector<ShipmentRequest>& requests,
                                                 const AuthData& auth,
                                                 const ValidationLimits& limits,
                                                 GenerationPolicy policy, std::string_view lang) {
  if (requests.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "No DPD shipments to create");
  }
  Envelope env(kPackageNamespace, "generatePackagesNumbersV4");
  auto uml = Add(env.operation, "openUMLFeV3");
  for (std::size_t k = 0; k < requests.size(); ++k) {
    const ShipmentRequest& r = requests[k];
    if (auto valid = ValidateRequest(r, limits); !valid) {
      Error e = valid.error();
      if (requests.size() > 1) e.message = fmt::format("Shipment {}: {}", k + 1, e.message);
      return Fail(std::move(e));
    }
    auto pkg = Add(uml, "packages");
    for (const auto& p : r.parcels) {
      auto parcel = Add(pkg, "parcels");
      AddOptional(parcel, "content", TruncateUtf8(r.comment, 300));
      AddOptional(parcel, "reference", p.size_template);
      if (p.length_mm > 0) AddText(parcel, "sizeX", std::to_string(Centimetres(p.length_mm)));
      if (p.width_mm > 0) AddText(parcel, "sizeY", std::to_string(Centimetres(p.width_mm)));
      if (p.height_mm > 0) AddText(parcel, "sizeZ", std::to_string(Centimetres(p.height_mm)));
      AddText(parcel, "weight", Kilograms(p.weight_grams));
    }
    AddText(pkg, "payerType", "SENDER");
    AddAddress(pkg, "receiver", r.receiver, "");
    AddOptional(pkg, "ref1", TruncateUtf8(r.comment, 100));
    AddOptional(pkg, "reference", r.reference);
    AddAddress(pkg, "sender", r.sender, auth.master_fid);
    auto services = Add(pkg, "services");
    if (r.cash_on_delivery) {
      auto cod = Add(services, "cod");
      AddText(cod, "amount", Decimal(r.cash_on_delivery->minor));
      AddText(cod, "currency", r.cash_on_delivery->currency.code());
    }
    if (r.insurance && r.insurance->minor > 0) {
      auto declared = Add(services, "declaredValue");
      AddText(declared, "amount", Decimal(r.insurance->minor));
      AddText(declared, "currency", r.insurance->currency.code());
    }
    if (r.service == kServicePickup) {
      AddText(Add(services, "dpdPickup"), "pudo", Trim(r.target_point));
    }
  }
  AddText(env.operation, "pkgNumsGenerationPolicyV1", PolicyName(policy));
  AddText(env.operation, "langCode", lang);
  AddAuth(env.operation, auth);
  return env.Text();
}

Result<GenerationResult> ParseGeneratePackagesNumbers(std::string_view body) {
  Parsed p;
  NADAJNIK_TRY(Load(p, body, "generatePackagesNumbersV4"));
  NADAJNIK_ASSIGN_OR_RETURN(auto ret, ReturnOf(p, "generatePackagesNumbersV4Response",
                                               "generatePackagesNumbersV4", body));
  GenerationResult out;
  out.status = TextOf(ret, "Status");
  out.session_id = TextOf(ret, "SessionId");
  for (auto pkg : Items(ret, "Packages", "Package")) {
    PackageResult pr;
    pr.status = TextOf(pkg, "Status");
    pr.package_id = TextOf(pkg, "PackageId");
    pr.reference = TextOf(pkg, "Reference");
    pr.validation = ValidationOf(pkg);
    for (auto parcel : Items(pkg, "Parcels", "Parcel")) {
      pr.parcels.push_back(ParcelResult{TextOf(parcel, "Status"), TextOf(parcel, "ParcelId"),
                                        TextOf(parcel, "Reference"), TextOf(parcel, "Waybill"),
                                        ValidationOf(parcel)});
    }
    out.packages.push_back(std::move(pr));
  }
  if (out.status.empty()) {
    return Fail(ErrorCode::kInternal, "DPD's answer to generatePackagesNumbersV4 has no Status",
                TruncateUtf8(body, 300));
  }
  return out;
}

Result<RemoteShipment> ToRemoteShipment(const PackageResult& package,
                                        const ShipmentRequest& request) {
  std::vector<ValidationInfo> all = package.validation;
  std::vector<std::string> waybills;
  bool parcels_ok = !package.parcels.empty();
  for (const auto& parcel : package.parcels) {
    all.insert(all.end(), parcel.validation.begin(), parcel.validation.end());
    if (parcel.status != "OK" || parcel.waybill.empty()) parcels_ok = false;
    waybills.push_back(parcel.waybill);
  }
  if (package.status == "OK" && parcels_ok) {
    RemoteShipment s;
    s.remote_id = RemoteIdOf(waybills);
    s.tracking_number = waybills.front();
    s.confirmed = true;
    s.status = "OK";
    return s;
  }
  const std::string details =
      fmt::format("package status {}: {}", package.status, DescribeValidation(all));
  for (const auto& v : all) {
    const std::string& code = v.error_code;
    if (Contains(code, "SENDER") && Contains(code, "POSTAL")) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("DPD does not accept the sender's postal code '{}' ({}): correct "
                              "the sender address in Ustawienia > Przewoźnicy",
                              TruncateUtf8(request.sender.postal_code, 20), code),
                  details);
    }
    if (Contains(code, "POSTAL") || Contains(code, "POSTCODE")) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("DPD does not accept the receiver's postal code '{}' ({}): correct "
                              "the buyer's address in the order",
                              TruncateUtf8(request.receiver.postal_code, 20), code),
                  details);
    }
    if (Contains(code, "PUDO") || Contains(code, "PICKUP") || Contains(v.field_names, "pudo")) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("DPD does not know the pickup point '{}' ({}): choose another DPD "
                              "Pickup point in the shipment form",
                              TruncateUtf8(request.target_point, 30), code),
                  details);
    }
    if (Contains(code, "COD") || Contains(v.field_names, "cod")) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("DPD refused the cash on delivery amount ({}: {}): lower it or send "
                              "without COD",
                              code, TruncateUtf8(v.info, 200)),
                  details);
    }
  }
  if (!all.empty()) {
    const auto& v = all.front();
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("DPD refused the shipment: {} ({}{}{}): correct it in the shipment "
                    "form",
                    TruncateUtf8(v.info.empty() ? v.error_code : v.info, 200), v.error_code,
                    v.field_names.empty() ? "" : ", field ", TruncateUtf8(v.field_names, 100)),
        details);
  }
  // NOT_PROCESSED without details: another package of the same call failed first
  // (STOP_ON_FIRST_ERROR / ALL_OR_NOTHING); this one was fine and may be sent again.
  Error e;
  e.code = ErrorCode::kUnavailable;
  e.retryable = true;
  e.message = fmt::format(
      "DPD did not process this shipment ({}) because another one in the same batch was "
      "refused; it will be sent again",
      package.status.empty() ? "no status" : package.status);
  e.details = details;
  return Fail(std::move(e));
}

std::string RemoteIdOf(const std::vector<std::string>& waybills) {
  std::string out;
  for (const auto& w : waybills) out += (out.empty() ? "" : ",") + w;
  return out;
}

Result<std::vector<std::string>> WaybillsOf(std::string_view remote_id) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= remote_id.size()) {
    auto comma = remote_id.find(',', start);
    if (comma == std::string_view::npos) comma = remote_id.size();
    const auto w = remote_id.substr(start, comma - start);
    const bool ok = !w.empty() && w.size() <= 32 && std::all_of(w.begin(), w.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
    if (!ok) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("'{}' is not a DPD shipment id (waybill numbers separated by commas)",
                              TruncateUtf8(remote_id, 60)));
    }
    out.emplace_back(w);
    start = comma + 1;
  }
  return out;
}

namespace {

void AddServicesParams(pugi::xml_node op, const std::vector<std::string>& waybills) {
  auto params = Add(op, "dpdServicesParamsV1");
  AddText(params, "policy", "STOP_ON_FIRST_ERROR");
  auto session = Add(params, "session");
  auto pkg = Add(session, "packages");
  for (const auto& w : waybills) AddText(Add(pkg, "parcels"), "waybill", w);
  AddText(session, "sessionType", "DOMESTIC");
}

}  // namespace

Result<std::string> BuildGenerateSpedLabels(const std::vector<std::string>& waybills,
                                            domain::LabelFormat format, const AuthData& auth) {
  std::string doc_format = "PDF";
  std::string page = "LBL_PRINTER";
  switch (format) {
    case domain::LabelFormat::kPdfA6:
      break;
    case domain::LabelFormat::kPdfA4:
      page = "A4";
      break;
    case domain::LabelFormat::kZpl203:
      doc_format = "ZPL";
      break;
    case domain::LabelFormat::kZpl300:
      return Fail(ErrorCode::kFailedPrecondition,
                  "DPD prints ZPL at one resolution (203 dpi), not 300 dpi: choose ZPL 203 dpi or "
                  "PDF in the label settings");
  }
  Envelope env(kPackageNamespace, "generateSpedLabelsV4");
  AddServicesParams(env.operation, waybills);
  AddText(env.operation, "outputDocFormatV1", doc_format);
  AddText(env.operation, "outputDocPageFormatV1", page);
  AddText(env.operation, "outputLabelType", "BIC3");
  AddText(env.operation, "labelVariant", "");
  AddAuth(env.operation, auth);
  return env.Text();
}

std::string BuildGenerateProtocol(const std::vector<std::string>& waybills, const AuthData& auth) {
  Envelope env(kPackageNamespace, "generateProtocolV2");
  AddServicesParams(env.operation, waybills);
  AddText(env.operation, "outputDocFormatV1", "PDF");
  AddText(env.operation, "outputDocPageFormatV1", "A4");
  AddAuth(env.operation, auth);
  return env.Text();
}

Result<DocumentResult> ParseDocument(std::string_view body) {
  Parsed p;
  NADAJNIK_TRY(Load(p, body, "the document request"));
  pugi::xml_node response;
  for (auto c : p.body.children()) {
    if (c.type() == pugi::node_element) {
      response = c;
      break;
    }
  }
  auto ret = response ? Child(response, "return") : pugi::xml_node{};
  if (!ret) {
    return Fail(ErrorCode::kInternal, "DPD's document answer has no return element",
                TruncateUtf8(body, 300));
  }
  DocumentResult out;
  out.document_id = TextOf(ret, "documentId");
  auto status = Child(Child(ret, "session"), "statusInfo");
  out.status = TextOf(status, "status");
  out.description = TextOf(status, "description");
  const std::string data = TextOf(ret, "documentData");
  if (!data.empty()) {
    auto decoded = DecodeBase64(data);
    if (!decoded) {
      return Fail(ErrorCode::kInternal, "DPD's documentData is not base64",
                  TruncateUtf8(data, 100));
    }
    out.data = std::move(*decoded);
  }
  return out;
}

std::string BuildFindPostalCode(std::string_view postal_code, const AuthData& auth) {
  Envelope env(kPackageNamespace, "findPostalCodeV1");
  auto code = Add(env.operation, "postalCodeV1");
  AddText(code, "countryCode", "PL");
  AddText(code, "zipCode", postal_code);
  AddAuth(env.operation, auth);
  return env.Text();
}

Result<std::string> ParseFindPostalCode(std::string_view body) {
  Parsed p;
  NADAJNIK_TRY(Load(p, body, "findPostalCodeV1"));
  NADAJNIK_ASSIGN_OR_RETURN(auto ret,
                            ReturnOf(p, "findPostalCodeV1Response", "findPostalCodeV1", body));
  return TextOf(ret, "status");
}

std::string BuildGetEvents(std::string_view waybill, bool only_last, const AuthData& auth) {
  Envelope env(kInfoNamespace, "getEventsForWaybillV1");
  AddText(env.operation, "waybill", waybill);
  AddText(env.operation, "eventsSelectType", only_last ? "ONLY_LAST" : "ALL");
  AddText(env.operation, "language", "PL");
  AddAuth(env.operation, auth);
  return env.Text();
}

namespace {

// "2024-05-10 12:34:56" (or with a 'T') in Warsaw time.
std::optional<Timestamp> ParseEventTime(std::string_view s) {
  if (s.size() < 19) return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    const auto part = s.substr(at, n);
    if (!IsDigits(part)) return std::nullopt;
    return std::stoi(std::string(part));
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       se = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month(*mo),
                                        std::chrono::day(*d)};
  if (!ymd.ok()) return std::nullopt;
  const Timestamp naive = std::chrono::sys_days(ymd) + std::chrono::hours(*h) +
                          std::chrono::minutes(*mi) + std::chrono::seconds(*se);
  // Local to UTC: the offset at the naive instant is right except within an hour of a change.
  return naive - UtcOffset(naive);
}

}  // namespace

Result<std::vector<TrackingEvent>> ParseEvents(std::string_view body) {
  Parsed p;
  NADAJNIK_TRY(Load(p, body, "getEventsForWaybillV1"));
  NADAJNIK_ASSIGN_OR_RETURN(
      auto ret, ReturnOf(p, "getEventsForWaybillV1Response", "getEventsForWaybillV1", body));
  std::vector<TrackingEvent> out;
  for (auto e : Items(ret, "eventsList", "eventsList")) {
    TrackingEvent t;
    t.code = TextOf(e, "businessCode");
    t.description = TextOf(e, "description");
    t.state = TrackingStateFor(t.code);
    const std::string time = TextOf(e, "eventTime");
    auto at = ParseEventTime(time);
    if (!at) {
      return Fail(ErrorCode::kInternal,
                  fmt::format("DPD sent an event time '{}' that is not YYYY-MM-DD HH:MM:SS",
                              TruncateUtf8(time, 40)));
    }
    t.at = *at;
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const TrackingEvent& a, const TrackingEvent& b) { return a.at < b.at; });
  return out;
}

domain::TrackingState TrackingStateFor(std::string_view code) {
  using domain::TrackingState;
  struct Entry {
    std::string_view code;
    TrackingState state;
  };
  // Assumed businessCode values (the reference has the events, not the codes).
  static constexpr std::array<Entry, 9> kCodes = {{
      {"030103", TrackingState::kCreated},         // data received
      {"040101", TrackingState::kInTransit},       // picked up from the sender
      {"170101", TrackingState::kInTransit},       // depot scan
      {"170102", TrackingState::kOutForDelivery},  // out for delivery
      {"180101", TrackingState::kReadyForPickup},  // at the DPD Pickup point
      {"190101", TrackingState::kDelivered},       // delivered
      {"190102", TrackingState::kDelivered},       // collected at the Pickup point
      {"230101", TrackingState::kFailed},          // failed delivery attempt
      {"200101", TrackingState::kReturned},        // returned to the sender
  }};
  for (const auto& e : kCodes) {
    if (e.code == code) return e.state;
  }
  return TrackingState::kUnknown;
}

std::optional<Error> ErrorFromFault(int http_status, std::string_view body, std::string_view what,
                                    const AuthData& auth) {
  Parsed p;
  pugi::xml_node fault;
  if (p.doc.load_buffer(body.data(), body.size())) {
    auto env = p.doc.document_element();
    if (NameIs(env, "Envelope")) fault = Child(Child(env, "Body"), "Fault");
  }
  if (!fault) {
    if (http_status < 400) return std::nullopt;
    Error e;
    e.code = http_status == 429 ? ErrorCode::kRateLimited : ErrorCode::kUnavailable;
    e.retryable = true;
    e.message =
        fmt::format("DPD could not {} (HTTP {}); it will be tried again", what, http_status);
    e.details = TruncateUtf8(body, 300);
    return e;
  }
  const std::string faultstring = TextOf(fault, "faultstring");
  std::string kind;
  std::string message;
  if (auto detail = Child(fault, "detail")) {
    for (auto c : detail.children()) {
      if (c.type() != pugi::node_element) continue;
      kind = std::string(LocalName(c.name()));
      message = TextOf(c, "message");
      break;
    }
  }
  if (kind.empty() && Contains(faultstring, "DeniedAccess")) kind = "DeniedAccessWSException";
  if (message.empty()) message = faultstring;
  Error e;
  e.details = fmt::format("SOAP Fault {}: {}", kind.empty() ? "(no detail)" : kind,
                          TruncateUtf8(message, 500));
  if (kind == "DeniedAccessWSException") {
    e.code = ErrorCode::kPermissionDenied;
    e.message = fmt::format(
        "DPD refused login '{}' with master FID '{}' to {}: fix the DPD login, password and "
        "master FID in Ustawienia > Przewoźnicy (the demo and production accounts differ, and "
        "DPD enables each method per account)",
        TruncateUtf8(auth.login, 40), TruncateUtf8(auth.master_fid, 20), what);
  } else if (kind == "SchemaValidationException" || kind == "DPDServiceException") {
    e.code = ErrorCode::kInvalidArgument;
    e.message = fmt::format("DPD refused to {}: {}", what, TruncateUtf8(message, 300));
  } else {
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format("DPD failed to {} ({}); it will be tried again", what,
                            TruncateUtf8(message, 200));
  }
  return e;
}

}  // namespace nadajnik::carriers::dpd
