// SqliteConnection: DbConnection over one sqlite3 handle.
//
// Open() creates the file and its folder if missing and sets WAL, foreign_keys=ON,
// synchronous=NORMAL and the busy timeout (how long a writer waits for the write lock before
// kUnavailable). Statements are prepared once per SQL text (SQLITE_PREPARE_PERSISTENT) and kept
// until the connection closes; after each use they are reset and their bindings cleared, so no
// parameter outlives the call. PostgreSQL-style placeholders ($1..$N, in any order, repeated)
// are rewritten to SQLite's ?N.
//
// One thread at a time (the handle is opened without SQLite's own mutex); the pool hands it out.
// Errors: SQLITE_BUSY/LOCKED -> kUnavailable (retryable); a UNIQUE or PRIMARY KEY violation ->
// kAlreadyExists; other constraints (FOREIGN KEY, NOT NULL, CHECK) -> kInvalidArgument;
// anything else kInternal. Details hold SQLite's message and the start of the SQL, never
// parameter values.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/db.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace nadajnik::store {

// Rewrites $N placeholders to ?N outside '...' literals, "..." identifiers and comments.
// Exposed for tests.
std::string RewritePlaceholdersForSqlite(std::string_view sql);

class SqliteConnection final : public DbConnection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::filesystem::path& path,
                                                        std::chrono::milliseconds busy_timeout);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<void> ExecScript(std::string_view sql) override;
  Result<DbRows> Query(std::string_view sql, std::span<const DbValue> params) override;
  Result<std::int64_t> Execute(std::string_view sql, std::span<const DbValue> params) override;

  Result<void> Begin(bool write) override;
  Result<void> Commit() override;
  // Succeeds (doing nothing) when no transaction is open, so error paths may always call it.
  Result<void> Rollback() override;

  // True between Begin() and Commit()/Rollback() (or SQLite's own rollback after some errors).
  bool in_transaction() const override;

  using DbConnection::Execute;
  using DbConnection::Query;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  // Binds, steps to the end and collects rows (when `rows` is not null).
  Result<void> Run(std::string_view sql, std::span<const DbValue> params, DbRows* rows);
  Error MakeError(int code, std::string_view what, std::string_view sql) const;

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

}  // namespace nadajnik::store
