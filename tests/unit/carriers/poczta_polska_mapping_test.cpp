#include "carriers/poczta_polska/mapping.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace nadajnik::carriers::poczta_polska {
namespace {

using domain::TrackingState;
using ::testing::HasSubstr;

constexpr char kNrb[] = "61109010140000071219812874";  // check digits computed for the test

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NADAJNIK_SOURCE_DIR) + "/tests/fixtures/poczta_polska/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Money Pln(std::int64_t minor) { return Money{minor, Currency::PLN()}; }

ShipmentRequest PocztexRequest() {
  ShipmentRequest r;
  r.reference = "nadajnik-7f3a9c";
  r.service = kPocztexKurier;
  r.receiver = {"Anna Nowak", "",   "Półwiejska",      "2/14",           "61888",
                "Poznań",     "PL", "+48 601 702 803", "anna@example.pl"};
  r.sender = {"",   "Sklep Wiśnia", "Malborska",       "130", "30-624", "Kraków",
              "PL", "500600700",    "sklep@example.pl"};
  r.parcels.push_back(domain::Parcel{"", 1500, 300, 200, 100, ""});
  return r;
}

pugi::xml_node Przesylka(pugi::xml_document& doc, const std::string& xml) {
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return doc.document_element().child("soapenv:Body").child("en:addShipment").child("przesylki");
}

TEST(PocztaPolskaMapping, NrbChecksumIsVerified) {
  EXPECT_EQ(NormalizeNrb(kNrb), kNrb);
  EXPECT_EQ(NormalizeNrb("PL61 1090 1014 0000 0712 1981 2874"), kNrb);
  EXPECT_FALSE(NormalizeNrb("62109010140000071219812874")) << "one check digit off";
  EXPECT_FALSE(NormalizeNrb("61109010140000071219812875")) << "one account digit off";
  EXPECT_FALSE(NormalizeNrb("6110901014000007121981287")) << "25 digits";
  EXPECT_FALSE(NormalizeNrb("61-1090-1014-0000-0712-1981-287X"));
}

TEST(PocztaPolskaMapping, GuidIsStableAnd32HexCharacters) {
  const std::string g = GuidFor("nadajnik-7f3a9c");
  EXPECT_EQ(g.size(), 32u);
  EXPECT_EQ(g, GuidFor("nadajnik-7f3a9c"));
  EXPECT_NE(g, GuidFor("nadajnik-7f3a9d"));
  EXPECT_EQ(g.find_first_not_of("0123456789ABCDEF"), std::string::npos);
}

TEST(PocztaPolskaMapping, PocztexWithCodGoesOutAsPocztex2021KurierInSchemaOrder) {
  auto r = PocztexRequest();
  r.cash_on_delivery = Pln(12999);
  r.cod_bank_account = "PL 61 1090 1014 0000 0712 1981 2874";
  r.insurance = Pln(20000);
  r.target_point = "261401";
  auto body = BuildAddShipment({r}, {}, 101);
  ASSERT_TRUE(body) << body.error().message;
  pugi::xml_document doc;
  auto p = Przesylka(doc, *body);
  ASSERT_TRUE(p);
  EXPECT_STREQ(p.attribute("xsi:type").value(), "en:pocztex2021KurierType");
  EXPECT_EQ(p.attribute("guid").value(), GuidFor("nadajnik-7f3a9c"));
  EXPECT_STREQ(p.child("adres").attribute("kodPocztowy").value(), "61-888");
  EXPECT_STREQ(p.child("adres").attribute("numerDomu").value(), "2");
  EXPECT_STREQ(p.child("adres").attribute("numerLokalu").value(), "14");
  EXPECT_STREQ(p.child("adres").attribute("mobile").value(), "601702803");
  EXPECT_STREQ(p.child("nadawca").attribute("nazwa").value(), "Sklep Wiśnia");
  EXPECT_STREQ(p.child("pobranie").attribute("sposobPobrania").value(), "RACHUNEK_BANKOWY");
  EXPECT_STREQ(p.child("pobranie").attribute("kwotaPobrania").value(), "12999") << "grosze";
  EXPECT_STREQ(p.child("pobranie").attribute("nrb").value(), kNrb);
  EXPECT_STREQ(p.child("masa").text().get(), "1500") << "grams";
  EXPECT_STREQ(p.child("wartosc").text().get(), "20000");
  EXPECT_STREQ(p.child("format").text().get(), "M") << "the default Pocztex size";
  EXPECT_STREQ(p.child("punktOdbioru").attribute("id").value(), "261401");
  // pocztex2021Type's sequence: adres, nadawca (base), pobranie ... masa, wartosc, format ...,
  // epo; then pocztex2021KurierType's punktOdbioru.
  std::vector<std::string> order;
  for (auto c = p.first_child(); c; c = c.next_sibling()) order.push_back(c.name());
  EXPECT_EQ(order,
            (std::vector<std::string>{"adres", "nadawca", "pobranie", "masa", "wartosc", "format",
                                      "numerPrzesylkiKlienta", "epo", "punktOdbioru"}));
  EXPECT_STREQ(doc.document_element()
                   .child("soapenv:Body")
                   .child("en:addShipment")
                   .child("idBufor")
                   .text()
                   .get(),
               "101");
}

TEST(PocztaPolskaMapping, PaczkaUsesTheDefaultGabarytAndAttributes) {
  auto r = PocztexRequest();
  r.service = kPaczkaPriorytetowa;
  ShipmentDefaults d;
  d.paczka_gabaryt = "GABARYT_B";
  auto body = BuildAddShipment({r}, d, std::nullopt);
  ASSERT_TRUE(body) << body.error().message;
  pugi::xml_document doc;
  auto p = Przesylka(doc, *body);
  EXPECT_STREQ(p.attribute("xsi:type").value(), "en:paczkaPocztowaType");
  EXPECT_STREQ(p.attribute("kategoria").value(), "PRIORYTETOWA");
  EXPECT_STREQ(p.attribute("gabaryt").value(), "GABARYT_B");
  EXPECT_STREQ(p.attribute("masa").value(), "1500");
  EXPECT_FALSE(p.child("pobranie"));
  r.parcels[0].size_template = "A";
  auto explicit_size = BuildAddShipment({r}, d, std::nullopt);
  ASSERT_TRUE(explicit_size);
  EXPECT_THAT(*explicit_size, HasSubstr("gabaryt=\"GABARYT_A\""));
}

TEST(PocztaPolskaMapping, UnregisteredLettersAreRefusedBeforeAnyCall) {
  auto r = PocztexRequest();
  r.service = "list_zwykly";
  auto refused = ValidateRequest(r, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("no tracking number"));
  EXPECT_FALSE(BuildAddShipment({r}, {}, std::nullopt));
}

TEST(PocztaPolskaMapping, TheSellerLearnsWhatToFixBeforeSending) {
  auto postal = PocztexRequest();
  postal.receiver.postal_code = "618-88";
  auto e = ValidateRequest(postal, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("receiver's postal code as NN-NNN; '618-88'"));

  auto nrb = PocztexRequest();
  nrb.cash_on_delivery = Pln(5000);
  nrb.cod_bank_account = "62109010140000071219812874";
  e = ValidateRequest(nrb, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("not a valid Polish account number (NRB"));

  auto over = PocztexRequest();
  over.cash_on_delivery = Pln(600000);
  over.cod_bank_account = kNrb;
  e = ValidateRequest(over, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("over the Poczta Polska limit of 5000.00 PLN"));

  auto paczka_cod = PocztexRequest();
  paczka_cod.service = kPaczkaEkonomiczna;
  paczka_cod.cash_on_delivery = Pln(5000);
  paczka_cod.cod_bank_account = kNrb;
  e = ValidateRequest(paczka_cod, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(e.error().message, HasSubstr("choose Pocztex Kurier"));

  auto size = PocztexRequest();
  size.parcels[0].size_template = "XXL";
  e = ValidateRequest(size, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("S, M, L, XL or 2XL"));

  auto point = PocztexRequest();
  point.target_point = "POZ08A";
  e = ValidateRequest(point, {});
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("not a Poczta Polska pickup point id"));
}

TEST(PocztaPolskaMapping, AddShipmentPartlySucceeds) {
  auto answer = ParseAnswer(200, ReadFixture("add_shipment_partial.xml"), "addShipment", "add");
  ASSERT_TRUE(answer) << answer.error().message;
  auto items = ParseAddShipment(*answer);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].numer_nadania, "00659007734000000017");
  EXPECT_TRUE((*items)[0].errors.empty());
  ASSERT_EQ((*items)[1].errors.size(), 1u);
  const Error e = ErrorFromSoapErrors((*items)[1].errors, "add shipment X to the bufor");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("Niepoprawny kod pocztowy adresata (error 12)"));
  EXPECT_THAT(e.message, HasSubstr("correct the receiver's postal code"));
}

TEST(PocztaPolskaMapping, LabelsAreDecodedFromBase64) {
  auto answer = ParseAnswer(200, ReadFixture("print_for_parcel.xml"), "getPrintForParcel", "print");
  ASSERT_TRUE(answer);
  auto prints = ParsePrintResults(*answer);
  ASSERT_TRUE(prints);
  ASSERT_EQ(prints->size(), 1u);
  EXPECT_EQ((*prints)[0].guid, "0123456789ABCDEF0123456789ABCDEF");
  EXPECT_EQ((*prints)[0].bytes, "^XA^FO50,50^FD00659007734000000017^FS^XZ");
}

TEST(PocztaPolskaMapping, EpoStatusBecomesTrackingState) {
  auto answer = ParseAnswer(200, ReadFixture("epo_status.xml"), "getEPOStatus", "track");
  ASSERT_TRUE(answer);
  auto epo = ParseEpo(*answer);
  ASSERT_EQ(epo.size(), 1u);
  EXPECT_EQ(epo[0].status, "DORECZONA");
  EXPECT_EQ(epo[0].awizo_date, "2024-03-04");
  auto at = ParseWireTime(epo[0].delivered_at);
  ASSERT_TRUE(at);
  EXPECT_EQ(FormatIso8601(*at), "2024-03-05T09:11:12.000Z") << "Warsaw local time (CET)";
  EXPECT_EQ(TrackingStateForEpo("DORECZONA"), TrackingState::kDelivered);
  EXPECT_EQ(TrackingStateForEpo("NADANIE"), TrackingState::kInTransit);
  EXPECT_EQ(TrackingStateForEpo("W_DORECZENIU"), TrackingState::kOutForDelivery);
  EXPECT_EQ(TrackingStateForEpo("AWIZO"), TrackingState::kReadyForPickup);
  EXPECT_EQ(TrackingStateForEpo("ZWROT"), TrackingState::kReturned);
  EXPECT_EQ(TrackingStateForEpo("NIEZNANY"), TrackingState::kUnknown);

  auto content = ParseAnswer(200, ReadFixture("envelope_content_short.xml"),
                             "getEnvelopeContentShort", "read");
  ASSERT_TRUE(content);
  auto rows = ParseContentShort(*content);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "POTWIERDZONA");
  EXPECT_EQ(rows[0].date, "2024-03-01");
}

TEST(PocztaPolskaMapping, FaultsAndAuthFailuresBecomeClearErrors) {
  auto fault = ParseAnswer(500, ReadFixture("fault.xml"), "addShipment", "add shipments");
  ASSERT_FALSE(fault);
  EXPECT_EQ(fault.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(fault.error().message, HasSubstr("attribute guid is not 32 characters"));

  auto auth = ParseAnswer(401, "Unauthorized", "hello", "check the credentials");
  ASSERT_FALSE(auth);
  EXPECT_EQ(auth.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(auth.error().message, HasSubstr("login or password"));
  EXPECT_THAT(auth.error().message, HasSubstr("Ustawienia > Przewoźnicy"));

  auto outage = ParseAnswer(503, "<html/>", "hello", "ping");
  ASSERT_FALSE(outage);
  EXPECT_TRUE(outage.error().retryable);

  auto wrong = ParseAnswer(200, ReadFixture("epo_status.xml"), "addShipment", "add");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInternal);
}

TEST(PocztaPolskaMapping, PrintRequestCarriesPrintTypeOptions) {
  const std::string zpl =
      BuildGetPrintForParcel({"0123456789ABCDEF0123456789ABCDEF"}, domain::LabelFormat::kZpl300);
  EXPECT_THAT(zpl, HasSubstr("<kind>ADDRESS_LABEL_BY_GUID</kind>"));
  EXPECT_THAT(zpl, HasSubstr("<method>EACH_PARCEL_SEPARATELY</method>"));
  EXPECT_THAT(zpl, HasSubstr("<format>ZPL_FORMAT</format><resolution>DPI_300</resolution>"));
  const std::string pdf =
      BuildGetPrintForParcel({"0123456789ABCDEF0123456789ABCDEF"}, domain::LabelFormat::kPdfA6);
  EXPECT_THAT(pdf, HasSubstr("<format>PDF_FORMAT</format>"));
  EXPECT_THAT(pdf, ::testing::Not(HasSubstr("resolution")));
}

}  // namespace
}  // namespace nadajnik::carriers::poczta_polska
