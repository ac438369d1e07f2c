// The panel's "Ustawienia › Przewoźnicy" end to end: the real nadajnik binary (serve) driven like
// a browser: the list of contracts, the form built from the carrier's keys, every problem next
// to its field, a stored contract that `nadajnik carriers list` sees, secrets that never come
// back out (and an empty secret field that keeps the stored one), and admins only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/panel_forms.hpp"
#include "support/sandbox_process.hpp"

namespace nadajnik::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr char kAdminPassword[] = "Admin-Haslo-2026!";
constexpr char kPackerPassword[] = "Pakowacz-Haslo-77";
constexpr char kInPostToken[] = "inpost-sandbox-token";
constexpr char kBadNrb[] = "61 1090 1014 0000 0712 1981 2875";  // checksum off by one digit

class PanelCarriersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.Start();
    nadajnik_.AddUser("szef", kAdminPassword, "admin");
    nadajnik_.AddUser("ola", kPackerPassword, "packer");
    auto r = nadajnik_.Cli({"accounts", "add", "--alias", "AB", "--name", "Konto AB", "--auth-url",
                            sandbox_.base(), "--api-url", sandbox_.base(), "--client-id",
                            kSandboxClientId, "--client-secret", kSandboxClientSecret});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_TRUE(nadajnik_.Start()) << nadajnik_.Log();
  }

  void LogIn(HttpClient& client, const std::string& user, const std::string& password) {
    auto r = PanelLogIn(client, nadajnik_, user, password);
    ASSERT_EQ(r.status, 303) << r.body;
  }

  HttpResult Submit(HttpClient& client, const std::string& page, Fields fields) {
    auto p = client.Get(nadajnik_.Url(page));
    EXPECT_EQ(p.status, 200) << page;
    fields.emplace_back("csrf_token", CsrfFrom(p.body));
    return client.PostForm(nadajnik_.Url(page), fields);
  }

  Fields InPost(const std::string& token) {
    return {{"enabled", "1"},
            {"base_url", sandbox_.base() + "/inpost"},
            {"organization_id", "9001"},
            {"token", token},
            {"default_service", "inpost_locker_standard"},
            {"sender.name", "Anna Nowak"},
            {"sender.street", "Grunwaldzka 182"},
            {"sender.postal_code", "60-166"},
            {"sender.city", "Poznań"},
            {"sender.phone", "500600700"}};
  }

  json::array ListJson() {
    auto r = nadajnik_.Cli({"carriers", "list", "--account", "AB", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, Not(HasSubstr(kInPostToken)));
    boost::system::error_code ec;
    auto v = json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.out;
    if (ec || !v.is_object()) return {};
    return v.at("carriers").as_array();
  }

  std::optional<domain::CarrierSettings> Stored() {
    auto r = nadajnik_.store().Read(
        [&](store::UnitOfWork& uow) -> Result<std::optional<domain::CarrierSettings>> {
          NADAJNIK_ASSIGN_OR_RETURN(auto a, uow.accounts().FindByAlias("AB"));
          if (!a) return std::optional<domain::CarrierSettings>();
          return uow.carrier_settings().Get(a->id, domain::Carrier::kInPost);
        });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : std::nullopt;
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
};

TEST_F(PanelCarriersTest, AnAdminAddsAnInPostContractFromThePanel) {
  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);

  auto list = admin.Get(nadajnik_.Url("/settings/carriers"));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr(R"(href="/settings/carriers")"));  // the nav
  EXPECT_THAT(list.body, HasSubstr("Konto AB"));
  EXPECT_THAT(list.body, HasSubstr(R"(href="/settings/carriers/AB/inpost")"));

  const std::string page = "/settings/carriers/AB/inpost";
  auto form = admin.Get(nadajnik_.Url(page));
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_THAT(form.body, HasSubstr(R"(name="organization_id")"));
  EXPECT_THAT(form.body, HasSubstr(R"(name="token" type="password" value="")"));
  EXPECT_THAT(form.body, HasSubstr(R"(name="sender.postal_code")"));

  // A bad NRB and no token: 422, both named next to their fields, nothing stored.
  auto bad_fields = InPost("");
  bad_fields.emplace_back("bank_account", kBadNrb);
  auto bad = Submit(admin, page, bad_fields);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("popraw zaznaczone pola"));
  EXPECT_THAT(bad.body, HasSubstr(R"(data-field="bank_account")"));
  EXPECT_THAT(bad.body, HasSubstr("suma kontrolna"));
  EXPECT_THAT(bad.body, HasSubstr(R"(data-field="token")"));
  EXPECT_THAT(bad.body, HasSubstr("brak wymaganego ustawienia „token”"));
  EXPECT_THAT(bad.body, Not(HasSubstr(R"(data-field="organization_id")")));
  // What was typed stays.
  EXPECT_THAT(bad.body, HasSubstr(std::string("value=\"") + kBadNrb + "\""));
  EXPECT_THAT(bad.body, HasSubstr(R"(value="Poznań")"));
  EXPECT_FALSE(Stored());
  EXPECT_TRUE(ListJson().empty());

  // A typed secret is not shown again when something else is wrong.
  auto typed = InPost(kInPostToken);
  typed.emplace_back("bank_account", kBadNrb);
  auto again = Submit(admin, page, typed);
  EXPECT_EQ(again.status, 422);
  EXPECT_THAT(again.body, Not(HasSubstr(kInPostToken)));
  EXPECT_FALSE(Stored());

  auto good = Submit(admin, page, InPost(kInPostToken));
  ASSERT_EQ(good.status, 303) << good.body;
  EXPECT_EQ(good.Header("Location"), "/settings/carriers");
  auto after = admin.Get(nadajnik_.Url("/settings/carriers"));
  ASSERT_EQ(after.status, 200);
  EXPECT_THAT(after.body, HasSubstr("Zapisano umowę InPost dla konta AB"));
  EXPECT_THAT(after.body, HasSubstr("ustawiony"));
  EXPECT_THAT(after.body, HasSubstr("9001"));
  EXPECT_THAT(after.body, HasSubstr("60-166 Poznań"));
  EXPECT_THAT(after.body, Not(HasSubstr(kInPostToken)));

  auto carriers = ListJson();
  ASSERT_EQ(carriers.size(), 1u);
  const auto& c = carriers[0].as_object();
  EXPECT_EQ(c.at("carrier").as_string(), "inpost");
  EXPECT_TRUE(c.at("enabled").as_bool());
  EXPECT_EQ(c.at("settings").at("organization_id").as_string(), "9001");
  EXPECT_EQ(c.at("secrets").at("token").as_string(), "ustawiony");
  EXPECT_EQ(c.at("sender").at("city").as_string(), "Poznań");
  EXPECT_TRUE(c.at("problems").as_array().empty());

  // The form of a stored contract: the secret's field is empty; leaving it so keeps the token.
  auto edit = admin.Get(nadajnik_.Url(page));
  ASSERT_EQ(edit.status, 200);
  EXPECT_THAT(edit.body, Not(HasSubstr(kInPostToken)));
  EXPECT_THAT(edit.body, HasSubstr("Sekret jest ustawiony"));
  auto keep = InPost("");
  keep[6].second = "Nowa Firma";  // sender.street
  auto kept = Submit(admin, page, keep);
  ASSERT_EQ(kept.status, 303) << kept.body;
  auto stored = Stored();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->secrets.at("token").Reveal(), kInPostToken);
  EXPECT_EQ(stored->sender.street, "Nowa Firma");
}

TEST_F(PanelCarriersTest, PackersCannotSeeOrChangeCarrierSettings) {
  HttpClient packer;
  LogIn(packer, "ola", kPackerPassword);
  auto orders = packer.Get(nadajnik_.Url("/orders"));
  ASSERT_EQ(orders.status, 200);
  EXPECT_THAT(orders.body, Not(HasSubstr("/settings/carriers")));
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/carriers")).status, 403);
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/carriers/AB/inpost")).status, 403);
  auto fields = InPost(kInPostToken);
  fields.emplace_back("csrf_token", CsrfFrom(orders.body));
  auto post = packer.PostForm(nadajnik_.Url("/settings/carriers/AB/inpost"), fields);
  EXPECT_EQ(post.status, 403);
  EXPECT_FALSE(Stored());

  HttpClient anonymous;
  auto r = anonymous.Get(nadajnik_.Url("/settings/carriers"));
  EXPECT_EQ(r.status, 303);
  EXPECT_THAT(r.Header("Location"), HasSubstr("/login"));
}

TEST_F(PanelCarriersTest, AnUnknownAccountOrCarrierIsNotFound) {
  HttpClient admin;
  LogIn(admin, "szef", kAdminPassword);
  EXPECT_EQ(admin.Get(nadajnik_.Url("/settings/carriers/ZZ/inpost")).status, 404);
  EXPECT_EQ(admin.Get(nadajnik_.Url("/settings/carriers/AB/ups")).status, 404);
  EXPECT_EQ(admin.Get(nadajnik_.Url("/settings/carriers/AB/orlen")).status, 200);
}

}  // namespace
}  // namespace nadajnik::testing
