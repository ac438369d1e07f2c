// The panel's order sources end to end: the real nadajnik binary and nadajnik-sandbox over
// loopback, driven like a browser (forms, CSRF tokens, redirects followed by hand): adding an
// account, the OAuth consent at the sandbox and back, the manual import, and the order page's
// timeline and status change reaching Allegro.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <thread>

#include "support/api_session.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/panel_forms.hpp"
#include "support/sandbox_process.hpp"
#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr char kAdminPassword[] = "Admin-Haslo-2026!";
constexpr char kPackerPassword[] = "Pakowacz-Haslo-77";
constexpr char kSellerPassword[] = "haslo-sandbox";

std::string HtmlUnescape(std::string s) {
  const std::pair<std::string, std::string> entities[] = {
      {"&lt;", "<"},   {"&gt;", ">"},   {"&quot;", "\""}, {"&#39;", "'"},
      {"&apos;", "'"}, {"&#x27;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

// The hidden inputs of the sandbox's consent form (state, redirect_uri, PKCE challenge, ...).
Fields HiddenInputs(const std::string& html) {
  Fields out;
  static const std::regex re(R"re(<input type="hidden" name="([^"]+)" value="([^"]*)">)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator();
       ++it) {
    out.emplace_back(HtmlUnescape((*it)[1].str()), HtmlUnescape((*it)[2].str()));
  }
  return out;
}

std::string QueryValue(const std::string& url, const std::string& name) {
  std::smatch m;
  const std::regex re("[?&]" + name + "=([^&#]*)");
  return std::regex_search(url, m, re) ? m[1].str() : std::string();
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// What a browser could choke on or run: no script but our own static files (the CSP allows none
// inline anyway), and the containers we open are closed.
void ExpectWellFormedPage(const std::string& html, const std::string& what) {
  EXPECT_EQ(Count(html, "<script"), Count(html, "<script src=\"/static/")) << what;
  EXPECT_EQ(Count(html, "<table"), Count(html, "</table>")) << what;
  EXPECT_EQ(Count(html, "<form "), Count(html, "</form>")) << what;
  EXPECT_EQ(Count(html, "<tr"), Count(html, "</tr>")) << what;
  EXPECT_EQ(Count(html, "<section"), Count(html, "</section>")) << what;
  EXPECT_NE(html.find("</html>"), std::string::npos) << what;
}

class PanelSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nadajnik_.AddUser("szef", kAdminPassword, "admin");
    nadajnik_.AddUser("ola", kPackerPassword, "packer");
  }

  // The sandbox with paid orders spread over the last 30 days; Nadajnik backfills only the last
  // day on its own, so a manual import of 30 days has something new to bring.
  void StartBoth(int orders = 60) {
    sandbox_.Start({"--orders", std::to_string(orders)});
    ASSERT_TRUE(nadajnik_.Start({{"NADAJNIK_ALLEGRO_BACKFILL_DAYS", "1"},
                                 {"NADAJNIK_ALLEGRO_JOURNAL_INTERVAL_MS", "300"},
                                 {"NADAJNIK_JOBS_BACKOFF_BASE_MS", "200"},
                                 {"NADAJNIK_JOBS_BACKOFF_MAX_MS", "2000"}}))
        << nadajnik_.Log();
  }

  void LogIn(HttpClient& client, const std::string& user, const std::string& password) {
    auto r = PanelLogIn(client, nadajnik_, user, password);
    ASSERT_EQ(r.status, 303) << r.body;
  }

  // GETs `path` for its CSRF token, then posts the form with it.
  HttpResult Submit(HttpClient& client, const std::string& page, const std::string& action,
                    Fields fields) {
    auto p = client.Get(nadajnik_.Url(page));
    EXPECT_EQ(p.status, 200) << page;
    fields.emplace_back("csrf_token", CsrfFrom(p.body));
    return client.PostForm(nadajnik_.Url(action), fields);
  }

  Fields SandboxAccount(const std::string& alias, const std::string& name) {
    return {{"alias", alias},
            {"name", name},
            {"environment", "custom"},
            {"auth_url", sandbox_.base()},
            {"api_url", sandbox_.base()},
            {"client_id", kSandboxClientId},
            {"client_secret", kSandboxClientSecret}};
  }

  std::vector<domain::MarketplaceAccount> StoredAccounts() {
    auto list =
        nadajnik_.store().Read([](store::UnitOfWork& uow) { return uow.accounts().List(); });
    EXPECT_TRUE(list) << list.error().Describe();
    return list ? *list : std::vector<domain::MarketplaceAccount>{};
  }

  std::optional<domain::MarketplaceAccount> StoredAccount(const std::string& alias) {
    auto a = nadajnik_.store().Read(
        [&](store::UnitOfWork& uow) { return uow.accounts().FindByAlias(alias); });
    EXPECT_TRUE(a) << a.error().Describe();
    return a ? *a : std::nullopt;
  }

  // "Autoryzuj": the panel's redirect to the sandbox's consent page, the seller's answer there
  // (login and password, or a refusal), and the sandbox's redirect back. Returns the callback URL
  // the browser is sent to (not yet followed).
  std::string Consent(HttpClient& panel, const std::string& alias, const std::string& decision) {
    auto start = Submit(panel, "/sources", "/sources/" + alias + "/authorize", {});
    EXPECT_EQ(start.status, 303) << start.body;
    const std::string to_allegro = start.Header("Location");
    EXPECT_EQ(to_allegro.rfind(sandbox_.base() + "/auth/oauth/authorize?", 0), 0u) << to_allegro;
    HttpClient browser;  // the sandbox is another site
    auto page = browser.Get(to_allegro);
    EXPECT_EQ(page.status, 200) << page.body;
    Fields form = HiddenInputs(page.body);
    bool has_state = false;
    for (const auto& [name, value] : form) {
      if (name == "state") has_state = !value.empty();
      if (name == "redirect_uri") {
        EXPECT_EQ(value, nadajnik_.Url("/sources/callback"));
      }
    }
    EXPECT_TRUE(has_state) << page.body;
    form.emplace_back("login", "sprzedawca-pl");
    form.emplace_back("password", kSellerPassword);
    form.emplace_back("decision", decision);
    auto answer = browser.PostForm(sandbox_.base() + "/auth/oauth/authorize", form);
    EXPECT_EQ(answer.status, 302) << answer.body;
    const std::string back = answer.Header("Location");
    EXPECT_EQ(back.rfind(nadajnik_.Url("/sources/callback?"), 0), 0u) << back;
    return back;
  }

  void AddAndAuthorize(HttpClient& admin, const std::string& alias) {
    auto added = Submit(admin, "/sources", "/sources", SandboxAccount(alias, "Sklep " + alias));
    ASSERT_EQ(added.status, 303) << added.body;
    const std::string callback = Consent(admin, alias, "allow");
    auto done = admin.Get(callback);
    ASSERT_EQ(done.status, 303) << done.body;
    ASSERT_EQ(done.Header("Location"), "/sources");
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
};

TEST_F(PanelSourcesTest, ABadAccountIsRefusedFieldByFieldAndNothingIsStored) {
  StartBoth(0);
  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  auto bad = Submit(admin, "/sources", "/sources",
                    {{"alias", "X"},
                     {"name", ""},
                     {"environment", "custom"},
                     {"auth_url", "ftp://allegro.example"},
                     {"api_url", ""},
                     {"client_id", "moja-aplikacja\"><b>"},
                     {"client_secret", "Tajny-Sekret-Klienta-42"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  for (const char* expected :
       {"Konto nie zostało dodane", "Alias to dokładnie dwie litery lub cyfry", "Podaj nazwę konta",
        "Adres musi zaczynać się od https://",
        "Podaj adres REST API (wymagany dla własnych adresów)"}) {
    EXPECT_NE(bad.body.find(expected), std::string::npos) << expected << "\n" << bad.body;
  }
  // Each message sits next to its field.
  EXPECT_NE(bad.body.find(R"(id="a-alias-err")"), std::string::npos);
  EXPECT_NE(bad.body.find(R"(id="a-auth-err")"), std::string::npos);
  EXPECT_NE(bad.body.find(R"(id="a-api-err")"), std::string::npos);
  EXPECT_EQ(bad.body.find(R"(id="a-cid-err")"), std::string::npos) << "client id was given";
  // What was typed stays (escaped), except the secret.
  EXPECT_NE(bad.body.find(R"(value="ftp://allegro.example")"), std::string::npos);
  EXPECT_NE(bad.body.find("moja-aplikacja&quot;&gt;&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(bad.body.find("<b>"), std::string::npos);
  EXPECT_EQ(bad.body.find("Tajny-Sekret-Klienta-42"), std::string::npos);
  EXPECT_NE(bad.body.find(R"(<option value="custom" selected>)"), std::string::npos);
  EXPECT_TRUE(StoredAccounts().empty());

  auto missing_secret = SandboxAccount("PL", "Sklep");
  missing_secret.back().second = "";
  auto no_secret = Submit(admin, "/sources", "/sources", missing_secret);
  EXPECT_EQ(no_secret.status, 422);
  EXPECT_NE(no_secret.body.find(R"(id="a-cs-err")"), std::string::npos) << no_secret.body;
  EXPECT_TRUE(StoredAccounts().empty());

  auto good = Submit(admin, "/sources", "/sources", SandboxAccount("pl", "Sklep <Główny> & syn"));
  ASSERT_EQ(good.status, 303) << good.body;
  EXPECT_EQ(good.Header("Location"), "/sources");
  auto list = admin.Get(nadajnik_.Url("/sources"));
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Dodano konto PL"), std::string::npos) << "a flash after the redirect";
  EXPECT_NE(list.body.find("Sklep &lt;Główny&gt; &amp; syn"), std::string::npos);
  EXPECT_NE(list.body.find(">nowe<"), std::string::npos);
  EXPECT_NE(list.body.find(">Autoryzuj<"), std::string::npos);
  ExpectWellFormedPage(list.body, "/sources");
  EXPECT_EQ(admin.Get(nadajnik_.Url("/sources")).body.find("Dodano konto PL"), std::string::npos)
      << "the flash is shown once";
  ASSERT_EQ(StoredAccounts().size(), 1u);
  EXPECT_EQ(StoredAccounts()[0].alias, "PL");

  auto taken = Submit(admin, "/sources", "/sources", SandboxAccount("PL", "Drugi"));
  EXPECT_EQ(taken.status, 409);
  EXPECT_NE(taken.body.find("Alias PL ma już inne konto"), std::string::npos) << taken.body;
  EXPECT_EQ(StoredAccounts().size(), 1u);

  // Packers see the sources, but neither the form nor the buttons, and can't post.
  HttpClient packer;
  LogIn(packer, "ola", kPackerPassword);
  auto seen = packer.Get(nadajnik_.Url("/sources"));
  EXPECT_EQ(seen.status, 200);
  EXPECT_NE(seen.body.find("Sklep &lt;Główny&gt;"), std::string::npos);
  EXPECT_EQ(seen.body.find(R"(action="/sources")"), std::string::npos);
  EXPECT_EQ(seen.body.find("/authorize"), std::string::npos);
  auto post = packer.PostForm(nadajnik_.Url("/sources"),
                              {{"csrf_token", CsrfFrom(seen.body)}, {"alias", "HK"}});
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(
      packer.PostForm(nadajnik_.Url("/sources/PL/authorize"), {{"csrf_token", CsrfFrom(seen.body)}})
          .status,
      403);
  EXPECT_EQ(StoredAccounts().size(), 1u);
}

TEST_F(PanelSourcesTest, TheBrowserAuthorizationActivatesTheAccountAndItsStateWorksOnce) {
  StartBoth(0);
  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  auto added = Submit(admin, "/sources", "/sources", SandboxAccount("PL", "Sklep"));
  ASSERT_EQ(added.status, 303);
  // The button's form may lead to the marketplace through a redirect: CSP form-action says so.
  auto list = admin.Get(nadajnik_.Url("/sources"));
  EXPECT_NE(list.Header("Content-Security-Policy").find("form-action 'self' " + sandbox_.base()),
            std::string::npos)
      << list.Header("Content-Security-Policy");

  // Without the CSRF token there is no redirect (and no state is created).
  EXPECT_EQ(admin.PostForm(nadajnik_.Url("/sources/PL/authorize"), {}).status, 403);

  const std::string callback = Consent(admin, "PL", "allow");
  ASSERT_FALSE(QueryValue(callback, "code").empty()) << callback;
  auto done = admin.Get(callback);
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.Header("Location"), "/sources");
  auto after = admin.Get(nadajnik_.Url("/sources"));
  EXPECT_NE(after.body.find("Połączono konto PL z kontem Allegro „sprzedawca-pl”"),
            std::string::npos)
      << after.body;
  EXPECT_NE(after.body.find(">aktywne<"), std::string::npos);
  EXPECT_NE(after.body.find(">Autoryzuj ponownie<"), std::string::npos);
  EXPECT_NE(after.body.find(">Importuj<"), std::string::npos);
  auto stored = StoredAccount("PL");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, domain::AccountState::kActive);
  EXPECT_EQ(stored->login, "sprzedawca-pl");
  EXPECT_FALSE(stored->seller_id.empty());

  // The same state (and code) a second time: refused, the account stays as it is.
  auto replay = admin.Get(callback);
  EXPECT_EQ(replay.status, 400) << replay.body;
  EXPECT_NE(replay.body.find("Link autoryzacji nieważny"), std::string::npos) << replay.body;
  // A made-up state is refused the same way.
  auto forged = admin.Get(nadajnik_.Url("/sources/callback?code=abc&state=zmyslony-stan"));
  EXPECT_EQ(forged.status, 400);

  // The seller refuses at Allegro: the page says so, and the refused state is used up.
  const std::string refused = Consent(admin, "PL", "deny");
  EXPECT_EQ(QueryValue(refused, "error"), "access_denied") << refused;
  auto denied = admin.Get(refused);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("Odmówiono dostępu"), std::string::npos) << denied.body;
  ExpectWellFormedPage(denied.body, "access_denied");
  const std::string state = QueryValue(refused, "state");
  auto late = admin.Get(nadajnik_.Url("/sources/callback?code=abc&state=" + state));
  EXPECT_EQ(late.status, 400) << "a refused state can't be used with a code later";
  EXPECT_EQ(StoredAccount("PL")->state, domain::AccountState::kActive);

  // A packer's browser can't complete an authorization.
  const std::string another = Consent(admin, "PL", "allow");
  HttpClient packer;
  LogIn(packer, "ola", kPackerPassword);
  EXPECT_EQ(packer.Get(another).status, 403);
}

TEST_F(PanelSourcesTest, ImportReportsNewOrdersAndTheOrderPageChangesStatusOnAllegro) {
  StartBoth(60);
  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  AddAndAuthorize(admin, "PL");
  auto account = StoredAccount("PL");
  ASSERT_TRUE(account);
  const AccountId account_id = account->id;
  auto count = [&] {
    store::OrderFilter f;
    f.account_id = account_id;
    auto n = nadajnik_.store().Read([&](store::UnitOfWork& uow) { return uow.orders().Count(f); });
    return n ? *n : -1;
  };
  // The background backfill (one day) and the first journal read finish first.
  ASSERT_TRUE(Eventually(
      [&] {
        auto a = StoredAccount("PL");
        return a && a->last_journal_read_at.has_value();
      },
      30s))
      << nadajnik_.Log();
  std::int64_t before = count();
  ASSERT_TRUE(Eventually(
      [&] {
        std::this_thread::sleep_for(500ms);
        const auto now = count();
        const bool stable = now == before;
        before = now;
        return stable;
      },
      20s));

  auto report = Submit(admin, "/sources", "/sources/PL/import", {{"days", "30"}});
  ASSERT_EQ(report.status, 200) << report.body;
  const std::int64_t after = count();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(report.body, m, std::regex(R"re(id="import-new">(\d+)<)re")))
      << report.body;
  const int inserted = std::stoi(m[1].str());
  EXPECT_GT(inserted, 0) << "orders older than the one-day backfill";
  EXPECT_EQ(after - before, inserted);
  EXPECT_NE(report.body.find(std::to_string(inserted) + " nowych"), std::string::npos)
      << "the summary line";
  ExpectWellFormedPage(report.body, "import report");
  // Again: nothing new, the same orders unchanged.
  auto again = Submit(admin, "/sources", "/sources/PL/import", {{"days", "30"}});
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(again.body.find(R"(id="import-new">0<)"), std::string::npos) << again.body;
  EXPECT_EQ(count(), after);

  // The account's page: no incidents, no failures.
  auto detail = admin.Get(nadajnik_.Url("/sources/PL"));
  ASSERT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("Brak incydentów"), std::string::npos);
  EXPECT_NE(detail.body.find("Brak nieudanych zamówień"), std::string::npos);
  ExpectWellFormedPage(detail.body, "/sources/PL");
  EXPECT_EQ(admin.Get(nadajnik_.Url("/sources/ZZ")).status, 404);

  // An order page: the account, the timeline with Allegro's time and the lag.
  store::OrderFilter filter;
  filter.account_id = account_id;
  filter.limit = 1;
  auto orders =
      nadajnik_.store().Read([&](store::UnitOfWork& uow) { return uow.orders().List(filter); });
  ASSERT_TRUE(orders && !orders->empty());
  const domain::Order order = orders->front();
  const std::string path = "/orders/" + std::to_string(order.id.value);
  auto page = admin.Get(nadajnik_.Url(path));
  ASSERT_EQ(page.status, 200);
  ExpectWellFormedPage(page.body, path);
  EXPECT_NE(page.body.find(R"(<a class="alias" href="/sources/PL")"), std::string::npos);
  EXPECT_NE(page.body.find("<code>imported</code>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Zaimportowano z Allegro"), std::string::npos);
  EXPECT_TRUE(std::regex_search(page.body, std::regex(R"(<td class="num">-?\d+ s</td>)")))
      << "the lag behind Allegro's time";
  std::smatch option;
  ASSERT_TRUE(std::regex_search(page.body, option,
                                std::regex(R"re(<option value="(\d+)"[^>]*>W realizacji<)re")))
      << page.body;

  // A packer changes the status there: the flash tells what happens on Allegro, with the
  // warning about the buyer's cancellation window, and the push reaches the sandbox.
  HttpClient packer;
  LogIn(packer, "ola", kPackerPassword);
  auto changed = Submit(packer, path, path + "/status", {{"status", option[1].str()}});
  ASSERT_EQ(changed.status, 303) << changed.body;
  EXPECT_EQ(changed.Header("Location"), path);
  auto shown = packer.Get(nadajnik_.Url(path));
  EXPECT_NE(shown.body.find("Status zmieniony na „W realizacji”. Allegro dostanie status "
                            "PROCESSING"),
            std::string::npos)
      << shown.body;
  EXPECT_NE(shown.body.find("kupujący nie będzie mógł już sam anulować"), std::string::npos);
  EXPECT_NE(shown.body.find("<code>status_changed</code>"), std::string::npos);
  EXPECT_NE(shown.body.find("user:ola"), std::string::npos);
  const bool pushed = Eventually(
      [&] {
        auto received = sandbox_.Admin("GET", "/__sandbox/received?kind=fulfillment");
        for (const auto& r : received.at("received").as_array()) {
          if (r.at("checkoutFormId") == order.checkout_form_id.value.c_str() &&
              r.at("body").at("status") == "PROCESSING") {
            return true;
          }
        }
        return false;
      },
      20s);
  EXPECT_TRUE(pushed) << nadajnik_.Log();
  EXPECT_TRUE(Eventually(
      [&] {
        return packer.Get(nadajnik_.Url(path)).body.find("<code>status_pushed</code>") !=
               std::string::npos;
      },
      10s));

  // An unknown status and a missing token change nothing.
  auto unknown = Submit(packer, path, path + "/status", {{"status", "999999"}});
  EXPECT_EQ(unknown.status, 303);
  EXPECT_NE(packer.Get(nadajnik_.Url(path)).body.find("wybierz status z listy"), std::string::npos);
  EXPECT_EQ(packer.PostForm(nadajnik_.Url(path + "/status"), {{"status", option[1].str()}}).status,
            403);
}

// The sandbox's generator picks plain names, so hostile text can't come through it: it is
// written into the store the way an import would write it (the server runs beside the test).
TEST_F(PanelSourcesTest, MarketplaceTextIsEscapedOnTheSourcesAndOrderPages) {
  ASSERT_TRUE(nadajnik_.Start()) << nadajnik_.Log();
  auto& store = nadajnik_.store();
  const Timestamp t = FromUnixMillis(1767225600000);
  domain::MarketplaceAccount account;
  account.name = "Sklep <script>alert('n')</script>";
  account.alias = "XS";
  account.auth_base_url = "https://allegro.example";
  account.api_base_url = "https://api.allegro.example";
  auto account_id = store.InTransaction(
      [&](store::UnitOfWork& uow) { return uow.accounts().Create(account, t); });
  ASSERT_TRUE(account_id) << account_id.error().Describe();
  domain::Order order = SampleOrder(*account_id, "xss-\"'<b>", "r1", t);
  order.buyer.first_name = "<script>alert(1)</script>";
  order.buyer.last_name = "\"'><svg onload=alert(3)>";
  std::string big_raw = R"({"buyer":{"firstName":"<script>alert(5)</script>"},"pad":")";
  big_raw += std::string(5000, 'x') + R"(","tail":"KONIEC-SUROWYCH-DANYCH"})";
  auto written = store.InTransaction([&](store::UnitOfWork& uow) -> Result<OrderId> {
    NADAJNIK_ASSIGN_OR_RETURN(auto up, uow.orders().Upsert(order, t));
    NADAJNIK_TRY(uow.orders().SetAttention(up.id, true, "<script>alert(4)</script> anulowane", t));
    NADAJNIK_TRY(uow.accounts().SetState(*account_id, domain::AccountState::kNeedsReauthorization,
                                         "<img src=x onerror=alert(6)>", t));
    NADAJNIK_TRY(uow.accounts().SetLastError(*account_id, "<iframe src=//evil>", t));
    domain::OrderEvent e;
    e.order_id = up.id;
    e.kind = "<b>imported</b>";
    e.at = t;
    e.remote_at = t - std::chrono::seconds(7);
    e.message = "<script>alert(7)</script>";
    e.actor = "\"><script>";
    NADAJNIK_TRY(uow.order_events().Append(e));
    NADAJNIK_TRY(uow.import_failures().Record(*account_id, CheckoutFormId("<script>cf</script>"),
                                              big_raw, "<script>alert(8)</script>", t));
    store::IntegrityIncident incident;
    incident.account_id = *account_id;
    incident.checkout_form_id = CheckoutFormId("<b>inc</b>");
    incident.kind = "missed_by_journal";
    incident.message = "<script>alert(9)</script>";
    incident.at = t;
    NADAJNIK_TRY(uow.incidents().Record(incident));
    return up.id;
  });
  ASSERT_TRUE(written) << written.error().Describe();

  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  const std::string order_path = "/orders/" + std::to_string(written->value);
  for (const std::string& path :
       {std::string("/sources"), std::string("/sources/XS"), order_path}) {
    auto page = admin.Get(nadajnik_.Url(path));
    ASSERT_EQ(page.status, 200) << path;
    ExpectWellFormedPage(page.body, path);  // our own static scripts only
    for (const char* raw : {"<script>", "<svg", "<img", "<iframe", "<b>"}) {
      EXPECT_EQ(page.body.find(raw), std::string::npos) << path << ": " << raw;
    }
  }
  auto detail = admin.Get(nadajnik_.Url("/sources/XS"));
  EXPECT_NE(detail.body.find("&lt;script&gt;alert(8)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(detail.body.find("&lt;script&gt;alert(9)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(detail.body.find("&lt;img src=x onerror=alert(6)&gt;"), std::string::npos);
  EXPECT_NE(detail.body.find("<pre class=\"raw\">"), std::string::npos);
  EXPECT_EQ(detail.body.find("KONIEC-SUROWYCH-DANYCH"), std::string::npos)
      << "only an excerpt of the raw form";
  EXPECT_NE(detail.body.find("pokazano początek"), std::string::npos);
  auto list = admin.Get(nadajnik_.Url("/sources"));
  EXPECT_NE(list.body.find("wymaga ponownej autoryzacji"), std::string::npos);
  EXPECT_NE(list.body.find(">Autoryzuj ponownie<"), std::string::npos);
  auto page = admin.Get(nadajnik_.Url(order_path));
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(4)&lt;/script&gt; anulowane"), std::string::npos);
  EXPECT_NE(page.body.find("Wymaga uwagi"), std::string::npos);
  EXPECT_NE(page.body.find(">7 s<"), std::string::npos) << "the lag behind Allegro's time";
  EXPECT_NE(page.Header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
}

// Stored English reasons are explained in Polish (the original kept in a <small lang="en">), and
// an error older than the account's return to "aktywne" is not shown as current. Written into the
// store the way the connector and the jobs write them (the server runs beside the test).
TEST_F(PanelSourcesTest, StoredReasonsAreExplainedInPolishAndAResolvedErrorIsNotCurrent) {
  ASSERT_TRUE(nadajnik_.Start()) << nadajnik_.Log();
  auto& store = nadajnik_.store();
  const Timestamp t = FromUnixMillis(1767225600000);
  const std::string invalid_grant =
      "Allegro no longer accepts this account's authorization (invalid_grant: the token was "
      "revoked, expired or used already): authorize the account again";
  auto make = [&](const std::string& alias) {
    domain::MarketplaceAccount a;
    a.name = "Sklep " + alias;
    a.alias = alias;
    a.auth_base_url = "https://allegro.example";
    a.api_base_url = "https://api.allegro.example";
    auto id =
        store.InTransaction([&](store::UnitOfWork& uow) { return uow.accounts().Create(a, t); });
    EXPECT_TRUE(id) << id.error().Describe();
    return id ? *id : AccountId(0);
  };
  const AccountId revoked = make("RV");
  const AccountId recovered = make("RC");
  const AccountId failing = make("FL");
  auto written = store.InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.accounts().SetLastError(revoked, invalid_grant, t));
    NADAJNIK_TRY(uow.accounts().SetState(revoked, domain::AccountState::kNeedsReauthorization,
                                         invalid_grant, t + std::chrono::seconds(1)));
    // Refused, then authorized again: the error stays stored until the next journal read.
    NADAJNIK_TRY(uow.accounts().SetLastError(recovered, "STARY-BLAD-" + invalid_grant, t));
    NADAJNIK_TRY(uow.accounts().SetState(recovered, domain::AccountState::kActive, "",
                                         t + std::chrono::seconds(5)));
    // Active first, failing after: a current error.
    NADAJNIK_TRY(uow.accounts().SetState(failing, domain::AccountState::kActive, "", t));
    return uow.accounts().SetLastError(failing, "NOWY-BLAD: Allegro answered HTTP 503",
                                       t + std::chrono::seconds(9));
  });
  ASSERT_TRUE(written) << written.error().Describe();

  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  const std::string polish =
      "Allegro odrzuciło token odświeżania (invalid_grant): autoryzuj konto ponownie.";
  auto list = admin.Get(nadajnik_.Url("/sources"));
  ASSERT_EQ(list.status, 200);
  ExpectWellFormedPage(list.body, "/sources");
  EXPECT_NE(list.body.find("<small class=\"error-text\">" + polish + "</small>"), std::string::npos)
      << list.body;
  EXPECT_TRUE(std::regex_search(
      list.body,
      std::regex(
          R"re(<small class="original" lang="en"[^>]*>Allegro no longer accepts this account(&#39;|&apos;)s authorization \(invalid_grant)re")))
      << "the original text kept for support\n"
      << list.body;
  EXPECT_EQ(list.body.find("STARY-BLAD"), std::string::npos) << "a resolved error is not shown";
  EXPECT_NE(list.body.find("rozwiązany"), std::string::npos);
  EXPECT_NE(list.body.find("NOWY-BLAD: Allegro answered HTTP 503"), std::string::npos)
      << "an error newer than the state is current\n"
      << list.body;
  EXPECT_NE(list.body.find("Token: nieważny"), std::string::npos);

  auto page = admin.Get(nadajnik_.Url("/sources/RV"));
  ASSERT_EQ(page.status, 200);
  ExpectWellFormedPage(page.body, "/sources/RV");
  EXPECT_NE(page.body.find(polish), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("lang=\"en\""), std::string::npos);
  auto healthy = admin.Get(nadajnik_.Url("/sources/RC"));
  ASSERT_EQ(healthy.status, 200);
  EXPECT_EQ(healthy.body.find("STARY-BLAD"), std::string::npos);
  EXPECT_NE(healthy.body.find("rozwiązany"), std::string::npos);
  EXPECT_NE(healthy.body.find(">aktywne<"), std::string::npos);

  // What is stored is unchanged: the translation is the panel's.
  auto stored = StoredAccount("RV");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state_reason, invalid_grant);
}

// A revoked token end to end: the sandbox kills the seller's tokens, the refused refresh is
// explained in Polish, and after "Autoryzuj ponownie" the refusal is not shown as a current error.
// The sources list and the account page show the request budget used (counted by this process).
TEST_F(PanelSourcesTest, ARevokedTokenIsExplainedInPolishAndTheBudgetUsedIsShown) {
  StartBoth(5);
  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  AddAndAuthorize(admin, "PL");
  ASSERT_TRUE(Eventually(
      [&] {
        auto a = StoredAccount("PL");
        return a && a->last_journal_read_at.has_value();
      },
      30s))
      << nadajnik_.Log();

  // The budget is counted by the serving process (wiring gives AccountService the registry).
  static const std::regex budget_cell(R"re(class="budget-used[^"]*">(\d+) / (\d+)<)re");
  std::smatch m;
  auto list = admin.Get(nadajnik_.Url("/sources"));
  const bool has_budget = std::regex_search(list.body, m, budget_cell);
  EXPECT_TRUE(has_budget) << list.body;
  const int limit = has_budget ? std::stoi(m[2].str()) : -1;
  if (has_budget) {
    EXPECT_GT(std::stoi(m[1].str()), 0) << "the journal reads count";
    EXPECT_GT(limit, 0);
    EXPECT_NE(list.body.find("od uruchomienia"), std::string::npos);
  }
  auto detail = admin.Get(nadajnik_.Url("/sources/PL"));
  EXPECT_TRUE(std::regex_search(detail.body, budget_cell)) << detail.body;
  EXPECT_NE(detail.body.find("Token: <span class=\"token good\">ważny do "), std::string::npos);
  EXPECT_NE(detail.body.find("Ostatni odczyt: "), std::string::npos);
  // The API's account health has the same figure (the service's, not the panel's).
  ApiSession api(nadajnik_);
  auto accounts = api.Api("GET", "/api/v1/accounts");
  ASSERT_TRUE(accounts.is_object()) << json::serialize(accounts);
  const auto& pl = accounts.at("accounts").at(0).as_object();
  EXPECT_TRUE(pl.at("requestBudget").is_object()) << json::serialize(pl);
  if (pl.at("requestBudget").is_object()) {
    const auto& budget = pl.at("requestBudget").as_object();
    EXPECT_GT(budget.at("usedLastMinute").as_int64(), 0);
    EXPECT_EQ(budget.at("limitPerMinute").as_int64(), limit);
    EXPECT_EQ(budget.at("scope"), "process");
    EXPECT_TRUE(budget.at("lastRateLimitedAt").is_null());
  }

  sandbox_.Admin("POST", "/__sandbox/revoke", R"({"login": "sprzedawca-pl"})");
  ASSERT_TRUE(Eventually(
      [&] {
        auto a = StoredAccount("PL");
        return a && a->state == domain::AccountState::kNeedsReauthorization;
      },
      30s))
      << nadajnik_.Log();
  auto refused = admin.Get(nadajnik_.Url("/sources"));
  EXPECT_NE(refused.body.find(
                "Allegro odrzuciło token odświeżania (invalid_grant): autoryzuj konto ponownie."),
            std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("<small class=\"original\" lang=\"en\""), std::string::npos);

  const std::string callback = Consent(admin, "PL", "allow");
  ASSERT_EQ(admin.Get(callback).status, 303);
  auto after = admin.Get(nadajnik_.Url("/sources"));
  EXPECT_NE(after.body.find(">aktywne<"), std::string::npos);
  EXPECT_EQ(after.body.find("invalid_grant"), std::string::npos)
      << "the refusal is older than the new authorization\n"
      << after.body;
  EXPECT_EQ(after.body.find("class=\"attention\""), std::string::npos);
}

// The browser asks for /favicon.ico on every page: it gets the SVG icon, never a 404.
TEST_F(PanelSourcesTest, TheIconIsServedAndFaviconIcoIsNot404) {
  ASSERT_TRUE(nadajnik_.Start()) << nadajnik_.Log();
  HttpClient anonymous;
  auto svg = anonymous.Get(nadajnik_.Url("/static/favicon.svg"));
  EXPECT_EQ(svg.status, 200);
  EXPECT_EQ(svg.Header("Content-Type").rfind("image/svg+xml", 0), 0u) << svg.Header("Content-Type");
  EXPECT_NE(svg.body.find("<svg"), std::string::npos);
  auto login = anonymous.Get(nadajnik_.Url("/login"));
  EXPECT_NE(login.body.find(R"(<link rel="icon" href="/static/favicon.svg")"), std::string::npos);
  auto ico = anonymous.Get(nadajnik_.Url("/favicon.ico"));
  EXPECT_NE(ico.status, 404);
  EXPECT_TRUE(ico.status == 204 || (ico.status >= 301 && ico.status <= 308)) << ico.status;
  if (ico.status != 204) EXPECT_EQ(ico.Header("Location"), "/static/favicon.svg");
}
}  // namespace
}  // namespace nadajnik::testing
