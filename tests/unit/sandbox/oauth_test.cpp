// The Allegro sandbox's OAuth server (src/sandbox/allegro/oauth.hpp) over real loopback HTTP,
// checked against shared/reference/allegro-api.md section 1, not against Nadajnik's client.
#include "sandbox/allegro/oauth.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "http/request.hpp"
#include "http/router.hpp"
#include "http/server/server.hpp"
#include "sandbox/allegro/world.hpp"
#include "security/tokens.hpp"
#include "support/http_client.hpp"

namespace nadajnik::sandbox::allegro {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using nadajnik::testing::FormEncode;
using nadajnik::testing::HttpClient;
using nadajnik::testing::HttpHeaders;
using nadajnik::testing::HttpResult;

constexpr char kSellerId[] = "437848322";
constexpr char kLogin[] = "sklep_kasi";
constexpr char kPassword[] = "tajne-haslo-1";
constexpr char kRedirect[] = "http://127.0.0.1:8765/allegro/callback";
constexpr char kDeviceGrant[] = "urn:ietf:params:oauth:grant-type:device_code";
// RFC 7636 appendix B: a verifier and its S256 challenge, computed independently of our code.
constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
// base64url of {"alg":"RS256","typ":"JWT"}, as in the documented token example.
constexpr char kJwtHeader[] = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9";

using Fields = std::vector<std::pair<std::string, std::string>>;

json::object JsonBody(const HttpResult& result) {
  json::value value = json::parse(result.body);
  return value.as_object();
}

std::string Str(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string("<absent>");
}

json::object JwtPayload(const std::string& token) {
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return {};
  std::string part = token.substr(first + 1, second - first - 1);
  for (char& c : part) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (part.size() % 4 != 0) part += '=';
  return json::parse(security::Base64Decode(part)).as_object();
}

// The query parameters of a Location header.
std::map<std::string, std::string> QueryOf(const std::string& location) {
  const std::size_t q = location.find('?');
  std::map<std::string, std::string> out;
  if (q == std::string::npos) return out;
  for (auto& [key, value] : http::ParseUrlEncoded(location.substr(q + 1))) out[key] = value;
  return out;
}

std::string HtmlUnescape(std::string text) {
  const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : kEntities) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::string_view(entity).size(), plain);
    }
  }
  return text;
}

// What a browser would submit from the page's hidden inputs.
Fields HiddenFields(const std::string& html) {
  static const std::regex kHidden(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
  Fields fields;
  for (std::sregex_iterator it(html.begin(), html.end(), kHidden), end; it != end; ++it) {
    fields.emplace_back(HtmlUnescape((*it)[1]), HtmlUnescape((*it)[2]));
  }
  return fields;
}

HttpHeaders Basic(const std::string& id, const std::string& secret) {
  return {{"Authorization", "Basic " + security::Base64Encode(id + ":" + secret)}};
}

class SandboxOAuthBase : public ::testing::Test {
 protected:
  void SetUp() override { Start(SandboxOptions{}); }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  void Start(SandboxOptions options) {
    if (server_) server_->Stop();
    server_.reset();
    router_ = std::make_unique<http::Router>();
    world_ = std::make_unique<World>(std::move(options));
    world_->sellers.push_back(Seller{
        .id = kSellerId, .login = kLogin, .password = kPassword, .email = "kasia@example.pl"});
    world_->sellers.push_back(Seller{.id = "99887766", .login = "inny", .password = "inne"});
    RegisterOAuthRoutes(*router_, *world_);
    server_ = std::make_unique<http::HttpServer>(
        http::ServerOptions{.port = 0, .threads = 2},
        [this](http::Request& request) { return router_->Dispatch(request); });
    ASSERT_TRUE(server_->Start());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  World& world() { return *world_; }
  void Advance(std::chrono::milliseconds d) {
    std::lock_guard lock(world_->mu);
    world_->offset += d;
  }
  HttpHeaders AppAuth() const {
    return Basic(world_->options.client_id, world_->options.client_secret);
  }

  std::string AuthorizeUrl(Fields extra = {}) const {
    Fields fields = {{"response_type", "code"},
                     {"client_id", world_->options.client_id},
                     {"redirect_uri", kRedirect}};
    for (auto& f : extra) fields.push_back(std::move(f));
    return base_ + "/auth/oauth/authorize?" + FormEncode(fields);
  }

  // Opens the consent page and submits it as a browser would; returns the POST's answer.
  HttpResult Consent(const Fields& extra, const std::string& login, const std::string& password,
                     const std::string& decision = "allow") {
    HttpResult page = browser_.Get(AuthorizeUrl(extra));
    EXPECT_EQ(page.status, 200) << page.body;
    Fields form = HiddenFields(page.body);
    form.emplace_back("login", login);
    form.emplace_back("password", password);
    form.emplace_back("decision", decision);
    return browser_.PostForm(base_ + "/auth/oauth/authorize", form);
  }

  // The code from a successful login and consent.
  std::string ObtainCode(const Fields& extra = {}) {
    HttpResult result = Consent(extra, kLogin, kPassword);
    EXPECT_EQ(result.status, 302) << result.body;
    return QueryOf(result.Header("Location"))["code"];
  }

  HttpResult Token(const Fields& fields) {
    return app_.PostForm(base_ + "/auth/oauth/token", fields, AppAuth());
  }
  HttpResult ExchangeCode(const std::string& code, const std::string& redirect = kRedirect) {
    return Token(
        {{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", redirect}});
  }
  HttpResult Refresh(const std::string& refresh_token) {
    return Token({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}});
  }
  // A user token pair through the code flow.
  json::object UserTokens() {
    HttpResult result = ExchangeCode(ObtainCode());
    EXPECT_EQ(result.status, 200) << result.body;
    return JsonBody(result);
  }

  std::unique_ptr<World> world_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::HttpServer> server_;
  std::string base_;
  HttpClient browser_;
  HttpClient app_;
};

// ---- authorization code flow ----

class SandboxOAuthCodeFlow : public SandboxOAuthBase {};

TEST_F(SandboxOAuthCodeFlow, ConsentRedirectsWithCodeAndExactStateThenPkceExchangeGivesTokens) {
  const std::string state = "a b&c=d/ż?#%";
  HttpResult consent =
      Consent({{"state", state}, {"code_challenge", kChallenge}, {"code_challenge_method", "S256"}},
              kLogin, kPassword);
  ASSERT_EQ(consent.status, 302) << consent.body;
  const std::string location = consent.Header("Location");
  EXPECT_EQ(location.rfind(std::string(kRedirect) + "?code=", 0), 0u) << location;
  auto query = QueryOf(location);
  EXPECT_EQ(query["state"], state);
  ASSERT_FALSE(query["code"].empty());

  HttpResult token = Token({{"grant_type", "authorization_code"},
                            {"code", query["code"]},
                            {"redirect_uri", kRedirect},
                            {"code_verifier", kVerifier}});
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(token.Header("Cache-Control"), "no-store");
  const json::object body = JsonBody(token);
  EXPECT_EQ(body.size(), 7u) << token.body;
  EXPECT_EQ(Str(body, "token_type"), "bearer");
  EXPECT_EQ(body.at("expires_in").as_int64(), 43199);
  EXPECT_EQ(body.at("allegro_api"), json::value(true));
  std::string all_scopes;
  for (const auto& s : kSandboxAppScopes) all_scopes += (all_scopes.empty() ? "" : " ") + s;
  EXPECT_EQ(Str(body, "scope"), all_scopes);
  EXPECT_TRUE(std::regex_match(Str(body, "jti"),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")));

  const std::string access = Str(body, "access_token");
  const std::string refresh = Str(body, "refresh_token");
  EXPECT_EQ(access.rfind(std::string(kJwtHeader) + ".", 0), 0u);
  EXPECT_EQ(refresh.rfind(std::string(kJwtHeader) + ".", 0), 0u);
  EXPECT_NE(access, refresh);
  const json::object payload = JwtPayload(access);
  EXPECT_EQ(Str(payload, "user_name"), kSellerId);
  EXPECT_EQ(Str(payload, "client_id"), world().options.client_id);
  EXPECT_EQ(Str(payload, "jti"), Str(body, "jti"));
  EXPECT_EQ(payload.at("allegro_api"), json::value(true));
  ASSERT_TRUE(payload.at("scope").is_array());
  EXPECT_EQ(payload.at("scope").as_array().size(), kSandboxAppScopes.size());

  std::lock_guard lock(world().mu);
  ASSERT_TRUE(world().access_tokens.contains(access));
  EXPECT_EQ(world().access_tokens.at(access).seller_id, kSellerId);
  ASSERT_TRUE(world().refresh_tokens.contains(refresh));
  EXPECT_EQ(world().refresh_tokens.at(refresh).access_token, access);
}

TEST_F(SandboxOAuthCodeFlow, StateIsLeftOutWhenTheClientSentNone) {
  HttpResult consent = Consent({}, kLogin, kPassword);
  ASSERT_EQ(consent.status, 302);
  auto query = QueryOf(consent.Header("Location"));
  EXPECT_FALSE(query["code"].empty());
  EXPECT_FALSE(query.contains("state"));
}

TEST_F(SandboxOAuthCodeFlow, LoginByEmailWorks) {
  HttpResult consent = Consent({}, "Kasia@Example.pl", kPassword);
  EXPECT_EQ(consent.status, 302) << consent.body;
}

TEST_F(SandboxOAuthCodeFlow, PageEscapesEverythingItEchoes) {
  HttpResult page = browser_.Get(AuthorizeUrl({{"state", "\"><script>alert(1)</script>"}}));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");

  // The login comes back in the page after a wrong password: escaped too.
  Fields form = HiddenFields(page.body);
  form.emplace_back("login", "<img src=x onerror=alert(1)>");
  form.emplace_back("password", "x");
  form.emplace_back("decision", "allow");
  HttpResult again = browser_.PostForm(base_ + "/auth/oauth/authorize", form);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body.find("<img"), std::string::npos);
  EXPECT_NE(again.body.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);

  // And the unknown redirect_uri named on the error page.
  HttpResult error = browser_.Get(base_ + "/auth/oauth/authorize?" +
                                  FormEncode({{"response_type", "code"},
                                              {"client_id", world().options.client_id},
                                              {"redirect_uri", "http://evil/<b>x</b>"}}));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.body.find("<b>x"), std::string::npos);
  EXPECT_NE(error.body.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
}

TEST_F(SandboxOAuthCodeFlow, WrongPasswordShowsThePageAgainWithAnErrorAndNoCode) {
  HttpResult result = Consent({{"state", "s1"}}, kLogin, "not-the-password");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Location"), "");
  EXPECT_NE(result.body.find("Nieprawidłowy login lub hasło"), std::string::npos);
  EXPECT_NE(result.body.find(R"(name="login" value="sklep_kasi")"), std::string::npos);
  // The form still carries the original request.
  EXPECT_NE(result.body.find(R"(name="state" value="s1")"), std::string::npos);
  std::lock_guard lock(world().mu);
  EXPECT_TRUE(world().authorization_codes.empty());
}

TEST_F(SandboxOAuthCodeFlow, UnknownLoginIsRefusedLikeAWrongPassword) {
  HttpResult result = Consent({}, "nobody", kPassword);
  EXPECT_EQ(result.status, 200);
  EXPECT_NE(result.body.find("Nieprawidłowy login lub hasło"), std::string::npos);
}

TEST_F(SandboxOAuthCodeFlow, DenialRedirectsWithAccessDeniedAndTheState) {
  HttpResult result = Consent({{"state", "x y"}}, "", "", "deny");
  ASSERT_EQ(result.status, 302);
  const std::string location = result.Header("Location");
  EXPECT_EQ(location.rfind(std::string(kRedirect) + "?", 0), 0u);
  auto query = QueryOf(location);
  EXPECT_EQ(query["error"], "access_denied");
  EXPECT_EQ(query["state"], "x y");
  EXPECT_FALSE(query.contains("code"));
}

TEST_F(SandboxOAuthCodeFlow, UnregisteredRedirectUriIsRefusedWithoutRedirecting) {
  SandboxOptions options;
  options.redirect_uris = {"https://hub.example.pl/allegro/callback"};
  Start(options);
  for (const std::string& uri :
       {std::string(kRedirect), std::string("https://hub.example.pl/allegro/callback/x"),
        std::string("https://hub.example.pl/allegro/callback?x=1"), std::string()}) {
    HttpResult page = browser_.Get(base_ + "/auth/oauth/authorize?" +
                                   FormEncode({{"response_type", "code"},
                                               {"client_id", world().options.client_id},
                                               {"redirect_uri", uri}}));
    EXPECT_EQ(page.status, 400) << uri;
    EXPECT_EQ(page.Header("Location"), "") << uri;
  }
  // A forged form post is checked just the same.
  HttpResult forged = browser_.PostForm(base_ + "/auth/oauth/authorize",
                                        {{"response_type", "code"},
                                         {"client_id", world().options.client_id},
                                         {"redirect_uri", "https://evil.example/cb"},
                                         {"login", kLogin},
                                         {"password", kPassword},
                                         {"decision", "allow"}});
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(forged.Header("Location"), "");

  HttpResult ok =
      browser_.Get(base_ + "/auth/oauth/authorize?" +
                   FormEncode({{"response_type", "code"},
                               {"client_id", world().options.client_id},
                               {"redirect_uri", "https://hub.example.pl/allegro/callback"}}));
  EXPECT_EQ(ok.status, 200);
}

TEST_F(SandboxOAuthCodeFlow, AnyLoopbackRedirectUriWhenNoneIsRegistered) {
  const std::pair<std::string, int> cases[] = {
      {"http://127.0.0.1:8765/cb", 200},
      {"http://localhost:5000/x?y=1", 200},
      {"http://localhost/cb", 200},
      {"https://127.0.0.1:8765/cb", 400},
      {"http://localhost.evil.example/cb", 400},
      {"http://127.0.0.1@evil.example/cb", 400},
      {"http://127.0.0.1:80@evil.example/", 400},
      {"http://10.0.0.1:8765/cb", 400},
      {"http://127.0.0.1:8765/cb#frag", 400},
  };
  for (const auto& [uri, status] : cases) {
    HttpResult page = browser_.Get(base_ + "/auth/oauth/authorize?" +
                                   FormEncode({{"response_type", "code"},
                                               {"client_id", world().options.client_id},
                                               {"redirect_uri", uri}}));
    EXPECT_EQ(page.status, status) << uri;
    EXPECT_EQ(page.Header("Location"), "") << uri;
  }
}

TEST_F(SandboxOAuthCodeFlow, UnknownClientIdGetsAnErrorPage) {
  HttpResult page = browser_.Get(
      base_ + "/auth/oauth/authorize?" +
      FormEncode(
          {{"response_type", "code"}, {"client_id", "someone-else"}, {"redirect_uri", kRedirect}}));
  EXPECT_EQ(page.status, 400);
  EXPECT_EQ(page.Header("Location"), "");
}

TEST_F(SandboxOAuthCodeFlow, OtherProblemsAreReportedToTheRedirectUri) {
  HttpResult token_type = browser_.Get(base_ + "/auth/oauth/authorize?" +
                                       FormEncode({{"response_type", "token"},
                                                   {"client_id", world().options.client_id},
                                                   {"redirect_uri", kRedirect},
                                                   {"state", "s"}}));
  ASSERT_EQ(token_type.status, 302);
  EXPECT_EQ(QueryOf(token_type.Header("Location"))["error"], "unsupported_response_type");
  EXPECT_EQ(QueryOf(token_type.Header("Location"))["state"], "s");

  HttpResult plain = browser_.Get(
      AuthorizeUrl({{"code_challenge", kVerifier}, {"code_challenge_method", "plain"}}));
  ASSERT_EQ(plain.status, 302);
  EXPECT_EQ(QueryOf(plain.Header("Location"))["error"], "invalid_request");

  HttpResult scope = browser_.Get(AuthorizeUrl({{"scope", "allegro:api:payments:write"}}));
  ASSERT_EQ(scope.status, 302);
  auto query = QueryOf(scope.Header("Location"));
  EXPECT_EQ(query["error"], "invalid_scope");
  EXPECT_EQ(query["error_description"], "Invalid scope: allegro:api:payments:write");
}

TEST_F(SandboxOAuthCodeFlow, RequestedScopesNarrowTheToken) {
  const std::string code =
      ObtainCode({{"scope", "allegro:api:orders:read allegro:api:profile:read"}});
  HttpResult token = ExchangeCode(code);
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(Str(JsonBody(token), "scope"), "allegro:api:orders:read allegro:api:profile:read");
}

TEST_F(SandboxOAuthCodeFlow, CodeIsSingleUse) {
  const std::string code = ObtainCode();
  ASSERT_EQ(ExchangeCode(code).status, 200);
  HttpResult again = ExchangeCode(code);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(Str(JsonBody(again), "error"), "invalid_grant");
}

TEST_F(SandboxOAuthCodeFlow, CodeLivesTenSecondsOfWorldTime) {
  const std::string fresh = ObtainCode();
  Advance(9s);
  EXPECT_EQ(ExchangeCode(fresh).status, 200);

  const std::string stale = ObtainCode();
  Advance(10s);
  HttpResult late = ExchangeCode(stale);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(Str(JsonBody(late), "error"), "invalid_grant");
}

TEST_F(SandboxOAuthCodeFlow, ExchangeWithAnotherRedirectUriIsRefused) {
  const std::string code = ObtainCode();
  HttpResult result = ExchangeCode(code, "http://127.0.0.1:8765/other");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(Str(JsonBody(result), "error"), "invalid_grant");
  HttpResult without = Token({{"grant_type", "authorization_code"}, {"code", ObtainCode()}});
  EXPECT_EQ(without.status, 400);
  EXPECT_EQ(Str(JsonBody(without), "error"), "invalid_grant");
}

TEST_F(SandboxOAuthCodeFlow, PkceVerifierMustMatchTheChallenge) {
  const Fields pkce = {{"code_challenge", kChallenge}, {"code_challenge_method", "S256"}};
  HttpResult wrong = Token({{"grant_type", "authorization_code"},
                            {"code", ObtainCode(pkce)},
                            {"redirect_uri", kRedirect},
                            {"code_verifier", std::string(43, 'a')}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Str(JsonBody(wrong), "error"), "invalid_grant");

  HttpResult missing = ExchangeCode(ObtainCode(pkce));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Str(JsonBody(missing), "error"), "invalid_grant");

  // A failed attempt uses the code up: the right verifier can't rescue it afterwards.
  const std::string code = ObtainCode(pkce);
  ASSERT_EQ(ExchangeCode(code).status, 400);
  HttpResult late = Token({{"grant_type", "authorization_code"},
                           {"code", code},
                           {"redirect_uri", kRedirect},
                           {"code_verifier", kVerifier}});
  EXPECT_EQ(late.status, 400);
}

// ---- the token endpoint in general ----

class SandboxOAuthTokenEndpoint : public SandboxOAuthBase {};

TEST_F(SandboxOAuthTokenEndpoint, WrongClientSecretIs401InvalidClient) {
  const std::string code = ObtainCode();
  HttpResult result = app_.PostForm(
      base_ + "/auth/oauth/token",
      {{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}},
      Basic(world().options.client_id, "wrong-secret"));
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(Str(JsonBody(result), "error"), "invalid_client");
  // The refused call did not burn the code.
  EXPECT_EQ(ExchangeCode(code).status, 200);
}

TEST_F(SandboxOAuthTokenEndpoint, MissingOrMalformedClientAuthIs401) {
  HttpResult none =
      app_.PostForm(base_ + "/auth/oauth/token", {{"grant_type", "client_credentials"}});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Str(JsonBody(none), "error"), "unauthorized");
  EXPECT_NE(none.Header("WWW-Authenticate").find("Basic"), std::string::npos);

  HttpResult garbage =
      app_.PostForm(base_ + "/auth/oauth/token", {{"grant_type", "client_credentials"}},
                    {{"Authorization", "Basic !!!not-base64"}});
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(Str(JsonBody(garbage), "error"), "invalid_client");

  HttpResult bearer =
      app_.PostForm(base_ + "/auth/oauth/token", {{"grant_type", "client_credentials"}},
                    {{"Authorization", "Bearer abc"}});
  EXPECT_EQ(bearer.status, 401);

  HttpResult other_client = Token({{"grant_type", "client_credentials"}, {"client_id", "other"}});
  EXPECT_EQ(other_client.status, 401);
  EXPECT_EQ(Str(JsonBody(other_client), "error"), "invalid_client");
}

TEST_F(SandboxOAuthTokenEndpoint, MissingCodeSaysAnAuthorizationCodeMustBeSupplied) {
  HttpResult result = Token({{"grant_type", "authorization_code"}, {"redirect_uri", kRedirect}});
  EXPECT_EQ(result.status, 400);
  EXPECT_NE(
      Str(JsonBody(result), "error_description").find("An authorization code must be supplied"),
      std::string::npos)
      << result.body;
}

TEST_F(SandboxOAuthTokenEndpoint, ParametersInTheQueryStringAreAccepted) {
  const std::string code = ObtainCode();
  HttpResult result = app_.Request(
      "POST",
      base_ + "/auth/oauth/token?" +
          FormEncode(
              {{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}}),
      AppAuth());
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Str(JsonBody(result), "token_type"), "bearer");
}

TEST_F(SandboxOAuthTokenEndpoint, UnknownOrMissingGrantTypeIsRefused) {
  HttpResult unknown = Token({{"grant_type", "password"}, {"username", kLogin}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Str(JsonBody(unknown), "error"), "unsupported_grant_type");
  HttpResult missing = Token({});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Str(JsonBody(missing), "error"), "invalid_request");
}

TEST_F(SandboxOAuthTokenEndpoint, IssuedTokensAreUniqueJwtsWithTheSellerAsUserName) {
  IssuedTokens a, b;
  {
    std::lock_guard lock(world().mu);
    a = IssueUserTokens(world(), kSellerId, world().options.client_id, {});
    b = IssueUserTokens(world(), kSellerId, world().options.client_id, {"allegro:api:orders:read"});
  }
  EXPECT_NE(a.access_token, b.access_token);
  EXPECT_NE(a.refresh_token, b.refresh_token);
  EXPECT_EQ(a.expires_in, 43199);
  for (const std::string& token : {a.access_token, a.refresh_token}) {
    EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
    EXPECT_EQ(token.rfind(std::string(kJwtHeader) + ".", 0), 0u);
    EXPECT_EQ(Str(JwtPayload(token), "user_name"), kSellerId);
  }
  EXPECT_NE(Str(JwtPayload(a.access_token), "jti"), Str(JwtPayload(b.access_token), "jti"));
  EXPECT_EQ(JwtPayload(b.access_token).at("scope").as_array().size(), 1u);
  // The admin endpoint's tokens work like any other: they refresh.
  EXPECT_EQ(Refresh(a.refresh_token).status, 200);
}

TEST_F(SandboxOAuthTokenEndpoint, ExpiryFollowsWorldTimeAndTheConfiguredTtl) {
  SandboxOptions options;
  options.access_token_ttl = 120s;
  Start(options);
  Advance(48h);
  const auto system_now = std::chrono::system_clock::now();
  HttpResult result = ExchangeCode(ObtainCode());
  ASSERT_EQ(result.status, 200) << result.body;
  const json::object body = JsonBody(result);
  EXPECT_EQ(body.at("expires_in").as_int64(), 120);
  const std::int64_t exp = JwtPayload(Str(body, "access_token")).at("exp").as_int64();
  const std::int64_t expected =
      std::chrono::duration_cast<std::chrono::seconds>((system_now + 48h + 120s).time_since_epoch())
          .count();
  EXPECT_NEAR(static_cast<double>(exp), static_cast<double>(expected), 5.0);

  std::lock_guard lock(world().mu);
  const AccessGrant& grant = world().access_tokens.at(Str(body, "access_token"));
  EXPECT_GT(grant.expires_at, world().Now() + 110s);
  EXPECT_LE(grant.expires_at, world().Now() + 120s);
}

// ---- refresh ----

class SandboxOAuthRefresh : public SandboxOAuthBase {};

TEST_F(SandboxOAuthRefresh, RotationGivesANewPairAndKillsTheOldAccessToken) {
  const json::object first = UserTokens();
  HttpResult result = Refresh(Str(first, "refresh_token"));
  ASSERT_EQ(result.status, 200) << result.body;
  const json::object second = JsonBody(result);
  EXPECT_NE(Str(second, "access_token"), Str(first, "access_token"));
  EXPECT_NE(Str(second, "refresh_token"), Str(first, "refresh_token"));
  EXPECT_EQ(Str(second, "scope"), Str(first, "scope"));
  EXPECT_EQ(Str(JwtPayload(Str(second, "access_token")), "user_name"), kSellerId);

  std::lock_guard lock(world().mu);
  EXPECT_TRUE(world().access_tokens.at(Str(first, "access_token")).revoked);
  EXPECT_FALSE(world().access_tokens.at(Str(second, "access_token")).revoked);
  EXPECT_TRUE(world().refresh_tokens.at(Str(first, "refresh_token")).used_at.has_value());
}

TEST_F(SandboxOAuthRefresh, UsedTokenWorksForSixtySecondsThenIsInvalidGrant) {
  const std::string old_refresh = Str(UserTokens(), "refresh_token");
  HttpResult first_use = Refresh(old_refresh);
  ASSERT_EQ(first_use.status, 200);
  const std::string new_refresh = Str(JsonBody(first_use), "refresh_token");

  Advance(59s);
  HttpResult retry = Refresh(old_refresh);
  ASSERT_EQ(retry.status, 200) << "a retry within the grace period works";
  EXPECT_NE(Str(JsonBody(retry), "refresh_token"), new_refresh);

  Advance(1s);  // 60 s after the first use (the retry did not extend it)
  HttpResult late = Refresh(old_refresh);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(json::parse(late.body),
            json::parse(R"({"error":"invalid_grant","error_description":"Invalid refresh token: )" +
                        old_refresh + "\"}"));

  // The pair from the first use is unaffected.
  EXPECT_EQ(Refresh(new_refresh).status, 200);
}

TEST_F(SandboxOAuthRefresh, RefreshTokenExpiresAfterItsTtlOfWorldTime) {
  const std::string refresh = Str(UserTokens(), "refresh_token");
  Advance(std::chrono::hours(24 * 90));
  HttpResult result = Refresh(refresh);
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(Str(JsonBody(result), "error_description"), "Invalid refresh token: " + refresh);
}

TEST_F(SandboxOAuthRefresh, RotatedTokenStartsAFreshTtl) {
  const std::string refresh = Str(UserTokens(), "refresh_token");
  Advance(std::chrono::hours(24 * 80));
  HttpResult rotated = Refresh(refresh);
  ASSERT_EQ(rotated.status, 200);
  Advance(std::chrono::hours(24 * 80));
  EXPECT_EQ(Refresh(Str(JsonBody(rotated), "refresh_token")).status, 200);
}

TEST_F(SandboxOAuthRefresh, RevokeSellerTokensKillsEveryTokenOfThatSellerOnly) {
  const json::object tokens = UserTokens();
  IssuedTokens other;
  {
    std::lock_guard lock(world().mu);
    other = IssueUserTokens(world(), "99887766", world().options.client_id, {});
    RevokeSellerTokens(world(), kSellerId);
    EXPECT_TRUE(world().access_tokens.at(Str(tokens, "access_token")).revoked);
    EXPECT_FALSE(world().access_tokens.at(other.access_token).revoked);
  }
  HttpResult result = Refresh(Str(tokens, "refresh_token"));
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(Str(JsonBody(result), "error"), "invalid_grant");
  EXPECT_EQ(Refresh(other.refresh_token).status, 200);
}

TEST_F(SandboxOAuthRefresh, RevokedTokenStaysDeadWithinTheGracePeriod) {
  const std::string refresh = Str(UserTokens(), "refresh_token");
  ASSERT_EQ(Refresh(refresh).status, 200);
  {
    std::lock_guard lock(world().mu);
    RevokeSellerTokens(world(), kSellerId);
  }
  EXPECT_EQ(Refresh(refresh).status, 400);
}

TEST_F(SandboxOAuthRefresh, UnknownTokenAndWideningScopeAreRefused) {
  HttpResult unknown = Refresh("not-a-token");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Str(JsonBody(unknown), "error_description"), "Invalid refresh token: not-a-token");

  const std::string narrow = Str(
      JsonBody(ExchangeCode(ObtainCode({{"scope", "allegro:api:orders:read"}}))), "refresh_token");
  HttpResult wider = Token({{"grant_type", "refresh_token"},
                            {"refresh_token", narrow},
                            {"scope", "allegro:api:orders:read allegro:api:orders:write"}});
  EXPECT_EQ(wider.status, 400);
  EXPECT_EQ(Str(JsonBody(wider), "error"), "invalid_scope");
}

// ---- device flow ----

class SandboxOAuthDeviceFlow : public SandboxOAuthBase {
 protected:
  json::object StartDevice() {
    HttpResult result = app_.PostForm(base_ + "/auth/oauth/device",
                                      {{"client_id", world().options.client_id}}, AppAuth());
    EXPECT_EQ(result.status, 200) << result.body;
    return JsonBody(result);
  }
  HttpResult Poll(const std::string& device_code) {
    return Token({{"grant_type", kDeviceGrant}, {"device_code", device_code}});
  }
  HttpResult Confirm(const std::string& user_code, const std::string& login,
                     const std::string& password, const std::string& decision) {
    return browser_.PostForm(
        base_ + "/skojarz-aplikacje",
        {{"code", user_code}, {"login", login}, {"password", password}, {"decision", decision}});
  }
};

TEST_F(SandboxOAuthDeviceFlow, PendingThenSlowDownThenApprovedTokensThenRedeemedOnce) {
  const json::object device = StartDevice();
  const std::string user_code = Str(device, "user_code");
  const std::string device_code = Str(device, "device_code");
  EXPECT_TRUE(std::regex_match(user_code, std::regex("[a-z0-9]{8}"))) << user_code;
  EXPECT_EQ(Str(device, "verification_uri"), base_ + "/skojarz-aplikacje");
  EXPECT_EQ(Str(device, "verification_uri_complete"),
            base_ + "/skojarz-aplikacje?code=" + user_code);
  EXPECT_EQ(device.at("expires_in").as_int64(), 3600);
  EXPECT_EQ(device.at("interval").as_int64(), 5);

  HttpResult pending = Poll(device_code);
  EXPECT_EQ(pending.status, 400);
  EXPECT_EQ(json::parse(pending.body), json::parse(R"({"error":"authorization_pending"})"));
  HttpResult too_fast = Poll(device_code);
  EXPECT_EQ(too_fast.status, 400);
  EXPECT_EQ(Str(JsonBody(too_fast), "error"), "slow_down");
  Advance(5s);
  EXPECT_EQ(Str(JsonBody(Poll(device_code)), "error"), "authorization_pending");

  HttpResult page = browser_.Get(Str(device, "verification_uri_complete"));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("value=\"" + user_code + "\""), std::string::npos);

  HttpResult approved = Confirm(user_code, kLogin, kPassword, "allow");
  ASSERT_EQ(approved.status, 200);
  EXPECT_NE(approved.body.find("Aplikacja powiązana"), std::string::npos);

  Advance(5s);
  HttpResult tokens = Poll(device_code);
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  const json::object body = JsonBody(tokens);
  EXPECT_EQ(Str(body, "token_type"), "bearer");
  EXPECT_NE(Str(body, "refresh_token"), "<absent>");
  EXPECT_EQ(Str(JwtPayload(Str(body, "access_token")), "user_name"), kSellerId);

  Advance(5s);
  HttpResult again = Poll(device_code);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(Str(JsonBody(again), "error"), "invalid_grant");
  // Nor can the seller confirm it a second time.
  HttpResult reconfirm = Confirm(user_code, kLogin, kPassword, "allow");
  EXPECT_NE(reconfirm.body.find("już użyty"), std::string::npos);
}

TEST_F(SandboxOAuthDeviceFlow, RefusalGivesAccessDenied) {
  const json::object device = StartDevice();
  HttpResult refused = Confirm(Str(device, "user_code"), "", "", "deny");
  EXPECT_EQ(refused.status, 200);
  HttpResult poll = Poll(Str(device, "device_code"));
  EXPECT_EQ(poll.status, 400);
  EXPECT_EQ(Str(JsonBody(poll), "error"), "access_denied");
}

TEST_F(SandboxOAuthDeviceFlow, ExpiresAfterAnHourOfWorldTime) {
  const json::object device = StartDevice();
  Advance(3600s);
  HttpResult poll = Poll(Str(device, "device_code"));
  EXPECT_EQ(poll.status, 400);
  EXPECT_EQ(Str(JsonBody(poll), "error"), "expired_token");
  HttpResult late = Confirm(Str(device, "user_code"), kLogin, kPassword, "allow");
  EXPECT_NE(late.body.find("wygasły"), std::string::npos);
}

TEST_F(SandboxOAuthDeviceFlow, WrongPasswordOnTheConfirmationPageKeepsItPending) {
  const json::object device = StartDevice();
  HttpResult wrong = Confirm(Str(device, "user_code"), kLogin, "nope", "allow");
  EXPECT_EQ(wrong.status, 200);
  EXPECT_NE(wrong.body.find("Nieprawidłowy login lub hasło"), std::string::npos);
  EXPECT_EQ(Str(JsonBody(Poll(Str(device, "device_code"))), "error"), "authorization_pending");
}

TEST_F(SandboxOAuthDeviceFlow, ConfirmationPageEscapesTheCode) {
  HttpResult page = browser_.Get(base_ + "/skojarz-aplikacje?code=%22%3E%3Cscript%3E");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_NE(page.body.find("&quot;&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(browser_.Get(base_ + "/uzytkownik/bezpieczenstwo/skojarz-aplikacje").status, 200);
}

TEST_F(SandboxOAuthDeviceFlow, StartingNeedsTheClientsCredentials) {
  HttpResult result =
      app_.PostForm(base_ + "/auth/oauth/device", {{"client_id", world().options.client_id}},
                    Basic(world().options.client_id, "wrong"));
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(Str(JsonBody(result), "error"), "invalid_client");
  std::lock_guard lock(world().mu);
  EXPECT_TRUE(world().device_authorizations.empty());
}

TEST_F(SandboxOAuthDeviceFlow, VerificationUriFollowsTheHostHeader) {
  HttpResult result =
      app_.PostForm(base_ + "/auth/oauth/device", {{"client_id", world().options.client_id}},
                    {AppAuth()[0], {"Host", "sandbox.test:9000"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Str(JsonBody(result), "verification_uri"),
            "http://sandbox.test:9000/skojarz-aplikacje");
}

// ---- client_credentials ----

class SandboxOAuthClientCredentials : public SandboxOAuthBase {};

TEST_F(SandboxOAuthClientCredentials, ApplicationTokenHasNoRefreshTokenAndNoUser) {
  HttpResult result = Token({{"grant_type", "client_credentials"}});
  ASSERT_EQ(result.status, 200) << result.body;
  const json::object body = JsonBody(result);
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(Str(body, "token_type"), "bearer");
  EXPECT_EQ(body.at("allegro_api"), json::value(true));
  const std::string access = Str(body, "access_token");
  EXPECT_FALSE(JwtPayload(access).contains("user_name"));
  std::lock_guard lock(world().mu);
  ASSERT_TRUE(world().access_tokens.contains(access));
  EXPECT_EQ(world().access_tokens.at(access).seller_id, "");
  EXPECT_TRUE(world().refresh_tokens.empty());
}

TEST_F(SandboxOAuthClientCredentials, ScopeTheAppLacksIsInvalidScope) {
  HttpResult result =
      Token({{"grant_type", "client_credentials"}, {"scope", "allegro:api:billing:read"}});
  EXPECT_EQ(result.status, 400);
  const json::object body = JsonBody(result);
  EXPECT_EQ(Str(body, "error"), "invalid_scope");
  EXPECT_EQ(Str(body, "error_description"), "Invalid scope: allegro:api:billing:read");
  EXPECT_NE(Str(body, "scope").find("allegro:api:orders:read"), std::string::npos);
}

}  // namespace
}  // namespace nadajnik::sandbox::allegro
