// The DPD connector against the DPDServices simulator of nadajnik-sandbox, over real HTTP:
// synchronous numbering (one and several packages per call), labels decoded as a scanner would,
// the handover protocol, tracking through the events, no cancel, and the errors a seller must
// be able to act on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>

#include "carriers/dpd/api.hpp"
#include "net/http_client.hpp"
#include "support/barcodes.hpp"
#include "support/process.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using carriers::RemoteShipment;
using carriers::ShipmentRequest;
using carriers::dpd::DpdConnector;
using carriers::dpd::DpdSettings;
using carriers::dpd::WaybillsOf;
using domain::LabelFormat;
using domain::TrackingState;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest CourierRequest(const std::string& reference) {
  ShipmentRequest r;
  r.reference = reference;
  r.service = "dpd_classic";
  r.receiver = {
      "Anna Nowak",           "", "Półwiejska", "2", "61-888", "Poznań", "PL", "+48 601 702 803",
      "anna.nowak@example.pl"};
  r.sender = {"",          "Sklep Wiśnia Sp. z o.o.", "Malborska", "130", "30-624", "Kraków", "PL",
              "500600700", "sklep@example.pl"};
  r.parcels.push_back(domain::Parcel{"", 2000, 300, 200, 100, ""});
  r.parcels.push_back(domain::Parcel{"", 1000, 250, 200, 150, ""});
  r.cash_on_delivery = Pln(12999);
  r.comment = "Zamówienie 1001";
  return r;
}

ShipmentRequest PickupRequest(const std::string& reference, const std::string& point) {
  ShipmentRequest r = CourierRequest(reference);
  r.service = "dpd_pickup";
  r.target_point = point;
  r.parcels.resize(1);
  r.cash_on_delivery.reset();
  return r;
}

class DpdTest : public ::testing::Test, protected SandboxProcess {
 protected:
  void SetUp() override {
    Start();
    http_ = net::MakeCurlHttpClient();
  }

  DpdSettings Settings(std::string password = "dpd-sandbox-haslo") {
    DpdSettings s;
    s.package_base_url = base() + "/dpd";
    s.info_base_url = base() + "/dpd";
    s.login = "149510101";
    s.password = Secret<std::string>(std::move(password));
    s.master_fid = "1495101";
    s.timeout = 10s;
    return s;
  }

  DpdConnector Connector() { return DpdConnector(*http_, Settings()); }

  std::string Advance(const std::string& waybill, const std::string& body = "{}") {
    auto v = Admin("POST", "/__sandbox/dpd/parcels/" + waybill + "/advance", body);
    return std::string(v.at("businessCode").as_string());
  }

  std::filesystem::path Save(const std::string& bytes, const std::string& name) {
    const auto file = work_.path() / name;
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }

  // The Code 128 contents of every page of a PDF, as zbarimg reads them.
  std::vector<std::string> DecodePdf(const std::string& pdf) {
    return DecodeCode128(pdf, work_.path());
  }

  // pdftotext's reading of a PDF.
  std::string PdfText(const std::string& pdf) {
    const auto file = Save(pdf, "doc.pdf");
    const auto out = work_.path() / "doc.txt";
    Process p({{"pdftotext", "-layout", file.string(), out.string()},
               {},
               std::nullopt,
               work_.path() / "pdftotext.err",
               work_.path() / "pdftotext.err"});
    EXPECT_EQ(p.Wait(60s), 0) << ReadFile(work_.path() / "pdftotext.err");
    return ReadFile(out);
  }

  std::unique_ptr<net::HttpClient> http_;
  TempDir work_;
};

TEST_F(DpdTest, CredentialsAreCheckedAndBadOnesNameTheSettings) {
  auto ok = Connector().CheckCredentials();
  EXPECT_TRUE(ok) << ok.error().message;

  DpdConnector bad(*http_, Settings("wrong-password"));
  auto refused = bad.CheckCredentials();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(refused.error().message, HasSubstr("login '149510101' with master FID '1495101'"));
  EXPECT_THAT(refused.error().message, HasSubstr("Ustawienia > Przewoźnicy"));
  EXPECT_THAT(refused.error().message, Not(HasSubstr("wrong-password")));

  auto create = bad.Create(CourierRequest("nadajnik-bad-login"));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, ErrorCode::kPermissionDenied);

  DpdSettings empty = Settings();
  empty.master_fid.clear();
  auto missing = DpdConnector(*http_, empty).CheckCredentials();
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("master FID"));
}

TEST_F(DpdTest, ACourierShipmentIsNumberedLabelledTrackedAndNotCancellable) {
  auto connector = Connector();
  auto created = connector.Create(CourierRequest("nadajnik-dpd-0001"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->confirmed);
  const auto waybills = WaybillsOf(created->remote_id).value();
  ASSERT_EQ(waybills.size(), 2u);
  EXPECT_EQ(created->tracking_number, waybills[0]);
  for (const auto& w : waybills) EXPECT_EQ(w.size(), 14u) << w;

  auto stored = Admin("GET", "/__sandbox/dpd/packages");
  const auto& pkg = stored.at("packages").as_array().at(0);
  EXPECT_EQ(pkg.at("reference"), "nadajnik-dpd-0001");
  EXPECT_EQ(pkg.at("codMinor"), 12999);

  std::vector<std::string> sorted = waybills;
  std::sort(sorted.begin(), sorted.end());
  auto a6 = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_TRUE(a6) << a6.error().message;
  EXPECT_EQ(DecodePdf(a6->bytes), sorted);
  EXPECT_THAT(PdfText(a6->bytes), HasSubstr("129,99"));
  auto a4 = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA4);
  ASSERT_TRUE(a4) << a4.error().message;
  EXPECT_EQ(a4->format, LabelFormat::kPdfA4);
  EXPECT_EQ(DecodePdf(a4->bytes), sorted);
  auto zpl = connector.FetchLabel(created->remote_id, LabelFormat::kZpl203);
  ASSERT_TRUE(zpl) << zpl.error().message;
  EXPECT_TRUE(zpl->bytes.starts_with("^XA"));
  for (const auto& w : waybills) EXPECT_THAT(zpl->bytes, HasSubstr(w));
  auto zpl300 = connector.FetchLabel(created->remote_id, LabelFormat::kZpl300);
  ASSERT_FALSE(zpl300);
  EXPECT_EQ(zpl300.error().code, ErrorCode::kFailedPrecondition);

  auto events = connector.Track(created->tracking_number);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->back().state, TrackingState::kCreated);
  const std::vector<std::pair<std::string, TrackingState>> journey = {
      {"040101", TrackingState::kInTransit},
      {"170101", TrackingState::kInTransit},
      {"170102", TrackingState::kOutForDelivery},
      {"190101", TrackingState::kDelivered},
  };
  for (const auto& [code, state] : journey) {
    EXPECT_EQ(Advance(created->tracking_number), code);
    auto now = connector.Track(created->tracking_number);
    ASSERT_TRUE(now) << now.error().message;
    EXPECT_EQ(now->back().code, code);
    EXPECT_EQ(now->back().state, state) << code;
    EXPECT_EQ(now->front().code, "030103") << "oldest first";
  }
  auto status = connector.Status(created->remote_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->status, "190101");

  auto cancel = connector.Cancel(created->remote_id);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(cancel.error().message, HasSubstr("no way to cancel"));
  EXPECT_FALSE(connector.capabilities().cancel);
}

TEST_F(DpdTest, APickupPointShipmentWaitsAtThePoint) {
  auto connector = Connector();
  auto created = connector.Create(PickupRequest("nadajnik-dpd-pickup", "PL11033"));
  ASSERT_TRUE(created) << created.error().message;
  auto label = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_TRUE(label) << label.error().message;
  EXPECT_EQ(DecodePdf(label->bytes), std::vector<std::string>{created->tracking_number});
  EXPECT_THAT(PdfText(label->bytes), HasSubstr("PL11033"));
  Advance(created->tracking_number);
  Advance(created->tracking_number);
  EXPECT_EQ(Advance(created->tracking_number), "180101");
  auto events = connector.Track(created->tracking_number);
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_EQ(events->back().state, TrackingState::kReadyForPickup);
  EXPECT_EQ(Advance(created->tracking_number), "190102");
  EXPECT_EQ(connector.Track(created->tracking_number)->back().state, TrackingState::kDelivered);

  auto unknown = connector.Create(PickupRequest("nadajnik-dpd-pickup-2", "PL99999"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown.error().message, HasSubstr("does not know the pickup point 'PL99999'"));
  EXPECT_THAT(unknown.error().message, HasSubstr("choose another DPD Pickup point"));
}

TEST_F(DpdTest, SeveralShipmentsInOneCallOneLabelDocumentAndTheProtocol) {
  auto connector = Connector();
  auto bad = CourierRequest("nadajnik-dpd-b2");
  bad.receiver.postal_code = "99-999";
  auto results = connector.CreateMany(
      {CourierRequest("nadajnik-dpd-b1"), bad, PickupRequest("nadajnik-dpd-b3", "PL14129")});
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 3u);
  ASSERT_TRUE((*results)[0]) << (*results)[0].error().message;
  ASSERT_FALSE((*results)[1]);
  EXPECT_THAT((*results)[1].error().message, HasSubstr("receiver's postal code '99-999'"));
  ASSERT_TRUE((*results)[2]) << (*results)[2].error().message;

  const std::vector<std::string> ids = {(*results)[0]->remote_id, (*results)[2]->remote_id};
  std::vector<std::string> all = WaybillsOf(ids[0]).value();
  all.push_back((*results)[2]->tracking_number);
  std::sort(all.begin(), all.end());
  auto labels = connector.FetchLabels(ids, LabelFormat::kPdfA4);
  ASSERT_TRUE(labels) << labels.error().message;
  EXPECT_EQ(DecodePdf(labels->bytes), all);

  auto protocol = connector.HandoverProtocol(ids);
  ASSERT_TRUE(protocol) << protocol.error().message;
  EXPECT_TRUE(protocol->starts_with("%PDF"));
  const std::string text = PdfText(*protocol);
  EXPECT_THAT(text, HasSubstr("protokół przekazania"));
  for (const auto& w : all) EXPECT_THAT(text, HasSubstr(w));
  EXPECT_THAT(text, HasSubstr("1495101"));

  auto foreign = connector.HandoverProtocol({"9999999999999Q"});
  ASSERT_FALSE(foreign);
  EXPECT_THAT(foreign.error().message, HasSubstr("9999999999999Q not found"));
}

TEST_F(DpdTest, TheSellerLearnsWhatToFix) {
  auto connector = Connector();
  auto receiver = CourierRequest("nadajnik-dpd-e1");
  receiver.receiver.postal_code = "00-000";  // well-formed, not served
  auto r = connector.Create(receiver);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("receiver's postal code '00-000'"));
  EXPECT_THAT(r.error().message, HasSubstr("correct the buyer's address"));

  auto sender = CourierRequest("nadajnik-dpd-e2");
  sender.sender.postal_code = "11-111";
  auto s = connector.Create(sender);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("INCORRECT_SENDER_POSTAL_CODE"));
  EXPECT_THAT(s.error().message, HasSubstr("Ustawienia > Przewoźnicy"));

  auto malformed = CourierRequest("nadajnik-dpd-e3");
  malformed.receiver.postal_code = "6188";
  auto m = connector.Create(malformed);
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message, HasSubstr("postal code as NN-NNN"));

  auto cod = CourierRequest("nadajnik-dpd-e4");
  cod.cash_on_delivery = Pln(1500000);
  auto c = connector.Create(cod);
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("over DPD's limit of 11000.00 PLN"));

  // With a laxer client setting the simulator refuses it itself.
  DpdSettings lax = Settings();
  lax.limits.max_cod_minor = 10000000;
  auto server_side = DpdConnector(*http_, lax).Create(cod);
  ASSERT_FALSE(server_side);
  EXPECT_EQ(server_side.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(server_side.error().message, HasSubstr("refused the cash on delivery amount"));
  EXPECT_THAT(server_side.error().message, HasSubstr("lower it or send without COD"));

  Admin("POST", "/__sandbox/dpd/scenarios", R"({"name":"unavailable","on":true})");
  auto outage = connector.Create(CourierRequest("nadajnik-dpd-e5"));
  ASSERT_FALSE(outage);
  EXPECT_EQ(outage.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(outage.error().retryable);
  Admin("POST", "/__sandbox/dpd/scenarios", R"({"name":"unavailable","on":false})");
  EXPECT_TRUE(connector.Create(CourierRequest("nadajnik-dpd-e5")));
}

}  // namespace
}  // namespace nadajnik::testing
