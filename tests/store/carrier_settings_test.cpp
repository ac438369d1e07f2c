// Carrier contracts per account, on both backends: settings round-trip, secrets sealed at rest
// and bound to their row.
#include <gtest/gtest.h>

#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using domain::Carrier;
using domain::CarrierSettings;

class CarrierSettingsTest : public StoreTest {
 protected:
  CarrierSettings InPost(AccountId account) {
    CarrierSettings c;
    c.account_id = account;
    c.carrier = Carrier::kInPost;
    c.settings = {{"organization_id", "9001"},
                  {"base_url", "https://api-shipx-pl.easypack24.net"},
                  {"default_template", "B"},
                  {"sending_point", "POZ08A"}};
    c.secrets = {{"token", Secret<>("eyJ-very-secret-shipx-token-żółw")}};
    c.sender.name = "Łukasz Żółkiewski";
    c.sender.company = "Sklep „Pod Dębem”";
    c.sender.street = "Grunwaldzka 182";
    c.sender.postal_code = "60-166";
    c.sender.city = "Poznań";
    c.sender.phone = "+48123123123";
    c.sender.email = "sklep@example.pl";
    return c;
  }

  Result<std::optional<CarrierSettings>> Get(AccountId account, Carrier carrier) {
    return store().Read(
        [&](store::UnitOfWork& uow) { return uow.carrier_settings().Get(account, carrier); });
  }
};

TEST_P(CarrierSettingsTest, SettingsSecretsAndTheSenderRoundTrip) {
  const AccountId account = CreateAccount("AB");
  ASSERT_TRUE(store().InTransaction([&](store::UnitOfWork& uow) {
    return uow.carrier_settings().Put(InPost(account), clock_.Now());
  }));
  auto got = Get(account, Carrier::kInPost);
  ASSERT_TRUE(got) << got.error().Describe();
  ASSERT_TRUE(got->has_value());
  const CarrierSettings& c = **got;
  EXPECT_EQ(c.settings.at("organization_id"), "9001");
  EXPECT_EQ(c.settings.at("sending_point"), "POZ08A");
  EXPECT_EQ(c.secrets.at("token").Reveal(), "eyJ-very-secret-shipx-token-żółw");
  EXPECT_EQ(c.sender.name, "Łukasz Żółkiewski");
  EXPECT_EQ(c.sender.company, "Sklep „Pod Dębem”");
  EXPECT_EQ(c.sender.postal_code, "60-166");
  EXPECT_TRUE(c.enabled);
  EXPECT_FALSE(Get(account, Carrier::kDpd)->has_value());
  // Replacing keeps one row per (account, carrier).
  auto changed = InPost(account);
  changed.settings["default_template"] = "C";
  changed.secrets.clear();
  ASSERT_TRUE(store().InTransaction(
      [&](store::UnitOfWork& uow) { return uow.carrier_settings().Put(changed, clock_.Now()); }));
  auto list =
      store().Read([&](store::UnitOfWork& uow) { return uow.carrier_settings().List(account); });
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).settings.at("default_template"), "C");
  EXPECT_TRUE(list->at(0).secrets.empty());
}

TEST_P(CarrierSettingsTest, SecretsAreSealedAndDoNotOpenInAnotherRow) {
  const AccountId a = CreateAccount("AB");
  const AccountId b = CreateAccount("CD");
  ASSERT_TRUE(store().InTransaction([&](store::UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.carrier_settings().Put(InPost(a), clock_.Now()));
    auto other = InPost(b);
    other.secrets = {{"token", Secret<>("another-token")}};
    return uow.carrier_settings().Put(other, clock_.Now());
  }));
  auto rows = db().Query("SELECT secrets_enc, settings_json FROM carrier_settings", {});
  ASSERT_TRUE(rows);
  for (std::size_t r = 0; r < rows->size(); ++r) {
    EXPECT_EQ(rows->Text(r, 0).find("secret-shipx"), std::string::npos) << "sealed at rest";
    EXPECT_EQ(rows->Text(r, 1).find("secret-shipx"), std::string::npos);
  }
  // A sealed value copied into another account's row is refused, not opened.
  ASSERT_TRUE(db().Execute(
      "UPDATE carrier_settings SET secrets_enc = (SELECT secrets_enc FROM carrier_settings WHERE "
      "account_id = $1) WHERE account_id = $2",
      {a.value, b.value}));
  auto copied = Get(b, Carrier::kInPost);
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(copied.error().message.find("secret-shipx"), std::string::npos);
}

TEST_P(CarrierSettingsTest, SettingsForAnUnknownAccountAreRefused) {
  auto r = store().InTransaction([&](store::UnitOfWork& uow) {
    return uow.carrier_settings().Put(InPost(AccountId(999)), clock_.Now());
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(CarrierSettingsTest);

}  // namespace
}  // namespace nadajnik::testing
