// The shipment ledger end to end with every carrier besides InPost (shipping_test.cpp covers
// InPost): the real nadajnik binary against nadajnik-sandbox over loopback, one test per carrier.
// Each adds the carrier contract through the CLI (the simulator's own credentials, as the demo's
// ConnectDemoCarriers), picks imported orders whose delivery suits the carrier, and checks: a
// single shipment reaches label_ready with a tracking number and a label that carries it; the
// tracking number reaches Allegro once under the carrier's id (Wysyłam z Allegro attaches its own);
// a bulk of three creates three shipments and a repeated bulk none; cancel where the carrier
// allows it, a clear 409 where it does not; the carrier's tracking moves on and the ledger sees
// it; and the carrier's refusals (bad credentials, a postal code it does not serve, an unknown
// pickup point, cash on delivery over its limit) end the shipment as failed with a message that
// names what to fix.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "carriers/poczta_polska/mapping.hpp"
#include "net/http_client.hpp"
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

// Which imported orders a carrier can ship.
enum class Fits {
  kCourier,     // delivery to the buyer's address in Poland
  kOrlenPoint,  // "Allegro Odbiór w Punkcie ORLEN Paczka"
  kAllegro,     // any Allegro delivery method of allegro.pl (Wysyłam z Allegro ships them all)
  kAllegroCod,  // the same, paid on delivery
};

// A refusal the carrier makes and the words its message must hold (any of them).
struct Refusal {
  std::string name;
  Fits fits;
  std::string draft;  // JSON members added to the request
  std::vector<std::string> says;
};

struct CarrierCase;
void PrintTo(const CarrierCase& c, std::ostream* os);

struct CarrierCase {
  std::string code;         // the API's carrier code
  std::string cli_carrier;  // `carriers add --carrier`
  std::function<std::vector<std::string>(const std::string& base)> settings;  // key=value
  std::vector<std::string> secrets;                                           // key=value
  std::string bad_secret;  // key=value: wrong credentials; empty: none apply
  std::vector<std::string> bad_secret_says;
  Fits fits;
  std::string draft;               // JSON members added to every create request
  std::string allegro_carrier_id;  // what the tracking push names; empty: Allegro attaches it
  bool cancels = true;
  bool refuses_cancel_after_handover = false;  // once the parcel is handed over / sent
  bool label_barcode = true;                   // else the label's text holds the tracking number
  std::string delivered_state;
  std::vector<Refusal> refusals;
};

void PrintTo(const CarrierCase& c, std::ostream* os) { *os << c.code; }

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool SaysAny(const std::string& text, const std::vector<std::string>& words) {
  const std::string t = Lower(text);
  for (const auto& w : words) {
    if (t.find(Lower(w)) != std::string::npos) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " | ") + s;
  return out;
}

// pdftotext's reading of a PDF (poppler-utils), or "" when it can't read it.
std::string PdfText(const std::string& pdf, const std::filesystem::path& dir) {
  const auto in = dir / "label.pdf";
  const auto out = dir / "label.txt";
  {
    std::ofstream f(in, std::ios::binary);
    f << pdf;
  }
  const std::string cmd =
      "pdftotext -layout '" + in.string() + "' '" + out.string() + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return {};
  std::ifstream f(out, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

const std::string kCourierReceiver =
    R"("receiver":{"name":"Ewa Odbiorczyni","street":"Długa 5","postalCode":"99-999",)"
    R"("city":"Poznań","phone":"600100200","email":"ewa@example.pl"})";

std::vector<CarrierCase> Cases() {
  std::vector<CarrierCase> out;
  {
    CarrierCase c;
    c.code = "dpd";
    c.cli_carrier = "dpd";
    c.settings = [](const std::string& base) {
      return std::vector<std::string>{"package_base_url=" + base + "/dpd",
                                      "info_base_url=" + base + "/dpd", "login=149510101",
                                      "master_fid=1495101", "default_service=dpd_classic"};
    };
    c.secrets = {"password=dpd-sandbox-haslo"};
    c.bad_secret = "password=zle-haslo";
    c.bad_secret_says = {"password", "hasło"};
    c.fits = Fits::kCourier;
    c.allegro_carrier_id = "DPD";
    c.cancels = false;
    c.delivered_state = "delivered";
    c.refusals = {
        {"postal code DPD does not serve",
         Fits::kCourier,
         kCourierReceiver,
         {"postal code", "kod pocztowy", "postalCode"}},
        {"cash on delivery over DPD's limit",
         Fits::kCourier,
         R"("cashOnDelivery":{"amount":"12000.00","currency":"PLN"})",
         {"cash on delivery", "pobrani", "COD"}},
    };
    out.push_back(c);
  }
  {
    CarrierCase c;
    c.code = "poczta_polska";
    c.refuses_cancel_after_handover = true;
    c.cli_carrier = "poczta_polska";
    c.settings = [](const std::string& base) {
      return std::vector<std::string>{"base_url=" + base + "/poczta-polska",
                                      "login=nadajnik-en",
                                      "urzad_nadania=260001",
                                      "default_service=pocztex_kurier",
                                      "default_template=M",
                                      "bank_account=61109010140000071219812874"};
    };
    c.secrets = {"password=haslo-en-sandbox"};
    c.bad_secret = "password=zle-haslo";
    c.bad_secret_says = {"password", "hasło"};
    c.fits = Fits::kCourier;
    c.allegro_carrier_id = "POCZTA_POLSKA";
    c.delivered_state = "delivered";
    c.refusals = {
        {"cash on delivery over Poczta Polska's limit",
         Fits::kCourier,
         R"("cashOnDelivery":{"amount":"6000.00","currency":"PLN"})",
         {"cash on delivery", "pobrani", "COD", "kwotaPobrania"}},
    };
    out.push_back(c);
  }
  {
    CarrierCase c;
    c.code = "orlen_paczka";
    c.refuses_cancel_after_handover = true;
    c.cli_carrier = "orlen";
    c.settings = [](const std::string& base) {
      return std::vector<std::string>{
          "endpoint=" + base + "/orlen/WebServicePwR/WebServicePwR.asmx", "partner_id=1001",
          "default_service=orlen_paczka", "default_template=S"};
    };
    c.secrets = {"partner_key=orlen-sandbox-key"};
    c.bad_secret = "partner_key=zly-klucz";
    c.bad_secret_says = {"PartnerKey", "partner_key"};
    c.fits = Fits::kOrlenPoint;
    // No targetPoint: the ledger takes the order's own pickup point, which Allegro names by its
    // bare 6-digit PSD; the connector sends it for ORLEN to complete (checked below).
    c.allegro_carrier_id = "ORLEN";
    c.delivered_state = "delivered";
    c.refusals = {
        {"unknown ORLEN Paczka point",
         Fits::kOrlenPoint,
         R"("targetPoint":"WA-999999-K1-02")",
         {"DestinationCode", "punkt", "point"}},
    };
    out.push_back(c);
  }
  {
    CarrierCase c;
    c.code = "allegro_shipping";
    c.cli_carrier = "allegro_shipping";
    // As the demo's contract: no service (the order's delivery method decides) and the parcel
    // size from the contract's defaults (Allegro checks the box by its dimensions).
    c.settings = [](const std::string&) {
      return std::vector<std::string>{"default_length_mm=300", "default_width_mm=200",
                                      "default_height_mm=100"};
    };
    c.fits = Fits::kAllegro;
    c.label_barcode = false;  // the sandbox's hand-written PDF has the waybill as text only
    c.delivered_state = "in_transit";
    c.refusals = {
        {"cash on delivery over the service's limit",
         Fits::kAllegroCod,
         R"("cashOnDelivery":{"amount":"6000.00","currency":"PLN"})",
         {"cashOnDelivery", "cash on delivery", "pobrani"}},
    };
    out.push_back(c);
  }
  return out;
}

class ShippingCarriersTest : public ::testing::TestWithParam<CarrierCase> {
 protected:
  void SetUp() override {
    sandbox_.Start();
    AddSandboxAccount(nadajnik_, sandbox_, "PL");
    sandbox_.Admin("POST", "/__sandbox/orders", R"({"count":60,"spreadMinutes":600})");
  }

  void AddContract(const std::vector<std::string>& secrets) {
    const CarrierCase& c = GetParam();
    std::vector<std::string> args = {"carriers",
                                     "add",
                                     "--account",
                                     "PL",
                                     "--carrier",
                                     c.cli_carrier,
                                     "--sender-name",
                                     "Anna Nowak",
                                     "--sender-company",
                                     "Sklep demo Sp. z o.o.",
                                     "--sender-street",
                                     "Grunwaldzka 182",
                                     "--sender-postal-code",
                                     "60-166",
                                     "--sender-city",
                                     "Poznań",
                                     "--sender-province",
                                     "wielkopolskie",
                                     "--sender-phone",
                                     "500600700",
                                     "--sender-email",
                                     "sklep-demo@example.pl",
                                     "--set",
                                     "comment_template=Zamówienie {order.checkoutFormId}",
                                     "--set",
                                     "default_weight_grams=1000"};
    for (const auto& s : c.settings(sandbox_.base())) {
      args.push_back("--set");
      args.push_back(s);
    }
    for (const auto& s : secrets) {
      args.push_back("--secret");
      args.push_back(s);
    }
    auto r = nadajnik_.Cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  static bool Suits(const json::object& o, Fits fits) {
    if (o.at("status").as_string() != "READY_FOR_PROCESSING" || o.at("readOnly").as_bool()) {
      return false;
    }
    if (o.at("marketplace").as_string() != "allegro-pl") return false;
    const auto& d = o.at("delivery").as_object();
    const std::string method(d.at("methodName").as_string());
    const auto* point = d.if_contains("pickupPoint");
    const bool has_point = point && !point->is_null();
    switch (fits) {
      case Fits::kCourier: {
        if (has_point || method.find("Kurier") == std::string::npos) return false;
        const auto* a = d.if_contains("address");
        return a && a->is_object() && a->as_object().at("countryCode").as_string() == "PL";
      }
      case Fits::kOrlenPoint:
        return has_point && method.find("ORLEN Paczka") != std::string::npos;
      case Fits::kAllegro:
        return method.starts_with("Allegro ");
      case Fits::kAllegroCod:
        return method.starts_with("Allegro ") && o.at("cashOnDelivery").as_bool();
    }
    return false;
  }

  // Imported orders that suit `fits` and were not handed out before; asks the sandbox for more
  // orders while there are too few.
  std::vector<std::int64_t> Orders(Fits fits, std::size_t count) {
    std::vector<std::int64_t> out;
    std::string last;
    for (int round = 0; round < 5 && out.size() < count; ++round) {
      if (round > 0) {
        sandbox_.Admin("POST", "/__sandbox/orders", R"({"count":60,"spreadMinutes":60})");
      }
      Eventually(
          [&] {
            out.clear();
            auto r = api_.Call("GET", "/api/v1/orders?limit=500");
            last = std::to_string(r.status) + " " + r.body.substr(0, 1500);
            if (r.status != 200) return false;
            auto body = json::parse(r.body);
            for (const auto& v : body.at("orders").as_array()) {
              const auto& o = v.as_object();
              const auto id = o.at("id").as_int64();
              if (used_.contains(id) || !Suits(o, fits)) continue;
              out.push_back(id);
              if (out.size() == count) return true;
            }
            return false;
          },
          round == 0 ? 40s : 15s);
    }
    EXPECT_EQ(out.size(), count) << "not enough suitable orders; the last list: " << last;
    if (out.size() > count) out.resize(count);
    used_.insert(out.begin(), out.end());
    return out;
  }

  json::object AwaitShipment(std::int64_t id, std::chrono::seconds timeout = 60s) {
    json::object s;
    EXPECT_TRUE(Eventually(
        [&] {
          auto r = api_.Call("GET", "/api/v1/shipments/" + std::to_string(id));
          if (r.status != 200) return false;
          s = json::parse(r.body).as_object();
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

  // (waybill, carrierId) Allegro holds for a form.
  std::vector<std::pair<std::string, std::string>> AllegroWaybills(const std::string& form) {
    auto r = sandbox_.Api("GET", "/order/checkout-forms/" + form + "/shipments", sandbox_.Token());
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::pair<std::string, std::string>> out;
    const auto body = SandboxProcess::Json(r);
    for (const auto& s : body.at("shipments").as_array()) {
      const auto* carrier = s.as_object().if_contains("carrierId");
      out.emplace_back(std::string(s.at("waybill").as_string()),
                       carrier && carrier->is_string() ? std::string(carrier->as_string()) : "");
    }
    return out;
  }

  // The tracking numbers of the live (not cancelled) shipments the carrier's simulator holds.
  std::multiset<std::string> HeldByCarrier() {
    std::multiset<std::string> out;
    const std::string& code = GetParam().code;
    if (code == "dpd") {
      auto v = sandbox_.Admin("GET", "/__sandbox/dpd/packages");
      for (const auto& p : v.at("packages").as_array()) {
        for (const auto& w : p.at("waybills").as_array()) out.emplace(w.as_string());
      }
    } else if (code == "poczta_polska") {
      auto v = sandbox_.Admin("GET", "/__sandbox/poczta-polska/shipments");
      for (const auto& s : v.at("items").as_array()) out.emplace(s.at("numerNadania").as_string());
    } else if (code == "orlen_paczka") {
      auto v = sandbox_.Admin("GET", "/__sandbox/orlen/packs");
      for (const auto& p : v.at("items").as_array()) {
        if (p.at("trans").as_string() != "201") out.emplace(p.at("packCode").as_string());
      }
    }
    return out;
  }

  // The packer closes e-Nadawca's sending book (in the e-Nadawca panel: nadajnik has no command
  // for it) and the post office accepts it; only then do parcels move.
  void SendPocztaPolskaEnvelope() {
    const std::string body =
        carriers::poczta_polska::SoapRequest("sendEnvelope", {{"urzadNadania", "260001"}});
    auto r =
        http_.Request("POST", sandbox_.base() + "/poczta-polska/websrv/en.php",
                      {{"Authorization", "Basic " + EncodeBase64("nadajnik-en:haslo-en-sandbox")},
                       {"Content-Type", "text/xml; charset=utf-8"},
                       {"SOAPAction", std::string("\"") + carriers::poczta_polska::kNamespace +
                                          "/sendEnvelope\""}},
                      body);
    ASSERT_EQ(r.status, 200) << r.body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.body, m, std::regex(R"(idEnvelope>(\d+)<)"))) << r.body;
    sandbox_.Admin("POST", "/__sandbox/poczta-polska/envelopes/" + m[1].str() + "/accept");
  }

  // Moves the parcel on in the carrier's world until it is `delivered_state` there.
  void Advance(const json::object& s) {
    const std::string& code = GetParam().code;
    const std::string tracking(s.at("trackingNumber").as_string());
    if (code == "dpd") {
      sandbox_.Admin("POST", "/__sandbox/dpd/parcels/" + tracking + "/advance",
                     R"({"code":"190101"})");
    } else if (code == "poczta_polska") {
      SendPocztaPolskaEnvelope();
      sandbox_.Admin("POST", "/__sandbox/poczta-polska/shipments/" + tracking + "/advance",
                     R"({"status":"DORECZONA"})");
    } else if (code == "orlen_paczka") {
      sandbox_.Admin("POST", "/__sandbox/orlen/packs/" + tracking + "/advance",
                     R"({"trans":"1000"})");
    } else if (code == "allegro_shipping") {
      // Allegro's tracking moves with its clock: IN_TRANSIT one hour after the waybill.
      sandbox_.Admin("POST", "/__sandbox/time", R"({"advanceSeconds":7200})");
    }
  }

  std::string Body(const std::string& members) const {
    const CarrierCase& c = GetParam();
    std::string body = R"({"carrier":")" + c.code + R"(")";
    if (!c.draft.empty()) body += "," + c.draft;
    if (!members.empty()) body += "," + members;
    return body + "}";
  }

  void ExpectLabelCarries(std::int64_t id, const std::string& tracking) {
    auto label =
        api_.Call("GET", "/api/v1/shipments/" + std::to_string(id) + "/label?format=pdf-a6");
    ASSERT_EQ(label.status, 200) << label.body.substr(0, 300);
    ASSERT_TRUE(label.body.starts_with("%PDF-")) << label.body.substr(0, 40);
    TempDir work;
    EXPECT_GE(PdfPageCount(label.body, work.path()), 1);
    if (GetParam().label_barcode) {
      const auto codes = DecodeCode128(label.body, work.path());
      EXPECT_NE(std::find(codes.begin(), codes.end(), tracking), codes.end())
          << "the label's barcode should read " << tracking << "; decoded: " << Join(codes);
    } else {
      const std::string text = PdfText(label.body, work.path());
      EXPECT_NE(text.find(tracking), std::string::npos)
          << "the label should show " << tracking << "; its text: " << text.substr(0, 400);
    }
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
  HttpClient http_;
  ApiSession api_{nadajnik_};
  std::set<std::int64_t> used_;
};

TEST_P(ShippingCarriersTest, ShipsLabelsTracksCancelsAndNamesRefusals) {
  const CarrierCase& c = GetParam();
  AddContract(c.secrets);
  ASSERT_TRUE(nadajnik_.Start(kFastShipping));
  const auto orders = Orders(c.fits, 4);
  ASSERT_EQ(orders.size(), 4u);

  // ---- One shipment: label_ready, a tracking number, a label that carries it.
  auto created = api_.Api("POST", "/api/v1/orders/" + std::to_string(orders[0]) + "/shipments",
                          Body(R"("wait":40)"), 201);
  ASSERT_TRUE(created.is_object() && created.as_object().contains("id"))
      << json::serialize(created);
  const auto single = AwaitShipment(created.at("id").as_int64());
  ASSERT_EQ(single.at("state").as_string(), "label_ready") << json::serialize(single);
  const std::string tracking(single.at("trackingNumber").as_string());
  ASSERT_FALSE(tracking.empty()) << json::serialize(single);
  EXPECT_EQ(single.at("carrier").as_string(), c.code);
  EXPECT_EQ(single.at("trackingState").as_string(), "created");
  ExpectLabelCarries(single.at("id").as_int64(), tracking);
  if (c.code == "orlen_paczka") {
    // The pack went to the buyer's point: its PSD completed to a full DestinationCode.
    const auto order = api_.Api("GET", "/api/v1/orders/" + std::to_string(orders[0]));
    const std::string psd(order.at("delivery").at("pickupPoint").at("id").as_string());
    std::string destination;
    const auto packs = sandbox_.Admin("GET", "/__sandbox/orlen/packs");
    for (const auto& p : packs.at("items").as_array()) {
      if (p.at("packCode").as_string() == tracking) {
        destination = std::string(p.at("destinationCode").as_string());
      }
    }
    EXPECT_TRUE(
        std::regex_match(destination, std::regex("[A-Z]{2}-" + psd + "-[A-Z0-9]{2}-\\d{2}")))
        << "pack " << tracking << " for the order's point " << psd << " went to '" << destination
        << "'";
  }

  // ---- A bulk of three, then the same action again: three shipments, not six.
  std::string ids;
  for (std::size_t i = 1; i < 4; ++i) ids += (ids.empty() ? "" : ",") + std::to_string(orders[i]);
  const std::string bulk_body = Body(R"("orderIds":[)" + ids + R"(],"wait":40)");
  const std::string bulk_key = "bulk-" + c.code;
  auto first =
      api_.Call("POST", "/api/v1/shipments/bulk", bulk_body, {{"Idempotency-Key", bulk_key}});
  ASSERT_EQ(first.status, 200) << first.body;
  const auto bulk = json::parse(first.body);
  EXPECT_EQ(bulk.at("created").as_int64(), 3) << first.body;
  auto second =
      api_.Call("POST", "/api/v1/shipments/bulk", bulk_body, {{"Idempotency-Key", bulk_key}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(json::parse(second.body).at("existing").as_int64(), 3) << second.body;
  std::vector<json::object> bulked;
  for (const auto& r : bulk.at("results").as_array()) {
    ASSERT_EQ(r.at("result").as_string(), "created") << json::serialize(r);
    bulked.push_back(AwaitShipment(r.at("shipment").at("id").as_int64()));
    ASSERT_EQ(bulked.back().at("state").as_string(), "label_ready")
        << json::serialize(bulked.back());
  }
  std::set<std::string> numbers = {tracking};
  for (const auto& s : bulked) numbers.emplace(s.at("trackingNumber").as_string());
  EXPECT_EQ(numbers.size(), 4u) << "four shipments, four tracking numbers";

  // ---- The carrier holds one shipment per order.
  if (c.code != "allegro_shipping") {
    const auto held = HeldByCarrier();
    EXPECT_EQ(held.size(), 4u);
    for (const auto& n : numbers) EXPECT_EQ(held.count(n), 1u) << n;
  }

  // ---- Cancel: where the carrier allows it, the shipment and the carrier's parcel go; else a
  // 409 that says to cancel it in the carrier's panel.
  const std::int64_t cancel_id = bulked[0].at("id").as_int64();
  const std::string cancelled_tracking(bulked[0].at("trackingNumber").as_string());
  auto cancel = api_.Call("POST", "/api/v1/shipments/" + std::to_string(cancel_id) + "/cancel");
  if (c.cancels) {
    ASSERT_EQ(cancel.status, 200) << cancel.body;
    EXPECT_EQ(json::parse(cancel.body).at("state").as_string(), "cancelled") << cancel.body;
    if (c.code == "allegro_shipping") {
      const std::string form = CheckoutFormOf(orders[1]);
      EXPECT_TRUE(Eventually([&] { return AllegroWaybills(form).empty(); }, 15s))
          << "Allegro should take the cancelled shipment's waybill off the order";
    } else {
      EXPECT_EQ(HeldByCarrier().count(cancelled_tracking), 0u) << cancelled_tracking;
    }
  } else {
    EXPECT_EQ(cancel.status, 409) << cancel.body;
    EXPECT_TRUE(SaysAny(cancel.body, {"panelu przewoźnika", "panel"})) << cancel.body;
    EXPECT_EQ(
        api_.Api("GET", "/api/v1/shipments/" + std::to_string(cancel_id)).at("state").as_string(),
        "label_ready");
  }

  // ---- The parcel moves on with the carrier (checked at the end, the poll takes a minute).
  Advance(single);

  // ---- Handed over (the sending book sent, the pack posted): too late to cancel, and said so.
  if (c.refuses_cancel_after_handover) {
    const std::string path = "/api/v1/shipments/" + std::to_string(single.at("id").as_int64());
    auto r = api_.Call("POST", path + "/cancel");
    EXPECT_EQ(r.status, 409) << "cancelling a handed-over parcel: " << r.body;
    std::cout << "[ " << c.code << " ] cancel after handover: " << r.body << "\n";
    EXPECT_EQ(api_.Api("GET", path).at("state").as_string(), "label_ready");
  }

  // ---- Tracking numbers reach Allegro once, under the carrier's id.
  std::vector<std::pair<std::int64_t, std::string>> pushed = {{orders[0], tracking}};
  for (std::size_t i = 1; i < bulked.size(); ++i) {
    pushed.emplace_back(orders[i + 1], std::string(bulked[i].at("trackingNumber").as_string()));
  }
  for (const auto& [order, number] : pushed) {
    const std::string form = CheckoutFormOf(order);
    EXPECT_TRUE(Eventually([&] { return AllegroWaybills(form).size() == 1; }, 30s)) << order;
  }
  std::this_thread::sleep_for(2s);  // a second push would have arrived by now
  for (const auto& [order, number] : pushed) {
    const auto waybills = AllegroWaybills(CheckoutFormOf(order));
    ASSERT_EQ(waybills.size(), 1u) << "order " << order;
    EXPECT_EQ(waybills[0].first, number);
    if (!c.allegro_carrier_id.empty()) {
      EXPECT_EQ(waybills[0].second, c.allegro_carrier_id);
    }
  }

  // ---- The carrier's refusals: the shipment fails with a message saying what to fix.
  for (const auto& refusal : c.refusals) {
    const auto order = Orders(refusal.fits, 1);
    ASSERT_EQ(order.size(), 1u) << refusal.name;
    auto r = api_.Call("POST", "/api/v1/orders/" + std::to_string(order[0]) + "/shipments",
                       Body(refusal.draft + R"(,"wait":30)"));
    std::string message;
    if (r.status == 201) {
      const auto s = AwaitShipment(json::parse(r.body).at("id").as_int64());
      EXPECT_EQ(s.at("state").as_string(), "failed") << refusal.name << ": " << json::serialize(s);
      message = std::string(s.at("error").as_string());
    } else {  // refused before anything was written: as good, if it says why
      EXPECT_EQ(r.status / 100, 4) << refusal.name << ": " << r.body;
      message = r.body;
    }
    EXPECT_TRUE(SaysAny(message, refusal.says))
        << refusal.name << ": the message should name " << Join(refusal.says) << ": " << message;
    std::cout << "[ " << c.code << " ] " << refusal.name << ": " << message << "\n";
  }

  // ---- Tracking: the timeline and the shipment show the carrier's new state.
  const std::string single_path = "/api/v1/shipments/" + std::to_string(single.at("id").as_int64());
  json::value last;
  EXPECT_TRUE(Eventually(
      [&] {
        auto r = api_.Call("GET", single_path);
        if (r.status != 200) return false;
        last = json::parse(r.body);
        return last.at("trackingState").as_string() == c.delivered_state;
      },
      100s))
      << json::serialize(last);
  auto order = api_.Api("GET", "/api/v1/orders/" + std::to_string(orders[0]));
  std::set<std::string> kinds;
  for (const auto& e : order.at("timeline").as_array()) kinds.emplace(e.at("kind").as_string());
  std::vector<std::string> expected_kinds = {"shipment_requested", "shipment_created", "tracking"};
  if (!c.allegro_carrier_id.empty()) expected_kinds.push_back("tracking_pushed");
  for (const auto& k : expected_kinds) {
    EXPECT_TRUE(kinds.contains(k)) << k << " missing from the timeline";
  }

  // ---- Wrong credentials: the shipment fails and the message names the setting to fix.
  if (!c.bad_secret.empty()) {
    AddContract({c.bad_secret});
    const auto order = Orders(c.fits, 1);
    ASSERT_EQ(order.size(), 1u);
    auto r = api_.Api("POST", "/api/v1/orders/" + std::to_string(order[0]) + "/shipments",
                      Body(R"("wait":30)"), 201);
    ASSERT_TRUE(r.is_object() && r.as_object().contains("id")) << json::serialize(r);
    const auto s = AwaitShipment(r.at("id").as_int64());
    EXPECT_EQ(s.at("state").as_string(), "failed") << json::serialize(s);
    const std::string message(s.at("error").as_string());
    EXPECT_TRUE(SaysAny(message, c.bad_secret_says))
        << "the message should name " << Join(c.bad_secret_says) << ": " << message;
    std::cout << "[ " << c.code << " ] bad credentials: " << message << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Carriers, ShippingCarriersTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<CarrierCase>& info) {
                           return info.param.code;
                         });

}  // namespace
}  // namespace nadajnik::testing
