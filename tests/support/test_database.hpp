// TestDatabase: a fresh, empty database for one test, on SQLite or PostgreSQL.
//
// SQLite: a file in a new temporary folder, removed with it. PostgreSQL: a new database
// nadajnik_t_<pid>_<n> on the server named by NADAJNIK_TEST_POSTGRES_URL (its maintenance
// database, e.g. .../postgres), dropped WITH (FORCE) on destruction. `make test`
// (scripts/run-tests.sh) starts a throwaway server and sets the variable, plus
// NADAJNIK_TEST_REQUIRE_POSTGRES=1 so a missing server fails the tests instead of skipping them.
//
// Suites that run on both backends derive from BackendTest and instantiate with
// NADAJNIK_INSTANTIATE_BACKEND_SUITE(Suite); tests then read GetParam() / db().
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {

class TestDatabase {
 public:
  // Throws std::runtime_error when the database cannot be made (a broken test setup); for
  // PostgreSQL, check PostgresAvailable() first (NADAJNIK_SKIP_WITHOUT_BACKEND does).
  static TestDatabase Create(store::Dialect dialect);

  TestDatabase(TestDatabase&&) noexcept;
  TestDatabase& operator=(TestDatabase&&) noexcept;
  ~TestDatabase();

  store::Dialect dialect() const { return dialect_; }
  // Options for OpenConnection / ConnectionPool::Create (pool_size 4, busy_timeout 5 s).
  const store::DatabaseOptions& options() const { return options_; }
  // A new connection to this database; throws std::runtime_error (gtest reports the test as
  // failed with the error) when it cannot be opened.
  std::unique_ptr<store::DbConnection> Connect() const;

  // The server URL from NADAJNIK_TEST_POSTGRES_URL, if set and not empty.
  static std::optional<std::string> PostgresUrl();
  static bool PostgresAvailable() { return PostgresUrl().has_value(); }
  // NADAJNIK_TEST_REQUIRE_POSTGRES=1: a missing server is a failure, not a skip.
  static bool PostgresRequired();

 private:
  TestDatabase() = default;
  void Drop() noexcept;

  store::Dialect dialect_ = store::Dialect::kSqlite;
  store::DatabaseOptions options_;
  std::unique_ptr<TempDir> dir_;  // SQLite
  std::string server_url_;        // PostgreSQL maintenance database
  std::string database_name_;     // PostgreSQL, empty once dropped
};

// "Sqlite" / "Postgres", for test names.
std::string DialectName(store::Dialect dialect);

// A name generator for INSTANTIATE_TEST_SUITE_P over store::Dialect values, for suites that
// want /Sqlite in gtest's own names. NADAJNIK_INSTANTIATE_BACKEND_SUITE does not use it: with
// gtest's /0, /1 and PrintTo below, gtest_discover_tests names the ctest tests .../Sqlite and
// .../Postgres, while a custom name would leave "# GetParam() = ..." in every ctest name.
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<store::Dialect>& info) const {
    return DialectName(info.param);
  }
};

// Why PostgreSQL tests cannot run here (no NADAJNIK_TEST_POSTGRES_URL), with how to run them.
std::string PostgresMissingMessage();

// Fixture for contract tests on both backends: SetUp() skips (or fails, when required) a
// PostgreSQL instance without a server, and creates a fresh database.
class BackendTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override;
  TestDatabase& database() { return *database_; }
  const store::DatabaseOptions& options() const { return database_->options(); }
  // The fixture's own connection, opened on first use.
  store::DbConnection& db();
  std::unique_ptr<store::DbConnection> Connect() const { return database_->Connect(); }
  bool postgres() const { return GetParam() == store::Dialect::kPostgres; }

 private:
  std::optional<TestDatabase> database_;
  std::unique_ptr<store::DbConnection> db_;
};

}  // namespace nadajnik::testing

namespace nadajnik::store {
// gtest prints parameters with this (found by ADL): "Sqlite" / "Postgres".
void PrintTo(Dialect dialect, std::ostream* os);
}  // namespace nadajnik::store

// In a test body or SetUp(): skip the test (or fail it when NADAJNIK_TEST_REQUIRE_POSTGRES=1)
// if `dialect` is PostgreSQL and no server is configured.
#define NADAJNIK_SKIP_WITHOUT_BACKEND(dialect)                       \
  do {                                                               \
    if ((dialect) == ::nadajnik::store::Dialect::kPostgres &&        \
        !::nadajnik::testing::TestDatabase::PostgresAvailable()) {   \
      if (::nadajnik::testing::TestDatabase::PostgresRequired()) {   \
        FAIL() << ::nadajnik::testing::PostgresMissingMessage();     \
      }                                                              \
      GTEST_SKIP() << ::nadajnik::testing::PostgresMissingMessage(); \
    }                                                                \
  } while (0)

// Runs a BackendTest suite once per backend; ctest names them Backends/Suite.Test/Sqlite and
// Backends/Suite.Test/Postgres (gtest: .../0 and .../1).
#define NADAJNIK_INSTANTIATE_BACKEND_SUITE(suite)                                 \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                       \
                           ::testing::Values(::nadajnik::store::Dialect::kSqlite, \
                                             ::nadajnik::store::Dialect::kPostgres))
