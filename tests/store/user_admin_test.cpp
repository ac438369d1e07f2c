// An admin's changes to users (role, disabled, delete, password reset) on SQLite and on
// PostgreSQL: the repository's methods, and AuthService's rules that nobody demotes, disables or
// deletes themself and that the last enabled admin stays one.
#include <gtest/gtest.h>

#include "services/auth_service.hpp"
#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using domain::Role;
using store::UnitOfWork;

constexpr char kPassword[] = "Dobre-Haslo-2026";

class UserAdminTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auth_ = std::make_unique<services::AuthService>(store(), clock_, services::AuthOptions{});
  }

  UserId Create(const std::string& username, Role role) {
    auto id = auth_->CreateUser(username, Secret<>(kPassword), role, false);
    EXPECT_TRUE(id) << id.error().Describe();
    return id ? *id : UserId();
  }
  domain::User Load(UserId id) {
    auto r = store().Read([&](UnitOfWork& uow) { return uow.users().Get(id); });
    EXPECT_TRUE(r && *r) << (r ? "not found" : r.error().Describe());
    return r && *r ? **r : domain::User{};
  }
  services::Principal As(UserId id) {
    services::Principal p;
    p.user_id = id;
    p.name = "admin";
    p.role = Role::kAdmin;
    return p;
  }
  std::string LogIn(const std::string& username, const std::string& password = kPassword) {
    auto r = auth_->Login(username, Secret<>(password), "127.0.0.1");
    return r ? std::string(r->session_token.Reveal()) : std::string();
  }

  std::unique_ptr<services::AuthService> auth_;
};

TEST_P(UserAdminTest, TheRepositorySetsRoleAndDisabledAndDeletes) {
  const UserId id = Create("anna", Role::kPacker);
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.users().SetRole(id, Role::kAdmin, clock_.Now()));
    return uow.users().SetDisabled(id, true, clock_.Now());
  }));
  EXPECT_EQ(Load(id).role, Role::kAdmin);
  EXPECT_TRUE(Load(id).disabled);
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.users().SetDisabled(id, false, clock_.Now()); }));
  EXPECT_FALSE(Load(id).disabled);

  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) { return uow.users().Delete(id); }));
  auto gone = store().Read([&](UnitOfWork& uow) { return uow.users().Get(id); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST_P(UserAdminTest, ChangingAnUnknownUserIsNotFound) {
  const UserId unknown(987654);
  for (auto r :
       {store().InTransaction([&](UnitOfWork& uow) {
          return uow.users().SetRole(unknown, Role::kAdmin, clock_.Now());
        }),
        store().InTransaction(
            [&](UnitOfWork& uow) { return uow.users().SetDisabled(unknown, true, clock_.Now()); }),
        store().InTransaction([&](UnitOfWork& uow) { return uow.users().Delete(unknown); })}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  }
}

TEST_P(UserAdminTest, DeletingAUserEndsItsSessions) {
  const UserId admin = Create("szef", Role::kAdmin);
  const UserId anna = Create("anna", Role::kPacker);
  const std::string session = LogIn("anna");
  ASSERT_FALSE(session.empty());
  ASSERT_TRUE(auth_->AuthenticateSession(session));
  ASSERT_TRUE(auth_->DeleteUser(As(admin), anna));
  auto r = auth_->AuthenticateSession(session);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(UserAdminTest, AnAdminCannotDemoteDisableOrDeleteThemself) {
  const UserId szef = Create("szef", Role::kAdmin);
  Create("druga", Role::kAdmin);
  for (auto r : {auth_->SetRole(As(szef), szef, Role::kPacker),
                 auth_->SetDisabled(As(szef), szef, true), auth_->DeleteUser(As(szef), szef)}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(r.error().details, "self");
  }
  EXPECT_EQ(Load(szef).role, Role::kAdmin);
  EXPECT_FALSE(Load(szef).disabled);
  // Giving oneself the role one has, or enabling oneself, locks nobody out.
  EXPECT_TRUE(auth_->SetRole(As(szef), szef, Role::kAdmin));
}

TEST_P(UserAdminTest, TheLastEnabledAdminStaysAnAdmin) {
  const UserId szef = Create("szef", Role::kAdmin);
  const UserId druga = Create("druga", Role::kAdmin);
  ASSERT_TRUE(auth_->SetDisabled(As(druga), szef, true));
  // Nobody but druga is an enabled admin now: a caller that is not druga (the CLI, an API
  // token) can't take that away.
  const services::Principal tool{{}, ApiTokenId(1), "api:ops", Role::kAdmin, false, {}};
  for (auto r : {auth_->SetRole(tool, druga, Role::kPacker), auth_->SetDisabled(tool, druga, true),
                 auth_->DeleteUser(tool, druga)}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(r.error().details, "last_admin");
  }
  EXPECT_EQ(Load(druga).role, Role::kAdmin);
  // A disabled admin may still be demoted or deleted: it counts for nothing.
  EXPECT_TRUE(auth_->SetRole(tool, szef, Role::kPacker));
  EXPECT_TRUE(auth_->DeleteUser(tool, szef));
}

TEST_P(UserAdminTest, DisablingEndsTheSessionsAndLogins) {
  const UserId szef = Create("szef", Role::kAdmin);
  const UserId anna = Create("anna", Role::kPacker);
  const std::string session = LogIn("anna");
  ASSERT_FALSE(session.empty());
  ASSERT_TRUE(auth_->SetDisabled(As(szef), anna, true));
  EXPECT_FALSE(auth_->AuthenticateSession(session));
  EXPECT_TRUE(LogIn("anna").empty());
  ASSERT_TRUE(auth_->SetDisabled(As(szef), anna, false));
  EXPECT_FALSE(LogIn("anna").empty());
}

TEST_P(UserAdminTest, ADemotedUsersSessionHasTheNewRoleAtOnce) {
  const UserId szef = Create("szef", Role::kAdmin);
  const UserId anna = Create("anna", Role::kAdmin);
  const std::string session = LogIn("anna");
  ASSERT_TRUE(auth_->SetRole(As(szef), anna, Role::kPacker));
  auto p = auth_->AuthenticateSession(session);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, Role::kPacker);
}

TEST_P(UserAdminTest, APasswordResetMustBeChangedAndEndsTheSessions) {
  Create("szef", Role::kAdmin);
  const UserId anna = Create("anna", Role::kPacker);
  const std::string session = LogIn("anna");
  auto bad = auth_->ResetPassword(anna, Secret<>("krotkie"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(auth_->ResetPassword(anna, Secret<>("Nowe-Haslo-1234")));
  EXPECT_TRUE(Load(anna).must_change_password);
  EXPECT_FALSE(auth_->AuthenticateSession(session));
  EXPECT_TRUE(LogIn("anna").empty()) << "the old password no longer works";
  auto fresh = auth_->AuthenticateSession(LogIn("anna", "Nowe-Haslo-1234"));
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->must_change_password);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(UserAdminTest);

}  // namespace
}  // namespace nadajnik::testing
