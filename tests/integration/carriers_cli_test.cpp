// `nadajnik carriers add|list|check`: the real binary against its own data folder and the carrier
// simulators of nadajnik-sandbox. Settings that don't validate are refused with every problem
// (exit 2), credentials are checked with the carrier before they are stored, secrets never come
// back out. Also the demo's carrier contracts, checked against the simulators they point at.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/cli.hpp"
#include "app/config.hpp"
#include "carriers/carrier_factory.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/sandbox_process.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInPostToken[] = "inpost-sandbox-token";  // the simulator's organization 9001

class CarriersCliTest : public ::testing::Test, protected SandboxProcess {
 protected:
  void SetUp() override {
    Start();
    AddAccount("AB");
  }

  void AddAccount(const std::string& alias) {
    auto r = nadajnik_.Cli({"accounts", "add", "--alias", alias, "--name", "Konto " + alias,
                            "--auth-url", base(), "--api-url", base(), "--client-id",
                            kSandboxClientId, "--client-secret", kSandboxClientSecret});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  std::vector<std::string> AddInPost(const std::string& token_arg) {
    return {"carriers",
            "add",
            "--account",
            "AB",
            "--carrier",
            "inpost",
            "--set",
            "base_url=" + base() + "/inpost",
            "--set",
            "organization_id=9001",
            "--set",
            "default_service=inpost_locker_standard",
            "--secret",
            "token=" + token_arg,
            "--sender-name",
            "Anna Nowak",
            "--sender-street",
            "Grunwaldzka 182",
            "--sender-postal-code",
            "60-166",
            "--sender-city",
            "Poznań",
            "--sender-phone",
            "500600700"};
  }

  json::array ListJson(const std::string& account = "AB") {
    auto r = nadajnik_.Cli({"carriers", "list", "--account", account, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    boost::system::error_code ec;
    auto v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.out;
    if (ec || !v.is_object()) return {};
    return v.at("carriers").as_array();
  }

  std::optional<domain::CarrierSettings> Stored(const std::string& alias, domain::Carrier c) {
    auto r = nadajnik_.store().Read(
        [&](store::UnitOfWork& uow) -> Result<std::optional<domain::CarrierSettings>> {
          NADAJNIK_ASSIGN_OR_RETURN(auto a, uow.accounts().FindByAlias(alias));
          if (!a) return std::optional<domain::CarrierSettings>();
          return uow.carrier_settings().Get(a->id, c);
        });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : std::nullopt;
  }

  NadajnikInstance nadajnik_;
};

TEST_F(CarriersCliTest, SettingsThatDoNotValidateAreRefusedWithEveryProblemAndExit2) {
  auto r = nadajnik_.Cli({"carriers", "add", "--account", "AB", "--carrier", "poczta_polska",
                          "--set", "bank_account=61 1090 1014 0000 0712 1981 2875", "--set",
                          "urzad_nadania=poczta główna", "--set", "loginn=nadajnik-en", "--set",
                          "comment_template=Zamówienie {order.number}"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("bank_account"));
  EXPECT_THAT(r.err, HasSubstr("suma kontrolna"));
  EXPECT_THAT(r.err, HasSubstr("urzad_nadania"));
  EXPECT_THAT(r.err, HasSubstr("czy chodziło o „login”"));
  EXPECT_THAT(r.err, HasSubstr("password"));  // missing
  EXPECT_THAT(r.err, HasSubstr("{order.number}"));
  EXPECT_THAT(r.err, HasSubstr("nothing stored"));
  EXPECT_TRUE(ListJson().empty());
  EXPECT_FALSE(Stored("AB", domain::Carrier::kPocztaPolska));
}

TEST_F(CarriersCliTest, InPostCredentialsAreCheckedAgainstTheCarrierBeforeTheyAreStored) {
  auto r = nadajnik_.Cli([&] {
    auto a = AddInPost(kInPostToken);
    a.push_back("--check");
    return a;
  }());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("InPost stored for account AB"));
  EXPECT_THAT(r.out, HasSubstr("accepted"));

  auto stored = Stored("AB", domain::Carrier::kInPost);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->settings.at("organization_id"), "9001");
  EXPECT_EQ(stored->secrets.at("token").Reveal(), kInPostToken);
  EXPECT_EQ(stored->sender.city, "Poznań");

  auto check = nadajnik_.Cli({"carriers", "check", "--account", "AB", "--carrier", "inpost"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("InPost accepted the settings of account AB"));

  auto none = nadajnik_.Cli({"carriers", "check", "--account", "AB", "--carrier", "dpd"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("no DPD contract"));
}

TEST_F(CarriersCliTest, AWrongTokenIsNamedClearlyAndNothingIsStored) {
  const std::string wrong = "wrong-token-do-not-print-7731";
  auto args = AddInPost(wrong);
  args.push_back("--check");
  auto r = nadajnik_.Cli(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("InPost did not accept the settings of account AB"));
  EXPECT_THAT(r.err, HasSubstr("refused the API token for organization 9001"));
  EXPECT_THAT(r.err, HasSubstr("nothing stored"));
  EXPECT_THAT(r.err + r.out, Not(HasSubstr(wrong)));
  EXPECT_FALSE(Stored("AB", domain::Carrier::kInPost));

  // Stored without --check, the check command tells the same.
  auto stored = nadajnik_.Cli(AddInPost(wrong));
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  auto check = nadajnik_.Cli({"carriers", "check", "--account", "AB", "--carrier", "inpost"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr("refused the API token"));
  EXPECT_THAT(check.err, Not(HasSubstr(wrong)));
}

TEST_F(CarriersCliTest, ListingNeverShowsASecret) {
  const std::string secret = "super-secret-shipx-token-5521";
  auto r = nadajnik_.Cli(AddInPost(secret));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  AddAccount("CD");
  auto dpd = nadajnik_.Cli({"carriers", "add", "--account", "CD", "--carrier", "dpd", "--set",
                            "login=149510101", "--set", "master_fid=1495101", "--secret",
                            "password=dpd-secret-8812"});
  ASSERT_EQ(dpd.exit_code, 0) << dpd.out << dpd.err;

  auto text = nadajnik_.Cli({"carriers", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("AB inpost"));
  EXPECT_THAT(text.out, HasSubstr("CD dpd"));
  EXPECT_THAT(text.out, HasSubstr("token = (ustawiony)"));
  EXPECT_THAT(text.out, HasSubstr("organization_id = 9001"));
  EXPECT_THAT(text.out, HasSubstr("60-166 Poznań"));
  EXPECT_THAT(text.out, Not(HasSubstr(secret)));
  EXPECT_THAT(text.out, Not(HasSubstr("dpd-secret-8812")));

  auto only_ab = nadajnik_.Cli({"carriers", "list", "--account", "AB"});
  EXPECT_THAT(only_ab.out, Not(HasSubstr("CD dpd")));

  auto listed = ListJson();
  ASSERT_EQ(listed.size(), 1u);
  const auto& c = listed[0].as_object();
  EXPECT_EQ(c.at("carrier").as_string(), "inpost");
  EXPECT_EQ(c.at("secrets").at("token").as_string(), "ustawiony");
  EXPECT_EQ(c.at("settings").at("organization_id").as_string(), "9001");
  EXPECT_THAT(json::serialize(listed), Not(HasSubstr(secret)));
  // Nor does the database hold it in the clear.
  EXPECT_THAT(nadajnik_.AllDataBytes(), Not(HasSubstr(secret)));
}

TEST_F(CarriersCliTest, ASecretIsReadFromStdinSoItStaysOutOfTheCommandLine) {
  auto args = AddInPost("-");
  args.push_back("--check");
  auto r = nadajnik_.Cli(args, std::string(kInPostToken) + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto stored = Stored("AB", domain::Carrier::kInPost);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->secrets.at("token").Reveal(), kInPostToken);
  EXPECT_FALSE(stored->secrets.contains("-"));
}

TEST_F(CarriersCliTest, TheDemoContractsPointAtTheSimulatorsAndAreStoredOnce) {
  AddAccount("PL");
  app::ConfigSources sources;
  sources.flags = {{"data.dir", nadajnik_.data_dir().string()}};
  auto config = app::LoadConfig(sources);
  ASSERT_TRUE(config) << config.error().Describe();
  auto rt = app::OpenRuntime(*config);
  ASSERT_TRUE(rt) << rt.error().Describe();
  auto connected = app::ConnectDemoCarriers(**rt, base());
  ASSERT_TRUE(connected) << connected.error().Describe();

  // The seller's own change survives the next start.
  auto changed = Stored("PL", domain::Carrier::kInPost);
  ASSERT_TRUE(changed);
  changed->settings["default_template"] = "large";
  ASSERT_TRUE((*rt)->store->InTransaction([&](store::UnitOfWork& uow) {
    return uow.carrier_settings().Put(*changed, (*rt)->clock.Now());
  }));
  ASSERT_TRUE(app::ConnectDemoCarriers(**rt, base()));
  EXPECT_EQ(Stored("PL", domain::Carrier::kInPost)->settings.at("default_template"), "large");

  auto listed = ListJson("PL");
  EXPECT_EQ(listed.size(), 5u) << json::serialize(listed);
  for (const auto& c : listed) {
    EXPECT_TRUE(c.at("problems").as_array().empty()) << json::serialize(c);
    EXPECT_EQ(c.at("settings").at("comment_template").as_string(),
              "Zamówienie {order.checkoutFormId}");
  }
  for (const char* carrier : {"inpost", "poczta_polska", "orlen", "dpd"}) {
    auto check = nadajnik_.Cli({"carriers", "check", "--account", "PL", "--carrier", carrier});
    EXPECT_EQ(check.exit_code, 0) << carrier << ": " << check.out << check.err;
  }
  // ORLEN tells a wrong key only at the first pack: ask the simulator for a pack's history.
  auto orlen = Stored("PL", domain::Carrier::kOrlenPaczka);
  ASSERT_TRUE(orlen);
  carriers::CarrierEnv env{*(*rt)->marketplace->http};
  auto connector = carriers::MakeCarrierConnector(*orlen, env);
  ASSERT_TRUE(connector) << connector.error().Describe();
  auto status = (*connector)->Status("1234567890123");
  if (!status) {
    EXPECT_NE(status.error().code, ErrorCode::kPermissionDenied) << status.error().message;
    EXPECT_NE(status.error().code, ErrorCode::kUnavailable) << status.error().message;
  }
}

}  // namespace
}  // namespace nadajnik::testing
