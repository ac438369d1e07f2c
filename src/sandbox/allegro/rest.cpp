#include "sandbox/allegro/rest.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "security/tokens.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;

http::Response VendorJson(int status, const json::value& body) {
  http::Response r;
  r.status = status;
  r.body = json::serialize(body);
  r.SetHeader("Content-Type", std::string(kVendorJson));
  r.SetHeader("trace-id", security::RandomToken(12));
  return r;
}

namespace {

thread_local bool g_polish = false;

// userMessage texts in English and Polish.
constexpr std::pair<std::string_view, std::string_view> kUserMessages[] = {
    {"Checkout form not found.", "Nie znaleziono zamówienia."},
    {"Invalid request. Fix the request and try again.",
     "Nieprawidłowe żądanie. Popraw je i spróbuj ponownie."},
    {"Too many requests. Try again later.", "Zbyt wiele zapytań. Spróbuj ponownie później."},
    {"Unsupported content type.", "Nieobsługiwany typ treści."},
    {"Invalid Accept header.", "Nieprawidłowy nagłówek Accept."},
    {"The order has changed. Refresh it and try again.",
     "Zamówienie zostało zmienione. Odśwież je i spróbuj ponownie."},
    {"The service is temporarily unavailable. Try again.",
     "Usługa chwilowo niedostępna. Spróbuj ponownie."},
    {"Command not found.", "Nie znaleziono polecenia."},
    {"Operation not found.", "Nie znaleziono operacji."},
    {"Shipment not found.", "Nie odnaleziono przewozu"},
    {"Selected order can not be used.", "Wybrane zamówienie nie może zostać użyte"},
    {"Invalid number of items.", "Nieprawidłowa liczba przedmiotów."},
    {"No access to the specified resource.", "Brak dostępu do wskazanego zasobu."},
};

std::string_view Localized(std::string_view text) {
  for (const auto& [en, pl] : kUserMessages) {
    if (text == en || text == pl) return g_polish ? pl : en;
  }
  return text;
}

}  // namespace

void SetRequestLanguage(std::string_view accept_language) {
  g_polish = accept_language.substr(0, 2) == "pl";
}

http::Response RestError(int status, std::string_view code, std::string_view message,
                         std::string_view user_message, std::string_view path) {
  json::object error{{"code", code},
                     {"message", message},
                     {"details", nullptr},
                     {"path", path.empty() ? json::value(nullptr) : json::value(path)},
                     {"userMessage", Localized(user_message)},
                     {"metadata", json::object{}}};
  return VendorJson(status, json::object{{"errors", json::array{error}}});
}

http::Response OAuthShapedError(int status, std::string_view error, std::string_view description) {
  http::Response r;
  r.status = status;
  r.body = json::serialize(json::object{{"error", error}, {"error_description", description}});
  r.SetHeader("Content-Type", "application/json;charset=UTF-8");
  r.SetHeader("trace-id", security::RandomToken(12));
  return r;
}

namespace {

bool AcceptsVendorJson(const http::Request& request) {
  auto accept = request.Header("Accept");
  return accept && accept->find(kVendorJson) != std::string_view::npos;
}

// The per-client-id budget. Returns a 429 while the client is over it. No Retry-After: Allegro
// documents none for the global limit (doc 7.3).
std::optional<http::Response> SpendBudget(World& world, const std::string& client_id) {
  const std::int64_t now = ToUnixMillis(world.Now());
  const std::int64_t block_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(world.options.rate_limit_block).count();
  RateWindow& w = world.rate[client_id];
  if (w.blocked_until_ms > now) {
    // Calls during the block make it last longer, as Allegro documents: 10 s of a 60 s block.
    w.blocked_until_ms = std::max(w.blocked_until_ms, now + block_ms / 6);
    return RestError(429, "TooManyRequests", "Too many requests. Client id blocked.",
                     "Zbyt wiele zapytań. Spróbuj ponownie później.");
  }
  // A block shorter than the window (tests) must not leave the spent budget behind it.
  const bool block_over = w.blocked_until_ms > 0;
  if (block_over || now - w.window_start_ms >= 60000) {
    w.window_start_ms = now;
    w.used = 0;
    w.blocked_until_ms = 0;
  }
  if (++w.used > world.options.requests_per_minute) {
    w.blocked_until_ms = now + block_ms;
    return RestError(429, "TooManyRequests", "Too many requests. Client id blocked.",
                     "Zbyt wiele zapytań. Spróbuj ponownie później.");
  }
  return std::nullopt;
}

}  // namespace

std::variant<Caller, http::Response> Authorize(World& world, const http::Request& request,
                                               std::string_view scope, bool user_only) {
  auto header = request.Header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header || header->size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header->begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return OAuthShapedError(401, "unauthorized",
                            "Full authentication is required to access this resource");
  }
  const std::string token(header->substr(kBearer.size()));
  auto it = world.access_tokens.find(token);
  if (it == world.access_tokens.end()) {
    return OAuthShapedError(401, "invalid_token", "Cannot convert access token to JSON");
  }
  const AccessGrant& grant = it->second;
  if (grant.revoked || grant.expires_at <= world.Now()) {
    return OAuthShapedError(401, "invalid_token", "Access token expired: " + token.substr(0, 40));
  }
  if (!AcceptsVendorJson(request)) {
    return RestError(406, "NotAcceptableException", "Not acceptable representation",
                     "Nieprawidłowy nagłówek Accept.");
  }
  if (auto limited = SpendBudget(world, grant.client_id)) return *limited;
  const bool has_scope = scope.empty() || std::find(grant.scopes.begin(), grant.scopes.end(),
                                                    scope) != grant.scopes.end();
  if (!has_scope || (user_only && grant.seller_id.empty())) {
    return RestError(403, "AccessDenied", "Access is denied",
                     "No access to the specified resource.");
  }
  Caller caller{grant, grant.seller_id.empty() ? nullptr : world.FindSellerById(grant.seller_id)};
  if (user_only && caller.seller == nullptr) {
    return OAuthShapedError(401, "invalid_token", "Cannot convert access token to JSON");
  }
  return caller;
}

std::optional<http::Response> RequireVendorJsonBody(const http::Request& request) {
  auto type = request.Header("Content-Type");
  if (!type || type->find(kVendorJson) == std::string_view::npos) {
    return RestError(415, "NotSupportedException",
                     "Unsupported content type. Please check 'Content-Type' request header",
                     "Nieobsługiwany typ treści.");
  }
  return std::nullopt;
}

std::string FormatWireTime(std::int64_t unix_ms) { return FormatIso8601(FromUnixMillis(unix_ms)); }

json::object MoneyJson(const Money& m) {
  return {{"amount", m.AmountString()}, {"currency", m.currency.code()}};
}

}  // namespace nadajnik::sandbox::allegro
