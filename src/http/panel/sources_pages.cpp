// The order sources pages (/sources): marketplace accounts, their health, adding one, the
// browser authorization with the marketplace and the manual import. Registered behind the
// panel's guard in panel.cpp (session, role, CSRF).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "core/text.hpp"
#include "http/error_status.hpp"
#include "http/panel/panel.hpp"
#include "http/panel/views.hpp"
#include "marketplace/account_authorizer.hpp"
#include "marketplace/request_budget_view.hpp"
#include "observability/log.hpp"
#include "services/account_service.hpp"
#include "services/order_import.hpp"
#include "store/store.hpp"

namespace nadajnik::http::panel::sources {

namespace {

using services::Principal;

constexpr std::size_t kRawExcerptBytes = 2048;
constexpr int kIncidentsShown = 100;
constexpr int kFailuresShown = 100;

std::string FormField(const FormData& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

bool Secure(const AppContext& app, const Request& req) { return app.secure_cookies || req.tls; }

std::string StateLabel(domain::AccountState s) {
  switch (s) {
    case domain::AccountState::kActive:
      return "aktywne";
    case domain::AccountState::kNeedsReauthorization:
      return "wymaga ponownej autoryzacji";
    case domain::AccountState::kNew:
      return "nowe";
    case domain::AccountState::kDisabled:
      return "wyłączone";
  }
  return "?";
}

std::string StateClass(domain::AccountState s) {
  switch (s) {
    case domain::AccountState::kActive:
      return "good";
    case domain::AccountState::kNeedsReauthorization:
      return "warn";
    default:
      return "";
  }
}

std::string EnvironmentLabel(domain::AccountEnvironment e) {
  switch (e) {
    case domain::AccountEnvironment::kProduction:
      return "produkcja";
    case domain::AccountEnvironment::kSandbox:
      return "sandbox Allegro";
    case domain::AccountEnvironment::kCustom:
      return "własne adresy";
  }
  return "?";
}

// "45 s", "12 min", "3 h", "2 dni": how long ago, for a seller's eyes.
std::string Ago(std::chrono::milliseconds d) {
  const auto s = std::max<std::int64_t>(0, d.count() / 1000);
  if (s < 90) return fmt::format("{} s", s);
  if (s < 90 * 60) return fmt::format("{} min", s / 60);
  if (s < 48 * 3600) return fmt::format("{} h", s / 3600);
  return fmt::format("{} dni", s / 86400);
}

std::string Time(const std::optional<Timestamp>& t) { return t ? FormatLocal(*t) : std::string(); }

// kainjow treats an empty string as true in {{#section}}: optional text is set only when present.
void SetIf(Data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

// A stored reason or error in the seller's words. The connector and the jobs store English text
// (the CLI, the API and logs show it as is); the panel explains the known ones in Polish and keeps
// the original beside it for support. Unknown text is shown as stored.
struct SellerText {
  std::string text;      // what the seller reads
  std::string original;  // the stored text when `text` is a translation, else ""
};

SellerText ExplainForSeller(const std::string& stored) {
  const auto has = [&](std::string_view what) { return stored.find(what) != std::string::npos; };
  std::string polish;
  if (has("invalid_grant")) {
    polish = "Allegro odrzuciło token odświeżania (invalid_grant): autoryzuj konto ponownie.";
  } else if (has("fresh token")) {
    polish = "Allegro nie przyjmuje nowego tokenu tego konta: autoryzuj konto ponownie.";
  } else if (has("client id or secret")) {
    polish =
        "Allegro odrzuciło Client ID lub Client Secret aplikacji: sprawdź je w danych konta i "
        "autoryzuj ponownie.";
  } else if (has("authorized as Allegro user")) {
    polish =
        "Autoryzowano innego sprzedawcę Allegro niż ten, do którego należy konto: zaloguj się w "
        "Allegro jako właściwy sprzedawca i autoryzuj ponownie.";
  } else if (has("(429)") || has("limits requests") || has("request budget")) {
    polish =
        "Allegro ogranicza liczbę zapytań tej aplikacji (429): Nadajnik odczeka i ponowi "
        "zapytania sam.";
  }
  if (polish.empty()) return {stored, ""};
  return {polish, stored};
}

void SetExplained(Data& d, const std::string& key, const std::string& stored) {
  if (stored.empty()) return;
  SellerText t = ExplainForSeller(stored);
  d.set(key, t.text);
  SetIf(d, key + "_original", t.original);
}

// The last error stays stored until the next successful journal read; once the account is
// active again after it (re-authorized) or the journal was read since, it is history.
bool ErrorResolved(const domain::MarketplaceAccount& a) {
  if (a.last_error.empty() || !a.last_error_at) return false;
  if (a.last_journal_read_at && *a.last_journal_read_at >= *a.last_error_at) return true;
  return a.state == domain::AccountState::kActive && a.state_changed_at &&
         *a.state_changed_at >= *a.last_error_at;
}

void SetLastError(Data& d, const domain::MarketplaceAccount& a) {
  if (a.last_error.empty()) return;
  if (ErrorResolved(a)) {
    SetIf(d, "resolved_error_at", Time(a.last_error_at));
    d.set("error_resolved", true);
    return;
  }
  SetExplained(d, "last_error", a.last_error);
  SetIf(d, "last_error_at", Time(a.last_error_at));
}

// The access token: whether Allegro accepts it, and until when (it is refreshed ahead of expiry).
void SetToken(Data& d, const domain::MarketplaceAccount& a, Timestamp now) {
  std::string text;
  std::string cls;
  switch (a.state) {
    case domain::AccountState::kNew:
      text = "brak: konto nie jest jeszcze autoryzowane";
      break;
    case domain::AccountState::kNeedsReauthorization:
      text = "nieważny: Allegro go odrzuciło";
      cls = "warn";
      break;
    case domain::AccountState::kDisabled:
      text = "nieużywany: konto wyłączone";
      break;
    case domain::AccountState::kActive:
      if (!a.access_token_expires_at) {
        text = "brak daty ważności";
      } else if (*a.access_token_expires_at > now) {
        text = "ważny do " + FormatLocal(*a.access_token_expires_at);
        cls = "good";
      } else {
        text = "wygasł " + FormatLocal(*a.access_token_expires_at) +
               "; zostanie odświeżony przy następnym zapytaniu";
      }
      break;
  }
  d.set("token", text);
  SetIf(d, "token_class", cls);
}

// The journal: when it was last read, and how far behind now its newest event is.
void SetJournal(Data& d, const domain::MarketplaceAccount& a, Timestamp now) {
  if (a.last_journal_read_at) {
    d.set("journal_read_at", FormatLocal(*a.last_journal_read_at));
    d.set("journal_read_ago", Ago(now - *a.last_journal_read_at));
  }
  if (a.journal_position_at) {
    d.set("journal_position_at", FormatLocal(*a.journal_position_at));
    d.set("journal_position_ago", Ago(now - *a.journal_position_at));
  }
}

// The request budget of the account's application (client id), as this process counts it.
void SetBudget(Data& d, const std::optional<marketplace::RequestBudgetUsage>& budget,
               Timestamp now) {
  if (!budget) return;
  const auto& b = *budget;
  Data v;
  v.set("used", std::to_string(b.used_last_minute));
  v.set("limit", std::to_string(b.limit));
  const double share = b.limit > 0 ? 100.0 * b.used_last_minute / b.limit : 0.0;
  v.set("percent", fmt::format("{:.0f}", share));
  v.set("high", share >= 80.0);
  if (b.blocked_until && *b.blocked_until > now) {
    v.set("blocked_until", FormatLocal(*b.blocked_until));
  }
  if (b.last_rate_limited_at) {
    v.set("last_429_at", FormatLocal(*b.last_rate_limited_at));
    v.set("last_retry_after",
          b.last_retry_after
              ? fmt::format("Retry-After {} s", (b.last_retry_after->count() + 999) / 1000)
              : std::string("bez Retry-After"));
    v.set("rate_limited_total", std::to_string(b.rate_limited_total));
  }
  SetIf(v, "counted_since", Time(b.counted_since));
  d.set("budget", v);
}

// The panel's own address for the OAuth redirect: the configured public URL, else the scheme
// and Host of this request. Host is untrusted: only a plain host[:port] is accepted (the
// marketplace checks the redirect URI against its registration anyway).
std::optional<std::string> PanelBase(const AppContext& app, const Request& req) {
  if (!app.public_url.empty()) {
    std::string base = app.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
  }
  const std::string_view host = req.Header("Host").value_or("");
  if (host.empty() || host.size() > 255) return std::nullopt;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return std::nullopt;
  }
  return fmt::format("{}://{}", req.tls ? "https" : "http", host);
}

// ---- the add form --------------------------------------------------------------------------

struct AddForm {
  std::string alias;
  std::string name;
  std::string environment = "production";
  std::string auth_url;
  std::string api_url;
  std::string client_id;
  std::map<std::string, std::vector<std::string>> field_errors;  // field -> Polish messages
  std::vector<std::string> errors;                               // not tied to a field
};

// Each problem of the form goes next to its field, worded in Polish here; the service keys them
// by field and kind (AccountService::Validate).
void AttachProblems(const std::vector<services::FieldProblem>& problems, AddForm& form) {
  for (const auto& p : problems) {
    std::string text;
    if (p.field == "alias") {
      text = "Alias to dokładnie dwie litery lub cyfry, np. AB.";
    } else if (p.field == "name") {
      text = "Podaj nazwę konta (do 100 znaków).";
    } else if (p.field == "client_id") {
      text = "Podaj Client ID aplikacji (z apps.developer.allegro.pl).";
    } else if (p.field == "client_secret") {
      text = "Podaj Client Secret aplikacji (z apps.developer.allegro.pl).";
    } else if (p.field == "environment") {
      text = "Wybierz środowisko: produkcja, sandbox Allegro albo własne adresy.";
    } else if (p.field == "auth_url" || p.field == "api_url") {
      const std::string what =
          p.field == "auth_url" ? "adres serwera autoryzacji" : "adres REST API";
      if (p.kind == "required") {
        text = fmt::format("Podaj {} (wymagany dla własnych adresów).", what);
      } else if (p.kind == "scheme") {
        text = "Adres musi zaczynać się od https:// (http:// tylko dla lokalnego sandboksa).";
      } else {
        text = "Podaj sam adres bazowy: bez spacji, znaków ? i # (do 500 znaków).";
      }
    } else {
      form.errors.push_back(p.message);
      continue;
    }
    form.field_errors[p.field].push_back(text);
  }
}

void AttachProblems(const Error& e, AddForm& form) {
  if (e.code == ErrorCode::kAlreadyExists) {
    auto alias = domain::NormalizeAlias(form.alias);
    form.field_errors["alias"].push_back(
        fmt::format("Alias {} ma już inne konto: wybierz inne dwie litery lub cyfry.",
                    alias ? *alias : form.alias));
    return;
  }
  form.errors.push_back(e.message);
}

Data FieldErrors(const AddForm& form, const std::string& field) {
  Data list = Data::type::list;
  auto it = form.field_errors.find(field);
  if (it == form.field_errors.end()) return list;
  for (const auto& text : it->second) {
    Data item;
    item.set("text", text);
    list.push_back(item);
  }
  return list;
}

Data AddFormData(const AddForm& form) {
  Data d;
  d.set("alias", form.alias);
  d.set("name", form.name);
  d.set("auth_url", form.auth_url);
  d.set("api_url", form.api_url);
  d.set("client_id", form.client_id);
  d.set("env_production", form.environment == "production");
  d.set("env_sandbox", form.environment == "sandbox");
  d.set("env_custom", form.environment == "custom");
  for (const char* field :
       {"alias", "name", "environment", "auth_url", "api_url", "client_id", "client_secret"}) {
    const bool has = form.field_errors.contains(field);
    d.set(std::string(field) + "_errors", FieldErrors(form, field));
    d.set(std::string(field) + "_invalid", has);
  }
  Data general = Data::type::list;
  for (const auto& text : form.errors) {
    Data item;
    item.set("text", text);
    general.push_back(item);
  }
  d.set("errors", general);
  d.set("has_errors", !form.errors.empty() || !form.field_errors.empty());
  return d;
}

Response SourcesPage(AppContext& app, Request& req, const Principal& user, int status,
                     const AddForm& form) {
  if (app.accounts == nullptr) {
    return ErrorPage(503, "Chwilowy problem", "Źródła zamówień są teraz niedostępne.", req, &user);
  }
  auto list = app.accounts->List();
  if (!list) {
    log::Error("panel.sources_failed", {{"error", list.error().Describe()}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać kont.", req, &user);
  }
  const Timestamp now = app.clock.Now();
  PageOptions options{"Źródła zamówień", &user, "sources"};
  Data rows = Data::type::list;
  bool budget_known = false;
  for (const auto& h : *list) {
    const auto& a = h.account;
    Data row;
    row.set("alias", a.alias);
    row.set("name", a.name);
    SetIf(row, "login", a.login);
    row.set("environment", EnvironmentLabel(a.environment));
    row.set("api_url", a.api_base_url);
    row.set("state", StateLabel(a.state));
    row.set("state_class", StateClass(a.state));
    SetExplained(row, "state_reason", a.state_reason);
    SetIf(row, "state_changed_at", Time(a.state_changed_at));
    SetToken(row, a, now);
    SetJournal(row, a, now);
    SetBudget(row, h.budget, now);
    if (h.budget) budget_known = true;
    row.set("incidents", std::to_string(h.incidents));
    row.set("has_incidents", h.incidents > 0);
    row.set("failed_orders", std::to_string(h.failed_orders));
    row.set("has_failed", h.failed_orders > 0);
    SetLastError(row, a);
    row.set("authorize_label",
            a.state == domain::AccountState::kNew ? "Autoryzuj" : "Autoryzuj ponownie");
    row.set("can_import", a.state == domain::AccountState::kActive);
    row.set("attention", a.state == domain::AccountState::kNeedsReauthorization ||
                             (!a.last_error.empty() && !ErrorResolved(a)) || h.failed_orders > 0);
    rows.push_back(row);
    options.form_targets.push_back(a.auth_base_url);
  }
  Data d;
  d.set("accounts", rows);
  d.set("has_accounts", !list->empty());
  d.set("budget_known", budget_known);
  d.set("is_admin", user.is_admin());
  d.set("csrf_token", user.csrf_token);
  d.set("form", AddFormData(form));
  options.flash = TakeFlash(req);
  return Page(status, "sources", d, options);
}

// An error on the way back from the marketplace: the message, and the way back to the list.
Response SourceError(int status, const std::string& heading, const std::string& message,
                     const std::string& detail, const Request& req, const Principal& user) {
  Data d;
  d.set("heading", heading);
  d.set("message", message);
  if (!detail.empty()) d.set("detail", detail);
  d.set("request_id", req.request_id);
  return Page(status, "source_error", d, {heading, &user, "sources"});
}

std::optional<domain::MarketplaceAccount> FindAccount(AppContext& app, Request& req) {
  if (app.accounts == nullptr) return std::nullopt;
  auto found = app.accounts->Find(TruncateUtf8(req.PathParam("alias").value_or(""), 32));
  if (!found) return std::nullopt;
  return std::move(*found);
}

Response NoSuchAccount(const Request& req, const Principal& user) {
  return SourceError(404, "Nie ma takiego konta",
                     "Nie znaleziono konta o tym aliasie. Wybierz je z listy źródeł.", "", req,
                     user);
}

}  // namespace

Response List(AppContext& app, Request& req, const Principal& user) {
  return SourcesPage(app, req, user, 200, AddForm{});
}

Response Add(AppContext& app, Request& req, const Principal& user) {
  auto form = req.Form();
  AddForm entered;
  entered.alias = TruncateUtf8(FormField(*form, "alias"), 16);
  entered.name = TruncateUtf8(FormField(*form, "name"), 200);
  entered.environment = TruncateUtf8(FormField(*form, "environment"), 32);
  entered.auth_url = TruncateUtf8(FormField(*form, "auth_url"), 600);
  entered.api_url = TruncateUtf8(FormField(*form, "api_url"), 600);
  entered.client_id = TruncateUtf8(FormField(*form, "client_id"), 300);
  if (app.accounts == nullptr) {
    return ErrorPage(503, "Chwilowy problem", "Źródła zamówień są teraz niedostępne.", req, &user);
  }
  services::NewAccount n;
  n.alias = entered.alias;
  n.name = entered.name;
  n.environment = entered.environment.empty() ? "production" : entered.environment;
  // The URL fields are for custom environments; the presets decide the others.
  if (n.environment == "custom") {
    n.auth_url = entered.auth_url;
    n.api_url = entered.api_url;
  }
  n.client_id = entered.client_id;
  n.client_secret = FormField(*form, "client_secret");
  if (auto problems = app.accounts->Validate(n); !problems.empty()) {
    AttachProblems(problems, entered);
    return SourcesPage(app, req, user, 422, entered);
  }
  auto added = app.accounts->Add(n);
  if (!added) {
    AttachProblems(added.error(), entered);
    const int status = added.error().code == ErrorCode::kAlreadyExists     ? 409
                       : added.error().code == ErrorCode::kInvalidArgument ? 422
                                                                           : 503;
    if (status == 503) {
      log::Error("panel.account_add_failed", {{"error", added.error().Describe()}});
    }
    return SourcesPage(app, req, user, status, entered);
  }
  auto alias = domain::NormalizeAlias(entered.alias);
  const std::string shown = alias ? *alias : entered.alias;
  log::Info("panel.account_added", {{"by", user.name}, {"alias", shown}});
  Response r = Response::Redirect("/sources");
  SetFlash(r,
           {"ok",
            {fmt::format("Dodano konto {} („{}”). Kliknij „Autoryzuj”, aby połączyć je z kontem "
                         "sprzedawcy w Allegro.",
                         shown, entered.name)}},
           Secure(app, req));
  return r;
}

Response Detail(AppContext& app, Request& req, const Principal& user) {
  auto account = FindAccount(app, req);
  if (!account) return NoSuchAccount(req, user);
  const domain::MarketplaceAccount& a = *account;
  struct Loaded {
    std::vector<store::IntegrityIncident> incidents;
    std::vector<store::ImportFailure> failures;
    std::int64_t incident_count = 0;
    std::int64_t failure_count = 0;
  };
  // The same health as the list (and the API): the budget comes from the service.
  auto health = app.accounts->Health(a.alias);
  if (!health) {
    log::Error("panel.source_failed", {{"error", health.error().Describe()}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać konta.", req, &user);
  }
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.incidents, uow.incidents().List(a.id, kIncidentsShown));
    NADAJNIK_ASSIGN_OR_RETURN(l.failures, uow.import_failures().ListOpen(a.id, kFailuresShown));
    NADAJNIK_ASSIGN_OR_RETURN(l.incident_count, uow.incidents().Count(a.id));
    NADAJNIK_ASSIGN_OR_RETURN(l.failure_count, uow.import_failures().CountOpen(a.id));
    return l;
  });
  if (!loaded) {
    log::Error("panel.source_failed", {{"error", loaded.error().Describe()}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać konta.", req, &user);
  }
  Data d;
  d.set("alias", a.alias);
  d.set("name", a.name);
  SetIf(d, "login", a.login);
  d.set("environment", EnvironmentLabel(a.environment));
  d.set("api_url", a.api_base_url);
  d.set("state", StateLabel(a.state));
  d.set("state_class", StateClass(a.state));
  SetExplained(d, "state_reason", a.state_reason);
  SetIf(d, "state_changed_at", Time(a.state_changed_at));
  const Timestamp now = app.clock.Now();
  SetToken(d, health->account, now);
  SetJournal(d, health->account, now);
  SetBudget(d, health->budget, now);
  SetLastError(d, health->account);
  d.set("is_admin", user.is_admin());
  d.set("csrf_token", user.csrf_token);
  d.set("authorize_label",
        a.state == domain::AccountState::kNew ? "Autoryzuj" : "Autoryzuj ponownie");
  d.set("can_import", a.state == domain::AccountState::kActive);
  Data incidents = Data::type::list;
  for (const auto& i : loaded->incidents) {
    Data row;
    row.set("at", FormatLocal(i.at));
    row.set("checkout_form_id", i.checkout_form_id.value);
    row.set("kind", i.kind);
    row.set("message", i.message);
    incidents.push_back(row);
  }
  d.set("incidents", incidents);
  d.set("has_incidents", !loaded->incidents.empty());
  d.set("incident_count", std::to_string(loaded->incident_count));
  d.set("incidents_truncated",
        loaded->incident_count > static_cast<std::int64_t>(loaded->incidents.size()));
  Data failures = Data::type::list;
  for (const auto& f : loaded->failures) {
    Data row;
    row.set("checkout_form_id", f.checkout_form_id.value);
    row.set("error", f.error);
    row.set("attempts", std::to_string(f.attempts));
    row.set("first_failed_at", FormatLocal(f.first_failed_at));
    row.set("last_failed_at", FormatLocal(f.last_failed_at));
    // Buyer data from the marketplace: an excerpt only, escaped by the template.
    row.set("raw", TruncateUtf8(f.raw_json, kRawExcerptBytes));
    row.set("raw_size", std::to_string(f.raw_json.size()));
    row.set("raw_cut", f.raw_json.size() > kRawExcerptBytes);
    row.set("has_raw", !f.raw_json.empty());
    failures.push_back(row);
  }
  d.set("failures", failures);
  d.set("has_failures", !loaded->failures.empty());
  d.set("failure_count", std::to_string(loaded->failure_count));
  d.set("failures_truncated",
        loaded->failure_count > static_cast<std::int64_t>(loaded->failures.size()));
  PageOptions options{"Konto " + a.alias, &user, "sources"};
  options.form_targets.push_back(a.auth_base_url);
  options.flash = TakeFlash(req);
  return Page(200, "source", d, options);
}

Response Authorize(AppContext& app, Request& req, const Principal& user) {
  auto account = FindAccount(app, req);
  if (!account) return NoSuchAccount(req, user);
  if (app.authorizer == nullptr) {
    return SourceError(503, "Chwilowy problem", "Autoryzacja jest teraz niedostępna.", "", req,
                       user);
  }
  auto base = PanelBase(app, req);
  if (!base) {
    return SourceError(400, "Nieznany adres panelu",
                       "Nie da się ustalić adresu, pod który Allegro ma odesłać przeglądarkę. "
                       "Ustaw server.public_url w konfiguracji Nadajnika.",
                       "", req, user);
  }
  auto url = app.authorizer->BeginBrowser(account->id, *base + "/sources/callback");
  if (!url) {
    log::Error("panel.authorize_failed",
               {{"alias", account->alias}, {"error", url.error().Describe()}});
    return SourceError(HttpStatusFor(url.error().code), "Nie można rozpocząć autoryzacji",
                       "Sprawdź adresy i dane aplikacji konta, a potem spróbuj ponownie.",
                       url.error().message, req, user);
  }
  log::Info("panel.authorize_started", {{"by", user.name}, {"alias", account->alias}});
  return Response::Redirect(*url);
}

Response Callback(AppContext& app, Request& req, const Principal& user) {
  if (app.authorizer == nullptr) {
    return SourceError(503, "Chwilowy problem", "Autoryzacja jest teraz niedostępna.", "", req,
                       user);
  }
  const std::string state = TruncateUtf8(req.QueryParam("state").value_or(""), 256);
  const std::string code = TruncateUtf8(req.QueryParam("code").value_or(""), 1024);
  const std::string error = TruncateUtf8(req.QueryParam("error").value_or(""), 64);
  if (state.empty()) {
    return SourceError(400, "Autoryzacja nieudana",
                       "W odpowiedzi z Allegro brakuje parametru state. Rozpocznij autoryzację "
                       "ponownie przyciskiem „Autoryzuj” na liście źródeł.",
                       "", req, user);
  }
  if (!error.empty()) {
    // The state is used up either way: a refused consent can't be replayed later.
    (void)app.authorizer->FinishBrowser(state, "");
    log::Info("panel.authorize_refused", {{"by", user.name}, {"error", error}});
    if (error == "access_denied") {
      return SourceError(403, "Odmówiono dostępu",
                         "W Allegro odmówiono dostępu, więc konto nie zostało połączone. Możesz "
                         "spróbować ponownie przyciskiem „Autoryzuj”.",
                         "", req, user);
    }
    return SourceError(
        400, "Autoryzacja nieudana",
        "Allegro nie wydało zgody. Rozpocznij autoryzację ponownie przyciskiem „Autoryzuj”.",
        fmt::format("{}: {}", error,
                    TruncateUtf8(req.QueryParam("error_description").value_or(""), 300)),
        req, user);
  }
  auto done = app.authorizer->FinishBrowser(state, code);
  if (!done) {
    const Error& e = done.error();
    log::Warn("panel.authorize_failed", {{"by", user.name}, {"error", e.Describe()}});
    switch (e.code) {
      case ErrorCode::kInvalidArgument:
        return SourceError(400, "Link autoryzacji nieważny",
                           "Ten link autoryzacji jest nieznany, został już użyty albo jest "
                           "starszy niż 15 minut. Rozpocznij autoryzację ponownie przyciskiem "
                           "„Autoryzuj”.",
                           "", req, user);
      case ErrorCode::kPermissionDenied:
        return SourceError(403, "Allegro odrzuciło autoryzację",
                           "Sprawdź Client ID i Client Secret konta, a potem spróbuj ponownie.",
                           e.message, req, user);
      case ErrorCode::kFailedPrecondition:
        return SourceError(409, "Inny sprzedawca",
                           "Zalogowano się w Allegro na innego sprzedawcę niż ten, do którego "
                           "należy to konto. Zaloguj się jako właściwy sprzedawca i autoryzuj "
                           "ponownie.",
                           e.message, req, user);
      default:
        return SourceError(502, "Allegro nie odpowiada",
                           "Nie udało się dokończyć autoryzacji. Spróbuj ponownie za chwilę.",
                           e.message, req, user);
    }
  }
  const auto& [account_id, seller] = *done;
  if (app.account_authorized) app.account_authorized(account_id);
  std::string alias = std::to_string(account_id.value);
  if (app.accounts != nullptr) {
    if (auto a = app.accounts->Find(alias)) alias = a->alias;
  }
  log::Info("panel.authorized", {{"by", user.name}, {"alias", alias}, {"seller", seller.login}});
  Response r = Response::Redirect("/sources");
  SetFlash(r,
           {"ok",
            {fmt::format("Połączono konto {} z kontem Allegro „{}”. Import zamówień ruszył w tle.",
                         alias, seller.login)}},
           Secure(app, req));
  return r;
}

Response Import(AppContext& app, Request& req, const Principal& user) {
  auto account = FindAccount(app, req);
  if (!account) return NoSuchAccount(req, user);
  if (!app.import) {
    return SourceError(503, "Chwilowy problem", "Import jest teraz niedostępny.", "", req, user);
  }
  auto form = req.Form();
  services::ManualImport what;
  const std::string days = FormField(*form, "days");
  int parsed = 0;
  if (!days.empty() &&
      std::from_chars(days.data(), days.data() + days.size(), parsed).ec == std::errc()) {
    what.days = std::clamp(parsed, 1, 365);
  }
  what.archived = FormField(*form, "archived") == "1";
  log::Info("panel.import_started", {{"by", user.name},
                                     {"alias", account->alias},
                                     {"days", std::to_string(what.days)},
                                     {"archived", what.archived ? "true" : "false"}});
  auto report = app.import(account->id, what);
  if (!report) {
    const Error& e = report.error();
    log::Warn("panel.import_failed", {{"alias", account->alias}, {"error", e.Describe()}});
    const bool auth = e.code == ErrorCode::kUnauthenticated ||
                      e.code == ErrorCode::kPermissionDenied ||
                      e.code == ErrorCode::kFailedPrecondition;
    return SourceError(auth ? 409 : 502, "Import nie powiódł się",
                       auth
                           ? "Konto nie ma ważnej autoryzacji w Allegro: kliknij „Autoryzuj "
                             "ponownie” na liście źródeł."
                           : "Nie udało się pobrać zamówień z Allegro. Spróbuj ponownie za chwilę.",
                       e.message, req, user);
  }
  const services::ImportReport& r = *report;
  Data d;
  d.set("alias", account->alias);
  d.set("name", account->name);
  d.set("days", std::to_string(what.days));
  d.set("archived", what.archived);
  d.set("summary", services::DescribeReport(r));
  d.set("inserted", std::to_string(r.inserted));
  d.set("updated", std::to_string(r.updated));
  d.set("unchanged", std::to_string(r.unchanged));
  d.set("skipped", std::to_string(r.skipped));
  d.set("failed", std::to_string(r.failed));
  d.set("requests", std::to_string(r.requests));
  Data reasons = Data::type::list;
  for (const auto& [reason, count] : r.skipped_by_reason) {
    Data row;
    row.set("reason", reason);
    row.set("count", std::to_string(count));
    reasons.push_back(row);
  }
  d.set("skipped_reasons", reasons);
  d.set("has_skipped_reasons", !r.skipped_by_reason.empty());
  Data failures = Data::type::list;
  for (const auto& [id, error] : r.failures) {
    Data row;
    row.set("checkout_form_id", id);
    row.set("error", error);
    failures.push_back(row);
  }
  d.set("failures", failures);
  d.set("has_failures", !r.failures.empty());
  d.set("failures_truncated", r.failed > static_cast<int>(r.failures.size()));
  d.set("csrf_token", user.csrf_token);
  return Page(200, "source_import", d, {"Import " + account->alias, &user, "sources"});
}

}  // namespace nadajnik::http::panel::sources
