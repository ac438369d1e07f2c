#include "carriers/inpost/mapping.hpp"

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace nadajnik::carriers::inpost {
namespace {

namespace json = boost::json;
using domain::TrackingState;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NADAJNIK_SOURCE_DIR) + "/tests/fixtures/inpost/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest LockerRequest() {
  ShipmentRequest r;
  r.reference = "nadajnik-7f3a9c";
  r.service = "inpost_locker_standard";
  r.receiver.name = "Jan Kowalski";
  r.receiver.phone = "+48 600-700-800";
  r.receiver.email = "jan@example.pl";
  r.target_point = "KRA01M";
  r.parcels.push_back(domain::Parcel{"A", 2500, 0, 0, 0, ""});
  return r;
}

ShipmentRequest CourierRequest() {
  ShipmentRequest r;
  r.reference = "nadajnik-8b1c22";
  r.service = "inpost_courier_standard";
  r.receiver = {"Anna Nowak",     "", "Półwiejska", "2", "61888", "Poznań", "PL", "600 700 801",
                "anna@example.pl"};
  r.sender = {"",   "Sklep Wiśnia", "Malborska",       "130", "30-624", "Kraków",
              "PL", "500600700",    "sklep@example.pl"};
  r.parcels.push_back(domain::Parcel{"", 1200, 300, 200, 100, ""});
  r.parcels.push_back(domain::Parcel{"", 800, 200, 200, 100, ""});
  r.insurance = Pln(10000);
  return r;
}

json::object Body(const ShipmentRequest& r) {
  auto body = BuildCreateBody(r, {});
  EXPECT_TRUE(body) << body.error().message;
  return json::parse(body.value_or("{}")).as_object();
}

TEST(InPostMapping, LockerBodyHasTheTargetPointTemplateAndNormalisedPhone) {
  auto r = LockerRequest();
  r.cash_on_delivery = Pln(1250);
  const auto text = BuildCreateBody(r, {}).value();
  EXPECT_THAT(text, HasSubstr(R"("amount":12.50)")) << "a JSON number, not a string or 1.25E1";
  EXPECT_THAT(text, HasSubstr(R"("amount":2.5)"));
  const auto body = json::parse(text).as_object();
  EXPECT_EQ(body.at("service"), "inpost_locker_standard");
  EXPECT_EQ(body.at("custom_attributes").at("target_point"), "KRA01M");
  EXPECT_EQ(body.at("custom_attributes").at("sending_method"), "dispatch_order");
  EXPECT_EQ(body.at("receiver").at("phone"), "600700800");
  EXPECT_EQ(body.at("receiver").at("first_name"), "Jan");
  EXPECT_EQ(body.at("receiver").at("last_name"), "Kowalski");
  EXPECT_EQ(body.at("reference"), "nadajnik-7f3a9c");
  const auto& parcels = body.at("parcels").as_array();
  ASSERT_EQ(parcels.size(), 1u);
  EXPECT_EQ(parcels[0].at("template"), "small");
  EXPECT_EQ(parcels[0].at("weight").at("unit"), "kg");
  EXPECT_EQ(body.at("cod").at("currency"), "PLN");
  EXPECT_EQ(body.at("additional_services").as_array(), (json::array{"cod"}));
}

TEST(InPostMapping, ADropOffLockerBecomesTheParcelLockerSendingMethod) {
  auto r = LockerRequest();
  r.sending_point = "POZ08A";
  const auto body = Body(r);
  EXPECT_EQ(body.at("custom_attributes").at("sending_method"), "parcel_locker");
  EXPECT_EQ(body.at("custom_attributes").at("dropoff_point"), "POZ08A");
}

TEST(InPostMapping, CourierBodySplitsTheAddressAndNormalisesThePostalCode) {
  const auto body = Body(CourierRequest());
  const auto& address = body.at("receiver").at("address");
  EXPECT_EQ(address.at("post_code"), "61-888");
  EXPECT_EQ(address.at("street"), "Półwiejska");
  EXPECT_EQ(address.at("building_number"), "2");
  EXPECT_EQ(body.at("sender").at("company_name"), "Sklep Wiśnia");
  const auto& parcels = body.at("parcels").as_array();
  ASSERT_EQ(parcels.size(), 2u);
  EXPECT_FALSE(parcels[0].as_object().contains("template"));
  EXPECT_EQ(parcels[0].at("dimensions").at("length"), 300);
  EXPECT_EQ(parcels[0].at("dimensions").at("unit"), "mm");
  EXPECT_EQ(body.at("insurance").at("currency"), "PLN");
}

TEST(InPostMapping, ValidationNamesTheWrongField) {
  struct Case {
    const char* name;
    std::function<void(ShipmentRequest&)> change;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"postal code", [](ShipmentRequest& r) { r.receiver.postal_code = "6-1888"; },
       "postal code as NN-NNN; '6-1888'"},
      {"phone", [](ShipmentRequest& r) { r.receiver.phone = "12 34"; }, "9-digit phone number"},
      {"house number", [](ShipmentRequest& r) { r.receiver.building = ""; },
       "building number apart from the street"},
      {"cod limit", [](ShipmentRequest& r) { r.cash_on_delivery = Pln(500001); },
       "over InPost's limit of 5000.00 PLN"},
      {"cod currency",
       [](ShipmentRequest& r) {
         r.cash_on_delivery = Money{100, Currency::Parse("CZK").value()};
       },
       "in PLN only"},
      {"insurance", [](ShipmentRequest& r) { r.insurance.reset(); }, "insurance amount"},
      {"dimensions", [](ShipmentRequest& r) { r.parcels[0].length_mm = 0; },
       "Parcel 1 needs its dimensions and weight"},
      {"size", [](ShipmentRequest& r) { r.parcels[1].length_mm = 1300; },
       "Parcel 2 (1300 x 200 x 100 mm) is over InPost's courier limit"},
      {"reference", [](ShipmentRequest& r) { r.reference = "ab"; }, "3 to 100 characters"},
      {"service", [](ShipmentRequest& r) { r.service = "dpd_classic"; },
       "not an InPost ShipX service"},
  };
  for (const auto& c : cases) {
    auto r = CourierRequest();
    c.change(r);
    auto v = ValidateRequest(r, {});
    ASSERT_FALSE(v) << c.name;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(v.error().message, HasSubstr(c.expected)) << c.name;
  }
  EXPECT_TRUE(ValidateRequest(CourierRequest(), {}));
}

TEST(InPostMapping, LockerRulesAreCheckedBeforeSending) {
  auto no_point = LockerRequest();
  no_point.target_point = "";
  EXPECT_THAT(ValidateRequest(no_point, {}).error().message, HasSubstr("parcel locker"));

  auto no_email = LockerRequest();
  no_email.receiver.email = "";
  EXPECT_THAT(ValidateRequest(no_email, {}).error().message, HasSubstr("e-mail"));

  auto two = LockerRequest();
  two.parcels.push_back(two.parcels[0]);
  EXPECT_THAT(ValidateRequest(two, {}).error().message, HasSubstr("exactly one parcel"));

  auto heavy = LockerRequest();
  heavy.parcels[0].weight_grams = 25001;
  EXPECT_THAT(ValidateRequest(heavy, {}).error().message, HasSubstr("at most 25 kg"));

  auto landline = LockerRequest();
  landline.receiver.phone = "0048 12 345 67";
  EXPECT_FALSE(ValidateRequest(landline, {}));

  ValidationLimits low;
  low.max_cod_minor = 1000;
  auto cod = LockerRequest();
  cod.cash_on_delivery = Pln(1001);
  EXPECT_THAT(ValidateRequest(cod, low).error().message, HasSubstr("10.00 PLN"));
}

TEST(InPostMapping, TemplatesFollowTheLockerSizes) {
  EXPECT_EQ(LockerTemplateFor({"", 1000, 600, 370, 70, ""}, 0).value(), "small");
  EXPECT_EQ(LockerTemplateFor({"", 1000, 640, 380, 150, ""}, 0).value(), "medium");
  EXPECT_EQ(LockerTemplateFor({"", 1000, 640, 380, 410, ""}, 0).value(), "large");
  EXPECT_EQ(LockerTemplateFor({"B", 1000, 0, 0, 0, ""}, 0).value(), "medium");
  EXPECT_EQ(LockerTemplateFor({"large", 1000, 0, 0, 0, ""}, 0).value(), "large");
  auto too_big_for_a = LockerTemplateFor({"A", 1000, 640, 380, 100, ""}, 0);
  ASSERT_FALSE(too_big_for_a);
  EXPECT_THAT(too_big_for_a.error().message, HasSubstr("does not fit InPost locker size A"));
  auto too_big = LockerTemplateFor({"", 1000, 700, 380, 100, ""}, 0);
  ASSERT_FALSE(too_big);
  EXPECT_THAT(too_big.error().message, HasSubstr("largest locker size C"));
  EXPECT_FALSE(LockerTemplateFor({"D", 1000, 0, 0, 0, ""}, 0));
  EXPECT_FALSE(LockerTemplateFor({"", 1000, 0, 0, 0, ""}, 0)) << "neither size nor dimensions";
}

TEST(InPostMapping, PhonesAndPostalCodesAreNormalised) {
  EXPECT_EQ(NormalizePhone("+48 600 700 800").value(), "600700800");
  EXPECT_EQ(NormalizePhone("0048600700800").value(), "600700800");
  EXPECT_EQ(NormalizePhone("(600) 700-800").value(), "600700800");
  EXPECT_FALSE(NormalizePhone("+420 600 700 800"));
  EXPECT_FALSE(NormalizePhone("60070080"));
  EXPECT_FALSE(NormalizePhone("600 700 800 ext 1"));
  EXPECT_EQ(NormalizePostalCode("30624").value(), "30-624");
  EXPECT_EQ(NormalizePostalCode(" 30-624 ").value(), "30-624");
  EXPECT_FALSE(NormalizePostalCode("306-24"));
  EXPECT_FALSE(NormalizePostalCode("3062"));
}

TEST(InPostMapping, ACreatedShipmentIsNotConfirmedUntilItHasATrackingNumber) {
  auto created = ParseShipment(ReadFixture("shipment_created.json"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->remote_id, "1234567890");
  EXPECT_EQ(created->status, "created");
  EXPECT_FALSE(created->confirmed);
  EXPECT_TRUE(created->tracking_number.empty());

  auto confirmed = ParseShipment(ReadFixture("shipment_confirmed.json"));
  ASSERT_TRUE(confirmed);
  EXPECT_TRUE(confirmed->confirmed);
  EXPECT_EQ(confirmed->tracking_number, "520000014966200008039999");
  EXPECT_TRUE(confirmed->error.empty());

  EXPECT_FALSE(ParseShipment(std::string_view("{\"id\":1}")));
  EXPECT_FALSE(ParseShipment(std::string_view("<html>")));
}

TEST(InPostMapping, TheListPageKeepsItsItemsAndCount) {
  auto page = ParseShipmentPage(ReadFixture("shipment_list.json"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->count, 2);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(ShipmentField(page->items[1], "reference"), "ORDER-1002");
  EXPECT_EQ(ShipmentField(page->items[0], "service"), "inpost_locker_standard");
}

TEST(InPostMapping, TrackingIsReturnedOldestFirstWithNormalisedStates) {
  auto events = ParseTracking(ReadFixture("tracking.json"));
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].code, "confirmed");
  EXPECT_EQ((*events)[0].state, TrackingState::kCreated);
  EXPECT_EQ((*events)[1].code, "dispatched_by_sender");
  EXPECT_EQ((*events)[1].state, TrackingState::kInTransit);
  EXPECT_EQ(FormatIso8601((*events)[1].at), "2015-09-17T09:28:00.000Z");
  EXPECT_THAT((*events)[1].description, HasSubstr("NWP"));
}

TEST(InPostMapping, StatusNamesMapAsSectionSevenSays) {
  EXPECT_EQ(TrackingStateFor("offer_selected"), TrackingState::kCreated);
  EXPECT_EQ(TrackingStateFor("collected_from_sender"), TrackingState::kInTransit);
  EXPECT_EQ(TrackingStateFor("adopted_at_sorting_center"), TrackingState::kInTransit);
  EXPECT_EQ(TrackingStateFor("delay_in_delivery"), TrackingState::kInTransit);
  EXPECT_EQ(TrackingStateFor("out_for_delivery_to_address"), TrackingState::kOutForDelivery);
  EXPECT_EQ(TrackingStateFor("ready_to_pickup_from_pok_registered"),
            TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateFor("pickup_reminder_sent_address"), TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateFor("avizo"), TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateFor("delivered"), TrackingState::kDelivered);
  EXPECT_EQ(TrackingStateFor("undelivered_no_mailbox"), TrackingState::kFailed);
  EXPECT_EQ(TrackingStateFor("pickup_time_expired"), TrackingState::kFailed);
  EXPECT_EQ(TrackingStateFor("missing"), TrackingState::kFailed);
  EXPECT_EQ(TrackingStateFor("return_pickup_confirmation_to_sender"), TrackingState::kReturned);
  EXPECT_EQ(TrackingStateFor("canceled"), TrackingState::kUnknown);
  EXPECT_EQ(TrackingStateFor("something_new"), TrackingState::kUnknown);
}

TEST(InPostMapping, AValidationErrorNamesEachFieldInWords) {
  Error e =
      ErrorFromResponse(400, ReadFixture("error_validation.json"), "create the shipment", "123");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(e.retryable);
  EXPECT_THAT(e.message, HasSubstr("InPost refused to create the shipment"));
  EXPECT_THAT(e.message, HasSubstr("the receiver's phone number has a wrong format"));
  EXPECT_THAT(e.message, HasSubstr("the parcel locker (target point) does not exist"));
  EXPECT_THAT(e.message, HasSubstr("custom_attributes.target_point: does_not_exist"));
}

TEST(InPostMapping, NestedDetailsFlattenToPaths) {
  auto v = json::parse(ReadFixture("error_calculate_nested.json"));
  auto items = FlattenDetails(v.at("details"));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0], "shipments.SHIPMENT1.parcels.0.dimensions.width: too_small");
  auto parcel = FlattenDetails(
      json::parse(R"({"parcels":[{"0":{"dimensions":[{"width":["too_small"]}]}}]})"));
  ASSERT_EQ(parcel.size(), 1u);
  EXPECT_EQ(parcel[0], "parcels.0.dimensions.width: too_small");
  Error e = ErrorFromResponse(
      400,
      R"({"status":400,"error":"validation_failed","message":"x","details":{"parcels":[{"0":{"dimensions":[{"width":["too_small"]}]}}],"cod":[{"amount":["too_big"]}]}})",
      "create the shipment", "1");
  EXPECT_THAT(e.message, HasSubstr("parcel 1's width is too small"));
  EXPECT_THAT(e.message, HasSubstr("the cash-on-delivery amount is too large"));
}

TEST(InPostMapping, CredentialAndTransientErrorsSayWhatToDo) {
  Error bad_token = ErrorFromResponse(401, R"({"status":401,"error":"token_invalid"})",
                                      "create the shipment", "123");
  EXPECT_EQ(bad_token.code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(bad_token.message, HasSubstr("organization 123"));
  EXPECT_THAT(bad_token.message, HasSubstr("Ustawienia > Przewoźnicy"));

  Error other_org = ErrorFromResponse(403, "{}", "create the shipment", "123");
  EXPECT_EQ(other_org.code, ErrorCode::kPermissionDenied);

  Error busy = ErrorFromResponse(429, "", "read shipment 1", "123");
  EXPECT_EQ(busy.code, ErrorCode::kRateLimited);
  EXPECT_TRUE(busy.retryable);

  Error down = ErrorFromResponse(500, "<html>oops</html>", "read shipment 1", "123");
  EXPECT_EQ(down.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(down.retryable);
  EXPECT_THAT(down.message, Not(HasSubstr("oops")));

  Error early = ErrorFromResponse(
      400, R"({"status":400,"error":"invalid_action","message":"Shipment is not bought yet"})",
      "fetch the label of shipment 1", "123");
  EXPECT_EQ(early.code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(early.message, HasSubstr("not bought yet"));

  Error missing = ErrorFromResponse(404, R"({"status":404,"error":"resource_not_found"})",
                                    "read shipment 1", "123");
  EXPECT_EQ(missing.code, ErrorCode::kNotFound);
}

TEST(InPostMapping, LabelOptionsFollowTheServiceLists) {
  EXPECT_TRUE(OffersZpl300("inpost_locker_standard"));
  EXPECT_TRUE(OffersZpl300("inpost_courier_c2c"));
  EXPECT_FALSE(OffersZpl300("inpost_courier_standard"));
  EXPECT_TRUE(HasA4Label("inpost_locker_allegro"));
  EXPECT_FALSE(HasA4Label("inpost_courier_standard"));
}

}  // namespace
}  // namespace nadajnik::carriers::inpost
