// Carrier contracts from stored settings: every problem named at once (unknown keys with a
// did-you-mean, missing keys, malformed ids, URLs, NRBs and weights), and a connector built per
// carrier from the keys, secrets and defaults.
#include "carriers/carrier_factory.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "carriers/poczta_polska/mapping.hpp"
#include "marketplace/marketplace_connector.hpp"
#include "net/http_client.hpp"

namespace nadajnik::carriers {
namespace {

using domain::Carrier;
using domain::CarrierSettings;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kValidNrb[] = "61 1090 1014 0000 0712 1981 2874";

CarrierSettings Settings(Carrier carrier, std::map<std::string, std::string> plain,
                         std::map<std::string, std::string> secrets) {
  CarrierSettings s;
  s.account_id = AccountId(7);
  s.carrier = carrier;
  s.settings = std::move(plain);
  for (auto& [k, v] : secrets) s.secrets[k] = Secret<>(v);
  return s;
}

CarrierSettings InPost() {
  return Settings(Carrier::kInPost, {{"organization_id", "9001"}}, {{"token", "tok-123"}});
}
CarrierSettings Poczta() {
  return Settings(Carrier::kPocztaPolska, {{"login", "nadajnik-en"}},
                  {{"password", "haslo-en-sandbox"}});
}
CarrierSettings Orlen() {
  return Settings(Carrier::kOrlenPaczka, {{"partner_id", "1001"}},
                  {{"partner_key", "orlen-sandbox-key"}});
}
CarrierSettings Dpd() {
  return Settings(Carrier::kDpd, {{"login", "149510101"}, {"master_fid", "1495101"}},
                  {{"password", "dpd-sandbox-haslo"}});
}

// The problem about `key`, or nullptr.
const SettingProblem* About(const std::vector<SettingProblem>& problems, const std::string& key) {
  auto it = std::find_if(problems.begin(), problems.end(),
                         [&](const SettingProblem& p) { return p.key == key; });
  return it == problems.end() ? nullptr : &*it;
}

std::string Describe(const std::vector<SettingProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.key + ": " + p.message + "\n";
  return out;
}

// Records every request and answers 503, so a connector's first call shows what it was built with.
class RecordingHttp : public net::HttpClient {
 public:
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    requests.push_back(request);
    net::HttpResponse r;
    r.status = 503;
    r.body = "down for the test";
    return r;
  }
  std::optional<std::string> Header(std::size_t i, const std::string& name) const {
    for (const auto& [k, v] : requests.at(i).headers) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
  std::vector<net::HttpRequest> requests;
};

class FailingAllegro : public marketplace::ConnectorFactory {
 public:
  Result<std::unique_ptr<marketplace::MarketplaceConnector>> ForAccount(
      AccountId account) override {
    asked.push_back(account);
    return Fail(ErrorCode::kUnavailable, "Allegro unreachable in the test");
  }
  std::vector<AccountId> asked;
};

TEST(CarrierSettingsValidationTest, CompleteSettingsOfEveryCarrierHaveNoProblems) {
  for (const auto& s :
       {InPost(), Poczta(), Orlen(), Dpd(), Settings(Carrier::kAllegroShipping, {}, {})}) {
    auto problems = ValidateCarrierSettings(s);
    EXPECT_TRUE(problems.empty()) << domain::CarrierCode(s.carrier) << ":\n" << Describe(problems);
  }
}

TEST(CarrierSettingsValidationTest, EveryMissingRequiredKeyIsNamedAtOnce) {
  auto problems = ValidateCarrierSettings(Settings(Carrier::kDpd, {}, {}));
  ASSERT_EQ(problems.size(), 3u) << Describe(problems);
  EXPECT_NE(About(problems, "login"), nullptr);
  EXPECT_NE(About(problems, "password"), nullptr);
  EXPECT_NE(About(problems, "master_fid"), nullptr);
  EXPECT_THAT(About(problems, "password")->message, HasSubstr("brak wymaganego"));
  // An empty value is as good as none.
  auto inpost = InPost();
  inpost.settings["organization_id"] = "  ";
  inpost.secrets["token"] = Secret<>("");
  auto empty = ValidateCarrierSettings(inpost);
  EXPECT_NE(About(empty, "organization_id"), nullptr) << Describe(empty);
  EXPECT_NE(About(empty, "token"), nullptr) << Describe(empty);
}

TEST(CarrierSettingsValidationTest, UnknownKeysGetADidYouMean) {
  auto s = InPost();
  s.settings["organisation_id"] = "9001";
  s.settings["Default-Service"] = "inpost_locker_standard";
  s.secrets["tokn"] = Secret<>("x");
  s.settings["colour"] = "red";
  auto problems = ValidateCarrierSettings(s);
  ASSERT_EQ(problems.size(), 4u) << Describe(problems);
  EXPECT_THAT(About(problems, "organisation_id")->message, HasSubstr("„organization_id”"));
  EXPECT_THAT(About(problems, "Default-Service")->message, HasSubstr("„default_service”"));
  EXPECT_THAT(About(problems, "tokn")->message, HasSubstr("„token”"));
  // Nothing close: the keys the carrier knows are listed instead.
  EXPECT_THAT(About(problems, "colour")->message, HasSubstr("organization_id"));
  EXPECT_THAT(About(problems, "colour")->message, Not(HasSubstr("czy chodziło")));
  // A key of another carrier is unknown here.
  auto dpd = Dpd();
  dpd.settings["organization_id"] = "9001";
  EXPECT_NE(About(ValidateCarrierSettings(dpd), "organization_id"), nullptr);
}

TEST(CarrierSettingsValidationTest, ASecretGivenAsAPlainSettingIsRefusedWithoutEchoingIt) {
  auto s =
      Settings(Carrier::kInPost, {{"organization_id", "9001"}, {"token", "plain-token-xyz"}}, {});
  auto problems = ValidateCarrierSettings(s);
  ASSERT_EQ(problems.size(), 1u) << Describe(problems);
  EXPECT_EQ(problems[0].key, "token");
  EXPECT_THAT(problems[0].message, HasSubstr("sekret"));
  EXPECT_THAT(problems[0].message, Not(HasSubstr("plain-token-xyz")));

  auto reverse = InPost();
  reverse.secrets["organization_id"] = Secret<>("9001");
  reverse.settings.erase("organization_id");
  auto r = ValidateCarrierSettings(reverse);
  ASSERT_EQ(r.size(), 1u) << Describe(r);
  EXPECT_THAT(r[0].message, HasSubstr("--set organization_id"));
}

TEST(CarrierSettingsValidationTest, IdsMustBeNumeric) {
  auto inpost = InPost();
  inpost.settings["organization_id"] = "org-9001";
  auto p = ValidateCarrierSettings(inpost);
  ASSERT_NE(About(p, "organization_id"), nullptr) << Describe(p);
  EXPECT_THAT(About(p, "organization_id")->message, HasSubstr("org-9001"));

  auto dpd = Dpd();
  dpd.settings["master_fid"] = "14951O1";  // a letter O
  dpd.settings["login"] = "149510101";
  EXPECT_NE(About(ValidateCarrierSettings(dpd), "master_fid"), nullptr);

  auto poczta = Poczta();
  poczta.settings["urzad_nadania"] = "260001";
  poczta.settings["id_bufor"] = "bufor 1";
  auto pp = ValidateCarrierSettings(poczta);
  ASSERT_EQ(pp.size(), 1u) << Describe(pp);
  EXPECT_EQ(pp[0].key, "id_bufor");
}

TEST(CarrierSettingsValidationTest, BaseUrlsMustBeHttpOrHttps) {
  auto s = InPost();
  s.settings["base_url"] = "http://127.0.0.1:8080/inpost";
  EXPECT_TRUE(ValidateCarrierSettings(s).empty());
  s.settings["base_url"] = "https://sandbox-api-shipx-pl.easypack24.net/";
  EXPECT_TRUE(ValidateCarrierSettings(s).empty());
  for (const char* bad : {"ftp://api.example.pl", "api-shipx-pl.easypack24.net", "https://",
                          "https://host name.pl", "javascript:alert(1)"}) {
    s.settings["base_url"] = bad;
    auto p = ValidateCarrierSettings(s);
    EXPECT_NE(About(p, "base_url"), nullptr) << bad;
  }
  auto dpd = Dpd();
  dpd.settings["info_base_url"] = "dpdinfoservices.dpd.com.pl";
  EXPECT_NE(About(ValidateCarrierSettings(dpd), "info_base_url"), nullptr);
  auto orlen = Orlen();
  orlen.settings["endpoint"] = "mailto:orlen@example.pl";
  EXPECT_NE(About(ValidateCarrierSettings(orlen), "endpoint"), nullptr);
}

TEST(CarrierSettingsValidationTest, TheBankAccountIsA26DigitNrbWithAValidChecksum) {
  auto s = Poczta();
  for (const char* good : {kValidNrb, "61109010140000071219812874", "PL61109010140000071219812874",
                           "pl 61-1090-1014-0000-0712-1981-2874"}) {
    s.settings["bank_account"] = good;
    auto p = ValidateCarrierSettings(s);
    EXPECT_TRUE(p.empty()) << good << "\n" << Describe(p);
  }
  // One digit changed: the length is right, the checksum is not.
  s.settings["bank_account"] = "61109010140000071219812875";
  auto checksum = ValidateCarrierSettings(s);
  ASSERT_NE(About(checksum, "bank_account"), nullptr);
  EXPECT_THAT(About(checksum, "bank_account")->message, HasSubstr("suma kontrolna"));
  // Two digits swapped (the commonest typing slip).
  s.settings["bank_account"] = "16109010140000071219812874";
  EXPECT_NE(About(ValidateCarrierSettings(s), "bank_account"), nullptr);
  // A digit short.
  s.settings["bank_account"] = "6110901014000007121981287";
  auto length = ValidateCarrierSettings(s);
  ASSERT_NE(About(length, "bank_account"), nullptr);
  EXPECT_THAT(About(length, "bank_account")->message, HasSubstr("25 cyfr"));
  EXPECT_THAT(About(length, "bank_account")->message, HasSubstr("26"));
  s.settings["bank_account"] = "61 1090 1014 0000 0712 1981 287X";
  EXPECT_NE(About(ValidateCarrierSettings(s), "bank_account"), nullptr);
}

TEST(CarrierSettingsValidationTest, TheNrbCheckAgreesWithPocztaPolskasOwn) {
  auto s = Poczta();
  for (const char* nrb :
       {kValidNrb, "40102055610000310200021234", "27114020040000300201355387",
        "28114020040000300201355387", "40102055610000310200021243", "4010205561000031020002123"}) {
    s.settings["bank_account"] = nrb;
    const bool ours = ValidateCarrierSettings(s).empty();
    const bool theirs = poczta_polska::NormalizeNrb(nrb).has_value();
    EXPECT_EQ(ours, theirs) << nrb;
  }
}

TEST(CarrierSettingsValidationTest, TheDefaultWeightIsWholeGramsInRange) {
  auto s = Orlen();
  s.settings["default_weight_grams"] = "1500";
  EXPECT_TRUE(ValidateCarrierSettings(s).empty());
  for (const char* bad : {"0", "-5", "1,5", "1.5kg", "abc", "2000000", "99999999999999999999"}) {
    s.settings["default_weight_grams"] = bad;
    EXPECT_NE(About(ValidateCarrierSettings(s), "default_weight_grams"), nullptr) << bad;
  }
}

TEST(CarrierSettingsValidationTest, ServicesTemplatesAndSenderAreCheckedPerCarrier) {
  auto dpd = Dpd();
  dpd.settings["default_service"] = "dpd_classic";
  EXPECT_TRUE(ValidateCarrierSettings(dpd).empty());
  dpd.settings["default_service"] = "inpost_locker_standard";
  auto p = ValidateCarrierSettings(dpd);
  ASSERT_NE(About(p, "default_service"), nullptr);
  EXPECT_THAT(About(p, "default_service")->message, HasSubstr("dpd_classic"));

  auto inpost = InPost();
  inpost.settings["default_template"] = "B";
  inpost.settings["default_sending_method"] = "parcel_locker";
  EXPECT_TRUE(ValidateCarrierSettings(inpost).empty());
  inpost.settings["default_template"] = "XXL";
  inpost.settings["default_sending_method"] = "pigeon";
  auto t = ValidateCarrierSettings(inpost);
  EXPECT_NE(About(t, "default_template"), nullptr);
  EXPECT_NE(About(t, "default_sending_method"), nullptr);

  auto poczta = Poczta();
  poczta.sender.postal_code = "6O-166";
  poczta.sender.phone = "12";
  auto sender = ValidateCarrierSettings(poczta);
  EXPECT_NE(About(sender, "sender.postal_code"), nullptr) << Describe(sender);
  EXPECT_NE(About(sender, "sender.phone"), nullptr) << Describe(sender);
}

TEST(CarrierSettingsValidationTest, AllegroShippingKeysAreCheckedByItsConnectorsRules) {
  auto s = Settings(Carrier::kAllegroShipping,
                    {{"label_format", "zpl"},
                     {"delivery_method_id", "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93"},
                     {"tracking_carrier_id", "INPOST"}},
                    {});
  auto ok = ValidateCarrierSettings(s);
  EXPECT_TRUE(ok.empty()) << Describe(ok);
  s.settings = {
      {"label_format", "gif"}, {"credentials_id", "moja-umowa"}, {"delivery_method", "x"}};
  auto p = ValidateCarrierSettings(s);
  ASSERT_EQ(p.size(), 3u) << Describe(p);
  EXPECT_THAT(About(p, "label_format")->message, HasSubstr("zpl"));
  EXPECT_THAT(About(p, "credentials_id")->message, HasSubstr("UUID"));
  EXPECT_THAT(About(p, "delivery_method")->message, HasSubstr("„delivery_method_id”"));
}

TEST(CarrierSettingKeysTest, EveryCarrierListsItsOwnAndTheSharedKeys) {
  for (Carrier c : {Carrier::kInPost, Carrier::kDpd, Carrier::kPocztaPolska, Carrier::kOrlenPaczka,
                    Carrier::kAllegroShipping}) {
    auto keys = SettingKeys(c);
    for (const char* shared :
         {"default_service", "default_template", "default_weight_grams", "sending_point",
          "bank_account", "comment_template", "status_after_label"}) {
      EXPECT_TRUE(std::any_of(keys.begin(), keys.end(),
                              [&](const SettingKey& k) { return k.key == shared; }))
          << domain::CarrierCode(c) << " lacks " << shared;
    }
    for (const auto& k : keys) EXPECT_FALSE(k.description.empty()) << k.key;
  }
  auto inpost = SettingKeys(Carrier::kInPost);
  auto token = std::find_if(inpost.begin(), inpost.end(),
                            [](const SettingKey& k) { return k.key == "token"; });
  ASSERT_NE(token, inpost.end());
  EXPECT_TRUE(token->secret);
  EXPECT_TRUE(token->required);
}

TEST(MakeCarrierConnectorTest, InvalidSettingsAreRefusedNamingTheKeys) {
  RecordingHttp http;
  CarrierEnv env{http};
  auto s = InPost();
  s.settings["organization_id"] = "abc";
  s.settings["bank_account"] = "123";
  auto c = MakeCarrierConnector(s, env);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(c.error().message, HasSubstr("organization_id"));
  EXPECT_THAT(c.error().message, HasSubstr("bank_account"));
  EXPECT_TRUE(http.requests.empty());
}

TEST(MakeCarrierConnectorTest, InPostUsesTheProductionHostByDefaultAndTheToken) {
  RecordingHttp http;
  CarrierEnv env{http};
  auto c = MakeCarrierConnector(InPost(), env);
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ((*c)->carrier(), Carrier::kInPost);
  (void)(*c)->CheckCredentials();
  ASSERT_FALSE(http.requests.empty());
  EXPECT_THAT(http.requests[0].url,
              HasSubstr("https://api-shipx-pl.easypack24.net/v1/organizations/9001/"));
  EXPECT_EQ(http.Header(0, "Authorization"), "Bearer tok-123");

  auto sandbox = InPost();
  sandbox.settings["base_url"] = "http://127.0.0.1:9/inpost/";
  http.requests.clear();
  auto s = MakeCarrierConnector(sandbox, env);
  ASSERT_TRUE(s);
  (void)(*s)->CheckCredentials();
  ASSERT_FALSE(http.requests.empty());
  EXPECT_THAT(http.requests[0].url, HasSubstr("http://127.0.0.1:9/inpost/v1/organizations/9001"));
}

TEST(MakeCarrierConnectorTest, PocztaPolskaSpeaksBasicAuthToItsBaseUrl) {
  RecordingHttp http;
  CarrierEnv env{http};
  auto s = Poczta();
  s.settings["base_url"] = "http://127.0.0.1:9/poczta-polska";
  auto c = MakeCarrierConnector(s, env);
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ((*c)->carrier(), Carrier::kPocztaPolska);
  (void)(*c)->CheckCredentials();
  ASSERT_FALSE(http.requests.empty());
  EXPECT_THAT(http.requests[0].url, HasSubstr("http://127.0.0.1:9/poczta-polska/"));
  EXPECT_EQ(http.Header(0, "Authorization"),
            "Basic " + EncodeBase64("nadajnik-en:haslo-en-sandbox"));
}

TEST(MakeCarrierConnectorTest, OrlenSendsThePartnerCredentialsToTheProductionEndpoint) {
  RecordingHttp http;
  CarrierEnv env{http};
  auto c = MakeCarrierConnector(Orlen(), env);
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ((*c)->carrier(), Carrier::kOrlenPaczka);
  EXPECT_TRUE((*c)->CheckCredentials());  // ORLEN can only tell at the first pack
  (void)(*c)->Status("1234567890123");
  ASSERT_FALSE(http.requests.empty());
  EXPECT_EQ(http.requests[0].url,
            "https://api.orlenpaczka.pl/WebServicePwRProd/WebServicePwR.asmx");
  EXPECT_THAT(http.requests[0].body, HasSubstr("1001"));
  EXPECT_THAT(http.requests[0].body, HasSubstr("orlen-sandbox-key"));
}

TEST(MakeCarrierConnectorTest, DpdAsksAboutTheSendersPostalCodeWithItsCredentials) {
  RecordingHttp http;
  CarrierEnv env{http};
  auto s = Dpd();
  s.settings["package_base_url"] = "http://127.0.0.1:9/dpd";
  s.sender.postal_code = "60166";
  auto c = MakeCarrierConnector(s, env);
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ((*c)->carrier(), Carrier::kDpd);
  (void)(*c)->CheckCredentials();
  ASSERT_FALSE(http.requests.empty());
  EXPECT_THAT(http.requests[0].url, HasSubstr("http://127.0.0.1:9/dpd"));
  EXPECT_THAT(http.requests[0].body, HasSubstr("149510101"));
  EXPECT_THAT(http.requests[0].body, HasSubstr("1495101"));
  EXPECT_THAT(http.requests[0].body, HasSubstr("60-166"));  // the sender's, normalized
}

TEST(MakeCarrierConnectorTest, DpdRefusesToGuessWhetherAnEarlierAttemptExists) {
  RecordingHttp http;
  CarrierEnv env{http};
  auto c = MakeCarrierConnector(Dpd(), env);
  ASSERT_TRUE(c) << c.error().Describe();
  auto found = (*c)->FindByReference("nadajnik-ship-42");
  ASSERT_FALSE(found) << "claiming 'not found' could create a second shipment after a crash";
  EXPECT_EQ(found.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(found.error().message, HasSubstr("DPD's panel"));
  EXPECT_THAT(found.error().message, HasSubstr("nadajnik-ship-42"));
  EXPECT_TRUE(http.requests.empty());
}

TEST(MakeCarrierConnectorTest, AllegroShippingGoesThroughTheAccountsAllegroConnector) {
  RecordingHttp http;
  auto s = Settings(Carrier::kAllegroShipping, {{"default_weight_grams", "500"}}, {});
  CarrierEnv without{http};
  auto refused = MakeCarrierConnector(s, without);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("Wysyłam z Allegro"));

  FailingAllegro allegro;
  CarrierEnv env{http, &allegro};
  auto c = MakeCarrierConnector(s, env);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "Allegro unreachable in the test");
  ASSERT_EQ(allegro.asked.size(), 1u);
  EXPECT_EQ(allegro.asked[0], AccountId(7));
}

}  // namespace
}  // namespace nadajnik::carriers
