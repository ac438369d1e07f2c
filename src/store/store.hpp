// Store: the database behind a unit of work.
//
// InTransaction(fn) runs fn in one write transaction: it commits if fn returns a value and
// rolls back if fn returns an error or throws. Read(fn) runs fn in a read transaction.
// Everything done through the UnitOfWork's repositories belongs to that transaction, so a change
// and the job that announces it commit together (the outbox rule of shared/design.md).
// A transaction whose BEGIN or COMMIT fails with a retryable error (SQLite busy, PostgreSQL
// serialization failure) is run again, up to 3 times; fn must therefore touch nothing but the
// unit of work. Errors returned by fn are returned as they are.
// Thread-safe: each call takes its own connection from the pool.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include "core/result.hpp"
#include "store/db.hpp"
#include "store/job_repository.hpp"
#include "store/repositories.hpp"

namespace nadajnik::security {
class SecretBox;
}

namespace nadajnik::store {

class ConnectionPool;
struct DatabaseOptions;

class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;
  virtual OrderRepository& orders() = 0;
  virtual StatusRepository& statuses() = 0;
  virtual OrderEventRepository& order_events() = 0;
  virtual AccountRepository& accounts() = 0;
  virtual ShipmentRepository& shipments() = 0;
  virtual UserRepository& users() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual ApiTokenRepository& api_tokens() = 0;
  virtual LoginFailureRepository& login_failures() = 0;
  virtual JobRepository& jobs() = 0;
  virtual StatusMappingRepository& status_mappings() = 0;
  virtual IntegrityIncidentRepository& incidents() = 0;
  virtual ImportFailureRepository& import_failures() = 0;
  virtual OAuthStateRepository& oauth_states() = 0;
  virtual CarrierSettingsRepository& carrier_settings() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Dialect dialect() const = 0;

  using Work = std::function<Result<void>(UnitOfWork&)>;
  virtual Result<void> RunTransaction(bool write, const Work& fn) = 0;

  // fn: Result<T>(UnitOfWork&). Returns fn's result after commit.
  template <typename F>
  auto InTransaction(F&& fn) {
    return Run(true, std::forward<F>(fn));
  }
  template <typename F>
  auto Read(F&& fn) {
    return Run(false, std::forward<F>(fn));
  }

 private:
  template <typename F>
  auto Run(bool write, F&& fn) -> std::invoke_result_t<F, UnitOfWork&> {
    using R = std::invoke_result_t<F, UnitOfWork&>;
    using T = typename R::value_type;
    if constexpr (std::is_void_v<T>) {
      return RunTransaction(write, Work(std::forward<F>(fn)));
    } else {
      std::optional<T> out;
      auto r = RunTransaction(write, [&](UnitOfWork& uow) -> Result<void> {
        auto v = fn(uow);
        if (!v) return Fail(std::move(v).error());
        out = std::move(*v);
        return Ok();
      });
      if (!r) return R(Fail(std::move(r).error()));
      return R(std::move(*out));
    }
  }
};

// Opens the database (creating the SQLite file if needed), applies pending migrations and
// returns a store. `secrets` encrypts account secrets at rest and must outlive the store.
Result<std::unique_ptr<Store>> OpenStore(const DatabaseOptions& options,
                                         const security::SecretBox& secrets);

}  // namespace nadajnik::store
