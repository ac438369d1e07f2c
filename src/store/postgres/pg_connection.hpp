// PgConnection: DbConnection over one libpq connection.
//
// Open() connects with the URL (application_name=nadajnik and connect_timeout=10 unless the
// URL says otherwise, client_encoding UTF8) and sets the session time zone to UTC. Each SQL
// text is prepared once per connection (statements s1, s2, ...) and run with PQexecPrepared
// with text-format parameters. In results, int2/int4/int8 columns read as integers and bool as
// 0/1; every other type reads as its text form.
//
// One thread at a time; the pool hands it out. Errors by SQLSTATE: 23505 -> kAlreadyExists,
// other 23xxx -> kInvalidArgument, 40001/40P01/55P03/57014 -> kUnavailable (retryable);
// a lost connection -> kUnavailable, and broken() turns true for good, so the pool opens a
// new one; anything else kInternal. Details hold the server's primary message, SQLSTATE,
// constraint and the start of the SQL, never parameter values (the server's DETAIL line,
// which quotes them, is left out).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/db.hpp"

struct pg_conn;
struct pg_result;

namespace nadajnik::store {

class PgConnection final : public DbConnection {
 public:
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<void> ExecScript(std::string_view sql) override;
  Result<DbRows> Query(std::string_view sql, std::span<const DbValue> params) override;
  Result<std::int64_t> Execute(std::string_view sql, std::span<const DbValue> params) override;

  Result<void> Begin(bool write) override;
  // Fails (and rolls back) when a statement inside the transaction failed: PostgreSQL would
  // otherwise answer COMMIT with a silent ROLLBACK.
  Result<void> Commit() override;
  // Succeeds (doing nothing) when no transaction is open, so error paths may always call it.
  Result<void> Rollback() override;

  // The link to the server is gone (server restart, network); only a new connection helps.
  bool broken() const override;
  bool in_transaction() const override;

  using DbConnection::Execute;
  using DbConnection::Query;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct ResultDeleter {
    void operator()(pg_result* r) const;
  };
  using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

  Result<std::string> Prepare(std::string_view sql);
  Result<ResultPtr> Run(std::string_view sql, std::span<const DbValue> params);
  Result<ResultPtr> Simple(std::string_view sql, std::string_view what);
  // Turns a failed result (or none) into an Error and notes a lost connection.
  Error MakeError(const pg_result* result, std::string_view what, std::string_view sql);

  pg_conn* conn_ = nullptr;
  bool broken_ = false;
  int next_statement_ = 0;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> statements_;
};

}  // namespace nadajnik::store
