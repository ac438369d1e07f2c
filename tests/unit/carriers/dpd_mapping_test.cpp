#include "carriers/dpd/mapping.hpp"

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace nadajnik::carriers::dpd {
namespace {

using domain::TrackingState;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NADAJNIK_SOURCE_DIR) + "/tests/fixtures/dpd/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

const AuthData kAuth{"149510101", "sekret", "1495101"};

ShipmentRequest CourierRequest() {
  ShipmentRequest r;
  r.reference = "nadajnik-7f3a9c";
  r.service = std::string(kServiceClassic);
  r.receiver = {"Anna Nowak",     "", "Półwiejska", "2", "61888", "Poznań", "PL", "+48 600-700-801",
                "anna@example.pl"};
  r.sender = {"",   "Sklep Wiśnia", "Malborska",       "130", "30-624", "Kraków",
              "PL", "500600700",    "sklep@example.pl"};
  r.parcels.push_back(domain::Parcel{"", 1250, 301, 200, 100, ""});
  r.parcels.push_back(domain::Parcel{"", 800, 200, 200, 100, ""});
  r.cash_on_delivery = Pln(12999);
  r.comment = "Zamówienie 1001";
  return r;
}

pugi::xml_node Op(pugi::xml_document& doc, const std::string& xml) {
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return doc.child("soapenv:Envelope").child("soapenv:Body").first_child();
}

TEST(DpdMapping, CreateEnvelopeCarriesPackagesServicesAndAuth) {
  auto r = CourierRequest();
  const auto xml =
      BuildGeneratePackagesNumbers({r}, kAuth, {}, GenerationPolicy::kStopOnFirstError, "PL");
  ASSERT_TRUE(xml) << xml.error().message;
  pugi::xml_document doc;
  auto op = Op(doc, *xml);
  EXPECT_STREQ(op.name(), "dpd:generatePackagesNumbersV4");
  EXPECT_STREQ(doc.document_element().attribute("xmlns:dpd").value(),
               "http://dpdservices.dpd.com.pl/");
  auto pkg = op.child("openUMLFeV3").child("packages");
  EXPECT_STREQ(pkg.child_value("payerType"), "SENDER");
  EXPECT_STREQ(pkg.child_value("reference"), "nadajnik-7f3a9c");
  EXPECT_STREQ(pkg.child("receiver").child_value("postalCode"), "61-888");
  EXPECT_STREQ(pkg.child("receiver").child_value("address"), "Półwiejska 2");
  EXPECT_STREQ(pkg.child("receiver").child_value("phone"), "600700801");
  EXPECT_STREQ(pkg.child("sender").child_value("fid"), "1495101");
  EXPECT_FALSE(pkg.child("receiver").child("fid"));
  auto parcel = pkg.child("parcels");
  EXPECT_STREQ(parcel.child_value("weight"), "1.25");
  EXPECT_STREQ(parcel.child_value("sizeX"), "31") << "cm, rounded up";
  EXPECT_EQ(std::distance(pkg.children("parcels").begin(), pkg.children("parcels").end()), 2);
  EXPECT_STREQ(pkg.child("services").child("cod").child_value("amount"), "129.99");
  EXPECT_STREQ(pkg.child("services").child("cod").child_value("currency"), "PLN");
  EXPECT_FALSE(pkg.child("services").child("dpdPickup"));
  EXPECT_STREQ(op.child_value("pkgNumsGenerationPolicyV1"), "STOP_ON_FIRST_ERROR");
  EXPECT_STREQ(op.child("authDataV1").child_value("masterFid"), "1495101");
  EXPECT_STREQ(op.child("authDataV1").child_value("login"), "149510101");
}

TEST(DpdMapping, PickupServiceSendsThePudo) {
  auto r = CourierRequest();
  r.service = std::string(kServicePickup);
  r.target_point = "PL11033";
  const auto xml =
      BuildGeneratePackagesNumbers({r}, kAuth, {}, GenerationPolicy::kIgnoreErrors, "PL").value();
  pugi::xml_document doc;
  auto pkg = Op(doc, xml).child("openUMLFeV3").child("packages");
  EXPECT_STREQ(pkg.child("services").child("dpdPickup").child_value("pudo"), "PL11033");
}

TEST(DpdMapping, ValidationNamesTheWrongField) {
  struct Case {
    const char* name;
    std::function<void(ShipmentRequest&)> change;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"postal code", [](ShipmentRequest& r) { r.receiver.postal_code = "6-1888"; },
       "receiver's postal code as NN-NNN; '6-1888'"},
      {"sender phone", [](ShipmentRequest& r) { r.sender.phone = ""; }, "sender's phone number"},
      {"pickup point", [](ShipmentRequest& r) { r.service = std::string(kServicePickup); },
       "needs the pickup point"},
      {"cod limit", [](ShipmentRequest& r) { r.cash_on_delivery = Pln(1100001); },
       "11000.01 PLN is over DPD's limit of 11000.00 PLN"},
      {"cod currency",
       [](ShipmentRequest& r) {
         r.cash_on_delivery = Money{100, Currency::Parse("EUR").value()};
       },
       "in PLN only"},
      {"weight", [](ShipmentRequest& r) { r.parcels[1].weight_grams = 0; },
       "Parcel 2 needs its weight"},
      {"service", [](ShipmentRequest& r) { r.service = "dpd_express"; }, "not a DPD service"},
  };
  for (const auto& c : cases) {
    auto r = CourierRequest();
    c.change(r);
    auto v = ValidateRequest(r, {});
    ASSERT_FALSE(v) << c.name;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(v.error().message, HasSubstr(c.expected)) << c.name;
  }
  auto many =
      BuildGeneratePackagesNumbers({CourierRequest(), CourierRequest()}, kAuth,
                                   {.max_cod_minor = 100}, GenerationPolicy::kIgnoreErrors, "PL");
  ASSERT_FALSE(many);
  EXPECT_THAT(many.error().message, HasSubstr("Shipment 1: "));
}

TEST(DpdMapping, ParsesAcceptedPackageIntoAConfirmedShipment) {
  auto parsed = ParseGeneratePackagesNumbers(ReadFixture("generate_ok.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->status, "OK");
  EXPECT_EQ(parsed->session_id, "1001");
  ASSERT_EQ(parsed->packages.size(), 1u);
  auto s = ToRemoteShipment(parsed->packages[0], CourierRequest());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->confirmed);
  EXPECT_EQ(s->tracking_number, "0000092494467Q");
  EXPECT_EQ(s->remote_id, "0000092494467Q,0000092494468Q");
  EXPECT_EQ(WaybillsOf(s->remote_id).value(),
            (std::vector<std::string>{"0000092494467Q", "0000092494468Q"}));
  EXPECT_FALSE(WaybillsOf("abc,<x>"));
  EXPECT_FALSE(WaybillsOf(""));
}

TEST(DpdMapping, SenderPostalCodeErrorTellsWhereToFixIt) {
  auto parsed = ParseGeneratePackagesNumbers(ReadFixture("generate_sender_postal_code.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto s = ToRemoteShipment(parsed->packages[0], CourierRequest());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.error().message, HasSubstr("sender's postal code '30-624'"));
  EXPECT_THAT(s.error().message, HasSubstr("INCORRECT_SENDER_POSTAL_CODE"));
  EXPECT_THAT(s.error().message, HasSubstr("Ustawienia > Przewoźnicy"));
}

TEST(DpdMapping, ArraysAsRepeatedElementsAndUnknownPickupPoint) {
  auto parsed = ParseGeneratePackagesNumbers(ReadFixture("generate_repeated_arrays.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->packages.size(), 2u);
  EXPECT_EQ(parsed->packages[0].parcels.at(0).waybill, "0000092494467Q");
  auto r = CourierRequest();
  r.target_point = "PL99999";
  auto refused = ToRemoteShipment(parsed->packages[1], r);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("pickup point 'PL99999'"));
}

TEST(DpdMapping, DeniedAccessFaultNamesTheSettings) {
  auto e =
      ErrorFromFault(500, ReadFixture("fault_denied_access.xml"), "create the shipment", kAuth);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(e->message, HasSubstr("login '149510101' with master FID '1495101'"));
  EXPECT_THAT(e->message, Not(HasSubstr("sekret")));
  EXPECT_FALSE(ErrorFromFault(200, ReadFixture("generate_ok.xml"), "x", kAuth));
  auto outage = ErrorFromFault(503, "Service Unavailable", "create the shipment", kAuth);
  ASSERT_TRUE(outage);
  EXPECT_EQ(outage->code, ErrorCode::kUnavailable);
  EXPECT_TRUE(outage->retryable);
}

TEST(DpdMapping, LabelRequestAndDocument) {
  auto a4 = BuildGenerateSpedLabels({"0000092494467Q"}, domain::LabelFormat::kPdfA4, kAuth);
  ASSERT_TRUE(a4);
  pugi::xml_document doc;
  auto op = Op(doc, *a4);
  EXPECT_STREQ(op.child_value("outputDocFormatV1"), "PDF");
  EXPECT_STREQ(op.child_value("outputDocPageFormatV1"), "A4");
  EXPECT_STREQ(op.child_value("outputLabelType"), "BIC3");
  EXPECT_STREQ(op.child("dpdServicesParamsV1")
                   .child("session")
                   .child("packages")
                   .child("parcels")
                   .child_value("waybill"),
               "0000092494467Q");
  auto zpl = BuildGenerateSpedLabels({"X"}, domain::LabelFormat::kZpl203, kAuth).value();
  pugi::xml_document zdoc;
  EXPECT_STREQ(Op(zdoc, zpl).child_value("outputDocPageFormatV1"), "LBL_PRINTER");
  auto z300 = BuildGenerateSpedLabels({"X"}, domain::LabelFormat::kZpl300, kAuth);
  ASSERT_FALSE(z300);
  EXPECT_EQ(z300.error().code, ErrorCode::kFailedPrecondition);

  auto parsed = ParseDocument(ReadFixture("labels_ok.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->status, "OK");
  EXPECT_EQ(parsed->document_id, "DOC00000001");
  EXPECT_EQ(parsed->data, "^XA^FO50,50^FDdpd^FS^XZ");
}

TEST(DpdMapping, EventsComeOldestFirstWithNormalisedStates) {
  auto events = ParseEvents(ReadFixture("events.xml"));
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].code, "030103");
  EXPECT_EQ((*events)[0].state, TrackingState::kCreated);
  EXPECT_EQ((*events)[1].state, TrackingState::kInTransit);
  EXPECT_EQ((*events)[2].state, TrackingState::kDelivered);
  EXPECT_EQ((*events)[2].description, "Przesyłka doręczona");
  // 2024-05-10 12:00:00 in Warsaw (CEST) is 10:00 UTC.
  EXPECT_EQ(FormatIso8601((*events)[0].at).substr(0, 19), "2024-05-10T10:00:00");
  EXPECT_EQ(TrackingStateFor("180101"), TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateFor("999999"), TrackingState::kUnknown);
}

TEST(DpdMapping, Base64) {
  EXPECT_EQ(DecodeBase64("UERG").value(), "PDF");
  EXPECT_EQ(DecodeBase64("YQ==").value(), "a");
  EXPECT_FALSE(DecodeBase64("YQ=x"));
  EXPECT_FALSE(DecodeBase64("*"));
}

}  // namespace
}  // namespace nadajnik::carriers::dpd
