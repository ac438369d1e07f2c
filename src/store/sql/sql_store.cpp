// Store over a connection pool: one connection per transaction, repositories created lazily
// on that connection, busy/serialization failures retried.
#include <thread>

#include "observability/log.hpp"
#include "store/connection_pool.hpp"
#include "store/migrator.hpp"
#include "store/sql/sql_repositories.hpp"
#include "store/store.hpp"

namespace nadajnik::store {
namespace {

template <typename T, typename Make>
T& Lazy(std::unique_ptr<T>& slot, Make make) {
  if (!slot) slot = make();
  return *slot;
}

class SqlUnitOfWork final : public UnitOfWork {
 public:
  SqlUnitOfWork(DbConnection& db, const security::SecretBox& secrets)
      : db_(db), secrets_(secrets) {}

  OrderRepository& orders() override {
    return Lazy(orders_, [&] { return sql::MakeOrderRepository(db_); });
  }
  StatusRepository& statuses() override {
    return Lazy(statuses_, [&] { return sql::MakeStatusRepository(db_); });
  }
  OrderEventRepository& order_events() override {
    return Lazy(events_, [&] { return sql::MakeOrderEventRepository(db_); });
  }
  AccountRepository& accounts() override {
    return Lazy(accounts_, [&] { return sql::MakeAccountRepository(db_, secrets_); });
  }
  ShipmentRepository& shipments() override {
    return Lazy(shipments_, [&] { return sql::MakeShipmentRepository(db_); });
  }
  UserRepository& users() override {
    return Lazy(users_, [&] { return sql::MakeUserRepository(db_); });
  }
  SessionRepository& sessions() override {
    return Lazy(sessions_, [&] { return sql::MakeSessionRepository(db_); });
  }
  ApiTokenRepository& api_tokens() override {
    return Lazy(api_tokens_, [&] { return sql::MakeApiTokenRepository(db_); });
  }
  LoginFailureRepository& login_failures() override {
    return Lazy(login_failures_, [&] { return sql::MakeLoginFailureRepository(db_); });
  }
  JobRepository& jobs() override {
    return Lazy(jobs_, [&] { return sql::MakeJobRepository(db_); });
  }

 private:
  DbConnection& db_;
  const security::SecretBox& secrets_;
  std::unique_ptr<OrderRepository> orders_;
  std::unique_ptr<StatusRepository> statuses_;
  std::unique_ptr<OrderEventRepository> events_;
  std::unique_ptr<AccountRepository> accounts_;
  std::unique_ptr<ShipmentRepository> shipments_;
  std::unique_ptr<UserRepository> users_;
  std::unique_ptr<SessionRepository> sessions_;
  std::unique_ptr<ApiTokenRepository> api_tokens_;
  std::unique_ptr<LoginFailureRepository> login_failures_;
  std::unique_ptr<JobRepository> jobs_;
};

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<ConnectionPool> pool, const security::SecretBox& secrets)
      : pool_(std::move(pool)), secrets_(secrets) {}

  Dialect dialect() const override { return pool_->dialect(); }

  Result<void> RunTransaction(bool write, const Work& fn) override {
    constexpr int kAttempts = 3;
    Result<void> last = Ok();
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      last = RunOnce(write, fn);
      if (last || !last.error().retryable || last.error().code != ErrorCode::kUnavailable) {
        return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt * attempt));
    }
    return last;
  }

 private:
  Result<void> RunOnce(bool write, const Work& fn) {
    NADAJNIK_ASSIGN_OR_RETURN(PooledConnection conn, pool_->Acquire());
    NADAJNIK_TRY(conn->Begin(write));
    SqlUnitOfWork uow(*conn, secrets_);
    Result<void> r = Ok();
    try {
      r = fn(uow);
    } catch (...) {
      (void)conn->Rollback();
      throw;
    }
    if (!r) {
      auto rb = conn->Rollback();
      if (!rb) log::Warn("store.rollback_failed", {{"error", rb.error().Describe()}});
      return r;
    }
    return conn->Commit();
  }

  std::unique_ptr<ConnectionPool> pool_;
  const security::SecretBox& secrets_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const DatabaseOptions& options,
                                         const security::SecretBox& secrets) {
  NADAJNIK_ASSIGN_OR_RETURN(auto pool, ConnectionPool::Create(options));
  {
    NADAJNIK_ASSIGN_OR_RETURN(PooledConnection conn, pool->Acquire());
    NADAJNIK_ASSIGN_OR_RETURN(MigrationReport report,
                              Migrate(*conn, BuiltinMigrations(pool->dialect())));
    for (const auto& name : report.applied) {
      log::Info("store.migration_applied", {{"migration", name}});
    }
  }
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(pool), secrets));
}

}  // namespace nadajnik::store
