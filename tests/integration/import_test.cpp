// Allegro import and status sync end to end: the real nadajnik binary against nadajnik-sandbox
// over loopback HTTP, accounts added and authorized through the CLI, orders read back through the
// JSON API and compared with what the sandbox itself lists.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/sandbox_process.hpp"
#include "support/test_database.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Fast polling so that the tests wait seconds, not minutes.
const NadajnikInstance::Env kFast = {{"NADAJNIK_ALLEGRO_JOURNAL_INTERVAL_MS", "200"},
                                     {"NADAJNIK_ALLEGRO_SWEEP_INTERVAL_SECONDS", "5"},
                                     {"NADAJNIK_ALLEGRO_SWEEP_GRACE_SECONDS", "1"},
                                     {"NADAJNIK_ALLEGRO_RATE_LIMIT_PAUSE_SECONDS", "2"},
                                     {"NADAJNIK_JOBS_POLL_INTERVAL_MS", "50"},
                                     {"NADAJNIK_JOBS_LEASE_SECONDS", "5"},
                                     {"NADAJNIK_JOBS_BACKOFF_BASE_MS", "200"},
                                     {"NADAJNIK_JOBS_BACKOFF_MAX_MS", "3000"}};

class ImportTest : public ::testing::Test {
 protected:
  explicit ImportTest(std::optional<std::string> database = std::nullopt) : nadajnik_(database) {}

  void AddAccount(const std::string& alias, const std::string& login) {
    auto r = nadajnik_.Cli({"accounts", "add", "--alias", alias, "--name", "Konto " + alias,
                            "--auth-url", sandbox_.base(), "--api-url", sandbox_.base(),
                            "--client-id", kSandboxClientId, "--client-secret",
                            kSandboxClientSecret, "--refresh-token", sandbox_.RefreshToken(login)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("authorized as Allegro seller " + login), std::string::npos) << r.out;
  }

  const std::string& Token() {
    if (token_.empty()) {
      auto r = nadajnik_.Cli({"api-tokens", "create", "--name", "tests"});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      std::smatch m;
      EXPECT_TRUE(std::regex_search(r.out, m, std::regex(R"((ndj_\S+))"))) << r.out;
      token_ = m[1].str();
    }
    return token_;
  }

  json::value Api(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    auto r = http_.Request(
        method, nadajnik_.Url(path),
        {{"Authorization", "Bearer " + Token()}, {"Content-Type", "application/json"}}, body);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    boost::system::error_code ec;
    return json::parse(r.body, ec);
  }

  // Every order through the API, following nextCursor.
  std::map<std::string, json::object> Orders() {
    std::map<std::string, json::object> out;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      auto body =
          Api("GET", "/api/v1/orders?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
      if (!body.is_object()) break;
      for (const auto& o : body.at("orders").as_array()) {
        const std::string id(o.at("checkoutFormId").as_string());
        EXPECT_FALSE(out.contains(id)) << "order listed twice: " << id;
        out[id] = o.as_object();
      }
      const auto& next = body.at("nextCursor");
      if (next.is_null()) break;
      cursor = std::string(next.as_string());
    }
    return out;
  }

  std::size_t OrderCount() { return Orders().size(); }

  json::object Account(const std::string& alias) {
    const auto body = Api("GET", "/api/v1/accounts");
    if (!body.is_object()) return {};
    for (const auto& a : body.at("accounts").as_array()) {
      if (a.at("alias").as_string() == alias) return a.as_object();
    }
    ADD_FAILURE() << "no account " << alias;
    return {};
  }

  // The sandbox's own list of a seller's paid, new forms: what an import must end with.
  std::map<std::string, json::object> SandboxForms(const std::string& login) {
    std::map<std::string, json::object> out;
    const std::string token = sandbox_.Token(login);
    for (int offset = 0; offset < 10000; offset += 100) {
      const std::string path =
          "/order/checkout-forms?status=READY_FOR_PROCESSING&fulfillment.status=NEW&limit=100"
          "&offset=" +
          std::to_string(offset);
      auto r = sandbox_.Api("GET", path, token);
      // Tests with a tiny budget or injected 503s: the sandbox treats our calls alike.
      for (int retry = 0; (r.status == 429 || r.status >= 500) && retry < 60; ++retry) {
        std::this_thread::sleep_for(1s);
        r = sandbox_.Api("GET", path, token);
      }
      EXPECT_EQ(r.status, 200) << r.body;
      auto body = SandboxProcess::Json(r);
      const auto& forms = body.at("checkoutForms").as_array();
      for (const auto& f : forms) out[std::string(f.at("id").as_string())] = f.as_object();
      if (forms.size() < 100) break;
    }
    return out;
  }

  std::vector<std::string> CreateOrders(const std::string& seller, int count,
                                        const std::string& marketplace = "") {
    std::string body = R"({"count":)" + std::to_string(count) + R"(,"seller":")" + seller + "\"";
    if (!marketplace.empty()) body += R"(,"marketplace":")" + marketplace + "\"";
    body += "}";
    auto v = sandbox_.Admin("POST", "/__sandbox/orders", body);
    std::vector<std::string> ids;
    for (const auto& id : v.at("checkoutFormIds").as_array()) ids.emplace_back(id.as_string());
    return ids;
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
  HttpClient http_;
  std::string token_;
};

// Compares what Nadajnik holds with the sandbox's own list, field by field where it matters.
void ExpectSameOrders(const std::map<std::string, json::object>& ours,
                      const std::map<std::string, json::object>& theirs) {
  EXPECT_EQ(ours.size(), theirs.size());
  int compared = 0;
  for (const auto& [id, form] : theirs) {
    auto it = ours.find(id);
    if (it == ours.end()) {
      ADD_FAILURE() << "missing order " << id;
      continue;
    }
    const json::object& o = it->second;
    const auto& total = form.at("summary").at("totalToPay");
    EXPECT_EQ(o.at("total").at("amount"), total.at("amount")) << id;
    EXPECT_EQ(o.at("total").at("currency"), total.at("currency")) << id;
    EXPECT_EQ(o.at("currency"), total.at("currency")) << id;
    EXPECT_EQ(o.at("marketplace"), form.at("marketplace").at("id")) << id;
    const auto* pickup = form.at("delivery").as_object().if_contains("pickupPoint");
    const auto* our_pickup = o.at("delivery").as_object().if_contains("pickupPoint");
    if (pickup && !pickup->is_null()) {
      EXPECT_TRUE(our_pickup && our_pickup->at("id") == pickup->at("id")) << id;
    } else {
      EXPECT_TRUE(!our_pickup || our_pickup->is_null()) << id;
    }
    const bool cod = form.at("payment").at("type") == "CASH_ON_DELIVERY";
    EXPECT_EQ(o.at("cashOnDelivery").as_bool(), cod) << id;
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(theirs.size()));
}

TEST_F(ImportTest, TwoAccountsOnTwoMarketplacesEndExactlyAsTheSandboxListsThem) {
  sandbox_.Start({"--orders", "1200"});  // spread over both sellers and the last 30 days
  AddAccount("PL", "sprzedawca-pl");
  AddAccount("CZ", "prodejce-cz");
  // The sandbox spreads its first orders over exactly 30 days: a day more takes them all.
  auto env = kFast;
  env.emplace_back("NADAJNIK_ALLEGRO_BACKFILL_DAYS", "31");
  ASSERT_TRUE(nadajnik_.Start(env)) << nadajnik_.Log();
  // New orders while Nadajnik runs: the journal brings them, including a PL seller's sales on
  // allegro.cz (priced in CZK).
  CreateOrders("sprzedawca-pl", 700);
  CreateOrders("sprzedawca-pl", 300, "allegro-cz");
  CreateOrders("prodejce-cz", 500);
  auto expected = SandboxForms("sprzedawca-pl");
  auto cz = SandboxForms("prodejce-cz");
  expected.insert(cz.begin(), cz.end());
  ASSERT_GT(expected.size(), 2000u);
  ASSERT_TRUE(Eventually([&] { return OrderCount() >= expected.size(); }, 120s))
      << OrderCount() << " of " << expected.size() << "\n"
      << nadajnik_.Log();
  std::this_thread::sleep_for(1s);  // nothing more may arrive
  ExpectSameOrders(Orders(), expected);
  std::set<std::string> currencies;
  for (const auto& [id, o] : Orders()) currencies.insert(std::string(o.at("currency").as_string()));
  EXPECT_TRUE(currencies.contains("PLN") && currencies.contains("CZK"));
  for (const char* alias : {"PL", "CZ"}) {
    auto a = Account(alias);
    EXPECT_EQ(a.at("state"), "active") << alias;
    EXPECT_EQ(a.at("failedOrders").as_int64(), 0) << alias;
    EXPECT_FALSE(a.at("lastJournalReadAt").is_null()) << alias;
  }
}

TEST_F(ImportTest, OrdersWhoseReadyEventIsMissingAreCaughtByTheSweepAsIncidents) {
  sandbox_.Start();
  AddAccount("PL", "sprzedawca-pl");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  ASSERT_TRUE(Eventually([&] { return !Account("PL").at("lastJournalReadAt").is_null(); }, 30s));
  sandbox_.Admin("POST", "/__sandbox/scenarios", R"({"name":"missing-ready-event","on":true})");
  auto ids = CreateOrders("sprzedawca-pl", 20);
  ASSERT_TRUE(Eventually([&] { return OrderCount() == ids.size(); }, 60s)) << OrderCount() << "\n"
                                                                           << nadajnik_.Log();
  auto orders = Orders();
  for (const auto& id : ids) EXPECT_TRUE(orders.contains(id)) << id;
  EXPECT_EQ(Account("PL").at("integrityIncidents").as_int64(), 20);
}

TEST_F(ImportTest, AKillDuringImportEndsWithTheSameOrdersAndNoneTwice) {
  sandbox_.Start();
  AddAccount("PL", "sprzedawca-pl");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  ASSERT_TRUE(Eventually([&] { return !Account("PL").at("lastJournalReadAt").is_null(); }, 30s));
  CreateOrders("sprzedawca-pl", 3000);
  ASSERT_TRUE(Eventually([&] { return OrderCount() > 0; }, 60s)) << nadajnik_.Log();
  nadajnik_.Kill(SIGKILL);
  nadajnik_.Wait(10s);
  auto before = nadajnik_.store().Read(
      [](store::UnitOfWork& uow) { return uow.orders().Count(store::OrderFilter{}); });
  ASSERT_TRUE(before) << before.error().Describe();
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  auto expected = SandboxForms("sprzedawca-pl");
  ASSERT_TRUE(Eventually([&] { return OrderCount() >= expected.size(); }, 120s))
      << OrderCount() << " of " << expected.size();
  EXPECT_LT(*before, static_cast<std::int64_t>(expected.size()))
      << "the kill came too late to test anything";
  ExpectSameOrders(Orders(), expected);
}

TEST_F(ImportTest, RateLimitsAndServerErrorsEndInACompleteImport) {
  sandbox_.Start(
      {"--requests-per-minute", "30", "--block-seconds", "2", "--scenario", "server-errors"});
  AddAccount("PL", "sprzedawca-pl");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  auto met = [&](const std::string& status) {
    auto metrics = http_.Get(nadajnik_.Url("/metrics")).body;
    return std::regex_search(
        metrics, std::regex(R"(nadajnik_allegro_requests_total\{[^}]*status=")" + status + "\""));
  };
  // The journal polls five times a second: it meets the budget and a burst of 503s soon.
  ASSERT_TRUE(Eventually([&] { return met("429") && met("503"); }, 120s)) << nadajnik_.Log();
  CreateOrders("sprzedawca-pl", 600);
  auto expected = SandboxForms("sprzedawca-pl");
  ASSERT_TRUE(Eventually([&] { return OrderCount() >= expected.size(); }, 180s))
      << OrderCount() << " of " << expected.size() << "\n"
      << nadajnik_.Log();
  ExpectSameOrders(Orders(), expected);
  EXPECT_EQ(Account("PL").at("state"), "active");
}

TEST_F(ImportTest, ARevokedTokenPausesTheAccountAndReauthorizingResumesWithNothingLost) {
  sandbox_.Start();
  AddAccount("PL", "sprzedawca-pl");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  auto first = CreateOrders("sprzedawca-pl", 10);
  ASSERT_TRUE(Eventually([&] { return OrderCount() == 10; }, 30s)) << nadajnik_.Log();
  sandbox_.Admin("POST", "/__sandbox/revoke", R"({"login":"sprzedawca-pl"})");
  // The current access token dies with the refresh token: the next call needs a refresh, which
  // Allegro refuses with invalid_grant.
  auto second = CreateOrders("sprzedawca-pl", 10);
  ASSERT_TRUE(Eventually([&] { return Account("PL").at("state") == "needs_reauthorization"; }, 30s))
      << nadajnik_.Log();
  auto account = Account("PL");
  EXPECT_NE(std::string(account.at("stateReason").as_string()).find("invalid_grant"),
            std::string::npos)
      << account;
  EXPECT_FALSE(account.at("stateChangedAt").is_null());
  EXPECT_EQ(OrderCount(), 10u);
  // Paused, not dropped: no account job is dead.
  const auto dead = Api("GET", "/api/v1/jobs?state=dead");
  for (const auto& j : dead.at("jobs").as_array()) {
    EXPECT_FALSE(std::string(j.at("kind").as_string()).starts_with("allegro.")) << j;
  }
  // The token on stdin ("-"), out of the process list.
  auto r = nadajnik_.Cli({"accounts", "authorize", "PL", "--refresh-token", "-"},
                         sandbox_.RefreshToken("sprzedawca-pl") + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(Eventually([&] { return OrderCount() == 20; }, 60s)) << nadajnik_.Log();
  EXPECT_EQ(Account("PL").at("state"), "active");
  auto orders = Orders();
  for (const auto& id : second) EXPECT_TRUE(orders.contains(id)) << id;
}

TEST_F(ImportTest, AMalformedFormLandsInTheFailedListWhileTheOthersImport) {
  sandbox_.Start();
  AddAccount("PL", "sprzedawca-pl");
  auto ids = CreateOrders("sprzedawca-pl", 10);
  sandbox_.Admin("POST", "/__sandbox/orders/" + ids[3] + "/corrupt");
  auto r = nadajnik_.Cli({"import", "--account", "PL", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = json::parse(r.out);
  EXPECT_EQ(report.at("new").as_int64(), 9) << r.out;
  EXPECT_EQ(report.at("failed").as_int64(), 1) << r.out;
  const auto& failure = report.at("failures").as_array().at(0);
  EXPECT_EQ(failure.at("checkoutFormId").as_string(), ids[3]);
  EXPECT_NE(std::string(failure.at("error").as_string()).find("totalToPay"), std::string::npos)
      << failure;
  auto listed = nadajnik_.Cli({"accounts", "list", "--json"});
  EXPECT_NE(listed.out.find(R"("failedOrders":1)"), std::string::npos) << listed.out;
  // Repaired at Allegro: the sweep's retry imports it and the failure is resolved.
  sandbox_.Admin("POST", "/__sandbox/orders/" + ids[3] + "/repair");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  ASSERT_TRUE(Eventually([&] { return OrderCount() == 10; }, 60s)) << nadajnik_.Log();
  ASSERT_TRUE(Eventually([&] { return Account("PL").at("failedOrders").as_int64() == 0; }, 30s));
}

TEST_F(ImportTest, AStatusChangeReachesAllegroInSecondsAndAllegroSideChangesComeBack) {
  sandbox_.Start();
  AddAccount("PL", "sprzedawca-pl");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  auto ids = CreateOrders("sprzedawca-pl", 2);
  ASSERT_TRUE(Eventually([&] { return OrderCount() == 2; }, 30s)) << nadajnik_.Log();
  auto orders = Orders();
  const auto& order = orders.at(ids[0]);
  const auto started = std::chrono::steady_clock::now();
  auto change =
      Api("POST", "/api/v1/orders/" + std::to_string(order.at("id").as_int64()) + "/status",
          R"({"status":"Gotowe do wysyłki"})");
  EXPECT_EQ(change.at("fulfillmentStatus"), "READY_FOR_SHIPMENT") << change;
  EXPECT_EQ(change.at("warnings").as_array().size(), 1u) << "leaving NEW warns";
  auto pushed = [&] {
    auto received = sandbox_.Admin("GET", "/__sandbox/received?kind=fulfillment");
    for (const auto& r : received.at("received").as_array()) {
      if (r.at("checkoutFormId").as_string() == ids[0] &&
          r.at("body").at("status") == "READY_FOR_SHIPMENT") {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(Eventually(pushed, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  ASSERT_TRUE(Eventually(
      [&] { return Orders().at(ids[0]).at("fulfillmentStatus") == "READY_FOR_SHIPMENT"; }, 10s));
  // The seller marks the other order sent in Allegro's own panel: the local status follows.
  sandbox_.Admin("POST", "/__sandbox/orders/" + ids[1] + "/fulfillment", R"({"status":"SENT"})");
  ASSERT_TRUE(
      Eventually([&] { return Orders().at(ids[1]).at("fulfillmentStatus") == "SENT"; }, 10s));
  auto statuses = Api("GET", "/api/v1/statuses").at("statuses").as_array();
  std::int64_t sent_id = 0;
  for (const auto& s : statuses) {
    if (s.at("name") == "Wysłane") sent_id = s.at("id").as_int64();
  }
  EXPECT_EQ(Orders().at(ids[1]).at("localStatusId").as_int64(), sent_id);
  auto detail = Api("GET", "/api/v1/orders/" + std::to_string(order.at("id").as_int64()));
  std::set<std::string> kinds;
  for (const auto& e : detail.at("timeline").as_array())
    kinds.insert(std::string(e.at("kind").as_string()));
  EXPECT_TRUE(kinds.contains("imported") && kinds.contains("status_changed") &&
              kinds.contains("status_pushed"))
      << detail.at("timeline");
}

TEST_F(ImportTest, TheDeviceFlowAuthorizesAnAccountFromTheCommandLine) {
  sandbox_.Start();
  auto added = nadajnik_.Cli({"accounts", "add", "--alias", "PL", "--name", "Sklep", "--auth-url",
                              sandbox_.base(), "--api-url", sandbox_.base(), "--client-id",
                              kSandboxClientId, "--client-secret", kSandboxClientSecret});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  TempDir out;
  ProcessOptions options;
  options.argv = {
      NADAJNIK_BINARY, "accounts", "authorize", "PL", "--data-dir", nadajnik_.data_dir().string()};
  options.stdout_path = out.path() / "out";
  options.stderr_path = out.path() / "err";
  Process authorize(options);
  std::smatch m;
  std::string printed;
  ASSERT_TRUE(Eventually(
      [&] {
        printed = ReadFile(out.path() / "out");
        return std::regex_search(printed, m,
                                 std::regex(R"((http\S+)\s+and confirm the code (\S+))"));
      },
      20s))
      << printed << ReadFile(out.path() / "err");
  const std::string url = m[1].str();
  const std::string code = m[2].str();
  auto page_path = url.substr(sandbox_.base().size(), url.find('?') - sandbox_.base().size());
  auto confirmed = http_.PostForm(sandbox_.base() + page_path, {{"code", code},
                                                                {"login", "sprzedawca-pl"},
                                                                {"password", "haslo-sandbox"},
                                                                {"decision", "allow"}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  auto exit = authorize.Wait(30s);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(*exit, 0) << ReadFile(out.path() / "err");
  EXPECT_NE(ReadFile(out.path() / "out").find("authorized as Allegro seller sprzedawca-pl"),
            std::string::npos);
  auto listed = nadajnik_.Cli({"accounts", "list", "--json"});
  EXPECT_NE(listed.out.find(R"("state":"active")"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(R"("sellerId":"437848322")"), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace nadajnik::testing

namespace nadajnik::testing {
namespace {

TEST_F(ImportTest, TheStatusMappingIsPerAccountAndALocalOnlyStatusPushesNothing) {
  sandbox_.Start();
  AddAccount("PL", "sprzedawca-pl");
  ASSERT_TRUE(nadajnik_.Start(kFast)) << nadajnik_.Log();
  auto defaults = Api("GET", "/api/v1/accounts/PL/status-mapping");
  std::map<std::string, std::string> mapped;
  for (const auto& m : defaults.at("mappings").as_array()) {
    mapped[std::string(m.at("localStatus").as_string())] =
        m.at("fulfillmentStatus").is_null() ? "-"
                                            : std::string(m.at("fulfillmentStatus").as_string());
  }
  EXPECT_EQ(mapped["Nowe"], "-");
  EXPECT_EQ(mapped["W realizacji"], "PROCESSING");
  EXPECT_EQ(mapped["Wysłane"], "SENT");
  auto changed = Api("PUT", "/api/v1/accounts/PL/status-mapping",
                     R"({"mappings":[{"localStatus":"W realizacji","fulfillmentStatus":null}]})");
  bool local_only = false;
  for (const auto& m : changed.at("mappings").as_array()) {
    if (m.at("localStatus") == "W realizacji") {
      local_only = m.at("fulfillmentStatus").is_null() && m.at("accountSpecific").as_bool();
    }
  }
  EXPECT_TRUE(local_only) << changed;
  auto refused =
      http_.Request("PUT", nadajnik_.Url("/api/v1/accounts/PL/status-mapping"),
                    {{"Authorization", "Bearer " + Token()}},
                    R"({"mappings":[{"localStatus":"Wysłane","fulfillmentStatus":"RETURNED"}]})");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("RETURNED"), std::string::npos);
  CreateOrders("sprzedawca-pl", 1);
  ASSERT_TRUE(Eventually([&] { return OrderCount() == 1; }, 30s)) << nadajnik_.Log();
  auto set = nadajnik_.Cli({"orders", "set-status", "1", "W realizacji"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out.find("Allegro gets"), std::string::npos) << set.out;
  auto jobs = Api("GET", "/api/v1/jobs?kind=allegro.push_status");
  EXPECT_TRUE(jobs.at("jobs").as_array().empty()) << jobs;
}

TEST(ImportPostgresTest, TwoInstancesShareTheImportAndImportEachOrderOnce) {
  NADAJNIK_SKIP_WITHOUT_BACKEND(store::Dialect::kPostgres);
  TestDatabase db = TestDatabase::Create(store::Dialect::kPostgres);
  SandboxProcess sandbox;
  sandbox.Start();
  NadajnikInstance a(db.options().url);
  NadajnikInstance b(db.options().url);
  for (const auto& [alias, login] :
       {std::pair{"PL", "sprzedawca-pl"}, std::pair{"CZ", "prodejce-cz"}}) {
    auto r =
        a.Cli({"accounts", "add", "--alias", alias, "--name", alias, "--auth-url", sandbox.base(),
               "--api-url", sandbox.base(), "--client-id", kSandboxClientId, "--client-secret",
               kSandboxClientSecret, "--refresh-token", sandbox.RefreshToken(login)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_TRUE(a.Start(kFast)) << a.Log();
  ASSERT_TRUE(b.Start(kFast)) << b.Log();
  sandbox.Admin("POST", "/__sandbox/orders", R"({"count":1000,"seller":"sprzedawca-pl"})");
  sandbox.Admin("POST", "/__sandbox/orders", R"({"count":1000,"seller":"prodejce-cz"})");
  auto conn = db.Connect();
  auto count = [&](const std::string& sql) {
    auto rows = conn->Query(sql, {});
    EXPECT_TRUE(rows) << rows.error().Describe();
    return rows ? rows->Int(0, 0) : -1;
  };
  ASSERT_TRUE(Eventually([&] { return count("SELECT COUNT(*) FROM orders") == 2000; }, 120s))
      << count("SELECT COUNT(*) FROM orders") << "\n"
      << a.Log() << b.Log();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count("SELECT COUNT(*) FROM orders"), 2000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM order_events WHERE kind = 'imported'"), 2000)
      << "each order imported once";
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE state <> 'active'"), 0);
}

}  // namespace
}  // namespace nadajnik::testing
