#include "support/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <utility>

namespace nadajnik::testing {
namespace {

// The server URL with its database (the path) replaced by `name`; query parameters are kept.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const std::size_t authority = url.find("://");
  const std::size_t start = authority == std::string::npos ? 0 : authority + 3;
  const std::size_t query = url.find('?', start);
  const std::size_t path_end = query == std::string::npos ? url.size() : query;
  const std::size_t slash = url.find('/', start);
  if (slash == std::string::npos || slash > path_end) {
    return url.substr(0, path_end) + "/" + name + url.substr(path_end);
  }
  return url.substr(0, slash + 1) + name + url.substr(path_end);
}

std::unique_ptr<store::DbConnection> ConnectTo(const store::DatabaseOptions& options) {
  auto conn = store::OpenConnection(options);
  if (!conn) throw std::runtime_error("cannot open the test database: " + conn.error().Describe());
  return std::move(*conn);
}

std::unique_ptr<store::DbConnection> ConnectToServer(const std::string& url) {
  store::DatabaseOptions admin;
  admin.url = url;
  return ConnectTo(admin);
}

}  // namespace

std::string DialectName(store::Dialect dialect) {
  return dialect == store::Dialect::kSqlite ? "Sqlite" : "Postgres";
}

std::string PostgresMissingMessage() {
  return "PostgreSQL tests need a server: set NADAJNIK_TEST_POSTGRES_URL to a maintenance "
         "database such as postgresql://postgres@127.0.0.1:5432/postgres (the tests create and "
         "drop their own databases there), or run `make test` (or ./scripts/run-tests.sh "
         "BUILD_DIR), which starts a throwaway PostgreSQL 15 and sets it";
}

std::optional<std::string> TestDatabase::PostgresUrl() {
  const char* url = std::getenv("NADAJNIK_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

bool TestDatabase::PostgresRequired() {
  const char* required = std::getenv("NADAJNIK_TEST_REQUIRE_POSTGRES");
  return required != nullptr && std::string(required) == "1";
}

TestDatabase TestDatabase::Create(store::Dialect dialect) {
  TestDatabase t;
  t.dialect_ = dialect;
  if (dialect == store::Dialect::kSqlite) {
    t.dir_ = std::make_unique<TempDir>("nadajnik-store");
    t.options_.sqlite_path = t.dir_->path() / "nadajnik.db";
    return t;
  }

  std::optional<std::string> server = PostgresUrl();
  if (!server) throw std::runtime_error(PostgresMissingMessage());
  static std::atomic<int> counter{0};
  const std::string name =
      "nadajnik_t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);

  auto admin = ConnectToServer(*server);
  // A crashed run with a recycled pid may have left one behind.
  auto dropped = admin->ExecScript("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  if (!dropped) throw std::runtime_error("cannot drop " + name + ": " + dropped.error().Describe());
  auto created = admin->ExecScript("CREATE DATABASE " + name);
  if (!created) {
    throw std::runtime_error("cannot create the test database " + name + ": " +
                             created.error().Describe());
  }
  t.server_url_ = *server;
  t.database_name_ = name;
  t.options_.url = WithDatabase(*server, name);
  return t;
}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept { *this = std::move(other); }

TestDatabase& TestDatabase::operator=(TestDatabase&& other) noexcept {
  if (this != &other) {
    Drop();
    dialect_ = other.dialect_;
    options_ = std::move(other.options_);
    dir_ = std::move(other.dir_);
    server_url_ = std::move(other.server_url_);
    database_name_ = std::exchange(other.database_name_, {});
  }
  return *this;
}

TestDatabase::~TestDatabase() { Drop(); }

void TestDatabase::Drop() noexcept {
  dir_.reset();
  if (database_name_.empty()) return;
  const std::string name = std::exchange(database_name_, {});
  try {
    auto admin = ConnectToServer(server_url_);
    auto dropped = admin->ExecScript("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    if (!dropped) {
      std::cerr << "warning: test database " << name
                << " was not dropped: " << dropped.error().Describe() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "warning: test database " << name << " was not dropped: " << e.what() << "\n";
  }
}

std::unique_ptr<store::DbConnection> TestDatabase::Connect() const { return ConnectTo(options_); }

void BackendTest::SetUp() {
  NADAJNIK_SKIP_WITHOUT_BACKEND(GetParam());
  database_.emplace(TestDatabase::Create(GetParam()));
}

store::DbConnection& BackendTest::db() {
  if (!db_) db_ = database_->Connect();
  return *db_;
}

}  // namespace nadajnik::testing

namespace nadajnik::store {

void PrintTo(Dialect dialect, std::ostream* os) {
  *os << ::nadajnik::testing::DialectName(dialect);
}

}  // namespace nadajnik::store
