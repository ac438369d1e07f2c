// The database driver contract: one connection to SQLite or PostgreSQL.
//
// Repositories are written once, in SQL both backends accept, against this interface
// (store/sql/); store/sqlite/ and store/postgres/ implement it. Placeholders are written
// PostgreSQL-style ($1, $2, ...); the SQLite driver rewrites them. Values are NULL, a 64-bit
// integer or text (booleans as 0/1, times as Unix milliseconds, money as minor units, binary
// data as base64 text), so the same rows look the same on both backends.
//
// Prepared statements are cached per connection, keyed by the SQL text, so repeated queries
// pay for parsing once. A connection is used by one thread at a time (the pool hands it out).
// Errors: kUnavailable (retryable) for a lost connection or a busy/locked database,
// kAlreadyExists for a unique-constraint violation, kInternal for SQL errors (bugs);
// details carry the driver's message, never parameter values.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace nadajnik::store {

enum class Dialect { kSqlite, kPostgres };

class DbValue {
 public:
  DbValue() = default;
  DbValue(std::nullopt_t) {}
  DbValue(std::int64_t v) : v_(v) {}
  DbValue(int v) : v_(static_cast<std::int64_t>(v)) {}
  DbValue(bool v) : v_(static_cast<std::int64_t>(v ? 1 : 0)) {}
  DbValue(std::string v) : v_(std::move(v)) {}
  DbValue(std::string_view v) : v_(std::string(v)) {}
  DbValue(const char* v) : v_(std::string(v)) {}
  template <typename T>
  DbValue(const std::optional<T>& v) {
    if (v) *this = DbValue(*v);
  }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }

 private:
  std::variant<std::monostate, std::int64_t, std::string> v_;
};

using DbParams = std::vector<DbValue>;

// A fully read result set. Getters take (row, column) and never throw: a NULL reads as 0 or "".
class DbRows {
 public:
  DbRows() = default;
  DbRows(std::size_t columns, std::vector<DbValue> cells)
      : columns_(columns), cells_(std::move(cells)) {}

  std::size_t size() const { return columns_ == 0 ? 0 : cells_.size() / columns_; }
  bool empty() const { return size() == 0; }
  std::size_t columns() const { return columns_; }

  bool IsNull(std::size_t row, std::size_t col) const { return at(row, col).is_null(); }
  std::int64_t Int(std::size_t row, std::size_t col) const;
  bool Bool(std::size_t row, std::size_t col) const { return Int(row, col) != 0; }
  std::string Text(std::size_t row, std::size_t col) const;
  std::optional<std::string> OptText(std::size_t row, std::size_t col) const;
  std::optional<std::int64_t> OptInt(std::size_t row, std::size_t col) const;

 private:
  const DbValue& at(std::size_t row, std::size_t col) const { return cells_[row * columns_ + col]; }
  std::size_t columns_ = 0;
  std::vector<DbValue> cells_;
};

// The start of a statement for error details: whitespace collapsed to one line, at most
// `max_bytes` bytes, cut on a UTF-8 boundary. Never holds parameter values (they are not in it).
std::string SqlExcerpt(std::string_view sql, std::size_t max_bytes = 200);

class DbConnection {
 public:
  virtual ~DbConnection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one or more statements without parameters (migrations, pragmas).
  virtual Result<void> ExecScript(std::string_view sql) = 0;
  // Runs one statement and returns its rows (also for INSERT ... RETURNING).
  virtual Result<DbRows> Query(std::string_view sql, std::span<const DbValue> params) = 0;
  // Runs one statement and returns the number of rows it changed.
  virtual Result<std::int64_t> Execute(std::string_view sql, std::span<const DbValue> params) = 0;

  // Transactions. Begin(write=true) on SQLite takes the write lock at once (BEGIN IMMEDIATE),
  // so two writers queue on busy_timeout instead of failing on a lock upgrade.
  // After an error inside a transaction the caller must Rollback().
  virtual Result<void> Begin(bool write) = 0;
  virtual Result<void> Commit() = 0;
  virtual Result<void> Rollback() = 0;
  virtual bool in_transaction() const = 0;
  // True once the link to the server is lost for good (PostgreSQL); the pool reopens it.
  virtual bool broken() const { return false; }

  // Convenience overloads for brace-initialized parameter lists.
  Result<DbRows> Query(std::string_view sql, std::initializer_list<DbValue> params = {}) {
    return Query(sql, std::span<const DbValue>(params.begin(), params.size()));
  }
  Result<std::int64_t> Execute(std::string_view sql, std::initializer_list<DbValue> params = {}) {
    return Execute(sql, std::span<const DbValue>(params.begin(), params.size()));
  }
};

}  // namespace nadajnik::store
