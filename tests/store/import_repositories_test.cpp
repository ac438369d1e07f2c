// What the import and status sync keep, on SQLite and on PostgreSQL: status mappings, journal
// incidents, import failures, OAuth states, account progress and the refresh lease, merged
// orders, stored revisions, line item discounts, and the pause of a re-authorizing account.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using namespace std::chrono_literals;
using domain::FulfillmentStatus;
using store::UnitOfWork;

class ImportRepositoryTest : public StoreTest {
 protected:
  // Runs fn in a write transaction and fails the test if it fails.
  template <typename F>
  auto Write(F&& fn) {
    auto r = store().InTransaction(std::forward<F>(fn));
    EXPECT_TRUE(r) << r.error().Describe();
    return r;
  }
  template <typename F>
  auto Read(F&& fn) {
    auto r = store().Read(std::forward<F>(fn));
    EXPECT_TRUE(r) << r.error().Describe();
    return r;
  }
  OrderId Upsert(const domain::Order& o) {
    auto r = Write([&](UnitOfWork& uow) { return uow.orders().Upsert(o, clock_.Now()); });
    return r ? r->id : OrderId();
  }
  StatusId Status(const std::string& name) {
    auto s = Read([&](UnitOfWork& uow) { return uow.statuses().FindByName(name); });
    EXPECT_TRUE(s && *s) << "no status " << name;
    return s && *s ? (*s)->id : StatusId();
  }
  domain::MarketplaceAccount Account(AccountId id) {
    auto a = Read([&](UnitOfWork& uow) { return uow.accounts().Get(id); });
    EXPECT_TRUE(a && *a);
    return a && *a ? **a : domain::MarketplaceAccount{};
  }
  Result<bool> Acquire(AccountId id, const std::string& owner, milliseconds for_how_long) {
    return store().InTransaction([&](UnitOfWork& uow) {
      return uow.accounts().AcquireRefreshLease(id, owner, clock_.Now() + for_how_long,
                                                clock_.Now());
    });
  }
};

// ---- status mappings ---------------------------------------------------------------------

TEST_P(ImportRepositoryTest, EveryLocalStatusHasADefaultFulfillmentMapping) {
  const AccountId account = CreateAccount("AB");
  auto list = Read([&](UnitOfWork& uow) { return uow.status_mappings().List(account); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 5u);
  EXPECT_EQ((*list)[0].local_status_name, "Nowe");
  EXPECT_FALSE((*list)[0].fulfillment) << "Nowe sends nothing";
  EXPECT_EQ((*list)[1].local_status_name, "W realizacji");
  EXPECT_EQ((*list)[1].fulfillment, FulfillmentStatus::kProcessing);
  EXPECT_EQ((*list)[2].fulfillment, FulfillmentStatus::kReadyForShipment);
  EXPECT_EQ((*list)[3].fulfillment, FulfillmentStatus::kSent);
  EXPECT_EQ((*list)[4].local_status_name, "Anulowane");
  EXPECT_EQ((*list)[4].fulfillment, FulfillmentStatus::kCancelled);
  for (const auto& m : *list) EXPECT_FALSE(m.account_specific) << m.local_status_name;

  auto mapped = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().Mapped(account, Status("Gotowe do wysyłki"));
  });
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, FulfillmentStatus::kReadyForShipment);
  auto local = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().LocalFor(account, FulfillmentStatus::kSent);
  });
  ASSERT_TRUE(local && *local);
  EXPECT_EQ(**local, Status("Wysłane"));
  local = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().LocalFor(account, FulfillmentStatus::kPickedUp);
  });
  ASSERT_TRUE(local);
  EXPECT_FALSE(*local) << "no local status maps to PICKED_UP";
}

TEST_P(ImportRepositoryTest, AnAccountsOwnMappingOverridesTheDefaultForThatAccountOnly) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  const StatusId nowe = Status("Nowe");
  const StatusId processing = Status("W realizacji");
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    // Nowe now sends PROCESSING; W realizacji explicitly stays local.
    NADAJNIK_TRY(uow.status_mappings().Set(ab, nowe, FulfillmentStatus::kSent));
    NADAJNIK_TRY(uow.status_mappings().Set(ab, nowe, FulfillmentStatus::kProcessing));
    return uow.status_mappings().Set(ab, processing, std::nullopt);
  }));

  auto list = Read([&](UnitOfWork& uow) { return uow.status_mappings().List(ab); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 5u);
  EXPECT_EQ((*list)[0].fulfillment, FulfillmentStatus::kProcessing) << "the last Set wins";
  EXPECT_TRUE((*list)[0].account_specific);
  EXPECT_FALSE((*list)[1].fulfillment) << "a row with no status keeps the change local";
  EXPECT_TRUE((*list)[1].account_specific);
  EXPECT_EQ((*list)[3].fulfillment, FulfillmentStatus::kSent);
  EXPECT_FALSE((*list)[3].account_specific);

  auto mapped = Read([&](UnitOfWork& uow) { return uow.status_mappings().Mapped(ab, processing); });
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(*mapped);
  auto local = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().LocalFor(ab, FulfillmentStatus::kProcessing);
  });
  ASSERT_TRUE(local && *local);
  EXPECT_EQ(**local, nowe);

  // The other account still uses the defaults.
  mapped = Read([&](UnitOfWork& uow) { return uow.status_mappings().Mapped(cd, processing); });
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, FulfillmentStatus::kProcessing);
  local = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().LocalFor(cd, FulfillmentStatus::kProcessing);
  });
  ASSERT_TRUE(local && *local);
  EXPECT_EQ(**local, processing);
}

TEST_P(ImportRepositoryTest, TwoStatusesMappedAlikeResolveToTheFirstByPosition) {
  const AccountId ab = CreateAccount("AB");
  ASSERT_TRUE(Write([&](UnitOfWork& uow) {
    return uow.status_mappings().Set(ab, Status("Anulowane"), FulfillmentStatus::kSent);
  }));
  auto local = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().LocalFor(ab, FulfillmentStatus::kSent);
  });
  ASSERT_TRUE(local && *local);
  EXPECT_EQ(**local, Status("Wysłane"));
  local = Read([&](UnitOfWork& uow) {
    return uow.status_mappings().LocalFor(ab, FulfillmentStatus::kCancelled);
  });
  ASSERT_TRUE(local);
  EXPECT_FALSE(*local) << "Anulowane no longer sends CANCELLED for this account";
}

TEST_P(ImportRepositoryTest, MappingAnUnknownStatusOrAccountIsNotFound) {
  const AccountId ab = CreateAccount("AB");
  auto r = store().InTransaction([&](UnitOfWork& uow) {
    return uow.status_mappings().Set(ab, StatusId(999), FulfillmentStatus::kSent);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  r = store().InTransaction([&](UnitOfWork& uow) {
    return uow.status_mappings().Set(AccountId(999), Status("Nowe"), FulfillmentStatus::kSent);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  auto mapped = store().Read(
      [&](UnitOfWork& uow) { return uow.status_mappings().Mapped(ab, StatusId(999)); });
  ASSERT_FALSE(mapped);
  EXPECT_EQ(mapped.error().code, ErrorCode::kNotFound);
  auto missing = Read([&](UnitOfWork& uow) { return uow.statuses().FindByName("Zagubione"); });
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

// ---- integrity incidents -----------------------------------------------------------------

TEST_P(ImportRepositoryTest, IncidentsListNewestFirstPerAccountOrAll) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  const Timestamp t = clock_.Now();
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.incidents().Record({0, ab, CheckoutFormId("cf-1"), "missed_by_journal",
                                         "Zamówienie cf-1 nie pojawiło się w dzienniku", t}));
    NADAJNIK_TRY(uow.incidents().Record(
        {0, cd, CheckoutFormId("cf-2"), "missed_by_journal", "cd", t + 1min}));
    return uow.incidents().Record(
        {0, ab, CheckoutFormId("cf-3"), "missed_by_journal", "ab later", t + 2min});
  }));
  auto all = Read([&](UnitOfWork& uow) { return uow.incidents().List(std::nullopt, 10); });
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].checkout_form_id.value, "cf-3");
  EXPECT_EQ((*all)[2].checkout_form_id.value, "cf-1");
  EXPECT_EQ((*all)[2].message, "Zamówienie cf-1 nie pojawiło się w dzienniku");
  EXPECT_EQ((*all)[2].kind, "missed_by_journal");
  EXPECT_EQ((*all)[2].at, t);
  EXPECT_GT((*all)[2].id, 0);

  auto mine = Read([&](UnitOfWork& uow) { return uow.incidents().List(ab, 1); });
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u) << "the limit applies";
  EXPECT_EQ((*mine)[0].checkout_form_id.value, "cf-3");
  EXPECT_EQ((*mine)[0].account_id, ab);
  auto n = Read([&](UnitOfWork& uow) { return uow.incidents().Count(ab); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
}

// ---- import failures ---------------------------------------------------------------------

TEST_P(ImportRepositoryTest, AFailingFormKeepsOneOpenRowCountingItsAttempts) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  const CheckoutFormId form("cf-bad");
  const Timestamp t = clock_.Now();
  ASSERT_TRUE(Write([&](UnitOfWork& uow) {
    return uow.import_failures().Record(ab, form, R"({"id":"cf-bad"})", "no currency", t);
  }));
  clock_.Advance(1min);
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.import_failures().Record(ab, form, R"({"id":"cf-bad","v":2})",
                                              "unknown delivery method", clock_.Now()));
    return uow.import_failures().Record(cd, CheckoutFormId("cf-other"), "{}", "x", clock_.Now());
  }));

  auto open = Read([&](UnitOfWork& uow) { return uow.import_failures().ListOpen(ab, 10); });
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  const store::ImportFailure& f = (*open)[0];
  EXPECT_EQ(f.account_id, ab);
  EXPECT_EQ(f.checkout_form_id.value, "cf-bad");
  EXPECT_EQ(f.raw_json, R"({"id":"cf-bad","v":2})");
  EXPECT_EQ(f.error, "unknown delivery method");
  EXPECT_EQ(f.attempts, 2);
  EXPECT_EQ(f.first_failed_at, t);
  EXPECT_EQ(f.last_failed_at, t + 1min);
  EXPECT_FALSE(f.resolved_at);

  auto all =
      Read([&](UnitOfWork& uow) { return uow.import_failures().ListOpen(std::nullopt, 10); });
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].checkout_form_id.value, "cf-bad") << "oldest first";
  EXPECT_EQ((*all)[1].checkout_form_id.value, "cf-other");
  auto n = Read([&](UnitOfWork& uow) { return uow.import_failures().CountOpen(ab); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
}

TEST_P(ImportRepositoryTest, AResolvedFailureDisappearsAndANewFailureOpensANewRow) {
  const AccountId ab = CreateAccount("AB");
  const CheckoutFormId form("cf-bad");
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.import_failures().Record(ab, form, "{}", "first", clock_.Now()));
    return uow.import_failures().Record(ab, form, "{}", "second", clock_.Now());
  }));
  clock_.Advance(1h);
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.import_failures().Resolve(ab, form, clock_.Now()));
    return uow.import_failures().Resolve(ab, CheckoutFormId("never-failed"), clock_.Now());
  })) << "resolving a form without an open failure is a no-op";
  auto open = Read([&](UnitOfWork& uow) { return uow.import_failures().ListOpen(ab, 10); });
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
  auto n = Read([&](UnitOfWork& uow) { return uow.import_failures().CountOpen(ab); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);

  clock_.Advance(1h);
  ASSERT_TRUE(Write([&](UnitOfWork& uow) {
    return uow.import_failures().Record(ab, form, "{}", "third", clock_.Now());
  }));
  open = Read([&](UnitOfWork& uow) { return uow.import_failures().ListOpen(ab, 10); });
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].attempts, 1) << "a new failure after a resolve starts over";
  EXPECT_EQ((*open)[0].error, "third");
  EXPECT_EQ((*open)[0].first_failed_at, clock_.Now());
  auto rows = db().Query(
      "SELECT COUNT(*), COUNT(resolved_at) FROM import_failures WHERE checkout_form_id = $1",
      {form.value});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->Int(0, 0), 2) << "the resolved row stays as history";
  EXPECT_EQ(rows->Int(0, 1), 1);
}

// ---- OAuth states ------------------------------------------------------------------------

TEST_P(ImportRepositoryTest, AnOAuthStateIsTakenOnceWithItsVerifierEncryptedAtRest) {
  const AccountId ab = CreateAccount("AB");
  store::OAuthState s{ab, Secret<>("pkce-verifier-plaintext-0123456789"),
                      "https://nadajnik.example/oauth/callback", clock_.Now(),
                      clock_.Now() + 10min};
  ASSERT_TRUE(Write([&](UnitOfWork& uow) { return uow.oauth_states().Create("hash-1", s); }));
  auto dup = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.oauth_states().Create("hash-1", s); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

  auto rows = db().Query("SELECT code_verifier_enc FROM oauth_states", {});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->Text(0, 0).find("plaintext"), std::string::npos);

  clock_.Advance(1min);
  auto taken =
      Write([&](UnitOfWork& uow) { return uow.oauth_states().Take("hash-1", clock_.Now()); });
  ASSERT_TRUE(taken && *taken);
  EXPECT_EQ((*taken)->account_id, ab);
  EXPECT_EQ((*taken)->code_verifier.Reveal(), "pkce-verifier-plaintext-0123456789");
  EXPECT_EQ((*taken)->redirect_uri, "https://nadajnik.example/oauth/callback");
  EXPECT_EQ((*taken)->created_at, s.created_at);
  EXPECT_EQ((*taken)->expires_at, s.expires_at);

  taken = Write([&](UnitOfWork& uow) { return uow.oauth_states().Take("hash-1", clock_.Now()); });
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken) << "a state is single use";
  taken = Write([&](UnitOfWork& uow) { return uow.oauth_states().Take("unknown", clock_.Now()); });
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken);
}

TEST_P(ImportRepositoryTest, AnExpiredOAuthStateIsNotReturnedAndIsPruned) {
  const AccountId ab = CreateAccount("AB");
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.oauth_states().Create(
        "short", {ab, Secret<>("v1"), "https://x/cb", clock_.Now(), clock_.Now() + 1min}));
    NADAJNIK_TRY(uow.oauth_states().Create(
        "shorter", {ab, Secret<>("v2"), "https://x/cb", clock_.Now(), clock_.Now() + 30s}));
    return uow.oauth_states().Create(
        "long", {ab, Secret<>("v3"), "https://x/cb", clock_.Now(), clock_.Now() + 1h});
  }));
  clock_.Advance(1min);
  auto taken =
      Write([&](UnitOfWork& uow) { return uow.oauth_states().Take("short", clock_.Now()); });
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken) << "a state expires at its expiry time";
  auto pruned =
      Write([&](UnitOfWork& uow) { return uow.oauth_states().DeleteExpired(clock_.Now()); });
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 1) << "only 'shorter' was left to prune";
  taken = Write([&](UnitOfWork& uow) { return uow.oauth_states().Take("long", clock_.Now()); });
  ASSERT_TRUE(taken && *taken);
  EXPECT_EQ((*taken)->code_verifier.Reveal(), "v3");
}

TEST_P(ImportRepositoryTest, AnOAuthVerifierMovedToAnotherStateDoesNotOpen) {
  const AccountId ab = CreateAccount("AB");
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.oauth_states().Create(
        "a", {ab, Secret<>("va"), "https://x/cb", clock_.Now(), clock_.Now() + 1h}));
    return uow.oauth_states().Create(
        "b", {ab, Secret<>("vb"), "https://x/cb", clock_.Now(), clock_.Now() + 1h});
  }));
  ASSERT_TRUE(db().Execute(
      "UPDATE oauth_states SET code_verifier_enc = (SELECT code_verifier_enc FROM oauth_states "
      "WHERE state_hash = 'a') WHERE state_hash = 'b'",
      {}));
  auto taken = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.oauth_states().Take("b", clock_.Now()); });
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kFailedPrecondition);
}

// ---- accounts ----------------------------------------------------------------------------

TEST_P(ImportRepositoryTest, AccountImportProgressRoundTrips) {
  const Timestamp t = clock_.Now();
  domain::MarketplaceAccount a;
  a.name = "Sklep Główny";
  a.alias = "ab";
  a.seller_id = "43210987";
  a.journal_cursor = "1532603898317497";
  a.journal_position_at = t - 5min;
  a.last_journal_read_at = t - 1min;
  a.sweep_cursor = t - 1h;
  a.last_error = "Allegro odpowiedziało 503";
  a.last_error_at = t - 2min;
  auto id = Write([&](UnitOfWork& uow) { return uow.accounts().Create(a, t); });
  ASSERT_TRUE(id);
  domain::MarketplaceAccount out = Account(*id);
  EXPECT_EQ(out.seller_id, "43210987");
  EXPECT_EQ(out.journal_position_at, t - 5min);
  EXPECT_EQ(out.last_journal_read_at, t - 1min);
  EXPECT_EQ(out.sweep_cursor, t - 1h);
  EXPECT_EQ(out.last_error, "Allegro odpowiedziało 503");
  EXPECT_EQ(out.last_error_at, t - 2min);

  const AccountId plain = CreateAccount("CD");
  out = Account(plain);
  EXPECT_EQ(out.seller_id, "");
  EXPECT_FALSE(out.journal_position_at);
  EXPECT_FALSE(out.last_journal_read_at);
  EXPECT_FALSE(out.sweep_cursor);
  EXPECT_EQ(out.last_error, "");
  EXPECT_FALSE(out.last_error_at);
}

TEST_P(ImportRepositoryTest, AccountsAreFoundByAliasWhateverItsCase) {
  const AccountId ab = CreateAccount("AB");
  CreateAccount("C7");
  auto found = Read([&](UnitOfWork& uow) { return uow.accounts().FindByAlias("ab"); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, ab);
  EXPECT_EQ((*found)->client_secret.Reveal(), "client-secret-AB") << "secrets open as with Get";
  found = Read([&](UnitOfWork& uow) { return uow.accounts().FindByAlias("ZZ"); });
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
  found = Read([&](UnitOfWork& uow) { return uow.accounts().FindByAlias("not an alias"); });
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
}

TEST_P(ImportRepositoryTest, ProfileSweepAndJournalProgressPersistAndProgressClearsTheError) {
  const AccountId ab = CreateAccount("AB");
  const Timestamp t = clock_.Now();
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.accounts().SetProfile(ab, "sklep_udix", "43210987", t));
    NADAJNIK_TRY(uow.accounts().SetSweepCursor(ab, t - 30min, t));
    return uow.accounts().SetLastError(ab, "token odrzucony", t);
  }));
  domain::MarketplaceAccount a = Account(ab);
  EXPECT_EQ(a.login, "sklep_udix");
  EXPECT_EQ(a.seller_id, "43210987");
  EXPECT_EQ(a.sweep_cursor, t - 30min);
  EXPECT_EQ(a.last_error, "token odrzucony");
  EXPECT_EQ(a.last_error_at, t);

  clock_.Advance(1min);
  ASSERT_TRUE(Write([&](UnitOfWork& uow) {
    return uow.accounts().RecordJournalProgress(ab, "1001", t - 10s, clock_.Now());
  }));
  a = Account(ab);
  EXPECT_EQ(a.journal_cursor, "1001");
  EXPECT_EQ(a.journal_position_at, t - 10s);
  EXPECT_EQ(a.last_journal_read_at, clock_.Now());
  EXPECT_EQ(a.last_error, "") << "a successful read clears the last error";
  EXPECT_FALSE(a.last_error_at);

  // A read with no new events keeps the cursor and the time of the event it names.
  clock_.Advance(1min);
  ASSERT_TRUE(Write([&](UnitOfWork& uow) {
    return uow.accounts().RecordJournalProgress(ab, "1001", std::nullopt, clock_.Now());
  }));
  a = Account(ab);
  EXPECT_EQ(a.journal_position_at, t - 10s);
  EXPECT_EQ(a.last_journal_read_at, clock_.Now());

  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.accounts().SetLastError(ab, "przerwa techniczna", clock_.Now()));
    return uow.accounts().SetLastError(ab, "", clock_.Now());
  }));
  a = Account(ab);
  EXPECT_EQ(a.last_error, "") << "an empty error clears it";
  EXPECT_FALSE(a.last_error_at);

  auto missing = store().InTransaction([&](UnitOfWork& uow) {
    return uow.accounts().SetProfile(AccountId(999), "x", "1", clock_.Now());
  });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// ---- refresh lease -----------------------------------------------------------------------

TEST_P(ImportRepositoryTest, TheRefreshLeaseHasOneOwnerUntilItExpiresOrIsReleased) {
  const AccountId ab = CreateAccount("AB");
  auto got = Acquire(ab, "proc-a", 30s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(*got);
  got = Acquire(ab, "proc-b", 30s);
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got) << "held by proc-a";
  clock_.Advance(20s);
  got = Acquire(ab, "proc-a", 30s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(*got) << "the owner re-acquires (and extends) its own lease";
  clock_.Advance(20s);
  got = Acquire(ab, "proc-b", 30s);
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got) << "the extended lease still holds";
  clock_.Advance(10s);
  got = Acquire(ab, "proc-b", 30s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(*got) << "an expired lease is taken over";

  ASSERT_TRUE(
      Write([&](UnitOfWork& uow) { return uow.accounts().ReleaseRefreshLease(ab, "proc-a"); }));
  got = Acquire(ab, "proc-a", 30s);
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got) << "a former owner cannot release someone else's lease";
  ASSERT_TRUE(
      Write([&](UnitOfWork& uow) { return uow.accounts().ReleaseRefreshLease(ab, "proc-b"); }));
  got = Acquire(ab, "proc-a", 30s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(*got) << "a released lease is free";

  const AccountId cd = CreateAccount("CD");
  got = Acquire(cd, "proc-b", 30s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(*got) << "leases are per account";
  got = Acquire(AccountId(999), "proc-b", 30s);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
}

TEST_P(ImportRepositoryTest, ProcessesRacingForTheRefreshLeaseGetItOnce) {
  const AccountId ab = CreateAccount("AB");
  constexpr int kRacers = 4;  // the test pool has 4 connections
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> ready{0};
    std::atomic<int> winners{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.emplace_back([&, i] {
        ++ready;
        while (ready.load() < kRacers) std::this_thread::yield();
        auto got = Acquire(ab, "proc-" + std::to_string(round) + "-" + std::to_string(i), 1h);
        if (!got) {
          ++errors;
        } else if (*got) {
          ++winners;
        }
      });
    }
    for (auto& t : racers) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    clock_.Advance(2h);  // the lease lapses for the next round
  }
}

TEST_P(ImportRepositoryTest, ASecondProcessWaitsForTheFirstsLeaseToCommitAndIsRefused) {
  const AccountId ab = CreateAccount("AB");
  std::atomic<bool> held{false};
  std::thread first([&] {
    auto r = store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
      NADAJNIK_ASSIGN_OR_RETURN(bool got, uow.accounts().AcquireRefreshLease(
                                              ab, "proc-a", clock_.Now() + 1min, clock_.Now()));
      EXPECT_TRUE(got);
      held = true;
      // Still uncommitted while the second process asks.
      std::this_thread::sleep_for(300ms);
      return Ok();
    });
    EXPECT_TRUE(r) << r.error().Describe();
  });
  while (!held) std::this_thread::yield();
  auto got = Acquire(ab, "proc-b", 1min);
  first.join();
  ASSERT_TRUE(got) << got.error().Describe();
  EXPECT_FALSE(*got) << "proc-a's lease committed first";
}

// ---- orders ------------------------------------------------------------------------------

TEST_P(ImportRepositoryTest, AMergedOrderLeavesListsButIsStillFoundDirectly) {
  const AccountId ab = CreateAccount("AB");
  const Timestamp t = clock_.Now();
  const OrderId old_a = Upsert(SampleOrder(ab, "cf-a", "r1", t));
  const OrderId old_b = Upsert(SampleOrder(ab, "cf-b", "r1", t + 1min));
  const OrderId merged = Upsert(SampleOrder(ab, "cf-ab", "r1", t + 2min));
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.orders().MarkMerged(old_a, merged, clock_.Now()));
    return uow.orders().MarkMerged(old_b, merged, clock_.Now());
  }));

  auto list = Read([&](UnitOfWork& uow) { return uow.orders().List({}); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, merged);
  EXPECT_FALSE((*list)[0].merged_into);
  store::OrderFilter by_account;
  by_account.account_id = ab;
  auto n = Read([&](UnitOfWork& uow) { return uow.orders().Count(by_account); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  store::OrderFilter text;
  text.text = "cf-a";
  n = Read([&](UnitOfWork& uow) { return uow.orders().Count(text); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1) << "cf-ab only: cf-a is merged";

  auto got = Read([&](UnitOfWork& uow) { return uow.orders().Get(old_a); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->merged_into, merged);
  EXPECT_EQ((*got)->items.size(), 2u);
  got = Read(
      [&](UnitOfWork& uow) { return uow.orders().FindByCheckoutForm(ab, CheckoutFormId("cf-b")); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->merged_into, merged);

  // A later revision of a merged form stays merged.
  domain::Order v2 = SampleOrder(ab, "cf-a", "r2", t + 5min);
  Upsert(v2);
  got = Read([&](UnitOfWork& uow) { return uow.orders().Get(old_a); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->revision, "r2");
  EXPECT_EQ((*got)->merged_into, merged);
}

TEST_P(ImportRepositoryTest, MergingRequiresTwoOrdersOfOneAccount) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  const OrderId a = Upsert(SampleOrder(ab, "cf-a", "r1", clock_.Now()));
  const OrderId c = Upsert(SampleOrder(cd, "cf-c", "r1", clock_.Now()));
  auto r = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.orders().MarkMerged(a, c, clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  r = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.orders().MarkMerged(a, a, clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  r = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.orders().MarkMerged(a, OrderId(999), clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  r = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.orders().MarkMerged(OrderId(999), a, clock_.Now()); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_P(ImportRepositoryTest, StoredRevisionsTellWhichFormsAreHeldAlready) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  const Timestamp t = clock_.Now();
  Upsert(SampleOrder(ab, "cf-1", "rev-1", t));
  Upsert(SampleOrder(ab, "cf-2", "rev-2", t + 1min));
  Upsert(SampleOrder(cd, "cf-3", "rev-3", t));
  auto stored = Read([&](UnitOfWork& uow) {
    return uow.orders().StoredRevisions(ab, {CheckoutFormId("cf-1"), CheckoutFormId("cf-2"),
                                             CheckoutFormId("cf-3"), CheckoutFormId("cf-unknown")});
  });
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 2u) << "cf-3 belongs to another account, cf-unknown to nobody";
  std::sort(stored->begin(), stored->end(),
            [](const auto& x, const auto& y) { return x.checkout_form_id < y.checkout_form_id; });
  EXPECT_EQ((*stored)[0].checkout_form_id.value, "cf-1");
  EXPECT_EQ((*stored)[0].revision, "rev-1");
  EXPECT_EQ((*stored)[0].remote_updated_at, t);
  EXPECT_EQ((*stored)[1].revision, "rev-2");
  EXPECT_EQ((*stored)[1].remote_updated_at, t + 1min);

  auto none = Read([&](UnitOfWork& uow) { return uow.orders().StoredRevisions(ab, {}); });
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  // More ids than one statement takes: every stored one is still found.
  std::vector<CheckoutFormId> many;
  for (int i = 0; i < 300; ++i) many.emplace_back("missing-" + std::to_string(i));
  many.emplace_back("cf-2");
  many.insert(many.begin() + 150, CheckoutFormId("cf-1"));
  stored = Read([&](UnitOfWork& uow) { return uow.orders().StoredRevisions(ab, many); });
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size(), 2u);
}

TEST_P(ImportRepositoryTest, LineItemDiscountsRoundTrip) {
  const AccountId ab = CreateAccount("AB");
  domain::Order in = SampleOrder(ab, "cf-1", "r1", clock_.Now());
  in.items[1].discounts = {"BUNDLE", "COUPON"};
  const OrderId id = Upsert(in);
  auto out = Read([&](UnitOfWork& uow) { return uow.orders().Get(id); });
  ASSERT_TRUE(out && *out);
  ASSERT_EQ((*out)->items.size(), 2u);
  EXPECT_TRUE((*out)->items[0].discounts.empty());
  EXPECT_EQ((*out)->items[1].discounts, (std::vector<std::string>{"BUNDLE", "COUPON"}));

  domain::Order v2 = in;
  v2.revision = "r2";
  v2.remote_updated_at += 1min;
  v2.items[1].discounts = {"CAMPAIGN"};
  Upsert(v2);
  out = Read(
      [&](UnitOfWork& uow) { return uow.orders().FindByCheckoutForm(ab, CheckoutFormId("cf-1")); });
  ASSERT_TRUE(out && *out);
  EXPECT_EQ((*out)->items[1].discounts, std::vector<std::string>{"CAMPAIGN"});
}

// ---- jobs --------------------------------------------------------------------------------

TEST_P(ImportRepositoryTest, HasActiveSeesQueuedAndRunningJobsOnly) {
  store::NewJob job;
  job.kind = "allegro.import";
  job.run_at = clock_.Now();
  job.unique_key = "import:AB";
  auto has = [&] {
    auto r = Read([&](UnitOfWork& uow) { return uow.jobs().HasActive("import:AB"); });
    return r && *r;
  };
  EXPECT_FALSE(has());
  auto id = Write([&](UnitOfWork& uow) { return uow.jobs().Enqueue(job, clock_.Now()); });
  ASSERT_TRUE(id && *id);
  EXPECT_TRUE(has()) << "queued";
  auto claimed = Write([&](UnitOfWork& uow) {
    return uow.jobs().Claim("w1", {"allegro.import"}, 1, clock_.Now(), 60s);
  });
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_TRUE(has()) << "running";
  ASSERT_TRUE(
      Write([&](UnitOfWork& uow) { return uow.jobs().Complete(**id, "w1", clock_.Now()); }));
  EXPECT_FALSE(has()) << "done";
}

TEST_P(ImportRepositoryTest, JobsOfAnAccountAwaitingReauthorizationWaitUntilItIsActive) {
  const AccountId ab = CreateAccount("AB");
  const AccountId cd = CreateAccount("CD");
  ASSERT_TRUE(Write([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.accounts().SetState(ab, domain::AccountState::kActive, "", clock_.Now()));
    NADAJNIK_TRY(uow.accounts().SetState(cd, domain::AccountState::kDisabled, "", clock_.Now()));
    return uow.accounts().SetState(ab, domain::AccountState::kNeedsReauthorization, "invalid_grant",
                                   clock_.Now());
  }));
  auto enqueue = [&](std::optional<AccountId> account, int priority) {
    store::NewJob job;
    job.kind = "allegro.push_status";
    job.run_at = clock_.Now();
    job.priority = priority;
    job.account_id = account;
    auto r = Write([&](UnitOfWork& uow) { return uow.jobs().Enqueue(job, clock_.Now()); });
    return r && *r ? **r : JobId();
  };
  const JobId paused = enqueue(ab, 1);
  const JobId disabled = enqueue(cd, 1);
  const JobId free = enqueue(std::nullopt, 50);
  auto claim = [&] {
    auto r = Write([&](UnitOfWork& uow) {
      return uow.jobs().Claim("w1", {"allegro.push_status"}, 10, clock_.Now(), 60s);
    });
    return r ? *r : std::vector<store::Job>{};
  };
  auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u) << "the paused accounts' jobs wait, even ahead in priority";
  EXPECT_EQ(claimed[0].id, free);
  auto job = Read([&](UnitOfWork& uow) { return uow.jobs().Get(paused); });
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->state, store::JobState::kQueued);
  EXPECT_EQ((*job)->attempts, 0) << "waiting spends no attempt";

  clock_.Advance(1h);
  EXPECT_TRUE(claim().empty()) << "still paused later";
  ASSERT_TRUE(Write([&](UnitOfWork& uow) {
    return uow.accounts().SetState(ab, domain::AccountState::kActive, "", clock_.Now());
  }));
  claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, paused) << "re-authorized: the job runs";
  EXPECT_EQ(claimed[0].attempts, 1);
  job = Read([&](UnitOfWork& uow) { return uow.jobs().Get(disabled); });
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->state, store::JobState::kQueued) << "the disabled account's job still waits";
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(ImportRepositoryTest);

}  // namespace
}  // namespace nadajnik::testing
