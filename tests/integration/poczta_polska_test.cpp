// The Poczta Polska connector against the e-Nadawca simulator of nadajnik-sandbox, over real HTTP:
// the bufor / envelope cycle, batches, labels decoded as a scanner would, tracking through the EPO
// statuses, cancel rules and the errors a seller must be able to act on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "carriers/poczta_polska/api.hpp"
#include "net/http_client.hpp"
#include "support/barcodes.hpp"
#include "support/process.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using carriers::ShipmentRequest;
using carriers::poczta_polska::PocztaPolskaConnector;
using carriers::poczta_polska::PocztaPolskaSettings;
using domain::LabelFormat;
using domain::TrackingState;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kLogin[] = "nadajnik-en";
constexpr char kPassword[] = "haslo-en-sandbox";
constexpr char kNrb[] = "61109010140000071219812874";

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest Pocztex(const std::string& reference) {
  ShipmentRequest r;
  r.reference = reference;
  r.service = "pocztex_kurier";
  r.receiver = {"Anna Nowak",     "", "Półwiejska", "2", "61-888", "Poznań", "PL", "601 702 803",
                "anna@example.pl"};
  r.sender = {"",          "Sklep Wiśnia Sp. z o.o.", "Malborska", "130", "30-624", "Kraków", "PL",
              "500600700", "sklep@example.pl"};
  r.parcels.push_back(domain::Parcel{"", 1500, 300, 200, 100, ""});
  r.cash_on_delivery = Pln(12999);
  r.cod_bank_account = kNrb;
  return r;
}

ShipmentRequest Paczka(const std::string& reference) {
  ShipmentRequest r = Pocztex(reference);
  r.service = "paczka_pocztowa";
  r.cash_on_delivery.reset();
  r.cod_bank_account.clear();
  return r;
}

class PocztaPolskaTest : public ::testing::Test, protected SandboxProcess {
 protected:
  void SetUp() override {
    Start({"--poczta-polska-accept-ms", "300"});
    http_ = net::MakeCurlHttpClient();
  }

  PocztaPolskaSettings Settings(std::string password = kPassword) {
    PocztaPolskaSettings s;
    s.base_url = base() + "/poczta-polska";
    s.login = kLogin;
    s.password = Secret<std::string>(std::move(password));
    s.urzad_nadania = 260001;
    s.timeout = 10s;
    return s;
  }

  PocztaPolskaConnector Connector() { return PocztaPolskaConnector(*http_, Settings()); }

  json::value Advance(const std::string& number, const std::string& body = "{}") {
    return Admin("POST", "/__sandbox/poczta-polska/shipments/" + number + "/advance", body);
  }

  std::vector<std::string> DecodePdf(const std::string& pdf) {
    return DecodeCode128(pdf, work_.path());
  }

  std::unique_ptr<net::HttpClient> http_;
  TempDir work_;
};

TEST_F(PocztaPolskaTest, CredentialsAreCheckedWithOneCall) {
  auto ok = Connector().CheckCredentials();
  EXPECT_TRUE(ok) << ok.error().message;

  PocztaPolskaConnector bad(*http_, Settings("wrong-password"));
  auto refused = bad.CheckCredentials();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(refused.error().message, HasSubstr("login or password"));
  EXPECT_THAT(refused.error().message, HasSubstr("Ustawienia > Przewoźnicy"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("wrong-password")));
  auto create = bad.Create(Pocztex("pp-bad-login"));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, ErrorCode::kPermissionDenied);

  auto other_office = Settings();
  other_office.urzad_nadania = 999999;
  auto office = PocztaPolskaConnector(*http_, other_office).CheckCredentials();
  ASSERT_FALSE(office);
  EXPECT_THAT(office.error().message, HasSubstr("Posting office 999999 is not one"));
}

TEST_F(PocztaPolskaTest, ABatchGoesThroughTheBuforEnvelopeAndTracking) {
  auto connector = Connector();
  ASSERT_TRUE(connector.ClearBuffer());
  auto missing_code = Pocztex("pp-batch-3");
  missing_code.receiver.postal_code = "00-000";  // well-formed, but no such code
  auto batch = connector.CreateMany({Pocztex("pp-batch-1"), Paczka("pp-batch-2"), missing_code});
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_EQ(batch->size(), 3u);
  ASSERT_TRUE((*batch)[0]) << (*batch)[0].error().message;
  ASSERT_TRUE((*batch)[1]) << (*batch)[1].error().message;
  ASSERT_FALSE((*batch)[2]);
  EXPECT_EQ((*batch)[2].error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT((*batch)[2].error().message, HasSubstr("pp-batch-3"));
  EXPECT_THAT((*batch)[2].error().message, HasSubstr("correct the receiver's postal code"));
  const auto pocztex = *(*batch)[0];
  const auto paczka = *(*batch)[1];
  EXPECT_TRUE(pocztex.confirmed);
  EXPECT_EQ(pocztex.status, "W_BUFORZE");
  EXPECT_TRUE(std::regex_match(pocztex.tracking_number, std::regex(R"(\d{20})")))
      << pocztex.tracking_number;

  // A retry finds the earlier attempt by its reference.
  auto found = connector.FindByReference("pp-batch-1");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->remote_id, pocztex.remote_id);
  auto none = connector.FindByReference("pp-never-sent");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto pdf = connector.FetchLabel(pocztex.remote_id, LabelFormat::kPdfA6);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(DecodePdf(pdf->bytes), std::vector<std::string>{pocztex.tracking_number});
  auto paczka_pdf = connector.FetchLabel(paczka.remote_id, LabelFormat::kPdfA6);
  ASSERT_TRUE(paczka_pdf) << paczka_pdf.error().message;
  EXPECT_EQ(DecodePdf(paczka_pdf->bytes), std::vector<std::string>{paczka.tracking_number});
  for (auto format : {LabelFormat::kZpl203, LabelFormat::kZpl300}) {
    auto zpl = connector.FetchLabel(pocztex.remote_id, format);
    ASSERT_TRUE(zpl) << zpl.error().message;
    EXPECT_TRUE(zpl->bytes.starts_with("^XA"));
    EXPECT_THAT(zpl->bytes, HasSubstr(pocztex.tracking_number));
    EXPECT_THAT(zpl->bytes, HasSubstr("^BC"));
  }

  auto before = connector.Track(pocztex.tracking_number);
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ(before->back().state, TrackingState::kCreated);

  auto sent = connector.SendEnvelope();
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(sent->status, "WYSLANY");
  auto empty_again = connector.SendEnvelope();
  ASSERT_FALSE(empty_again) << "the bufor was closed into the envelope";
  EXPECT_THAT(empty_again.error().message, HasSubstr("pusty"));
  std::string status;
  for (int i = 0; i < 50 && status != "PRZYJETY"; ++i) {
    auto s = connector.EnvelopeStatus(sent->id);
    ASSERT_TRUE(s) << s.error().message;
    status = s->status;
    if (status != "PRZYJETY") std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, "PRZYJETY");

  auto in_envelope = connector.Status(pocztex.remote_id);
  ASSERT_TRUE(in_envelope) << in_envelope.error().message;
  EXPECT_EQ(in_envelope->status, "KOPERTA_" + std::to_string(sent->id) + "_PRZYJETY");
  auto label_after = connector.FetchLabel(pocztex.remote_id, LabelFormat::kPdfA6);
  EXPECT_TRUE(label_after) << "labels stay available after sending";

  const std::vector<std::pair<std::string, TrackingState>> journey = {
      {"NADANIE", TrackingState::kInTransit},
      {"W_TRANSPORCIE", TrackingState::kInTransit},
      {"W_DORECZENIU", TrackingState::kOutForDelivery},
      {"DORECZONA", TrackingState::kDelivered},
  };
  for (const auto& [code, state] : journey) {
    auto shipment = Advance(pocztex.tracking_number);
    EXPECT_EQ(shipment.at("statusEPO"), code.c_str());
    auto events = connector.Track(pocztex.tracking_number);
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ(events->front().state, TrackingState::kCreated);
    EXPECT_EQ(events->back().code, code);
    EXPECT_EQ(events->back().state, state) << code;
  }
  Advance(paczka.tracking_number, R"({"status":"AWIZO"})");
  auto awizo = connector.Track(paczka.tracking_number);
  ASSERT_TRUE(awizo) << awizo.error().message;
  EXPECT_EQ(awizo->back().state, TrackingState::kReadyForPickup);

  auto cancel = connector.Cancel(pocztex.remote_id);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(cancel.error().message, HasSubstr("can't cancel it any more"));
}

TEST_F(PocztaPolskaTest, CancelWorksWhileTheShipmentIsInTheBufor) {
  auto connector = Connector();
  auto created = connector.Create(Pocztex("pp-cancel-1"));
  ASSERT_TRUE(created) << created.error().message;
  auto kept = connector.Create(Paczka("pp-cancel-2"));
  ASSERT_TRUE(kept) << kept.error().message;
  auto cancelled = connector.Cancel(created->remote_id);
  EXPECT_TRUE(cancelled) << cancelled.error().message;
  auto gone = connector.Status(created->remote_id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(connector.FetchLabel(created->remote_id, LabelFormat::kPdfA6));
  EXPECT_TRUE(connector.Status(kept->remote_id));

  ASSERT_TRUE(connector.ClearBuffer());
  EXPECT_FALSE(connector.Status(kept->remote_id)) << "clearEnvelope empties the bufor";
}

TEST_F(PocztaPolskaTest, TheSellerLearnsWhatToFix) {
  auto connector = Connector();

  auto letter = Pocztex("pp-err-letter");
  letter.service = "list_zwykly";
  auto refused = connector.Create(letter);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("no tracking number"));

  auto postal = Pocztex("pp-err-postal");
  postal.receiver.postal_code = "618-88";
  auto bad_postal = connector.Create(postal);
  ASSERT_FALSE(bad_postal);
  EXPECT_EQ(bad_postal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad_postal.error().message, HasSubstr("receiver's postal code as NN-NNN; '618-88'"));

  auto point = Pocztex("pp-err-point");
  point.target_point = "999999";
  auto unknown_point = connector.Create(point);
  ASSERT_FALSE(unknown_point);
  EXPECT_EQ(unknown_point.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown_point.error().message, HasSubstr("Nieznany punkt odbioru"));
  EXPECT_THAT(unknown_point.error().message, HasSubstr("choose another pickup point"));

  auto nrb = Pocztex("pp-err-nrb");
  nrb.cod_bank_account = "62109010140000071219812874";
  auto bad_nrb = connector.Create(nrb);
  ASSERT_FALSE(bad_nrb);
  EXPECT_THAT(bad_nrb.error().message, HasSubstr("not a valid Polish account number (NRB"));

  auto cod = Pocztex("pp-err-cod");
  cod.cash_on_delivery = Pln(600000);
  auto over = connector.Create(cod);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(over.error().message, HasSubstr("over the Poczta Polska limit of 5000.00 PLN"));

  // The same COD past a client whose limit is set higher: the simulator refuses it in-band.
  auto lenient_settings = Settings();
  lenient_settings.defaults.max_cod_minor = 9999999;
  PocztaPolskaConnector lenient(*http_, lenient_settings);
  auto server_over = lenient.Create(cod);
  ASSERT_FALSE(server_over);
  EXPECT_EQ(server_over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(server_over.error().message, HasSubstr("przekracza"));
  EXPECT_THAT(server_over.error().message, HasSubstr("lower the cash-on-delivery amount"));

  // A point that takes less COD than the account limit.
  auto small_point = Pocztex("pp-err-point-cod");
  small_point.target_point = "261402";
  small_point.cash_on_delivery = Pln(300000);
  auto point_cod = connector.Create(small_point);
  ASSERT_FALSE(point_cod);
  EXPECT_THAT(point_cod.error().message, HasSubstr("nie przyjmuje pobrania"));

  // The simulator's own answer to a GUID that is not 32 characters: a SOAP Fault.
  auto raw = client_.Request(
      "POST", base() + "/poczta-polska/websrv/en.php",
      {{"Authorization", "Basic bmFkYWpuaWstZW46aGFzbG8tZW4tc2FuZGJveA=="},
       {"Content-Type", "text/xml; charset=utf-8"}},
      R"(<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
          xmlns:e="http://e-nadawca.poczta-polska.pl"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Body><e:addShipment>
          <przesylki xsi:type="e:pocztex2021KurierType" guid="short"/></e:addShipment>
          </s:Body></s:Envelope>)");
  EXPECT_EQ(raw.status, 500);
  EXPECT_THAT(raw.body, HasSubstr("Fault"));
  EXPECT_THAT(raw.body, HasSubstr("32 characters"));
}

TEST_F(PocztaPolskaTest, OutagesAreRetryable) {
  auto connector = Connector();
  Admin("POST", "/__sandbox/poczta-polska/scenarios",
        R"({"name":"server-errors","on":true,"every":1,"burst":1})");
  auto down = connector.CheckCredentials();
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(down.error().retryable);
  Admin("POST", "/__sandbox/poczta-polska/scenarios", R"({"name":"server-errors","on":false})");
  EXPECT_TRUE(connector.CheckCredentials());
}

}  // namespace
}  // namespace nadajnik::testing
