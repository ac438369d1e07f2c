#include "sandbox/allegro/oauth.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/text.hpp"

namespace nadajnik::sandbox::allegro {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The FAQ's "10-second code". Loopback clients exchange the code in the handler that receives
// the redirect (milliseconds), and the seller's typing happens before the code exists, so the
// production value is kept: a client that sits on a code fails here as it would on allegro.pl.
constexpr std::chrono::seconds kCodeTtl = 10s;
constexpr std::chrono::seconds kRefreshGrace = 60s;
constexpr std::chrono::seconds kDeviceCodeTtl = 3600s;
constexpr std::chrono::seconds kDevicePollInterval = 5s;

constexpr std::string_view kDeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";
constexpr std::string_view kAuthorizePath = "/auth/oauth/authorize";
constexpr std::string_view kDevicePagePath = "/skojarz-aplikacje";
constexpr std::string_view kNewDevicePagePath = "/uzytkownik/bezpieczenstwo/skojarz-aplikacje";

// ---- randomness and encodings (libsodium) ----

void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)initialised;
}

std::string Base64Url(std::string_view bytes) {
  if (bytes.empty()) return {};
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Standard base64 as HTTP Basic uses it; padding optional. nullopt when malformed.
std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t out_len = 0;
  const char* end = nullptr;
  const int variant = text.ends_with('=') ? sodium_base64_VARIANT_ORIGINAL
                                          : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &out_len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

std::string RandomBytes(std::size_t n) {
  EnsureSodium();
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

std::string RandomToken(std::size_t bytes) { return Base64Url(RandomBytes(bytes)); }

// Random (version 4) UUID, the shape of Allegro's jti.
std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    const auto u = static_cast<unsigned char>(b[i]);
    out += kHex[u >> 4];
    out += kHex[u & 0x0F];
  }
  return out;
}

// Device-flow user code: 8 characters from [a-z0-9], as in the documented example "abcd1234".
std::string NewUserCode() {
  EnsureSodium();
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string code;
  for (int i = 0; i < 8; ++i) code += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return code;
}

// PKCE S256: BASE64URL(SHA256(verifier)).
std::string S256(std::string_view verifier) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  return Base64Url(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  EnsureSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// RFC 7636 4.1: 43 to 128 characters of [A-Za-z0-9-._~]. A challenge made with S256 has 43.
bool IsPkceString(std::string_view s) {
  return s.size() >= 43 && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
                  c == '~';
         });
}

// ---- text ----

std::string HtmlEscape(std::string_view text) {
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
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<std::string> SplitScopes(std::string_view text) {
  std::vector<std::string> scopes;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view scope = text.substr(0, space);
    if (!scope.empty() && std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
      scopes.emplace_back(scope);
    }
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return scopes;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

struct ScopeCheck {
  std::vector<std::string> granted;
  std::string invalid;  // the first scope outside `allowed`; empty when all are allowed
};

// An absent or empty request means everything allowed (the scopes chosen at registration).
ScopeCheck CheckScopes(std::string_view requested, const std::vector<std::string>& allowed) {
  ScopeCheck check;
  check.granted = SplitScopes(requested);
  if (check.granted.empty()) {
    check.granted = allowed;
    return check;
  }
  for (const auto& s : check.granted) {
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      check.invalid = s;
      break;
    }
  }
  return check;
}

std::string AppendQuery(std::string uri,
                        const std::vector<std::pair<std::string, std::string>>& params) {
  char separator = uri.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : params) {
    uri += separator;
    uri += http::UrlEncode(key);
    uri += '=';
    uri += http::UrlEncode(value);
    separator = '&';
  }
  return uri;
}

// ---- the registered application ----

// http://127.0.0.1[:port][/...] or http://localhost[:port][/...]: what an installation running
// on the seller's machine registers when SandboxOptions::redirect_uris is empty.
bool IsLoopbackHttpUri(std::string_view uri) {
  constexpr std::string_view kScheme = "http://";
  if (!uri.starts_with(kScheme)) return false;
  std::string_view rest = uri.substr(kScheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const std::size_t colon = authority.find(':');
  const std::string_view host = authority.substr(0, colon);
  if (host != "127.0.0.1" && AsciiLower(host) != "localhost") return false;
  if (colon == std::string_view::npos) return true;
  const std::string_view port = authority.substr(colon + 1);
  return !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool RedirectUriAllowed(const World& world, std::string_view uri) {
  if (uri.empty()) return false;
  // No fragment (RFC 6749 3.1.2), no whitespace or control characters.
  if (std::any_of(uri.begin(), uri.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7F || c == '#' || c == '\\';
      })) {
    return false;
  }
  const auto& registered = world.options.redirect_uris;
  if (registered.empty()) return IsLoopbackHttpUri(uri);
  return std::find(registered.begin(), registered.end(), uri) != registered.end();
}

const Seller* CheckSellerCredentials(const World& world, std::string_view login,
                                     std::string_view password) {
  const Seller* seller = world.FindSellerByLogin(std::string(login));
  if (seller == nullptr && login.find('@') != std::string_view::npos) {
    const std::string lower = AsciiLower(login);
    for (const auto& s : world.sellers) {
      if (!s.email.empty() && AsciiLower(s.email) == lower) {
        seller = &s;
        break;
      }
    }
  }
  if (seller == nullptr || !SecretEquals(seller->password, password)) return nullptr;
  return seller;
}

// ---- request parameters ----

// The token and device endpoints take parameters from the form body or the query string
// (section 1.2: Allegro accepts both); the body wins when both carry one.
class Params {
 public:
  explicit Params(const http::Request& request) {
    if (auto form = request.Form()) values_ = std::move(*form);
    for (const auto& [key, value] : request.query) {
      if (!values_.contains(key)) values_.emplace(key, value);
    }
  }
  static Params FromForm(http::FormData form) { return Params(std::move(form)); }

  // The first value, or nullopt when the parameter is absent.
  std::optional<std::string> Get(std::string_view name) const {
    const auto it = values_.find(std::string(name));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  std::string GetOr(std::string_view name, std::string fallback = {}) const {
    return Get(name).value_or(std::move(fallback));
  }

 private:
  explicit Params(http::FormData values) : values_(std::move(values)) {}
  http::FormData values_;
};

// ---- responses ----

void NoStore(http::Response& response) {
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("Pragma", "no-cache");
}

http::Response OAuthError(int status, std::string_view error, std::string_view description = {},
                          const std::optional<std::string>& scope = std::nullopt) {
  json::object body;
  body["error"] = error;
  if (!description.empty()) body["error_description"] = description;
  if (scope) body["scope"] = *scope;
  http::Response response = http::Response::Json(status, json::serialize(body));
  NoStore(response);
  return response;
}

http::Response InvalidScope(const std::string& scope, const std::vector<std::string>& granted) {
  return OAuthError(400, "invalid_scope", "Invalid scope: " + scope, JoinScopes(granted));
}

std::string Page(std::string_view title, std::string_view body) {
  std::string html;
  html += "<!doctype html>\n<html lang=\"pl\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>" + HtmlEscape(title) + " | Allegro Sandbox</title>";
  html +=
      "<style>body{font-family:sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem}"
      "label{display:block;margin:.6rem 0}input{display:block;width:100%;padding:.3rem}"
      ".error{color:#b00020}button{margin:.8rem .4rem 0 0;padding:.4rem 1rem}</style>";
  html += "</head><body><p><strong>Allegro Sandbox</strong> (nadajnik-sandbox)</p>";
  html += body;
  html += "</body></html>\n";
  return html;
}

http::Response HtmlPage(int status, std::string_view title, std::string_view body) {
  http::Response response = http::Response::Html(status, Page(title, body));
  NoStore(response);
  response.SetHeader("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  response.SetHeader("X-Frame-Options", "DENY");
  return response;
}

std::string ErrorParagraph(std::string_view error) {
  if (error.empty()) return {};
  return "<p class=\"error\" role=\"alert\">" + HtmlEscape(error) + "</p>";
}

std::string ScopeList(const std::vector<std::string>& scopes) {
  std::string out = "<ul>";
  for (const auto& s : scopes) out += "<li><code>" + HtmlEscape(s) + "</code></li>";
  return out + "</ul>";
}

std::string HiddenInput(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + HtmlEscape(name) + "\" value=\"" + HtmlEscape(value) +
         "\">";
}

std::string CredentialFields(std::string_view login) {
  return "<label>Login lub e-mail<input name=\"login\" value=\"" + HtmlEscape(login) +
         "\" autocomplete=\"username\" required></label>"
         "<label>Hasło<input type=\"password\" name=\"password\" "
         "autocomplete=\"current-password\"></label>"
         "<button type=\"submit\" name=\"decision\" value=\"allow\">Zezwól</button>"
         "<button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Odmów</button>";
}

// The base URL the client reached us at, for verification_uri. The Host header is untrusted:
// anything but a plain host[:port] falls back to the loopback address.
std::string BaseUrl(const http::Request& request) {
  std::string host(request.Header("Host").value_or(""));
  const bool sane =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']';
      });
  if (!sane) host = "127.0.0.1";
  return std::string(request.tls ? "https://" : "http://") + host;
}

// ---- tokens ----

std::int64_t UnixSeconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

struct MintedToken {
  std::string token;
  std::string jti;
};

// JWT-shaped like Allegro's RS256 tokens; the signature is random bytes of an RSA-2048
// signature's length (nobody can verify it, and it makes every token unique).
MintedToken MintJwt(const std::string& seller_id, const std::string& client_id,
                    const std::vector<std::string>& scopes, Timestamp expires_at,
                    const std::string& access_jti = {}) {
  static const std::string kHeader = Base64Url(R"({"alg":"RS256","typ":"JWT"})");
  MintedToken minted;
  minted.jti = NewUuid();
  json::object payload;
  if (!seller_id.empty()) payload["user_name"] = seller_id;  // absent in application tokens
  json::array scope_array;
  for (const auto& s : scopes) scope_array.emplace_back(s);
  payload["scope"] = std::move(scope_array);
  payload["allegro_api"] = true;
  if (!access_jti.empty()) payload["ati"] = access_jti;  // a refresh token names its access token
  payload["exp"] = UnixSeconds(expires_at);
  payload["client_id"] = client_id;
  payload["jti"] = minted.jti;
  minted.token =
      kHeader + "." + Base64Url(json::serialize(payload)) + "." + Base64Url(RandomBytes(256));
  return minted;
}

struct TokenSet {
  std::string access_token;
  std::string refresh_token;  // empty for application tokens
  std::string jti;            // the access token's
  std::vector<std::string> scopes;
  int expires_in = 0;
};

TokenSet IssueTokens(World& world, const std::string& seller_id, const std::string& client_id,
                     std::vector<std::string> scopes, bool with_refresh) {
  const Timestamp now = world.Now();
  TokenSet set;
  set.scopes = std::move(scopes);
  set.expires_in = static_cast<int>(world.options.access_token_ttl.count());
  const Timestamp access_expiry = now + world.options.access_token_ttl;
  MintedToken access = MintJwt(seller_id, client_id, set.scopes, access_expiry);
  set.access_token = access.token;
  set.jti = access.jti;
  world.access_tokens[access.token] =
      AccessGrant{seller_id, client_id, set.scopes, access_expiry, /*revoked=*/false};
  if (with_refresh) {
    const Timestamp refresh_expiry = now + world.options.refresh_token_ttl;
    MintedToken refresh = MintJwt(seller_id, client_id, set.scopes, refresh_expiry, access.jti);
    set.refresh_token = refresh.token;
    RefreshGrant grant;
    grant.seller_id = seller_id;
    grant.client_id = client_id;
    grant.scopes = set.scopes;
    grant.expires_at = refresh_expiry;
    grant.access_token = access.token;
    world.refresh_tokens[refresh.token] = std::move(grant);
  }
  return set;
}

// Section 1.4's shape, in its order.
http::Response TokenResponse(const TokenSet& set) {
  json::object body;
  body["access_token"] = set.access_token;
  body["token_type"] = "bearer";
  if (!set.refresh_token.empty()) body["refresh_token"] = set.refresh_token;
  body["expires_in"] = set.expires_in;
  body["scope"] = JoinScopes(set.scopes);
  body["allegro_api"] = true;
  body["jti"] = set.jti;
  http::Response response = http::Response::Json(200, json::serialize(body));
  NoStore(response);
  return response;
}

// ---- client authentication ----

// HTTP Basic with the registered client id and secret. A client_id parameter, when sent, must
// name the same client. Returns the error response, or nullopt when the client is authenticated.
std::optional<http::Response> AuthenticateClient(const World& world, const http::Request& request,
                                                 const Params& params) {
  const std::string_view header = request.Header("Authorization").value_or("");
  constexpr std::string_view kBasic = "basic ";
  if (header.size() <= kBasic.size() || AsciiLower(header.substr(0, kBasic.size())) != kBasic) {
    http::Response response =
        OAuthError(401, "unauthorized", "Full authentication is required to access this resource");
    response.SetHeader("WWW-Authenticate", "Basic realm=\"oauth2/client\"");
    return response;
  }
  std::string_view encoded = header.substr(kBasic.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  const std::optional<std::string> decoded = DecodeBase64(encoded);
  const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
  const bool ok = colon != std::string::npos &&
                  SecretEquals(decoded->substr(0, colon), world.options.client_id) &&
                  SecretEquals(decoded->substr(colon + 1), world.options.client_secret);
  if (!ok) {
    http::Response response = OAuthError(401, "invalid_client", "Bad client credentials");
    response.SetHeader("WWW-Authenticate", "Basic realm=\"oauth2/client\"");
    return response;
  }
  if (const auto client_id = params.Get("client_id");
      client_id && *client_id != world.options.client_id) {
    return OAuthError(401, "invalid_client", "Given client ID does not match authenticated client");
  }
  return std::nullopt;
}

// ---- authorization code flow ----

struct AuthorizeRequest {
  std::string client_id;
  std::string redirect_uri;
  std::optional<std::string> state;
  std::string scope;  // as sent, for the form
  std::vector<std::string> scopes;
  std::string prompt;
  std::string code_challenge;
  std::string code_challenge_method;
};

http::Response AuthorizeErrorPage(std::string_view message) {
  return HtmlPage(400, "Błąd autoryzacji",
                  "<h1>Błąd autoryzacji</h1>" + ErrorParagraph(message) +
                      "<p>Nie przekierowano do aplikacji, bo nie można jej zaufać.</p>");
}

http::Response RedirectWithError(const AuthorizeRequest& a, std::string_view error,
                                 std::string_view description) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"error", std::string(error)}, {"error_description", std::string(description)}};
  if (a.state) params.emplace_back("state", *a.state);
  return http::Response::Redirect(AppendQuery(a.redirect_uri, params), 302);
}

// RFC 6749 4.1.2.1: a bad client or redirect_uri gets an error page (never a redirect to an
// address we can't trust); any other problem is reported to the redirect_uri.
std::variant<AuthorizeRequest, http::Response> ValidateAuthorize(const World& world,
                                                                 const Params& p) {
  AuthorizeRequest a;
  a.client_id = p.GetOr("client_id");
  a.redirect_uri = p.GetOr("redirect_uri");
  if (a.client_id.empty()) return AuthorizeErrorPage("Brak parametru client_id.");
  if (a.client_id != world.options.client_id) {
    return AuthorizeErrorPage("Nieznana aplikacja (client_id): " + a.client_id);
  }
  if (!RedirectUriAllowed(world, a.redirect_uri)) {
    return AuthorizeErrorPage("Adres redirect_uri nie jest zarejestrowany dla tej aplikacji: " +
                              a.redirect_uri);
  }
  a.state = p.Get("state");
  a.scope = p.GetOr("scope");
  a.prompt = p.GetOr("prompt");
  a.code_challenge = p.GetOr("code_challenge");
  a.code_challenge_method = p.GetOr("code_challenge_method");

  const std::optional<std::string> response_type = p.Get("response_type");
  if (!response_type || response_type->empty()) {
    return RedirectWithError(a, "invalid_request", "Missing response_type");
  }
  if (*response_type != "code") {
    return RedirectWithError(a, "unsupported_response_type",
                             "Unsupported response types: " + *response_type);
  }
  ScopeCheck scopes = CheckScopes(a.scope, kSandboxAppScopes);
  if (!scopes.invalid.empty()) {
    return RedirectWithError(a, "invalid_scope", "Invalid scope: " + scopes.invalid);
  }
  a.scopes = std::move(scopes.granted);
  if (!a.code_challenge.empty() || !a.code_challenge_method.empty()) {
    // Allegro documents S256 only; "plain" (RFC 7636's default) would defeat PKCE.
    if (a.code_challenge_method != "S256") {
      return RedirectWithError(a, "invalid_request", "Unsupported code_challenge_method; use S256");
    }
    if (!IsPkceString(a.code_challenge)) {
      return RedirectWithError(a, "invalid_request", "Invalid code_challenge");
    }
  }
  return a;
}

http::Response ConsentPage(const AuthorizeRequest& a, std::string_view login,
                           std::string_view error) {
  std::string body = "<h1>Zaloguj się</h1><p>Aplikacja <strong>" + HtmlEscape(a.client_id) +
                     "</strong> prosi o dostęp do Twojego konta Allegro:</p>" +
                     ScopeList(a.scopes) + ErrorParagraph(error);
  body += "<form method=\"post\" action=\"" + std::string(kAuthorizePath) + "\">";
  body += HiddenInput("response_type", "code");
  body += HiddenInput("client_id", a.client_id);
  body += HiddenInput("redirect_uri", a.redirect_uri);
  if (a.state) body += HiddenInput("state", *a.state);
  if (!a.scope.empty()) body += HiddenInput("scope", a.scope);
  if (!a.prompt.empty()) body += HiddenInput("prompt", a.prompt);
  if (!a.code_challenge.empty()) {
    body += HiddenInput("code_challenge", a.code_challenge);
    body += HiddenInput("code_challenge_method", a.code_challenge_method);
  }
  body += CredentialFields(login);
  body += "</form><p>Po zgodzie wrócisz do <code>" + HtmlEscape(a.redirect_uri) + "</code>.</p>";
  return HtmlPage(200, "Logowanie", body);
}

// Without sessions the sandbox always asks for login and consent, which is what prompt=confirm
// asks of allegro.pl; a client that omits prompt sees the same page.
http::Response HandleAuthorizePage(World& world, const http::Request& request) {
  std::lock_guard lock(world.mu);
  Params params = Params::FromForm(request.query);
  auto validated = ValidateAuthorize(world, params);
  if (auto* response = std::get_if<http::Response>(&validated)) return std::move(*response);
  return ConsentPage(std::get<AuthorizeRequest>(validated), "", "");
}

http::Response HandleAuthorizeForm(World& world, const http::Request& request) {
  std::lock_guard lock(world.mu);
  auto form = request.Form();
  if (!form) return AuthorizeErrorPage("Formularz nie dotarł w całości; zacznij od nowa.");
  const Params params = Params::FromForm(std::move(*form));
  auto validated = ValidateAuthorize(world, params);
  if (auto* response = std::get_if<http::Response>(&validated)) return std::move(*response);
  const AuthorizeRequest& a = std::get<AuthorizeRequest>(validated);

  if (params.GetOr("decision") == "deny") {
    return RedirectWithError(a, "access_denied", "User denied access");
  }
  const std::string login = params.GetOr("login");
  const Seller* seller = CheckSellerCredentials(world, login, params.GetOr("password"));
  if (seller == nullptr) return ConsentPage(a, login, "Nieprawidłowy login lub hasło.");

  const Timestamp now = world.Now();
  std::erase_if(world.authorization_codes,
                [&](const auto& entry) { return entry.second.expires_at <= now; });
  std::string code = RandomToken(24);
  AuthorizationCode record;
  record.seller_id = seller->id;
  record.client_id = a.client_id;
  record.redirect_uri = a.redirect_uri;
  record.scopes = a.scopes;
  record.code_challenge = a.code_challenge;
  record.expires_at = now + kCodeTtl;
  world.authorization_codes[code] = std::move(record);

  std::vector<std::pair<std::string, std::string>> query = {{"code", code}};
  if (a.state) query.emplace_back("state", *a.state);
  return http::Response::Redirect(AppendQuery(a.redirect_uri, query), 302);
}

// ---- token endpoint ----

http::Response InvalidGrant(std::string description) {
  return OAuthError(400, "invalid_grant", description);
}

http::Response AuthorizationCodeGrant(World& world, const Params& p) {
  const std::string code = p.GetOr("code");
  if (code.empty()) {
    return OAuthError(400, "invalid_request", "An authorization code must be supplied.");
  }
  const auto it = world.authorization_codes.find(code);
  if (it == world.authorization_codes.end() || it->second.used ||
      it->second.client_id != world.options.client_id) {
    return InvalidGrant("Invalid authorization code: " + code);
  }
  // Any redemption attempt uses the code up, a failed one too (as Spring's code services do).
  AuthorizationCode record = it->second;
  it->second.used = true;
  if (record.expires_at <= world.Now()) {
    return InvalidGrant("Invalid authorization code: " + code);
  }
  if (p.GetOr("redirect_uri") != record.redirect_uri) {
    return InvalidGrant("Redirect URI mismatch.");
  }
  if (!record.code_challenge.empty()) {
    const std::optional<std::string> verifier = p.Get("code_verifier");
    if (!verifier || verifier->empty()) return InvalidGrant("Code verifier required.");
    if (!IsPkceString(*verifier) || !SecretEquals(S256(*verifier), record.code_challenge)) {
      return InvalidGrant("Invalid code verifier.");
    }
  }
  if (world.FindSellerById(record.seller_id) == nullptr) {
    return InvalidGrant("Invalid authorization code: " + code);
  }
  return TokenResponse(IssueTokens(world, record.seller_id, record.client_id,
                                   std::move(record.scopes), /*with_refresh=*/true));
}

http::Response RefreshTokenGrant(World& world, const Params& p) {
  const std::string token = p.GetOr("refresh_token");
  if (token.empty()) return OAuthError(400, "invalid_request", "A refresh token must be supplied.");
  const Timestamp now = world.Now();
  const auto it = world.refresh_tokens.find(token);
  if (it == world.refresh_tokens.end()) return InvalidGrant("Invalid refresh token: " + token);
  RefreshGrant& grant = it->second;
  const bool dead = grant.revoked || grant.client_id != world.options.client_id ||
                    grant.expires_at <= now ||
                    (grant.used_at && now >= *grant.used_at + kRefreshGrace) ||
                    world.FindSellerById(grant.seller_id) == nullptr;
  if (dead) return InvalidGrant("Invalid refresh token: " + token);

  std::vector<std::string> scopes = grant.scopes;
  if (const std::string requested = p.GetOr("scope"); !requested.empty()) {
    // RFC 6749 section 6: a refresh may narrow the scope, never widen it.
    ScopeCheck check = CheckScopes(requested, grant.scopes);
    if (!check.invalid.empty()) return InvalidScope(check.invalid, grant.scopes);
    scopes = std::move(check.granted);
  }
  if (!grant.used_at) {
    // First use: the pair dies; the refresh token lives on for the grace period only.
    grant.used_at = now;
    if (auto access = world.access_tokens.find(grant.access_token);
        access != world.access_tokens.end()) {
      access->second.revoked = true;
    }
  }
  // Copies: issuing inserts into refresh_tokens, which may rehash and move `grant`.
  const std::string seller_id = grant.seller_id;
  const std::string client_id = grant.client_id;
  return TokenResponse(IssueTokens(world, seller_id, client_id, std::move(scopes), true));
}

http::Response DeviceCodeGrant(World& world, const Params& p) {
  const std::string device_code = p.GetOr("device_code");
  if (device_code.empty()) {
    return OAuthError(400, "invalid_request", "A device code must be supplied.");
  }
  const auto it = world.device_authorizations.find(device_code);
  if (it == world.device_authorizations.end() || it->second.redeemed ||
      it->second.client_id != world.options.client_id) {
    return InvalidGrant("Invalid device code: " + device_code);
  }
  DeviceAuthorization& device = it->second;
  const Timestamp now = world.Now();
  // Section 1.3 shows these four as a bare {"error": ...}.
  if (now >= device.expires_at) return OAuthError(400, "expired_token");
  const std::optional<Timestamp> previous_poll = device.last_poll;
  device.last_poll = now;
  switch (device.state) {
    case DeviceState::kDenied:
      return OAuthError(400, "access_denied");
    case DeviceState::kApproved: {
      if (world.FindSellerById(device.seller_id) == nullptr) {
        return InvalidGrant("Invalid device code: " + device_code);
      }
      device.redeemed = true;
      const std::string seller_id = device.seller_id;
      const std::string client_id = device.client_id;
      return TokenResponse(IssueTokens(world, seller_id, client_id, kSandboxAppScopes, true));
    }
    case DeviceState::kPending:
      break;
  }
  // RFC 8628 3.5: slow_down is authorization_pending for a client that polls too often.
  if (previous_poll && now - *previous_poll < kDevicePollInterval) {
    return OAuthError(400, "slow_down");
  }
  return OAuthError(400, "authorization_pending");
}

http::Response ClientCredentialsGrant(World& world, const Params& p) {
  ScopeCheck check = CheckScopes(p.GetOr("scope"), kSandboxAppScopes);
  if (!check.invalid.empty()) return InvalidScope(check.invalid, kSandboxAppScopes);
  return TokenResponse(
      IssueTokens(world, "", world.options.client_id, std::move(check.granted), false));
}

http::Response HandleToken(World& world, const http::Request& request) {
  std::lock_guard lock(world.mu);
  const Params params(request);
  if (auto refused = AuthenticateClient(world, request, params)) return std::move(*refused);
  const std::string grant_type = params.GetOr("grant_type");
  if (grant_type.empty()) return OAuthError(400, "invalid_request", "Missing grant type");
  if (grant_type == "authorization_code") return AuthorizationCodeGrant(world, params);
  if (grant_type == "refresh_token") return RefreshTokenGrant(world, params);
  if (grant_type == kDeviceCodeGrant) return DeviceCodeGrant(world, params);
  if (grant_type == "client_credentials") return ClientCredentialsGrant(world, params);
  return OAuthError(400, "unsupported_grant_type",
                    "Unsupported grant type: " + TruncateUtf8(grant_type, 200));
}

// ---- device flow ----

http::Response HandleDevice(World& world, const http::Request& request) {
  std::lock_guard lock(world.mu);
  const Params params(request);
  if (auto refused = AuthenticateClient(world, request, params)) return std::move(*refused);
  if (params.GetOr("client_id").empty()) {
    return OAuthError(400, "invalid_request", "Missing client_id");
  }
  const Timestamp now = world.Now();
  std::erase_if(world.device_authorizations, [&](const auto& entry) {
    return entry.second.expires_at <= now - std::chrono::hours(24);
  });
  DeviceAuthorization device;
  device.device_code = RandomToken(24);
  device.client_id = world.options.client_id;
  device.expires_at = now + kDeviceCodeTtl;
  while (true) {  // user codes are what the seller types: unique among the live ones
    device.user_code = NewUserCode();
    const bool taken =
        std::any_of(world.device_authorizations.begin(), world.device_authorizations.end(),
                    [&](const auto& entry) { return entry.second.user_code == device.user_code; });
    if (!taken) break;
  }
  const std::string verification_uri = BaseUrl(request) + std::string(kDevicePagePath);
  json::object body;
  body["device_code"] = device.device_code;
  body["user_code"] = device.user_code;
  body["verification_uri"] = verification_uri;
  body["verification_uri_complete"] = AppendQuery(verification_uri, {{"code", device.user_code}});
  body["expires_in"] = kDeviceCodeTtl.count();
  body["interval"] = kDevicePollInterval.count();
  world.device_authorizations[device.device_code] = device;
  http::Response response = http::Response::Json(200, json::serialize(body));
  NoStore(response);
  return response;
}

DeviceAuthorization* FindByUserCode(World& world, std::string_view user_code) {
  for (auto& [device_code, device] : world.device_authorizations) {
    if (device.user_code == user_code) return &device;
  }
  return nullptr;
}

http::Response DevicePage(std::string_view path, std::string_view user_code, const World& world,
                          std::string_view login, std::string_view error) {
  std::string body = "<h1>Powiąż aplikację z kontem</h1><p>Aplikacja <strong>" +
                     HtmlEscape(world.options.client_id) +
                     "</strong> prosi o dostęp do Twojego konta Allegro:</p>" +
                     ScopeList(kSandboxAppScopes) + ErrorParagraph(error);
  body += "<form method=\"post\" action=\"" + HtmlEscape(path) + "\">";
  body += "<label>Kod z aplikacji<input name=\"code\" value=\"" + HtmlEscape(user_code) +
          "\" autocomplete=\"off\" required></label>";
  body += CredentialFields(login);
  body += "</form>";
  return HtmlPage(200, "Powiąż aplikację", body);
}

http::Response HandleDevicePage(World& world, const http::Request& request) {
  std::lock_guard lock(world.mu);
  return DevicePage(request.path, AsciiLower(request.QueryParam("code").value_or("")), world, "",
                    "");
}

http::Response HandleDeviceForm(World& world, const http::Request& request) {
  std::lock_guard lock(world.mu);
  auto form = request.Form();
  if (!form) return DevicePage(request.path, "", world, "", "Formularz nie dotarł; spróbuj znowu.");
  const Params params = Params::FromForm(std::move(*form));
  std::string user_code = AsciiLower(params.GetOr("code"));
  std::erase_if(user_code, [](char c) { return c == ' ' || c == '-'; });
  const std::string login = params.GetOr("login");

  DeviceAuthorization* device = FindByUserCode(world, user_code);
  if (device == nullptr || device->expires_at <= world.Now()) {
    return DevicePage(request.path, user_code, world, login,
                      "Nieznany lub wygasły kod. Poproś aplikację o nowy.");
  }
  if (device->state != DeviceState::kPending) {
    return DevicePage(request.path, user_code, world, login, "Ten kod został już użyty.");
  }
  if (params.GetOr("decision") == "deny") {
    device->state = DeviceState::kDenied;
    return HtmlPage(200, "Odmówiono",
                    "<h1>Odmówiono dostępu</h1><p>Aplikacja <strong>" +
                        HtmlEscape(device->client_id) +
                        "</strong> nie otrzyma dostępu do konta.</p>");
  }
  const Seller* seller = CheckSellerCredentials(world, login, params.GetOr("password"));
  if (seller == nullptr) {
    return DevicePage(request.path, user_code, world, login, "Nieprawidłowy login lub hasło.");
  }
  device->state = DeviceState::kApproved;
  device->seller_id = seller->id;
  return HtmlPage(200, "Powiązano",
                  "<h1>Aplikacja powiązana</h1><p>Aplikacja <strong>" +
                      HtmlEscape(device->client_id) + "</strong> ma dostęp do konta <strong>" +
                      HtmlEscape(seller->login) + "</strong>. Możesz wrócić do aplikacji.</p>");
}

}  // namespace

IssuedTokens IssueUserTokens(World& world, const std::string& seller_id,
                             const std::string& client_id, std::vector<std::string> scopes) {
  if (scopes.empty()) scopes = kSandboxAppScopes;
  TokenSet set = IssueTokens(world, seller_id, client_id, std::move(scopes), true);
  return IssuedTokens{std::move(set.access_token), std::move(set.refresh_token), set.expires_in};
}

void RevokeSellerTokens(World& world, const std::string& seller_id) {
  for (auto& [token, grant] : world.access_tokens) {
    if (grant.seller_id == seller_id) grant.revoked = true;
  }
  for (auto& [token, grant] : world.refresh_tokens) {
    if (grant.seller_id == seller_id) grant.revoked = true;
  }
  // A consent given before the password change must not turn into tokens after it.
  for (auto& [code, record] : world.authorization_codes) {
    if (record.seller_id == seller_id) record.used = true;
  }
}

void RegisterOAuthRoutes(http::Router& router, World& world) {
  EnsureSodium();
  router.Get(std::string(kAuthorizePath),
             [&world](http::Request& r) { return HandleAuthorizePage(world, r); });
  router.Post(std::string(kAuthorizePath),
              [&world](http::Request& r) { return HandleAuthorizeForm(world, r); });
  router.Post("/auth/oauth/token", [&world](http::Request& r) { return HandleToken(world, r); });
  router.Post("/auth/oauth/device", [&world](http::Request& r) { return HandleDevice(world, r); });
  for (std::string_view path : {kDevicePagePath, kNewDevicePagePath}) {
    router.Get(std::string(path),
               [&world](http::Request& r) { return HandleDevicePage(world, r); });
    router.Post(std::string(path),
                [&world](http::Request& r) { return HandleDeviceForm(world, r); });
  }
}

}  // namespace nadajnik::sandbox::allegro
