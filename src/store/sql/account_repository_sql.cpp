// Marketplace accounts. The client secret and the tokens are sealed with SecretBox under a
// context naming the row and the column, so a value copied elsewhere fails to open.
#include <fmt/format.h>

#include "core/text.hpp"
#include "security/secret_box.hpp"
#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store::sql {
namespace {

using domain::MarketplaceAccount;

constexpr std::string_view kColumns =
    "id, name, alias, login, base_marketplace, environment, auth_base_url, api_base_url, "
    "client_id, client_secret_enc, access_token_enc, refresh_token_enc, access_token_expires_at, "
    "state, state_reason, state_changed_at, journal_cursor, created_at, updated_at, seller_id, "
    "journal_position_at, last_journal_read_at, sweep_cursor, last_error, last_error_at";

DbValue Millis(const std::optional<Timestamp>& t) {
  return t ? DbValue(ToUnixMillis(*t)) : DbValue();
}

// last_error is shown per account; a 4 KiB bound keeps a remote HTML error page out of it.
std::string BoundError(const std::string& error) { return TruncateUtf8(error, 4096); }

std::string Context(AccountId id, std::string_view field) {
  return fmt::format("account:{}:{}", id.value, field);
}

class SqlAccountRepository final : public AccountRepository {
 public:
  SqlAccountRepository(DbConnection& db, const security::SecretBox& secrets)
      : db_(db), secrets_(secrets) {}

  Result<AccountId> Create(const MarketplaceAccount& a, Timestamp now) override {
    NADAJNIK_ASSIGN_OR_RETURN(std::string alias, domain::NormalizeAlias(a.alias));
    if (a.name.empty()) return Fail(ErrorCode::kInvalidArgument, "an account needs a name");
    const std::int64_t t = ToUnixMillis(now);
    auto rows = db_.Query(
        "INSERT INTO accounts (name, alias, login, base_marketplace, environment, auth_base_url, "
        "api_base_url, client_id, state, state_reason, state_changed_at, journal_cursor, "
        "created_at, updated_at, seller_id, journal_position_at, last_journal_read_at, "
        "sweep_cursor, last_error, last_error_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, $12, $11, $11, $13, $14, $15, $16, $17, $18) RETURNING id",
        {a.name, alias, a.login, std::string(domain::MarketplaceId(a.base_marketplace)),
         std::string(domain::AccountEnvironmentName(a.environment)), a.auth_base_url,
         a.api_base_url, a.client_id, std::string(domain::AccountStateName(a.state)),
         a.state_reason, t, a.journal_cursor, a.seller_id, Millis(a.journal_position_at),
         Millis(a.last_journal_read_at), Millis(a.sweep_cursor), BoundError(a.last_error),
         a.last_error.empty() ? DbValue() : Millis(a.last_error_at)});
    if (!rows) {
      if (rows.error().code == ErrorCode::kAlreadyExists) {
        return Fail(ErrorCode::kAlreadyExists,
                    fmt::format("alias {} is used by another account; choose another", alias));
      }
      return Fail(rows.error());
    }
    const AccountId id(rows->Int(0, 0));
    auto n = db_.Execute(
        "UPDATE accounts SET client_secret_enc = $2, access_token_enc = $3, "
        "refresh_token_enc = $4, access_token_expires_at = $5 WHERE id = $1",
        {id.value, Seal(id, "client_secret", a.client_secret),
         Seal(id, "access_token", a.access_token), Seal(id, "refresh_token", a.refresh_token),
         a.access_token_expires_at ? DbValue(ToUnixMillis(*a.access_token_expires_at))
                                   : DbValue()});
    if (!n) return Fail(n.error());
    return id;
  }

  Result<std::optional<MarketplaceAccount>> Get(AccountId id) override {
    auto rows =
        db_.Query(fmt::format("SELECT {} FROM accounts WHERE id = $1", kColumns), {id.value});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<MarketplaceAccount>{};
    NADAJNIK_ASSIGN_OR_RETURN(auto account, Read(*rows, 0));
    return std::optional<MarketplaceAccount>{std::move(account)};
  }

  Result<std::vector<MarketplaceAccount>> List() override {
    auto rows = db_.Query(fmt::format("SELECT {} FROM accounts ORDER BY alias", kColumns), {});
    if (!rows) return Fail(rows.error());
    std::vector<MarketplaceAccount> out;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      NADAJNIK_ASSIGN_OR_RETURN(auto account, Read(*rows, r));
      out.push_back(std::move(account));
    }
    return out;
  }

  Result<void> UpdateTokens(AccountId id, const Secret<>& access, const Secret<>& refresh,
                            Timestamp expires_at, Timestamp now) override {
    return One(id, db_.Execute("UPDATE accounts SET access_token_enc = $2, refresh_token_enc = $3, "
                               "access_token_expires_at = $4, updated_at = $5 WHERE id = $1",
                               {id.value, Seal(id, "access_token", access),
                                Seal(id, "refresh_token", refresh), ToUnixMillis(expires_at),
                                ToUnixMillis(now)}));
  }

  Result<void> SetState(AccountId id, domain::AccountState state, const std::string& reason,
                        Timestamp now) override {
    return One(id, db_.Execute("UPDATE accounts SET state = $2, state_reason = $3, "
                               "state_changed_at = $4, updated_at = $4 WHERE id = $1",
                               {id.value, std::string(domain::AccountStateName(state)), reason,
                                ToUnixMillis(now)}));
  }

  Result<void> SetJournalCursor(AccountId id, const std::string& cursor, Timestamp now) override {
    return One(id,
               db_.Execute("UPDATE accounts SET journal_cursor = $2, updated_at = $3 WHERE id = $1",
                           {id.value, cursor, ToUnixMillis(now)}));
  }

  Result<std::optional<MarketplaceAccount>> FindByAlias(const std::string& alias) override {
    // An alias that is not two letters or digits names no account.
    auto normalized = domain::NormalizeAlias(alias);
    if (!normalized) return std::optional<MarketplaceAccount>{};
    auto rows =
        db_.Query(fmt::format("SELECT {} FROM accounts WHERE alias = $1", kColumns), {*normalized});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<MarketplaceAccount>{};
    NADAJNIK_ASSIGN_OR_RETURN(auto account, Read(*rows, 0));
    return std::optional<MarketplaceAccount>{std::move(account)};
  }

  Result<void> SetProfile(AccountId id, const std::string& login, const std::string& seller_id,
                          Timestamp now) override {
    return One(
        id,
        db_.Execute("UPDATE accounts SET login = $2, seller_id = $3, updated_at = $4 WHERE id = $1",
                    {id.value, login, seller_id, ToUnixMillis(now)}));
  }

  // A position is the time of the event the cursor names: without a new one, the stored one is
  // kept while the cursor stays and dropped when the cursor moves (it would name another event).
  Result<void> RecordJournalProgress(AccountId id, const std::string& cursor,
                                     std::optional<Timestamp> position_at, Timestamp now) override {
    return One(id, db_.Execute("UPDATE accounts SET journal_position_at = CASE "
                               "WHEN CAST($3 AS BIGINT) IS NOT NULL THEN CAST($3 AS BIGINT) "
                               "WHEN journal_cursor = $2 THEN journal_position_at ELSE NULL END, "
                               "journal_cursor = $2, last_journal_read_at = $4, last_error = '', "
                               "last_error_at = NULL, updated_at = $4 WHERE id = $1",
                               {id.value, cursor, Millis(position_at), ToUnixMillis(now)}));
  }

  Result<void> SetSweepCursor(AccountId id, Timestamp cursor, Timestamp now) override {
    return One(id,
               db_.Execute("UPDATE accounts SET sweep_cursor = $2, updated_at = $3 WHERE id = $1",
                           {id.value, ToUnixMillis(cursor), ToUnixMillis(now)}));
  }

  Result<void> SetLastError(AccountId id, const std::string& error, Timestamp now) override {
    return One(id, db_.Execute("UPDATE accounts SET last_error = $2, last_error_at = $3, "
                               "updated_at = $4 WHERE id = $1",
                               {id.value, BoundError(error),
                                error.empty() ? DbValue() : DbValue(ToUnixMillis(now)),
                                ToUnixMillis(now)}));
  }

  // One conditional UPDATE: on PostgreSQL a second process blocks on the row lock, then
  // re-checks the condition against the committed lease and changes nothing.
  Result<bool> AcquireRefreshLease(AccountId id, const std::string& owner, Timestamp until,
                                   Timestamp now) override {
    if (owner.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "a refresh lease needs an owner");
    }
    auto n = db_.Execute(
        "UPDATE accounts SET refresh_lease_owner = $2, refresh_lease_expires_at = $3 "
        "WHERE id = $1 AND (refresh_lease_owner IS NULL OR refresh_lease_expires_at <= $4 OR "
        "refresh_lease_owner = $2)",
        {id.value, owner, ToUnixMillis(until), ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n > 0) return true;
    auto exists = db_.Query("SELECT 1 FROM accounts WHERE id = $1", {id.value});
    if (!exists) return Fail(exists.error());
    if (exists->empty()) return Fail(ErrorCode::kNotFound, fmt::format("no account {}", id.value));
    return false;
  }

  // Releasing a lease held by someone else (ours expired and was taken) changes nothing.
  Result<void> ReleaseRefreshLease(AccountId id, const std::string& owner) override {
    auto n = db_.Execute(
        "UPDATE accounts SET refresh_lease_owner = NULL, refresh_lease_expires_at = NULL "
        "WHERE id = $1 AND refresh_lease_owner = $2",
        {id.value, owner});
    if (!n) return Fail(n.error());
    return Ok();
  }

 private:
  DbValue Seal(AccountId id, std::string_view field, const Secret<>& value) const {
    if (value.empty()) return DbValue();
    return DbValue(secrets_.Seal(value.Reveal(), Context(id, field)));
  }

  Result<Secret<>> Open(AccountId id, std::string_view field, const DbRows& rows, std::size_t r,
                        std::size_t c) const {
    if (rows.IsNull(r, c)) return Secret<>{};
    auto opened = secrets_.Open(rows.Text(r, c), Context(id, field));
    if (!opened) {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("the stored {} of account {} cannot be decrypted: the key file "
                              "does not match this database; restore the original key file "
                              "or re-authorize the account",
                              field, id.value));
    }
    return std::move(*opened);
  }

  Result<MarketplaceAccount> Read(const DbRows& rows, std::size_t r) const {
    MarketplaceAccount a;
    a.id = AccountId(rows.Int(r, 0));
    a.name = rows.Text(r, 1);
    a.alias = rows.Text(r, 2);
    a.login = rows.Text(r, 3);
    a.base_marketplace =
        domain::ParseMarketplace(rows.Text(r, 4)).value_or(domain::Marketplace::kAllegroPl);
    a.environment = domain::ParseAccountEnvironment(rows.Text(r, 5))
                        .value_or(domain::AccountEnvironment::kProduction);
    a.auth_base_url = rows.Text(r, 6);
    a.api_base_url = rows.Text(r, 7);
    a.client_id = rows.Text(r, 8);
    NADAJNIK_ASSIGN_OR_RETURN(a.client_secret, Open(a.id, "client_secret", rows, r, 9));
    NADAJNIK_ASSIGN_OR_RETURN(a.access_token, Open(a.id, "access_token", rows, r, 10));
    NADAJNIK_ASSIGN_OR_RETURN(a.refresh_token, Open(a.id, "refresh_token", rows, r, 11));
    if (auto v = rows.OptInt(r, 12)) a.access_token_expires_at = FromUnixMillis(*v);
    a.state = domain::ParseAccountState(rows.Text(r, 13)).value_or(domain::AccountState::kNew);
    a.state_reason = rows.Text(r, 14);
    if (auto v = rows.OptInt(r, 15)) a.state_changed_at = FromUnixMillis(*v);
    a.journal_cursor = rows.Text(r, 16);
    a.created_at = FromUnixMillis(rows.Int(r, 17));
    a.updated_at = FromUnixMillis(rows.Int(r, 18));
    a.seller_id = rows.Text(r, 19);
    if (auto v = rows.OptInt(r, 20)) a.journal_position_at = FromUnixMillis(*v);
    if (auto v = rows.OptInt(r, 21)) a.last_journal_read_at = FromUnixMillis(*v);
    if (auto v = rows.OptInt(r, 22)) a.sweep_cursor = FromUnixMillis(*v);
    a.last_error = rows.Text(r, 23);
    if (auto v = rows.OptInt(r, 24)) a.last_error_at = FromUnixMillis(*v);
    return a;
  }

  static Result<void> One(AccountId id, const Result<std::int64_t>& n) {
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, fmt::format("no account {}", id.value));
    return Ok();
  }

  DbConnection& db_;
  const security::SecretBox& secrets_;
};

}  // namespace

std::unique_ptr<AccountRepository> MakeAccountRepository(DbConnection& db,
                                                         const security::SecretBox& secrets) {
  return std::make_unique<SqlAccountRepository>(db, secrets);
}

}  // namespace nadajnik::store::sql
