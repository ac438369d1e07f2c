#include "marketplace/allegro/oauth_client.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/json.hpp>

#include "core/text.hpp"
#include "marketplace/allegro/mapping.hpp"
#include "security/tokens.hpp"

namespace nadajnik::marketplace::allegro {

namespace json = boost::json;

namespace {

std::string B64Url(const unsigned char* bytes, std::size_t n) {
  std::string s = EncodeBase64(std::string_view(reinterpret_cast<const char*>(bytes), n));
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                  : std::string();
}

std::optional<std::int64_t> Int(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<std::int64_t>(it->value().get_uint64());
  return std::nullopt;
}

std::optional<json::object> ParseObject(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.get_object();
}

// The OAuth error body -> our Error. The description is not echoed for grant errors: Allegro
// puts the token into it ("Invalid refresh token: <token>").
Unexpected OAuthError(const net::HttpResponse& r, std::string_view action) {
  auto body = ParseObject(r.body);
  const std::string code = body ? Str(*body, "error") : std::string();
  if (r.status == 429) {
    Error e;
    e.code = ErrorCode::kRateLimited;
    e.message =
        fmt::format("Allegro's auth server refused to {} for now: too many requests", action);
    e.retryable = true;
    e.retry_after = std::chrono::seconds(60);
    return Unexpected(std::move(e));
  }
  if (r.status >= 500 || (r.status != 400 && r.status != 401 && r.status != 403)) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("Allegro's auth server failed to {} (HTTP {}); it will be retried",
                            action, r.status),
                DescribeErrorBody(r.body));
  }
  const std::string safe = TruncateUtf8(code, 64);
  if (code == "invalid_grant") {
    return Fail(ErrorCode::kUnauthenticated,
                "Allegro no longer accepts this account's authorization (invalid_grant: the "
                "token was revoked, expired or used already): authorize the account again",
                "invalid_grant");
  }
  if (code == "access_denied") {
    return Fail(ErrorCode::kPermissionDenied, "the seller refused access on Allegro",
                "access_denied");
  }
  if (code == "expired_token") {
    return Fail(ErrorCode::kFailedPrecondition,
                "the device code expired before the seller confirmed it: start again",
                "expired_token");
  }
  if (code == "invalid_client" || code == "unauthorized" || code == "unauthorized_client" ||
      r.status == 401) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("Allegro refused the application's client id or secret ({}): check "
                            "them in the account settings",
                            safe.empty() ? "HTTP " + std::to_string(r.status) : safe),
                safe);
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("Allegro's auth server refused to {}: {}", action,
                          safe.empty() ? "HTTP " + std::to_string(r.status) : safe),
              DescribeErrorBody(r.body));
}

}  // namespace

Pkce MakePkce() {
  Pkce p;
  p.verifier = security::RandomToken(48);  // 64 characters of [A-Za-z0-9_-]
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(p.verifier.data()),
                     p.verifier.size());
  p.challenge = B64Url(digest, sizeof digest);
  return p;
}

AllegroOAuthClient::AllegroOAuthClient(net::HttpClient& http, const Clock& clock,
                                       std::string auth_base_url, std::string client_id,
                                       Secret<> client_secret)
    : http_(http),
      clock_(clock),
      auth_base_url_(TrimTrailingSlashes(std::move(auth_base_url))),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)) {}

std::string AllegroOAuthClient::AuthorizeUrl(const std::string& redirect_uri,
                                             const std::string& state,
                                             const std::string& code_challenge) const {
  return auth_base_url_ + "/auth/oauth/authorize?" +
         net::FormEncode({{"response_type", "code"},
                          {"client_id", client_id_},
                          {"redirect_uri", redirect_uri},
                          {"state", state},
                          {"prompt", "confirm"},
                          {"code_challenge_method", "S256"},
                          {"code_challenge", code_challenge}});
}

Result<net::HttpResponse> AllegroOAuthClient::PostForm(const std::string& path,
                                                       const std::string& form) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = auth_base_url_ + path;
  req.headers = {
      {"Authorization", "Basic " + EncodeBase64(client_id_ + ":" + client_secret_.Reveal())},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"}};
  req.body = form;
  return http_.Send(req);
}

Result<TokenSet> AllegroOAuthClient::ParseTokens(const net::HttpResponse& r) {
  auto body = ParseObject(r.body);
  if (!body) {
    return Fail(ErrorCode::kUnavailable,
                "Allegro's auth server sent a token answer that is not JSON");
  }
  TokenSet t;
  t.access_token = Secret<>(Str(*body, "access_token"));
  t.refresh_token = Secret<>(Str(*body, "refresh_token"));
  t.scope = TruncateUtf8(Str(*body, "scope"), 2000);
  const auto expires_in = Int(*body, "expires_in").value_or(0);
  if (t.access_token.empty() || t.refresh_token.empty() || expires_in <= 0 ||
      t.access_token.Reveal().size() > 16384 || t.refresh_token.Reveal().size() > 16384) {
    return Fail(ErrorCode::kUnavailable,
                "Allegro's auth server sent an incomplete token answer (access_token, "
                "refresh_token and expires_in are required)");
  }
  t.expires_at =
      clock_.Now() + std::chrono::seconds(std::min<std::int64_t>(expires_in, 400 * 86400));
  return t;
}

Result<TokenSet> AllegroOAuthClient::ExchangeCode(const std::string& code,
                                                  const std::string& redirect_uri,
                                                  const std::string& code_verifier) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto r, PostForm("/auth/oauth/token", net::FormEncode({{"grant_type", "authorization_code"},
                                                             {"code", code},
                                                             {"redirect_uri", redirect_uri},
                                                             {"code_verifier", code_verifier}})));
  if (r.status != 200) return OAuthError(r, "exchange the authorization code");
  return ParseTokens(r);
}

Result<DeviceAuthorization> AllegroOAuthClient::StartDevice() {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto r, PostForm("/auth/oauth/device", net::FormEncode({{"client_id", client_id_}})));
  if (r.status != 200) return OAuthError(r, "start the device flow");
  auto body = ParseObject(r.body);
  if (!body) return Fail(ErrorCode::kUnavailable, "the device-flow answer is not JSON");
  DeviceAuthorization d;
  d.device_code = Secret<>(Str(*body, "device_code"));
  d.user_code = TruncateUtf8(Str(*body, "user_code"), 64);
  d.verification_uri = TruncateUtf8(Str(*body, "verification_uri"), 2000);
  d.verification_uri_complete = TruncateUtf8(Str(*body, "verification_uri_complete"), 2000);
  d.expires_in = std::chrono::seconds(Int(*body, "expires_in").value_or(3600));
  d.interval =
      std::chrono::seconds(std::clamp<std::int64_t>(Int(*body, "interval").value_or(5), 1, 60));
  if (d.device_code.empty() || d.user_code.empty() || d.verification_uri.empty()) {
    return Fail(ErrorCode::kUnavailable,
                "the device-flow answer lacks device_code, user_code or verification_uri");
  }
  if (d.verification_uri_complete.empty()) {
    d.verification_uri_complete = d.verification_uri + "?code=" + net::UrlEncode(d.user_code);
  }
  return d;
}

Result<DevicePoll> AllegroOAuthClient::PollDevice(const Secret<>& device_code) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto r,
      PostForm("/auth/oauth/token",
               net::FormEncode({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                {"device_code", device_code.Reveal()}})));
  if (r.status == 200) {
    NADAJNIK_ASSIGN_OR_RETURN(auto tokens, ParseTokens(r));
    return DevicePoll{std::move(tokens), false};
  }
  if (r.status == 400) {
    auto body = ParseObject(r.body);
    const std::string code = body ? Str(*body, "error") : std::string();
    if (code == "authorization_pending") return DevicePoll{};
    if (code == "slow_down") return DevicePoll{std::nullopt, true};
  }
  return OAuthError(r, "finish the device flow");
}

Result<TokenSet> AllegroOAuthClient::Refresh(const Secret<>& refresh_token) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto r,
      PostForm("/auth/oauth/token", net::FormEncode({{"grant_type", "refresh_token"},
                                                     {"refresh_token", refresh_token.Reveal()}})));
  if (r.status != 200) return OAuthError(r, "refresh the account's token");
  return ParseTokens(r);
}

}  // namespace nadajnik::marketplace::allegro
