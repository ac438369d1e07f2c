// The ORLEN Paczka connector against the SOAP simulator of nadajnik-sandbox, over real HTTP:
// packs created one by one and in a batch, labels decoded as a scanner would, tracking through
// the Trans codes, the cancel rule, and the errors a seller must be able to act on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "carriers/orlen/api.hpp"
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
using carriers::orlen::OrlenConnector;
using carriers::orlen::OrlenSettings;
using domain::LabelFormat;
using domain::TrackingState;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr char kPartner[] = "1001";
constexpr char kKey[] = "orlen-sandbox-key";

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest PackRequest(const std::string& reference,
                            const std::string& point = "WA-116263-K1-02") {
  ShipmentRequest r;
  r.reference = reference;
  r.receiver.name = "Jan Kowalski";
  r.receiver.phone = "600 700 800";
  r.receiver.email = "jan.kowalski@example.pl";
  r.sender = {"",          "Sklep Wiśnia Sp. z o.o.", "Malborska", "130", "30-624", "Kraków", "PL",
              "500600700", "sklep@example.pl"};
  r.target_point = point;
  r.parcels.push_back(domain::Parcel{"A", 1500, 0, 0, 0, ""});
  return r;
}

class OrlenTest : public ::testing::Test, protected SandboxProcess {
 protected:
  void SetUp() override {
    Start();
    http_ = net::MakeCurlHttpClient();
  }

  std::string Endpoint() { return base() + "/orlen/WebServicePwR/WebServicePwR.asmx"; }

  OrlenSettings Settings(std::string partner = kPartner, std::string key = kKey) {
    OrlenSettings s;
    s.endpoint = Endpoint();
    s.partner_id = std::move(partner);
    s.partner_key = Secret<std::string>(std::move(key));
    s.timeout = 10s;
    return s;
  }

  OrlenConnector Connector() { return OrlenConnector(*http_, Settings()); }

  json::value Advance(const std::string& code, const std::string& body = "{}") {
    return Admin("POST", "/__sandbox/orlen/packs/" + code + "/advance", body);
  }

  HttpResult RawSoap(const std::string& operation, const std::string& inner,
                     std::string action = {}) {
    if (action.empty()) action = "\"https://91.242.220.103/WebServicePwR/" + operation + "\"";
    return client_.Request("POST", Endpoint(),
                           {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", action}},
                           "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
                           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><" +
                               operation + " xmlns=\"https://91.242.220.103/WebServicePwR\">" +
                               inner + "</" + operation + "></soap:Body></soap:Envelope>");
  }

  // The Code 128 contents of every page of a PDF, as zbarimg reads them.
  std::vector<std::string> DecodePdf(const std::string& pdf) {
    return DecodeCode128(pdf, work_.path());
  }

  std::unique_ptr<net::HttpClient> http_;
  TempDir work_;
};

TEST_F(OrlenTest, AWrongPartnerKeyShowsAtTheFirstCreateNamingTheSetting) {
  OrlenConnector wrong(*http_, Settings(kPartner, "not-the-key"));
  EXPECT_TRUE(wrong.CheckCredentials()) << "ORLEN can only tell at a create: no call";

  auto create = wrong.Create(PackRequest("nadajnik-bad-key"));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(create.error().message,
              HasSubstr("ORLEN Paczka rejected PartnerKey for account 1001: fix it in "
                        "Ustawienia > Przewoźnicy"));
  EXPECT_THAT(create.error().message, Not(HasSubstr("not-the-key")));

  OrlenConnector other_partner(*http_, Settings("1002", kKey));
  auto other = other_partner.Create(PackRequest("nadajnik-bad-partner"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(other.error().message, HasSubstr("account 1002"));

  OrlenConnector empty(*http_, Settings(kPartner, ""));
  auto missing = empty.CheckCredentials();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(missing.error().message, HasSubstr("PartnerKey"));

  EXPECT_TRUE(Connector().Create(PackRequest("nadajnik-good-key")));
}

TEST_F(OrlenTest, APackIsSavedLabelledTrackedAndNotCancelledOncePosted) {
  auto connector = Connector();
  auto request = PackRequest("nadajnik-pack-0001");
  request.cash_on_delivery = Pln(12999);
  auto created = connector.Create(request);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->confirmed) << "ORLEN registers synchronously";
  EXPECT_TRUE(std::regex_match(created->remote_id, std::regex(R"(\d{13})"))) << created->remote_id;
  EXPECT_EQ(created->tracking_number, created->remote_id);
  EXPECT_EQ(created->status, "saved");

  for (auto format : {LabelFormat::kPdfA6, LabelFormat::kPdfA4}) {
    auto pdf = connector.FetchLabel(created->remote_id, format);
    ASSERT_TRUE(pdf) << pdf.error().message;
    EXPECT_EQ(pdf->format, format);
    EXPECT_EQ(DecodePdf(pdf->bytes), std::vector<std::string>{created->tracking_number});
  }
  for (auto format : {LabelFormat::kZpl203, LabelFormat::kZpl300}) {
    auto zpl = connector.FetchLabel(created->remote_id, format);
    ASSERT_TRUE(zpl) << zpl.error().message;
    EXPECT_TRUE(zpl->bytes.starts_with("^XA"));
    EXPECT_THAT(zpl->bytes, HasSubstr(created->tracking_number));
    EXPECT_THAT(zpl->bytes, HasSubstr("^BC"));
    EXPECT_THAT(zpl->bytes, HasSubstr("WA-116263-K1-02"));
  }

  auto events = connector.Track(created->tracking_number);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->back().code, "200");
  EXPECT_EQ(events->back().state, TrackingState::kCreated);

  const std::vector<std::pair<std::string, TrackingState>> journey = {
      {"210", TrackingState::kInTransit},      {"230", TrackingState::kInTransit},
      {"300", TrackingState::kInTransit},      {"400", TrackingState::kInTransit},
      {"450", TrackingState::kInTransit},      {"653", TrackingState::kInTransit},
      {"680", TrackingState::kOutForDelivery}, {"690", TrackingState::kReadyForPickup},
      {"695", TrackingState::kReadyForPickup}, {"1000", TrackingState::kDelivered},
  };
  for (const auto& [trans, state] : journey) {
    auto pack = Advance(created->remote_id);
    EXPECT_EQ(pack.at("trans"), trans.c_str());
    auto now = connector.Track(created->tracking_number);
    ASSERT_TRUE(now) << now.error().message;
    EXPECT_EQ(now->back().code, trans);
    EXPECT_EQ(now->back().state, state) << trans;
    EXPECT_EQ(now->front().code, "200") << "oldest first";
  }
  auto status = connector.Status(created->remote_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->status, "1000");
  EXPECT_TRUE(status->confirmed);

  auto cancel = connector.Cancel(created->remote_id);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(cancel.error().message, HasSubstr("already posted"));
}

TEST_F(OrlenTest, AReturnLegIsReportedAsReturned) {
  auto connector = Connector();
  auto created = connector.Create(PackRequest("nadajnik-return-0001"));
  ASSERT_TRUE(created) << created.error().message;
  Advance(created->remote_id, R"({"trans":"700"})");
  Advance(created->remote_id, R"({"trans":"690","attribute":"POWROT"})");
  auto events = connector.Track(created->tracking_number);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].state, TrackingState::kFailed);
  EXPECT_EQ((*events)[2].code, "690 POWROT");
  EXPECT_EQ((*events)[2].state, TrackingState::kReturned);
}

TEST_F(OrlenTest, SeveralPacksGoInOneCallAndTheirLabelsInOneDocument) {
  auto connector = Connector();
  std::vector<ShipmentRequest> requests = {
      PackRequest("nadajnik-batch-1"),
      PackRequest("nadajnik-batch-2", "KR-203344-A1-01"),
      PackRequest("nadajnik-batch-3", "WA-999999-K1-02"),  // no such point: ORLEN refuses it
      PackRequest("nadajnik-batch-4", "GD-402288-K2-07"),
      PackRequest("nadajnik-batch-5"),
  };
  requests[4].receiver.postal_code = "8O-001";  // refused before sending
  auto all = connector.CreateMany(requests);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 5u);
  std::vector<std::string> codes;
  for (int i : {0, 1, 3}) {
    ASSERT_TRUE((*all)[i]) << (*all)[i].error().message;
    codes.push_back((*all)[i]->tracking_number);
  }
  ASSERT_FALSE((*all)[2]);
  EXPECT_EQ((*all)[2].error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT((*all)[2].error().message, HasSubstr("nadajnik-batch-3"));
  EXPECT_THAT((*all)[2].error().message, HasSubstr("WA-999999-K1-02"));
  ASSERT_FALSE((*all)[4]);
  EXPECT_THAT((*all)[4].error().message, HasSubstr("receiver's postal code"));
  EXPECT_NE(codes[0], codes[1]);

  auto labels = connector.FetchLabels(codes, LabelFormat::kPdfA6);
  ASSERT_TRUE(labels) << labels.error().message;
  auto decoded = DecodePdf(labels->bytes);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(decoded, codes) << "one page per pack";

  auto a4 = connector.FetchLabels(codes, LabelFormat::kPdfA4);
  ASSERT_TRUE(a4) << a4.error().message;
  EXPECT_EQ(DecodePdf(a4->bytes), codes) << "four per A4 page";
}

TEST_F(OrlenTest, APackCanBeCancelledUntilItIsPosted) {
  auto connector = Connector();
  auto created = connector.Create(PackRequest("nadajnik-cancel-0001"));
  ASSERT_TRUE(created) << created.error().message;
  auto cancelled = connector.Cancel(created->remote_id);
  EXPECT_TRUE(cancelled) << cancelled.error().message;
  auto status = connector.Status(created->remote_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->status, "201");
  EXPECT_FALSE(status->confirmed);
  EXPECT_FALSE(status->error.empty());
  auto label = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_FALSE(label);
  EXPECT_EQ(label.error().code, ErrorCode::kNotFound);

  auto posted = connector.Create(PackRequest("nadajnik-cancel-0002"));
  ASSERT_TRUE(posted);
  Advance(posted->remote_id);  // 210: posted at point
  auto refused = connector.Cancel(posted->remote_id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);

  auto unknown = connector.Cancel("2100000000000");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(OrlenTest, TheSellerLearnsWhatToFix) {
  auto connector = Connector();

  auto postal = PackRequest("nadajnik-err-0001");
  postal.receiver.postal_code = "618-88";
  auto bad_postal = connector.Create(postal);
  ASSERT_FALSE(bad_postal);
  EXPECT_EQ(bad_postal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad_postal.error().message, HasSubstr("receiver's postal code as NN-NNN; '618-88'"));

  // The simulator's own check of a postal code, in the Err/ErrDes shape.
  auto raw = RawSoap("GenerateLabelBusinessPackListTwo",
                     "<PartnerID>1001</PartnerID><PartnerKey>orlen-sandbox-key</PartnerKey>"
                     "<Format>PDF</Format><BusinessPackList><BusinessPack>"
                     "<DestinationCode>WA-116263-K1-02</DestinationCode><BoxSize>S</BoxSize>"
                     "<PhoneNumber>600700800</PhoneNumber><PostCode>61888</PostCode>"
                     "<ConfirmTermsOfUse>T</ConfirmTermsOfUse></BusinessPack></BusinessPackList>");
  EXPECT_EQ(raw.status, 200);
  EXPECT_THAT(raw.body, HasSubstr("<Err>112</Err>"));
  EXPECT_THAT(raw.body, HasSubstr("(PostCode)"));
  EXPECT_THAT(raw.body, Not(HasSubstr("PackCode_RUCH")));

  auto point = connector.Create(PackRequest("nadajnik-err-0002", "WA-999999-K1-02"));
  ASSERT_FALSE(point);
  EXPECT_EQ(point.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(point.error().message, HasSubstr("Punkt docelowy WA-999999-K1-02 nie istnieje"));
  EXPECT_THAT(point.error().message, HasSubstr("Choose another pickup point"));

  auto cod = PackRequest("nadajnik-err-0003");
  cod.cash_on_delivery = Pln(600000);
  auto over = connector.Create(cod);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(over.error().message, HasSubstr("over ORLEN Paczka's limit of 5000.00 PLN"));

  // The same COD past a client whose limit is set higher: the simulator refuses it itself.
  auto lenient_settings = Settings();
  lenient_settings.limits.max_cod_minor = 10000000;
  OrlenConnector lenient(*http_, lenient_settings);
  auto server_over = lenient.Create(cod);
  ASSERT_FALSE(server_over);
  EXPECT_EQ(server_over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(server_over.error().message, HasSubstr("przekracza limit 5000,00 zł"));
  EXPECT_THAT(server_over.error().message, HasSubstr("Change the cash-on-delivery amount"));

  auto no_cod_point = PackRequest("nadajnik-err-0004", "PO-310512-P1-03");
  no_cod_point.cash_on_delivery = Pln(1000);
  auto no_cod = connector.Create(no_cod_point);
  ASSERT_FALSE(no_cod);
  EXPECT_THAT(no_cod.error().message, HasSubstr("nie obsługuje pobrań"));
}

TEST_F(OrlenTest, AnUnavailablePointIsReplacedOnlyWhenAllowed) {
  auto connector = Connector();
  auto moved = connector.Create(PackRequest("nadajnik-move-0001", "WA-117001-S1-04"));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_THAT(moved->status, HasSubstr("moved it to point WA-116263-K1-02 (Err 006)"));

  auto strict_settings = Settings();
  strict_settings.pack_options.auto_destination_change = false;
  OrlenConnector strict(*http_, strict_settings);
  auto refused = strict.Create(PackRequest("nadajnik-move-0002", "WA-117001-S1-04"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("niedostępny"));

  auto completed = connector.Create(PackRequest("nadajnik-move-0003", "XX-203344-00-00"));
  ASSERT_TRUE(completed) << completed.error().message;
  EXPECT_EQ(completed->status, "saved; ORLEN completed the point to KR-203344-A1-01")
      << "ORLEN completes a code from its PSD";
  auto zpl = connector.FetchLabel(completed->remote_id, LabelFormat::kZpl203);
  ASSERT_TRUE(zpl) << zpl.error().message;
  EXPECT_THAT(zpl->bytes, HasSubstr("KR-203344-A1-01"));
}

TEST_F(OrlenTest, TheBuyersPointAsAllegroGivesItIsCompletedFromItsPsd) {
  auto connector = Connector();
  // Allegro names an ORLEN Paczka point by its bare 6-digit PSD, like the sandbox's orders.
  auto seeded = connector.Create(PackRequest("nadajnik-psd-0001", "203344"));
  ASSERT_TRUE(seeded) << seeded.error().message;
  EXPECT_EQ(seeded->status, "saved; ORLEN completed the point to KR-203344-A1-01");

  auto generated = connector.Create(PackRequest("nadajnik-psd-0002", "220654"));
  ASSERT_TRUE(generated) << generated.error().message;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(generated->status, m,
                               std::regex(R"(saved; ORLEN completed the point to ([A-Z]{2}-220654-)"
                                          R"([A-Z0-9]{2}-\d{2}))")))
      << generated->status;
  const std::string code = m[1].str();
  auto zpl = connector.FetchLabel(generated->remote_id, LabelFormat::kZpl203);
  ASSERT_TRUE(zpl) << zpl.error().message;
  EXPECT_THAT(zpl->bytes, HasSubstr(code));
  bool held = false;
  const auto packs = Admin("GET", "/__sandbox/orlen/packs");
  for (const auto& p : packs.at("items").as_array()) {
    if (p.at("packCode").as_string() == generated->remote_id) {
      EXPECT_EQ(p.at("destinationCode").as_string(), code.c_str());
      held = true;
    }
  }
  EXPECT_TRUE(held);
  auto again = connector.Create(PackRequest("nadajnik-psd-0003", "XX-220654-00-00"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, "saved; ORLEN completed the point to " + code) << "the same point";

  // A PSD ORLEN does not know is still ORLEN's refusal, naming the code sent.
  auto unknown = connector.Create(PackRequest("nadajnik-psd-0004", "999999"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown.error().message, HasSubstr("Punkt docelowy XX-999999-00-00 nie istnieje"));
  EXPECT_THAT(unknown.error().message, HasSubstr("Choose another pickup point"));

  // Not a point id at all: refused before any call, saying what a point code looks like.
  auto garbled = connector.Create(PackRequest("nadajnik-psd-0005", "22065"));
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(garbled.error().message, HasSubstr("'22065' is not an ORLEN Paczka point code"));
}

TEST_F(OrlenTest, PointsAreListed) {
  auto points = Connector().Points();
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 8u);
  EXPECT_EQ(points->front().destination_code, "WA-116263-K1-02");
  EXPECT_EQ(
      std::count_if(points->begin(), points->end(), [](const auto& p) { return !p.available; }), 1);
}

TEST_F(OrlenTest, OutagesAreRetryableAndMalformedCallsAreFaults) {
  auto connector = Connector();
  auto created = connector.Create(PackRequest("nadajnik-fault-0001"));
  ASSERT_TRUE(created);

  Admin("POST", "/__sandbox/orlen/scenarios",
        R"({"name":"server-errors","on":true,"every":1,"burst":1})");
  auto down = connector.Status(created->remote_id);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(down.error().retryable);
  Admin("POST", "/__sandbox/orlen/scenarios", R"({"name":"server-errors","on":false})");
  EXPECT_TRUE(connector.Status(created->remote_id));

  auto wrong_action = RawSoap("PutCustomerPackCanceled", "<PackCode>1</PackCode>",
                              "\"https://91.242.220.103/WebServicePwR/Other\"");
  EXPECT_EQ(wrong_action.status, 500);
  EXPECT_THAT(wrong_action.body, HasSubstr("soap:Fault"));
  EXPECT_THAT(wrong_action.body, HasSubstr("SOAPAction"));
}

}  // namespace
}  // namespace nadajnik::testing
