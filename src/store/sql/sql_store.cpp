// Store over a connection pool: one connection per transaction, repositories created lazily
// on that connection, busy/serialization failures retried.
#include <mutex>
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
  StatusMappingRepository& status_mappings() override {
    return Lazy(status_mappings_, [&] { return sql::MakeStatusMappingRepository(db_); });
  }
  IntegrityIncidentRepository& incidents() override {
    return Lazy(incidents_, [&] { return sql::MakeIntegrityIncidentRepository(db_); });
  }
  ImportFailureRepository& import_failures() override {
    return Lazy(import_failures_, [&] { return sql::MakeImportFailureRepository(db_); });
  }
  OAuthStateRepository& oauth_states() override {
    return Lazy(oauth_states_, [&] { return sql::MakeOAuthStateRepository(db_, secrets_); });
  }
  CarrierSettingsRepository& carrier_settings() override {
    return Lazy(carrier_settings_,
                [&] { return sql::MakeCarrierSettingsRepository(db_, secrets_); });
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
  std::unique_ptr<StatusMappingRepository> status_mappings_;
  std::unique_ptr<IntegrityIncidentRepository> incidents_;
  std::unique_ptr<ImportFailureRepository> import_failures_;
  std::unique_ptr<OAuthStateRepository> oauth_states_;
  std::unique_ptr<CarrierSettingsRepository> carrier_settings_;
};

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<ConnectionPool> pool, const security::SecretBox& secrets)
      : pool_(std::move(pool)), secrets_(secrets) {}

  Dialect dialect() const override { return pool_->dialect(); }

  Result<void> RunTransaction(bool write, const Work& fn) override {
    constexpr int kAttempts = 3;
    for (int attempt = 1;; ++attempt) {
      bool retryable_stage = false;
      Result<void> r = RunOnce(write, fn, retryable_stage);
      if (r || !retryable_stage || !r.error().retryable || attempt == kAttempts) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt * attempt));
    }
  }

 private:
  // `retryable_stage` is set when the failure came from BEGIN or COMMIT (a lock or a
  // serialization conflict), where running fn again is safe; errors from fn are its own.
  Result<void> RunOnce(bool write, const Work& fn, bool& retryable_stage) {
    // SQLite has one writer at a time. Waiting for it on busy_timeout means sleeping and polling,
    // and a writer can starve past the timeout; inside this process, writers queue on a mutex.
    std::unique_lock<std::mutex> writer(sqlite_writer_, std::defer_lock);
    if (write && dialect() == Dialect::kSqlite) writer.lock();
    NADAJNIK_ASSIGN_OR_RETURN(PooledConnection conn, pool_->Acquire());
    if (auto begun = conn->Begin(write); !begun) {
      retryable_stage = true;
      return begun;
    }
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
    auto committed = conn->Commit();
    if (!committed) retryable_stage = true;
    return committed;
  }

  std::unique_ptr<ConnectionPool> pool_;
  const security::SecretBox& secrets_;
  std::mutex sqlite_writer_;
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
