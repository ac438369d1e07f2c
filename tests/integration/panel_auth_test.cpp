// Panel login, sessions, CSRF, roles and API tokens against a real `nadajnik serve`.
#include <gtest/gtest.h>

#include <regex>

#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/panel_forms.hpp"
#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

constexpr char kAdminPassword[] = "Admin-Haslo-2026!";
constexpr char kPackerPassword[] = "Pakowacz-Haslo-77";

class PanelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    instance_.AddUser("szef", kAdminPassword, "admin");
    instance_.AddUser("ola", kPackerPassword, "packer");
    ASSERT_TRUE(instance_.Start()) << instance_.Log();
  }

  // Logs in through the form; returns the page after the redirect.
  HttpResult LogIn(HttpClient& client, const std::string& user, const std::string& password) {
    auto form = client.Get(instance_.Url("/login"));
    EXPECT_EQ(form.status, 200);
    auto r = client.PostForm(
        instance_.Url("/login"),
        {{"csrf_token", CsrfFrom(form.body)}, {"username", user}, {"password", password}});
    return r;
  }

  NadajnikInstance instance_;
};

TEST_F(PanelTest, TheLoginPageHasTheDocumentedFieldsAndHealthzAnswers) {
  HttpClient client;
  auto login = client.Get(instance_.Url("/login"));
  EXPECT_EQ(login.status, 200);
  EXPECT_NE(login.body.find(R"(name="username")"), std::string::npos);
  EXPECT_NE(login.body.find(R"(name="password")"), std::string::npos);
  EXPECT_NE(login.body.find(R"(action="/login")"), std::string::npos);
  EXPECT_NE(login.body.find("Logowanie"), std::string::npos) << "Polish first";
  auto health = client.Get(instance_.Url("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find(R"("status":"ok")"), std::string::npos) << health.body;
}

TEST_F(PanelTest, AWrongPasswordIs401AndGivesNoSession) {
  HttpClient client;
  auto r = LogIn(client, "szef", "not-the-password");
  EXPECT_EQ(r.status, 401);
  EXPECT_FALSE(client.Cookie("nadajnik_session"));
  EXPECT_NE(r.body.find("Nieprawidłowa nazwa użytkownika lub hasło"), std::string::npos);
  auto unknown = LogIn(client, "nikt", "whatever-password");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(client.Get(instance_.Url("/orders")).status, 303) << "still logged out";
}

TEST_F(PanelTest, TheRightPasswordOpensASessionWithSafeCookieFlags) {
  HttpClient client;
  auto r = LogIn(client, "szef", kAdminPassword);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("Location"), "/orders");
  std::string set_cookie;
  for (const auto& c : r.Headers("Set-Cookie")) {
    if (c.rfind("nadajnik_session=", 0) == 0) set_cookie = c;
  }
  ASSERT_FALSE(set_cookie.empty());
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP on loopback";
  auto orders = client.Get(instance_.Url("/orders"));
  EXPECT_EQ(orders.status, 200);
  EXPECT_NE(orders.body.find("Zamówienia"), std::string::npos);

  // Logging out ends the session on the server, not only in the browser.
  const std::string cookie = *client.Cookie("nadajnik_session");
  auto out = client.PostForm(instance_.Url("/logout"), {{"csrf_token", CsrfFrom(orders.body)}});
  EXPECT_EQ(out.status, 303);
  HttpClient replay;
  auto again = replay.Get(instance_.Url("/orders"), {{"Cookie", "nadajnik_session=" + cookie}});
  EXPECT_EQ(again.status, 303);
}

TEST_F(PanelTest, AFormPostWithoutAValidCsrfTokenIs403) {
  HttpClient client;
  client.Get(instance_.Url("/login"));
  auto no_token = client.PostForm(instance_.Url("/login"),
                                  {{"username", "szef"}, {"password", kAdminPassword}});
  EXPECT_EQ(no_token.status, 403);
  EXPECT_FALSE(client.Cookie("nadajnik_session"));

  ASSERT_EQ(LogIn(client, "szef", kAdminPassword).status, 303);
  auto page = client.Get(instance_.Url("/admin/users"));
  ASSERT_EQ(page.status, 200);
  const std::string csrf = CsrfFrom(page.body);
  ASSERT_FALSE(csrf.empty());
  const std::vector<std::pair<std::string, std::string>> user = {
      {"username", "nowy"}, {"password", "Nowe-Haslo-123"}, {"role", "packer"}};
  EXPECT_EQ(client.PostForm(instance_.Url("/admin/users"), user).status, 403);
  auto wrong = user;
  wrong.emplace_back("csrf_token", csrf + "x");
  EXPECT_EQ(client.PostForm(instance_.Url("/admin/users"), wrong).status, 403);
  auto right = user;
  right.emplace_back("csrf_token", csrf);
  auto created = client.PostForm(instance_.Url("/admin/users"), right);
  EXPECT_EQ(created.status, 303);
  EXPECT_NE(client.Get(instance_.Url("/admin/users")).body.find("nowy"), std::string::npos);
}

TEST_F(PanelTest, APackerCannotReachAdminPages) {
  HttpClient client;
  ASSERT_EQ(LogIn(client, "ola", kPackerPassword).status, 303);
  EXPECT_EQ(client.Get(instance_.Url("/orders")).status, 200);
  EXPECT_EQ(client.Get(instance_.Url("/admin/users")).status, 403);
  EXPECT_EQ(client.Get(instance_.Url("/jobs")).status, 403);
  auto page = client.Get(instance_.Url("/orders"));
  auto post = client.PostForm(instance_.Url("/admin/users"), {{"csrf_token", CsrfFrom(page.body)},
                                                              {"username", "hacker"},
                                                              {"password", "Hacker-Haslo-1"},
                                                              {"role", "admin"}});
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(instance_.Cli({"users", "list"}).out.find("hacker"), std::string::npos);
}

TEST_F(PanelTest, TheApiNeedsABearerToken) {
  HttpClient client;
  auto none = client.Get(instance_.Url("/api/v1/orders"));
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.Header("WWW-Authenticate").find("Bearer"), std::string::npos);
  EXPECT_NE(none.body.find(R"("code":"unauthenticated")"), std::string::npos) << none.body;
  auto bad = client.Get(instance_.Url("/api/v1/orders"),
                        {{"Authorization", "Bearer ndj_notarealtokenatallxxxxxxxx"}});
  EXPECT_EQ(bad.status, 401);

  // A panel session is not an API credential.
  ASSERT_EQ(LogIn(client, "szef", kAdminPassword).status, 303);
  EXPECT_EQ(client.Get(instance_.Url("/api/v1/orders")).status, 401);

  auto created = instance_.Cli({"api-tokens", "create", "--name", "erp"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string token = created.out.substr(0, created.out.find('\n'));
  auto ok = client.Get(instance_.Url("/api/v1/orders"), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find(R"("orders":[])"), std::string::npos) << ok.body;

  auto packer =
      instance_.Cli({"api-tokens", "create", "--name", "packer-station", "--role", "packer"});
  ASSERT_EQ(packer.exit_code, 0);
  const std::string packer_token = packer.out.substr(0, packer.out.find('\n'));
  EXPECT_EQ(client.Get(instance_.Url("/api/v1/jobs"), {{"Authorization", "Bearer " + packer_token}})
                .status,
            403);
  EXPECT_EQ(
      client.Get(instance_.Url("/api/v1/jobs"), {{"Authorization", "Bearer " + token}}).status,
      200);
}

TEST_F(PanelTest, LoginsAreRateLimitedEvenForTheRightPassword) {
  HttpClient client;
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(LogIn(client, "szef", "wrong-" + std::to_string(i)).status, 401);
  auto blocked = LogIn(client, "szef", kAdminPassword);
  EXPECT_EQ(blocked.status, 429);
  EXPECT_FALSE(blocked.Header("Retry-After").empty());
  EXPECT_FALSE(client.Cookie("nadajnik_session"));
  // Another user from the same address is limited too once the address is.
  EXPECT_EQ(LogIn(client, "ola", kPackerPassword).status, 429);
}

TEST_F(PanelTest, PasswordsAndTokensNeverReachTheDatabaseOrTheLogsInClearText) {
  HttpClient client;
  ASSERT_EQ(LogIn(client, "szef", kAdminPassword).status, 303);
  const std::string session = client.Cookie("nadajnik_session").value_or("");
  ASSERT_FALSE(session.empty());
  HttpClient other;
  EXPECT_EQ(LogIn(other, "ola", "Zle-Haslo-Ola-999").status, 401);
  auto created = instance_.Cli({"api-tokens", "create", "--name", "erp"});
  ASSERT_EQ(created.exit_code, 0);
  const std::string token = created.out.substr(0, created.out.find('\n'));
  client.Get(instance_.Url("/api/v1/orders"), {{"Authorization", "Bearer " + token}});
  // Let the server write its WAL and logs, then stop it cleanly.
  instance_.Kill(SIGTERM);
  auto exit_code = instance_.Wait(std::chrono::seconds(20));
  ASSERT_TRUE(exit_code);
  EXPECT_EQ(*exit_code, 0) << "a clean stop (and, under ASan, no leaks): " << instance_.Log();

  const std::string bytes = instance_.AllDataBytes();
  ASSERT_NE(bytes.find("http.request"), std::string::npos) << "the log is part of what we read";
  for (const std::string& secret : {std::string(kAdminPassword), std::string(kPackerPassword),
                                    std::string("Zle-Haslo-Ola-999"), token, session}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos)
        << "found in clear text: " << secret.substr(0, 6);
  }
}

TEST_F(PanelTest, BuyerTextIsEscapedOnEveryPage) {
  // An order whose buyer fields carry markup, stored the way an import would store it.
  domain::MarketplaceAccount account;
  account.name = "Sklep";
  account.alias = "XS";
  auto& store = instance_.store();
  auto account_id = store.InTransaction([&](store::UnitOfWork& uow) {
    return uow.accounts().Create(account, FromUnixMillis(1767225600000));
  });
  ASSERT_TRUE(account_id);
  domain::Order order = SampleOrder(*account_id, "xss-1", "r1", FromUnixMillis(1767225600000));
  order.buyer.first_name = "<script>alert(1)</script>";
  order.buyer.login = "\"><img src=x onerror=alert(2)>";
  order.buyer_note = "Żółć & <b>gęś</b> 'quote'";
  order.items[0].offer_name = "<iframe src=//evil>";
  auto upsert = store.InTransaction([&](store::UnitOfWork& uow) {
    return uow.orders().Upsert(order, FromUnixMillis(1767225600000));
  });
  ASSERT_TRUE(upsert) << upsert.error().Describe();

  HttpClient client;
  ASSERT_EQ(LogIn(client, "szef", kAdminPassword).status, 303);
  const std::vector<std::string> paths = {"/orders", "/orders/" + std::to_string(upsert->id.value),
                                          "/orders?q=%3Cscript%3E"};
  for (const std::string& path : paths) {
    auto page = client.Get(instance_.Url(path));
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body.find("<script>alert(1)"), std::string::npos) << path;
    EXPECT_EQ(page.body.find("<img src=x"), std::string::npos) << path;
    EXPECT_EQ(page.body.find("<iframe"), std::string::npos) << path;
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << path;
  }
  auto detail = client.Get(instance_.Url("/orders/" + std::to_string(upsert->id.value)));
  EXPECT_NE(detail.body.find("Żółć &amp; &lt;b&gt;gęś&lt;/b&gt; &apos;quote&apos;"),
            std::string::npos);
  EXPECT_NE(detail.Header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
}

TEST(DemoTest, TheOneTimeAdminPasswordMustBeReplacedAtFirstLogin) {
  NadajnikInstance instance;
  ASSERT_TRUE(instance.Start({}, "demo")) << instance.Log();
  std::smatch m;
  const std::string out = ReadFile(instance.stdout_path());
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(Password:\s+(\S+))"))) << out;
  const std::string password = m[1].str();
  EXPECT_NE(out.find(instance.Url("/login")), std::string::npos)
      << "the banner gives the panel URL";
  EXPECT_EQ(instance.Log().find(password), std::string::npos) << "the password is not logged";
  std::smatch sandbox_url;
  ASSERT_TRUE(std::regex_search(out, sandbox_url, std::regex(R"(Allegro:\s+(http://\S+))"))) << out;
  HttpClient sandbox;
  auto sellers = sandbox.Get(sandbox_url[1].str() + "/__sandbox/sellers");
  EXPECT_EQ(sellers.status, 200) << "the demo runs the built-in sandbox";
  EXPECT_NE(sellers.body.find("sprzedawca-pl"), std::string::npos);

  HttpClient client;
  auto form = client.Get(instance.Url("/login"));
  auto r = client.PostForm(
      instance.Url("/login"),
      {{"csrf_token", CsrfFrom(form.body)}, {"username", "admin"}, {"password", password}});
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("Location"), "/account/password");
  auto orders = client.Get(instance.Url("/orders"));
  EXPECT_EQ(orders.status, 303);
  EXPECT_EQ(orders.Header("Location"), "/account/password");
  auto page = client.Get(instance.Url("/account/password"));
  auto changed =
      client.PostForm(instance.Url("/account/password"), {{"csrf_token", CsrfFrom(page.body)},
                                                          {"current_password", password},
                                                          {"new_password", "Moje-Nowe-Haslo-1"}});
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(client.Get(instance.Url("/orders")).status, 200);
}

}  // namespace
}  // namespace nadajnik::testing
