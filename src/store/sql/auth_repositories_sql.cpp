// Users, sessions, API tokens and login failures.
#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store::sql {
namespace {

using domain::Role;

Result<void> Done(const Result<std::int64_t>& r) {
  if (!r) return Fail(r.error());
  return Ok();
}

// ---- users ---------------------------------------------------------------------------------

constexpr std::string_view kUserColumns =
    "id, username, password_hash, role, must_change_password, disabled, created_at, "
    "label_format";

domain::User ReadUser(const DbRows& rows, std::size_t r) {
  domain::User u;
  u.id = UserId(rows.Int(r, 0));
  u.username = rows.Text(r, 1);
  u.password_hash = rows.Text(r, 2);
  u.role = domain::ParseRole(rows.Text(r, 3)).value_or(Role::kPacker);
  u.must_change_password = rows.Bool(r, 4);
  u.disabled = rows.Bool(r, 5);
  u.created_at = FromUnixMillis(rows.Int(r, 6));
  u.label_format = domain::ParseLabelFormat(rows.Text(r, 7)).value_or(domain::LabelFormat::kPdfA6);
  return u;
}

class SqlUserRepository final : public UserRepository {
 public:
  explicit SqlUserRepository(DbConnection& db) : db_(db) {}

  Result<UserId> Create(const domain::User& user, Timestamp now) override {
    auto rows = db_.Query(
        "INSERT INTO users (username, password_hash, role, must_change_password, disabled, "
        "created_at, updated_at, label_format) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) "
        "RETURNING id",
        {user.username, user.password_hash, std::string(domain::RoleName(user.role)),
         user.must_change_password, user.disabled, ToUnixMillis(now),
         std::string(domain::LabelFormatName(user.label_format))});
    if (!rows) {
      if (rows.error().code == ErrorCode::kAlreadyExists) {
        return Fail(ErrorCode::kAlreadyExists,
                    "a user named '" + user.username + "' exists already");
      }
      return Fail(rows.error());
    }
    return UserId(rows->Int(0, 0));
  }

  Result<std::optional<domain::User>> Get(UserId id) override {
    return One("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = $1", {id.value});
  }

  Result<std::optional<domain::User>> FindByUsername(const std::string& username) override {
    return One("SELECT " + std::string(kUserColumns) + " FROM users WHERE username = $1",
               {username});
  }

  Result<std::vector<domain::User>> List() override {
    auto rows =
        db_.Query("SELECT " + std::string(kUserColumns) + " FROM users ORDER BY username", {});
    if (!rows) return Fail(rows.error());
    std::vector<domain::User> out;
    for (std::size_t r = 0; r < rows->size(); ++r) out.push_back(ReadUser(*rows, r));
    return out;
  }

  Result<void> SetPassword(UserId id, const std::string& password_hash, bool must_change,
                           Timestamp now) override {
    auto n = db_.Execute(
        "UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4 "
        "WHERE id = $1",
        {id.value, password_hash, must_change, ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, "no such user");
    return Ok();
  }

  Result<void> SetLabelFormat(UserId id, domain::LabelFormat format, Timestamp now) override {
    auto n =
        db_.Execute("UPDATE users SET label_format = $2, updated_at = $3 WHERE id = $1",
                    {id.value, std::string(domain::LabelFormatName(format)), ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, "no such user");
    return Ok();
  }

  Result<void> SetRole(UserId id, Role role, Timestamp now) override {
    return Changed(db_.Execute("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1",
                               {id.value, std::string(domain::RoleName(role)), ToUnixMillis(now)}));
  }

  Result<void> SetDisabled(UserId id, bool disabled, Timestamp now) override {
    return Changed(db_.Execute("UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1",
                               {id.value, disabled, ToUnixMillis(now)}));
  }

  Result<void> Delete(UserId id) override {
    // Explicitly, not only by the foreign key's cascade: the sessions must go with the user.
    NADAJNIK_TRY(Done(db_.Execute("DELETE FROM sessions WHERE user_id = $1", {id.value})));
    return Changed(db_.Execute("DELETE FROM users WHERE id = $1", {id.value}));
  }

 private:
  static Result<void> Changed(const Result<std::int64_t>& n) {
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, "no such user");
    return Ok();
  }

  Result<std::optional<domain::User>> One(const std::string& sql,
                                          std::initializer_list<DbValue> params) {
    auto rows = db_.Query(sql, params);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<domain::User>{};
    return std::optional<domain::User>{ReadUser(*rows, 0)};
  }

  DbConnection& db_;
};

// ---- sessions ------------------------------------------------------------------------------

class SqlSessionRepository final : public SessionRepository {
 public:
  explicit SqlSessionRepository(DbConnection& db) : db_(db) {}

  Result<void> Create(const domain::Session& s) override {
    return Done(db_.Execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        {s.token_hash, s.user_id.value, s.csrf_token, ToUnixMillis(s.created_at),
         ToUnixMillis(s.expires_at)}));
  }

  Result<std::optional<domain::Session>> FindValid(const std::string& token_hash,
                                                   Timestamp now) override {
    auto rows = db_.Query(
        "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions "
        "WHERE token_hash = $1 AND expires_at > $2",
        {token_hash, ToUnixMillis(now)});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<domain::Session>{};
    domain::Session s;
    s.token_hash = rows->Text(0, 0);
    s.user_id = UserId(rows->Int(0, 1));
    s.csrf_token = rows->Text(0, 2);
    s.created_at = FromUnixMillis(rows->Int(0, 3));
    s.expires_at = FromUnixMillis(rows->Int(0, 4));
    return std::optional<domain::Session>{std::move(s)};
  }

  Result<void> Delete(const std::string& token_hash) override {
    return Done(db_.Execute("DELETE FROM sessions WHERE token_hash = $1", {token_hash}));
  }

  Result<void> DeleteForUser(UserId id) override {
    return Done(db_.Execute("DELETE FROM sessions WHERE user_id = $1", {id.value}));
  }

  Result<std::int64_t> DeleteExpired(Timestamp now) override {
    return db_.Execute("DELETE FROM sessions WHERE expires_at <= $1", {ToUnixMillis(now)});
  }

 private:
  DbConnection& db_;
};

// ---- API tokens ----------------------------------------------------------------------------

constexpr std::string_view kTokenColumns =
    "id, name, token_hash, prefix, created_at, last_used_at, revoked_at, role";

domain::ApiToken ReadToken(const DbRows& rows, std::size_t r) {
  domain::ApiToken t;
  t.id = ApiTokenId(rows.Int(r, 0));
  t.name = rows.Text(r, 1);
  t.token_hash = rows.Text(r, 2);
  t.prefix = rows.Text(r, 3);
  t.created_at = FromUnixMillis(rows.Int(r, 4));
  if (auto v = rows.OptInt(r, 5)) t.last_used_at = FromUnixMillis(*v);
  if (auto v = rows.OptInt(r, 6)) t.revoked_at = FromUnixMillis(*v);
  return t;
}

class SqlApiTokenRepository final : public ApiTokenRepository {
 public:
  explicit SqlApiTokenRepository(DbConnection& db) : db_(db) {}

  Result<ApiTokenId> Create(const domain::ApiToken& token, Role role) override {
    auto rows = db_.Query(
        "INSERT INTO api_tokens (name, token_hash, prefix, role, created_at) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        {token.name, token.token_hash, token.prefix, std::string(domain::RoleName(role)),
         ToUnixMillis(token.created_at)});
    if (!rows) {
      if (rows.error().code == ErrorCode::kAlreadyExists) {
        return Fail(ErrorCode::kAlreadyExists,
                    "an API token named '" + token.name + "' exists already");
      }
      return Fail(rows.error());
    }
    return ApiTokenId(rows->Int(0, 0));
  }

  Result<std::optional<std::pair<domain::ApiToken, Role>>> FindActive(
      const std::string& token_hash) override {
    auto rows = db_.Query("SELECT " + std::string(kTokenColumns) +
                              " FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                          {token_hash});
    if (!rows) return Fail(rows.error());
    using Found = std::pair<domain::ApiToken, Role>;
    if (rows->empty()) return std::optional<Found>{};
    return std::optional<Found>{
        Found{ReadToken(*rows, 0), domain::ParseRole(rows->Text(0, 7)).value_or(Role::kPacker)}};
  }

  Result<void> Touch(ApiTokenId id, Timestamp now) override {
    return Done(db_.Execute("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
                            {id.value, ToUnixMillis(now)}));
  }

  Result<std::vector<domain::ApiToken>> List() override {
    auto rows = db_.Query(
        "SELECT " + std::string(kTokenColumns) + " FROM api_tokens ORDER BY created_at DESC", {});
    if (!rows) return Fail(rows.error());
    std::vector<domain::ApiToken> out;
    for (std::size_t r = 0; r < rows->size(); ++r) out.push_back(ReadToken(*rows, r));
    return out;
  }

  Result<void> Revoke(ApiTokenId id, Timestamp now) override {
    auto n =
        db_.Execute("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    {id.value, ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n == 0) return Fail(ErrorCode::kNotFound, "no active API token with that id");
    return Ok();
  }

 private:
  DbConnection& db_;
};

// ---- login failures ------------------------------------------------------------------------

class SqlLoginFailureRepository final : public LoginFailureRepository {
 public:
  explicit SqlLoginFailureRepository(DbConnection& db) : db_(db) {}

  Result<void> Record(const std::string& key, Timestamp at) override {
    return Done(db_.Execute("INSERT INTO login_failures (key, at) VALUES ($1, $2)",
                            {key, ToUnixMillis(at)}));
  }

  Result<std::int64_t> CountSince(const std::string& key, Timestamp since) override {
    auto rows = db_.Query("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2",
                          {key, ToUnixMillis(since)});
    if (!rows) return Fail(rows.error());
    return rows->Int(0, 0);
  }

  Result<std::optional<Timestamp>> OldestSince(const std::string& key, Timestamp since) override {
    auto rows = db_.Query("SELECT MIN(at) FROM login_failures WHERE key = $1 AND at >= $2",
                          {key, ToUnixMillis(since)});
    if (!rows) return Fail(rows.error());
    if (rows->empty() || rows->IsNull(0, 0)) return std::optional<Timestamp>{};
    return std::optional<Timestamp>{FromUnixMillis(rows->Int(0, 0))};
  }

  Result<void> Clear(const std::string& key) override {
    return Done(db_.Execute("DELETE FROM login_failures WHERE key = $1", {key}));
  }

  Result<std::int64_t> Prune(Timestamp before) override {
    return db_.Execute("DELETE FROM login_failures WHERE at < $1", {ToUnixMillis(before)});
  }

 private:
  DbConnection& db_;
};

}  // namespace

std::unique_ptr<UserRepository> MakeUserRepository(DbConnection& db) {
  return std::make_unique<SqlUserRepository>(db);
}
std::unique_ptr<SessionRepository> MakeSessionRepository(DbConnection& db) {
  return std::make_unique<SqlSessionRepository>(db);
}
std::unique_ptr<ApiTokenRepository> MakeApiTokenRepository(DbConnection& db) {
  return std::make_unique<SqlApiTokenRepository>(db);
}
std::unique_ptr<LoginFailureRepository> MakeLoginFailureRepository(DbConnection& db) {
  return std::make_unique<SqlLoginFailureRepository>(db);
}

}  // namespace nadajnik::store::sql
