// Shipping end to end: the real nadajnik binary against nadajnik-sandbox (Allegro and the
// carriers' simulators) over loopback. Orders are imported from the sandbox, shipments created
// through the API and the CLI, labels downloaded and decoded, tracking pushed to Allegro and the
// ledger's promises checked: one shipment per order, a crash between the carrier's answer and our
// commit repeats nothing, a cancelled order gets no label.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "support/api_session.hpp"
#include "support/barcodes.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/process.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ShippingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.Start();
    AddSandboxAccount(nadajnik_, sandbox_, "PL");
    AddInPost();
    // Paid orders from the last days: the new account's backfill imports them.
    sandbox_.Admin("POST", "/__sandbox/orders", R"({"count":60,"spreadMinutes":600})");
  }

  void AddInPost(const std::string& extra_key = "", const std::string& extra_value = "") {
    std::vector<std::string> args = {"carriers",
                                     "add",
                                     "--account",
                                     "PL",
                                     "--carrier",
                                     "inpost",
                                     "--set",
                                     "base_url=" + sandbox_.base() + "/inpost",
                                     "--set",
                                     "organization_id=9001",
                                     "--set",
                                     "default_service=inpost_locker_standard",
                                     "--set",
                                     "default_template=small",
                                     "--secret",
                                     "token=-",
                                     "--sender-name",
                                     "Jan Nadawca",
                                     "--sender-company",
                                     "Sklep Testowy",
                                     "--sender-street",
                                     "Półwiejska 2",
                                     "--sender-postal-code",
                                     "61-888",
                                     "--sender-city",
                                     "Poznań",
                                     "--sender-phone",
                                     "600700800",
                                     "--sender-email",
                                     "sklep@example.pl"};
    if (!extra_key.empty()) {
      args.push_back("--set");
      args.push_back(extra_key + "=" + extra_value);
    }
    auto r = nadajnik_.Cli(args, std::string("inpost-sandbox-token\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  // Paid orders of sprzedawca-pl with a parcel-locker delivery, imported: our order ids.
  std::vector<std::int64_t> LockerOrders(std::size_t count) {
    std::vector<std::int64_t> out;
    EXPECT_TRUE(Eventually(
        [&] {
          out.clear();
          auto body = api_.Api("GET", "/api/v1/orders?limit=500");
          if (!body.is_object()) return false;
          for (const auto& o : body.at("orders").as_array()) {
            const auto& d = o.at("delivery").as_object();
            const auto* point = d.if_contains("pickupPoint");
            if (!point || point->is_null()) continue;
            const std::string method(d.at("methodName").as_string());
            if (method.find("InPost") == std::string::npos &&
                method.find("Paczkomat") == std::string::npos)
              continue;
            out.push_back(o.at("id").as_int64());
            if (out.size() == count) return true;
          }
          return false;
        },
        60s))
        << "not enough imported parcel-locker orders";
    return out;
  }

  json::object AwaitShipment(std::int64_t id, std::chrono::seconds timeout = 60s) {
    json::object s;
    EXPECT_TRUE(Eventually(
        [&] {
          auto v = api_.Api("GET", "/api/v1/shipments/" + std::to_string(id));
          if (!v.is_object()) return false;
          s = v.as_object();
          const std::string state(s.at("state").as_string());
          return state == "label_ready" || state == "failed" || state == "cancelled";
        },
        timeout))
        << json::serialize(s);
    return s;
  }

  std::string CheckoutFormOf(std::int64_t order) {
    auto o = api_.Api("GET", "/api/v1/orders/" + std::to_string(order));
    return std::string(o.at("checkoutFormId").as_string());
  }

  // InPost shipments the simulator holds whose reference starts with `prefix`.
  std::vector<json::object> InPostShipments(const std::string& prefix) {
    auto all = sandbox_.Admin("GET", "/__sandbox/inpost/shipments");
    std::vector<json::object> out;
    const json::array& list = all.at("items").as_array();
    for (const auto& s : list) {
      const auto* ref = s.as_object().if_contains("reference");
      if (ref && ref->is_string() && std::string(ref->as_string()).starts_with(prefix)) {
        out.push_back(s.as_object());
      }
    }
    return out;
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
  ApiSession api_{nadajnik_};
};

TEST_F(ShippingTest, CreatesALockerShipmentPushesTrackingAndServesScannableLabels) {
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = LockerOrders(1);
  ASSERT_EQ(orders.size(), 1u);
  const std::string path = "/api/v1/orders/" + std::to_string(orders[0]) + "/shipments";
  auto created = api_.Api("POST", path, R"({"carrier":"inpost","wait":30})", 201);
  ASSERT_TRUE(created.is_object());
  const auto s = AwaitShipment(created.at("id").as_int64());
  ASSERT_EQ(s.at("state").as_string(), "label_ready") << json::serialize(s);
  const std::string tracking(s.at("trackingNumber").as_string());
  ASSERT_FALSE(tracking.empty());
  EXPECT_EQ(s.at("carrier").as_string(), "inpost");
  EXPECT_EQ(s.at("service").as_string(), "inpost_locker_standard");

  // The label: a real PDF whose barcode is the tracking number.
  auto label = api_.Call(
      "GET", "/api/v1/shipments/" + std::to_string(s.at("id").as_int64()) + "/label?format=pdf-a6");
  ASSERT_EQ(label.status, 200) << label.body;
  ASSERT_TRUE(label.body.starts_with("%PDF-")) << label.body.substr(0, 40);
  TempDir work;
  const auto codes = DecodeCode128(label.body, work.path());
  EXPECT_NE(std::find(codes.begin(), codes.end(), tracking), codes.end())
      << "decoded: " << (codes.empty() ? "nothing" : codes.front());

  // The tracking number reaches Allegro once, with InPost as the carrier.
  const std::string form = CheckoutFormOf(orders[0]);
  EXPECT_TRUE(Eventually([&] { return AllegroWaybills(sandbox_, form).size() == 1; }, 30s));
  EXPECT_EQ(AllegroWaybills(sandbox_, form), std::vector<std::string>{tracking});

  // A second shipment for the order is refused without confirmation, naming the first.
  auto again = api_.Call("POST", path, R"({"carrier":"inpost"})");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.body.find("existingShipmentId"), std::string::npos) << again.body;
  EXPECT_NE(again.body.find("potwierdź"), std::string::npos) << again.body;

  // Tracking: the parcel moves in InPost's simulator and the timeline says so.
  sandbox_.Admin(
      "POST",
      "/__sandbox/inpost/shipments/" + std::string(s.at("remoteId").as_string()) + "/advance",
      R"({"status":"delivered"})");
  EXPECT_TRUE(Eventually(
      [&] {
        auto v = api_.Api("GET", "/api/v1/shipments/" + std::to_string(s.at("id").as_int64()));
        return v.is_object() && v.at("trackingState").as_string() == "delivered";
      },
      90s));
  auto order = api_.Api("GET", "/api/v1/orders/" + std::to_string(orders[0]));
  std::set<std::string> kinds;
  for (const auto& e : order.at("timeline").as_array()) kinds.emplace(e.at("kind").as_string());
  for (const char* k : {"shipment_requested", "shipment_created", "tracking_pushed", "tracking"}) {
    EXPECT_TRUE(kinds.contains(k)) << k << " missing from the timeline";
  }
  EXPECT_EQ(order.at("shipments").as_array().size(), 1u);
}

TEST_F(ShippingTest, TheSameIdempotencyKeyReturnsTheSameShipment) {
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = LockerOrders(1);
  ASSERT_EQ(orders.size(), 1u);
  const std::string path = "/api/v1/orders/" + std::to_string(orders[0]) + "/shipments";
  auto first = api_.Call("POST", path, R"({"carrier":"inpost"})", {{"Idempotency-Key", "klik-1"}});
  auto second = api_.Call("POST", path, R"({"carrier":"inpost"})", {{"Idempotency-Key", "klik-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(second.status, 200) << second.body;
  auto a = json::parse(first.body), b = json::parse(second.body);
  EXPECT_EQ(a.at("id"), b.at("id"));
  EXPECT_EQ(b.at("replayed"), json::value(true));
  const auto s = AwaitShipment(a.at("id").as_int64());
  EXPECT_EQ(s.at("state").as_string(), "label_ready") << json::serialize(s);
  EXPECT_EQ(InPostShipments("NDJ-" + std::to_string(orders[0]) + "-").size(), 1u);
}

TEST_F(ShippingTest, BulkDoubleSubmitCreatesNothingTwiceAndMergesLabelsInOrder) {
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = LockerOrders(6);
  ASSERT_EQ(orders.size(), 6u);
  std::string ids;
  for (auto id : orders) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  const std::string body = R"({"orderIds":[)" + ids + R"(],"carrier":"inpost","wait":40})";
  auto first = api_.Call("POST", "/api/v1/shipments/bulk", body, {{"Idempotency-Key", "bulk-7"}});
  ASSERT_EQ(first.status, 200) << first.body;
  auto a = json::parse(first.body);
  EXPECT_EQ(a.at("created").as_int64(), 6) << first.body;
  // The same action again (a double click, a retried request): the same shipments.
  auto second = api_.Call("POST", "/api/v1/shipments/bulk", body, {{"Idempotency-Key", "bulk-7"}});
  auto b = json::parse(second.body);
  EXPECT_EQ(b.at("created").as_int64(), 0) << second.body;
  EXPECT_EQ(b.at("existing").as_int64(), 6) << second.body;
  // Without the key, the one-shipment-per-order rule refuses each order with its reason.
  auto third = json::parse(api_.Call("POST", "/api/v1/shipments/bulk", body).body);
  EXPECT_EQ(third.at("refused").as_int64(), 6);
  EXPECT_EQ(third.at("results").as_array()[0].at("error").at("existingShipmentId"),
            a.at("results").as_array()[0].at("shipment").at("id"));

  std::vector<std::string> tracking;
  for (const auto& r : a.at("results").as_array()) {
    const auto s = AwaitShipment(r.at("shipment").at("id").as_int64());
    ASSERT_EQ(s.at("state").as_string(), "label_ready") << json::serialize(s);
    tracking.emplace_back(s.at("trackingNumber").as_string());
  }
  for (auto id : orders) {
    EXPECT_EQ(InPostShipments("NDJ-" + std::to_string(id) + "-").size(), 1u) << id;
  }

  // Merged labels in the selection's order: one A6 page per label, barcodes in order.
  auto merged =
      api_.Call("POST", "/api/v1/labels", R"({"orderIds":[)" + ids + R"(],"format":"pdf-a6"})");
  ASSERT_EQ(merged.status, 200) << merged.body.substr(0, 300);
  EXPECT_EQ(merged.Header("Content-Type"), "application/pdf");
  TempDir work;
  const auto pages = DecodeCode128Pages(merged.body, work.path());
  ASSERT_EQ(pages.size(), tracking.size());
  for (std::size_t i = 0; i < pages.size(); ++i) {
    EXPECT_NE(std::find(pages[i].begin(), pages[i].end(), tracking[i]), pages[i].end())
        << "page " << i + 1 << " should carry " << tracking[i];
  }
  auto a4 =
      api_.Call("POST", "/api/v1/labels", R"({"orderIds":[)" + ids + R"(],"format":"pdf-a4"})");
  ASSERT_EQ(a4.status, 200);
  EXPECT_EQ(PdfPageCount(a4.body, work.path()), 2);  // six labels, four per A4 page
  auto zpl = api_.Call("POST", "/api/v1/labels", R"({"orderIds":[)" + ids + R"(],"format":"zpl"})");
  ASSERT_EQ(zpl.status, 200) << zpl.body.substr(0, 300);
  std::size_t jobs = 0;
  for (auto p = zpl.body.find("^XA"); p != std::string::npos; p = zpl.body.find("^XA", p + 1)) {
    ++jobs;
  }
  EXPECT_EQ(jobs, 6u);
  for (const auto& t : tracking) EXPECT_NE(zpl.body.find(t), std::string::npos) << t;
}

TEST_F(ShippingTest, KilledBetweenTheCarriersAnswerAndOurCommitShipsOnceAndPushesOnce) {
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = LockerOrders(1);
  ASSERT_EQ(orders.size(), 1u);
  // InPost answers slowly: we are killed while the carrier is creating the parcel.
  sandbox_.Admin("POST", "/__sandbox/inpost/scenarios",
                 R"({"name":"slow","on":true,"delayMs":2500})");
  auto created = api_.Api("POST", "/api/v1/orders/" + std::to_string(orders[0]) + "/shipments",
                          R"({"carrier":"inpost"})", 201);
  const std::int64_t id = created.at("id").as_int64();
  ASSERT_TRUE(Eventually(
      [&] {
        auto v = api_.Api("GET", "/api/v1/shipments/" + std::to_string(id));
        return v.is_object() && !v.at("carrierCalledAt").is_null();
      },
      20s));
  nadajnik_.Kill(SIGKILL);
  nadajnik_.Wait(10s);
  // The carrier finishes the request nobody waits for any more.
  const std::string prefix = "NDJ-" + std::to_string(orders[0]) + "-";
  ASSERT_TRUE(Eventually([&] { return InPostShipments(prefix).size() == 1; }, 20s));
  sandbox_.Admin("POST", "/__sandbox/inpost/scenarios", R"({"name":"slow","on":false})");

  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto s = AwaitShipment(id, 90s);
  ASSERT_EQ(s.at("state").as_string(), "label_ready") << json::serialize(s);
  EXPECT_EQ(InPostShipments(prefix).size(), 1u);
  EXPECT_EQ(s.at("remoteId").as_string(),
            InPostShipments(prefix)[0].at("id").is_string()
                ? InPostShipments(prefix)[0].at("id").as_string()
                : json::string(std::to_string(InPostShipments(prefix)[0].at("id").as_int64())));
  const std::string form = CheckoutFormOf(orders[0]);
  EXPECT_TRUE(Eventually([&] { return AllegroWaybills(sandbox_, form).size() == 1; }, 30s));
  std::this_thread::sleep_for(2s);  // a second push would have arrived by now
  EXPECT_EQ(AllegroWaybills(sandbox_, form),
            std::vector<std::string>{std::string(s.at("trackingNumber").as_string())});
}

TEST_F(ShippingTest, ACancelledOrderGetsNoLabelAndBadDataIsNamed) {
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = LockerOrders(2);
  ASSERT_EQ(orders.size(), 2u);
  // The buyer cancels on Allegro after the import; the job re-reads the order first.
  sandbox_.Admin("POST", "/__sandbox/orders/" + CheckoutFormOf(orders[0]) + "/cancel");
  auto answer = api_.Call("POST", "/api/v1/orders/" + std::to_string(orders[0]) + "/shipments",
                          R"({"carrier":"inpost"})");
  boost::system::error_code ec;
  auto created = json::parse(answer.body, ec);
  if (answer.status == 201) {
    const auto s = AwaitShipment(created.at("id").as_int64());
    EXPECT_EQ(s.at("state").as_string(), "failed");
    EXPECT_NE(std::string(s.at("error").as_string()).find("anulował"), std::string::npos)
        << json::serialize(s);
  } else {  // refused at once when the journal already brought the cancellation: also right
    EXPECT_EQ(answer.status, 409) << answer.body;
    EXPECT_NE(answer.body.find("anulował"), std::string::npos) << answer.body;
  }
  EXPECT_TRUE(InPostShipments("NDJ-" + std::to_string(orders[0]) + "-").empty());

  // An unknown parcel locker: the carrier's refusal, naming the field, on the shipment.
  auto bad = api_.Api("POST", "/api/v1/orders/" + std::to_string(orders[1]) + "/shipments",
                      R"({"carrier":"inpost","targetPoint":"XXX99Z"})", 201);
  ASSERT_TRUE(bad.is_object() && bad.as_object().contains("id"));
  const auto s = AwaitShipment(bad.at("id").as_int64());
  EXPECT_EQ(s.at("state").as_string(), "failed");
  EXPECT_NE(std::string(s.at("error").as_string()).find("target point"), std::string::npos)
      << json::serialize(s);
  EXPECT_TRUE(InPostShipments("NDJ-" + std::to_string(orders[1]) + "-").empty());
  // Unknown carrier and a carrier without a contract: clear refusals.
  auto r = api_.Call("POST", "/api/v1/orders/" + std::to_string(orders[1]) + "/shipments",
                     R"({"carrier":"pigeon","confirm":true})");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("pigeon"), std::string::npos) << r.body;
  r = api_.Call("POST", "/api/v1/orders/" + std::to_string(orders[1]) + "/shipments",
                R"({"carrier":"dpd","confirm":true})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("carriers add"), std::string::npos) << r.body;
}

TEST_F(ShippingTest, TheCliShipsAnOrderAndSavesItsLabels) {
  // No server: the CLI imports through `import`, then runs the shipment job itself.
  auto imported = nadajnik_.Cli({"import", "--account", "PL", "--days", "30"});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = LockerOrders(2);
  nadajnik_.Kill(SIGTERM);
  nadajnik_.Wait(10s);
  ASSERT_EQ(orders.size(), 2u);
  for (auto id : orders) {
    auto r = nadajnik_.Cli({"ship", std::to_string(id), "--carrier", "inpost", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("\"state\":\"label_ready\""), std::string::npos) << r.out;
  }
  auto twice = nadajnik_.Cli({"ship", std::to_string(orders[0]), "--carrier", "inpost"});
  EXPECT_EQ(twice.exit_code, 3) << twice.out << twice.err;
  EXPECT_NE(twice.err.find("--confirm"), std::string::npos) << twice.err;

  TempDir out;
  const auto file = out.path() / "etykiety.pdf";
  auto labels = nadajnik_.Cli({"labels", std::to_string(orders[0]), std::to_string(orders[1]),
                               "--format", "pdf-a4", "--output", file.string()});
  ASSERT_EQ(labels.exit_code, 0) << labels.out << labels.err;
  std::ifstream in(file, std::ios::binary);
  std::string pdf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(pdf.starts_with("%PDF-"));
  EXPECT_EQ(PdfPageCount(pdf, out.path()), 1);
  auto bad = nadajnik_.Cli({"labels", "999999", "--format", "pdf-a6", "--output", file.string()});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace nadajnik::testing
