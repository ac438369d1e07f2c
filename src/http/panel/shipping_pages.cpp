// The panel's shipping pages; see shipping_pages.hpp. Handlers are thin: the work (ledger,
// idempotency, carrier calls, labels) is services::ShippingService's, shared with the JSON API.
#include "http/panel/shipping_pages.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/text.hpp"
#include "observability/log.hpp"
#include "security/tokens.hpp"
#include "services/shipping.hpp"
#include "store/store.hpp"

namespace nadajnik::http::panel::shipping {

namespace {

using services::Principal;
namespace json = boost::json;

constexpr std::size_t kMaxBulk = kMaxBulkOrders;
// How long a merged-label download waits for labels still being made (a bulk action's last
// shipments), before it says which ones are missing.
constexpr auto kLabelWait = std::chrono::seconds(25);

bool Secure(const AppContext& app, const Request& req) { return app.secure_cookies || req.tls; }

std::string FormField(const FormData& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::optional<std::int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

// Only local paths (a crafted "back" can't send the user to another site).
std::string SafeBack(const std::string& back) { return SafeLocalPath(back); }

// kainjow treats an empty string as true in {{#section}}: optional text is set only when present.
void SetIf(Data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

// A form's key: what RandomToken makes (URL-safe base64), nothing else.
bool IsFormKey(std::string_view key) {
  if (key.size() < 16 || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string StateLabel(domain::ShipmentState s) {
  switch (s) {
    case domain::ShipmentState::kPending:
      return "Tworzona u przewoźnika…";
    case domain::ShipmentState::kCreated:
      return "Utworzona, czeka na etykietę…";
    case domain::ShipmentState::kLabelReady:
      return "Etykieta gotowa";
    case domain::ShipmentState::kCancelled:
      return "Anulowana";
    case domain::ShipmentState::kFailed:
      return "Nie utworzono";
  }
  return "?";
}

std::string StateClass(domain::ShipmentState s) {
  switch (s) {
    case domain::ShipmentState::kLabelReady:
      return "good";
    case domain::ShipmentState::kFailed:
      return "warn";
    default:
      return "";
  }
}

bool InProgress(const domain::Shipment& s) {
  return s.state == domain::ShipmentState::kPending || s.state == domain::ShipmentState::kCreated;
}

std::string Capitalized(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

std::string Setting(const domain::CarrierSettings& c, const std::string& key) {
  auto it = c.settings.find(key);
  return it == c.settings.end() ? std::string() : it->second;
}

// "1000" grams -> "1", "1500" -> "1,5" (kg with a Polish decimal comma).
std::string GramsToKg(const std::string& grams) {
  int g = 0;
  if (grams.empty() ||
      std::from_chars(grams.data(), grams.data() + grams.size(), g).ec != std::errc()) {
    g = 1000;
  }
  std::string out = std::to_string(g / 1000);
  if (g % 1000 != 0) {
    std::string frac = fmt::format("{:03}", g % 1000);
    while (frac.back() == '0') frac.pop_back();
    out += "," + frac;
  }
  return out;
}

// "1,5" / "1.5" / "2" kg -> grams; nullopt when not a number with at most 3 decimals.
std::optional<int> KgToGrams(std::string text) {
  std::replace(text.begin(), text.end(), ',', '.');
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  if (text.empty() || text.size() > 10) return std::nullopt;
  const auto dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (frac.size() > 3 || (whole.empty() && frac.empty())) return std::nullopt;
  for (char c : whole + frac) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  while (frac.size() < 3) frac += '0';
  const long long g = (whole.empty() ? 0 : std::stoll(whole)) * 1000 + std::stoll(frac);
  if (g > 1'000'000) return std::nullopt;
  return static_cast<int>(g);
}

// "12,50", "12.50 zł" -> Money in `currency`; an error message in Polish otherwise.
Result<Money> ParseAmount(std::string text, std::string_view currency) {
  std::replace(text.begin(), text.end(), ',', '.');
  const std::string_view suffixes[] = {"zł", "PLN", "pln", currency};
  for (std::string_view suffix : suffixes) {
    if (!suffix.empty() && text.size() >= suffix.size() &&
        text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
      text.erase(text.size() - suffix.size());
    }
  }
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  auto m = ParseMoney(text, currency);
  if (!m || m->minor <= 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("Podaj kwotę większą od zera, np. 129,99 ({}).", currency));
  }
  return *m;
}

// ---- the service's refusals, in Polish ----------------------------------------------------

// A refusal of ShippingService::Request: the field it concerns ("" for none) and the message.
std::pair<std::string, std::string> Refusal(const Error& e) {
  const std::string& m = e.message;
  switch (e.code) {
    case ErrorCode::kNotFound:
      return {"", "Nie ma takiego zamówienia."};
    case ErrorCode::kAlreadyExists:
      return {"confirm", Capitalized(m) + "."};
    case ErrorCode::kConflict:
      return {"", "Ten formularz wysłano już dla innego zamówienia: odśwież stronę."};
    case ErrorCode::kInvalidArgument:
      if (m.starts_with("carrier")) return {"carrier", "Wybierz przewoźnika."};
      if (m.starts_with("service")) {
        return {"service", "Podaj usługę przewoźnika (albo ustaw default_service w umowie)."};
      }
      if (m.starts_with("parcels")) {
        return {"weight_kg", "Waga paczki: od 0,001 do 1000 kg, wymiary nieujemne."};
      }
      if (m.starts_with("cashOnDelivery"))
        return {"cod", "Kwota pobrania musi być większa od zera."};
      if (m.starts_with("insurance")) {
        return {"insurance", "Podaj ubezpieczenie w walucie pobrania."};
      }
      if (m.find("dwa razy") != std::string::npos) {
        return {"", "Zamówienie zaznaczono dwa razy."};
      }
      return {"", Capitalized(m)};
    case ErrorCode::kFailedPrecondition:
      return {"", Capitalized(m) + "."};
    default:
      return {"", "Chwilowy problem: nie utworzono przesyłki. Spróbuj ponownie."};
  }
}

// ---- loading -------------------------------------------------------------------------------

Result<std::vector<domain::CarrierSettings>> EnabledContracts(store::UnitOfWork& uow,
                                                              AccountId account) {
  NADAJNIK_ASSIGN_OR_RETURN(auto all, uow.carrier_settings().List(account));
  std::vector<domain::CarrierSettings> out;
  for (auto& c : all) {
    if (c.enabled) out.push_back(std::move(c));
  }
  return out;
}

Data ShipmentRow(const domain::Shipment& s) {
  Data row;
  row.set("id", std::to_string(s.id.value));
  row.set("no", std::to_string(s.shipment_no));
  row.set("carrier", std::string(domain::CarrierDisplayName(s.carrier)));
  row.set("service", s.service);
  row.set("state", StateLabel(s.state));
  row.set("state_code", std::string(domain::ShipmentStateName(s.state)));
  row.set("state_class", StateClass(s.state));
  SetIf(row, "tracking_number", s.tracking_number);
  if (!s.tracking_number.empty()) {
    row.set("tracking_state", std::string(domain::TrackingStateLabel(s.tracking_state)));
    SetIf(row, "tracking_detail", s.tracking_detail);
  }
  if (s.state == domain::ShipmentState::kFailed) {
    row.set("error", s.last_error.empty() ? std::string("bez podanego powodu") : s.last_error);
  }
  if (s.cash_on_delivery) row.set("cod_amount", s.cash_on_delivery->ToString());
  row.set("created_at", FormatLocal(s.created_at));
  SetIf(row, "created_by", s.created_by);
  row.set("label_ready", s.state == domain::ShipmentState::kLabelReady);
  row.set("can_cancel", s.state == domain::ShipmentState::kLabelReady);
  row.set("in_progress", InProgress(s));
  return row;
}

json::object ShipmentState(const domain::Shipment& s) {
  return json::object{{"id", s.id.value},
                      {"orderId", s.order_id.value},
                      {"state", std::string(domain::ShipmentStateName(s.state))},
                      {"stateLabel", StateLabel(s.state)},
                      {"trackingNumber", s.tracking_number},
                      {"trackingState", std::string(domain::TrackingStateLabel(s.tracking_state))},
                      {"error", s.state == domain::ShipmentState::kFailed ? s.last_error : ""}};
}

Response JsonResponse(const json::value& v) {
  Response r = Response::Json(200, json::serialize(v));
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response FileResponse(const services::LabelFile& file) {
  Response r;
  r.status = 200;
  r.body = file.bytes;
  r.SetHeader("Content-Type", file.content_type);
  // File names are ours ("etykieta-<tracking>.pdf"); quotes and line breaks can't get in.
  std::string name;
  for (char c : file.file_name) {
    if (c != '"' && c != '\\' && c != '\r' && c != '\n') name += c;
  }
  r.SetHeader("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  return r;
}

struct LabelFormatInfo {
  domain::LabelFormat format;
  std::string_view param;  // as ?format= and the forms spell it (services::ParseLabelFormatParam)
  std::string_view name;
  std::string_view title;
};

constexpr LabelFormatInfo kLabelFormats[] = {
    {domain::LabelFormat::kPdfA6, "pdf-a6", "PDF A6", "PDF A6 – jedna etykieta na stronie"},
    {domain::LabelFormat::kPdfA4, "pdf-a4", "PDF A4", "PDF A4 – cztery na stronie"},
    {domain::LabelFormat::kZpl203, "zpl", "ZPL 203 dpi", "ZPL 203 dpi"},
    {domain::LabelFormat::kZpl300, "zpl-300", "ZPL 300 dpi", "ZPL 300 dpi"},
};

const LabelFormatInfo& InfoOf(domain::LabelFormat format) {
  for (const auto& f : kLabelFormats) {
    if (f.format == format) return f;
  }
  return kLabelFormats[0];
}

// The format a download asks for (?format=, the form's "format"), or the user's printer when it
// names none: a primary "Etykieta" link carries no format, so it follows the printer the user
// has now. nullopt: a format we don't know; an error: the database could not say.
Result<std::optional<domain::LabelFormat>> RequestedFormat(AppContext& app, const Principal& user,
                                                           const std::optional<std::string>& text) {
  if (!text || text->empty()) {
    NADAJNIK_ASSIGN_OR_RETURN(auto format, UserLabelFormat(app, user));
    return std::optional<domain::LabelFormat>(format);
  }
  return services::ParseLabelFormatParam(*text);
}

// The printer could not be read: logged, and the user asked to try again.
Response FormatUnavailable(const Error& e, const Request& req, const Principal& user) {
  log::Error("panel.label_format_failed",
             {{"error", e.Describe()}, {"request_id", req.request_id}});
  return ErrorPage(503, "Chwilowy problem",
                   "Nie udało się odczytać drukarki etykiet. Spróbuj za chwilę.", req, &user);
}

// An order page row's label links: the primary one (no format: the user's printer) and one per
// other format.
void AddLabelLinks(Data& row, const domain::Shipment& s, domain::LabelFormat printer) {
  const std::string base = fmt::format("/shipments/{}/label", s.id.value);
  const auto& mine = InfoOf(printer);
  row.set("label_url", base);
  row.set("label_param", std::string(mine.param));
  row.set("label_name", std::string(mine.name));
  row.set("label_title", std::string(mine.title));
  Data others = Data::type::list;
  for (const auto& f : kLabelFormats) {
    if (f.format == printer) continue;
    Data link;
    link.set("sep", std::string(others.is_empty_list() ? "" : " · "));
    link.set("url", base + "?format=" + std::string(f.param));
    link.set("param", std::string(f.param));
    link.set("name", std::string(f.name));
    link.set("title", std::string(f.title));
    others.push_back(link);
  }
  row.set("other_labels", others);
}

Response Unavailable(const Request& req, const Principal& user) {
  return ErrorPage(503, "Chwilowy problem", "Przesyłki są teraz niedostępne.", req, &user);
}

// ---- order page: create -------------------------------------------------------------------

CreateForm ReadCreateForm(const FormData& form) {
  CreateForm f;
  f.key = TruncateUtf8(FormField(form, "key"), 64);
  f.carrier = TruncateUtf8(FormField(form, "carrier"), 40);
  f.service = TruncateUtf8(Trim(FormField(form, "service")), 100);
  f.size_template = TruncateUtf8(Trim(FormField(form, "template")), 40);
  f.weight_kg = TruncateUtf8(Trim(FormField(form, "weight_kg")), 20);
  f.target_point = TruncateUtf8(Trim(FormField(form, "target_point")), 64);
  f.cod = TruncateUtf8(Trim(FormField(form, "cod")), 30);
  f.insurance = TruncateUtf8(Trim(FormField(form, "insurance")), 30);
  f.confirm = FormField(form, "confirm") == "1";
  return f;
}

// The draft of the form; field errors go into `f`.
services::ShipmentDraft DraftOf(CreateForm& f, const domain::Order& order) {
  services::ShipmentDraft d;
  d.carrier = domain::ParseCarrier(f.carrier);
  if (!d.carrier) f.field_errors["carrier"] = "Wybierz przewoźnika z listy.";
  d.service = f.service;
  domain::Parcel parcel;
  parcel.size_template = f.size_template;
  if (f.weight_kg.empty()) {
    parcel.weight_grams = 1000;
  } else if (auto g = KgToGrams(f.weight_kg); g && *g > 0) {
    parcel.weight_grams = *g;
  } else {
    f.field_errors["weight_kg"] = "Podaj wagę w kilogramach, np. 1,5 (do 1000 kg).";
  }
  d.parcels.push_back(parcel);
  d.target_point = f.target_point;
  const std::string currency(order.total.currency.code());
  d.override_cash_on_delivery = true;
  if (!f.cod.empty()) {
    auto m = ParseAmount(f.cod, currency);
    if (m) {
      d.cash_on_delivery = *m;
    } else {
      f.field_errors["cod"] = m.error().message;
    }
  }
  if (!f.insurance.empty()) {
    auto m = ParseAmount(f.insurance, currency);
    if (m) {
      d.insurance = *m;
    } else {
      f.field_errors["insurance"] = m.error().message;
    }
  }
  d.confirm_another = f.confirm;
  return d;
}

Response PostCreate(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  auto id = ParseId(req.PathParam("id").value_or(""));
  if (!id) {
    return ErrorPage(404, "Nie ma takiego zamówienia", "Sprawdź numer zamówienia.", req, &user);
  }
  auto order =
      app.store.Read([&](store::UnitOfWork& uow) { return uow.orders().Get(OrderId(*id)); });
  if (!order) return Unavailable(req, user);
  if (!*order) {
    return ErrorPage(404, "Nie ma takiego zamówienia", "Sprawdź numer zamówienia.", req, &user);
  }
  auto form_data = req.Form();
  CreateForm f = ReadCreateForm(*form_data);
  if (!IsFormKey(f.key)) {
    f.key = security::RandomToken(18);
    f.errors.push_back("Formularz wygasł: sprawdź dane i wyślij go ponownie.");
    return OrderPage(app, req, user, *id, 422, &f);
  }
  services::ShipmentDraft draft = DraftOf(f, **order);
  if (!f.field_errors.empty()) return OrderPage(app, req, user, *id, 422, &f);
  auto outcome = app.shipping->Request(OrderId(*id), draft, "panel:" + f.key, user.name);
  if (!outcome) {
    const Error& e = outcome.error();
    if (e.code != ErrorCode::kInvalidArgument && e.code != ErrorCode::kFailedPrecondition &&
        e.code != ErrorCode::kAlreadyExists && e.code != ErrorCode::kConflict &&
        e.code != ErrorCode::kNotFound) {
      log::Error("panel.shipment_failed",
                 {{"error", e.Describe()}, {"order_id", std::to_string(*id)}});
    }
    auto [field, message] = Refusal(e);
    if (field.empty()) {
      f.errors.push_back(message);
    } else {
      f.field_errors[field] = message;
    }
    const int status = e.code == ErrorCode::kAlreadyExists || e.code == ErrorCode::kConflict ? 409
                       : e.code == ErrorCode::kInvalidArgument                               ? 422
                       : e.code == ErrorCode::kFailedPrecondition                            ? 409
                                                                                             : 503;
    return OrderPage(app, req, user, *id, status, &f);
  }
  const domain::Shipment& s = outcome->shipment;
  log::Info("panel.shipment_requested", {{"by", user.name},
                                         {"order_id", std::to_string(*id)},
                                         {"shipment", std::to_string(s.id.value)},
                                         {"created", outcome->created ? "true" : "false"}});
  Flash flash;
  flash.kind = "ok";
  if (outcome->created) {
    flash.lines.push_back(
        fmt::format("Zlecono przesyłkę {} ({}). Numer nadania pojawi się, gdy "
                    "przewoźnik ją potwierdzi.",
                    domain::CarrierDisplayName(s.carrier), s.service));
  } else {
    flash.kind = "notice";
    flash.lines.push_back(
        "Ten formularz został już wysłany: pokazujemy przesyłkę utworzoną za pierwszym razem "
        "(nie utworzono drugiej).");
  }
  Response r = Response::Redirect(fmt::format("/orders/{}#przesylki", *id));
  SetFlash(r, flash, Secure(app, req));
  return r;
}

// ---- order page: shipments JSON (the page's progress) ------------------------------------------

// {"pending": any still being made, "shipments": [their states]} for the page's polling script.
Response StatesResponse(const std::vector<domain::Shipment>& list) {
  json::array out;
  bool pending = false;
  for (const auto& s : list) {
    pending = pending || InProgress(s);
    out.push_back(ShipmentState(s));
  }
  return JsonResponse(json::object{{"pending", pending}, {"shipments", std::move(out)}});
}

Response OrderShipmentsJson(AppContext& app, Request& req) {
  auto id = ParseId(req.PathParam("id").value_or(""));
  if (!id) return Response::Json(404, R"({"error":"no such order"})");
  auto list = app.store.Read(
      [&](store::UnitOfWork& uow) { return uow.shipments().ListForOrder(OrderId(*id)); });
  if (!list) return Response::Json(503, R"({"error":"unavailable"})");
  return StatesResponse(*list);
}

std::vector<ShipmentId> ParseIdList(const std::string& text, std::size_t max) {
  std::vector<ShipmentId> out;
  std::size_t start = 0;
  while (start <= text.size() && out.size() <= max) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (auto v = ParseId(std::string_view(text).substr(start, comma - start))) {
      out.emplace_back(*v);
    }
    start = comma + 1;
  }
  return out;
}

Response StatesJson(AppContext& app, Request& req) {
  const auto ids = ParseIdList(TruncateUtf8(req.QueryParam("ids").value_or(""), 20000), kMaxBulk);
  auto list = app.store.Read([&](store::UnitOfWork& uow) -> Result<std::vector<domain::Shipment>> {
    std::vector<domain::Shipment> out;
    for (const auto& id : ids) {
      NADAJNIK_ASSIGN_OR_RETURN(auto s, uow.shipments().Get(id));
      if (s) out.push_back(std::move(*s));
    }
    return out;
  });
  if (!list) return Response::Json(503, R"({"error":"unavailable"})");
  return StatesResponse(*list);
}

// ---- labels --------------------------------------------------------------------------------

Response LabelError(const Error& e, const Request& req, const Principal& user) {
  if (e.code == ErrorCode::kNotFound) {
    return ErrorPage(404, "Nie ma takiej przesyłki", "Sprawdź numer przesyłki.", req, &user);
  }
  if (e.code == ErrorCode::kFailedPrecondition || e.code == ErrorCode::kInvalidArgument) {
    return ErrorPage(409, "Etykieta niedostępna", Capitalized(e.message) + ".", req, &user);
  }
  log::Error("panel.label_failed", {{"error", e.Describe()}, {"request_id", req.request_id}});
  return ErrorPage(503, "Etykieta niedostępna",
                   "Nie udało się pobrać etykiety od przewoźnika. Spróbuj za chwilę.", req, &user);
}

Response GetLabel(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  auto id = ParseId(req.PathParam("id").value_or(""));
  if (!id) return ErrorPage(404, "Nie ma takiej przesyłki", "Sprawdź numer przesyłki.", req, &user);
  auto format = RequestedFormat(app, user, req.QueryParam("format"));
  if (!format) return FormatUnavailable(format.error(), req, user);
  if (!*format) {
    return ErrorPage(400, "Nieznany format etykiety", "Wybierz PDF A6, PDF A4 albo ZPL.", req,
                     &user);
  }
  auto label = app.shipping->Label(ShipmentId(*id), **format);
  if (!label) return LabelError(label.error(), req, user);
  return FileResponse(*label);
}

// The merged labels of shipments (GET /labels?shipments=1,2,3&format=pdf-a6), in that order; it
// waits a while for labels that are still being made (a bulk action's link, clicked at once).
Response GetMergedLabels(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  const auto ids =
      ParseIdList(TruncateUtf8(req.QueryParam("shipments").value_or(""), 20000), kMaxBulk);
  if (ids.empty() || ids.size() > kMaxBulk) {
    return ErrorPage(400, "Brak przesyłek", "Wybierz przesyłki, których etykiety pobrać.", req,
                     &user);
  }
  auto format = RequestedFormat(app, user, req.QueryParam("format"));
  if (!format) return FormatUnavailable(format.error(), req, user);
  if (!*format) {
    return ErrorPage(400, "Nieznany format etykiety", "Wybierz PDF A6, PDF A4 albo ZPL.", req,
                     &user);
  }
  const auto deadline = std::chrono::steady_clock::now() + kLabelWait;
  std::vector<std::string> failed;
  for (const auto& id : ids) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto s = app.shipping->Await(id, std::max(left, std::chrono::milliseconds(0)));
    if (!s) return LabelError(s.error(), req, user);
    if (s->state != domain::ShipmentState::kLabelReady) {
      failed.push_back(fmt::format("{} ({})", id.value, StateLabel(s->state)));
    }
  }
  if (!failed.empty()) {
    std::string list;
    for (const auto& f : failed) list += (list.empty() ? "" : ", ") + f;
    return ErrorPage(409, "Nie wszystkie etykiety są gotowe",
                     fmt::format("Przesyłki bez etykiety: {}. Spróbuj za chwilę albo pomiń je.",
                                 TruncateUtf8(list, 1500)),
                     req, &user);
  }
  auto file = app.shipping->MergedLabels(ids, **format);
  if (!file) return LabelError(file.error(), req, user);
  return FileResponse(*file);
}

// ---- cancel --------------------------------------------------------------------------------

Response CancelConfirmPage(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  auto id = ParseId(req.PathParam("id").value_or(""));
  if (!id) return ErrorPage(404, "Nie ma takiej przesyłki", "Sprawdź numer przesyłki.", req, &user);
  auto s = app.shipping->Get(ShipmentId(*id));
  if (!s) return LabelError(s.error(), req, user);
  Data d;
  d.set("csrf_token", user.csrf_token);
  d.set("shipment", ShipmentRow(*s));
  d.set("order_id", std::to_string(s->order_id.value));
  return Page(200, "shipment_cancel", d, {"Anulowanie przesyłki", &user, "orders"});
}

Response PostCancel(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  auto id = ParseId(req.PathParam("id").value_or(""));
  if (!id) return ErrorPage(404, "Nie ma takiej przesyłki", "Sprawdź numer przesyłki.", req, &user);
  auto before = app.shipping->Get(ShipmentId(*id));
  if (!before) return LabelError(before.error(), req, user);
  auto form = req.Form();
  Response r = Response::Redirect(fmt::format("/orders/{}#przesylki", before->order_id.value));
  Flash flash;
  if (FormField(*form, "confirm") != "1") {
    flash.kind = "error";
    flash.lines.push_back("Nie anulowano: potwierdź anulowanie przesyłki.");
    SetFlash(r, flash, Secure(app, req));
    return r;
  }
  auto cancelled = app.shipping->Cancel(ShipmentId(*id), user.name);
  if (!cancelled) {
    const Error& e = cancelled.error();
    flash.kind = "error";
    if (e.code == ErrorCode::kFailedPrecondition) {
      flash.lines.push_back("Nie anulowano przesyłki: " + e.message + ".");
    } else {
      log::Error("panel.cancel_failed",
                 {{"error", e.Describe()}, {"shipment", std::to_string(*id)}});
      flash.lines.push_back(
          "Nie anulowano przesyłki: przewoźnik nie odpowiada lub odmówił. Spróbuj ponownie albo "
          "anuluj ją w panelu przewoźnika.");
    }
  } else {
    flash.kind = "ok";
    flash.lines.push_back(fmt::format(
        "Anulowano przesyłkę {}{}.", domain::CarrierDisplayName(cancelled->carrier),
        cancelled->tracking_number.empty() ? std::string() : " " + cancelled->tracking_number));
    log::Info("panel.shipment_cancelled", {{"by", user.name}, {"shipment", std::to_string(*id)}});
  }
  SetFlash(r, flash, Secure(app, req));
  return r;
}

// ---- bulk ----------------------------------------------------------------------------------

// The selected orders in the list's order (form fields come in document order; a multimap keeps
// equal keys in insertion order).
}  // namespace

std::vector<OrderId> SelectedOrders(const FormData& form) {
  std::vector<OrderId> out;
  std::set<std::int64_t> seen;
  auto [begin, end] = form.equal_range("order");
  for (auto it = begin; it != end && out.size() <= kMaxBulk; ++it) {
    if (auto v = ParseId(it->second); v && seen.insert(*v).second) out.emplace_back(*v);
  }
  return out;
}

namespace {

Response BackWithError(AppContext& app, const Request& req, const std::string& back,
                       const std::string& message) {
  Response r = Response::Redirect(SafeBack(back));
  SetFlash(r, Flash{"error", {message}}, Secure(app, req));
  return r;
}

Response PostBulkCreate(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  auto form = req.Form();
  const std::string back = FormField(*form, "back");
  const auto orders = SelectedOrders(*form);
  if (orders.empty()) {
    return BackWithError(app, req, back, "Zaznacz co najmniej jedno zamówienie.");
  }
  if (orders.size() > kMaxBulk) {
    return BackWithError(app, req, back,
                         fmt::format("Zaznacz najwyżej {} zamówień naraz.", kMaxBulk));
  }
  const std::string bulk_key = FormField(*form, "bulk_key");
  if (!IsFormKey(bulk_key)) {
    return BackWithError(app, req, back, "Formularz wygasł: zaznacz zamówienia ponownie.");
  }
  services::ShipmentDraft draft;
  draft.carrier = domain::ParseCarrier(FormField(*form, "carrier"));
  if (!draft.carrier) return BackWithError(app, req, back, "Wybierz przewoźnika.");
  draft.service = TruncateUtf8(Trim(FormField(*form, "service")), 100);
  const std::string size_template = TruncateUtf8(Trim(FormField(*form, "template")), 40);
  if (!size_template.empty()) {
    // Empty parcels take the contract's template and weight; a chosen template keeps the weight.
    domain::Parcel p;
    p.size_template = size_template;
    p.weight_grams = 1000;
    draft.parcels.push_back(p);
  }
  // Shipments cost money: the selection is confirmed once, on a page that says what will be
  // created, before anything reaches the carrier. The page posts the same fields back.
  if (FormField(*form, "confirmed") != "1") {
    Data d;
    d.set("csrf_token", user.csrf_token);
    d.set("bulk_key", bulk_key);
    d.set("back", SafeBack(back));
    d.set("carrier_code", std::string(domain::CarrierCode(*draft.carrier)));
    d.set("carrier", std::string(domain::CarrierDisplayName(*draft.carrier)));
    d.set("service", draft.service);
    d.set("template", size_template);
    d.set("count", std::to_string(orders.size()));
    Data ids = Data::type::list;
    for (const auto& id : orders) ids.push_back(Data(std::to_string(id.value)));
    d.set("orders", ids);
    return Page(200, "shipments_bulk_confirm", d, {"Potwierdź przesyłki", &user, "orders"});
  }
  auto results = app.shipping->RequestBulk(orders, draft, "panel-bulk:" + bulk_key, user.name);

  // The orders' names for the page (checkout form ids, buyers).
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) {
    std::map<std::int64_t, domain::Order> out;
    for (const auto& id : orders) {
      if (auto o = uow.orders().Get(id); o && *o) out.emplace(id.value, std::move(**o));
    }
    return Result<std::map<std::int64_t, domain::Order>>(std::move(out));
  });
  std::map<std::int64_t, domain::Order> by_id =
      loaded ? std::move(*loaded) : std::map<std::int64_t, domain::Order>{};
  Data rows = Data::type::list;
  std::string label_ids;
  int created = 0, existing = 0, refused = 0;
  bool pending = false;
  for (const auto& r : results) {
    Data row;
    row.set("order_id", std::to_string(r.order.value));
    if (auto it = by_id.find(r.order.value); it != by_id.end()) {
      row.set("short_id", it->second.checkout_form_id.value.substr(0, 8));
      row.set("buyer", it->second.buyer.first_name + " " + it->second.buyer.last_name);
    } else {
      row.set("short_id", std::to_string(r.order.value));
    }
    if (r.outcome) {
      const domain::Shipment& s = r.outcome->shipment;
      row.set("result", r.outcome->created ? "Utworzono" : "Już istniała");
      row.set("result_code", r.outcome->created ? "created" : "existing");
      row.set("result_class", "good");
      row.set("shipment", ShipmentRow(s));
      (r.outcome->created ? created : existing)++;
      pending = pending || InProgress(s);
      if (s.state != domain::ShipmentState::kFailed &&
          s.state != domain::ShipmentState::kCancelled) {
        label_ids += (label_ids.empty() ? "" : ",") + std::to_string(s.id.value);
      }
    } else {
      row.set("result", "Odmowa");
      row.set("result_code", "refused");
      row.set("result_class", "warn");
      row.set("reason", Refusal(r.outcome.error()).second);
      ++refused;
    }
    rows.push_back(row);
  }
  log::Info("panel.bulk_shipments", {{"by", user.name},
                                     {"orders", std::to_string(orders.size())},
                                     {"created", std::to_string(created)},
                                     {"existing", std::to_string(existing)},
                                     {"refused", std::to_string(refused)}});
  Data d;
  d.set("rows", rows);
  d.set("carrier", std::string(domain::CarrierDisplayName(*draft.carrier)));
  d.set("total", std::to_string(results.size()));
  d.set("created", std::to_string(created));
  d.set("existing", std::to_string(existing));
  d.set("refused", std::to_string(refused));
  d.set("has_refused", refused > 0);
  d.set("pending", pending);
  d.set("back", SafeBack(back));
  if (!label_ids.empty()) {
    // The primary link names no format (the user's printer, read when it is clicked); the
    // others are explicit.
    auto printer = UserLabelFormat(app, user);
    if (!printer) log::Warn("panel.label_format_failed", {{"error", printer.error().Describe()}});
    const auto& mine = InfoOf(printer ? *printer : domain::LabelFormat::kPdfA6);
    Data labels;
    labels.set("ids", label_ids);
    labels.set("url", "/labels?shipments=" + label_ids);
    labels.set("param", std::string(mine.param));
    labels.set("name", std::string(mine.name));
    labels.set("title", std::string(mine.title));
    Data others = Data::type::list;
    for (const auto& f : kLabelFormats) {
      if (f.format == mine.format) continue;
      Data link;
      link.set("sep", std::string(others.is_empty_list() ? "" : " · "));
      link.set("url", fmt::format("/labels?format={}&shipments={}", f.param, label_ids));
      link.set("param", std::string(f.param));
      link.set("name", std::string(f.name));
      link.set("title", std::string(f.title));
      others.push_back(link);
    }
    labels.set("others", others);
    labels.set("states", "/shipments/states.json?ids=" + label_ids);
    d.set("labels", labels);
  }
  return Page(200, "shipments_bulk", d, {"Przesyłki: wynik", &user, "orders"});
}

// "Pobierz etykiety" for the orders selected on the list: their newest labels, in the list's
// order, as one file.
Response PostSelectionLabels(AppContext& app, Request& req, const Principal& user) {
  if (!app.shipping) return Unavailable(req, user);
  auto form = req.Form();
  const std::string back = FormField(*form, "back");
  const auto orders = SelectedOrders(*form);
  if (orders.empty()) {
    return BackWithError(app, req, back, "Zaznacz co najmniej jedno zamówienie.");
  }
  auto format = RequestedFormat(app, user, FormField(*form, "format"));
  if (!format) {
    log::Error("panel.label_format_failed", {{"error", format.error().Describe()}});
    return BackWithError(app, req, back, "Nie pobrano etykiet: chwilowy problem.");
  }
  if (!*format) {
    return BackWithError(app, req, back, "Wybierz format: PDF A6, PDF A4 albo ZPL.");
  }
  auto ids = app.shipping->LabelShipmentsOf(orders);
  if (!ids) {
    if (ids.error().code != ErrorCode::kFailedPrecondition) {
      log::Error("panel.labels_failed", {{"error", ids.error().Describe()}});
    }
    return BackWithError(app, req, back,
                         ids.error().code == ErrorCode::kFailedPrecondition
                             ? "Nie pobrano etykiet: " + ids.error().message +
                                   ". Utwórz im przesyłki albo odznacz je."
                             : std::string("Nie pobrano etykiet: chwilowy problem."));
  }
  auto file = app.shipping->MergedLabels(*ids, **format);
  if (!file) {
    log::Warn("panel.labels_failed", {{"error", file.error().Describe()}});
    return BackWithError(app, req, back,
                         "Nie pobrano etykiet: " + Capitalized(file.error().message) + ".");
  }
  return FileResponse(*file);
}

}  // namespace

// ---- the order page's data -----------------------------------------------------------------

void AddToOrderPage(AppContext& app, const domain::Order& order, const Principal& user, Data& d,
                    const CreateForm* form) {
  d.set("shipping_enabled", app.shipping != nullptr);
  if (!app.shipping) return;
  struct Loaded {
    std::vector<domain::Shipment> shipments;
    std::vector<domain::CarrierSettings> contracts;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.shipments, uow.shipments().ListForOrder(order.id));
    NADAJNIK_ASSIGN_OR_RETURN(l.contracts, EnabledContracts(uow, order.account_id));
    return l;
  });
  if (!loaded) {
    log::Error("panel.shipments_failed", {{"error", loaded.error().Describe()}});
    d.set("shipping_error", std::string("Nie udało się wczytać przesyłek. Odśwież stronę."));
    return;
  }
  auto printer = UserLabelFormat(app, user);
  if (!printer) log::Warn("panel.label_format_failed", {{"error", printer.error().Describe()}});
  Data rows = Data::type::list;
  bool pending = false;
  const domain::Shipment* active = nullptr;
  for (const auto& s : loaded->shipments) {
    Data row = ShipmentRow(s);
    AddLabelLinks(row, s, printer ? *printer : domain::LabelFormat::kPdfA6);
    rows.push_back(row);
    pending = pending || InProgress(s);
    if (s.active()) active = &s;
  }
  d.set("shipments", rows);
  d.set("has_shipments", !loaded->shipments.empty());
  d.set("shipments_pending", pending);
  d.set("shipments_json", fmt::format("/orders/{}/shipments.json", order.id.value));

  const bool can_create = !order.read_only() && !order.cancelled() && !order.merged_into;
  if (!can_create) return;
  if (loaded->contracts.empty()) {
    d.set("no_contracts", true);
    return;
  }
  Data f;
  f.set("key", form ? form->key : security::RandomToken(18));
  const std::string chosen =
      form ? form->carrier : std::string(domain::CarrierCode(loaded->contracts.front().carrier));
  const domain::CarrierSettings* selected = &loaded->contracts.front();
  Data carriers = Data::type::list;
  for (const auto& c : loaded->contracts) {
    Data item;
    const std::string code(domain::CarrierCode(c.carrier));
    item.set("code", code);
    item.set("name", std::string(domain::CarrierDisplayName(c.carrier)));
    item.set("selected", code == chosen);
    if (code == chosen) selected = &c;
    item.set("default_service", Setting(c, "default_service"));
    item.set("default_template", Setting(c, "default_template"));
    item.set("default_weight", GramsToKg(Setting(c, "default_weight_grams")));
    carriers.push_back(item);
  }
  f.set("carriers", carriers);
  const std::string currency(order.total.currency.code());
  f.set("currency", currency);
  if (form) {
    f.set("service", form->service);
    f.set("template", form->size_template);
    f.set("weight_kg", form->weight_kg);
    f.set("target_point", form->target_point);
    f.set("cod", form->cod);
    f.set("insurance", form->insurance);
    f.set("confirm", form->confirm);
  } else {
    f.set("service", Setting(*selected, "default_service"));
    f.set("template", Setting(*selected, "default_template"));
    f.set("weight_kg", GramsToKg(Setting(*selected, "default_weight_grams")));
    f.set("target_point",
          order.delivery.pickup_point ? order.delivery.pickup_point->id : std::string());
    std::string cod;
    if (order.cash_on_delivery()) {
      cod = order.total.AmountString();
      std::replace(cod.begin(), cod.end(), '.', ',');
    }
    f.set("cod", cod);
    f.set("insurance", std::string());
    f.set("confirm", false);
  }
  f.set("cod_order", order.cash_on_delivery());
  if (order.delivery.pickup_point) f.set("pickup_point", order.delivery.pickup_point->id);
  if (active) {
    Data a;
    a.set("id", std::to_string(active->id.value));
    a.set("carrier", std::string(domain::CarrierDisplayName(active->carrier)));
    SetIf(a, "tracking_number", active->tracking_number);
    f.set("active", a);
  }
  for (const char* field : {"carrier", "service", "template", "weight_kg", "target_point", "cod",
                            "insurance", "confirm"}) {
    const std::string name(field);
    if (form) {
      if (auto it = form->field_errors.find(name); it != form->field_errors.end()) {
        f.set(name + "_error", it->second);
        f.set(name + "_invalid", true);
        continue;
      }
    }
    f.set(name + "_invalid", false);
  }
  Data errors = Data::type::list;
  if (form) {
    for (const auto& e : form->errors) {
      Data item;
      item.set("text", e);
      errors.push_back(item);
    }
  }
  f.set("errors", errors);
  f.set("has_errors", form && (!form->errors.empty() || !form->field_errors.empty()));
  d.set("ship_form", f);
}

void AddToOrdersList(AppContext& app, const std::vector<AccountId>& accounts,
                     const std::string& back, const Principal& user, Data& d) {
  if (!app.shipping) return;
  auto contracts = app.store.Read([&](store::UnitOfWork& uow) -> Result<std::set<domain::Carrier>> {
    std::set<domain::Carrier> out;
    for (const auto& a : accounts) {
      NADAJNIK_ASSIGN_OR_RETURN(auto list, EnabledContracts(uow, a));
      for (const auto& c : list) out.insert(c.carrier);
    }
    return out;
  });
  Data bulk;
  bulk.set("key", security::RandomToken(18));
  bulk.set("back", SafeBack(back));
  Data carriers = Data::type::list;
  if (contracts) {
    for (auto c : *contracts) {
      Data item;
      item.set("code", std::string(domain::CarrierCode(c)));
      item.set("name", std::string(domain::CarrierDisplayName(c)));
      carriers.push_back(item);
    }
  }
  bulk.set("carriers", carriers);
  bulk.set("has_carriers", contracts && !contracts->empty());
  auto printer = UserLabelFormat(app, user);
  if (!printer) log::Warn("panel.label_format_failed", {{"error", printer.error().Describe()}});
  bulk.set("label_formats", LabelFormatOptions(printer ? *printer : domain::LabelFormat::kPdfA6));
  d.set("bulk", bulk);
}

Result<domain::LabelFormat> UserLabelFormat(AppContext& app, const Principal& user) {
  if (!user.user_id.valid()) return domain::LabelFormat::kPdfA6;
  NADAJNIK_ASSIGN_OR_RETURN(auto found, app.store.Read([&](store::UnitOfWork& uow) {
    return uow.users().Get(user.user_id);
  }));
  return found ? found->label_format : domain::LabelFormat::kPdfA6;
}

Data LabelFormatOptions(domain::LabelFormat selected) {
  Data list = Data::type::list;
  for (const auto& f : kLabelFormats) {
    Data item;
    item.set("param", std::string(f.param));
    item.set("name", std::string(f.name));
    item.set("title", std::string(f.title));
    item.set("selected", f.format == selected);
    list.push_back(item);
  }
  return list;
}

std::string LabelFormatDisplayName(domain::LabelFormat format) {
  return std::string(InfoOf(format).name);
}

void RegisterRoutes(Router& router, AppContext& app, const Guard& guard) {
  router.Post("/orders/{id}/shipments", guard(false, [&app](Request& req, const Principal& p) {
                return PostCreate(app, req, p);
              }));
  router.Get("/orders/{id}/shipments.json", guard(false, [&app](Request& req, const Principal&) {
               return OrderShipmentsJson(app, req);
             }));
  router.Get("/shipments/states.json",
             guard(false, [&app](Request& req, const Principal&) { return StatesJson(app, req); }));
  router.Post("/shipments/bulk", guard(false, [&app](Request& req, const Principal& p) {
                return PostBulkCreate(app, req, p);
              }));
  router.Get("/shipments/{id}/label", guard(false, [&app](Request& req, const Principal& p) {
               return GetLabel(app, req, p);
             }));
  router.Get("/shipments/{id}/cancel", guard(false, [&app](Request& req, const Principal& p) {
               return CancelConfirmPage(app, req, p);
             }));
  router.Post("/shipments/{id}/cancel", guard(false, [&app](Request& req, const Principal& p) {
                return PostCancel(app, req, p);
              }));
  router.Get("/labels", guard(false, [&app](Request& req, const Principal& p) {
               return GetMergedLabels(app, req, p);
             }));
  router.Post("/labels", guard(false, [&app](Request& req, const Principal& p) {
                return PostSelectionLabels(app, req, p);
              }));
}

}  // namespace nadajnik::http::panel::shipping
