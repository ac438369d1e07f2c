// What the import and status sync keep besides orders: per-account status mappings, journal
// integrity incidents, checkout forms that failed to import, and browser OAuth states.
#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "security/secret_box.hpp"
#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store::sql {
namespace {

using domain::FulfillmentStatus;

Result<void> Done(const Result<std::int64_t>& r) {
  if (!r) return Fail(r.error());
  return Ok();
}

// Errors and messages are shown in the panel; a 4 KiB bound keeps a remote HTML page out.
std::string Bound(const std::string& s) { return TruncateUtf8(s, 4096); }

// ---- status mappings ---------------------------------------------------------------------

// Every local status with the mapping in force for account $1: the account's own row when it
// has one (even with a NULL status: "stays local"), else the status's default.
constexpr std::string_view kEffectiveMapping =
    "SELECT s.id, s.name, CASE WHEN m.account_id IS NULL THEN 0 ELSE 1 END, "
    "CASE WHEN m.account_id IS NULL THEN s.default_fulfillment_status "
    "ELSE m.fulfillment_status END AS fulfillment "
    "FROM order_statuses s LEFT JOIN status_mappings m "
    "ON m.local_status_id = s.id AND m.account_id = $1";

std::optional<FulfillmentStatus> ReadFulfillment(const DbRows& rows, std::size_t r, std::size_t c) {
  if (rows.IsNull(r, c)) return std::nullopt;
  return domain::ParseFulfillmentStatus(rows.Text(r, c));
}

class SqlStatusMappingRepository final : public StatusMappingRepository {
 public:
  explicit SqlStatusMappingRepository(DbConnection& db) : db_(db) {}

  Result<std::vector<StatusMapping>> List(AccountId account) override {
    auto rows =
        db_.Query(fmt::format("{} ORDER BY s.position, s.id", kEffectiveMapping), {account.value});
    if (!rows) return Fail(rows.error());
    std::vector<StatusMapping> out;
    out.reserve(rows->size());
    for (std::size_t r = 0; r < rows->size(); ++r) {
      out.push_back({StatusId(rows->Int(r, 0)), rows->Text(r, 1), ReadFulfillment(*rows, r, 3),
                     rows->Bool(r, 2)});
    }
    return out;
  }

  Result<std::optional<FulfillmentStatus>> Mapped(AccountId account, StatusId status) override {
    auto rows = db_.Query(fmt::format("{} WHERE s.id = $2", kEffectiveMapping),
                          {account.value, status.value});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return UnknownStatus(status);
    return ReadFulfillment(*rows, 0, 3);
  }

  Result<std::optional<StatusId>> LocalFor(AccountId account,
                                           FulfillmentStatus fulfillment) override {
    auto rows = db_.Query(fmt::format("{} WHERE CASE WHEN m.account_id IS NULL THEN "
                                      "s.default_fulfillment_status ELSE m.fulfillment_status "
                                      "END = $2 ORDER BY s.position, s.id LIMIT 1",
                                      kEffectiveMapping),
                          {account.value, std::string(domain::FulfillmentStatusName(fulfillment))});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<StatusId>{};
    return std::optional<StatusId>{StatusId(rows->Int(0, 0))};
  }

  Result<void> Set(AccountId account, StatusId status,
                   std::optional<FulfillmentStatus> fulfillment) override {
    // Checked here for a message that names what is missing (a foreign key error names nothing).
    auto known = db_.Query(
        "SELECT (SELECT COUNT(*) FROM accounts WHERE id = $1), "
        "(SELECT COUNT(*) FROM order_statuses WHERE id = $2)",
        {account.value, status.value});
    if (!known) return Fail(known.error());
    if (known->Int(0, 0) == 0) {
      return Fail(ErrorCode::kNotFound, fmt::format("no account {}", account.value));
    }
    if (known->Int(0, 1) == 0) return UnknownStatus(status);
    return Done(
        db_.Execute("INSERT INTO status_mappings (account_id, local_status_id, fulfillment_status) "
                    "VALUES ($1, $2, $3) ON CONFLICT (account_id, local_status_id) "
                    "DO UPDATE SET fulfillment_status = excluded.fulfillment_status",
                    {account.value, status.value,
                     fulfillment ? DbValue(std::string(domain::FulfillmentStatusName(*fulfillment)))
                                 : DbValue()}));
  }

 private:
  static Unexpected UnknownStatus(StatusId status) {
    return Fail(ErrorCode::kNotFound, fmt::format("no local status {}", status.value));
  }

  DbConnection& db_;
};

// ---- integrity incidents -----------------------------------------------------------------

class SqlIntegrityIncidentRepository final : public IntegrityIncidentRepository {
 public:
  explicit SqlIntegrityIncidentRepository(DbConnection& db) : db_(db) {}

  Result<void> Record(const IntegrityIncident& i) override {
    if (i.kind.empty()) return Fail(ErrorCode::kInvalidArgument, "an incident needs a kind");
    return Done(db_.Execute(
        "INSERT INTO integrity_incidents (account_id, checkout_form_id, kind, message, at) "
        "VALUES ($1, $2, $3, $4, $5)",
        {i.account_id.value, i.checkout_form_id.value, i.kind, Bound(i.message),
         ToUnixMillis(i.at)}));
  }

  Result<std::vector<IntegrityIncident>> List(std::optional<AccountId> account,
                                              int limit) override {
    DbParams params;
    std::string where;
    if (account) {
      params.emplace_back(account->value);
      where = " WHERE account_id = $1";
    }
    params.emplace_back(std::clamp(limit, 1, 500));
    auto rows = db_.Query(fmt::format("SELECT id, account_id, checkout_form_id, kind, message, at "
                                      "FROM integrity_incidents{} ORDER BY at DESC, id DESC "
                                      "LIMIT ${}",
                                      where, params.size()),
                          params);
    if (!rows) return Fail(rows.error());
    std::vector<IntegrityIncident> out;
    out.reserve(rows->size());
    for (std::size_t r = 0; r < rows->size(); ++r) {
      out.push_back({rows->Int(r, 0), AccountId(rows->Int(r, 1)), CheckoutFormId(rows->Text(r, 2)),
                     rows->Text(r, 3), rows->Text(r, 4), FromUnixMillis(rows->Int(r, 5))});
    }
    return out;
  }

  Result<std::int64_t> Count(AccountId account) override {
    auto rows = db_.Query("SELECT COUNT(*) FROM integrity_incidents WHERE account_id = $1",
                          {account.value});
    if (!rows) return Fail(rows.error());
    return rows->Int(0, 0);
  }

 private:
  DbConnection& db_;
};

// ---- import failures ---------------------------------------------------------------------

class SqlImportFailureRepository final : public ImportFailureRepository {
 public:
  explicit SqlImportFailureRepository(DbConnection& db) : db_(db) {}

  // One statement: two importers failing on the same form at once end with one open row.
  Result<void> Record(AccountId account, const CheckoutFormId& id, const std::string& raw_json,
                      const std::string& error, Timestamp now) override {
    return Done(db_.Execute(
        "INSERT INTO import_failures (account_id, checkout_form_id, raw_json, error, attempts, "
        "first_failed_at, last_failed_at) VALUES ($1, $2, $3, $4, 1, $5, $5) "
        "ON CONFLICT (account_id, checkout_form_id) WHERE resolved_at IS NULL DO UPDATE SET "
        "raw_json = excluded.raw_json, error = excluded.error, "
        "attempts = import_failures.attempts + 1, last_failed_at = excluded.last_failed_at",
        {account.value, id.value, raw_json, Bound(error), ToUnixMillis(now)}));
  }

  Result<void> Resolve(AccountId account, const CheckoutFormId& id, Timestamp now) override {
    return Done(
        db_.Execute("UPDATE import_failures SET resolved_at = $3 "
                    "WHERE account_id = $1 AND checkout_form_id = $2 AND resolved_at IS NULL",
                    {account.value, id.value, ToUnixMillis(now)}));
  }

  Result<std::vector<ImportFailure>> ListOpen(std::optional<AccountId> account,
                                              int limit) override {
    DbParams params;
    std::string where = "resolved_at IS NULL";
    if (account) {
      params.emplace_back(account->value);
      where += " AND account_id = $1";
    }
    params.emplace_back(std::clamp(limit, 1, 500));
    auto rows =
        db_.Query(fmt::format("SELECT id, account_id, checkout_form_id, raw_json, error, attempts, "
                              "first_failed_at, last_failed_at, resolved_at FROM import_failures "
                              "WHERE {} ORDER BY first_failed_at, id LIMIT ${}",
                              where, params.size()),
                  params);
    if (!rows) return Fail(rows.error());
    std::vector<ImportFailure> out;
    out.reserve(rows->size());
    for (std::size_t r = 0; r < rows->size(); ++r) {
      ImportFailure f;
      f.id = rows->Int(r, 0);
      f.account_id = AccountId(rows->Int(r, 1));
      f.checkout_form_id = CheckoutFormId(rows->Text(r, 2));
      f.raw_json = rows->Text(r, 3);
      f.error = rows->Text(r, 4);
      f.attempts = static_cast<int>(rows->Int(r, 5));
      f.first_failed_at = FromUnixMillis(rows->Int(r, 6));
      f.last_failed_at = FromUnixMillis(rows->Int(r, 7));
      if (auto v = rows->OptInt(r, 8)) f.resolved_at = FromUnixMillis(*v);
      out.push_back(std::move(f));
    }
    return out;
  }

  Result<std::int64_t> CountOpen(AccountId account) override {
    auto rows = db_.Query(
        "SELECT COUNT(*) FROM import_failures WHERE account_id = $1 AND resolved_at IS NULL",
        {account.value});
    if (!rows) return Fail(rows.error());
    return rows->Int(0, 0);
  }

 private:
  DbConnection& db_;
};

// ---- OAuth states ------------------------------------------------------------------------

// The verifier is sealed under the row (state hash) and its account: moved to another row or
// pointed at another account, it no longer opens.
std::string VerifierContext(const std::string& state_hash, AccountId account) {
  return fmt::format("oauth_state:{}:account:{}:code_verifier", state_hash, account.value);
}

class SqlOAuthStateRepository final : public OAuthStateRepository {
 public:
  SqlOAuthStateRepository(DbConnection& db, const security::SecretBox& secrets)
      : db_(db), secrets_(secrets) {}

  Result<void> Create(const std::string& state_hash, const OAuthState& s) override {
    if (state_hash.empty()) return Fail(ErrorCode::kInvalidArgument, "an OAuth state needs a hash");
    auto n = db_.Execute(
        "INSERT INTO oauth_states (state_hash, account_id, code_verifier_enc, redirect_uri, "
        "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        {state_hash, s.account_id.value,
         secrets_.Seal(s.code_verifier.Reveal(), VerifierContext(state_hash, s.account_id)),
         s.redirect_uri, ToUnixMillis(s.created_at), ToUnixMillis(s.expires_at)});
    if (!n) {
      if (n.error().code == ErrorCode::kAlreadyExists) {
        return Fail(ErrorCode::kAlreadyExists, "this OAuth state exists already; start again");
      }
      return Fail(n.error());
    }
    return Ok();
  }

  // DELETE ... RETURNING: of two callbacks racing with one state, only one gets it. An expired
  // state is deleted as well and reported as unknown.
  Result<std::optional<OAuthState>> Take(const std::string& state_hash, Timestamp now) override {
    auto rows = db_.Query(
        "DELETE FROM oauth_states WHERE state_hash = $1 "
        "RETURNING account_id, code_verifier_enc, redirect_uri, created_at, expires_at",
        {state_hash});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<OAuthState>{};
    OAuthState s;
    s.account_id = AccountId(rows->Int(0, 0));
    s.redirect_uri = rows->Text(0, 2);
    s.created_at = FromUnixMillis(rows->Int(0, 3));
    s.expires_at = FromUnixMillis(rows->Int(0, 4));
    if (s.expires_at <= now) return std::optional<OAuthState>{};
    auto verifier = secrets_.Open(rows->Text(0, 1), VerifierContext(state_hash, s.account_id));
    if (!verifier) {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("the stored OAuth state of account {} cannot be decrypted: the key "
                              "file does not match this database; start the authorization again",
                              s.account_id.value));
    }
    s.code_verifier = std::move(*verifier);
    return std::optional<OAuthState>{std::move(s)};
  }

  Result<std::int64_t> DeleteExpired(Timestamp now) override {
    return db_.Execute("DELETE FROM oauth_states WHERE expires_at <= $1", {ToUnixMillis(now)});
  }

 private:
  DbConnection& db_;
  const security::SecretBox& secrets_;
};

}  // namespace

std::unique_ptr<StatusMappingRepository> MakeStatusMappingRepository(DbConnection& db) {
  return std::make_unique<SqlStatusMappingRepository>(db);
}
std::unique_ptr<IntegrityIncidentRepository> MakeIntegrityIncidentRepository(DbConnection& db) {
  return std::make_unique<SqlIntegrityIncidentRepository>(db);
}
std::unique_ptr<ImportFailureRepository> MakeImportFailureRepository(DbConnection& db) {
  return std::make_unique<SqlImportFailureRepository>(db);
}
std::unique_ptr<OAuthStateRepository> MakeOAuthStateRepository(DbConnection& db,
                                                               const security::SecretBox& secrets) {
  return std::make_unique<SqlOAuthStateRepository>(db, secrets);
}

}  // namespace nadajnik::store::sql
