// The repository contract, on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include "security/tokens.hpp"
#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using store::UnitOfWork;
using store::UpsertOutcome;

class RepositoryTest : public StoreTest {
 protected:
  store::UpsertResult Upsert(const domain::Order& o) {
    auto r = store().InTransaction(
        [&](UnitOfWork& uow) { return uow.orders().Upsert(o, clock_.Now()); });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : store::UpsertResult{};
  }
  domain::Order Load(OrderId id) {
    auto r = store().Read([&](UnitOfWork& uow) { return uow.orders().Get(id); });
    EXPECT_TRUE(r && *r) << (r ? "not found" : r.error().Describe());
    return r && *r ? **r : domain::Order{};
  }
};

TEST_P(RepositoryTest, AnOrderKeepsEverythingTheCheckoutFormCarried) {
  const AccountId account = CreateAccount("AB");
  const Timestamp t = clock_.Now();
  domain::Order in = SampleOrder(account, "29738e61-7f6a-11e8-ac45-09db60ede9d6", "819b5836", t);
  auto r = Upsert(in);
  EXPECT_EQ(r.outcome, UpsertOutcome::kInserted);
  domain::Order out = Load(r.id);
  EXPECT_EQ(out.checkout_form_id.value, in.checkout_form_id.value);
  EXPECT_EQ(out.revision, "819b5836");
  EXPECT_EQ(out.buyer.first_name, "Żaneta");
  EXPECT_EQ(out.buyer.last_name, "Kowalczyk-Gęśla");
  EXPECT_EQ(out.buyer.email, in.buyer.email);
  ASSERT_TRUE(out.delivery.pickup_point);
  EXPECT_EQ(out.delivery.pickup_point->id, "POZ08A");
  EXPECT_EQ(out.delivery.pickup_point->address.city, "Poznań");
  EXPECT_TRUE(out.delivery.smart);
  ASSERT_TRUE(out.payment);
  EXPECT_EQ(out.payment->provider, "P24");
  EXPECT_EQ(out.payment->paid, in.payment->paid);
  EXPECT_TRUE(out.invoice.required);
  EXPECT_EQ(out.invoice.tax_id, "1111111111");
  ASSERT_EQ(out.invoice.tax_ids.size(), 1u);
  EXPECT_EQ(out.invoice.tax_ids[0].type, "PL_NIP");
  ASSERT_EQ(out.items.size(), 2u);
  EXPECT_EQ(out.items[0].offer_name, in.items[0].offer_name);
  EXPECT_EQ(out.items[1].quantity, 2);
  EXPECT_EQ(out.items[1].unit_price.minor, 749);
  EXPECT_EQ(out.total.ToString(), "138.44 PLN");
  EXPECT_EQ(out.buyer_note, in.buyer_note);
  EXPECT_EQ(out.bought_at, t);
  EXPECT_TRUE(out.local_status_id.valid()) << "a new order gets the first local status (Nowe)";
}

TEST_P(RepositoryTest, ACzechOrderStaysInKorunas) {
  const AccountId account = CreateAccount("CZ");
  domain::Order in = SampleOrder(account, "cz-1", "aa", clock_.Now());
  in.marketplace = domain::Marketplace::kAllegroCz;
  in.total = *ParseMoney("1299.00", "CZK");
  in.payment->paid = in.total;
  in.delivery.cost = *ParseMoney("79.00", "CZK");
  for (auto& i : in.items) i.unit_price = *ParseMoney("649.50", "CZK");
  domain::Order out = Load(Upsert(in).id);
  EXPECT_EQ(out.total.ToString(), "1299.00 CZK");
  EXPECT_EQ(out.items[0].unit_price.ToString(), "649.50 CZK");
  EXPECT_EQ(out.delivery.cost->ToString(), "79.00 CZK");
  EXPECT_EQ(out.marketplace, domain::Marketplace::kAllegroCz);
}

TEST_P(RepositoryTest, AnAmountInAnotherCurrencyThanTheOrderIsRefused) {
  const AccountId account = CreateAccount("AB");
  domain::Order in = SampleOrder(account, "mixed", "aa", clock_.Now());
  in.items[0].unit_price = *ParseMoney("10.00", "EUR");
  auto r =
      store().InTransaction([&](UnitOfWork& uow) { return uow.orders().Upsert(in, clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("EUR"), std::string::npos);
}

TEST_P(RepositoryTest, OneCheckoutFormIsOneOrderWhateverTheNumberOfImports) {
  const AccountId account = CreateAccount("AB");
  const Timestamp t = clock_.Now();
  domain::Order v1 = SampleOrder(account, "cf-1", "r1", t);
  auto first = Upsert(v1);
  ASSERT_EQ(first.outcome, UpsertOutcome::kInserted);
  EXPECT_EQ(Upsert(v1).outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(Upsert(v1).id, first.id);

  domain::Order v2 = v1;
  v2.revision = "r2";
  v2.remote_updated_at = t + std::chrono::minutes(5);
  v2.checkout_status = domain::CheckoutStatus::kCancelled;
  v2.items.pop_back();
  auto second = Upsert(v2);
  EXPECT_EQ(second.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(second.id, first.id);

  // An older revision arriving late (journal out of order) changes nothing.
  domain::Order stale = v1;
  stale.revision = "r0";
  stale.remote_updated_at = t - std::chrono::minutes(5);
  EXPECT_EQ(Upsert(stale).outcome, UpsertOutcome::kStale);

  domain::Order out = Load(first.id);
  EXPECT_EQ(out.revision, "r2");
  EXPECT_TRUE(out.cancelled());
  EXPECT_EQ(out.items.size(), 1u);
  auto count = store().Read([](UnitOfWork& uow) { return uow.orders().Count({}); });
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1);
}

TEST_P(RepositoryTest, AnUpdateKeepsTheSellersLocalStatusAndAttentionFlag) {
  const AccountId account = CreateAccount("AB");
  domain::Order v1 = SampleOrder(account, "cf-1", "r1", clock_.Now());
  const OrderId id = Upsert(v1).id;
  auto statuses = store().Read([](UnitOfWork& uow) { return uow.statuses().List(); });
  ASSERT_TRUE(statuses);
  ASSERT_GE(statuses->size(), 4u);
  EXPECT_EQ((*statuses)[0].name, "Nowe");
  const StatusId sent = (*statuses)[3].id;
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.orders().SetLocalStatus(id, sent, clock_.Now()));
    return uow.orders().SetAttention(id, true, "buyer cancelled after the label", clock_.Now());
  }));
  domain::Order v2 = v1;
  v2.revision = "r2";
  v2.remote_updated_at += std::chrono::minutes(1);
  EXPECT_EQ(Upsert(v2).outcome, UpsertOutcome::kUpdated);
  domain::Order out = Load(id);
  EXPECT_EQ(out.local_status_id, sent);
  EXPECT_TRUE(out.needs_attention);
  EXPECT_EQ(out.attention_reason, "buyer cancelled after the label");
}

TEST_P(RepositoryTest, OrdersAreFoundByTheirLineItemsAfterAMerge) {
  const AccountId account = CreateAccount("AB");
  const OrderId id = Upsert(SampleOrder(account, "cf-1", "r1", clock_.Now())).id;
  auto found = store().Read([&](UnitOfWork& uow) {
    return uow.orders().FindByLineItem(account, LineItemId("cf-1-li-2"));
  });
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0], id);
  auto other = store().Read([&](UnitOfWork& uow) {
    return uow.orders().FindByLineItem(CreateAccount("CD"), LineItemId("cf-1-li-2"));
  });
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty()) << "line items are matched within one account";
}

TEST_P(RepositoryTest, ListsNewestFirstWithFiltersAndKeysetPaging) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  const Timestamp t = clock_.Now();
  for (int i = 0; i < 7; ++i) {
    domain::Order o =
        SampleOrder(i % 2 ? cd : ab, "cf-" + std::to_string(i), "r", t + std::chrono::minutes(i));
    if (i == 3) {
      o.buyer.login = "zielony_100%";
      o.buyer.email = "Inny@Example.pl";
    }
    Upsert(o);
  }
  store::OrderFilter filter;
  filter.limit = 3;
  auto page1 = store().Read([&](UnitOfWork& uow) { return uow.orders().List(filter); });
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->size(), 3u);
  EXPECT_EQ((*page1)[0].checkout_form_id.value, "cf-6");
  EXPECT_EQ((*page1)[2].checkout_form_id.value, "cf-4");
  EXPECT_TRUE((*page1)[0].items.empty()) << "lists do not load line items";
  filter.after = store::OrderCursor{ToUnixMillis(*(*page1)[2].bought_at), (*page1)[2].id};
  auto page2 = store().Read([&](UnitOfWork& uow) { return uow.orders().List(filter); });
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->size(), 3u);
  EXPECT_EQ((*page2)[0].checkout_form_id.value, "cf-3");

  store::OrderFilter by_account;
  by_account.account_id = cd;
  auto n = store().Read([&](UnitOfWork& uow) { return uow.orders().Count(by_account); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3);

  store::OrderFilter text;
  text.text = "inny@example";  // case-insensitive
  auto found = store().Read([&](UnitOfWork& uow) { return uow.orders().List(text); });
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].checkout_form_id.value, "cf-3");
  text.text = "żaneta";  // Polish letters fold too, on both backends
  found = store().Read([&](UnitOfWork& uow) { return uow.orders().List(text); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 7u) << "every sample buyer is Żaneta";
  text.text = "GĘŚLA";
  found = store().Read([&](UnitOfWork& uow) { return uow.orders().List(text); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 7u);
  text.text = "100%";  // LIKE wildcards in the search are literal
  found = store().Read([&](UnitOfWork& uow) { return uow.orders().List(text); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 1u);
  text.text = "%";
  found = store().Read([&](UnitOfWork& uow) { return uow.orders().List(text); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 1u);
}

TEST_P(RepositoryTest, TheTimelineKeepsEveryStepInOrder) {
  const AccountId account = CreateAccount("AB");
  const OrderId id = Upsert(SampleOrder(account, "cf-1", "r1", clock_.Now())).id;
  const Timestamp t = clock_.Now();
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.order_events().Append(
        {0, id, "imported", t + std::chrono::seconds(2), t, "Zaimportowano z Allegro", "system"}));
    return uow.order_events().Append({0, id, "status_changed", t + std::chrono::seconds(9),
                                      std::nullopt, "Status: W realizacji", "anna"});
  }));
  auto events = store().Read([&](UnitOfWork& uow) { return uow.order_events().ListForOrder(id); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "imported");
  EXPECT_EQ(*(*events)[0].remote_at, t);
  EXPECT_EQ((*events)[1].actor, "anna");
}

TEST_P(RepositoryTest, AccountSecretsAreEncryptedAtRestAndReadBack) {
  domain::MarketplaceAccount a;
  a.name = "Sklep Główny";
  a.alias = "ab";
  a.client_id = "app-1";
  a.client_secret = Secret<>("very-secret-client-value");
  a.access_token = Secret<>("access-token-plaintext-123");
  a.refresh_token = Secret<>("refresh-token-plaintext-456");
  a.access_token_expires_at = clock_.Now() + std::chrono::hours(12);
  auto id = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.accounts().Create(a, clock_.Now()); });
  ASSERT_TRUE(id) << id.error().Describe();
  auto rows = db().Query(
      "SELECT client_secret_enc || access_token_enc || refresh_token_enc, alias FROM accounts", {});
  ASSERT_TRUE(rows);
  const std::string stored = rows->Text(0, 0);
  EXPECT_EQ(stored.find("very-secret"), std::string::npos);
  EXPECT_EQ(stored.find("plaintext"), std::string::npos);
  EXPECT_EQ(rows->Text(0, 1), "AB") << "aliases are stored upper-case";

  auto loaded = store().Read([&](UnitOfWork& uow) { return uow.accounts().Get(*id); });
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->client_secret.Reveal(), "very-secret-client-value");
  EXPECT_EQ((*loaded)->refresh_token.Reveal(), "refresh-token-plaintext-456");

  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) {
    return uow.accounts().UpdateTokens(*id, Secret<>("new-access"), Secret<>("new-refresh"),
                                       clock_.Now() + std::chrono::hours(1), clock_.Now());
  }));
  loaded = store().Read([&](UnitOfWork& uow) { return uow.accounts().Get(*id); });
  EXPECT_EQ((*loaded)->refresh_token.Reveal(), "new-refresh");

  // A ciphertext moved to another column does not open.
  ASSERT_TRUE(db().Execute("UPDATE accounts SET refresh_token_enc = access_token_enc", {}));
  loaded = store().Read([&](UnitOfWork& uow) { return uow.accounts().Get(*id); });
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("refresh_token"), std::string::npos);
}

TEST_P(RepositoryTest, AliasesAreUniqueAndTwoCharacters) {
  CreateAccount("AB");
  domain::MarketplaceAccount dup;
  dup.name = "Inny";
  dup.alias = "ab";
  auto r = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.accounts().Create(dup, clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(r.error().message.find("AB"), std::string::npos);
  dup.alias = "ABC";
  r = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.accounts().Create(dup, clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(RepositoryTest, AccountStateAndJournalCursorPersist) {
  const AccountId id = CreateAccount("AB");
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.accounts().SetState(id, domain::AccountState::kNeedsReauthorization,
                                         "invalid_grant: refresh token revoked", clock_.Now()));
    return uow.accounts().SetJournalCursor(id, "1532603898317497", clock_.Now());
  }));
  auto a = store().Read([&](UnitOfWork& uow) { return uow.accounts().Get(id); });
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->state, domain::AccountState::kNeedsReauthorization);
  EXPECT_EQ((*a)->state_reason, "invalid_grant: refresh token revoked");
  EXPECT_EQ((*a)->journal_cursor, "1532603898317497");
}

TEST_P(RepositoryTest, AShipmentIdempotencyKeyNeverMakesASecondShipment) {
  const AccountId account = CreateAccount("AB");
  const OrderId order = Upsert(SampleOrder(account, "cf-1", "r1", clock_.Now())).id;
  domain::Shipment s;
  s.order_id = order;
  s.account_id = account;
  s.carrier = domain::Carrier::kInPost;
  s.service = "inpost_locker_standard";
  s.idempotency_key = "order-1-create-1";
  s.parcels = {{"A", 1200, 0, 0, 0, ""}};
  s.cash_on_delivery = *ParseMoney("138.44", "PLN");
  auto first = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.shipments().InsertPending(s, clock_.Now()); });
  ASSERT_TRUE(first) << first.error().Describe();
  EXPECT_TRUE(first->created);
  auto again = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.shipments().InsertPending(s, clock_.Now()); });
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, first->id);

  auto stored = store().Read([&](UnitOfWork& uow) { return uow.shipments().Get(first->id); });
  ASSERT_TRUE(stored && *stored);
  domain::Shipment updated = **stored;
  EXPECT_EQ(updated.state, domain::ShipmentState::kPending);
  EXPECT_EQ(updated.cash_on_delivery->ToString(), "138.44 PLN");
  updated.state = domain::ShipmentState::kLabelReady;
  updated.tracking_number = "620000000000000000000001";
  updated.label_format = domain::LabelFormat::kPdfA6;
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.shipments().Update(updated, clock_.Now()); }));
  auto list = store().Read([&](UnitOfWork& uow) { return uow.shipments().ListForOrder(order); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].tracking_number, "620000000000000000000001");
  EXPECT_EQ((*list)[0].parcels[0].size_template, "A");
  EXPECT_EQ(*(*list)[0].label_format, domain::LabelFormat::kPdfA6);
}

TEST_P(RepositoryTest, UsersSessionsAndTokensAreStoredAsHashes) {
  domain::User u;
  u.username = "anna";
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$fake";
  u.role = domain::Role::kPacker;
  auto uid =
      store().InTransaction([&](UnitOfWork& uow) { return uow.users().Create(u, clock_.Now()); });
  ASSERT_TRUE(uid);
  auto dup =
      store().InTransaction([&](UnitOfWork& uow) { return uow.users().Create(u, clock_.Now()); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

  domain::Session s{security::HashToken("cookie-value"), *uid, "csrf", clock_.Now(),
                    clock_.Now() + std::chrono::hours(1)};
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) { return uow.sessions().Create(s); }));
  auto found = store().Read(
      [&](UnitOfWork& uow) { return uow.sessions().FindValid(s.token_hash, clock_.Now()); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->user_id, *uid);
  auto expired = store().Read([&](UnitOfWork& uow) {
    return uow.sessions().FindValid(s.token_hash, clock_.Now() + std::chrono::hours(2));
  });
  ASSERT_TRUE(expired);
  EXPECT_FALSE(*expired) << "an expired session is not valid";

  domain::ApiToken t;
  t.name = "erp";
  t.token_hash = security::HashToken("ndj_secret");
  t.prefix = "ndj_se";
  t.created_at = clock_.Now();
  auto tid = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.api_tokens().Create(t, domain::Role::kAdmin); });
  ASSERT_TRUE(tid);
  auto active =
      store().Read([&](UnitOfWork& uow) { return uow.api_tokens().FindActive(t.token_hash); });
  ASSERT_TRUE(active && *active);
  EXPECT_EQ((*active)->second, domain::Role::kAdmin);
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.api_tokens().Revoke(*tid, clock_.Now()); }));
  active = store().Read([&](UnitOfWork& uow) { return uow.api_tokens().FindActive(t.token_hash); });
  ASSERT_TRUE(active);
  EXPECT_FALSE(*active) << "a revoked token no longer authenticates";
}

TEST_P(RepositoryTest, LoginFailuresAreCountedPerKeyWithinTheWindow) {
  const Timestamp t = clock_.Now();
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    for (int i = 0; i < 3; ++i) {
      NADAJNIK_TRY(uow.login_failures().Record("user:anna", t + std::chrono::minutes(i)));
    }
    return uow.login_failures().Record("user:other", t);
  }));
  auto n = store().Read([&](UnitOfWork& uow) {
    return uow.login_failures().CountSince("user:anna", t + std::chrono::minutes(1));
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  auto oldest = store().Read([&](UnitOfWork& uow) {
    return uow.login_failures().OldestSince("user:anna", t + std::chrono::seconds(1));
  });
  ASSERT_TRUE(oldest && *oldest);
  EXPECT_EQ(**oldest, t + std::chrono::minutes(1));
}

TEST_P(RepositoryTest, AFailedUnitOfWorkLeavesNothingBehind) {
  const AccountId account = CreateAccount("AB");
  auto r = store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(
        uow.orders().Upsert(SampleOrder(account, "cf-1", "r1", clock_.Now()), clock_.Now()));
    store::NewJob job;
    job.kind = "allegro.push_status";
    job.run_at = clock_.Now();
    NADAJNIK_TRY(uow.jobs().Enqueue(job, clock_.Now()));
    return Fail(ErrorCode::kUnavailable, "the carrier did not answer");
  });
  ASSERT_FALSE(r);
  auto counts = store().Read([&](UnitOfWork& uow) -> Result<std::pair<std::int64_t, std::size_t>> {
    NADAJNIK_ASSIGN_OR_RETURN(auto orders, uow.orders().Count({}));
    NADAJNIK_ASSIGN_OR_RETURN(auto jobs, uow.jobs().List({}));
    return std::make_pair(orders, jobs.size());
  });
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->first, 0) << "the order rolled back";
  EXPECT_EQ(counts->second, 0u) << "the job announcing it rolled back with it";
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(RepositoryTest);

}  // namespace
}  // namespace nadajnik::testing
