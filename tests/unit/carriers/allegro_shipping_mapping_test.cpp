// Wysyłam z Allegro wire mapping, on bodies shaped as shared/reference/allegro-api.md section 5
// and allegro-openapi.yaml (/shipment-management/*, /order/carriers/{carrierId}/tracking) show.
#include "carriers/allegro_shipping/mapping.hpp"

#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace nadajnik::carriers::allegro_shipping {
namespace {

namespace json = boost::json;
using domain::TrackingState;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCommandId[] = "14e142cf-e8e0-48cc-bcf6-399b5fd90b32";

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest LockerRequest() {
  ShipmentRequest r;
  r.reference = "ORDER-10023";
  r.sender = Party{"Jan Nowak", "Sklep Sp. z o.o.", "Główna 30",       "", "10200", "Warszawa",
                   "PL",        "+48 500 600 700",  "sklep@example.pl"};
  r.receiver = Party{"Jan Kowalski",
                     "",
                     "Grunwaldzka",
                     "182",
                     "60-166",
                     "Poznań",
                     "PL",
                     "+48123123123",
                     "k7x2mq9v4d+1a2b3c4d5@allegromail.pl"};
  r.target_point = "POZ08A";
  r.parcels.push_back(domain::Parcel{"", 1200, 300, 200, 105, ""});
  r.checkout_form_id = "29738e61-7f6a-11e8-ac45-09db60ede9d6";
  r.delivery_method_id = "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93";
  return r;
}

json::object Input(const std::string& body) {
  json::value v = json::parse(body);
  return v.at("input").as_object();
}

TEST(AllegroShippingMappingTest, CreateCommandCarriesTheOrdersMethodAddressesAndPackages) {
  Settings settings;
  auto body = BuildCreateCommand(LockerRequest(), settings, kCommandId);
  ASSERT_TRUE(body) << body.error().Describe();
  // Decimals are plain JSON numbers, never 1.2E0 or strings.
  EXPECT_THAT(*body, HasSubstr(R"("value":1.2,"unit":"KILOGRAMS")"));
  EXPECT_THAT(*body, HasSubstr(R"("value":10.5,"unit":"CENTIMETER")"));
  EXPECT_THAT(*body, Not(HasSubstr("E0")));
  json::value v = json::parse(*body);
  EXPECT_EQ(v.at("commandId"), kCommandId);
  const json::object input = Input(*body);
  EXPECT_EQ(input.at("deliveryMethodId"), "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93");
  EXPECT_FALSE(input.contains("credentialsId"));  // Allegro Standard
  EXPECT_EQ(input.at("referenceNumber"), "ORDER-10023");
  EXPECT_EQ(input.at("labelFormat"), "PDF");
  const auto& sender = input.at("sender").as_object();
  EXPECT_EQ(sender.at("postalCode"), "10-200");
  EXPECT_EQ(sender.at("phone"), "500600700");
  EXPECT_EQ(sender.at("company"), "Sklep Sp. z o.o.");
  EXPECT_FALSE(sender.contains("point"));
  const auto& receiver = input.at("receiver").as_object();
  EXPECT_EQ(receiver.at("street"), "Grunwaldzka 182");
  EXPECT_EQ(receiver.at("email"), "k7x2mq9v4d+1a2b3c4d5@allegromail.pl");
  EXPECT_EQ(receiver.at("phone"), "123123123");
  EXPECT_EQ(receiver.at("point"), "POZ08A");
  EXPECT_EQ(receiver.at("countryCode"), "PL");
  EXPECT_FALSE(receiver.contains("company"));
  const auto& package = input.at("packages").as_array().at(0).as_object();
  EXPECT_EQ(package.at("type"), "PACKAGE");
  EXPECT_EQ(package.at("length").at("value").to_number<double>(), 30.0);
  EXPECT_EQ(package.at("width").at("value").to_number<double>(), 20.0);
  EXPECT_EQ(package.at("length").at("unit"), "CENTIMETER");
  EXPECT_EQ(package.at("weight").at("unit"), "KILOGRAMS");
  EXPECT_FALSE(input.contains("cashOnDelivery"));
  EXPECT_TRUE(input.at("additionalServices").as_array().empty());
}

TEST(AllegroShippingMappingTest, SettingsOverrideTheMethodAndChooseZplAndAContract) {
  auto settings = ParseSettings({{"delivery_method_id", "A7D0E2C4-6B8F-4E1A-9C3D-5F7B9E1A3C5D"},
                                 {"credentials_id", "c9e6f40a-3d25-48fc-838c-055ceb1c5bc0"},
                                 {"label_format", "ZPL"},
                                 {"default_service", "anything"}});
  ASSERT_TRUE(settings) << settings.error().Describe();
  auto body = BuildCreateCommand(LockerRequest(), *settings, kCommandId);
  ASSERT_TRUE(body) << body.error().Describe();
  const json::object input = Input(*body);
  EXPECT_EQ(input.at("deliveryMethodId"), "a7d0e2c4-6b8f-4e1a-9c3d-5f7b9e1a3c5d");
  EXPECT_EQ(input.at("credentialsId"), "c9e6f40a-3d25-48fc-838c-055ceb1c5bc0");
  EXPECT_EQ(input.at("labelFormat"), "ZPL");
}

TEST(AllegroShippingMappingTest, NoMethodAnywhereLetsAllegroTakeTheOrders) {
  ShipmentRequest r = LockerRequest();
  r.delivery_method_id.clear();
  r.service = "allegro_standard";
  auto body = BuildCreateCommand(r, Settings{}, kCommandId);
  ASSERT_TRUE(body) << body.error().Describe();
  EXPECT_FALSE(Input(*body).contains("deliveryMethodId"));
  r.service = "862502FA-344E-4573-8577-00F9C78DC5A4";  // a method UUID given as the service
  EXPECT_EQ(EffectiveDeliveryMethod(r, Settings{}), "862502fa-344e-4573-8577-00f9c78dc5a4");
}

TEST(AllegroShippingMappingTest, CashOnDeliveryAndInsuranceAreDecimalStringsWithTheIban) {
  ShipmentRequest r = LockerRequest();
  r.cash_on_delivery = Pln(13844);
  r.insurance = Pln(50000);
  r.cod_bank_account = "61 1090 1014 0000 0712 1981 2874";
  r.comment = "Zamówienie\n123";
  auto body = BuildCreateCommand(r, Settings{}, kCommandId);
  ASSERT_TRUE(body) << body.error().Describe();
  const json::object input = Input(*body);
  EXPECT_EQ(input.at("cashOnDelivery").at("amount"), "138.44");
  EXPECT_EQ(input.at("cashOnDelivery").at("currency"), "PLN");
  EXPECT_EQ(input.at("cashOnDelivery").at("iban"), "PL61109010140000071219812874");
  EXPECT_EQ(input.at("cashOnDelivery").at("ownerName"), "Sklep Sp. z o.o.");
  EXPECT_EQ(input.at("insurance").at("amount"), "500.00");
  EXPECT_EQ(input.at("packages").at(0).at("textOnLabel"), "Zamówienie 123");
}

TEST(AllegroShippingMappingTest, LockerTemplateGivesTheBoxDimensionsWhenTheParcelHasNone) {
  ShipmentRequest r = LockerRequest();
  r.parcels = {domain::Parcel{"B", 2500, 0, 0, 0, ""}};
  auto body = BuildCreateCommand(r, Settings{}, kCommandId);
  ASSERT_TRUE(body) << body.error().Describe();
  const json::object input = Input(*body);
  const auto& p = input.at("packages").at(0);
  EXPECT_EQ(p.at("length").at("value").to_number<double>(), 64.0);
  EXPECT_EQ(p.at("height").at("value").to_number<double>(), 19.0);
  EXPECT_EQ(p.at("weight").at("value").to_number<double>(), 2.5);
}

TEST(AllegroShippingMappingTest, RefusesWhatAllegroWouldRefuseNamingTheField) {
  auto error = [](ShipmentRequest r) {
    auto body = BuildCreateCommand(r, Settings{}, kCommandId);
    EXPECT_FALSE(body);
    return body ? Error{} : body.error();
  };
  ShipmentRequest r = LockerRequest();
  r.parcels = {domain::Parcel{"", 1000, 0, 0, 0, ""}};
  Error e = error(r);
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("packages[0]"));
  r = LockerRequest();
  r.parcels[0].weight_grams = 0;
  EXPECT_THAT(error(r).message, HasSubstr("packages[0].weight"));
  r = LockerRequest();
  r.receiver.postal_code = "6016";
  EXPECT_THAT(error(r).message, HasSubstr("receiver's postal code"));
  r = LockerRequest();
  r.sender.phone = "12";
  EXPECT_THAT(error(r).message, HasSubstr("sender's phone"));
  r = LockerRequest();
  r.receiver.name.clear();
  EXPECT_THAT(error(r).message, HasSubstr("receiver.name"));
  r = LockerRequest();
  r.receiver.email = "jan.kowalski@example.pl";
  e = error(r);
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("receiver.email"));
  r = LockerRequest();
  r.cash_on_delivery = Pln(1000);
  r.cod_bank_account = "12 3456";
  EXPECT_THAT(error(r).message, HasSubstr("bank_account"));
  r = LockerRequest();
  r.parcels.clear();
  EXPECT_THAT(error(r).message, HasSubstr("no parcels"));
}

TEST(AllegroShippingMappingTest, ReceiverEmailMustBeAWellFormedAllegromailAddress) {
  EXPECT_TRUE(ValidateReceiverEmail("k7x2mq9v4d+1a2b3c4d5@allegromail.pl"));
  EXPECT_TRUE(ValidateReceiverEmail("abc+17454c1b6@test.allegromail.com"));
  EXPECT_TRUE(ValidateReceiverEmail("Hamu7udk3p+17454C1B6@AllegroMail.pl"));
  for (const char* bad :
       {"", "jan@example.pl", "k7x2mq9v4d+1a2b@@allegromail.pl", "k7x2mq9v4d", "a b@allegromail.pl",
        "abc@allegromail", "abc@allegromail.", ".abc@allegromail.pl", "abc@-allegromail.pl",
        "abc@allegromail.p1", "abc@allegromail.pl\n"}) {
    auto r = ValidateReceiverEmail(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_THAT(r.error().message, HasSubstr("receiver.email")) << bad;
  }
  EXPECT_THAT(ValidateReceiverEmail("").error().message, HasSubstr("missing"));
  EXPECT_THAT(ValidateReceiverEmail("jan@example.pl").error().message, HasSubstr("allegromail"));
  EXPECT_FALSE(ValidateReceiverEmail(std::string(300, 'a') + "@allegromail.pl"));
}

TEST(AllegroShippingMappingTest, CommandIdIsTheReferenceOrAStableUuidDerivedFromIt) {
  EXPECT_EQ(CommandIdFor("14E142CF-E8E0-48CC-BCF6-399B5FD90B32"), kCommandId);
  const std::string a = CommandIdFor("nadajnik-shipment-41");
  EXPECT_TRUE(LooksLikeUuid(a)) << a;
  EXPECT_EQ(a, CommandIdFor("nadajnik-shipment-41"));
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(CommandIdFor("shipment-" + std::to_string(i)));
  EXPECT_EQ(ids.size(), 10000u);
  EXPECT_NE(CancelCommandIdFor("ba88f0fb-acf3-438a-877e-580da50c0874"),
            CommandIdFor("ba88f0fb-acf3-438a-877e-580da50c0874"));
  EXPECT_TRUE(LooksLikeUuid(CancelCommandIdFor("x")));
  EXPECT_FALSE(LooksLikeUuid("14e142cf-e8e0-48cc-bcf6-399b5fd90b3"));
  EXPECT_FALSE(LooksLikeUuid("14e142cf+e8e0-48cc-bcf6-399b5fd90b32"));
}

TEST(AllegroShippingMappingTest, SettingsNameTheKeyToFix) {
  auto bad = [](std::map<std::string, std::string> s) {
    auto r = ParseSettings(s);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_THAT(bad({{"delivery_method_id", "Allegro Paczkomaty"}}), HasSubstr("delivery_method_id"));
  EXPECT_THAT(bad({{"credentials_id", "my-contract"}}), HasSubstr("credentials_id"));
  EXPECT_THAT(bad({{"label_format", "epl"}}), HasSubstr("label_format"));
  EXPECT_THAT(bad({{"tracking_carrier_id", "inpost"}}), HasSubstr("tracking_carrier_id"));
  auto ok = ParseSettings({});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->label_format, WireLabelFormat::kPdf);
  EXPECT_TRUE(ok->delivery_method_id.empty());
}

TEST(AllegroShippingMappingTest, CommandStatusesOfTheDocumentation) {
  auto in_progress = ParseCommandStatus(
      R"({"commandId":"14e142cf-e8e0-48cc-bcf6-399b5fd90b32","status":"IN_PROGRESS","errors":[],"shipmentId":null})");
  ASSERT_TRUE(in_progress) << in_progress.error().Describe();
  EXPECT_EQ(in_progress->state, CommandState::kInProgress);
  RemoteShipment r = RemoteFromCommand(*in_progress);
  EXPECT_EQ(r.remote_id, std::string("command:") + kCommandId);
  EXPECT_FALSE(r.confirmed);
  EXPECT_EQ(CommandIdOfRemoteId(r.remote_id), kCommandId);
  EXPECT_EQ(CommandIdOfRemoteId("ba88f0fb-acf3-438a-877e-580da50c0874"), std::nullopt);

  auto success = ParseCommandStatus(
      R"({"commandId":"14e142cf-e8e0-48cc-bcf6-399b5fd90b32","status":"SUCCESS","errors":[],"shipmentId":"ba88f0fb-acf3-438a-877e-580da50c0874"})");
  ASSERT_TRUE(success);
  EXPECT_EQ(success->state, CommandState::kSuccess);
  EXPECT_EQ(success->shipment_id, "ba88f0fb-acf3-438a-877e-580da50c0874");

  auto error = ParseCommandStatus(R"({"commandId":"14e142cf-e8e0-48cc-bcf6-399b5fd90b32",
      "status":"ERROR","shipmentId":null,"errors":[{"code":"VALIDATION_ERROR",
      "message":"Credentials ID is required for selecting method...","details":"...",
      "path":"input.credentialsId","userMessage":"Podaj identyfikator umowy"}]})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->state, CommandState::kError);
  r = RemoteFromCommand(*error);
  EXPECT_FALSE(r.confirmed);
  EXPECT_EQ(r.status, "ERROR");
  EXPECT_THAT(r.error, HasSubstr("carrier contract (credentials_id)"));
  EXPECT_THAT(r.error, HasSubstr("Podaj identyfikator umowy"));

  EXPECT_EQ(ParseCommandStatus(R"({"status":"DONE"})").error().code, ErrorCode::kInternal);
  EXPECT_FALSE(ParseCommandStatus(R"({"status":"SUCCESS","shipmentId":null})"));
  EXPECT_FALSE(ParseCommandStatus("<html>"));
}

TEST(AllegroShippingMappingTest, ShipmentDetailsGiveTheWaybillAndCancellation) {
  const std::string body = R"({"id":"ba88f0fb-acf3-438a-877e-580da50c0874",
    "deliveryMethodId":"2488f7b7-5d1c-4d65-b85c-4cbcf253fd93","credentialsId":null,
    "referenceNumber":"ORDER-10023",
    "packages":[{"waybill":"620000000000000000000001","type":"PACKAGE",
      "length":{"value":30,"unit":"CENTIMETER"},"weight":{"value":1.2,"unit":"KILOGRAMS"},
      "transportingInfo":[{"carrierId":"INPOST","carrierWaybill":"620000000000000000000001"}]},
      {"waybill":"620000000000000000000002","type":"PACKAGE"}],
    "createdDate":"2020-01-11T09:36:57.00Z","canceledDate":null,"carrier":"INPOST",
    "labelFormat":"PDF","transport":["InPost"],"pickupAvailable":false})";
  auto s = ParseShipment(body);
  ASSERT_TRUE(s) << s.error().Describe();
  EXPECT_EQ(s->waybills.size(), 2u);
  EXPECT_EQ(s->carrier, "INPOST");
  EXPECT_FALSE(s->cancelled);
  RemoteShipment r = RemoteFromShipment(*s);
  EXPECT_TRUE(r.confirmed);
  EXPECT_EQ(r.remote_id, "ba88f0fb-acf3-438a-877e-580da50c0874");
  EXPECT_EQ(r.tracking_number, "620000000000000000000001");

  std::string cancelled = body;
  cancelled.replace(cancelled.find("\"canceledDate\":null"), 19,
                    "\"canceledDate\":\"2020-01-12T09:36:57.00Z\"");
  s = ParseShipment(cancelled);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->cancelled);
  r = RemoteFromShipment(*s);
  EXPECT_FALSE(r.confirmed);
  EXPECT_EQ(r.status, "CANCELLED");
  EXPECT_THAT(r.error, HasSubstr("cancelled"));

  EXPECT_EQ(ParseShipment(R"({"packages":[]})").error().code, ErrorCode::kInternal);
}

TEST(AllegroShippingMappingTest, ErrorBodiesBecomeErrorsNamingTheField) {
  const std::string body = R"({"errors":[{"code":"VALIDATION_FAILED",
    "message":"Selected order can not be used","details":"allegro_order_not_found",
    "path":"receiver.email","userMessage":"Wybrane zamówienie nie może zostać użyte"}]})";
  Error e = ErrorFromResponse(400, body, "create the shipment");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("create the shipment"));
  EXPECT_THAT(e.message, HasSubstr("receiver's e-mail (receiver.email)"));
  EXPECT_THAT(e.message, HasSubstr("Wybrane zamówienie nie może zostać użyte"));
  EXPECT_THAT(e.details, HasSubstr("VALIDATION_FAILED"));

  const std::string package = R"({"errors":[{"code":"VALIDATION_ERROR",
    "message":"Package weight exceeds the limit","path":"input.packages[1].weight",
    "userMessage":"Za ciężka paczka","details":"x"}]})";
  EXPECT_THAT(ErrorFromResponse(422, package, "create the shipment").message,
              HasSubstr("parcel 2 weight (packages[1].weight)"));

  const std::string forbidden = R"({"errors":[{"code":"AUTHENTICATION_ERROR",
    "message":"No access, more information in the regulations of the I send with Allegro service",
    "path":"header.authorization","userMessage":"Brak dostępu","details":"forbidden"}]})";
  e = ErrorFromResponse(403, forbidden, "list the delivery services");
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(e.message, HasSubstr("authorize"));
  EXPECT_EQ(ErrorFromResponse(404, R"({"errors":[{"code":"SHIPMENT_NOT_FOUND"}]})", "read it").code,
            ErrorCode::kNotFound);
  e = ErrorFromResponse(504, R"({"errors":[{"code":"UPSTREAM_SERVICE_TIMEOUT"}]})", "create it");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(e.retryable);
  e = ErrorFromResponse(429, "", "create it");
  EXPECT_EQ(e.code, ErrorCode::kRateLimited);
  EXPECT_TRUE(e.retryable);
  EXPECT_EQ(ErrorFromResponse(409, "{}", "create it").code, ErrorCode::kConflict);
  // Untrusted bodies stay bounded.
  const std::string huge = R"({"errors":[{"code":"X","message":")" + std::string(100000, 'm') +
                           R"(","path":"receiver.city"}]})";
  e = ErrorFromResponse(400, huge, "create it");
  EXPECT_LT(e.message.size(), 2000u);
  EXPECT_LT(ErrorFromResponse(400, std::string(100000, '<'), "create it").details.size(), 1000u);
}

TEST(AllegroShippingMappingTest, ParsesProposalsAndServices) {
  auto p = ParseDeliveryProposal(R"({"orderId":"29738e61-7f6a-11e8-ac45-09db60ede9d6",
    "suggestedInput":{"deliveryMethodId":"2488F7B7-5d1c-4d65-b85c-4cbcf253fd93",
      "receiver":{"email":"k7x2mq9v4d+1a2b3c4d5@allegromail.pl","name":"Jan"},
      "sender":{},"packages":[]},
    "deliveryOptions":[{"deliveryType":"APM","paymentType":"PREPAID","packageType":"PACKAGE"}]})");
  ASSERT_TRUE(p) << p.error().Describe();
  EXPECT_EQ(p->delivery_method_id, "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93");
  EXPECT_EQ(p->receiver_email, "k7x2mq9v4d+1a2b3c4d5@allegromail.pl");
  EXPECT_EQ(p->delivery_options, 1);

  auto s = ParseDeliveryServices(R"({"services":[{"id":{"deliveryMethodId":
    "c3066682-97a3-42fe-9eb5-3beeccab840c","credentialsId":null},"name":"Allegro Kurier DPD",
    "carrierId":"DPD","owner":"ALLEGRO"}]})");
  ASSERT_TRUE(s) << s.error().Describe();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ(s->at(0).delivery_method_id, "c3066682-97a3-42fe-9eb5-3beeccab840c");
  EXPECT_EQ(s->at(0).credentials_id, "");
  EXPECT_FALSE(ParseDeliveryServices(R"({"services":{}})"));
}

TEST(AllegroShippingMappingTest, LabelRequestsFollowTheFormat) {
  auto a6 = BuildLabelRequest("ba88f0fb", domain::LabelFormat::kPdfA6);
  ASSERT_TRUE(a6);
  json::value v = json::parse(*a6);
  EXPECT_EQ(v.at("shipmentIds").at(0), "ba88f0fb");
  EXPECT_EQ(v.at("pageSize"), "A6");
  EXPECT_EQ(json::parse(*BuildLabelRequest("x", domain::LabelFormat::kPdfA4)).at("pageSize"), "A4");
  EXPECT_FALSE(json::parse(*BuildLabelRequest("x", domain::LabelFormat::kZpl203))
                   .as_object()
                   .contains("pageSize"));
  EXPECT_EQ(BuildLabelRequest("x", domain::LabelFormat::kZpl300).error().code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(SniffLabel("%PDF-1.5\n"), "pdf");
  EXPECT_EQ(SniffLabel("\n^XA^FO50,50^XZ"), "zpl");
  EXPECT_EQ(SniffLabel(std::string("PK\x03\x04", 4)), "zip");
  EXPECT_EQ(SniffLabel("<html>"), "");
  json::value cancel = json::parse(BuildCancelCommand(kCommandId, "ba88f0fb"));
  EXPECT_EQ(cancel.at("commandId"), kCommandId);
  EXPECT_EQ(cancel.at("input").at("shipmentId"), "ba88f0fb");
}

TEST(AllegroShippingMappingTest, TrackingHistoryOldestFirstWithNormalizedStates) {
  const std::string body = R"({"carrierId":"ALLEGRO","waybills":[
    {"waybill":"A123456789","trackingDetails":{"statuses":[
      {"occurredAt":"2021-04-14T15:21:36.317Z","code":"DELIVERED","description":null},
      {"occurredAt":"2021-04-14T11:30:22.163Z","code":"PENDING"},
      {"occurredAt":"2021-04-14T13:00:00.000Z","code":"IN_TRANSIT","description":"Sortownia"}],
      "createdAt":"2021-04-14T11:30:22.163Z","updatedAt":"2021-04-14T15:21:36.317Z"}},
    {"waybill":"A000000000"}]})";
  auto events = ParseTracking(body, "A123456789");
  ASSERT_TRUE(events) << events.error().Describe();
  ASSERT_TRUE(events->has_value());
  const auto& list = **events;
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].state, TrackingState::kCreated);
  EXPECT_EQ(list[1].state, TrackingState::kInTransit);
  EXPECT_EQ(list[1].description, "Sortownia");
  EXPECT_EQ(list[2].state, TrackingState::kDelivered);
  EXPECT_LT(list[0].at, list[2].at);
  auto none = ParseTracking(body, "A000000000");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(ParseTracking(R"({"carrierId":"ALLEGRO"})", "A1"));

  EXPECT_EQ(TrackingStateFor("RELEASED_FOR_DELIVERY"), TrackingState::kOutForDelivery);
  EXPECT_EQ(TrackingStateFor("AVAILABLE_FOR_PICKUP"), TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateFor("NOTICE_LEFT"), TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateFor("ISSUE"), TrackingState::kFailed);
  EXPECT_EQ(TrackingStateFor("RETURNED"), TrackingState::kReturned);
  EXPECT_EQ(TrackingStateFor("SOMETHING_NEW"), TrackingState::kUnknown);
}

TEST(AllegroShippingMappingTest, TrackingAsksTheLikelyCarrierFirst) {
  EXPECT_EQ(TrackingCarriersFor("620000000000000000000001", "").front(), "INPOST");
  EXPECT_EQ(TrackingCarriersFor("1000123456789U", "").front(), "DPD");
  EXPECT_EQ(TrackingCarriersFor("PX0123456789", "").front(), "POCZTA_POLSKA");
  EXPECT_EQ(TrackingCarriersFor("A12BC34DE5", "").front(), "ALLEGRO");
  EXPECT_EQ(TrackingCarriersFor("???", "").size(), 5u);
  EXPECT_EQ(TrackingCarriersFor("620000000000000000000001", "").size(), 5u);
  EXPECT_EQ(TrackingCarriersFor("620000000000000000000001", "DHL"),
            std::vector<std::string>{"DHL"});
}

}  // namespace
}  // namespace nadajnik::carriers::allegro_shipping
