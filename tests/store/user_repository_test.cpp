// Users' label printer (label_format), on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using store::UnitOfWork;

class UserLabelFormatTest : public StoreTest {
 protected:
  UserId CreateUser(const std::string& username,
                    domain::LabelFormat format = domain::LabelFormat::kPdfA6) {
    domain::User u;
    u.username = username;
    u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$fake";
    u.label_format = format;
    auto id =
        store().InTransaction([&](UnitOfWork& uow) { return uow.users().Create(u, clock_.Now()); });
    EXPECT_TRUE(id) << id.error().Describe();
    return id ? *id : UserId();
  }
  domain::User Load(UserId id) {
    auto r = store().Read([&](UnitOfWork& uow) { return uow.users().Get(id); });
    EXPECT_TRUE(r && *r) << (r ? "not found" : r.error().Describe());
    return r && *r ? **r : domain::User{};
  }
};

TEST_P(UserLabelFormatTest, ANewUserPrintsA6PdfLabels) {
  const UserId id = CreateUser("anna");
  EXPECT_EQ(Load(id).label_format, domain::LabelFormat::kPdfA6);
}

TEST_P(UserLabelFormatTest, AFormatGivenAtCreationIsKept) {
  const UserId id = CreateUser("magazyn", domain::LabelFormat::kZpl300);
  EXPECT_EQ(Load(id).label_format, domain::LabelFormat::kZpl300);
}

TEST_P(UserLabelFormatTest, TheChosenFormatIsReadByEveryLookup) {
  const UserId anna = CreateUser("anna");
  const UserId bartek = CreateUser("bartek");
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) {
    return uow.users().SetLabelFormat(anna, domain::LabelFormat::kZpl203, clock_.Now());
  }));
  EXPECT_EQ(Load(anna).label_format, domain::LabelFormat::kZpl203);
  EXPECT_EQ(Load(bartek).label_format, domain::LabelFormat::kPdfA6) << "only her printer changed";

  auto by_name = store().Read([&](UnitOfWork& uow) { return uow.users().FindByUsername("anna"); });
  ASSERT_TRUE(by_name && *by_name);
  EXPECT_EQ((*by_name)->label_format, domain::LabelFormat::kZpl203);

  auto all = store().Read([&](UnitOfWork& uow) { return uow.users().List(); });
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].label_format, domain::LabelFormat::kZpl203);
  EXPECT_EQ((*all)[1].label_format, domain::LabelFormat::kPdfA6);

  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) {
    return uow.users().SetLabelFormat(anna, domain::LabelFormat::kPdfA4, clock_.Now());
  }));
  EXPECT_EQ(Load(anna).label_format, domain::LabelFormat::kPdfA4);
}

TEST_P(UserLabelFormatTest, SettingTheFormatOfAnUnknownUserIsNotFound) {
  auto r = store().InTransaction([&](UnitOfWork& uow) {
    return uow.users().SetLabelFormat(UserId(987654), domain::LabelFormat::kZpl203, clock_.Now());
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_P(UserLabelFormatTest, ChangingThePasswordKeepsTheFormat) {
  const UserId id = CreateUser("anna", domain::LabelFormat::kZpl300);
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) {
    return uow.users().SetPassword(id, "$argon2id$new", false, clock_.Now());
  }));
  EXPECT_EQ(Load(id).label_format, domain::LabelFormat::kZpl300);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(UserLabelFormatTest);

}  // namespace
}  // namespace nadajnik::testing
