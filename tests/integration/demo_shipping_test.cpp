// `nadajnik demo` ships end to end: its account PL has contracts with every built-in carrier
// simulator, so a seller trying Nadajnik can create shipments and close the day at once. The
// closing of the day: DPD's handover protocol and Poczta Polska's envelope, each shipment
// handed over once.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "security/tokens.hpp"
#include "support/api_session.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class DemoShippingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nadajnik_.Start(
        {{"NADAJNIK_JOBS_POLL_INTERVAL_MS", "50"}, {"NADAJNIK_ALLEGRO_JOURNAL_INTERVAL_MS", "200"}},
        "demo"))
        << nadajnik_.Log();
  }

  static json::value Json(const HttpResult& r) {
    boost::system::error_code ec;
    return json::parse(r.body, ec);
  }

  // Imported PLN orders of account PL delivered by courier to an address: our ids.
  std::vector<std::int64_t> CourierOrders(std::size_t count) {
    std::vector<std::int64_t> out;
    EXPECT_TRUE(Eventually(
        [&] {
          out.clear();
          auto body = Json(api_.Call("GET", "/api/v1/orders?account=PL&limit=500"));
          if (!body.is_object()) return false;
          for (const auto& o : body.at("orders").as_array()) {
            const auto& d = o.at("delivery").as_object();
            const auto* point = d.if_contains("pickupPoint");
            const auto* address = d.if_contains("address");
            if ((point && !point->is_null()) || !address || address->is_null()) continue;
            if (o.at("total").at("currency").as_string() != "PLN") continue;
            out.push_back(o.at("id").as_int64());
            if (out.size() == count) return true;
          }
          return false;
        },
        60s));
    return out;
  }

  std::string Ids(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
    return out;
  }

  NadajnikInstance nadajnik_;
  ApiSession api_{nadajnik_};
};

TEST_F(DemoShippingTest, DpdAndPocztaPolskaShipAndCloseTheDay) {
  const auto orders = CourierOrders(3);
  ASSERT_EQ(orders.size(), 3u);
  auto bulk = Json(api_.Call(
      "POST", "/api/v1/shipments/bulk",
      R"({"orderIds":[)" + Ids({orders[0], orders[1]}) + R"(],"carrier":"dpd","wait":40})"));
  ASSERT_TRUE(bulk.is_object());
  ASSERT_EQ(bulk.at("created").as_int64(), 2) << json::serialize(bulk);
  for (const auto& r : bulk.at("results").as_array()) {
    EXPECT_EQ(r.at("shipment").at("state").as_string(), "label_ready") << json::serialize(r);
  }

  auto closed = api_.Call("POST", "/api/v1/accounts/PL/carriers/dpd/close-day");
  ASSERT_EQ(closed.status, 200) << closed.body;
  auto c = Json(closed);
  EXPECT_EQ(c.at("shipmentIds").as_array().size(), 2u);
  ASSERT_TRUE(c.at("document").is_string());
  const std::string pdf = security::Base64Decode(c.at("document").as_string());
  EXPECT_TRUE(pdf.starts_with("%PDF-")) << pdf.substr(0, 20);
  // Handed over once: a second closing has nothing left.
  auto again = api_.Call("POST", "/api/v1/accounts/PL/carriers/dpd/close-day");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.body.find("nie ma przesyłek"), std::string::npos) << again.body;
  auto order = Json(api_.Call("GET", "/api/v1/orders/" + std::to_string(orders[0])));
  bool handed_over = false;
  for (const auto& e : order.at("timeline").as_array()) {
    handed_over |= e.at("kind").as_string() == "handed_over";
  }
  EXPECT_TRUE(handed_over);

  auto pp = Json(api_.Call("POST", "/api/v1/orders/" + std::to_string(orders[2]) + "/shipments",
                           R"({"carrier":"poczta_polska","wait":40})"));
  ASSERT_TRUE(pp.is_object());
  ASSERT_EQ(pp.at("state").as_string(), "label_ready") << json::serialize(pp);
  auto envelope = api_.Call("POST", "/api/v1/accounts/PL/carriers/poczta_polska/close-day");
  ASSERT_EQ(envelope.status, 200) << envelope.body;
  EXPECT_NE(envelope.body.find("kopert"), std::string::npos) << envelope.body;

  // Carriers without a closing say so.
  auto inpost = api_.Call("POST", "/api/v1/accounts/PL/carriers/inpost/close-day");
  EXPECT_EQ(inpost.status, 409) << inpost.body;
}

}  // namespace
}  // namespace nadajnik::testing
