#include "carriers/orlen/mapping.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace nadajnik::carriers::orlen {
namespace {

using domain::TrackingState;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NADAJNIK_SOURCE_DIR) + "/tests/fixtures/orlen/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest PointRequest() {
  ShipmentRequest r;
  r.reference = "ORDER-1001";
  r.receiver.name = "Anna Nowak";
  r.receiver.phone = "+48 600-100-200";
  r.receiver.email = "buyer@example.pl";
  r.sender = {"",   "Shop",        "Lipowa",         "1", "00001", "Warszawa",
              "PL", "500 600 700", "shop@example.pl"};
  r.target_point = "WA-116263-K1-02";
  r.parcels.push_back(domain::Parcel{"A", 1500, 0, 0, 0, ""});
  r.insurance = Pln(12345);
  return r;
}

// Child elements of the first element named `name` (local names), as text.
std::map<std::string, std::string> Children(const std::string& xml, const char* name) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  std::map<std::string, std::string> out;
  auto node = doc.find_node([&](pugi::xml_node n) {
    std::string_view full = n.name();
    auto colon = full.find(':');
    return (colon == std::string_view::npos ? full : full.substr(colon + 1)) == name;
  });
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element) out[c.name()] = c.text().get();
  }
  return out;
}

TEST(OrlenMapping, BusinessPackHasTheDocumentedFieldsInGroszeAndNormalizedForm) {
  auto pack = BuildBusinessPack(PointRequest(), {});
  ASSERT_TRUE(pack) << pack.error().message;
  auto ours = Children(*pack, "BusinessPack");
  EXPECT_EQ(ours["DestinationCode"], "WA-116263-K1-02");
  EXPECT_EQ(ours["BoxSize"], "S") << "locker letter A is ORLEN size S";
  EXPECT_EQ(ours["PackValue"], "12345") << "grosze";
  EXPECT_EQ(ours["PhoneNumber"], "600100200");
  EXPECT_EQ(ours["SenderPostCode"], "00-001");
  EXPECT_EQ(ours["SenderPhoneNumber"], "500600700");
  EXPECT_EQ(ours["FirstName"], "Anna");
  EXPECT_EQ(ours["LastName"], "Nowak");
  EXPECT_EQ(ours["SenderOrders"], "ORDER-1001");
  EXPECT_EQ(ours.count("CashOnDelivery"), 0u);

  // Every field we send is one the documented request names.
  const std::string doc_request = ReadFixture("generate_request_one.xml");
  auto documented = Children(doc_request, "BusinessPack");
  for (const auto& [field, value] : documented) {
    EXPECT_TRUE(ours.count(field)) << "missing documented field " << field;
    EXPECT_EQ(ours[field], value) << field;
  }
  const std::set<std::string> also_documented = {"Insurance"};  // section 4.3 list
  for (const auto& [field, value] : ours) {
    EXPECT_TRUE(documented.count(field) || also_documented.count(field)) << field;
  }
}

TEST(OrlenMapping, CashOnDeliveryIsSentInGroszeWithItsTransferTitle) {
  auto r = PointRequest();
  r.cash_on_delivery = Pln(12999);
  auto fields = Children(BuildBusinessPack(r, {}).value(), "BusinessPack");
  EXPECT_EQ(fields["CashOnDelivery"], "T");
  EXPECT_EQ(fields["AmountCashOnDelivery"], "12999");
  EXPECT_EQ(fields["TransferDescription"], "ORDER-1001");
}

TEST(OrlenMapping, TheEnvelopeUsesTheIpNamespaceAndCredentialsFirst) {
  auto pack = BuildBusinessPack(PointRequest(), {}).value();
  const std::string xml = BuildGenerateListTwo("1001", "k<e>y", {pack, pack}, "PDF10", {});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  auto op = doc.child("soap:Envelope").child("soap:Body").first_child();
  EXPECT_STREQ(op.name(), "GenerateLabelBusinessPackListTwo");
  EXPECT_STREQ(op.attribute("xmlns").value(), "https://91.242.220.103/WebServicePwR");
  EXPECT_STREQ(op.first_child().name(), "PartnerID");
  EXPECT_STREQ(op.first_child().next_sibling().name(), "PartnerKey");
  EXPECT_STREQ(op.child("PartnerKey").text().get(), "k<e>y") << "escaped on the wire";
  EXPECT_STREQ(op.child("AutoDestinationChange").text().get(), "T");
  EXPECT_STREQ(op.child("Format").text().get(), "PDF10");
  EXPECT_EQ(std::distance(op.child("BusinessPackList").children().begin(),
                          op.child("BusinessPackList").children().end()),
            2);
  EXPECT_EQ(SoapAction("GenerateLabelBusinessPackListTwo"),
            "\"https://91.242.220.103/WebServicePwR/GenerateLabelBusinessPackListTwo\"");
}

TEST(OrlenMapping, WrongDataIsNamedBeforeSending) {
  auto postal = PointRequest();
  postal.sender.postal_code = "618-88";
  auto e = ValidateRequest(postal, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.error().message, HasSubstr("sender's postal code as NN-NNN; '618-88'"));

  auto cod = PointRequest();
  cod.cash_on_delivery = Pln(500001);
  e = ValidateRequest(cod, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("over ORLEN Paczka's limit of 5000.00 PLN"));
  EXPECT_TRUE(ValidateRequest(cod, ValidationLimits{1000000}));

  auto no_point = PointRequest();
  no_point.target_point = "";
  e = ValidateRequest(no_point, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("choose the buyer's point"));

  auto bad_point = PointRequest();
  bad_point.target_point = "KRA01M";
  e = ValidateRequest(bad_point, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("'KRA01M' is not an ORLEN Paczka point code"));
  EXPECT_TRUE(IsPointCode("XX-116263-00-00"));

  auto two = PointRequest();
  two.parcels.push_back(two.parcels[0]);
  e = ValidateRequest(two, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("exactly one parcel"));

  auto landline = PointRequest();
  landline.receiver.phone = "22 12";
  e = ValidateRequest(landline, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("9-digit mobile number for the receiver"));

  auto big = PointRequest();
  big.parcels[0] = domain::Parcel{"", 1000, 700, 500, 500, ""};
  e = ValidateRequest(big, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("bigger than ORLEN Paczka's largest size L"));
}

TEST(OrlenMapping, TheBuyersPointAsAllegroNamesItGoesForOrlenToComplete) {
  // Allegro gives an ORLEN Paczka point as its bare 6-digit PSD; section 4.5: send
  // "XX-<PSD>-00-00" and ORLEN completes it.
  auto bare = PointRequest();
  bare.target_point = " 220654 ";
  ASSERT_TRUE(ValidateRequest(bare, {}));
  auto pack = BuildBusinessPack(bare, {});
  ASSERT_TRUE(pack) << pack.error().message;
  EXPECT_EQ(Children(*pack, "BusinessPack")["DestinationCode"], "XX-220654-00-00");

  EXPECT_EQ(DestinationCodeFor("220654"), "XX-220654-00-00");
  EXPECT_EQ(DestinationCodeFor("XX-220654-00-00"), "XX-220654-00-00");
  EXPECT_EQ(DestinationCodeFor("xx-220654-00-00"), "XX-220654-00-00");
  EXPECT_EQ(DestinationCodeFor("WA-116263-K1-02"), "WA-116263-K1-02");
  EXPECT_EQ(DestinationCodeFor("kl-895926-j2-55"), "KL-895926-J2-55");

  for (const char* wrong :
       {"22065", "2206540", "22O654", "220-654", "XX-22065-00-00", "XX-220654-00-0",
        "XX-220654-0000", "12-220654-00-00", "KRA01M", "ORLEN 220654", ""}) {
    EXPECT_FALSE(DestinationCodeFor(wrong)) << wrong;
    EXPECT_FALSE(IsPointCode(wrong)) << wrong;
  }
  auto refused = PointRequest();
  refused.target_point = "2206540";
  auto e = ValidateRequest(refused, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.error().message, HasSubstr("'2206540' is not an ORLEN Paczka point code"));
  EXPECT_THAT(e.error().message, HasSubstr("6-digit number"));
  EXPECT_FALSE(BuildBusinessPack(refused, {}));
}

TEST(OrlenMapping, BoxSizeComesFromTheTemplateOrTheDimensions) {
  EXPECT_EQ(BoxSizeFor({"m", 100, 0, 0, 0, ""}).value(), "M");
  EXPECT_EQ(BoxSizeFor({"C", 100, 0, 0, 0, ""}).value(), "L");
  EXPECT_EQ(BoxSizeFor({"", 100, 300, 200, 50, ""}).value(), "S");
  EXPECT_EQ(BoxSizeFor({"", 100, 300, 200, 150, ""}).value(), "M");
  EXPECT_FALSE(BoxSizeFor({"XL", 100, 0, 0, 0, ""}));
  EXPECT_FALSE(BoxSizeFor({"S", 26000, 0, 0, 0, ""}));
}

TEST(OrlenMapping, TheDocumentedCreateAnswerGivesThePackCodeAndTheLabel) {
  auto answer =
      ParseAnswer(ReadFixture("generate_answer_one.xml"), "GenerateLabelBusinessPackListTwo");
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(answer->rows.size(), 1u);
  const auto& row = answer->rows[0];
  EXPECT_TRUE(row.ok());
  EXPECT_FALSE(row.destination_changed());
  EXPECT_EQ(row.pack_code, "2100012345678");
  EXPECT_EQ(row.destination_code, "WA-116263-K1-02");
  EXPECT_EQ(row.destination_id, "116263");
  EXPECT_EQ(row.pack_price_minor, 999);
  EXPECT_EQ(answer->label_data, "%PDF-1.4\n");
}

TEST(OrlenMapping, AListAnswerHasOneRowPerPackInOrder) {
  auto answer =
      ParseAnswer(ReadFixture("generate_answer_list.xml"), "GenerateLabelBusinessPackListTwo");
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(answer->rows.size(), 3u);
  EXPECT_TRUE(answer->rows[0].ok());
  EXPECT_EQ(answer->rows[0].pack_code, "3400014093352");
  EXPECT_FALSE(answer->rows[1].ok());
  EXPECT_EQ(answer->rows[1].err, "104");
  EXPECT_TRUE(answer->rows[2].ok()) << "007: saved, destination changed";
  EXPECT_TRUE(answer->rows[2].destination_changed());
  EXPECT_EQ(answer->rows[2].pack_price_minor, 1199);
}

TEST(OrlenMapping, ResultCodesBecomeMessagesThatSayWhatToFix) {
  ResultRow credentials{"100", "Nieprawidłowy PartnerID lub PartnerKey"};
  Error e = ErrorFromResult(credentials, "create the pack for ORDER-1", "AB");
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(e.message, HasSubstr("ORLEN Paczka rejected PartnerKey for account AB: fix it in "
                                   "Ustawienia > Przewoźnicy"));

  auto cancel = ParseAnswer(ReadFixture("cancel_posted.xml"), "PutCustomerPackCanceled");
  ASSERT_TRUE(cancel);
  e = ErrorFromResult(cancel->rows.at(0), "cancel pack 2100012345678", "AB");
  EXPECT_EQ(e.code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(e.message, HasSubstr("already posted"));

  e = ErrorFromResult({"104", "Brak kodu"}, "create the pack", "AB");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("pickup point (DestinationCode) is missing"));

  e = ErrorFromResult({"106", "Nie znaleziono"}, "print the label of pack 1", "AB");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);

  // Codes the reference does not list: ErrDes is shown, with a hint from its words.
  e = ErrorFromResult({"112", "Nieprawidłowy kod pocztowy (PostCode): '618-88'"},
                      "create the pack for ORDER-1", "AB");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.message,
            "ORLEN Paczka refused to create the pack for ORDER-1: Nieprawidłowy kod pocztowy "
            "(PostCode): '618-88' (Err 112). Correct the postal code in the address");
  e = ErrorFromResult({"999", ""}, "create the pack", "AB");
  EXPECT_THAT(e.message, HasSubstr("no description (Err 999)"));
}

TEST(OrlenMapping, AFaultOrGarbageIsNotMistakenForAnAnswer) {
  auto fault = ParseAnswer(ReadFixture("fault.xml"), "GenerateLabelBusinessPackListTwo");
  ASSERT_FALSE(fault);
  EXPECT_EQ(fault.error().code, ErrorCode::kInternal);
  EXPECT_THAT(fault.error().details, HasSubstr("SOAPAction"));
  EXPECT_FALSE(ParseAnswer("<html>502</html>", "GenerateLabelBusinessPackListTwo"));
  EXPECT_FALSE(ParseAnswer("not xml", "GenerateLabelBusinessPackListTwo"));
  EXPECT_FALSE(ParseAnswer(ReadFixture("generate_answer_one.xml"), "PutCustomerPackCanceled"))
      << "the answer of another operation";
}

TEST(OrlenMapping, TransCodesMapToTheNormalizedStates) {
  const std::vector<std::pair<const char*, TrackingState>> table = {
      {"200", TrackingState::kCreated},        {"210", TrackingState::kInTransit},
      {"100", TrackingState::kInTransit},      {"110", TrackingState::kInTransit},
      {"230", TrackingState::kInTransit},      {"240", TrackingState::kInTransit},
      {"300", TrackingState::kInTransit},      {"400", TrackingState::kInTransit},
      {"450", TrackingState::kInTransit},      {"653", TrackingState::kInTransit},
      {"680", TrackingState::kOutForDelivery}, {"690", TrackingState::kReadyForPickup},
      {"695", TrackingState::kReadyForPickup}, {"700", TrackingState::kFailed},
      {"709", TrackingState::kFailed},         {"729", TrackingState::kFailed},
      {"749", TrackingState::kFailed},         {"790", TrackingState::kReturned},
      {"800", TrackingState::kReturned},       {"900", TrackingState::kReturned},
      {"1000", TrackingState::kDelivered},     {"1100", TrackingState::kDelivered},
      {"201", TrackingState::kUnknown},        {"888", TrackingState::kUnknown},
      {"12345", TrackingState::kUnknown},      {"abc", TrackingState::kUnknown},
  };
  for (const auto& [code, state] : table) EXPECT_EQ(TrackingStateFor(code), state) << code;
  EXPECT_EQ(TrackingStateFor("690", "POWROT"), TrackingState::kReturned);
  EXPECT_EQ(TrackingStateFor("1000", "2_POWROT"), TrackingState::kReturned);
}

TEST(OrlenMapping, HistoryIsOldestFirstWithoutArchivedRowsAndForOnePack) {
  auto rows = ParseHistory(ReadFixture("history.xml"));
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->size(), 7u);
  auto events = EventsFor(*rows, "2100012345678");
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[0].code, "200");
  EXPECT_EQ((*events)[0].state, TrackingState::kCreated);
  EXPECT_EQ((*events)[0].description, "registered (advised) by sender");
  EXPECT_EQ(FormatIso8601((*events)[0].at), "2026-11-20T07:00:00.000Z");
  EXPECT_EQ((*events)[1].code, "210");
  EXPECT_EQ((*events)[2].code, "680");
  EXPECT_EQ(FormatIso8601((*events)[2].at), "2026-11-21T05:30:00.000Z") << "no offset: Warsaw";
  EXPECT_EQ((*events)[3].state, TrackingState::kReadyForPickup);
  EXPECT_EQ((*events)[4].code, "690 POWROT");
  EXPECT_EQ((*events)[4].state, TrackingState::kReturned);
}

TEST(OrlenMapping, TimesWithAndWithoutOffsetAreRead) {
  EXPECT_EQ(FormatIso8601(ParseOrlenTime("2026-07-01T12:00:00+02:00").value()),
            "2026-07-01T10:00:00.000Z");
  EXPECT_EQ(FormatIso8601(ParseOrlenTime("2026-07-01T12:00:00").value()),
            "2026-07-01T10:00:00.000Z")
      << "summer time in Warsaw";
  EXPECT_EQ(FormatIso8601(ParseOrlenTime("2026-01-10 12:00:00.5").value()),
            "2026-01-10T11:00:00.500Z");
  EXPECT_FALSE(ParseOrlenTime("yesterday"));
}

TEST(OrlenMapping, PointsAreRead) {
  auto points = ParsePoints(ReadFixture("points.xml"));
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[0].destination_code, "WA-116263-K1-02");
  EXPECT_EQ((*points)[0].psd, "116263");
  EXPECT_EQ((*points)[0].point_type, "APM");
  EXPECT_TRUE((*points)[0].available);
  EXPECT_TRUE((*points)[0].cash_on_delivery);
  EXPECT_FALSE((*points)[1].available);
  EXPECT_FALSE((*points)[1].cash_on_delivery);
  EXPECT_EQ((*points)[1].city, "Kalisz");
}

TEST(OrlenMapping, Base64DecodesLabelData) {
  EXPECT_EQ(DecodeBase64("JVBERi0xLjQK").value(), "%PDF-1.4\n");
  EXPECT_EQ(DecodeBase64("Xlh\nB\r\n").value(), "^XA");
  EXPECT_EQ(DecodeBase64("YQ==").value(), "a");
  EXPECT_FALSE(DecodeBase64("a$b"));
  EXPECT_FALSE(DecodeBase64("YQ==YQ"));
}

}  // namespace
}  // namespace nadajnik::carriers::orlen
