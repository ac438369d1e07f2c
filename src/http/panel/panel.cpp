#include "http/panel/panel.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "http/panel/settings_pages.hpp"
#include "http/panel/shipping_pages.hpp"
#include "http/panel/views.hpp"
#include "observability/log.hpp"
#include "security/tokens.hpp"
#include "services/order_query.hpp"
#include "services/shipping.hpp"
#include "services/status_sync.hpp"
#include "store/store.hpp"

namespace nadajnik::http::panel {

namespace {

constexpr std::string_view kSessionCookie = "nadajnik_session";
constexpr std::string_view kLoginCsrfCookie = "nadajnik_login_csrf";

using services::Principal;

std::optional<std::int64_t> ParseId(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v <= 0) return std::nullopt;
  return v;
}

std::string FormField(const FormData& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// Only local paths, and never the login page itself.
std::string SafeNext(const std::optional<std::string>& next) {
  if (!next || next->starts_with("/login") || next->starts_with("/logout")) return "/orders";
  return SafeLocalPath(*next);
}

// Secure when the panel is served over TLS: by configuration (an https public_url) or as the
// request says (X-Forwarded-Proto from a trusted proxy).
bool Secure(const AppContext& app, const Request& req) { return app.secure_cookies || req.tls; }

CookieSpec SessionCookie(const AppContext& app, const Request& req, std::string value,
                         int max_age) {
  CookieSpec c;
  c.name = std::string(kSessionCookie);
  c.value = std::move(value);
  c.max_age_seconds = max_age;
  c.secure = Secure(app, req);
  return c;
}

std::string Money(const nadajnik::Money& m) { return m.ToString(); }

// The panel's guard: a valid session, the right role, a CSRF token on POST.
template <typename Handler>
http::Handler Guarded(AppContext& app, bool admin_only, Handler handler) {
  return [&app, admin_only, handler](Request& req) -> Response {
    LanguageScope language(RequestLanguage(req));
    const std::string token = req.Cookie(std::string(kSessionCookie)).value_or("");
    auto principal = app.auth.AuthenticateSession(token);
    if (!principal) {
      if (principal.error().code != ErrorCode::kUnauthenticated) {
        return ErrorPage(503, "Chwilowy problem", "Baza danych nie odpowiada. Spróbuj za chwilę.",
                         req);
      }
      Response r = Response::Redirect("/login?next=" +
                                      UrlEncode(req.method == "GET" ? req.target : "/orders"));
      if (!token.empty()) r.SetCookie(SessionCookie(app, req, "", 0));
      return r;
    }
    if (req.method != "GET" && req.method != "HEAD") {
      auto form = req.Form();
      const std::string sent = form ? FormField(*form, "csrf_token") : std::string();
      if (sent.empty() || !security::ConstantTimeEquals(sent, principal->csrf_token)) {
        log::Warn("panel.csrf_rejected", {{"path", req.path}, {"request_id", req.request_id}});
        return ErrorPage(
            403, "Formularz wygasł",
            "Brak ważnego tokenu formularza (CSRF). Odśwież stronę i spróbuj ponownie.", req,
            &*principal);
      }
    }
    if (principal->must_change_password && req.path != "/account/password" &&
        req.path != "/logout") {
      return Response::Redirect("/account/password");
    }
    if (admin_only && !principal->is_admin()) {
      return ErrorPage(403, "Brak dostępu", "Ta strona jest dostępna tylko dla administratora.",
                       req, &*principal);
    }
    return handler(req, *principal);
  };
}

// ---- login / logout / password ---------------------------------------------------------------

// `next` (already made safe) rides in a hidden field, so the page asked for survives a wrong
// password too.
Response LoginForm(int status, const std::string& csrf, const std::string& username,
                   const std::string& error, const std::string& next) {
  Data d;
  d.set("csrf_token", csrf);
  d.set("username", username);
  d.set("next", next);
  if (!error.empty()) d.set("error", error);
  return Page(status, "login", d, {"Logowanie", nullptr, ""});
}

Response GetLogin(AppContext& app, Request& req) {
  if (auto token = req.Cookie(std::string(kSessionCookie))) {
    if (app.auth.AuthenticateSession(*token)) {
      return Response::Redirect(SafeNext(req.QueryParam("next")));
    }
  }
  const std::string csrf = security::RandomToken(24);
  Response r = LoginForm(200, csrf, "", "", SafeNext(req.QueryParam("next")));
  CookieSpec c;
  c.name = std::string(kLoginCsrfCookie);
  c.value = csrf;
  c.path = "/login";
  c.max_age_seconds = 3600;
  c.secure = Secure(app, req);
  r.SetCookie(c);
  return r;
}

Response PostLogin(AppContext& app, Request& req) {
  auto form = req.Form();
  const std::string cookie = req.Cookie(std::string(kLoginCsrfCookie)).value_or("");
  const std::string sent = form ? FormField(*form, "csrf_token") : std::string();
  if (!form || cookie.empty() || sent.empty() || !security::ConstantTimeEquals(sent, cookie)) {
    return ErrorPage(403, "Formularz wygasł",
                     "Brak ważnego tokenu formularza (CSRF). Otwórz stronę logowania ponownie.",
                     req);
  }
  const std::string username = TruncateUtf8(FormField(*form, "username"), 64);
  const std::string form_next = FormField(*form, "next");
  const std::string next =
      SafeNext(form_next.empty() ? req.QueryParam("next") : std::optional<std::string>(form_next));
  auto login = app.auth.Login(username, Secret<>(FormField(*form, "password")), req.remote_address);
  if (!login) {
    const Error& e = login.error();
    if (e.code == ErrorCode::kRateLimited) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                               e.retry_after.value_or(std::chrono::milliseconds(60000)))
                               .count();
      Response r =
          LoginForm(429, cookie, username,
                    fmt::format("Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {} min.",
                                (seconds + 59) / 60),
                    next);
      r.SetHeader("Retry-After", std::to_string(seconds));
      return r;
    }
    if (e.code == ErrorCode::kUnauthenticated) {
      return LoginForm(401, cookie, username, "Nieprawidłowa nazwa użytkownika lub hasło.", next);
    }
    log::Error("panel.login_error", {{"error", e.Describe()}, {"request_id", req.request_id}});
    return LoginForm(503, cookie, username, "Logowanie chwilowo niemożliwe. Spróbuj za chwilę.",
                     next);
  }
  Response r = Response::Redirect(
      login->principal.must_change_password ? std::string("/account/password") : next);
  r.SetCookie(SessionCookie(app, req, login->session_token.Reveal(), app.session_ttl_seconds));
  CookieSpec clear;
  clear.name = std::string(kLoginCsrfCookie);
  clear.path = "/login";
  clear.max_age_seconds = 0;
  r.SetCookie(clear);
  return r;
}

Response PostLogout(AppContext& app, Request& req, const Principal&) {
  (void)app.auth.Logout(req.Cookie(std::string(kSessionCookie)).value_or(""));
  Response r = Response::Redirect("/login");
  r.SetCookie(SessionCookie(app, req, "", 0));
  return r;
}

// The user's own settings: the password and, once it is their own, the label printer.
Response PasswordPage(AppContext& app, const Request& req, int status, const Principal& user,
                      const std::string& error, bool saved) {
  Data d;
  d.set("csrf_token", user.csrf_token);
  d.set("must_change", user.must_change_password);
  if (!error.empty()) d.set("error", error);
  d.set("saved", saved);
  auto printer = shipping::UserLabelFormat(app, user);
  if (printer) {
    d.set("label_formats", shipping::LabelFormatOptions(*printer));
  } else {
    log::Error("panel.label_format_failed",
               {{"error", printer.error().Describe()}, {"request_id", req.request_id}});
    d.set("label_format_error",
          std::string("Nie udało się odczytać drukarki etykiet. Odśwież stronę."));
  }
  PageOptions options{"Moje konto", &user, ""};
  options.flash = TakeFlash(req);  // "Drukarka etykiet" comes back here
  return Page(status, "password", d, options);
}

// "Drukarka etykiet": what the primary "Etykieta" links and the bulk download give this user.
Response PostLabelFormat(AppContext& app, Request& req, const Principal& user) {
  auto form = req.Form();
  const std::string sent = TruncateUtf8(FormField(*form, "label_format"), 20);
  Response r = Response::Redirect("/account/password");
  const bool secure = Secure(app, req);
  auto format = services::ParseLabelFormatParam(sent);
  if (!format) {
    SetFlash(r, Flash{"error", {"Wybierz drukarkę etykiet z listy."}}, secure);
    return r;
  }
  auto saved = app.store.InTransaction([&](store::UnitOfWork& uow) {
    return uow.users().SetLabelFormat(user.user_id, *format, app.clock.Now());
  });
  if (!saved) {
    log::Error("panel.label_format_failed",
               {{"error", saved.error().Describe()}, {"request_id", req.request_id}});
    SetFlash(r,
             Flash{"error", {"Nie zapisano drukarki etykiet: chwilowy problem. Spróbuj ponownie."}},
             secure);
    return r;
  }
  log::Info("panel.label_format_set",
            {{"by", user.name}, {"format", std::string(domain::LabelFormatName(*format))}});
  SetFlash(r,
           Flash{"ok",
                 {fmt::format("Zapisano drukarkę etykiet: {}. Przycisk „Etykieta” pobiera teraz "
                              "etykiety w tym formacie.",
                              shipping::LabelFormatDisplayName(*format))}},
           secure);
  return r;
}

Response PostPassword(AppContext& app, Request& req, const Principal& user) {
  auto form = req.Form();
  auto r = app.auth.ChangePassword(user.user_id, Secret<>(FormField(*form, "current_password")),
                                   Secret<>(FormField(*form, "new_password")));
  if (!r) {
    std::string message = r.error().message;
    if (message.find("current password") != std::string::npos)
      message = "Obecne hasło jest nieprawidłowe.";
    else if (message.find("at least") != std::string::npos)
      message = "Nowe hasło musi mieć co najmniej 10 znaków.";
    else if (message.find("differ") != std::string::npos)
      message = "Nowe hasło musi być inne niż obecne.";
    return PasswordPage(app, req, 422, user, message, false);
  }
  Principal updated = user;
  updated.must_change_password = false;
  return PasswordPage(app, req, 200, updated, "", true);
}

// ---- orders --------------------------------------------------------------------------------

std::string DeliveryLabel(const domain::Order& o) {
  if (o.delivery.pickup_point) {
    return o.delivery.method_name + " · " + o.delivery.pickup_point->id;
  }
  return o.delivery.method_name;
}

// Above this many matches a filtered list says "ponad 10 000" instead of scanning for the
// exact figure (the counts per status are exact: they come from counters).
constexpr std::int64_t kCountCap = 10000;

std::string OrdersUrl(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string url = "/orders";
  for (const auto& [name, value] : params) {
    url += fmt::format("{}{}={}", url.size() == 7 ? "?" : "&", name, UrlEncode(value));
  }
  return url;
}

// The filter's <select>s: one option list each, the current value selected.
Data Options(std::initializer_list<std::pair<std::string, std::string>> values,
             const std::string& current) {
  Data list = Data::type::list;
  for (const auto& [value, label] : values) {
    Data item;
    item.set("value", value);
    item.set("label", Tr(label));
    item.set("selected", value == current);
    list.push_back(item);
  }
  return list;
}

Response GetOrders(AppContext& app, Request& req, const Principal& user) {
  struct Catalog {
    std::vector<domain::LocalStatus> statuses;
    std::vector<domain::MarketplaceAccount> accounts;
    std::vector<store::OrderStatusCount> counts;
    std::vector<std::pair<AccountId, std::int64_t>> attention;
  };
  auto catalog = app.store.Read([&](store::UnitOfWork& uow) -> Result<Catalog> {
    Catalog c;
    NADAJNIK_ASSIGN_OR_RETURN(c.statuses, uow.statuses().List());
    NADAJNIK_ASSIGN_OR_RETURN(c.accounts, uow.accounts().List());
    NADAJNIK_ASSIGN_OR_RETURN(c.counts, uow.orders().CountByStatus());
    NADAJNIK_ASSIGN_OR_RETURN(c.attention, uow.orders().CountAttention());
    return c;
  });
  if (!catalog) {
    log::Error("panel.orders_failed", {{"error", catalog.error().Describe()}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać zamówień.", req, &user);
  }
  auto query = services::ParseOrderQuery(
      [&req](std::string_view name) { return req.QueryParam(std::string(name)); },
      catalog->statuses, catalog->accounts);
  // The old panel links paged with ?after=.
  if (!req.QueryParam("cursor") && req.QueryParam("after")) {
    auto again = services::ParseOrderQuery(
        [&req](std::string_view name) {
          return req.QueryParam(name == "cursor" ? std::string("after") : std::string(name));
        },
        catalog->statuses, catalog->accounts);
    query.filter.after = again.filter.after;
  }
  store::OrderFilter& filter = query.filter;
  // "Na stronę": 50, 100 or 200 rows (bulk actions work on one page's selection).
  filter.limit = 50;
  if (auto n = ParseId(req.QueryParam("per_page")); n && (*n == 100 || *n == 200)) {
    filter.limit = static_cast<int>(*n);
  }
  const auto base_params = services::OrderQueryParams(filter, catalog->accounts);

  // The total: exact from the counters when only account and status filter the list,
  // otherwise a bounded count.
  store::OrderFilter count_filter = filter;
  count_filter.after.reset();
  const bool counters_suffice = !filter.marketplace && !filter.checkout_status && !filter.smart &&
                                !filter.cash_on_delivery && !filter.bought_from &&
                                !filter.bought_to && !filter.carrier && filter.text.empty() &&
                                !filter.needs_attention;
  std::int64_t all = 0;
  std::map<std::int64_t, std::int64_t> per_status;
  for (const auto& c : catalog->counts) {
    if (filter.account_id && c.account_id != *filter.account_id) continue;
    all += c.orders;
    if (c.local_status_id) per_status[c.local_status_id->value] += c.orders;
  }
  std::int64_t attention = 0;
  for (const auto& [account, n] : catalog->attention) {
    if (!filter.account_id || account == *filter.account_id) attention += n;
  }

  struct Loaded {
    std::vector<domain::Order> orders;
    std::int64_t total = 0;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.orders, uow.orders().List(filter));
    if (counters_suffice) {
      l.total = filter.local_status_id ? per_status[filter.local_status_id->value] : all;
    } else if (filter.needs_attention && base_params.size() == (filter.account_id ? 2U : 1U)) {
      l.total = attention;
    } else {
      NADAJNIK_ASSIGN_OR_RETURN(l.total, uow.orders().CountUpTo(count_filter, kCountCap));
    }
    return l;
  });
  if (!loaded) {
    log::Error("panel.orders_failed", {{"error", loaded.error().Describe()}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać zamówień.", req, &user);
  }

  // Status tabs: the other filters kept, status and the attention view switched.
  auto without = [&](std::initializer_list<std::string_view> names) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& p : base_params) {
      if (std::find(names.begin(), names.end(), p.first) == names.end()) out.push_back(p);
    }
    return out;
  };
  Data tabs = Data::type::list;
  auto add_tab = [&](const std::string& label, std::int64_t n, std::string url, bool current,
                     bool warn) {
    Data t;
    t.set("label", Tr(label));
    t.set("count", FormatCount(n));
    t.set("url", std::move(url));
    t.set("current", current);
    t.set("warn", warn && n > 0);
    tabs.push_back(t);
  };
  add_tab("Wszystkie", all, OrdersUrl(without({"status", "attention"})),
          !filter.local_status_id && !filter.needs_attention, false);
  std::map<std::int64_t, std::string> status_names;
  Data statuses = Data::type::list;
  for (const auto& s : catalog->statuses) {
    status_names[s.id.value] = s.name;
    auto params = without({"status", "attention"});
    params.emplace_back("status", std::to_string(s.id.value));
    add_tab(s.name, per_status[s.id.value], OrdersUrl(params),
            filter.local_status_id == s.id && !filter.needs_attention, false);
    Data item;
    item.set("value", std::to_string(s.id.value));
    item.set("label", Tr(s.name));
    item.set("selected", filter.local_status_id && filter.local_status_id->value == s.id.value);
    statuses.push_back(item);
  }
  {
    auto params = without({"status", "attention"});
    params.emplace_back("attention", "1");
    add_tab("Wymaga uwagi", attention, OrdersUrl(params),
            filter.needs_attention && !filter.local_status_id, true);
  }

  std::map<std::int64_t, std::string> aliases;
  Data accounts = Data::type::list;
  std::set<domain::Marketplace> marketplaces;
  for (const auto& a : catalog->accounts) {
    aliases[a.id.value] = a.alias;
    marketplaces.insert(a.base_marketplace);
    Data item;
    item.set("value", a.alias);
    item.set("label", a.alias + " · " + a.name);
    item.set("selected", filter.account_id && filter.account_id->value == a.id.value);
    accounts.push_back(item);
  }
  auto current = [&](std::string_view name) {
    for (const auto& p : base_params) {
      if (p.first == name) return p.second;
    }
    return std::string();
  };
  Data marketplace_options = Data::type::list;
  for (auto m : {domain::Marketplace::kAllegroPl, domain::Marketplace::kAllegroCz,
                 domain::Marketplace::kAllegroSk, domain::Marketplace::kAllegroHu}) {
    Data item;
    item.set("value", std::string(domain::MarketplaceId(m)));
    item.set("label", std::string(domain::MarketplaceId(m)));
    item.set("selected", filter.marketplace == m);
    marketplace_options.push_back(item);
  }
  Data carrier_options = Data::type::list;
  {
    Data none;
    none.set("value", std::string("none"));
    none.set("label", Tr("Bez przesyłki"));
    none.set("selected", filter.carrier && filter.carrier->empty());
    carrier_options.push_back(none);
    for (auto c : {domain::Carrier::kInPost, domain::Carrier::kDpd, domain::Carrier::kPocztaPolska,
                   domain::Carrier::kOrlenPaczka, domain::Carrier::kAllegroShipping}) {
      Data item;
      item.set("value", std::string(domain::CarrierCode(c)));
      item.set("label", std::string(domain::CarrierDisplayName(c)));
      item.set("selected", filter.carrier && *filter.carrier == domain::CarrierCode(c));
      carrier_options.push_back(item);
    }
  }

  Data orders = Data::type::list;
  for (const auto& o : loaded->orders) {
    Data row;
    row.set("id", std::to_string(o.id.value));
    row.set("alias", aliases[o.account_id.value]);
    row.set("short_id", o.checkout_form_id.value.substr(0, 8));
    row.set("buyer_name", (o.buyer.first_name + " " + o.buyer.last_name));
    row.set("buyer_login", o.buyer.login);
    row.set("delivery", DeliveryLabel(o));
    row.set("smart", o.delivery.smart);
    row.set("cod", o.cash_on_delivery());
    row.set("payment", o.payment ? std::string(domain::PaymentTypeName(o.payment->type)) : "—");
    row.set("total", Money(o.total));
    row.set("status", Tr(status_names[o.local_status_id.value]));
    row.set("cancelled", o.cancelled());
    row.set("needs_attention", o.needs_attention);
    row.set("attention_reason", o.attention_reason);
    row.set("shipment", o.shipment_carrier
                            ? std::string(domain::CarrierDisplayName(*o.shipment_carrier))
                            : std::string());
    row.set("bought_at", FormatLocal(o.bought_at.value_or(o.remote_updated_at)));
    orders.push_back(row);
  }
  Data d;
  d.set("orders", orders);
  d.set("has_orders", !loaded->orders.empty());
  d.set("total", loaded->total > kCountCap
                     ? fmt::format("{} {}", Tr("ponad"), FormatCount(kCountCap))
                     : FormatCount(loaded->total));
  d.set("tabs", tabs);
  d.set("statuses", statuses);
  d.set("accounts", accounts);
  d.set("marketplaces", marketplace_options);
  d.set("show_marketplaces", marketplaces.size() > 1 || filter.marketplace.has_value());
  d.set("allegro_statuses", Options({{"READY_FOR_PROCESSING", "Opłacone"},
                                     {"BOUGHT", "Kupione, nieopłacone"},
                                     {"FILLED_IN", "Uzupełnione, nieopłacone"},
                                     {"CANCELLED", "Anulowane"}},
                                    current("allegroStatus")));
  d.set("carriers", carrier_options);
  d.set("smart_options", Options({{"1", "Smart: tak"}, {"0", "Smart: nie"}}, current("smart")));
  d.set("cod_options", Options({{"1", "Pobranie: tak"}, {"0", "Pobranie: nie"}}, current("cod")));
  d.set("sorts", Options({{"newest", "Najnowsze"},
                          {"oldest", "Najstarsze"},
                          {"total_desc", "Kwota malejąco"},
                          {"total_asc", "Kwota rosnąco"}},
                         std::string(services::OrderSortName(filter.sort))));
  // Dates as typed when they were refused, so the field shows what to fix.
  for (const char* name : {"from", "to"}) {
    std::string value = current(name);
    if (value.size() != 10) value = TruncateUtf8(req.QueryParam(name).value_or(""), 40);
    d.set(std::string(name), value);
  }
  d.set("q", filter.text);
  d.set("attention", filter.needs_attention);
  d.set("filtered", base_params.size() > (filter.sort != store::OrderSort::kNewest ? 1U : 0U));
  // Each refused parameter next to its field.
  Data problems = Data::type::list;
  for (const auto& p : query.problems) {
    d.set("error_" + p.param, Tr(p.polish));
    Data item;
    item.set("text", Tr(p.polish));
    problems.push_back(item);
  }
  d.set("problems", problems);
  d.set("has_problems", !query.problems.empty());
  if (filter.after) d.set("first_page", OrdersUrl(base_params));
  if (static_cast<int>(loaded->orders.size()) == filter.limit) {
    auto params = base_params;
    params.emplace_back("cursor", services::EncodeOrderCursor(loaded->orders.back(), filter.sort));
    if (filter.limit != 50) params.emplace_back("per_page", std::to_string(filter.limit));
    d.set("next", OrdersUrl(params));
  }
  d.set("per_page_100", filter.limit == 100);
  d.set("per_page_200", filter.limit == 200);
  std::vector<AccountId> account_ids;
  for (const auto& a : catalog->accounts) account_ids.push_back(a.id);
  d.set("csrf_token", user.csrf_token);
  shipping::AddToOrdersList(app, account_ids, req.target, user, d);
  d.set("bulk_statuses", statuses);  // bulk "Zmień status" next to the shipping actions
  PageOptions options{"Zamówienia", &user, "orders"};
  options.flash = TakeFlash(req);  // the bulk actions' refusals come back here
  return Page(query.problems.empty() ? 200 : 400, "orders", d, options);
}

std::string AddressLine(const domain::Address& a) {
  return fmt::format("{}, {} {}", a.street, a.postal_code, a.city);
}

}  // namespace

Response OrderPage(AppContext& app, Request& req, const Principal& user, std::int64_t order_id,
                   int status, const shipping::CreateForm* form) {
  const std::optional<std::int64_t> id = order_id;
  struct Loaded {
    std::optional<domain::Order> order;
    std::vector<domain::OrderEvent> events;
    std::vector<domain::LocalStatus> statuses;
    std::optional<domain::MarketplaceAccount> account;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.order, uow.orders().Get(OrderId(*id)));
    if (l.order) {
      NADAJNIK_ASSIGN_OR_RETURN(l.events, uow.order_events().ListForOrder(OrderId(*id)));
      NADAJNIK_ASSIGN_OR_RETURN(l.account, uow.accounts().Get(l.order->account_id));
    }
    NADAJNIK_ASSIGN_OR_RETURN(l.statuses, uow.statuses().List());
    return l;
  });
  if (!loaded) {
    log::Error("panel.order_failed", {{"error", loaded.error().Describe()}});
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać zamówienia.", req, &user);
  }
  if (!loaded->order) {
    return ErrorPage(404, "Nie ma takiego zamówienia", "Sprawdź numer zamówienia.", req, &user);
  }
  const domain::Order& o = *loaded->order;
  Data d;
  d.set("id", std::to_string(o.id.value));
  d.set("csrf_token", user.csrf_token);
  d.set("checkout_form_id", o.checkout_form_id.value);
  d.set("needs_attention", o.needs_attention);
  d.set("attention_reason",
        o.attention_reason.empty() ? std::string("bez podanego powodu") : o.attention_reason);
  d.set("read_only", o.read_only());
  d.set("cancelled", o.cancelled());
  if (o.merged_into) d.set("merged_into", std::to_string(o.merged_into->value));
  if (loaded->account) {
    d.set("account_alias", loaded->account->alias);
    d.set("account_name", loaded->account->name);
  }
  d.set("buyer_name", o.buyer.first_name + " " + o.buyer.last_name);
  if (!o.buyer.company.empty()) d.set("buyer_company", o.buyer.company);
  d.set("buyer_login", o.buyer.login);
  d.set("guest", o.buyer.guest);
  d.set("buyer_email", o.buyer.email);
  d.set("buyer_phone", o.buyer.phone);
  d.set("delivery_method", o.delivery.method_name);
  d.set("smart", o.delivery.smart);
  if (o.delivery.pickup_point) {
    Data p;
    p.set("id", o.delivery.pickup_point->id);
    p.set("name", o.delivery.pickup_point->name);
    p.set("address", AddressLine(o.delivery.pickup_point->address));
    d.set("pickup_point", p);
  }
  if (o.delivery.address) {
    const auto& a = *o.delivery.address;
    Data p;
    p.set("name", a.company.empty() ? a.first_name + " " + a.last_name
                                    : a.first_name + " " + a.last_name + ", " + a.company);
    p.set("street", a.street);
    p.set("postal_code", a.postal_code);
    p.set("city", a.city);
    p.set("country", a.country_code);
    p.set("phone", a.phone);
    d.set("delivery_address", p);
  }
  d.set("payment", o.payment ? std::string(domain::PaymentTypeName(o.payment->type)) : "—");
  d.set("cod", o.cash_on_delivery());
  d.set("total", Money(o.total));
  if (o.invoice.required) {
    Data inv;
    inv.set("company", o.invoice.company_name);
    inv.set("tax_id", o.invoice.tax_id);
    d.set("invoice", inv);
  }
  d.set("checkout_status", std::string(domain::CheckoutStatusName(o.checkout_status)));
  d.set("fulfillment_status", std::string(domain::FulfillmentStatusName(o.fulfillment_status)));
  Data statuses = Data::type::list;
  for (const auto& s : loaded->statuses) {
    if (s.id == o.local_status_id) d.set("local_status", s.name);
    Data item;
    item.set("id", std::to_string(s.id.value));
    item.set("name", s.name);
    item.set("selected", s.id == o.local_status_id);
    statuses.push_back(item);
  }
  d.set("statuses", statuses);
  d.set("can_change_status", !o.merged_into && app.status_sync != nullptr);
  d.set("marketplace", std::string(domain::MarketplaceId(o.marketplace)));
  if (!o.buyer_note.empty()) d.set("buyer_note", o.buyer_note);
  Data items = Data::type::list;
  for (const auto& i : o.items) {
    Data row;
    row.set("name", i.offer_name);
    row.set("sku", i.external_id);
    row.set("quantity", std::to_string(i.quantity));
    row.set("price", Money(i.unit_price));
    items.push_back(row);
  }
  d.set("items", items);
  Data events = Data::type::list;
  for (const auto& e : loaded->events) {
    Data row;
    row.set("kind", e.kind);
    row.set("at", FormatLocal(e.at));
    row.set("message", e.message);
    row.set("actor", e.actor.empty() ? std::string("system") : e.actor);
    if (e.remote_at) {
      row.set("remote_at", FormatLocal(*e.remote_at));
      const auto lag = std::chrono::duration_cast<std::chrono::seconds>(e.at - *e.remote_at);
      row.set("lag", fmt::format("{} s", lag.count()));
    }
    events.push_back(row);
  }
  d.set("events", events);
  d.set("has_events", !loaded->events.empty());
  shipping::AddToOrderPage(app, o, user, d, form);
  PageOptions options{"Zamówienie", &user, "orders"};
  if (!form) options.flash = TakeFlash(req);
  return Page(status, "order", d, options);
}

namespace {

Response GetOrder(AppContext& app, Request& req, const Principal& user) {
  auto id = ParseId(req.PathParam("id"));
  if (!id)
    return ErrorPage(404, "Nie ma takiego zamówienia", "Sprawdź numer zamówienia.", req, &user);
  return OrderPage(app, req, user, *id, 200, nullptr);
}

// The form on the order page: the seller's local status, pushed to Allegro when it maps to a
// fulfilment status (StatusSync). The outcome and its warnings come back as a flash.
Response PostOrderStatus(AppContext& app, Request& req, const Principal& user) {
  auto id = ParseId(req.PathParam("id"));
  if (!id)
    return ErrorPage(404, "Nie ma takiego zamówienia", "Sprawdź numer zamówienia.", req, &user);
  if (app.status_sync == nullptr) {
    return ErrorPage(503, "Chwilowy problem", "Zmiana statusu jest teraz niedostępna.", req, &user);
  }
  auto form = req.Form();
  const std::string wanted = TruncateUtf8(FormField(*form, "status"), 64);
  auto before =
      app.store.Read([&](store::UnitOfWork& uow) { return uow.orders().Get(OrderId(*id)); });
  if (before && !*before) {
    return ErrorPage(404, "Nie ma takiego zamówienia", "Sprawdź numer zamówienia.", req, &user);
  }
  const std::string back = fmt::format("/orders/{}", *id);
  Response r = Response::Redirect(back);
  auto change = app.status_sync->Change(OrderId(*id), wanted, "user:" + user.name);
  Flash flash;
  if (!change) {
    const Error& e = change.error();
    flash.kind = "error";
    if (e.code == ErrorCode::kInvalidArgument) {
      flash.lines.push_back("Nie zmieniono statusu: wybierz status z listy.");
    } else if (e.code == ErrorCode::kFailedPrecondition) {
      flash.lines.push_back(
          "Nie zmieniono statusu: zamówienie zostało scalone z innym (wspólna "
          "płatność); zmień status tamtego zamówienia.");
    } else {
      log::Error("panel.status_change_failed",
                 {{"error", e.Describe()}, {"order_id", std::to_string(*id)}});
      flash.lines.push_back("Nie zmieniono statusu: chwilowy problem. Spróbuj ponownie.");
    }
    SetFlash(r, flash, Secure(app, req));
    return r;
  }
  const bool unchanged = before && *before && (*before)->local_status_id == change->status;
  flash.kind = change->warnings.empty() ? "ok" : "notice";
  if (unchanged) {
    flash.lines.push_back(fmt::format("Zamówienie ma już status „{}”.", change->status_name));
  } else if (change->queued && change->pushes) {
    flash.lines.push_back(
        fmt::format("Status zmieniony na „{}”. Allegro dostanie status {} (wysyłka w kolejce).",
                    change->status_name, domain::FulfillmentStatusName(*change->pushes)));
  } else {
    flash.lines.push_back(
        fmt::format("Status zmieniony na „{}” (tylko w Nadajniku).", change->status_name));
  }
  for (const auto& w : change->warnings) flash.lines.push_back(w);
  log::Info("panel.status_changed", {{"by", user.name},
                                     {"order_id", std::to_string(*id)},
                                     {"status", change->status_name},
                                     {"queued", change->queued ? "true" : "false"}});
  SetFlash(r, flash, Secure(app, req));
  return r;
}

// "Zmień status" on the orders list's selection: each order changed on its own, a result per
// order (changed, already had it, refused with the reason), pushes to Allegro queued.
Response PostBulkStatus(AppContext& app, Request& req, const Principal& user) {
  auto form = req.Form();
  const std::string back = SafeLocalPath(FormField(*form, "back"));
  auto go_back = [&](const std::string& message) {
    Response r = Response::Redirect(back);
    SetFlash(r, Flash{"error", {message}}, Secure(app, req));
    return r;
  };
  if (app.status_sync == nullptr) return go_back("Zmiana statusu jest teraz niedostępna.");
  const auto orders = shipping::SelectedOrders(*form);
  if (orders.empty()) return go_back("Zaznacz co najmniej jedno zamówienie.");
  if (orders.size() > shipping::kMaxBulkOrders) {
    return go_back(fmt::format("Zaznacz najwyżej {} zamówień naraz.", shipping::kMaxBulkOrders));
  }
  const std::string wanted = TruncateUtf8(FormField(*form, "status"), 64);
  if (wanted.empty()) return go_back("Wybierz status, który dostaną zaznaczone zamówienia.");
  auto results = app.status_sync->ChangeMany(orders, wanted, "user:" + user.name);
  if (!results) {
    if (results.error().code == ErrorCode::kInvalidArgument) {
      return go_back("Nie zmieniono statusów: wybierz status z listy.");
    }
    log::Error("panel.bulk_status_failed", {{"error", results.error().Describe()}});
    return go_back("Nie zmieniono statusów: chwilowy problem. Spróbuj ponownie.");
  }
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<std::vector<domain::Order>> {
    std::vector<domain::Order> out;
    for (OrderId id : orders) {
      NADAJNIK_ASSIGN_OR_RETURN(auto o, uow.orders().Get(id));
      if (o) out.push_back(std::move(*o));
    }
    return out;
  });
  std::map<std::int64_t, const domain::Order*> by_id;
  if (loaded) {
    for (const auto& o : *loaded) by_id[o.id.value] = &o;
  }
  Data rows = Data::type::list;
  int changed = 0, unchanged = 0, refused = 0;
  std::string status_name = wanted;
  std::set<std::string> warnings;
  for (const auto& r : *results) {
    Data row;
    row.set("order_id", std::to_string(r.order.value));
    const domain::Order* o = by_id[r.order.value];
    row.set("short_id", o ? o->checkout_form_id.value.substr(0, 8) : std::to_string(r.order.value));
    row.set("buyer", o ? o->buyer.first_name + " " + o->buyer.last_name : std::string());
    if (!r.change) {
      ++refused;
      const Error& e = r.change.error();
      row.set("result", std::string("odmowa"));
      row.set("result_class", std::string("failed"));
      row.set("reason", e.code == ErrorCode::kNotFound ? std::string("Nie ma takiego zamówienia.")
                        : e.code == ErrorCode::kFailedPrecondition
                            ? std::string("Zamówienie scalone z innym (wspólna płatność): zmień "
                                          "status tamtego zamówienia.")
                            : std::string("Chwilowy problem: spróbuj ponownie."));
    } else {
      status_name = r.change->status_name;
      for (const auto& w : r.change->warnings) warnings.insert(w);
      if (r.change->unchanged) {
        ++unchanged;
        row.set("result", std::string("już miało ten status"));
        row.set("result_class", std::string("muted"));
      } else {
        ++changed;
        row.set("result", r.change->queued && r.change->pushes
                              ? fmt::format("zmieniono; do Allegro: {}",
                                            domain::FulfillmentStatusName(*r.change->pushes))
                              : std::string("zmieniono"));
        row.set("result_class", std::string("ok"));
      }
    }
    rows.push_back(row);
  }
  log::Info("panel.bulk_status", {{"by", user.name},
                                  {"status", status_name},
                                  {"changed", std::to_string(changed)},
                                  {"refused", std::to_string(refused)}});
  Data d;
  d.set("back", back);
  d.set("status", status_name);
  d.set("total", std::to_string(results->size()));
  d.set("changed", std::to_string(changed));
  d.set("unchanged", std::to_string(unchanged));
  d.set("refused", std::to_string(refused));
  Data warning_list = Data::type::list;
  for (const auto& w : warnings) warning_list.push_back(Data(w));
  d.set("warnings", warning_list);
  d.set("rows", rows);
  return Page(200, "orders_bulk_status", d, {"Zmiana statusu", &user, "orders"});
}

// ---- admin: jobs (users are in settings_pages.cpp) ----------------------------------------------

Response GetJobs(AppContext& app, Request& req, const Principal& user) {
  struct Loaded {
    std::vector<store::JobCount> counts;
    std::vector<store::Job> dead;
    std::vector<store::Job> queued;
  };
  auto loaded = app.store.Read([&](store::UnitOfWork& uow) -> Result<Loaded> {
    Loaded l;
    NADAJNIK_ASSIGN_OR_RETURN(l.counts, uow.jobs().CountByKindAndState());
    NADAJNIK_ASSIGN_OR_RETURN(l.dead, uow.jobs().List({store::JobState::kDead, std::nullopt, 100}));
    NADAJNIK_ASSIGN_OR_RETURN(l.queued,
                              uow.jobs().List({store::JobState::kQueued, std::nullopt, 500}));
    return l;
  });
  if (!loaded)
    return ErrorPage(503, "Chwilowy problem", "Nie udało się wczytać zadań.", req, &user);
  Data counts = Data::type::list;
  for (const auto& c : loaded->counts) {
    Data row;
    row.set("kind", c.kind);
    row.set("state", std::string(store::JobStateName(c.state)));
    row.set("count", std::to_string(c.count));
    row.set("dead", c.state == store::JobState::kDead);
    counts.push_back(row);
  }
  auto job_row = [](const store::Job& j) {
    Data row;
    row.set("id", std::to_string(j.id.value));
    row.set("kind", j.kind);
    row.set("attempts", std::to_string(j.attempts));
    row.set("max_attempts", std::to_string(j.max_attempts));
    row.set("last_error", j.last_error);
    row.set("finished_at", j.finished_at ? FormatLocal(*j.finished_at) : "");
    row.set("run_at", FormatLocal(j.run_at));
    return row;
  };
  Data dead = Data::type::list;
  for (const auto& j : loaded->dead) dead.push_back(job_row(j));
  Data retrying = Data::type::list;
  bool any_retrying = false;
  for (const auto& j : loaded->queued) {
    if (j.attempts == 0) continue;
    retrying.push_back(job_row(j));
    any_retrying = true;
  }
  Data d;
  d.set("counts", counts);
  d.set("dead_jobs", dead);
  d.set("has_dead", !loaded->dead.empty());
  d.set("retrying", retrying);
  d.set("has_retrying", any_retrying);
  return Page(200, "jobs", d, {"Zadania", &user, "jobs"});
}

}  // namespace

void RegisterPanelRoutes(Router& router, AppContext& app) {
  router.Get("/", [](Request&) { return Response::Redirect("/orders", 302); });
  router.Get("/login", [&app](Request& req) {
    LanguageScope language(RequestLanguage(req));
    return GetLogin(app, req);
  });
  router.Post("/login", [&app](Request& req) {
    LanguageScope language(RequestLanguage(req));
    return PostLogin(app, req);
  });
  // "Polski · English" at the foot of every page: the browser's language (a cookie for a
  // year), then back where the user was.
  router.Get("/language", [&app](Request& req) {
    const std::string wanted = req.QueryParam("set").value_or("");
    // Back to the page the link was on: the path of the Referer (never another site).
    std::string back = "/orders";
    if (auto referer = req.Header("Referer")) {
      const auto scheme = referer->find("://");
      const auto path = scheme == std::string::npos ? scheme : referer->find('/', scheme + 3);
      if (path != std::string::npos) back = SafeNext(std::string(referer->substr(path)));
    }
    Response r = Response::Redirect(back);
    if (wanted == "en" || wanted == "pl") {
      CookieSpec c;
      c.name = "nadajnik_lang";
      c.value = wanted;
      c.path = "/";
      c.max_age_seconds = 365 * 24 * 3600;
      c.secure = Secure(app, req);
      r.SetCookie(c);
    }
    return r;
  });
  router.Post("/logout", Guarded(app, false, [&app](Request& req, const Principal& p) {
                return PostLogout(app, req, p);
              }));
  router.Get("/account/password", Guarded(app, false, [&app](Request& req, const Principal& p) {
               return PasswordPage(app, req, 200, p, "", false);
             }));
  router.Post("/account/password", Guarded(app, false, [&app](Request& req, const Principal& p) {
                return PostPassword(app, req, p);
              }));
  router.Post("/account/label-format",
              Guarded(app, false, [&app](Request& req, const Principal& p) {
                return PostLabelFormat(app, req, p);
              }));
  router.Get("/orders", Guarded(app, false, [&app](Request& req, const Principal& p) {
               return GetOrders(app, req, p);
             }));
  router.Get("/orders/{id}", Guarded(app, false, [&app](Request& req, const Principal& p) {
               return GetOrder(app, req, p);
             }));
  router.Post("/orders/{id}/status", Guarded(app, false, [&app](Request& req, const Principal& p) {
                return PostOrderStatus(app, req, p);
              }));
  router.Post("/orders/bulk-status", Guarded(app, false, [&app](Request& req, const Principal& p) {
                return PostBulkStatus(app, req, p);
              }));
  shipping::RegisterRoutes(router, app, [&app](bool admin, shipping::GuardedHandler h) {
    return Guarded(app, admin, std::move(h));
  });
  router.Get("/sources", Guarded(app, false, [&app](Request& req, const Principal& p) {
               return sources::List(app, req, p);
             }));
  router.Post("/sources", Guarded(app, true, [&app](Request& req, const Principal& p) {
                return sources::Add(app, req, p);
              }));
  // The marketplace sends back the browser of whoever started the authorization: an admin.
  router.Get("/sources/callback", Guarded(app, true, [&app](Request& req, const Principal& p) {
               return sources::Callback(app, req, p);
             }));
  router.Get("/sources/{alias}", Guarded(app, false, [&app](Request& req, const Principal& p) {
               return sources::Detail(app, req, p);
             }));
  router.Post("/sources/{alias}/authorize",
              Guarded(app, true, [&app](Request& req, const Principal& p) {
                return sources::Authorize(app, req, p);
              }));
  router.Post("/sources/{alias}/import",
              Guarded(app, true, [&app](Request& req, const Principal& p) {
                return sources::Import(app, req, p);
              }));
  settings::RegisterRoutes(router, app, [&app](bool admin, settings::GuardedHandler h) {
    return Guarded(app, admin, std::move(h));
  });
  router.Get("/jobs", Guarded(app, true, [&app](Request& req, const Principal& p) {
               return GetJobs(app, req, p);
             }));
  // Browsers ask for /favicon.ico on every page; the icon is an SVG.
  router.Get("/favicon.ico",
             [](Request&) { return Response::Redirect("/static/favicon.svg", 301); });
  router.Get("/static/{file}", [](Request& req) {
    if (auto r = StaticFile(req.PathParam("file").value_or(""))) return *r;
    return Response::Text(404, "not found");
  });
}

}  // namespace nadajnik::http::panel
