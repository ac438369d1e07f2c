// StoreTest: a BackendTest with a migrated Store on a fresh database, plus sample data builders.
#pragma once

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "domain/order.hpp"
#include "security/secret_box.hpp"
#include "store/store.hpp"
#include "support/test_database.hpp"

namespace nadajnik::testing {

class StoreTest : public BackendTest {
 protected:
  void SetUp() override;
  store::Store& store() { return *store_; }
  const security::SecretBox& secrets() const { return secrets_; }

  // A connected Allegro account with the given alias; its id.
  AccountId CreateAccount(const std::string& alias);

  FakeClock clock_{FromUnixMillis(1767225600000)};  // 2026-01-01T00:00:00Z

 private:
  security::SecretBox secrets_ = security::SecretBox::FromKey(security::SecretBox::Key{7});
  std::unique_ptr<store::Store> store_;
};

// A paid parcel-locker order with two line items, Polish buyer with diacritics.
domain::Order SampleOrder(AccountId account, const std::string& checkout_form_id,
                          const std::string& revision, Timestamp updated_at);

}  // namespace nadajnik::testing
