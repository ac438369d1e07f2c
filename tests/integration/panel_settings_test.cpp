// The panel's "Ustawienia › Statusy" and "Użytkownicy" end to end, over real HTTP against the
// nadajnik binary: the status mapping of an account changed from its form (stored where the
// JSON API reads it, RETURNED refused next to its field), and an admin changing other users'
// roles, passwords and state, never locking out themself or the last admin.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/panel_forms.hpp"
#include "support/sandbox_process.hpp"

namespace nadajnik::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr char kAdminPassword[] = "Admin-Haslo-2026!";
constexpr char kPackerPassword[] = "Pakowacz-Haslo-77";

class PanelSettingsTest : public ::testing::Test {
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

  HttpResult LogIn(HttpClient& client, const std::string& user, const std::string& password) {
    return PanelLogIn(client, nadajnik_, user, password);
  }

  // Opens `page` for its CSRF token and posts `fields` to `action` (the page's own URL if empty).
  HttpResult Submit(HttpClient& client, const std::string& page, Fields fields,
                    const std::string& action = "") {
    auto p = client.Get(nadajnik_.Url(page));
    EXPECT_EQ(p.status, 200) << page;
    fields.emplace_back("csrf_token", CsrfFrom(p.body));
    return client.PostForm(nadajnik_.Url(action.empty() ? page : action), fields);
  }

  std::int64_t StatusIdOf(const std::string& name) {
    auto r = nadajnik_.store().Read([&](store::UnitOfWork& uow) { return uow.statuses().List(); });
    EXPECT_TRUE(r);
    if (r) {
      for (const auto& s : *r) {
        if (s.name == name) return s.id.value;
      }
    }
    ADD_FAILURE() << "no status " << name;
    return 0;
  }

  std::vector<store::StatusMapping> Mapping() {
    auto r = nadajnik_.store().Read(
        [&](store::UnitOfWork& uow) -> Result<std::vector<store::StatusMapping>> {
          NADAJNIK_ASSIGN_OR_RETURN(auto a, uow.accounts().FindByAlias("AB"));
          return uow.status_mappings().List(a->id);
        });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : std::vector<store::StatusMapping>{};
  }

  std::optional<store::StatusMapping> MappingOf(const std::string& name) {
    for (const auto& m : Mapping()) {
      if (m.local_status_name == name) return m;
    }
    return std::nullopt;
  }

  domain::User User(const std::string& username) {
    auto r = nadajnik_.store().Read(
        [&](store::UnitOfWork& uow) { return uow.users().FindByUsername(username); });
    EXPECT_TRUE(r && *r) << username;
    return r && *r ? **r : domain::User{};
  }

  std::string UserPage(const std::string& username) {
    return "/admin/users/" + std::to_string(User(username).id.value);
  }

  SandboxProcess sandbox_;
  NadajnikInstance nadajnik_;
};

TEST_F(PanelSettingsTest, AnAdminChangesTheStatusMappingOfAnAccount) {
  HttpClient admin;
  ASSERT_EQ(LogIn(admin, "szef", kAdminPassword).status, 303);

  auto list = admin.Get(nadajnik_.Url("/settings/statuses"));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr(R"(href="/settings/statuses" aria-current="page")"));  // nav
  EXPECT_THAT(list.body, HasSubstr("Konto AB"));
  EXPECT_THAT(list.body, HasSubstr("Gotowe do wysyłki (READY_FOR_SHIPMENT)"));
  EXPECT_THAT(list.body, HasSubstr(R"(href="/settings/statuses/AB")"));

  const std::string page = "/settings/statuses/AB";
  const auto ready = StatusIdOf("Gotowe do wysyłki");
  const auto sent = StatusIdOf("Wysłane");
  const std::string ready_field = "status." + std::to_string(ready);
  const std::string sent_field = "status." + std::to_string(sent);
  auto form = admin.Get(nadajnik_.Url(page));
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_THAT(form.body, HasSubstr("name=\"" + ready_field + "\""));
  EXPECT_THAT(form.body, HasSubstr(R"(<option value="READY_FOR_SHIPMENT" selected>)"));

  // RETURNED is refused by the service, next to its field; nothing is stored, not even the
  // valid change sent with it.
  auto bad = Submit(admin, page, {{ready_field, "RETURNED"}, {sent_field, "PICKED_UP"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("popraw zaznaczone pola"));
  EXPECT_THAT(bad.body, HasSubstr("data-field=\"" + ready_field + "\""));
  EXPECT_THAT(bad.body, HasSubstr("ustawia tylko Allegro"));
  EXPECT_THAT(bad.body, HasSubstr(R"(aria-invalid="true")"));
  EXPECT_THAT(bad.body, Not(HasSubstr("data-field=\"" + sent_field + "\"")));
  EXPECT_THAT(bad.body, HasSubstr(R"(<option value="PICKED_UP" selected>)"));  // the choice stays
  EXPECT_EQ(MappingOf("Wysłane")->fulfillment, domain::FulfillmentStatus::kSent);
  EXPECT_FALSE(MappingOf("Wysłane")->account_specific);

  // Without a CSRF token: refused by the guard.
  auto forged = admin.PostForm(nadajnik_.Url(page), {{ready_field, ""}});
  EXPECT_EQ(forged.status, 403);

  auto good = Submit(admin, page, {{ready_field, ""}, {sent_field, "PICKED_UP"}});
  ASSERT_EQ(good.status, 303) << good.body;
  EXPECT_EQ(good.Header("Location"), "/settings/statuses");
  auto after = admin.Get(nadajnik_.Url("/settings/statuses"));
  ASSERT_EQ(after.status, 200);
  EXPECT_THAT(after.body, HasSubstr("Zapisano mapowanie statusów konta AB."));
  EXPECT_THAT(after.body, HasSubstr("Odebrane (PICKED_UP)"));

  auto r = MappingOf("Gotowe do wysyłki");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->fulfillment, std::nullopt);
  EXPECT_TRUE(r->account_specific);
  auto s = MappingOf("Wysłane");
  EXPECT_EQ(s->fulfillment, domain::FulfillmentStatus::kPickedUp);
  // A status left as it was keeps following its default.
  EXPECT_FALSE(MappingOf("W realizacji")->account_specific);

  EXPECT_EQ(admin.Get(nadajnik_.Url("/settings/statuses/ZZ")).status, 404);
}

TEST_F(PanelSettingsTest, PackersCannotOpenTheSettingsOrUsers) {
  HttpClient packer;
  ASSERT_EQ(LogIn(packer, "ola", kPackerPassword).status, 303);
  auto orders = packer.Get(nadajnik_.Url("/orders"));
  ASSERT_EQ(orders.status, 200);
  EXPECT_THAT(orders.body, Not(HasSubstr("/settings/statuses")));
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/statuses")).status, 403);
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/statuses/AB")).status, 403);
  EXPECT_EQ(packer.Get(nadajnik_.Url(UserPage("szef"))).status, 403);
  auto post = packer.PostForm(nadajnik_.Url(UserPage("ola") + "/role"),
                              {{"role", "admin"}, {"csrf_token", CsrfFrom(orders.body)}});
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(User("ola").role, domain::Role::kPacker);
}

TEST_F(PanelSettingsTest, ARoleChangeTakesEffectOnTheUsersNextRequest) {
  HttpClient admin, packer;
  ASSERT_EQ(LogIn(admin, "szef", kAdminPassword).status, 303);
  ASSERT_EQ(LogIn(packer, "ola", kPackerPassword).status, 303);
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/statuses")).status, 403);

  auto promoted = Submit(admin, UserPage("ola"), {{"role", "admin"}}, UserPage("ola") + "/role");
  ASSERT_EQ(promoted.status, 303) << promoted.body;
  auto list = admin.Get(nadajnik_.Url("/admin/users"));
  EXPECT_THAT(list.body, HasSubstr("Zapisano: ola ma teraz rolę administrator."));
  EXPECT_EQ(User("ola").role, domain::Role::kAdmin);
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/statuses")).status, 200) << "same session";

  auto demoted = Submit(admin, UserPage("ola"), {{"role", "packer"}}, UserPage("ola") + "/role");
  ASSERT_EQ(demoted.status, 303) << demoted.body;
  EXPECT_EQ(packer.Get(nadajnik_.Url("/settings/statuses")).status, 403) << "same session";
}

TEST_F(PanelSettingsTest, AnAdminCannotLockOutThemselfOrTheLastAdmin) {
  HttpClient admin;
  ASSERT_EQ(LogIn(admin, "szef", kAdminPassword).status, 303);
  const std::string me = UserPage("szef");

  auto demote = Submit(admin, me, {{"role", "packer"}}, me + "/role");
  EXPECT_EQ(demote.status, 409) << demote.body;
  EXPECT_THAT(demote.body, HasSubstr(R"(data-field="role")"));
  EXPECT_THAT(demote.body, HasSubstr("Nie możesz odebrać sobie roli administratora."));
  auto disable = Submit(admin, me, {{"disabled", "1"}, {"confirm", "1"}}, me + "/disabled");
  EXPECT_EQ(disable.status, 409);
  EXPECT_THAT(disable.body, HasSubstr("Nie możesz wyłączyć własnego konta."));
  auto remove = Submit(admin, me, {{"confirm", "1"}}, me + "/delete");
  EXPECT_EQ(remove.status, 409);
  EXPECT_THAT(remove.body, HasSubstr("Nie możesz usunąć własnego konta."));
  EXPECT_EQ(User("szef").role, domain::Role::kAdmin);
  EXPECT_FALSE(User("szef").disabled);

  // Another admin may disable szef (two enabled admins); szef's session ends at once. (The
  // last-admin rule can't be reached from the panel, whose actor is always an enabled admin:
  // tests/store/user_admin_test.cpp covers it.)
  nadajnik_.AddUser("druga", kAdminPassword, "admin");
  HttpClient second;
  ASSERT_EQ(LogIn(second, "druga", kAdminPassword).status, 303);
  auto disabled = Submit(second, me, {{"disabled", "1"}, {"confirm", "1"}}, me + "/disabled");
  ASSERT_EQ(disabled.status, 303) << disabled.body;
  EXPECT_EQ(admin.Get(nadajnik_.Url("/admin/users")).status, 303) << "szef's session ended";
  HttpClient again;
  EXPECT_EQ(LogIn(again, "szef", kAdminPassword).status, 401) << "disabled: can't log in";
  ASSERT_EQ(Submit(second, me, {{"disabled", "0"}}, me + "/disabled").status, 303);
  EXPECT_EQ(LogIn(again, "szef", kAdminPassword).status, 303);
}

TEST_F(PanelSettingsTest, DestructiveActionsNeedTheConfirmCheckbox) {
  HttpClient admin, packer;
  ASSERT_EQ(LogIn(admin, "szef", kAdminPassword).status, 303);
  ASSERT_EQ(LogIn(packer, "ola", kPackerPassword).status, 303);
  const std::string ola = UserPage("ola");

  auto unconfirmed = Submit(admin, ola, {{"disabled", "1"}}, ola + "/disabled");
  EXPECT_EQ(unconfirmed.status, 422);
  EXPECT_THAT(unconfirmed.body, HasSubstr(R"(data-field="disabled")"));
  EXPECT_THAT(unconfirmed.body, HasSubstr("Zaznacz potwierdzenie"));
  EXPECT_FALSE(User("ola").disabled);
  auto no_delete = Submit(admin, ola, {}, ola + "/delete");
  EXPECT_EQ(no_delete.status, 422);
  EXPECT_THAT(no_delete.body, HasSubstr(R"(data-field="delete")"));

  ASSERT_EQ(Submit(admin, ola, {{"disabled", "1"}, {"confirm", "1"}}, ola + "/disabled").status,
            303);
  EXPECT_TRUE(User("ola").disabled);
  EXPECT_EQ(packer.Get(nadajnik_.Url("/orders")).status, 303) << "a disabled user's session ends";

  ASSERT_EQ(Submit(admin, ola, {{"confirm", "1"}}, ola + "/delete").status, 303);
  auto list = admin.Get(nadajnik_.Url("/admin/users"));
  EXPECT_THAT(list.body, HasSubstr("Zapisano: użytkownik ola został usunięty."));
  auto gone = nadajnik_.store().Read(
      [&](store::UnitOfWork& uow) { return uow.users().FindByUsername("ola"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST_F(PanelSettingsTest, APasswordSetByAnAdminMustBeChangedAtTheNextLogin) {
  HttpClient admin, packer;
  ASSERT_EQ(LogIn(admin, "szef", kAdminPassword).status, 303);
  ASSERT_EQ(LogIn(packer, "ola", kPackerPassword).status, 303);
  const std::string ola = UserPage("ola");

  auto mismatch = Submit(admin, ola, {{"password", "Nowe-Haslo-1234"}, {"password_repeat", "x"}},
                         ola + "/password");
  EXPECT_EQ(mismatch.status, 422);
  EXPECT_THAT(mismatch.body, HasSubstr(R"(data-field="password")"));
  auto too_short = Submit(admin, ola, {{"password", "krotkie"}, {"password_repeat", "krotkie"}},
                          ola + "/password");
  EXPECT_EQ(too_short.status, 422);
  EXPECT_THAT(too_short.body, HasSubstr("co najmniej 10 znaków"));

  auto reset =
      Submit(admin, ola, {{"password", "Nowe-Haslo-1234"}, {"password_repeat", "Nowe-Haslo-1234"}},
             ola + "/password");
  ASSERT_EQ(reset.status, 303) << reset.body;
  EXPECT_TRUE(User("ola").must_change_password);
  EXPECT_EQ(packer.Get(nadajnik_.Url("/orders")).status, 303) << "the old session ended";
  ASSERT_EQ(LogIn(packer, "ola", "Nowe-Haslo-1234").status, 303);
  auto orders = packer.Get(nadajnik_.Url("/orders"));
  EXPECT_EQ(orders.status, 303);
  EXPECT_EQ(orders.Header("Location"), "/account/password");
}

TEST_F(PanelSettingsTest, TheCliChangesUsersUnderTheSameRules) {
  auto promoted = nadajnik_.Cli({"users", "set-role", "ola", "admin"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_EQ(User("ola").role, domain::Role::kAdmin);
  ASSERT_EQ(nadajnik_.Cli({"users", "disable", "szef"}).exit_code, 0);
  auto listed = nadajnik_.Cli({"users", "list"});
  EXPECT_THAT(listed.out, HasSubstr("(disabled)"));
  // ola is the last enabled admin now.
  auto last = nadajnik_.Cli({"users", "set-role", "ola", "packer"});
  EXPECT_NE(last.exit_code, 0);
  EXPECT_THAT(last.err, HasSubstr("last enabled admin"));
  auto unconfirmed = nadajnik_.Cli({"users", "delete", "szef"});
  EXPECT_NE(unconfirmed.exit_code, 0);
  EXPECT_THAT(unconfirmed.err, HasSubstr("--yes"));
  ASSERT_EQ(nadajnik_.Cli({"users", "delete", "szef", "--yes"}).exit_code, 0);
  ASSERT_EQ(nadajnik_.Cli({"users", "enable", "ola"}).exit_code, 0);
  auto gone = nadajnik_.store().Read(
      [&](store::UnitOfWork& uow) { return uow.users().FindByUsername("szef"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

}  // namespace
}  // namespace nadajnik::testing
