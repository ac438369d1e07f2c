// ConnectionPool: a fixed set of open connections to one database, handed out one at a time.
//
// Thread-safe. Acquire() blocks until a connection is free (or the timeout passes: kUnavailable).
// The pool must outlive its PooledConnections. A PooledConnection returns its connection on
// destruction (rolling back a transaction left open); a connection that reported a broken
// link (PostgreSQL server restart) is reopened before it is handed out again.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "store/db.hpp"

namespace nadajnik::store {

struct DatabaseOptions {
  // "postgresql://user@host:port/db" (or "postgres://..."), or empty for SQLite at sqlite_path.
  std::string url;
  std::filesystem::path sqlite_path;
  int pool_size = 4;
  std::chrono::milliseconds busy_timeout{5000};  // SQLite busy_timeout and pool wait
};

// Opens one connection per the options: SQLite with WAL, foreign keys on and busy_timeout;
// PostgreSQL with UTC session time zone. The SQLite file and its folder are created if missing.
Result<std::unique_ptr<DbConnection>> OpenConnection(const DatabaseOptions& options);

class ConnectionPool;

class PooledConnection {
 public:
  PooledConnection(ConnectionPool* pool, std::unique_ptr<DbConnection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&& other) noexcept
      : pool_(other.pool_), conn_(std::move(other.conn_)) {}
  // Returns the connection held so far to its pool before taking the other one.
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  DbConnection& operator*() const { return *conn_; }
  DbConnection* operator->() const { return conn_.get(); }

 private:
  ConnectionPool* pool_ = nullptr;
  std::unique_ptr<DbConnection> conn_;
};

class ConnectionPool {
 public:
  static Result<std::unique_ptr<ConnectionPool>> Create(const DatabaseOptions& options);
  ~ConnectionPool();

  Result<PooledConnection> Acquire();
  Dialect dialect() const { return dialect_; }
  const DatabaseOptions& options() const { return options_; }

 private:
  friend class PooledConnection;
  explicit ConnectionPool(DatabaseOptions options, Dialect dialect);
  void Release(std::unique_ptr<DbConnection> conn);

  struct State;
  DatabaseOptions options_;
  Dialect dialect_;
  std::unique_ptr<State> state_;
};

}  // namespace nadajnik::store
