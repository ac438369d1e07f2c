#include "store/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

namespace nadajnik::store {
namespace {

// Ad-hoc SQL (e.g. IN lists of varying length) must not grow the cache without bound.
constexpr std::size_t kMaxCachedStatements = 256;

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || (static_cast<unsigned char>(c) & 0x80) != 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Resets a statement and drops its bindings when a call is done with it, whatever the outcome.
class StatementLease {
 public:
  explicit StatementLease(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementLease() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

std::string RewritePlaceholdersForSqlite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  const std::size_t n = sql.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      // A doubled quote inside ends one quoted run and starts the next: same result.
      std::size_t end = sql.find(c, i + 1);
      end = end == std::string_view::npos ? n : end + 1;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? n : end;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      std::size_t end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? n : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '$' && i + 1 < n && IsDigit(sql[i + 1]) &&
               (i == 0 || !IsIdentifierChar(sql[i - 1]))) {
      out += '?';
      ++i;
      while (i < n && IsDigit(sql[i])) out += sql[i++];
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::filesystem::path& path, std::chrono::milliseconds busy_timeout) {
  if (path.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no SQLite database file is configured; set data.dir or database.url");
  }
  const bool in_memory = path == ":memory:";
  if (!in_memory && path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "cannot create the folder " + path.parent_path().string() +
                      " for the SQLite database; check data.dir and its permissions",
                  ec.message());
    }
  }

  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Fail(ErrorCode::kFailedPrecondition,
                "cannot open the SQLite database " + path.string() +
                    "; check data.dir, its permissions and free disk space",
                "sqlite: " + msg);
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(raw));
  sqlite3_busy_timeout(raw, static_cast<int>(std::clamp<std::int64_t>(
                                busy_timeout.count(), 0, std::numeric_limits<int>::max())));

  // journal_mode answers with the mode it ended up in; WAL can be refused (network filesystems).
  std::string mode;
  char* err = nullptr;
  const int wal_rc = sqlite3_exec(
      raw, "PRAGMA journal_mode=WAL",
      [](void* out, int cols, char** values, char**) {
        if (cols > 0 && values[0]) *static_cast<std::string*>(out) = values[0];
        return 0;
      },
      &mode, &err);
  sqlite3_free(err);
  if (wal_rc != SQLITE_OK) {
    return Fail(conn->MakeError(wal_rc, "switching to WAL mode", "PRAGMA journal_mode=WAL"));
  }
  if (!in_memory && mode != "wal") {
    return Fail(ErrorCode::kFailedPrecondition,
                "SQLite could not use WAL mode for " + path.string() +
                    "; keep data.dir on a local filesystem",
                "journal_mode is '" + mode + "'");
  }
  NADAJNIK_TRY(conn->ExecScript("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

bool SqliteConnection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Error SqliteConnection::MakeError(int code, std::string_view what, std::string_view sql) const {
  const int extended = sqlite3_extended_errcode(db_);
  if ((extended & 0xff) == (code & 0xff)) code = extended;
  Error e;
  e.details = std::string("sqlite: ") + sqlite3_errmsg(db_) + " (" + sqlite3_errstr(code) +
              ", code " + std::to_string(code) + ") while " + std::string(what) +
              "; sql: " + SqlExcerpt(sql);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      e.code = ErrorCode::kUnavailable;
      e.retryable = true;
      e.message =
          "the database is busy with another write; try again, and if this keeps happening "
          "raise database.busy_timeout_ms";
      break;
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY ||
          code == SQLITE_CONSTRAINT_ROWID) {
        e.code = ErrorCode::kAlreadyExists;
        e.message = "a record with the same unique key already exists";
      } else {
        e.code = ErrorCode::kInvalidArgument;
        e.message =
            "the data breaks a database rule (a missing referenced record, an empty required "
            "field or a failed check)";
      }
      break;
    case SQLITE_FULL:
      e.code = ErrorCode::kInternal;
      e.message = "the disk holding the database is full; free some space";
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      e.code = ErrorCode::kInternal;
      e.message = "the database file cannot be written; check the permissions of data.dir";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      e.code = ErrorCode::kInternal;
      e.message = "the database file is damaged; restore it from a backup";
      break;
    default:
      e.code = ErrorCode::kInternal;
      e.message = "unexpected database error; see the server log";
      break;
  }
  return e;
}

Result<void> SqliteConnection::ExecScript(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Fail(MakeError(rc, "running a script", sql));
  return Ok();
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;

  const std::string rewritten = RewritePlaceholdersForSqlite(sql);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, rewritten.data(), static_cast<int>(rewritten.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return Fail(MakeError(rc, "preparing a statement", sql));
  if (stmt == nullptr) {
    return Fail(ErrorCode::kInternal, "unexpected database error; see the server log",
                "sqlite: the SQL holds no statement; sql: " + SqlExcerpt(sql));
  }
  // Anything but blanks and comments after the first statement would be silently ignored.
  const char* end = rewritten.data() + rewritten.size();
  sqlite3_stmt* extra = nullptr;
  rc = sqlite3_prepare_v3(db_, tail, static_cast<int>(end - tail), 0, &extra, nullptr);
  if (rc != SQLITE_OK || extra != nullptr) {
    sqlite3_finalize(extra);
    sqlite3_finalize(stmt);
    return Fail(ErrorCode::kInternal, "unexpected database error; see the server log",
                "sqlite: Query/Execute take exactly one statement (use ExecScript for "
                "several); sql: " +
                    SqlExcerpt(sql));
  }

  if (statements_.size() >= kMaxCachedStatements) {
    for (auto& [text, cached] : statements_) sqlite3_finalize(cached);
    statements_.clear();
  }
  statements_.emplace(std::string(sql), stmt);
  return stmt;
}

Result<void> SqliteConnection::Run(std::string_view sql, std::span<const DbValue> params,
                                   DbRows* rows) {
  NADAJNIK_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  StatementLease lease(stmt);

  const int expected = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(expected) != params.size()) {
    return Fail(ErrorCode::kInternal, "unexpected database error; see the server log",
                "sqlite: the statement takes " + std::to_string(expected) +
                    " parameters but was given " + std::to_string(params.size()) +
                    "; sql: " + SqlExcerpt(sql));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const DbValue& p = params[i];
    const int index = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    if (p.is_null()) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (p.is_int()) {
      rc = sqlite3_bind_int64(stmt, index, p.as_int());
    } else {
      // SQLITE_STATIC: the caller's values outlive this call and the lease clears the bindings.
      const std::string& text = p.as_text();
      rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) return Fail(MakeError(rc, "binding parameters", sql));
  }

  const int columns = sqlite3_column_count(stmt);
  std::vector<DbValue> cells;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (rows == nullptr) continue;
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL:
          cells.emplace_back();
          break;
        case SQLITE_INTEGER:
          cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_BLOB: {
          const void* data = sqlite3_column_blob(stmt, c);
          const int size = sqlite3_column_bytes(stmt, c);
          cells.emplace_back(std::string(static_cast<const char*>(data), size));
          break;
        }
        default: {  // TEXT, and FLOAT as its text form (PostgreSQL returns numerics as text too)
          const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          const int size = sqlite3_column_bytes(stmt, c);
          cells.emplace_back(std::string(data ? data : "", data ? size : 0));
          break;
        }
      }
    }
  }
  if (rc != SQLITE_DONE) return Fail(MakeError(rc, "running a statement", sql));
  if (rows != nullptr) *rows = DbRows(static_cast<std::size_t>(columns), std::move(cells));
  return Ok();
}

Result<DbRows> SqliteConnection::Query(std::string_view sql, std::span<const DbValue> params) {
  DbRows rows;
  NADAJNIK_TRY(Run(sql, params, &rows));
  return rows;
}

Result<std::int64_t> SqliteConnection::Execute(std::string_view sql,
                                               std::span<const DbValue> params) {
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, even after DDL or a
  // SELECT; the total tells whether this statement changed anything at all.
  const std::int64_t before = sqlite3_total_changes64(db_);
  NADAJNIK_TRY(Run(sql, params, nullptr));
  if (sqlite3_total_changes64(db_) == before) return std::int64_t{0};
  return static_cast<std::int64_t>(sqlite3_changes64(db_));
}

Result<void> SqliteConnection::Begin(bool write) {
  NADAJNIK_TRY(Execute(write ? "BEGIN IMMEDIATE" : "BEGIN", std::span<const DbValue>{}));
  return Ok();
}

Result<void> SqliteConnection::Commit() {
  NADAJNIK_TRY(Execute("COMMIT", std::span<const DbValue>{}));
  return Ok();
}

Result<void> SqliteConnection::Rollback() {
  if (!in_transaction()) return Ok();
  NADAJNIK_TRY(Execute("ROLLBACK", std::span<const DbValue>{}));
  return Ok();
}

}  // namespace nadajnik::store
