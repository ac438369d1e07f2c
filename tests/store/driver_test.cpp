// The database driver contract (store/db.hpp, connection_pool.hpp, migrator.hpp), run against
// SQLite and PostgreSQL alike; a few tests cover what only one backend has (SQLite's write
// lock, PostgreSQL's lost connections).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/connection_pool.hpp"
#include "store/db.hpp"
#include "store/migrator.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "support/temp_dir.hpp"
#include "support/test_database.hpp"

namespace nadajnik::store {
namespace {

using nadajnik::testing::BackendTest;
using nadajnik::testing::TempDir;
using nadajnik::testing::TestDatabase;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// For set-up steps that are not what the test checks: a failure ends the test with the error.
template <typename T>
T Must(Result<T> result) {
  if (!result) throw std::runtime_error("unexpected error: " + result.error().Describe());
  return std::move(*result);
}
inline void Must(Result<void> result) {
  if (!result) throw std::runtime_error("unexpected error: " + result.error().Describe());
}

std::int64_t Count(DbConnection& db, const std::string& table) {
  return Must(db.Query("SELECT COUNT(*) FROM " + table)).Int(0, 0);
}

bool TableExists(DbConnection& db, const std::string& table) {
  return db.Query("SELECT COUNT(*) FROM " + table).has_value();
}

milliseconds Since(steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// DbConnection

class DriverTest : public BackendTest {};

TEST_P(DriverTest, RoundTripsNullIntegersAndTextExactly) {
  Must(db().ExecScript("CREATE TABLE vals (k INTEGER NOT NULL PRIMARY KEY, n BIGINT, t TEXT)"));
  std::string megabyte;
  while (megabyte.size() < (1u << 20)) megabyte += "Zażółć gęślą jaźń, łódź 'ß' \"x\" $1 ?1 ";
  struct Row {
    int k;
    DbValue n;
    DbValue t;
  };
  const std::vector<Row> rows = {
      {1, std::nullopt, std::nullopt},
      {2, std::numeric_limits<std::int64_t>::min(), "Zażółć gęślą jaźń ŹŻĆŃĄŚŁĘÓ"},
      {3, std::numeric_limits<std::int64_t>::max(), "Příliš žluťoučký kůň úpěl ďábelské ódy"},
      {4, 0, "Árvíztűrő tükörfúrógép ŐŰőű"},
      {5, -1, "it's \"quoted\" -- not a comment /* nor this */ ; \\ back\\slash"},
      {6, 42, ""},  // empty text is not NULL
      {7, 1, megabyte},
  };
  for (const Row& r : rows) {
    auto changed = db().Execute("INSERT INTO vals (k, n, t) VALUES ($1, $2, $3)", {r.k, r.n, r.t});
    ASSERT_TRUE(changed) << changed.error().Describe();
    EXPECT_EQ(*changed, 1);
  }

  auto read = db().Query("SELECT k, n, t FROM vals ORDER BY k");
  ASSERT_TRUE(read) << read.error().Describe();
  ASSERT_EQ(read->size(), rows.size());
  ASSERT_EQ(read->columns(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row k=" + std::to_string(rows[i].k));
    EXPECT_EQ(read->Int(i, 0), rows[i].k);
    EXPECT_EQ(read->IsNull(i, 1), rows[i].n.is_null());
    EXPECT_EQ(read->IsNull(i, 2), rows[i].t.is_null());
    if (!rows[i].n.is_null()) {
      EXPECT_EQ(read->Int(i, 1), rows[i].n.as_int());
    }
    if (!rows[i].t.is_null()) {
      // Not EXPECT_EQ: a failure would print a megabyte.
      EXPECT_TRUE(read->Text(i, 2) == rows[i].t.as_text())
          << "text differs; read " << read->Text(i, 2).size() << " bytes";
    }
  }
  EXPECT_EQ(read->OptInt(0, 1), std::nullopt);
  EXPECT_EQ(read->OptText(0, 2), std::nullopt);
  EXPECT_EQ(read->OptText(5, 2), std::optional<std::string>(""));
}

TEST_P(DriverTest, ReadsIntegersBooleansAndOtherTypesAsText) {
  auto read = db().Query(
      "SELECT CAST(1 AS SMALLINT), CAST(2 AS INTEGER), CAST(3 AS BIGINT), 1 = 1, 1 = 0, "
      "CAST(1.5 AS TEXT), CAST(NULL AS INTEGER), COUNT(*) FROM (SELECT 1 AS x) AS one");
  ASSERT_TRUE(read) << read.error().Describe();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->Int(0, 0), 1);
  EXPECT_EQ(read->Int(0, 1), 2);
  EXPECT_EQ(read->Int(0, 2), 3);
  EXPECT_TRUE(read->Bool(0, 3));
  EXPECT_EQ(read->Int(0, 3), 1);
  EXPECT_FALSE(read->Bool(0, 4));
  EXPECT_EQ(read->Text(0, 5), "1.5");
  EXPECT_TRUE(read->IsNull(0, 6));
  EXPECT_EQ(read->Int(0, 7), 1);
}

TEST_P(DriverTest, BindsPlaceholdersOutOfOrderAndRepeated) {
  Must(db().ExecScript("CREATE TABLE pairs (a TEXT, b BIGINT, c TEXT)"));
  auto inserted = db().Execute("INSERT INTO pairs (a, b, c) VALUES ($2, $1, $2)", {7, "x"});
  ASSERT_TRUE(inserted) << inserted.error().Describe();

  auto read = db().Query("SELECT a, b, c FROM pairs WHERE c = $2 AND b = $1 AND a = $2", {7, "x"});
  ASSERT_TRUE(read) << read.error().Describe();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->Text(0, 0), "x");
  EXPECT_EQ(read->Int(0, 1), 7);
  EXPECT_EQ(read->Text(0, 2), "x");
}

TEST_P(DriverTest, LeavesPlaceholderLookalikesInLiteralsAndQuotedNamesAlone) {
  Must(db().ExecScript("CREATE TABLE odd (\"a$1\" TEXT, b TEXT)"));
  auto inserted = db().Execute(
      "INSERT INTO odd (\"a$1\", b) -- $2 in a comment\n VALUES ('$1 it''s $2', $1)", {"param"});
  ASSERT_TRUE(inserted) << inserted.error().Describe();

  auto read = db().Query("SELECT \"a$1\", b FROM odd WHERE b = $1", {"param"});
  ASSERT_TRUE(read) << read.error().Describe();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->Text(0, 0), "$1 it's $2");
  EXPECT_EQ(read->Text(0, 1), "param");
}

TEST_P(DriverTest, InsertReturningGivesGeneratedKeysAndExecuteCountsChangedRows) {
  Must(db().ExecScript(
      postgres() ? "CREATE TABLE items (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                   "name TEXT NOT NULL UNIQUE, qty BIGINT NOT NULL DEFAULT 0)"
                 : "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                   "qty BIGINT NOT NULL DEFAULT 0)"));
  auto first = db().Query("INSERT INTO items (name) VALUES ($1) RETURNING id, name", {"paczka"});
  ASSERT_TRUE(first) << first.error().Describe();
  auto second = db().Query("INSERT INTO items (name) VALUES ($1) RETURNING id, name", {"koperta"});
  ASSERT_TRUE(second) << second.error().Describe();
  ASSERT_EQ(first->size(), 1u);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_GT(first->Int(0, 0), 0);
  EXPECT_GT(second->Int(0, 0), first->Int(0, 0));
  EXPECT_EQ(second->Text(0, 1), "koperta");

  EXPECT_EQ(Must(db().Execute("UPDATE items SET qty = qty + 1")), 2);
  EXPECT_EQ(Must(db().Execute("UPDATE items SET qty = 5 WHERE name = $1", {"paczka"})), 1);
  EXPECT_EQ(Must(db().Execute("UPDATE items SET qty = 0 WHERE name = $1", {"nothing"})), 0);
  // Statements that change no rows report 0, not the count of an earlier statement.
  EXPECT_EQ(Must(db().Execute("CREATE TABLE other (x INTEGER)")), 0);
  EXPECT_EQ(Must(db().Execute("SELECT COUNT(*) FROM items")), 0);
  EXPECT_EQ(Must(db().Execute("DELETE FROM items")), 2);
}

TEST_P(DriverTest, MapsConstraintViolationsToErrorCodesWithoutLeakingValues) {
  Must(
      db().ExecScript("CREATE TABLE parents (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);"
                      "CREATE TABLE children (id INTEGER PRIMARY KEY, "
                      "  parent_id INTEGER NOT NULL REFERENCES parents (id), "
                      "  qty INTEGER NOT NULL CHECK (qty > 0));"));
  Must(db().Execute("INSERT INTO parents (id, email) VALUES ($1, $2)", {1, "anna@example.pl"}));

  auto unique =
      db().Execute("INSERT INTO parents (id, email) VALUES ($1, $2)", {2, "anna@example.pl"});
  ASSERT_FALSE(unique);
  EXPECT_EQ(unique.error().code, ErrorCode::kAlreadyExists) << unique.error().Describe();
  EXPECT_FALSE(unique.error().retryable);
  EXPECT_EQ(unique.error().Describe().find("anna@example.pl"), std::string::npos)
      << unique.error().Describe();

  auto primary = db().Execute("INSERT INTO parents (id, email) VALUES ($1, $2)", {1, "bob@x.pl"});
  ASSERT_FALSE(primary);
  EXPECT_EQ(primary.error().code, ErrorCode::kAlreadyExists) << primary.error().Describe();

  const char* kChild = "INSERT INTO children (id, parent_id, qty) VALUES ($1, $2, $3)";
  auto missing_parent = db().Execute(kChild, {1, 999, 1});
  ASSERT_FALSE(missing_parent) << "foreign keys are not enforced";
  EXPECT_EQ(missing_parent.error().code, ErrorCode::kInvalidArgument)
      << missing_parent.error().Describe();

  auto null_parent = db().Execute(kChild, {2, std::nullopt, 1});
  ASSERT_FALSE(null_parent);
  EXPECT_EQ(null_parent.error().code, ErrorCode::kInvalidArgument)
      << null_parent.error().Describe();

  auto failed_check = db().Execute(kChild, {3, 1, 0});
  ASSERT_FALSE(failed_check);
  EXPECT_EQ(failed_check.error().code, ErrorCode::kInvalidArgument)
      << failed_check.error().Describe();

  EXPECT_EQ(Count(db(), "children"), 0);
  EXPECT_TRUE(db().Execute(kChild, {4, 1, 3}).has_value());
}

TEST_P(DriverTest, SqlErrorsAreInternalAndNameTheStatementButNotItsValues) {
  std::string sql = "SELECT * FROM no_such_table WHERE x = $1";
  for (int i = 0; i < 40; ++i) sql += " OR x = 'padding'";
  sql += " OR x = 'end-of-statement'";
  auto failed = db().Query(sql, {"secret-parameter"});
  ASSERT_FALSE(failed);
  const Error& e = failed.error();
  EXPECT_EQ(e.code, ErrorCode::kInternal);
  EXPECT_FALSE(e.retryable);
  EXPECT_FALSE(e.message.empty());
  EXPECT_NE(e.details.find("no_such_table"), std::string::npos) << e.details;
  EXPECT_EQ(e.details.find("end-of-statement"), std::string::npos) << "SQL not cut at 200 chars";
  EXPECT_EQ(e.Describe().find("secret-parameter"), std::string::npos) << e.Describe();

  auto wrong_count = db().Query("SELECT CAST($1 AS TEXT), CAST($2 AS TEXT)", {"only one"});
  ASSERT_FALSE(wrong_count);
  EXPECT_EQ(wrong_count.error().code, ErrorCode::kInternal) << wrong_count.error().Describe();

  // The connection is still usable after errors.
  EXPECT_EQ(Must(db().Query("SELECT 1 + 1")).Int(0, 0), 2);
}

TEST_P(DriverTest, RollbackDiscardsAndCommitPublishes) {
  Must(db().ExecScript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"));
  auto other = Connect();

  ASSERT_TRUE(db().Begin(/*write=*/true));
  Must(db().Execute("INSERT INTO notes (id, body) VALUES ($1, $2)", {1, "discard me"}));
  EXPECT_EQ(Count(db(), "notes"), 1);
  ASSERT_TRUE(db().Rollback());
  EXPECT_EQ(Count(db(), "notes"), 0);

  ASSERT_TRUE(db().Begin(/*write=*/true));
  Must(db().Execute("INSERT INTO notes (id, body) VALUES ($1, $2)", {2, "keep me"}));
  EXPECT_EQ(Count(*other, "notes"), 0) << "an uncommitted row is visible to another connection";
  ASSERT_TRUE(db().Commit());
  EXPECT_EQ(Count(*other, "notes"), 1);

  ASSERT_TRUE(db().Begin(/*write=*/false));
  EXPECT_EQ(Count(db(), "notes"), 1);
  ASSERT_TRUE(db().Commit());

  // Error paths may always roll back, even with nothing open.
  EXPECT_TRUE(db().Rollback());
}

TEST_P(DriverTest, ScriptsRunSeveralStatementsAndStopAtTheFirstError) {
  auto ran = db().ExecScript(
      "CREATE TABLE a (x INTEGER);\n"
      "-- a comment\n"
      "INSERT INTO a (x) VALUES (1);\n"
      "INSERT INTO a (x) VALUES (2);\n");
  ASSERT_TRUE(ran) << ran.error().Describe();
  EXPECT_EQ(Count(db(), "a"), 2);

  auto broken = db().ExecScript("INSERT INTO a (x) VALUES (3); SELEKT 1;");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kInternal);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(DriverTest);

TEST(SqlitePlaceholders, RewritesDollarNumbersOutsideQuotesAndComments) {
  EXPECT_EQ(RewritePlaceholdersForSqlite("SELECT $2, $1, $2, $10"), "SELECT ?2, ?1, ?2, ?10");
  EXPECT_EQ(RewritePlaceholdersForSqlite("SELECT '$1', 'it''s $1', $1"),
            "SELECT '$1', 'it''s $1', ?1");
  EXPECT_EQ(RewritePlaceholdersForSqlite("SELECT \"a$1\", a$1, `$1` FROM t"),
            "SELECT \"a$1\", a$1, `$1` FROM t");
  EXPECT_EQ(RewritePlaceholdersForSqlite("-- $1\n/* $2 */ x = $3"), "-- $1\n/* $2 */ x = ?3");
  EXPECT_EQ(RewritePlaceholdersForSqlite("SELECT $name, $"), "SELECT $name, $");
  EXPECT_EQ(RewritePlaceholdersForSqlite("SELECT 'unterminated $1"), "SELECT 'unterminated $1");
}

// ---------------------------------------------------------------------------------------------
// SQLite specifics

TEST(SqliteConnection, CreatesTheFolderAndUsesWalForeignKeysAndBusyTimeout) {
  TempDir dir("nadajnik-sqlite");
  DatabaseOptions options;
  options.sqlite_path = dir.path() / "nested" / "deeper" / "nadajnik.db";
  options.busy_timeout = milliseconds(1234);
  auto conn = OpenConnection(options);
  ASSERT_TRUE(conn) << conn.error().Describe();
  EXPECT_TRUE(std::filesystem::exists(options.sqlite_path));
  EXPECT_EQ((*conn)->dialect(), Dialect::kSqlite);

  EXPECT_EQ(Must((*conn)->Query("PRAGMA journal_mode")).Text(0, 0), "wal");
  EXPECT_EQ(Must((*conn)->Query("PRAGMA foreign_keys")).Int(0, 0), 1);
  EXPECT_EQ(Must((*conn)->Query("PRAGMA synchronous")).Int(0, 0), 1);  // NORMAL
  EXPECT_EQ(Must((*conn)->Query("PRAGMA busy_timeout")).Int(0, 0), 1234);
}

TEST(SqliteConnection, ReportsAnUnusableFolderClearly) {
  TempDir dir("nadajnik-sqlite");
  const auto blocker = dir.path() / "not-a-folder";
  { std::ofstream(blocker) << "x"; }
  DatabaseOptions options;
  options.sqlite_path = blocker / "nadajnik.db";
  auto conn = OpenConnection(options);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kFailedPrecondition) << conn.error().Describe();
  EXPECT_NE(conn.error().message.find("data.dir"), std::string::npos) << conn.error().message;
}

TEST(SqliteConnection, SecondWriterWaitsForTheFirstInsteadOfFailing) {
  TestDatabase database = TestDatabase::Create(Dialect::kSqlite);
  auto first = database.Connect();
  auto second = database.Connect();
  Must(first->ExecScript("CREATE TABLE log (id INTEGER PRIMARY KEY, who TEXT NOT NULL)"));

  ASSERT_TRUE(first->Begin(/*write=*/true));
  Must(first->Execute("INSERT INTO log (who) VALUES ($1)", {"first"}));

  std::atomic<bool> first_committed{false};
  bool second_saw_commit = false;
  milliseconds second_waited{0};
  Result<void> second_result;
  std::thread writer([&] {
    const auto start = steady_clock::now();
    second_result = second->Begin(/*write=*/true);
    second_waited = Since(start);
    second_saw_commit = first_committed.load();
    if (!second_result) return;
    second_result = [&]() -> Result<void> {
      NADAJNIK_TRY(second->Execute("INSERT INTO log (who) VALUES ($1)", {"second"}));
      return second->Commit();
    }();
  });
  std::this_thread::sleep_for(milliseconds(300));
  first_committed = true;
  ASSERT_TRUE(first->Commit());
  writer.join();

  ASSERT_TRUE(second_result) << second_result.error().Describe();
  EXPECT_TRUE(second_saw_commit) << "the second BEGIN IMMEDIATE did not wait for the first";
  EXPECT_GE(second_waited, milliseconds(250));
  EXPECT_EQ(Count(*first, "log"), 2);
}

TEST(SqliteConnection, WriterGivesUpAfterBusyTimeoutWithARetryableError) {
  TestDatabase database = TestDatabase::Create(Dialect::kSqlite);
  DatabaseOptions options = database.options();
  options.busy_timeout = milliseconds(100);
  auto first = Must(OpenConnection(options));
  auto second = Must(OpenConnection(options));
  ASSERT_TRUE(first->Begin(/*write=*/true));

  const auto start = steady_clock::now();
  auto blocked = second->Begin(/*write=*/true);
  ASSERT_FALSE(blocked);
  EXPECT_GE(Since(start), milliseconds(90));
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnavailable) << blocked.error().Describe();
  EXPECT_TRUE(blocked.error().retryable);
  EXPECT_NE(blocked.error().message.find("busy_timeout"), std::string::npos);

  ASSERT_TRUE(first->Rollback());
  EXPECT_TRUE(second->Begin(/*write=*/true));
  EXPECT_TRUE(second->Commit());
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL specifics

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NADAJNIK_SKIP_WITHOUT_BACKEND(Dialect::kPostgres);
    database_.emplace(TestDatabase::Create(Dialect::kPostgres));
  }
  TestDatabase& database() { return *database_; }

 private:
  std::optional<TestDatabase> database_;
};

TEST_F(PostgresTest, SessionRunsInUtcAsNadajnikInUtf8) {
  auto conn = database().Connect();
  EXPECT_EQ(conn->dialect(), Dialect::kPostgres);
  EXPECT_EQ(Must(conn->Query("SHOW TimeZone")).Text(0, 0), "UTC");
  EXPECT_EQ(Must(conn->Query("SHOW application_name")).Text(0, 0), "nadajnik");
  EXPECT_EQ(Must(conn->Query("SHOW client_encoding")).Text(0, 0), "UTF8");
}

TEST_F(PostgresTest, CommitAfterAFailedStatementFailsAndRollsBack) {
  auto conn = database().Connect();
  Must(conn->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
  ASSERT_TRUE(conn->Begin(/*write=*/true));
  Must(conn->Execute("INSERT INTO t (id) VALUES ($1)", {1}));
  EXPECT_FALSE(conn->Execute("INSERT INTO t (id) VALUES ($1)", {1}));
  auto committed = conn->Commit();
  ASSERT_FALSE(committed) << "COMMIT of an aborted transaction reported success";
  EXPECT_EQ(Count(*conn, "t"), 0);
}

TEST_F(PostgresTest, DataErrorsKeepTheOffendingValueOutOfTheError) {
  auto conn = database().Connect();
  auto failed = conn->Query("SELECT CAST($1 AS BIGINT)", {"4111-1111-secret"});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInternal);
  EXPECT_NE(failed.error().details.find("invalid input syntax"), std::string::npos)
      << failed.error().details;
  EXPECT_EQ(failed.error().Describe().find("4111-1111-secret"), std::string::npos)
      << failed.error().Describe();
}

TEST_F(PostgresTest, StatementsSurviveASchemaChangeUnderThem) {
  auto conn = database().Connect();
  Must(conn->ExecScript("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)"));
  EXPECT_EQ(Must(conn->Query("SELECT * FROM t")).columns(), 1u);
  Must(conn->ExecScript("ALTER TABLE t ADD COLUMN b TEXT"));
  auto after = conn->Query("SELECT * FROM t");
  ASSERT_TRUE(after) << after.error().Describe();
  EXPECT_EQ(after->columns(), 2u);
}

TEST_F(PostgresTest, ALostConnectionIsRetryableAndThePoolReplacesIt) {
  DatabaseOptions options = database().options();
  options.pool_size = 1;
  auto pool = Must(ConnectionPool::Create(options));
  auto admin = database().Connect();

  std::int64_t old_pid = 0;
  {
    auto conn = Must(pool->Acquire());
    old_pid = Must(conn->Query("SELECT pg_backend_pid()")).Int(0, 0);
    ASSERT_TRUE(Must(admin->Query("SELECT pg_terminate_backend($1, 5000)", {old_pid})).Bool(0, 0));

    auto lost = conn->Query("SELECT 1");
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().Describe();
    EXPECT_TRUE(lost.error().retryable);
    auto* pg = dynamic_cast<PgConnection*>(&*conn);
    ASSERT_NE(pg, nullptr);
    EXPECT_TRUE(pg->broken());
  }
  auto fresh = pool->Acquire();
  ASSERT_TRUE(fresh) << fresh.error().Describe();
  auto pid = (*fresh)->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid) << pid.error().Describe();
  EXPECT_NE(pid->Int(0, 0), old_pid);
}

TEST(PostgresConnection, UnreachableServerIsUnavailableAndPointsAtTheSetting) {
  DatabaseOptions options;
  options.url = "postgresql://nadajnik:hunter2@127.0.0.1:1/nadajnik";
  auto conn = OpenConnection(options);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kUnavailable) << conn.error().Describe();
  EXPECT_TRUE(conn.error().retryable);
  EXPECT_NE(conn.error().message.find("database.url"), std::string::npos) << conn.error().message;
  EXPECT_EQ(conn.error().Describe().find("hunter2"), std::string::npos);
}

TEST(OpenConnection, RejectsAnUnknownUrlNamingTheSettingAndTheExpectedForms) {
  DatabaseOptions options;
  options.url = "mysql://root:hunter2@localhost/nadajnik";
  auto conn = OpenConnection(options);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(conn.error().message.find("database.url"), std::string::npos) << conn.error().message;
  EXPECT_NE(conn.error().message.find("postgresql://"), std::string::npos);
  EXPECT_EQ(conn.error().Describe().find("hunter2"), std::string::npos);

  options.url = "postgresql://host:notaport/db";
  auto bad_port = OpenConnection(options);
  ASSERT_FALSE(bad_port);
  EXPECT_NE(bad_port.error().message.find("database.url"), std::string::npos)
      << bad_port.error().Describe();
}

// ---------------------------------------------------------------------------------------------
// Migrations

class MigratorTest : public BackendTest {};

std::vector<Migration> TwoMigrations() {
  return {
      {1, "0001_people", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
      {2, "0002_pets",
       "CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people (id));\n"
       "INSERT INTO people (id, name) VALUES (1, 'Zoë');"},
  };
}

TEST_P(MigratorTest, AppliesPendingMigrationsOnceAndRecordsThem) {
  EXPECT_EQ(Must(CurrentSchemaVersion(db())), 0);
  const std::int64_t before = NowUnixMs();

  auto first = Migrate(db(), TwoMigrations());
  ASSERT_TRUE(first) << first.error().Describe();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, 2);
  EXPECT_EQ(first->applied, (std::vector<std::string>{"0001_people", "0002_pets"}));
  EXPECT_EQ(Must(CurrentSchemaVersion(db())), 2);

  auto recorded =
      Must(db().Query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version"));
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded.Int(0, 0), 1);
  EXPECT_EQ(recorded.Text(0, 1), "0001_people");
  EXPECT_EQ(recorded.Int(1, 0), 2);
  EXPECT_EQ(recorded.Text(1, 1), "0002_pets");
  EXPECT_GE(recorded.Int(1, 2), before);
  EXPECT_LE(recorded.Int(1, 2), NowUnixMs());

  auto again = Migrate(db(), TwoMigrations());
  ASSERT_TRUE(again) << again.error().Describe();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, 2);
  EXPECT_EQ(again->to_version, 2);
  EXPECT_EQ(Count(db(), "people"), 1) << "a migration ran twice";
}

TEST_P(MigratorTest, FailedMigrationLeavesThePreviousSchemaAndNamesTheFile) {
  std::vector<Migration> migrations = {
      {1, "0001_first", "CREATE TABLE first (id INTEGER PRIMARY KEY);"},
      {2, "0002_broken",
       "CREATE TABLE second (id INTEGER PRIMARY KEY);\n"
       "INSERT INTO no_such_table (id) VALUES (1);"},
  };
  auto failed = Migrate(db(), migrations);
  ASSERT_FALSE(failed);
  const std::string folder = postgres() ? "postgres" : "sqlite";
  EXPECT_NE(failed.error().message.find(folder + "/0002_broken.sql"), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("no_such_table"), std::string::npos)
      << "the database's message is missing: " << failed.error().message;

  EXPECT_EQ(Must(CurrentSchemaVersion(db())), 1);
  EXPECT_TRUE(TableExists(db(), "first"));
  EXPECT_FALSE(TableExists(db(), "second")) << "half of the failed migration stayed";

  migrations[1].sql = "CREATE TABLE second (id INTEGER PRIMARY KEY);";
  auto fixed = Migrate(db(), migrations);
  ASSERT_TRUE(fixed) << fixed.error().Describe();
  EXPECT_EQ(fixed->applied, std::vector<std::string>{"0002_broken"});
  EXPECT_EQ(fixed->from_version, 1);
  EXPECT_EQ(Must(CurrentSchemaVersion(db())), 2);
}

TEST_P(MigratorTest, RefusesADatabaseMigratedByANewerNadajnik) {
  ASSERT_TRUE(Migrate(db(), TwoMigrations()));
  std::vector<Migration> older = TwoMigrations();
  older.pop_back();

  auto refused = Migrate(db(), older);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition) << refused.error().Describe();
  EXPECT_NE(refused.error().message.find("newer Nadajnik"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(Must(CurrentSchemaVersion(db())), 2);
}

TEST_P(MigratorTest, RejectsAMisorderedMigrationList) {
  std::vector<Migration> migrations = TwoMigrations();
  std::swap(migrations[0], migrations[1]);
  auto refused = Migrate(db(), migrations);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInternal);
  EXPECT_EQ(Must(CurrentSchemaVersion(db())), 0);
}

TEST_P(MigratorTest, ConcurrentMigrateCallsApplyEachMigrationOnce) {
  const std::vector<Migration> migrations = {
      {1, "0001_runs",
       std::string("CREATE TABLE runs (migration INTEGER NOT NULL);\n"
                   "INSERT INTO runs (migration) VALUES (1);\n") +
           // Slow enough that the other threads arrive while it runs.
           (postgres() ? "SELECT pg_sleep(0.2);"
                       : "CREATE TABLE filler (x INTEGER);\n"
                         "WITH RECURSIVE c (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                         "WHERE x < 300000) INSERT INTO filler (x) SELECT x FROM c;")},
      {2, "0002_more", "CREATE TABLE more (x INTEGER);\nINSERT INTO runs (migration) VALUES (2);"},
  };
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<DbConnection>> conns;
  for (int i = 0; i < kThreads; ++i) conns.push_back(Connect());

  std::atomic<int> ready{0};
  std::vector<Result<MigrationReport>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      results[i] = Migrate(*conns[i], migrations);
    });
  }
  for (auto& t : threads) t.join();

  std::size_t applied = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().Describe();
    applied += r->applied.size();
    EXPECT_EQ(r->to_version, 2);
  }
  EXPECT_EQ(applied, migrations.size());
  auto runs = Must(db().Query("SELECT migration FROM runs ORDER BY migration"));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs.Int(0, 0), 1);
  EXPECT_EQ(runs.Int(1, 0), 2);
  EXPECT_EQ(Count(db(), "schema_migrations"), 2);
}

TEST_P(MigratorTest, BuiltinMigrationsApplyToAnEmptyDatabase) {
  const std::vector<Migration> builtin = BuiltinMigrations(GetParam());
  for (std::size_t i = 1; i < builtin.size(); ++i) {
    EXPECT_LT(builtin[i - 1].version, builtin[i].version);
  }
  auto applied = Migrate(db(), builtin);
  ASSERT_TRUE(applied) << applied.error().Describe();
  EXPECT_EQ(applied->applied.size(), builtin.size());
  EXPECT_EQ(Must(CurrentSchemaVersion(db())), builtin.empty() ? 0 : builtin.back().version);
  auto again = Migrate(db(), builtin);
  ASSERT_TRUE(again) << again.error().Describe();
  EXPECT_TRUE(again->applied.empty());
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(MigratorTest);

TEST(BuiltinMigrations, BothBackendsHaveTheSameVersionsAndNames) {
  std::vector<std::string> sqlite;
  std::vector<std::string> postgres;
  for (const Migration& m : BuiltinMigrations(Dialect::kSqlite)) sqlite.push_back(m.name);
  for (const Migration& m : BuiltinMigrations(Dialect::kPostgres)) postgres.push_back(m.name);
  EXPECT_EQ(sqlite, postgres)
      << "every migration needs a twin in src/store/migrations/sqlite and .../postgres";
  for (const Migration& m : BuiltinMigrations(Dialect::kSqlite)) {
    EXPECT_FALSE(m.sql.empty()) << m.name;
    EXPECT_EQ(m.name.substr(0, 4),
              std::string(4 - std::to_string(m.version).size(), '0') + std::to_string(m.version));
  }
}

// ---------------------------------------------------------------------------------------------
// ConnectionPool

class PoolTest : public BackendTest {};

TEST_P(PoolTest, HandsOutAtMostPoolSizeConnectionsAndTimesOutClearly) {
  DatabaseOptions options = this->options();
  options.pool_size = 2;
  options.busy_timeout = milliseconds(200);
  auto pool = Must(ConnectionPool::Create(options));
  EXPECT_EQ(pool->dialect(), GetParam());

  std::optional<PooledConnection> first(Must(pool->Acquire()));
  std::optional<PooledConnection> second(Must(pool->Acquire()));

  const auto start = steady_clock::now();
  auto third = pool->Acquire();
  ASSERT_FALSE(third);
  EXPECT_GE(Since(start), milliseconds(180));
  EXPECT_EQ(third.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(third.error().retryable);
  EXPECT_NE(third.error().message.find("all 2 database connections are busy"), std::string::npos)
      << third.error().message;

  // A waiter gets the connection released while it waits.
  Result<PooledConnection> waited = Fail(ErrorCode::kInternal, "not run");
  std::thread waiter([&] { waited = pool->Acquire(); });
  std::this_thread::sleep_for(milliseconds(50));
  first.reset();
  waiter.join();
  ASSERT_TRUE(waited) << waited.error().Describe();
  EXPECT_EQ(Must((*waited)->Query("SELECT 1")).Int(0, 0), 1);
}

TEST_P(PoolTest, NeverHasMoreThanPoolSizeConnectionsInUse) {
  DatabaseOptions options = this->options();
  options.pool_size = 3;
  auto pool = Must(ConnectionPool::Create(options));

  std::atomic<int> in_use{0};
  std::atomic<int> most{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        auto conn = pool->Acquire();
        if (!conn || !(*conn)->Query("SELECT 1")) {
          ++failures;
          continue;
        }
        const int now = ++in_use;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(milliseconds(5));
        --in_use;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2) << "the pool did not hand out connections in parallel";
}

TEST_P(PoolTest, AConnectionReturnedInsideATransactionIsRolledBack) {
  DatabaseOptions options = this->options();
  options.pool_size = 1;
  options.busy_timeout = milliseconds(500);
  auto pool = Must(ConnectionPool::Create(options));
  {
    auto conn = Must(pool->Acquire());
    Must(conn->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    ASSERT_TRUE(conn->Begin(/*write=*/true));
    Must(conn->Execute("INSERT INTO t (id) VALUES ($1)", {1}));
  }  // returned without Commit, as an early `return` on error would
  auto conn = Must(pool->Acquire());
  EXPECT_EQ(Count(*conn, "t"), 0);
  auto other = Connect();
  auto begun = other->Begin(/*write=*/true);
  ASSERT_TRUE(begun) << "the write lock was kept: " << begun.error().Describe();
  EXPECT_TRUE(other->Commit());
}

TEST_P(PoolTest, CreateFailsFastOnBadSettings) {
  DatabaseOptions options = this->options();
  options.pool_size = 0;
  auto zero = ConnectionPool::Create(options);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(zero.error().message.find("database.pool_size"), std::string::npos);
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(PoolTest);

}  // namespace
}  // namespace nadajnik::store
