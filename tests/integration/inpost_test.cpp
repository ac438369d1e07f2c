// The InPost connector against the ShipX simulator of nadajnik-sandbox, over real HTTP: the
// asynchronous create, labels decoded as a scanner would, tracking, cancel rules and the errors a
// seller must be able to act on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "carriers/inpost/api.hpp"
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
using carriers::inpost::InPostConnector;
using carriers::inpost::InPostSettings;
using domain::LabelFormat;
using domain::TrackingState;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kOrganization[] = "9001";
constexpr char kToken[] = "inpost-sandbox-token";

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest LockerRequest(const std::string& reference) {
  ShipmentRequest r;
  r.reference = reference;
  r.service = "inpost_locker_standard";
  r.receiver.name = "Jan Kowalski";
  r.receiver.phone = "600 700 800";
  r.receiver.email = "jan.kowalski@example.pl";
  r.target_point = "KRA01M";
  r.parcels.push_back(domain::Parcel{"A", 1500, 0, 0, 0, ""});
  r.cash_on_delivery = Pln(12999);
  r.comment = "Zamówienie 1001";
  return r;
}

ShipmentRequest CourierRequest(const std::string& reference) {
  ShipmentRequest r;
  r.reference = reference;
  r.service = "inpost_courier_standard";
  r.receiver = {
      "Anna Nowak",           "", "Półwiejska", "2", "61-888", "Poznań", "PL", "+48 601 702 803",
      "anna.nowak@example.pl"};
  r.sender = {"",          "Sklep Wiśnia Sp. z o.o.", "Malborska", "130", "30-624", "Kraków", "PL",
              "500600700", "sklep@example.pl"};
  r.parcels.push_back(domain::Parcel{"", 2000, 300, 200, 100, ""});
  r.parcels.push_back(domain::Parcel{"", 1000, 250, 200, 150, ""});
  r.insurance = Pln(20000);
  return r;
}

class InPostTest : public ::testing::Test, protected SandboxProcess {
 protected:
  void SetUp() override {
    Start({"--inpost-confirm-ms", "400"});
    http_ = net::MakeCurlHttpClient();
  }

  InPostSettings Settings(std::string organization = kOrganization, std::string token = kToken) {
    InPostSettings s;
    s.base_url = base() + "/inpost";
    s.organization_id = std::move(organization);
    s.token = Secret<std::string>(std::move(token));
    s.timeout = 10s;
    return s;
  }

  InPostConnector Connector() { return InPostConnector(*http_, Settings()); }

  RemoteShipment WaitForConfirmation(InPostConnector& connector, const std::string& id) {
    for (int i = 0; i < 100; ++i) {
      auto s = connector.Status(id);
      EXPECT_TRUE(s) << s.error().message;
      if (!s) return {};
      if (s->confirmed) return *s;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "shipment " << id << " was never confirmed";
    return {};
  }

  json::value Advance(const std::string& id, const std::string& body = "{}") {
    return Admin("POST", "/__sandbox/inpost/shipments/" + id + "/advance", body);
  }

  // The Code 128 contents of every page of a PDF, as zbarimg reads them.
  std::vector<std::string> DecodePdf(const std::string& pdf) {
    return DecodeCode128(pdf, work_.path());
  }

  std::unique_ptr<net::HttpClient> http_;
  TempDir work_;
};

TEST_F(InPostTest, CredentialsAreCheckedWithOneCall) {
  auto ok = Connector().CheckCredentials();
  EXPECT_TRUE(ok) << ok.error().message;

  InPostConnector bad_token(*http_, Settings(kOrganization, "wrong-token"));
  auto refused = bad_token.CheckCredentials();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(refused.error().message, HasSubstr("refused the API token for organization 9001"));
  EXPECT_THAT(refused.error().message, HasSubstr("Ustawienia > Przewoźnicy"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("wrong-token")));

  InPostConnector other_org(*http_, Settings("9002"));
  auto forbidden = other_org.CheckCredentials();
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(forbidden.error().message, HasSubstr("organization 9002"));

  InPostConnector unknown_org(*http_, Settings("424242"));
  auto unknown = unknown_org.CheckCredentials();
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(unknown.error().message, HasSubstr("does not know organization 424242"));

  auto create = bad_token.Create(LockerRequest("nadajnik-bad-token"));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(InPostTest, ALockerShipmentIsConfirmedLabelledTrackedAndNotCancelledAfterwards) {
  auto connector = Connector();
  auto created = connector.Create(LockerRequest("nadajnik-locker-0001"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->status, "created");
  EXPECT_FALSE(created->confirmed);
  EXPECT_TRUE(created->tracking_number.empty());

  auto early_label = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_FALSE(early_label);
  EXPECT_EQ(early_label.error().code, ErrorCode::kFailedPrecondition);

  const RemoteShipment confirmed = WaitForConfirmation(connector, created->remote_id);
  EXPECT_EQ(confirmed.status, "confirmed");
  EXPECT_TRUE(std::regex_match(confirmed.tracking_number, std::regex(R"(\d{24})")))
      << confirmed.tracking_number;

  auto pdf = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->format, LabelFormat::kPdfA6);
  EXPECT_EQ(DecodePdf(pdf->bytes), std::vector<std::string>{confirmed.tracking_number});

  auto a4 = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA4);
  ASSERT_TRUE(a4) << a4.error().message;
  EXPECT_EQ(a4->format, LabelFormat::kPdfA4);
  EXPECT_EQ(DecodePdf(a4->bytes), std::vector<std::string>{confirmed.tracking_number});

  for (auto format : {LabelFormat::kZpl203, LabelFormat::kZpl300}) {
    auto zpl = connector.FetchLabel(created->remote_id, format);
    ASSERT_TRUE(zpl) << zpl.error().message;
    EXPECT_TRUE(zpl->bytes.starts_with("^XA"));
    EXPECT_THAT(zpl->bytes, HasSubstr(confirmed.tracking_number));
    EXPECT_THAT(zpl->bytes, HasSubstr("^BC"));
  }

  auto events = connector.Track(confirmed.tracking_number);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->back().state, TrackingState::kCreated);

  const std::vector<std::pair<std::string, TrackingState>> journey = {
      {"dispatched_by_sender", TrackingState::kInTransit},
      {"taken_by_courier", TrackingState::kInTransit},
      {"adopted_at_source_branch", TrackingState::kInTransit},
      {"sent_from_source_branch", TrackingState::kInTransit},
      {"adopted_at_sorting_center", TrackingState::kInTransit},
      {"sent_from_sorting_center", TrackingState::kInTransit},
      {"adopted_at_target_branch", TrackingState::kInTransit},
      {"out_for_delivery", TrackingState::kOutForDelivery},
      {"ready_to_pickup", TrackingState::kReadyForPickup},
      {"delivered", TrackingState::kDelivered},
  };
  for (const auto& [status, state] : journey) {
    auto shipment = Advance(created->remote_id);
    EXPECT_EQ(shipment.at("status"), status.c_str());
    auto now = connector.Track(confirmed.tracking_number);
    ASSERT_TRUE(now) << now.error().message;
    EXPECT_EQ(now->back().code, status);
    EXPECT_EQ(now->back().state, state) << status;
    EXPECT_EQ(now->front().code, "confirmed") << "oldest first";
  }

  auto cancel = connector.Cancel(created->remote_id);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(cancel.error().message, HasSubstr("only before it is confirmed"));
}

TEST_F(InPostTest, ACourierShipmentHasOneLabelPerParcel) {
  auto connector = Connector();
  auto created = connector.Create(CourierRequest("nadajnik-courier-0001"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(created->confirmed);
  const RemoteShipment confirmed = WaitForConfirmation(connector, created->remote_id);
  ASSERT_FALSE(confirmed.tracking_number.empty());

  auto a4 = connector.FetchLabel(created->remote_id, LabelFormat::kPdfA4);
  ASSERT_TRUE(a4) << a4.error().message;
  EXPECT_EQ(a4->format, LabelFormat::kPdfA6) << "courier services have no A4 (normal) label";
  auto codes = DecodePdf(a4->bytes);
  ASSERT_EQ(codes.size(), 2u) << "one page per parcel";
  EXPECT_EQ(codes[0], confirmed.tracking_number);
  EXPECT_NE(codes[1], codes[0]);

  auto zpl300 = connector.FetchLabel(created->remote_id, LabelFormat::kZpl300);
  ASSERT_FALSE(zpl300);
  EXPECT_EQ(zpl300.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(zpl300.error().message, HasSubstr("ZPL 203 dpi"));
  auto zpl = connector.FetchLabel(created->remote_id, LabelFormat::kZpl203);
  ASSERT_TRUE(zpl) << zpl.error().message;

  Advance(created->remote_id);
  Advance(created->remote_id);
  auto events = connector.Track(confirmed.tracking_number);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].code, "collected_from_sender");
  EXPECT_EQ((*events)[2].state, TrackingState::kInTransit);
}

TEST_F(InPostTest, CancelWorksOnlyBeforeConfirmation) {
  Admin("POST", "/__sandbox/inpost/scenarios", R"({"name":"slow-confirmation","on":true})");
  auto connector = Connector();
  auto created = connector.Create(LockerRequest("nadajnik-cancel-0001"));
  ASSERT_TRUE(created) << created.error().message;
  auto status = connector.Status(created->remote_id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "created");
  auto cancelled = connector.Cancel(created->remote_id);
  EXPECT_TRUE(cancelled) << cancelled.error().message;
  status = connector.Status(created->remote_id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "canceled");
  EXPECT_FALSE(status->confirmed);
  EXPECT_FALSE(status->error.empty());
  EXPECT_FALSE(connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6));

  auto other = connector.Create(LockerRequest("nadajnik-cancel-0002"));
  ASSERT_TRUE(other);
  Admin("POST", "/__sandbox/inpost/shipments/" + other->remote_id + "/confirm");
  auto refused = connector.Cancel(other->remote_id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(InPostTest, TheSellerLearnsWhatToFix) {
  auto connector = Connector();

  auto postal = CourierRequest("nadajnik-err-0001");
  postal.receiver.postal_code = "618-88";
  auto bad_postal = connector.Create(postal);
  ASSERT_FALSE(bad_postal);
  EXPECT_EQ(bad_postal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad_postal.error().message, HasSubstr("receiver's postal code as NN-NNN; '618-88'"));

  auto point = LockerRequest("nadajnik-err-0002");
  point.target_point = "XYZ99Q";
  auto unknown_point = connector.Create(point);
  ASSERT_FALSE(unknown_point);
  EXPECT_EQ(unknown_point.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown_point.error().message,
              HasSubstr("the parcel locker (target point) does not exist"));

  auto cod = LockerRequest("nadajnik-err-0003");
  cod.cash_on_delivery = Pln(600000);
  auto over = connector.Create(cod);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(over.error().message, HasSubstr("over InPost's limit of 5000.00 PLN"));

  // The same COD past a client whose limit is set higher: the simulator refuses it itself.
  auto lenient_settings = Settings();
  lenient_settings.limits.max_cod_minor = 10000000;
  InPostConnector lenient(*http_, lenient_settings);
  auto server_over = lenient.Create(cod);
  ASSERT_FALSE(server_over);
  EXPECT_EQ(server_over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(server_over.error().message, HasSubstr("the cash-on-delivery amount is too large"));

  // The simulator's own answer to a bad postal code, in the documented shape.
  auto raw = client_.Request(
      "POST", base() + "/inpost/v1/organizations/9001/shipments",
      {{"Authorization", std::string("Bearer ") + kToken}, {"Content-Type", "application/json"}},
      R"({"service":"inpost_courier_standard","insurance":{"amount":100,"currency":"PLN"},
          "receiver":{"first_name":"Anna","last_name":"Nowak","phone":"601702803",
                      "address":{"street":"Półwiejska","building_number":"2","city":"Poznań",
                                 "post_code":"61888","country_code":"PL"}},
          "parcels":[{"dimensions":{"length":300,"width":200,"height":100,"unit":"mm"},
                      "weight":{"amount":2,"unit":"kg"}}]})");
  EXPECT_EQ(raw.status, 400);
  auto body = Json(raw);
  EXPECT_EQ(body.at("error"), "validation_failed");
  EXPECT_EQ(body.at("status"), 400);
  EXPECT_EQ(body.at("details").at("receiver").at(0).at("address").at(0).at("post_code").at(0),
            "invalid_format");
}

TEST_F(InPostTest, FindByReferenceFindsAnEarlierAttempt) {
  auto connector = Connector();
  auto first = connector.Create(LockerRequest("nadajnik-retry-0001"));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(connector.Create(CourierRequest("nadajnik-retry-0002")));
  ASSERT_TRUE(connector.Create(LockerRequest("nadajnik-retry-0003")));

  auto found = connector.FindByReference("nadajnik-retry-0001");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->remote_id, first->remote_id);

  auto none = connector.FindByReference("nadajnik-never-sent");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
}

TEST_F(InPostTest, OutagesAndRateLimitsAreRetryable) {
  auto connector = Connector();
  auto created = connector.Create(LockerRequest("nadajnik-fault-0001"));
  ASSERT_TRUE(created);

  Admin("POST", "/__sandbox/inpost/scenarios",
        R"({"name":"server-errors","on":true,"every":1,"burst":1})");
  auto down = connector.Status(created->remote_id);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(down.error().retryable);
  Admin("POST", "/__sandbox/inpost/scenarios", R"({"name":"server-errors","on":false})");

  Admin("POST", "/__sandbox/inpost/scenarios",
        R"({"name":"rate-limit","on":true,"every":1,"burst":1,"retryAfter":7})");
  auto limited = connector.Status(created->remote_id);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  ASSERT_TRUE(limited.error().retry_after);
  EXPECT_EQ(*limited.error().retry_after, std::chrono::milliseconds(7000));
  Admin("POST", "/__sandbox/inpost/scenarios", R"({"name":"rate-limit","on":false})");

  EXPECT_TRUE(connector.Status(created->remote_id));
}

}  // namespace
}  // namespace nadajnik::testing
