#include "carriers/orlen/mapping.hpp"

#include "carriers/polish_address.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/clock.hpp"
#include "core/text.hpp"

namespace nadajnik::carriers::orlen {

namespace {

// Locker-like slots in mm (ascending sides), smallest first; 25 kg each. Not from the reference.
struct Box {
  const char* size;
  const char* letter;
  int dims[3];
};
constexpr std::array<Box, 3> kBoxes = {{
    {"S", "A", {80, 380, 640}},
    {"M", "B", {190, 380, 640}},
    {"L", "C", {410, 380, 640}},
}};
constexpr int kMaxGrams = 25000;

std::string Bounded(std::string_view s) { return TruncateUtf8(s, 64); }

Unexpected Invalid(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(message));
}

bool LooksLikeEmail(std::string_view e) {
  auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && e.find('.', at) != std::string_view::npos &&
         e.find(' ') == std::string_view::npos;
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
  return CleanText(Child(n, local).text().get());
}

pugi::xml_node Descendant(const pugi::xml_node& n, std::string_view local) {
  for (auto c : n.children()) {
    if (c.type() != pugi::node_element) continue;
    if (LocalName(c) == local) return c;
    if (auto d = Descendant(c, local)) return d;
  }
  return {};
}

// Every element (n included) that has a direct child named `local`, in document order.
void Holders(const pugi::xml_node& n, std::string_view local, std::vector<pugi::xml_node>& out) {
  if (Child(n, local)) out.push_back(n);
  for (auto c : n.children()) {
    if (c.type() == pugi::node_element) Holders(c, local, out);
  }
}

Unexpected BadShape(std::string_view what, std::string_view body) {
  return Fail(
      ErrorCode::kInternal,
      fmt::format("ORLEN Paczka answered with an unexpected {} (not the documented shape)", what),
      TruncateUtf8(body, 300));
}

Result<pugi::xml_node> Body(const pugi::xml_document& doc, std::string_view raw) {
  auto envelope = doc.document_element();
  if (!envelope || LocalName(envelope) != "Envelope")
    return BadShape("answer (no SOAP envelope)", raw);
  auto body = Child(envelope, "Body");
  if (!body) return BadShape("answer (no SOAP body)", raw);
  if (auto fault = Child(body, "Fault")) {
    return Fail(ErrorCode::kInternal,
                "ORLEN Paczka refused the request as malformed (SOAP Fault); this is a bug in "
                "Nadajnik, please report it",
                TruncateUtf8(Text(fault, "faultstring"), 300));
  }
  return body;
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void Field(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += fmt::format("<{0}>{1}</{0}>", name, XmlEscape(value));
}

std::pair<std::string, std::string> SplitName(std::string_view full) {
  const std::string name = CleanText(full);
  const auto space = name.find(' ');
  if (space == std::string::npos) return {name, ""};
  return {name.substr(0, space), CleanText(name.substr(space + 1))};
}

std::string Grosze(std::int64_t minor) { return std::to_string(minor); }

}  // namespace

std::optional<std::string> DestinationCodeFor(std::string_view point) {
  std::string code = CleanText(point);
  // The PSD alone: ORLEN completes "XX-<PSD>-00-00" (section 4.5).
  if (code.size() == 6 && Digits(code)) return fmt::format("XX-{}-00-00", code);
  // RR-PPPPPP-XX-NN: two letters, six digits, two alphanumerics, two digits.
  if (code.size() != 15 || code[2] != '-' || code[9] != '-' || code[12] != '-') {
    return std::nullopt;
  }
  auto ascii_alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto ascii_alnum = [&](char c) { return ascii_alpha(c) || (c >= '0' && c <= '9'); };
  if (!ascii_alpha(code[0]) || !ascii_alpha(code[1]) || !Digits(code.substr(3, 6)) ||
      !ascii_alnum(code[10]) || !ascii_alnum(code[11]) || !Digits(code.substr(13, 2))) {
    return std::nullopt;
  }
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return code;
}

bool IsPointCode(std::string_view code) { return DestinationCodeFor(code).has_value(); }

Result<std::string> BoxSizeFor(const domain::Parcel& parcel) {
  if (parcel.weight_grams > kMaxGrams) {
    return Invalid(fmt::format(
        "The parcel weighs {:.1f} kg; ORLEN Paczka takes at most 25 kg: send it by courier",
        parcel.weight_grams / 1000.0));
  }
  const bool has_dims = parcel.length_mm > 0 && parcel.width_mm > 0 && parcel.height_mm > 0;
  std::array<int, 3> dims = {parcel.height_mm, parcel.width_mm, parcel.length_mm};
  std::sort(dims.begin(), dims.end());
  auto fits = [&](const Box& b) {
    std::array<int, 3> slot = {b.dims[0], b.dims[1], b.dims[2]};
    std::sort(slot.begin(), slot.end());
    return !has_dims || (dims[0] <= slot[0] && dims[1] <= slot[1] && dims[2] <= slot[2]);
  };
  std::string wanted = CleanText(parcel.size_template);
  for (char& c : wanted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!wanted.empty()) {
    for (const auto& b : kBoxes) {
      if (wanted == b.size || wanted == b.letter) {
        if (!fits(b)) {
          return Invalid(fmt::format(
              "The parcel ({} x {} x {} mm) does not fit ORLEN Paczka size {}: choose a bigger "
              "size",
              parcel.length_mm, parcel.width_mm, parcel.height_mm, b.size));
        }
        return std::string(b.size);
      }
    }
    return Invalid(
        fmt::format("The parcel has size '{}'; ORLEN Paczka takes sizes S, M or L: choose one",
                    Bounded(parcel.size_template)));
  }
  if (!has_dims) {
    return Invalid(
        "The parcel needs an ORLEN Paczka size (S, M or L) or its dimensions: fill one in");
  }
  for (const auto& b : kBoxes) {
    if (fits(b)) return std::string(b.size);
  }
  return Invalid(fmt::format(
      "The parcel ({} x {} x {} mm) is bigger than ORLEN Paczka's largest size L: send it by "
      "courier",
      parcel.length_mm, parcel.width_mm, parcel.height_mm));
}

Result<void> ValidateRequest(const ShipmentRequest& r, const ValidationLimits& limits) {
  if (r.parcels.size() != 1) {
    return Invalid(fmt::format(
        "An ORLEN Paczka pack holds exactly one parcel, this shipment has {}: create one "
        "shipment per parcel",
        r.parcels.size()));
  }
  const std::string point = CleanText(r.target_point);
  if (point.empty()) {
    return Invalid("ORLEN Paczka delivers to a pickup point: choose the buyer's point");
  }
  if (!IsPointCode(point)) {
    return Invalid(
        fmt::format("'{}' is not an ORLEN Paczka point code (like WA-116263-K1-02, or the point's "
                    "6-digit number 116263): choose the point again",
                    Bounded(point)));
  }
  if (CleanText(r.receiver.name).empty() && CleanText(r.receiver.company).empty()) {
    return Invalid("ORLEN Paczka needs the receiver's name: fill it in");
  }
  if (CleanText(r.receiver.phone).empty()) {
    return Invalid(
        "ORLEN Paczka needs the receiver's mobile number (the pickup code goes by SMS): fill it "
        "in");
  }
  if (!NormalizePhone(r.receiver.phone)) {
    return Invalid(fmt::format(
        "ORLEN Paczka needs a Polish 9-digit mobile number for the receiver; '{}' is not one: "
        "correct it",
        Bounded(r.receiver.phone)));
  }
  if (!CleanText(r.receiver.email).empty() && !LooksLikeEmail(CleanText(r.receiver.email))) {
    return Invalid(fmt::format("The receiver's e-mail '{}' is not an e-mail address: correct it",
                               Bounded(r.receiver.email)));
  }
  for (const auto& [party, who] :
       {std::pair<const Party*, const char*>{&r.receiver, "receiver"}, {&r.sender, "sender"}}) {
    if (!CleanText(party->postal_code).empty() && !NormalizePostalCode(party->postal_code)) {
      return Invalid(fmt::format(
          "ORLEN Paczka needs the {}'s postal code as NN-NNN; '{}' is not one: correct the "
          "address",
          who, Bounded(party->postal_code)));
    }
    if (!party->country_code.empty() && party->country_code != "PL") {
      return Invalid(fmt::format("ORLEN Paczka works within Poland only; the {}'s country is '{}'",
                                 who, Bounded(party->country_code)));
    }
  }
  if (!CleanText(r.sender.phone).empty() && !NormalizePhone(r.sender.phone)) {
    return Invalid(fmt::format(
        "ORLEN Paczka needs a Polish 9-digit phone number for the sender; '{}' is not one: "
        "correct it in Ustawienia > Nadawca",
        Bounded(r.sender.phone)));
  }
  NADAJNIK_TRY(BoxSizeFor(r.parcels[0]));
  if (r.cash_on_delivery) {
    const Money& cod = *r.cash_on_delivery;
    if (cod.currency.code() != "PLN") {
      return Invalid(fmt::format("ORLEN Paczka collects cash on delivery in PLN only, not {}",
                                 cod.currency.code()));
    }
    if (cod.minor <= 0) return Invalid("The cash-on-delivery amount must be above 0 PLN");
    if (cod.minor > limits.max_cod_minor) {
      Money max{limits.max_cod_minor, Currency::PLN()};
      return Invalid(fmt::format(
          "Cash on delivery of {} is over ORLEN Paczka's limit of {}: lower it or ask for "
          "prepayment",
          cod.ToString(), max.ToString()));
    }
  }
  if (r.insurance && r.insurance->currency.code() != "PLN") {
    return Invalid(
        fmt::format("ORLEN Paczka insures in PLN only, not {}", r.insurance->currency.code()));
  }
  return Ok();
}

Result<std::string> BuildBusinessPack(const ShipmentRequest& r, const ValidationLimits& limits) {
  NADAJNIK_TRY(ValidateRequest(r, limits));
  NADAJNIK_ASSIGN_OR_RETURN(auto box, BoxSizeFor(r.parcels[0]));
  std::string x = "<BusinessPack>";
  Field(x, "DestinationCode", DestinationCodeFor(r.target_point).value_or(""));
  Field(x, "BoxSize", box);
  if (r.insurance) {
    Field(x, "PackValue", Grosze(r.insurance->minor));
    Field(x, "Insurance", "T");
  }
  if (r.cash_on_delivery) {
    Field(x, "CashOnDelivery", "T");
    Field(x, "AmountCashOnDelivery", Grosze(r.cash_on_delivery->minor));
    Field(x, "TransferDescription", TruncateUtf8(CleanText(r.reference), 50));
  }
  auto party = [&x](const Party& p, std::string_view prefix) {
    auto name = SplitName(p.name);
    auto f = [&](std::string_view field, std::string_view value) {
      Field(x, std::string(prefix) + std::string(field), value);
    };
    f("EMail", CleanText(p.email));
    f("FirstName", name.first);
    f("LastName", name.second);
    f("CompanyName", CleanText(p.company));
    f("StreetName", CleanText(p.street));
    f("BuildingNumber", CleanText(p.building));
    f("City", CleanText(p.city));
    f("PostCode", NormalizePostalCode(p.postal_code).value_or(""));
    f("PhoneNumber", NormalizePhone(p.phone).value_or(""));
  };
  party(r.receiver, "");
  party(r.sender, "Sender");
  Field(x, "SenderOrders", TruncateUtf8(CleanText(r.reference), 50));
  Field(x, "PrintAdress", "1");
  Field(x, "PrintType", "1");
  Field(x, "ConfirmTermsOfUse", "T");
  x += "</BusinessPack>";
  return x;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
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
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 has no place for control characters other than tab and newlines.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string SoapAction(std::string_view operation) {
  return fmt::format("\"{}/{}\"", kNamespace, operation);
}

std::string Envelope(std::string_view operation, std::string_view partner_id,
                     std::string_view partner_key, std::string_view inner) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
      "<{0} xmlns=\"{1}\"><PartnerID>{2}</PartnerID><PartnerKey>{3}</PartnerKey>{4}</{0}>"
      "</soap:Body></soap:Envelope>",
      operation, kNamespace, XmlEscape(partner_id), XmlEscape(partner_key), inner);
}

std::string BuildGenerateListTwo(std::string_view partner_id, std::string_view partner_key,
                                 const std::vector<std::string>& packs, std::string_view format,
                                 const PackOptions& options) {
  std::string inner = fmt::format("<AutoDestinationChange>{}</AutoDestinationChange>",
                                  options.auto_destination_change ? "T" : "F");
  Field(inner, "Format", format);
  inner += "<BusinessPackList>";
  for (const auto& p : packs) inner += p;
  inner += "</BusinessPackList>";
  return Envelope("GenerateLabelBusinessPackListTwo", partner_id, partner_key, inner);
}

std::string BuildLabelDuplicate(std::string_view partner_id, std::string_view partner_key,
                                const std::vector<std::string>& pack_codes,
                                std::string_view format) {
  std::string inner;
  Field(inner, "Format", format);
  inner += "<PackCodeList>";
  for (const auto& c : pack_codes) Field(inner, "string", c);
  inner += "</PackCodeList>";
  return Envelope("LabelPrintDuplicateListTwo", partner_id, partner_key, inner);
}

std::string BuildHistoryList(std::string_view partner_id, std::string_view partner_key,
                             const std::vector<std::string>& pack_codes) {
  std::string inner = "<PackCodes>";
  for (const auto& c : pack_codes) Field(inner, "string", c);
  inner += "</PackCodes>";
  return Envelope("GiveMePackStatusFullHistoryList", partner_id, partner_key, inner);
}

std::string BuildCancel(std::string_view partner_id, std::string_view partner_key,
                        std::string_view pack_code) {
  std::string inner;
  Field(inner, "PackCode", pack_code);
  return Envelope("PutCustomerPackCanceled", partner_id, partner_key, inner);
}

std::string BuildPointList(std::string_view partner_id, std::string_view partner_key) {
  return Envelope("GiveMeAllLocationWithAllDataWithZipCode", partner_id, partner_key, "");
}

bool ResultRow::ok() const { return err == "0" || err == "000" || destination_changed(); }
bool ResultRow::destination_changed() const {
  return err == "006" || err == "007" || err == "008" || err == "6" || err == "7" || err == "8";
}

Result<OperationAnswer> ParseAnswer(std::string_view body, std::string_view operation) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return BadShape("answer (not XML)", body);
  NADAJNIK_ASSIGN_OR_RETURN(auto soap_body, Body(doc, body));
  auto response = Child(soap_body, std::string(operation) + "Response");
  if (!response) return BadShape(fmt::format("answer to {}", operation), body);
  OperationAnswer answer;
  std::vector<pugi::xml_node> holders;
  Holders(response, "Err", holders);
  for (const auto& h : holders) {
    ResultRow row;
    row.err = Text(h, "Err");
    row.err_description = Text(h, "ErrDes");
    row.pack_code = Text(h, "PackCode_RUCH");
    row.destination_code = Text(h, "DestinationCode");
    row.destination_id = Text(h, "DestinationId");
    const std::string price = Text(h, "PackPrice");
    if (Digits(price) && price.size() < 15) row.pack_price_minor = std::stoll(price);
    answer.rows.push_back(std::move(row));
  }
  if (auto label = Descendant(response, "LabelData")) {
    auto decoded = DecodeBase64(label.text().get());
    if (!decoded) return BadShape("label (LabelData is not base64)", body);
    answer.label_data = std::move(*decoded);
  }
  return answer;
}

Error ErrorFromResult(const ResultRow& row, std::string_view what, std::string_view partner_id) {
  Error e;
  const std::string description = TruncateUtf8(row.err_description, 200);
  e.details = fmt::format("Err {} ErrDes {}", row.err, description);
  const std::string folded = FoldCase(row.err_description);
  // The reference names no code for wrong credentials: the description is what says it.
  if (folded.find("partnerkey") != std::string::npos ||
      folded.find("partnerid") != std::string::npos) {
    e.code = ErrorCode::kPermissionDenied;
    e.message = fmt::format(
        "ORLEN Paczka rejected PartnerKey for account {}: fix it in Ustawienia > Przewoźnicy "
        "(the WebTrucker password; the test and production keys differ)",
        partner_id);
    return e;
  }
  if (row.err == "104") {
    e.code = ErrorCode::kInvalidArgument;
    e.message = fmt::format(
        "ORLEN Paczka could not {}: the pickup point (DestinationCode) is missing. Choose the "
        "buyer's point",
        what);
    return e;
  }
  if (row.err == "106") {
    e.code = ErrorCode::kNotFound;
    e.message = fmt::format("ORLEN Paczka could not {}: it does not know that pack", what);
    return e;
  }
  if (row.err == "210") {
    e.code = ErrorCode::kFailedPrecondition;
    e.message = fmt::format(
        "ORLEN Paczka could not {}: the pack is already posted, and only packs not yet handed "
        "over can be cancelled",
        what);
    return e;
  }
  if (row.err == "301") {
    e.code = ErrorCode::kUnavailable;
    e.retryable = true;
    e.message = fmt::format("ORLEN Paczka could not {}: no courier is available; try later", what);
    return e;
  }
  // Other codes are not in the reference: "show ErrDes". A hint says which field it is about.
  std::string hint;
  if (folded.find("kod pocztowy") != std::string::npos ||
      folded.find("postcode") != std::string::npos) {
    hint = "Correct the postal code in the address";
  } else if (folded.find("pobrani") != std::string::npos ||
             folded.find("cashondelivery") != std::string::npos) {
    hint = "Change the cash-on-delivery amount or ask for prepayment";
  } else if (folded.find("punkt") != std::string::npos ||
             folded.find("destinationcode") != std::string::npos) {
    hint = "Choose another pickup point";
  } else if (folded.find("telefon") != std::string::npos ||
             folded.find("phonenumber") != std::string::npos) {
    hint = "Correct the phone number";
  } else if (folded.find("boxsize") != std::string::npos ||
             folded.find("gabaryt") != std::string::npos) {
    hint = "Choose size S, M or L";
  } else {
    hint = "Correct it and try again";
  }
  e.code = ErrorCode::kInvalidArgument;
  e.message = fmt::format("ORLEN Paczka refused to {}: {} (Err {}). {}", what,
                          description.empty() ? "no description" : description,
                          TruncateUtf8(row.err, 10), hint);
  return e;
}

domain::TrackingState TrackingStateFor(std::string_view trans, std::string_view attribute) {
  using domain::TrackingState;
  if (trans == "888" || !Digits(trans) || trans.size() > 5) return TrackingState::kUnknown;
  const int code = std::stoi(std::string(trans));
  if (attribute == "POWROT" || attribute == "2_POWROT") {
    return code == 201 ? TrackingState::kUnknown : TrackingState::kReturned;
  }
  switch (code) {
    case 200:
      return TrackingState::kCreated;
    case 201:
      return TrackingState::kUnknown;
    case 680:
      return TrackingState::kOutForDelivery;
    case 690:
    case 695:
      return TrackingState::kReadyForPickup;
    case 700:
    case 709:
    case 729:
    case 749:
      return TrackingState::kFailed;
    case 790:
    case 800:
    case 900:
      return TrackingState::kReturned;
    case 1000:
    case 1100:
      return TrackingState::kDelivered;
    default:
      break;
  }
  if (code == 100 || code == 110 || (code >= 210 && code <= 653)) return TrackingState::kInTransit;
  return TrackingState::kUnknown;
}

Result<std::vector<HistoryRow>> ParseHistory(std::string_view body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return BadShape("history (not XML)", body);
  NADAJNIK_ASSIGN_OR_RETURN(auto soap_body, Body(doc, body));
  auto response = Child(soap_body, "GiveMePackStatusFullHistoryListResponse");
  if (!response) return BadShape("history answer", body);
  std::vector<pugi::xml_node> holders;
  Holders(response, "Trans", holders);
  std::vector<HistoryRow> rows;
  for (const auto& h : holders) {
    HistoryRow row;
    row.pack_code = Text(h, "PackCode");
    row.trans = Text(h, "Trans");
    row.trans_description = Text(h, "Trans_Des");
    row.data = Text(h, "Data");
    row.attribute = Text(h, "Attribute");
    if (row.trans.empty()) return BadShape("history row (no Trans)", body);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<Timestamp> ParseOrlenTime(std::string_view text) {
  std::string t = CleanText(text);
  if (t.size() >= 19 && t[10] == ' ') t[10] = 'T';
  if (t.size() < 19 || t[10] != 'T') {
    return Fail(ErrorCode::kInternal, "ORLEN Paczka sent a time that is not a date-time",
                TruncateUtf8(text, 60));
  }
  std::size_t end = 19;
  if (end < t.size() && t[end] == '.') {
    ++end;
    while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) ++end;
  }
  // Milliseconds exactly, whatever the number of fraction digits .NET wrote (0 to 7).
  std::string fraction = end > 20 ? t.substr(20, end - 20) : "";
  fraction = (fraction + "000").substr(0, 3);
  const std::string zone = t.substr(end);
  const std::string base = t.substr(0, 19) + "." + fraction;
  if (!zone.empty()) return ParseIso8601(base + zone);
  // No offset: Warsaw local time (the service runs in Poland).
  NADAJNIK_ASSIGN_OR_RETURN(auto as_utc, ParseIso8601(base + "Z"));
  auto offset = UtcOffset(as_utc);
  auto guess = as_utc - offset;
  return as_utc - UtcOffset(guess);
}

Result<std::vector<TrackingEvent>> EventsFor(const std::vector<HistoryRow>& rows,
                                             std::string_view pack_code) {
  std::vector<TrackingEvent> events;
  for (const auto& row : rows) {
    if (!row.pack_code.empty() && row.pack_code != pack_code) continue;
    if (row.trans == "888") continue;
    TrackingEvent e;
    e.code = row.attribute.empty() ? row.trans : row.trans + " " + row.attribute;
    e.state = TrackingStateFor(row.trans, row.attribute);
    e.description = row.trans_description.empty() ? row.trans : row.trans_description;
    NADAJNIK_ASSIGN_OR_RETURN(e.at, ParseOrlenTime(row.data));
    events.push_back(std::move(e));
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const TrackingEvent& a, const TrackingEvent& b) { return a.at < b.at; });
  return events;
}

Result<std::vector<Point>> ParsePoints(std::string_view body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return BadShape("point list (not XML)", body);
  NADAJNIK_ASSIGN_OR_RETURN(auto soap_body, Body(doc, body));
  auto response = Child(soap_body, "GiveMeAllLocationWithAllDataWithZipCodeResponse");
  if (!response) return BadShape("point list", body);
  std::vector<pugi::xml_node> holders;
  Holders(response, "DestinationCode", holders);
  std::vector<Point> points;
  for (const auto& h : holders) {
    Point p;
    p.destination_code = Text(h, "DestinationCode");
    p.psd = Text(h, "PSD");
    p.street = Text(h, "StreetName");
    p.building = Text(h, "BuildingNumber");
    p.city = Text(h, "City");
    p.zipcode = Text(h, "Zipcode");
    p.point_type = Text(h, "PointType");
    p.available = Text(h, "Available") != "N";
    p.cash_on_delivery = Text(h, "CashOnDelivery") == "T";
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace nadajnik::carriers::orlen
