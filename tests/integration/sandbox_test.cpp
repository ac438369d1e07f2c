// nadajnik-sandbox as a process: the Allegro behaviours our import and sync will rely on.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <thread>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class SandboxProcessTest : public ::testing::Test, protected SandboxProcess {};

TEST_F(SandboxProcessTest, TheSameSeedGivesTheSameOrders) {
  Start({"--orders", "20"});
  const std::string token = Token();
  auto first = Json(Api("GET", "/order/checkout-forms?limit=5&sort=lineItems.boughtAt", token));
  SandboxProcess other;
  other.Start({"--orders", "20"});
  auto second = Json(
      other.Api("GET", "/order/checkout-forms?limit=5&sort=lineItems.boughtAt", other.Token()));
  const auto& a = first.at("checkoutForms").as_array();
  const auto& b = second.at("checkoutForms").as_array();
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at("id"), b[i].at("id"));
    EXPECT_EQ(a[i].at("buyer"), b[i].at("buyer"));
    EXPECT_EQ(a[i].at("lineItems").as_array().size(), b[i].at("lineItems").as_array().size());
    EXPECT_EQ(a[i].at("summary"), b[i].at("summary"));
  }
}

TEST_F(SandboxProcessTest, TheJournalListsPaidOrdersInAscendingOrderFromACursor) {
  Start();
  const std::string token = Token();
  Admin("POST", "/__sandbox/orders", R"({"count":3,"seller":"sprzedawca-pl"})");
  auto events = Json(Api("GET", "/order/events?limit=1000", token)).at("events").as_array();
  ASSERT_EQ(events.size(), 9u) << "BOUGHT, FILLED_IN and READY_FOR_PROCESSING for each";
  std::string previous;
  for (const auto& e : events) {
    const std::string id(e.at("id").as_string());
    if (!previous.empty()) {
      EXPECT_GT(std::stoll(id), std::stoll(previous));
    }
    previous = id;
  }
  const std::string cursor(events[4].at("id").as_string());
  auto rest = Json(Api("GET", "/order/events?from=" + cursor, token)).at("events").as_array();
  EXPECT_EQ(rest.size(), 4u) << "events strictly after the cursor";
  auto paid =
      Json(Api("GET", "/order/events?type=READY_FOR_PROCESSING", token)).at("events").as_array();
  EXPECT_EQ(paid.size(), 3u);
  auto stats = Json(Api("GET", "/order/event-stats", token));
  EXPECT_EQ(stats.at("latestEvent").at("id"), events.back().at("id"));
  // The Czech seller sees none of it.
  auto cz = Json(Api("GET", "/order/events", Token("prodejce-cz"))).at("events").as_array();
  EXPECT_TRUE(cz.empty());
}

TEST_F(SandboxProcessTest, ABuyerCancellationAfterPaymentShowsInTheFormAndTheJournal) {
  Start();
  const std::string token = Token();
  auto created = Admin("POST", "/__sandbox/orders", R"({"count":1})");
  const std::string id(created.at("checkoutFormIds").as_array()[0].as_string());
  auto before = Json(Api("GET", "/order/checkout-forms/" + id, token));
  Admin("POST", "/__sandbox/orders/" + id + "/cancel");
  auto after = Json(Api("GET", "/order/checkout-forms/" + id, token));
  EXPECT_EQ(after.at("status"), "CANCELLED");
  EXPECT_EQ(after.at("fulfillment").at("status"), before.at("fulfillment").at("status"))
      << "a buyer cancellation leaves the fulfillment status as it was";
  EXPECT_NE(after.at("revision"), before.at("revision"));
  auto cancelled =
      Json(Api("GET", "/order/events?type=BUYER_CANCELLED", token)).at("events").as_array();
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].at("order").at("checkoutForm").at("id").as_string(), id);
}

TEST_F(SandboxProcessTest, FulfillmentNeedsTheCurrentRevisionAndIsRecorded) {
  Start();
  const std::string token = Token();
  auto created = Admin("POST", "/__sandbox/orders", R"({"count":1})");
  const std::string id(created.at("checkoutFormIds").as_array()[0].as_string());
  const std::string revision(
      Json(Api("GET", "/order/checkout-forms/" + id, token)).at("revision").as_string());
  const std::string path = "/order/checkout-forms/" + id + "/fulfillment?checkoutForm.revision=";
  auto plain = client_.Request("PUT", base_ + path + revision,
                               {{"Accept", kVendor},
                                {"Authorization", "Bearer " + token},
                                {"Content-Type", "application/json"}},
                               R"({"status":"PROCESSING"})");
  EXPECT_EQ(plain.status, 415) << "plain application/json is refused";
  EXPECT_EQ(Api("PUT", path + revision, token, R"({"status":"PROCESSING"})").status, 204);
  auto stale = Api("PUT", path + revision, token, R"({"status":"SENT"})");
  EXPECT_EQ(stale.status, 409) << "the revision changed with the first update";
  EXPECT_NE(stale.body.find("Provided revision is outdated"), std::string::npos);
  auto form = Json(Api("GET", "/order/checkout-forms/" + id, token));
  const std::string current(form.at("revision").as_string());
  EXPECT_EQ(Api("PUT", path + current, token, R"({"status":"RETURNED"})").status, 422)
      << "RETURNED is Allegro's to set, not the seller's";
  EXPECT_EQ(form.at("fulfillment").at("status"), "PROCESSING");
  auto received = Admin("GET", "/__sandbox/received?kind=fulfillment").at("received").as_array();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].at("checkoutFormId").as_string(), id);
}

TEST_F(SandboxProcessTest, AHiddenFormAnswers404UntilItsTimeHasPassed) {
  Start();
  const std::string token = Token();
  auto created = Admin("POST", "/__sandbox/orders", R"({"count":1})");
  const std::string id(created.at("checkoutFormIds").as_array()[0].as_string());
  Admin("POST", "/__sandbox/orders/" + id + "/hide", R"({"seconds":120})");
  auto hidden = Api("GET", "/order/checkout-forms/" + id, token);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_NE(hidden.body.find("CheckoutFormNotFoundException"), std::string::npos);
  Admin("POST", "/__sandbox/time", R"({"advanceSeconds":121})");
  EXPECT_EQ(Api("GET", "/order/checkout-forms/" + id, Token()).status, 200);
}

TEST_F(SandboxProcessTest, TokensExpireAndARevokedSellerMustAuthorizeAgain) {
  Start({"--token-ttl", "60"});
  std::string token = Token();
  EXPECT_EQ(Api("GET", "/order/events", token).status, 200);
  Admin("POST", "/__sandbox/time", R"({"advanceSeconds":61})");
  auto expired = Api("GET", "/order/events", token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("invalid_token"), std::string::npos);
  token = Token();
  Admin("POST", "/__sandbox/revoke", R"({"login":"sprzedawca-pl"})");
  EXPECT_EQ(Api("GET", "/order/events", token).status, 401);
}

TEST_F(SandboxProcessTest, AClientOverItsBudgetIsBlockedWith429) {
  Start({"--requests-per-minute", "5"});
  const std::string token = Token();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Api("GET", "/order/events", token).status, 200) << i;
  auto blocked = Api("GET", "/order/events", token);
  EXPECT_EQ(blocked.status, 429);
  Admin("POST", "/__sandbox/time", R"({"advanceSeconds":30})");
  EXPECT_EQ(Api("GET", "/order/events", token).status, 429) << "the block lasts about a minute";
  Admin("POST", "/__sandbox/time", R"({"advanceSeconds":120})");
  EXPECT_EQ(Api("GET", "/order/events", token).status, 200);
}

TEST_F(SandboxProcessTest, ListingRefusesOffsetPlusLimitOverTenThousand) {
  Start({"--orders", "10"});
  const std::string token = Token();
  auto r = Api("GET", "/order/checkout-forms?offset=9950&limit=100", token);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("Offset and limit parameters exceed maximal result size of 10000 items"),
            std::string::npos);
  auto ok = Json(Api("GET", "/order/checkout-forms?offset=0&limit=100", token));
  EXPECT_EQ(ok.at("totalCount").as_int64(), 7) << "two thirds of 10 orders belong to the PL seller";
}

std::vector<std::string> EventTypes(const json::value& events) {
  std::vector<std::string> out;
  for (const auto& e : events.at("events").as_array()) out.emplace_back(e.at("type").as_string());
  return out;
}

TEST_F(SandboxProcessTest, AnUnpaidOrderBecomesReadyForProcessingWhenPaid) {
  Start();
  const std::string token = Token();
  auto created = Admin("POST", "/__sandbox/orders", R"({"count":1,"paid":false})");
  const std::string id(created.at("checkoutFormIds").as_array()[0].as_string());
  auto unpaid = Json(Api("GET", "/order/checkout-forms/" + id, token));
  EXPECT_EQ(unpaid.at("status"), "BOUGHT");
  EXPECT_EQ(EventTypes(Json(Api("GET", "/order/events", token))),
            std::vector<std::string>{"BOUGHT"});
  Admin("POST", "/__sandbox/orders/" + id + "/pay");
  auto paid = Json(Api("GET", "/order/checkout-forms/" + id, token));
  EXPECT_EQ(paid.at("status"), "READY_FOR_PROCESSING");
  EXPECT_NE(paid.at("revision"), unpaid.at("revision"));
  EXPECT_EQ(EventTypes(Json(Api("GET", "/order/events", token))),
            (std::vector<std::string>{"BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING"}));
}

TEST_F(SandboxProcessTest, AJointPaymentReplacesTheFormsButKeepsTheirLineItemIds) {
  Start();
  const std::string token = Token();
  auto created = Admin("POST", "/__sandbox/orders", R"({"count":2,"paid":false})");
  const auto& ids = created.at("checkoutFormIds").as_array();
  std::vector<std::string> line_items;
  for (const auto& id : ids) {
    auto form = Json(Api("GET", "/order/checkout-forms/" + std::string(id.as_string()), token));
    for (const auto& li : form.at("lineItems").as_array())
      line_items.emplace_back(li.at("id").as_string());
  }
  auto merged = Admin("POST", "/__sandbox/orders/merge",
                      json::serialize(json::object{{"checkoutFormIds", ids}}));
  const std::string merged_id(merged.at("id").as_string());
  for (const auto& id : ids) {
    auto gone = Api("GET", "/order/checkout-forms/" + std::string(id.as_string()), token);
    EXPECT_EQ(gone.status, 404) << "a merged form answers 404";
    EXPECT_NE(gone.body.find("CheckoutFormNotFoundException"), std::string::npos);
  }
  auto form = Json(Api("GET", "/order/checkout-forms/" + merged_id, token));
  EXPECT_EQ(form.at("status"), "READY_FOR_PROCESSING");
  std::vector<std::string> merged_items;
  for (const auto& li : form.at("lineItems").as_array())
    merged_items.emplace_back(li.at("id").as_string());
  EXPECT_EQ(merged_items, line_items) << "line items keep their ids in the new form";
  auto ready =
      Json(Api("GET", "/order/events?type=READY_FOR_PROCESSING", token)).at("events").as_array();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].at("order").at("checkoutForm").at("id").as_string(), merged_id);
}

TEST_F(SandboxProcessTest, DuplicateEventsRepeatTheSameDataUnderNewIds) {
  Start({"--scenario", "duplicate-events"});
  const std::string token = Token();
  Admin("POST", "/__sandbox/orders", R"({"count":1})");
  auto events = Json(Api("GET", "/order/events", token)).at("events").as_array();
  ASSERT_EQ(events.size(), 6u);
  for (std::size_t i = 0; i < events.size(); i += 2) {
    EXPECT_NE(events[i].at("id"), events[i + 1].at("id"));
    EXPECT_EQ(events[i].at("type"), events[i + 1].at("type"));
    EXPECT_EQ(events[i].at("occurredAt"), events[i + 1].at("occurredAt"));
    EXPECT_EQ(events[i].at("order"), events[i + 1].at("order"));
  }
}

TEST_F(SandboxProcessTest, AMissingReadyEventLeavesAPaidOrderOutOfTheJournal) {
  Start({"--scenario", "missing-ready-event"});
  const std::string token = Token();
  auto created = Admin("POST", "/__sandbox/orders", R"({"count":1})");
  const std::string id(created.at("checkoutFormIds").as_array()[0].as_string());
  EXPECT_EQ(EventTypes(Json(Api("GET", "/order/events", token))),
            (std::vector<std::string>{"BOUGHT", "FILLED_IN"}));
  auto listed = Json(Api("GET", "/order/checkout-forms?status=READY_FOR_PROCESSING", token));
  ASSERT_EQ(listed.at("totalCount").as_int64(), 1) << "the sweep over checkout forms finds it";
  EXPECT_EQ(listed.at("checkoutForms").as_array()[0].at("id").as_string(), id);
}

TEST_F(SandboxProcessTest, ABuyerCancelsAfterPaymentWhenTheScenarioSaysSo) {
  Start();
  Admin("POST", "/__sandbox/scenarios",
        R"({"name":"cancel-after-payment","share":1,"seconds":10})");
  const std::string token = Token();
  Admin("POST", "/__sandbox/orders", R"({"count":1})");
  EXPECT_TRUE(Json(Api("GET", "/order/events?type=BUYER_CANCELLED", token))
                  .at("events")
                  .as_array()
                  .empty());
  Admin("POST", "/__sandbox/time", R"({"advanceSeconds":11})");
  auto cancelled =
      Json(Api("GET", "/order/events?type=BUYER_CANCELLED", Token())).at("events").as_array();
  EXPECT_EQ(cancelled.size(), 1u);
}

TEST_F(SandboxProcessTest, ServerErrorsComeInBurstsWithTheErrorsHolderBody) {
  Start();
  Admin("POST", "/__sandbox/scenarios", R"({"name":"server-errors","every":3,"burst":1})");
  const std::string token = Token();
  std::vector<long> statuses;
  for (int i = 0; i < 6; ++i) statuses.push_back(Api("GET", "/order/events", token).status);
  EXPECT_EQ(statuses, (std::vector<long>{200, 200, 503, 200, 200, 503}));
  auto failed = Api("GET", "/order/events", token);  // the 7th call succeeds again
  EXPECT_EQ(failed.status, 200);
  Admin("POST", "/__sandbox/scenarios", R"({"name":"server-errors","on":false})");
  auto scenarios = Admin("GET", "/__sandbox/scenarios");
  EXPECT_TRUE(scenarios.at("active").as_array().empty());
}

TEST_F(SandboxProcessTest, SlowAnswersTakeTheirTime) {
  Start();
  Admin("POST", "/__sandbox/scenarios", R"({"name":"slow","delayMs":400})");
  const std::string token = Token();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Api("GET", "/order/event-stats", token).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST_F(SandboxProcessTest, TokensAreRevokedMidRun) {
  Start();
  Admin("POST", "/__sandbox/scenarios", R"({"name":"revoke-mid-run","afterRequests":3})");
  const std::string token = Token();
  EXPECT_EQ(Api("GET", "/order/events", token).status, 200);
  EXPECT_EQ(Api("GET", "/order/events", token).status, 200);
  EXPECT_EQ(Api("GET", "/order/events", token).status, 401) << "revoked at the 3rd call";
}

TEST(SandboxCliTest, AnUnknownScenarioIsRefusedNamingTheKnownOnes) {
  TempDir dir;
  ProcessOptions options;
  options.argv = {NADAJNIK_SANDBOX_BINARY, "--scenario", "slw"};
  options.stdout_path = dir.path() / "out";
  options.stderr_path = dir.path() / "err";
  Process p(options);
  EXPECT_EQ(p.Wait(10s), 2);
  const std::string err = ReadFile(dir.path() / "err");
  EXPECT_NE(err.find("unknown scenario 'slw'"), std::string::npos) << err;
  EXPECT_NE(err.find("slow"), std::string::npos) << err;
}

}  // namespace
}  // namespace nadajnik::testing
