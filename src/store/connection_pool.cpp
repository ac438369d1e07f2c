#include "store/connection_pool.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "store/postgres/pg_connection.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace nadajnik::store {
namespace {

Result<Dialect> DialectOf(const std::string& url) {
  if (url.empty()) return Dialect::kSqlite;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return Dialect::kPostgres;
  }
  // Only the scheme is echoed: the rest may hold a password.
  const std::size_t scheme_end = url.find("://");
  const std::string got = scheme_end == std::string::npos
                              ? "a value without a scheme"
                              : "a value starting with " + url.substr(0, scheme_end + 3);
  return Fail(ErrorCode::kInvalidArgument,
              "database.url must be empty (SQLite in data.dir) or a PostgreSQL URL such as "
              "postgresql://user@host:5432/nadajnik (postgres:// works too); got " +
                  got);
}

// Whether a connection can go back to the idle list. An open transaction (a caller returned
// early between Begin and Commit) is rolled back here, or it would hold its locks, and on
// SQLite the write lock, for as long as the connection sits in the pool.
bool Reusable(DbConnection& conn) {
  if (conn.broken()) return false;
  if (conn.in_transaction() && !conn.Rollback()) return false;
  return !conn.broken();
}

}  // namespace

Result<std::unique_ptr<DbConnection>> OpenConnection(const DatabaseOptions& options) {
  NADAJNIK_ASSIGN_OR_RETURN(Dialect dialect, DialectOf(options.url));
  if (dialect == Dialect::kPostgres) {
    NADAJNIK_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(options.url));
    return std::unique_ptr<DbConnection>(std::move(conn));
  }
  NADAJNIK_ASSIGN_OR_RETURN(auto conn,
                            SqliteConnection::Open(options.sqlite_path, options.busy_timeout));
  return std::unique_ptr<DbConnection>(std::move(conn));
}

struct ConnectionPool::State {
  std::mutex mu;
  std::condition_variable freed;
  std::vector<std::unique_ptr<DbConnection>> idle;
  int open = 0;  // idle plus handed out plus being opened
};

ConnectionPool::ConnectionPool(DatabaseOptions options, Dialect dialect)
    : options_(std::move(options)), dialect_(dialect), state_(std::make_unique<State>()) {}

ConnectionPool::~ConnectionPool() = default;

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(const DatabaseOptions& options) {
  NADAJNIK_ASSIGN_OR_RETURN(Dialect dialect, DialectOf(options.url));
  if (options.pool_size < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "database.pool_size must be at least 1; got " + std::to_string(options.pool_size));
  }
  if (options.busy_timeout.count() < 0) {
    return Fail(ErrorCode::kInvalidArgument, "database.busy_timeout_ms must not be negative");
  }
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(options, dialect));
  // One connection at once, so a wrong URL or an unwritable data.dir fails at start-up;
  // the rest open on demand.
  NADAJNIK_ASSIGN_OR_RETURN(auto first, OpenConnection(options));
  pool->state_->idle.push_back(std::move(first));
  pool->state_->open = 1;
  return pool;
}

Result<PooledConnection> ConnectionPool::Acquire() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
  const bool ready = s.freed.wait_until(
      lock, deadline, [&] { return !s.idle.empty() || s.open < options_.pool_size; });
  if (!ready) {
    const int n = options_.pool_size;
    return Fail(ErrorCode::kUnavailable,
                "all " + std::to_string(n) +
                    " database connections are busy; try again, and if "
                    "this keeps happening raise database.pool_size",
                "waited " + std::to_string(options_.busy_timeout.count()) + " ms");
  }
  if (!s.idle.empty()) {
    std::unique_ptr<DbConnection> conn = std::move(s.idle.back());
    s.idle.pop_back();
    return PooledConnection(this, std::move(conn));
  }
  // A free slot: open outside the lock (connecting to PostgreSQL takes a round trip or more).
  ++s.open;
  lock.unlock();
  auto conn = OpenConnection(options_);
  if (!conn) {
    lock.lock();
    --s.open;
    s.freed.notify_one();
    return Fail(std::move(conn).error());
  }
  return PooledConnection(this, std::move(*conn));
}

void ConnectionPool::Release(std::unique_ptr<DbConnection> conn) {
  const bool reusable = Reusable(*conn);
  if (!reusable) conn.reset();  // closed outside the lock; its slot opens a new one on demand
  State& s = *state_;
  {
    std::lock_guard lock(s.mu);
    if (reusable) {
      s.idle.push_back(std::move(conn));
    } else {
      --s.open;
    }
  }
  s.freed.notify_one();
}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
  }
  return *this;
}

}  // namespace nadajnik::store
