#include "marketplace/allegro/mapping.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/text.hpp"

namespace nadajnik::marketplace::allegro {
namespace {

namespace json = boost::json;
using domain::CheckoutStatus;
using domain::FulfillmentProvider;
using domain::FulfillmentStatus;
using domain::Marketplace;
using domain::PaymentType;
using ::testing::HasSubstr;

const AccountId kAccount{7};

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NADAJNIK_SOURCE_DIR) + "/tests/fixtures/allegro/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The section 3.3 example of the reference, verbatim.
json::object FullForm() { return json::parse(ReadFixture("checkout_form_full.json")).as_object(); }
json::object CzechCodForm() {
  return json::parse(ReadFixture("checkout_form_cz_cod.json")).as_object();
}

// Only what CheckoutForm requires.
json::object MinimalForm() {
  return json::parse(R"({
    "id": "d3b07384-d9a0-4c9b-8a1e-0f1e2d3c4b5a",
    "buyer": {"id": "1", "email": "a+1@allegromail.pl", "login": "min", "guest": false},
    "status": "BOUGHT",
    "lineItems": [{"id": "e1", "offer": {"id": "10", "name": "Thing"}, "quantity": 1,
                   "originalPrice": {"amount": "5.00", "currency": "PLN"},
                   "price": {"amount": "5.00", "currency": "PLN"}}],
    "surcharges": [],
    "summary": {"totalToPay": {"amount": "5.00", "currency": "PLN"}}
  })")
      .as_object();
}

json::object& Obj(json::value& v) { return v.as_object(); }
json::object& Item(json::object& form, std::size_t i = 0) {
  return form["lineItems"].as_array()[i].as_object();
}

Result<domain::Order> Map(const json::object& form) {
  return MapCheckoutForm(json::value(form), kAccount);
}

Timestamp T(std::string_view iso) { return *ParseIso8601(iso); }
Money M(std::string_view amount, std::string_view currency) {
  return *ParseMoney(amount, currency);
}

// The message of a refused form (and a test failure if it was not refused as invalid).
std::string Refusal(const Result<domain::Order>& r) {
  if (r) {
    ADD_FAILURE() << "the form was accepted";
    return {};
  }
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

void ExpectAddress(const domain::Address& a, std::string_view first, std::string_view last,
                   std::string_view company, std::string_view street, std::string_view postal,
                   std::string_view city, std::string_view country, std::string_view phone) {
  EXPECT_EQ(a.first_name, first);
  EXPECT_EQ(a.last_name, last);
  EXPECT_EQ(a.company, company);
  EXPECT_EQ(a.street, street);
  EXPECT_EQ(a.postal_code, postal);
  EXPECT_EQ(a.city, city);
  EXPECT_EQ(a.country_code, country);
  EXPECT_EQ(a.phone, phone);
}

// ---- the documented example ---------------------------------------------------------------

TEST(AllegroMapping, MapsTheDocumentedExampleFieldByField) {
  auto r = Map(FullForm());
  ASSERT_TRUE(r) << r.error().message;
  const domain::Order& o = *r;

  EXPECT_FALSE(o.id.valid());
  EXPECT_EQ(o.account_id, kAccount);
  EXPECT_EQ(o.checkout_form_id.value, "29738e61-7f6a-11e8-ac45-09db60ede9d6");
  EXPECT_EQ(o.revision, "819b5836");
  EXPECT_EQ(o.marketplace, Marketplace::kAllegroPl);
  EXPECT_EQ(o.checkout_status, CheckoutStatus::kReadyForProcessing);
  EXPECT_EQ(o.fulfillment_status, FulfillmentStatus::kNew);
  EXPECT_EQ(o.fulfillment_provider, FulfillmentProvider::kSeller);
  EXPECT_FALSE(o.local_status_id.valid());

  EXPECT_EQ(o.buyer.remote_id, "23123123");
  EXPECT_EQ(o.buyer.login, "User_Login");
  EXPECT_EQ(o.buyer.email, "k7x2mq9v4d+1a2b3c4d5@allegromail.pl");
  EXPECT_EQ(o.buyer.first_name, "Jan");
  EXPECT_EQ(o.buyer.last_name, "Kowalski");
  EXPECT_EQ(o.buyer.company, "");
  EXPECT_EQ(o.buyer.phone, "+48123123123");
  EXPECT_FALSE(o.buyer.guest);
  ExpectAddress(o.buyer.address, "Jan", "Kowalski", "", "Solna 1", "60-166", "Poznań", "PL",
                "+48123123123");

  EXPECT_EQ(o.delivery.method_id, "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93");
  EXPECT_EQ(o.delivery.method_name, "Allegro Paczkomaty InPost");
  EXPECT_TRUE(o.delivery.smart);
  EXPECT_EQ(o.delivery.cost, M("14.99", "PLN"));
  ASSERT_TRUE(o.delivery.address);
  ExpectAddress(*o.delivery.address, "Jan", "Kowalski", "", "Grunwaldzka 182", "60-166", "Poznań",
                "PL", "+48123123123");
  ASSERT_TRUE(o.delivery.pickup_point);
  EXPECT_EQ(o.delivery.pickup_point->id, "POZ08A");
  EXPECT_EQ(o.delivery.pickup_point->name, "Paczkomat POZ08A");
  EXPECT_EQ(o.delivery.pickup_point->description, "Stacja paliw BP");
  ExpectAddress(o.delivery.pickup_point->address, "", "", "", "Grunwaldzka 108", "60-166", "Poznań",
                "PL", "");
  EXPECT_EQ(o.delivery.dispatch_by, T("2024-01-11T23:59:59Z"));
  EXPECT_EQ(o.delivery.packages, 1);

  ASSERT_TRUE(o.payment);
  EXPECT_EQ(o.payment->remote_id, "0f8f1d13-7e9e-11e8-9b00-c5b0dfb78ea6");
  EXPECT_EQ(o.payment->type, PaymentType::kOnline);
  EXPECT_EQ(o.payment->provider, "P24");
  EXPECT_EQ(o.payment->paid, M("138.44", "PLN"));
  EXPECT_EQ(o.payment->finished_at, T("2024-01-10T10:12:32.321Z"));
  EXPECT_FALSE(o.cash_on_delivery());

  EXPECT_TRUE(o.invoice.required);
  EXPECT_EQ(o.invoice.company_name, "Udix Sp. z o.o.");
  EXPECT_EQ(o.invoice.tax_id, "1111111111");
  ASSERT_EQ(o.invoice.tax_ids.size(), 1u);
  EXPECT_EQ(o.invoice.tax_ids[0].type, "PL_NIP");
  EXPECT_EQ(o.invoice.tax_ids[0].value, "1111111111");
  ExpectAddress(o.invoice.address, "", "", "Udix Sp. z o.o.", "Grunwaldzka 182", "60-166", "Poznań",
                "PL", "");

  ASSERT_EQ(o.items.size(), 1u);
  const domain::LineItem& li = o.items[0];
  EXPECT_EQ(li.id.value, "62ae358b-8f65-4fc4-9c77-bedf604a2e2b");
  EXPECT_EQ(li.offer_id, "3213213");
  EXPECT_EQ(li.offer_name, "Black shoes 41");
  EXPECT_EQ(li.external_id, "SKU-AH-129834");
  EXPECT_EQ(li.quantity, 1);
  EXPECT_EQ(li.unit_price, M("123.45", "PLN"));
  EXPECT_EQ(li.original_unit_price, M("123.45", "PLN"));
  EXPECT_EQ(li.bought_at, T("2024-01-10T10:10:00.000Z"));
  EXPECT_TRUE(li.discounts.empty());

  EXPECT_TRUE(o.surcharges.empty());
  EXPECT_EQ(o.total, M("138.44", "PLN"));
  EXPECT_EQ(o.buyer_note, "Please send me an item in red color");
  EXPECT_EQ(o.seller_note, "Seller's private note");
  EXPECT_EQ(o.bought_at, T("2024-01-10T10:10:00Z"));
  EXPECT_EQ(o.remote_updated_at, T("2024-01-10T10:12:40.133Z"));
  EXPECT_FALSE(o.needs_attention);
  EXPECT_EQ(o.attention_reason, "");
  EXPECT_FALSE(o.merged_into);
}

// ---- variants that occur in practice -----------------------------------------------------

TEST(AllegroMapping, KeepsACzechOrderInCrowns) {
  auto r = Map(CzechCodForm());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->marketplace, Marketplace::kAllegroCz);
  EXPECT_EQ(r->total, M("887.00", "CZK"));
  EXPECT_EQ(r->delivery.cost, M("89.00", "CZK"));
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[0].unit_price, M("299.50", "CZK"));
  EXPECT_EQ(r->items[0].original_unit_price, M("349.00", "CZK"));
  EXPECT_EQ(r->items[0].quantity, 2);
  EXPECT_EQ(r->items[0].external_id, "DEST-ŽLUTÝ-01");
  EXPECT_EQ(r->items[0].discounts, std::vector<std::string>{"UNIT_PERCENTAGE_DISCOUNT"});
  EXPECT_EQ(r->items[1].unit_price, M("199.00", "CZK"));
  EXPECT_EQ(r->buyer.login, "Jiří_Dvořák");
  EXPECT_EQ(r->buyer_note, "Prosím doručit po 17:00, zvonek nefunguje. Děkuji!");
  EXPECT_EQ(r->seller_note, "");
  EXPECT_EQ(r->fulfillment_status, FulfillmentStatus::kProcessing);
  EXPECT_EQ(r->delivery.packages, 2);
  // Offsets are converted to UTC.
  EXPECT_EQ(r->delivery.dispatch_by, T("2024-03-06T13:00:00Z"));
  EXPECT_EQ(r->remote_updated_at, T("2024-03-05T08:30:00Z"));
  // The earliest purchase act, milliseconds kept.
  EXPECT_EQ(r->bought_at, T("2024-03-05T08:10:30.500Z"));
  // Tax ids without the deprecated taxId: the first typed id stands in.
  ASSERT_EQ(r->invoice.tax_ids.size(), 2u);
  EXPECT_EQ(r->invoice.tax_ids[1].type, "CZ_DIC");
  EXPECT_EQ(r->invoice.tax_ids[1].value, "CZ27082440");
  EXPECT_EQ(r->invoice.tax_id, "27082440");
  EXPECT_EQ(r->invoice.company_name, "Dvořák & syn s.r.o.");
}

TEST(AllegroMapping, CashOnDeliveryHasNoPaidAmount) {
  auto r = Map(CzechCodForm());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->payment);
  EXPECT_EQ(r->payment->type, PaymentType::kCashOnDelivery);
  EXPECT_TRUE(r->cash_on_delivery());
  EXPECT_EQ(r->payment->provider, "OFFLINE");
  EXPECT_FALSE(r->payment->paid);
  EXPECT_FALSE(r->payment->finished_at);
  EXPECT_FALSE(r->needs_attention);
}

TEST(AllegroMapping, TellsACourierAddressFromAPickupPoint) {
  auto courier = Map(CzechCodForm());
  ASSERT_TRUE(courier) << courier.error().message;
  EXPECT_FALSE(courier->delivery.pickup_point);
  ASSERT_TRUE(courier->delivery.address);
  ExpectAddress(*courier->delivery.address, "Jiří", "Dvořák", "Dvořák & syn s.r.o.", "Údolní 53",
                "602 00", "Brno", "CZ", "+420601234567");

  json::object form = FullForm();
  form["delivery"].as_object()["address"] = nullptr;
  auto locker = Map(form);
  ASSERT_TRUE(locker) << locker.error().message;
  EXPECT_FALSE(locker->delivery.address);
  ASSERT_TRUE(locker->delivery.pickup_point);
  EXPECT_EQ(locker->delivery.pickup_point->id, "POZ08A");
}

TEST(AllegroMapping, MapsAGuestCheckout) {
  json::object form = FullForm();
  Obj(form["buyer"])["guest"] = true;
  Obj(form["buyer"])["login"] = "Client:12345";
  Obj(form["buyer"])["id"] = "0";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->buyer.guest);
  EXPECT_EQ(r->buyer.login, "Client:12345");
}

TEST(AllegroMapping, OneFulfillmentOrdersAreReadOnly) {
  json::object form = FullForm();
  Obj(Obj(form["fulfillment"])["provider"])["id"] = "ALLEGRO";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->fulfillment_provider, FulfillmentProvider::kAllegro);
  EXPECT_TRUE(r->read_only());
  EXPECT_FALSE(r->needs_attention);
}

TEST(AllegroMapping, ACancelledFormKeepsItsFulfillmentStatus) {
  json::object form = FullForm();
  form["status"] = "CANCELLED";
  Obj(form["fulfillment"])["status"] = "PROCESSING";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->cancelled());
  EXPECT_EQ(r->checkout_status, CheckoutStatus::kCancelled);
  EXPECT_EQ(r->fulfillment_status, FulfillmentStatus::kProcessing);
}

TEST(AllegroMapping, AMinimalFormLeavesOptionalFieldsEmpty) {
  auto r = Map(MinimalForm());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->checkout_form_id.value, "d3b07384-d9a0-4c9b-8a1e-0f1e2d3c4b5a");
  EXPECT_EQ(r->revision, "");
  EXPECT_EQ(r->checkout_status, CheckoutStatus::kBought);
  EXPECT_EQ(r->fulfillment_status, FulfillmentStatus::kNew);
  EXPECT_EQ(r->fulfillment_provider, FulfillmentProvider::kSeller);
  EXPECT_EQ(r->marketplace, Marketplace::kAllegroPl);
  EXPECT_FALSE(r->payment);
  EXPECT_EQ(r->delivery.method_id, "");
  EXPECT_FALSE(r->delivery.cost);
  EXPECT_FALSE(r->delivery.address);
  EXPECT_FALSE(r->delivery.pickup_point);
  EXPECT_FALSE(r->delivery.dispatch_by);
  EXPECT_EQ(r->delivery.packages, 1);
  EXPECT_FALSE(r->invoice.required);
  EXPECT_EQ(r->invoice.company_name, "");
  EXPECT_EQ(r->buyer.address.street, "");
  EXPECT_EQ(r->buyer_note, "");
  EXPECT_EQ(r->seller_note, "");
  EXPECT_FALSE(r->items[0].bought_at);
  EXPECT_FALSE(r->bought_at);
  // Neither updatedAt nor boughtAt: the epoch, so any dated revision is newer.
  EXPECT_EQ(r->remote_updated_at, Timestamp{});
  EXPECT_FALSE(r->needs_attention);
}

TEST(AllegroMapping, NullOptionalFieldsReadAsAbsent) {
  json::object form = MinimalForm();
  for (const char* key : {"payment", "delivery", "invoice", "fulfillment", "note", "marketplace",
                          "messageToSeller", "updatedAt", "revision"}) {
    form[key] = nullptr;
  }
  Obj(form["buyer"])["address"] = nullptr;
  Item(form)["originalPrice"] = nullptr;
  Item(form)["discounts"] = nullptr;
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->payment);
  EXPECT_FALSE(r->items[0].original_unit_price);
}

TEST(AllegroMapping, WithoutUpdatedAtTheLatestPurchaseDatesTheForm) {
  json::object form = CzechCodForm();
  form.erase("updatedAt");
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->remote_updated_at, T("2024-03-05T08:15:00Z"));
  EXPECT_EQ(r->bought_at, T("2024-03-05T08:10:30.500Z"));
}

TEST(AllegroMapping, KeepsBuyerTextVerbatimButBounded) {
  json::object form = FullForm();
  const std::string note = R"(<script>alert("x")</script> 'quoted' & 😀 Zażółć Žluťoučký Árvíztűrő)";
  form["messageToSeller"] = note;
  Obj(form["buyer"])["firstName"] = "Őrs \"O'Brien\"";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->buyer_note, note);
  EXPECT_EQ(r->buyer.first_name, "Őrs \"O'Brien\"");
}

TEST(AllegroMapping, TruncatesOversizeTextOnACharacterBoundary) {
  json::object form = FullForm();
  std::string long_name;
  while (long_name.size() < 1000) long_name += "Żółć";
  std::string long_note;
  while (long_note.size() < 10000) long_note += "ą😀";
  Obj(form["buyer"])["firstName"] = long_name;
  Obj(Obj(form["delivery"])["address"])["street"] = long_name;
  Item(form)["offer"].as_object()["name"] = long_name;
  form["messageToSeller"] = long_note;
  Obj(form["note"])["text"] = long_note;
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  for (const std::string* s :
       {&r->buyer.first_name, &r->delivery.address->street, &r->items[0].offer_name}) {
    EXPECT_LE(s->size(), 200u);
    EXPECT_GT(s->size(), 150u);
    EXPECT_TRUE(IsValidUtf8(*s));
  }
  for (const std::string* s : {&r->buyer_note, &r->seller_note}) {
    EXPECT_LE(s->size(), 2000u);
    EXPECT_GT(s->size(), 1900u);
    EXPECT_TRUE(IsValidUtf8(*s));
  }
}

TEST(AllegroMapping, RefusesAnOversizeIdentifierRatherThanTruncatingIt) {
  json::object form = FullForm();
  Item(form)["id"] = std::string(101, 'a');
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("lineItems[0].id: "));
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("at most 100"));

  form = FullForm();
  form["id"] = std::string(5000, '7');
  const std::string message = Refusal(Map(form));
  EXPECT_THAT(message, HasSubstr("id: '7777"));
  EXPECT_LT(message.size(), 200u) << "the value in the message is bounded";
}

TEST(AllegroMapping, DropsNulCharactersFromText) {
  json::object form = FullForm();
  form["messageToSeller"] = json::string("a\0b", 3);
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->buyer_note, "ab");
}

// ---- unknown values from Allegro ------------------------------------------------------------

TEST(AllegroMapping, AnUnknownPaymentTypeIsKeptAsPrepaidAndFlagged) {
  json::object form = FullForm();
  Obj(form["payment"])["type"] = "BUY_NOW_PAY_IN_30_DAYS";
  Obj(form["payment"])["provider"] = "NEW_OPERATOR";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payment->type, PaymentType::kOnline);
  EXPECT_EQ(r->payment->provider, "NEW_OPERATOR");
  EXPECT_TRUE(r->needs_attention);
  EXPECT_THAT(r->attention_reason, HasSubstr("BUY_NOW_PAY_IN_30_DAYS"));
  EXPECT_THAT(r->attention_reason, HasSubstr("payment.type"));
}

TEST(AllegroMapping, AnUnknownSurchargeTypeIsFlaggedToo) {
  json::object form = FullForm();
  form["surcharges"] = json::array{
      json::object{{"id", "11111111-2222-3333-4444-555555555555"},
                   {"type", "CRYPTO"},
                   {"provider", "PAYU"},
                   {"finishedAt", "2024-01-12T08:00:00Z"},
                   {"paidAmount", json::object{{"amount", "5.00"}, {"currency", "PLN"}}}}};
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->surcharges.size(), 1u);
  EXPECT_EQ(r->surcharges[0].remote_id, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(r->surcharges[0].type, PaymentType::kOnline);
  EXPECT_EQ(r->surcharges[0].provider, "PAYU");
  EXPECT_EQ(r->surcharges[0].paid, M("5.00", "PLN"));
  EXPECT_EQ(r->surcharges[0].finished_at, T("2024-01-12T08:00:00Z"));
  EXPECT_THAT(r->attention_reason, HasSubstr("surcharges[0].type"));
}

TEST(AllegroMapping, AnUnknownFulfillmentStatusIsHeldAsSuspended) {
  json::object form = FullForm();
  Obj(form["fulfillment"])["status"] = "PARTIALLY_SENT";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->fulfillment_status, FulfillmentStatus::kSuspended);
  EXPECT_TRUE(r->needs_attention);
  EXPECT_THAT(r->attention_reason, HasSubstr("PARTIALLY_SENT"));
}

TEST(AllegroMapping, AnUnknownCheckoutStatusIsNotReadyToShip) {
  json::object form = FullForm();
  form["status"] = "AWAITING_VERIFICATION";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->checkout_status, CheckoutStatus::kBought);
  EXPECT_THAT(r->attention_reason, HasSubstr("AWAITING_VERIFICATION"));
}

TEST(AllegroMapping, AnUnknownFulfillmentProviderIsReadOnly) {
  json::object form = FullForm();
  Obj(Obj(form["fulfillment"])["provider"])["id"] = "PARTNER_WAREHOUSE";
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->read_only());
  EXPECT_THAT(r->attention_reason, HasSubstr("PARTNER_WAREHOUSE"));
}

TEST(AllegroMapping, UnknownDiscountAndTaxIdTypesAreKeptVerbatim) {
  json::object form = FullForm();
  Item(form)["discounts"] =
      json::array{json::object{{"type", "COUPON"}}, json::object{{"type", "LOYALTY_POINTS"}}};
  Obj(Obj(Obj(form["invoice"])["address"])["company"])["ids"] =
      json::array{json::object{{"type", "AT_UID"}, {"value", "ATU12345678"}}};
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->items[0].discounts, (std::vector<std::string>{"COUPON", "LOYALTY_POINTS"}));
  EXPECT_EQ(r->invoice.tax_ids[0].type, "AT_UID");
  EXPECT_FALSE(r->needs_attention);
}

TEST(AllegroMapping, DecidesAnUnknownOrMissingMarketplaceFromTheCurrency) {
  json::object form = CzechCodForm();
  Obj(form["marketplace"])["id"] = "allegro-business-cz";
  auto business = Map(form);
  ASSERT_TRUE(business) << business.error().message;
  EXPECT_EQ(business->marketplace, Marketplace::kAllegroCz);

  form = MinimalForm();
  Obj(Obj(form["summary"])["totalToPay"])["currency"] = "HUF";
  Obj(Item(form)["price"])["currency"] = "HUF";
  Obj(Item(form)["originalPrice"])["currency"] = "HUF";
  auto hungarian = Map(form);
  ASSERT_TRUE(hungarian) << hungarian.error().message;
  EXPECT_EQ(hungarian->marketplace, Marketplace::kAllegroHu);

  form = MinimalForm();
  form["marketplace"] = json::object{{"id", "allegro-xx"}};
  EXPECT_EQ(Map(form)->marketplace, Marketplace::kAllegroPl);
}

// ---- refusals --------------------------------------------------------------------------------

TEST(AllegroMapping, RefusesAFormMissingARequiredField) {
  for (const char* key : {"id", "buyer", "status", "lineItems", "surcharges", "summary"}) {
    json::object form = MinimalForm();
    form.erase(key);
    EXPECT_EQ(Refusal(Map(form)), std::string(key) + ": required but missing or null") << key;
    form[key] = nullptr;
    EXPECT_EQ(Refusal(Map(form)), std::string(key) + ": required but missing or null") << key;
  }
  json::object form = MinimalForm();
  Obj(form["summary"]).erase("totalToPay");
  EXPECT_EQ(Refusal(Map(form)), "summary.totalToPay: required but missing or null");
  form = MinimalForm();
  Item(form).erase("price");
  EXPECT_EQ(Refusal(Map(form)), "lineItems[0].price: required but missing or null");
  form = MinimalForm();
  Item(form).erase("quantity");
  EXPECT_EQ(Refusal(Map(form)), "lineItems[0].quantity: required but missing or null");
  form = MinimalForm();
  form["id"] = "";
  EXPECT_EQ(Refusal(Map(form)), "id: must not be empty");
  form = MinimalForm();
  form["lineItems"] = json::array{};
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("lineItems: is empty"));
}

TEST(AllegroMapping, RefusesMistypedFieldsNamingThem) {
  json::object form = MinimalForm();
  form["buyer"] = "Jan";
  EXPECT_EQ(Refusal(Map(form)), "buyer: expected an object, got string 'Jan'");
  form = MinimalForm();
  form["lineItems"] = json::object{};
  EXPECT_EQ(Refusal(Map(form)), "lineItems: expected an array, got object");
  form = MinimalForm();
  form["id"] = 42;
  EXPECT_EQ(Refusal(Map(form)), "id: expected a string, got number 42");
  form = MinimalForm();
  Obj(form["buyer"])["guest"] = "yes";
  EXPECT_EQ(Refusal(Map(form)), "buyer.guest: expected true or false, got string 'yes'");
  form = MinimalForm();
  form["delivery"] = json::array{};
  EXPECT_EQ(Refusal(Map(form)), "delivery: expected an object, got array");
  form = MinimalForm();
  form["lineItems"].as_array().push_back(json::value(7));
  EXPECT_EQ(Refusal(Map(form)), "lineItems[1]: expected an object, got number 7");
  EXPECT_FALSE(MapCheckoutForm(json::value(json::array{}), kAccount));
}

TEST(AllegroMapping, RefusesAMalformedAmountNamingThePathAndValue) {
  json::object form = FullForm();
  form["lineItems"].as_array().push_back(Item(form));
  form["lineItems"].as_array().push_back(Item(form));
  Obj(Item(form, 2)["price"])["amount"] = "12,5";
  EXPECT_EQ(Refusal(Map(form)), "lineItems[2].price.amount: '12,5' is not a decimal amount");

  form = FullForm();
  Obj(Item(form)["price"])["amount"] = 12.5;
  EXPECT_EQ(Refusal(Map(form)), "lineItems[0].price.amount: expected a string, got number 12.5");
  Obj(Item(form)["price"])["amount"] = "1.234";
  EXPECT_EQ(Refusal(Map(form)), "lineItems[0].price.amount: '1.234' is not a decimal amount");
  Obj(Item(form)["price"])["amount"] = "-1.00";
  EXPECT_EQ(Refusal(Map(form)), "lineItems[0].price.amount: '-1.00' is a negative amount");
  Obj(Item(form)["price"])["amount"] = "99999999999999";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("is too large"));
  Obj(Item(form)["price"])["amount"] = "";
  EXPECT_EQ(Refusal(Map(form)), "lineItems[0].price.amount: '' is not a decimal amount");

  form = FullForm();
  Obj(Obj(form["delivery"])["cost"])["currency"] = "zł";
  EXPECT_EQ(Refusal(Map(form)), "delivery.cost.currency: 'zł' is not an ISO 4217 currency code");
  form = FullForm();
  Obj(Obj(form["summary"])["totalToPay"])["amount"] = "abc";
  EXPECT_EQ(Refusal(Map(form)), "summary.totalToPay.amount: 'abc' is not a decimal amount");
}

TEST(AllegroMapping, RefusesAnAmountInAnotherCurrency) {
  json::object form = FullForm();
  Obj(Item(form)["price"])["currency"] = "EUR";
  EXPECT_EQ(Refusal(Map(form)),
            "lineItems[0].price.currency: 'EUR' is not the order's currency PLN "
            "(summary.totalToPay)");
  form = FullForm();
  Obj(Obj(form["delivery"])["cost"])["currency"] = "CZK";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("delivery.cost.currency: 'CZK'"));
  form = FullForm();
  Obj(Obj(form["payment"])["paidAmount"])["currency"] = "EUR";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("payment.paidAmount.currency"));
  form = FullForm();
  Obj(Item(form)["originalPrice"])["currency"] = "CZK";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("lineItems[0].originalPrice.currency"));
  form = CzechCodForm();
  Obj(Item(form, 1)["price"])["currency"] = "PLN";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("order's currency CZK"));
}

TEST(AllegroMapping, ReadsTimesWithOrWithoutMillisecondsAndOffsets) {
  json::object form = FullForm();
  for (auto [text, utc] : {std::pair{"2024-01-10T10:12:40Z", "2024-01-10T10:12:40.000Z"},
                           std::pair{"2024-01-10T10:12:40.5Z", "2024-01-10T10:12:40.500Z"},
                           std::pair{"2024-01-10T11:12:40.133+01:00", "2024-01-10T10:12:40.133Z"},
                           std::pair{"2024-01-10T08:12:40-02:00", "2024-01-10T10:12:40.000Z"}}) {
    form["updatedAt"] = text;
    auto r = Map(form);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
    EXPECT_EQ(FormatIso8601(r->remote_updated_at), utc) << text;
  }
}

TEST(AllegroMapping, RefusesAMalformedTime) {
  json::object form = FullForm();
  form["updatedAt"] = "yesterday";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("updatedAt: 'yesterday' is not an ISO 8601"));
  form = FullForm();
  Item(form)["boughtAt"] = "2024-13-45T99:00:00Z";
  EXPECT_THAT(Refusal(Map(form)), HasSubstr("lineItems[0].boughtAt: '2024-13-45T99:00:00Z'"));
  form = FullForm();
  Obj(Obj(Obj(form["delivery"])["time"])["dispatch"])["to"] = 1704967199;
  EXPECT_EQ(Refusal(Map(form)),
            "delivery.time.dispatch.to: expected a string, got number 1704967199");
}

TEST(AllegroMapping, RefusesAMalformedQuantity) {
  for (json::value bad : {json::value(0), json::value(-1), json::value(1.5), json::value("2"),
                          json::value(true), json::value(1e12)}) {
    json::object form = FullForm();
    Item(form)["quantity"] = bad;
    EXPECT_THAT(Refusal(Map(form)), HasSubstr("lineItems[0].quantity: ")) << bad;
  }
  json::object form = FullForm();
  Item(form)["quantity"] = 3.0;
  auto r = Map(form);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->items[0].quantity, 3);
}

TEST(AllegroMapping, RefusesInvalidUtf8NamingTheField) {
  json::object form = FullForm();
  Obj(form["buyer"])["lastName"] = json::string("Kowalsk\xC5", 8);
  EXPECT_EQ(Refusal(Map(form)), "buyer.lastName: is not valid UTF-8");
  form = FullForm();
  Obj(Obj(Obj(form["delivery"])["pickupPoint"])["address"])["city"] = json::string("Pozna\xFF", 6);
  EXPECT_EQ(Refusal(Map(form)), "delivery.pickupPoint.address.city: is not valid UTF-8");
}

TEST(AllegroMapping, BoundsLineItemsAndSurcharges) {
  json::object form = MinimalForm();
  const json::value item = form["lineItems"].as_array()[0];
  json::array items;
  for (int i = 0; i < 1000; ++i) {
    json::value copy = item;
    copy.as_object()["id"] = "li-" + std::to_string(i);
    items.push_back(copy);
  }
  form["lineItems"] = items;
  auto thousand = Map(form);
  ASSERT_TRUE(thousand) << thousand.error().message;
  EXPECT_EQ(thousand->items.size(), 1000u);

  items.push_back(item);
  form["lineItems"] = items;
  EXPECT_EQ(Refusal(Map(form)), "lineItems: 1001 line items, at most 1000 are accepted");

  form = MinimalForm();
  json::array surcharges;
  for (int i = 0; i < 101; ++i) surcharges.push_back(json::object{{"id", "s"}, {"type", "ONLINE"}});
  form["surcharges"] = surcharges;
  EXPECT_EQ(Refusal(Map(form)), "surcharges: 101 surcharges, at most 100 are accepted");
}

// ---- bodies ------------------------------------------------------------------------------

TEST(AllegroMapping, MapsACheckoutFormBody) {
  const std::string body = ReadFixture("checkout_form_full.json");
  RemoteOrder remote = MapCheckoutFormBody(body, kAccount);
  ASSERT_TRUE(remote.order) << remote.order.error().message;
  EXPECT_EQ(remote.id.value, "29738e61-7f6a-11e8-ac45-09db60ede9d6");
  EXPECT_EQ(remote.raw_json, body);
  EXPECT_EQ(remote.order->total, M("138.44", "PLN"));
}

TEST(AllegroMapping, ABrokenBodyKeepsItsIdRawJsonAndError) {
  std::string body = json::serialize(FullForm());
  const auto at = body.find("\"Kowalski\"");
  ASSERT_NE(at, std::string::npos);
  body.replace(at + 1, 8, "Kowalsk\xC5");
  RemoteOrder remote = MapCheckoutFormBody(body, kAccount);
  ASSERT_FALSE(remote.order);
  EXPECT_EQ(remote.order.error().message, "buyer.lastName: is not valid UTF-8");
  EXPECT_EQ(remote.id.value, "29738e61-7f6a-11e8-ac45-09db60ede9d6");
  EXPECT_TRUE(IsValidUtf8(remote.raw_json));
  EXPECT_THAT(remote.raw_json, HasSubstr("Kowalsk\xEF\xBF\xBD"));

  RemoteOrder not_json = MapCheckoutFormBody("<html>502 Bad Gateway</html>", kAccount);
  ASSERT_FALSE(not_json.order);
  EXPECT_EQ(not_json.order.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(not_json.order.error().message, HasSubstr("not valid JSON"));
  EXPECT_TRUE(not_json.id.empty());
  EXPECT_EQ(not_json.raw_json, "<html>502 Bad Gateway</html>");

  RemoteOrder surrogate = MapCheckoutFormBody(R"({"id":"x1","buyer":"\ud800"})", kAccount);
  EXPECT_FALSE(surrogate.order);

  // Whatever came in, what is kept for storage is valid UTF-8 without NUL characters.
  RemoteOrder garbage = MapCheckoutFormBody(std::string("\xff\0junk\xC5", 7), kAccount);
  EXPECT_FALSE(garbage.order);
  EXPECT_TRUE(IsValidUtf8(garbage.raw_json));
  EXPECT_EQ(garbage.raw_json.find('\0'), std::string::npos);
  EXPECT_THAT(garbage.raw_json, HasSubstr("junk"));

  RemoteOrder empty = MapCheckoutFormBody("", kAccount);
  EXPECT_FALSE(empty.order);
  EXPECT_EQ(empty.raw_json, "");
}

TEST(AllegroMapping, BoundsRawJsonTo256KiBOnACharacterBoundary) {
  json::object form = FullForm();
  std::string huge;
  while (huge.size() < 300 * 1024) huge += "ż";
  form["messageToSeller"] = huge;
  const std::string body = json::serialize(form);
  for (std::size_t shift : {0, 1}) {
    RemoteOrder remote = MapCheckoutFormBody(std::string(shift, ' ') + body, kAccount);
    EXPECT_LE(remote.raw_json.size(), 256u * 1024);
    EXPECT_GT(remote.raw_json.size(), 256u * 1024 - 8);
    EXPECT_TRUE(IsValidUtf8(remote.raw_json));
    ASSERT_TRUE(remote.order) << remote.order.error().message;
    EXPECT_LE(remote.order->buyer_note.size(), 2000u);
  }
}

TEST(AllegroMapping, AListMapsEachFormAlone) {
  json::object broken = FullForm();
  broken["id"] = "broken-1";
  Obj(Item(broken)["price"])["amount"] = "12,5";
  json::array forms{FullForm(), broken, CzechCodForm(), json::value("not a form")};
  const std::string body =
      json::serialize(json::object{{"checkoutForms", forms}, {"count", 4}, {"totalCount", 1234}});
  auto page = MapCheckoutFormList(body, kAccount);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total_count, 1234);
  ASSERT_EQ(page->orders.size(), 4u);
  EXPECT_TRUE(page->orders[0].order);
  EXPECT_EQ(page->orders[0].id.value, "29738e61-7f6a-11e8-ac45-09db60ede9d6");
  ASSERT_FALSE(page->orders[1].order);
  EXPECT_EQ(page->orders[1].id.value, "broken-1");
  EXPECT_EQ(page->orders[1].order.error().message,
            "lineItems[0].price.amount: '12,5' is not a decimal amount");
  EXPECT_THAT(page->orders[1].order.error().details, HasSubstr("checkoutForms[1]"));
  EXPECT_THAT(page->orders[1].raw_json, HasSubstr("\"12,5\""));
  ASSERT_TRUE(page->orders[2].order) << page->orders[2].order.error().message;
  EXPECT_EQ(page->orders[2].order->marketplace, Marketplace::kAllegroCz);
  EXPECT_FALSE(page->orders[3].order);
  EXPECT_TRUE(page->orders[3].id.empty());
}

TEST(AllegroMapping, AListWithABrokenEnvelopeFails) {
  for (const char* body :
       {"", "[]", R"({"count":0,"totalCount":0})",
        R"({"checkoutForms":{},"count":0,"totalCount":0})", R"({"checkoutForms":[],"count":0})",
        R"({"checkoutForms":[],"count":0,"totalCount":"many"})"}) {
    auto page = MapCheckoutFormList(body, kAccount);
    ASSERT_FALSE(page) << body;
    EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument) << body;
  }
  auto empty = MapCheckoutFormList(R"({"checkoutForms":[],"count":0,"totalCount":0})", kAccount);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->orders.empty());
}

// ---- the journal ---------------------------------------------------------------------------

TEST(AllegroMapping, MapsAnEventsPageWithDuplicatesAndAFormlessEvent) {
  auto events = MapEvents(ReadFixture("order_events_page.json"));
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 5u);
  const auto& e = *events;
  EXPECT_EQ(e[0].id, "1709626200000001");
  EXPECT_EQ(e[0].type, "BOUGHT");
  EXPECT_EQ(e[0].occurred_at, T("2024-03-05T08:10:00Z"));
  EXPECT_EQ(e[0].checkout_form_id.value, "7c1d2e3f-4a5b-11ee-9c8d-0242ac120002");
  EXPECT_EQ(e[0].revision, "0a0a0a0a");
  ASSERT_EQ(e[0].line_items.size(), 1u);
  EXPECT_EQ(e[0].line_items[0].value, "0b1c2d3e-4a5b-11ee-9c8d-0242ac120002");

  // Allegro's duplicates (same data, same occurredAt, other ids) are all kept in order: the
  // cursor must pass each id, and processing is idempotent on checkout form id + revision.
  EXPECT_EQ(e[1].id, "1709628600000002");
  EXPECT_EQ(e[2].id, "1709628600000917");
  EXPECT_EQ(e[1].type, e[2].type);
  EXPECT_EQ(e[1].occurred_at, e[2].occurred_at);
  EXPECT_EQ(e[1].checkout_form_id, e[2].checkout_form_id);
  EXPECT_EQ(e[1].revision, "a1b2c3d4");
  EXPECT_EQ(e[2].line_items.size(), 2u);

  EXPECT_EQ(e[3].type, "BUYER_CANCELLED");
  EXPECT_TRUE(e[3].checkout_form_id.empty());
  EXPECT_EQ(e[3].revision, "");
  ASSERT_EQ(e[3].line_items.size(), 1u);
  EXPECT_EQ(e[3].line_items[0].value, "62ae358b-8f65-4fc4-9c77-bedf604a2e2b");

  EXPECT_EQ(e[4].type, "ORDER_REVIEWED_BY_ROBOT");
  EXPECT_EQ(e[4].occurred_at, T("2024-03-05T08:58:20Z"));
  EXPECT_EQ(e[4].checkout_form_id.value, "29738e61-7f6a-11e8-ac45-09db60ede9d6");
  EXPECT_EQ(e[4].revision, "");
  EXPECT_TRUE(e[4].line_items.empty());
}

TEST(AllegroMapping, AnEventWithoutIdTypeOrTimeFailsThePage) {
  const std::string ok = R"({"id":"1","type":"BOUGHT","occurredAt":"2024-01-01T00:00:00Z"})";
  for (auto [bad, path] :
       {std::pair{R"({"type":"BOUGHT","occurredAt":"2024-01-01T00:00:00Z"})", "events[1].id"},
        std::pair{R"({"id":"2","occurredAt":"2024-01-01T00:00:00Z"})", "events[1].type"},
        std::pair{R"({"id":"2","type":"BOUGHT"})", "events[1].occurredAt"},
        std::pair{R"({"id":"2","type":"BOUGHT","occurredAt":"soon"})", "events[1].occurredAt"},
        std::pair{R"({"id":2,"type":"BOUGHT","occurredAt":"2024-01-01T00:00:00Z"})",
                  "events[1].id"}}) {
    auto events = MapEvents(R"({"events":[)" + ok + "," + bad + "]}");
    ASSERT_FALSE(events) << bad;
    EXPECT_THAT(events.error().message, HasSubstr(std::string(path) + ": ")) << bad;
  }
  EXPECT_FALSE(MapEvents("{}"));
  EXPECT_FALSE(MapEvents("not json"));
  auto none = MapEvents(R"({"events":[]})");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(AllegroMapping, AMalformedOptionalPartOfAnEventReadsAsAbsent) {
  auto events = MapEvents(R"({"events":[{"id":"5","type":"BOUGHT",
      "occurredAt":"2024-01-01T00:00:00Z",
      "order":{"checkoutForm":"abc","lineItems":[{"id":"a"},7,{"name":"no id"}]}}]})");
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_TRUE((*events)[0].checkout_form_id.empty());
  ASSERT_EQ((*events)[0].line_items.size(), 1u);
  EXPECT_EQ((*events)[0].line_items[0].value, "a");
}

TEST(AllegroMapping, ReadsTheLatestEventId) {
  auto latest = MapEventStats(
      R"({"latestEvent":{"id":"1532603898317497","occurredAt":"2018-10-12T10:12:32.321Z"}})");
  ASSERT_TRUE(latest) << latest.error().message;
  EXPECT_EQ(*latest, "1532603898317497");
  EXPECT_EQ(MapEventStats(R"({"latestEvent":null})").value(), "");
  EXPECT_EQ(MapEventStats("{}").value(), "");
  EXPECT_FALSE(MapEventStats(R"({"latestEvent":{"occurredAt":"2018-10-12T10:12:32Z"}})"));
  EXPECT_FALSE(MapEventStats(R"({"latestEvent":"1"})"));
  EXPECT_FALSE(MapEventStats("<html>"));
}

// ---- /me, fulfilment, errors -----------------------------------------------------------------

TEST(AllegroMapping, ReadsTheSellerProfile) {
  auto me = MapMe(R"({"id":"46968690","login":"Client:46968690","firstName":"Amadeusz",
      "email":"user-email@allegro.pl","baseMarketplace":{"id":"allegro-cz"},
      "company":{"name":null,"taxId":null},"features":["SUPER_SELLER"]})");
  ASSERT_TRUE(me) << me.error().message;
  EXPECT_EQ(me->id, "46968690");
  EXPECT_EQ(me->login, "Client:46968690");
  EXPECT_EQ(me->base_marketplace, "allegro-cz");
  EXPECT_EQ(MapMe(R"({"id":"1","login":"x"})")->base_marketplace, "allegro-pl");
  auto no_id = MapMe(R"({"login":"x"})");
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message, "id: required but missing or null");
}

TEST(AllegroMapping, TheFulfillmentBodyCarriesTheStatusOnly) {
  EXPECT_EQ(FulfillmentBody(FulfillmentStatus::kReadyForShipment),
            R"({"status":"READY_FOR_SHIPMENT"})");
  EXPECT_EQ(FulfillmentBody(FulfillmentStatus::kSent), R"({"status":"SENT"})");
  EXPECT_EQ(FulfillmentBody(FulfillmentStatus::kPickedUp), R"({"status":"PICKED_UP"})");
}

TEST(AllegroMapping, DescribesARestErrorBody) {
  EXPECT_EQ(DescribeErrorBody(R"({"errors":[{"code":"CheckoutFormNotFoundException",
      "message":"Checkout form not found","details":null,"path":null,
      "userMessage":"Nie znaleziono zamówienia","metadata":{}}]})"),
            "CheckoutFormNotFoundException: Checkout form not found");
  EXPECT_EQ(DescribeErrorBody(R"({"errors":[{"code":"VALIDATION_ERROR","message":"",
      "userMessage":"Invalid request. Fix the request and try again."},
      {"code":"A"},{"code":"B"}]})"),
            "VALIDATION_ERROR: Invalid request. Fix the request and try again. (+2 more)");
  EXPECT_EQ(DescribeErrorBody(R"({"error":"unauthorized",
      "error_description":"Full authentication is required to access this resource"})"),
            "unauthorized: Full authentication is required to access this resource");
  EXPECT_EQ(
      DescribeErrorBody(
          R"({"error":"invalid_token","error_description":"Cannot convert access token to JSON"})"),
      "invalid_token: Cannot convert access token to JSON");
  EXPECT_EQ(DescribeErrorBody(R"({"errors":[{"code":"CheckoutFormNotFoundException",
      "message":"Checkout form 29738e61-7f6a-11e8-ac45-09db60ede9d6 not found"}]})"),
            "CheckoutFormNotFoundException: Checkout form 29738e61-7f6a-11e8-ac45-09db60ede9d6 "
            "not found");
  EXPECT_EQ(DescribeErrorBody(R"({"error":"invalid_scope",
      "error_description":"Invalid scope: allegro:api:shipments:write"})"),
            "invalid_scope: Invalid scope: allegro:api:shipments:write");
}

TEST(AllegroMapping, AnErrorDescriptionNeverEchoesAToken) {
  const std::string jwt =
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX25hbWUiOiI0Mzc4NDgzMjIiLCJleHAiOjE3MDAwMDB9."
      "c2lnbmF0dXJlLXRoYXQtaXMtbG9uZy1lbm91Z2g";
  const std::string refresh = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A";
  const std::string described_expired = DescribeErrorBody(
      R"({"error":"invalid_token","error_description":"Access token expired: )" + jwt + "\"}");
  EXPECT_EQ(described_expired, "invalid_token: Access token expired");
  const std::string described_grant = DescribeErrorBody(
      R"({"error":"invalid_grant","error_description":"Invalid refresh token: )" + refresh + "\"}");
  EXPECT_EQ(described_grant, "invalid_grant: Invalid refresh token");

  // Wherever else a token shows up, it is redacted.
  for (const std::string& body :
       {R"({"error":"unauthorized","error_description":"Bad token )" + jwt + "\"}",
        R"({"errors":[{"code":"AccessDenied","message":"token )" + jwt + " is not allowed\"}]}",
        "Bearer " + jwt + " rejected by upstream", R"({"error":")" + refresh + "\"}",
        "<html><body>\n\t" + jwt + "</body></html>",
        R"({"error":"invalid_token","error_description":"expired )" + jwt + "\"}"}) {
    const std::string d = DescribeErrorBody(body);
    EXPECT_EQ(d.find(jwt.substr(0, 20)), std::string::npos) << d;
    EXPECT_EQ(d.find(refresh.substr(0, 20)), std::string::npos) << d;
    EXPECT_EQ(d.find("c2lnbmF0dXJl"), std::string::npos) << d;
  }
}

TEST(AllegroMapping, DescribesANonJsonBodyPrintablyAndBounded) {
  std::string html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\x01\xff";
  html += std::string(1000, 'x');
  const std::string d = DescribeErrorBody(html);
  EXPECT_LE(d.size(), 200u);
  EXPECT_TRUE(IsValidUtf8(d));
  EXPECT_THAT(d, HasSubstr("<html> <head><title>502 Bad Gateway</title></head>"));
  for (char c : d) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << d;
  EXPECT_EQ(DescribeErrorBody(""), "empty response body");
  EXPECT_LE(
      DescribeErrorBody(R"({"errors":[{"code":"X","message":")" + std::string(5000, 'm') + "\"}]}")
          .size(),
      500u);
}

// Section 4.2/4.3: the waybill request and the shipments list.
TEST(AllegroMappingWaybills, TheRequestCarriesCarrierWaybillAndLineItemsOnly) {
  Waybill w;
  w.carrier_id = "INPOST";
  w.waybill = "620000000000000000000000";
  w.carrier_name = "ignored unless OTHER";
  w.line_items = {LineItemId("62ae358b-8f65-4fc4-9c77-bedf604a2e2b")};
  auto body = json::parse(WaybillBody(w)).as_object();
  EXPECT_EQ(body.at("carrierId"), "INPOST");
  EXPECT_EQ(body.at("waybill"), "620000000000000000000000");
  EXPECT_TRUE(body.at("carrierName").is_null());
  EXPECT_EQ(body.at("lineItems").as_array().at(0).at("id"), "62ae358b-8f65-4fc4-9c77-bedf604a2e2b");
  w.carrier_id = "OTHER";
  w.carrier_name = "Kurier Bardzo Długa Nazwa Przewoźnika Sp. z o.o.";
  w.line_items.clear();
  body = json::parse(WaybillBody(w)).as_object();
  EXPECT_LE(body.at("carrierName").as_string().size(), 30u) << "Allegro allows 30 characters";
  EXPECT_FALSE(body.contains("lineItems")) << "absent means all items";
}

TEST(AllegroMappingWaybills, TheListAndTheCreatedAnswerMap) {
  auto list =
      MapWaybills(R"({"shipments":[{"id":"REhMOjEyMzQ1Njc4OTEwUEw=","waybill":"12345678910PL",
    "carrierId":"DHL","carrierName":null,"lineItems":[{"id":"62ae358b-8f65-4fc4-9c77-bedf604a2e2b"}],
    "createdAt":"2019-02-18T11:46:48.264Z"}]})");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).waybill, "12345678910PL");
  EXPECT_EQ(list->at(0).carrier_id, "DHL");
  EXPECT_EQ(list->at(0).line_items.size(), 1u);
  auto created = MapWaybill(R"({"id":"x","waybill":"620000","carrierId":"INPOST","carrierName":null,
    "lineItems":[],"createdAt":"2019-02-18T11:46:48.264Z"})");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->carrier_id, "INPOST");
  EXPECT_FALSE(MapWaybills(R"({"shipments":[{"carrierId":"INPOST"}]})")) << "waybill is required";
}

}  // namespace
}  // namespace nadajnik::marketplace::allegro
