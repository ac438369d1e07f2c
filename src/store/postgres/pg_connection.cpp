#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <utility>
#include <vector>

namespace nadajnik::store {
namespace {

// Type OIDs from pg_type.h (stable since forever; the server header is not a libpq dependency).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

std::string Trimmed(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Data exceptions (class 22) quote the offending value ('invalid input syntax for type bigint:
// "abc"'); values must stay out of logs, so quoted runs are blanked.
std::string RedactQuoted(std::string_view message) {
  std::string out;
  bool quoted = false;
  for (char c : message) {
    if (c == '"') {
      out += quoted ? "...\"" : "\"";
      quoted = !quoted;
    } else if (!quoted) {
      out += c;
    }
  }
  if (quoted) out += "...\"";
  return out;
}

std::string ServerAddress(PGconn* conn) {
  std::string out;
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  const char* db = PQdb(conn);
  out += host && *host ? host : "localhost";
  if (port && *port) out += std::string(":") + port;
  if (db && *db) out += std::string(" (database ") + db + ")";
  return out;
}

}  // namespace

void PgConnection::ResultDeleter::operator()(pg_result* r) const { PQclear(r); }

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = Trimmed(parse_error ? parse_error : "out of memory");
    PQfreemem(parse_error);
    return Fail(ErrorCode::kInvalidArgument,
                "database.url is not a valid PostgreSQL URL; expected "
                "postgresql://user@host:port/database",
                "libpq: " + why);
  }
  PQconninfoFree(parsed);

  // Keywords before "dbname" are defaults the URL may override; those after it are forced.
  const char* const keys[] = {"application_name", "connect_timeout", "dbname", "client_encoding",
                              nullptr};
  const char* const values[] = {"nadajnik", "10", url.c_str(), "UTF8", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) {
    return Fail(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: out of memory");
  }
  std::unique_ptr<PgConnection> conn(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return Fail(ErrorCode::kUnavailable,
                "cannot connect to PostgreSQL at " + ServerAddress(raw) +
                    "; check database.url and that the server is running and accepts this user",
                "libpq: " + Trimmed(PQerrorMessage(raw)));
  }
  // NOTICEs ("table exists, skipping") would otherwise go straight to stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  NADAJNIK_TRY(conn->Simple("SET TIME ZONE 'UTC'", "setting the session time zone"));
  // Statements stay prepared for the connection's life; a generic plan chosen while a table was
  // empty (a fresh database's first import) would keep scanning it as it grows. Plan each
  // execution with its parameters and the table's current size instead (~0.1 ms).
  NADAJNIK_TRY(
      conn->Simple("SET plan_cache_mode = force_custom_plan", "setting the plan cache mode"));
  return conn;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

bool PgConnection::in_transaction() const {
  const PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

Error PgConnection::MakeError(const pg_result* result, std::string_view what,
                              std::string_view sql) {
  const char* state_field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = state_field ? state_field : "";
  if (PQstatus(conn_) != CONNECTION_OK || state == "57P01" || state == "57P02" ||
      state == "57P03") {
    broken_ = true;
  }

  // The primary message only: the DETAIL line quotes key values ("Key (email)=(...)").
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? primary : Trimmed(PQerrorMessage(conn_));
  if (state.starts_with("22")) message = RedactQuoted(message);

  Error e;
  e.details = "postgres: " + message;
  if (!state.empty()) e.details += " [SQLSTATE " + state + "]";
  if (result) {
    const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
    const char* table = PQresultErrorField(result, PG_DIAG_TABLE_NAME);
    if (constraint) e.details += std::string(" constraint ") + constraint;
    if (table) e.details += std::string(" on table ") + table;
  }
  e.details += " while " + std::string(what) + "; sql: " + SqlExcerpt(sql);

  if (broken_) {
    e.code = ErrorCode::kUnavailable;
    e.message = "lost the connection to PostgreSQL; try again (the server may be restarting)";
  } else if (state == "23505") {
    e.code = ErrorCode::kAlreadyExists;
    e.message = "a record with the same unique key already exists";
  } else if (state.starts_with("23")) {
    e.code = ErrorCode::kInvalidArgument;
    e.message =
        "the data breaks a database rule (a missing referenced record, an empty required field "
        "or a failed check)";
  } else if (state == "40001" || state == "40P01") {
    e.code = ErrorCode::kUnavailable;
    e.message = "the database stopped this because of a concurrent change; try again";
  } else if (state == "55P03") {
    e.code = ErrorCode::kUnavailable;
    e.message = "another operation holds a database lock; try again in a moment";
  } else if (state == "57014") {
    e.code = ErrorCode::kUnavailable;
    e.message = "the database query was cancelled (it took too long); try again";
  } else if (state == "53100") {
    e.code = ErrorCode::kInternal;
    e.message = "the disk holding the PostgreSQL database is full; free some space";
  } else {
    e.code = ErrorCode::kInternal;
    e.message = "unexpected database error; see the server log";
  }
  e.retryable = e.code == ErrorCode::kUnavailable;
  return e;
}

Result<PgConnection::ResultPtr> PgConnection::Simple(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  ResultPtr result(PQexec(conn_, text.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(MakeError(result.get(), what, sql));
  }
  return result;
}

Result<void> PgConnection::ExecScript(std::string_view sql) {
  NADAJNIK_TRY(Simple(sql, "running a script"));
  return Ok();
}

Result<std::string> PgConnection::Prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  std::string name = "s" + std::to_string(++next_statement_);
  const std::string text(sql);
  ResultPtr result(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return Fail(MakeError(result.get(), "preparing a statement", sql));
  }
  statements_.emplace(text, name);
  return name;
}

Result<PgConnection::ResultPtr> PgConnection::Run(std::string_view sql,
                                                  std::span<const DbValue> params) {
  std::vector<std::string> numbers(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const DbValue& p = params[i];
    if (p.is_null()) continue;
    if (p.is_int()) {
      numbers[i] = std::to_string(p.as_int());
      values[i] = numbers[i].c_str();
    } else {
      values[i] = p.as_text().c_str();
    }
  }

  for (int attempt = 0;; ++attempt) {
    NADAJNIK_ASSIGN_OR_RETURN(std::string name, Prepare(sql));
    ResultPtr result(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;

    // A schema change can invalidate a prepared statement ("cached plan must not change result
    // type"), and DISCARD/DEALLOCATE in a script drops them all: prepare afresh, and retry at
    // once unless a transaction is open (then it is aborted and the caller must start over).
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        result ? PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const bool stale = state && (std::strcmp(state, "26000") == 0 ||
                                 (std::strcmp(state, "0A000") == 0 && primary &&
                                  std::strstr(primary, "cached plan") != nullptr));
    if (stale) statements_.erase(std::string(sql));
    if (!stale || attempt > 0 || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      return Fail(MakeError(result.get(), "running a statement", sql));
    }
  }
}

Result<DbRows> PgConnection::Query(std::string_view sql, std::span<const DbValue> params) {
  NADAJNIK_ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
  pg_result* r = result.get();
  const int rows = PQntuples(r);
  const int columns = PQnfields(r);

  enum class Kind { kInt, kBool, kText };
  std::vector<Kind> kinds(columns);
  for (int c = 0; c < columns; ++c) {
    const Oid type = PQftype(r, c);
    kinds[c] = type == kInt2Oid || type == kInt4Oid || type == kInt8Oid ? Kind::kInt
               : type == kBoolOid                                       ? Kind::kBool
                                                                        : Kind::kText;
  }

  std::vector<DbValue> cells;
  cells.reserve(static_cast<std::size_t>(rows) * columns);
  for (int row = 0; row < rows; ++row) {
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r, row, c)) {
        cells.emplace_back();
        continue;
      }
      const char* value = PQgetvalue(r, row, c);
      const int length = PQgetlength(r, row, c);
      switch (kinds[c]) {
        case Kind::kInt: {
          std::int64_t n = 0;
          std::from_chars(value, value + length, n);
          cells.emplace_back(n);
          break;
        }
        case Kind::kBool:
          cells.emplace_back(static_cast<std::int64_t>(value[0] == 't' ? 1 : 0));
          break;
        case Kind::kText:
          cells.emplace_back(std::string(value, length));
          break;
      }
    }
  }
  return DbRows(static_cast<std::size_t>(columns), std::move(cells));
}

Result<std::int64_t> PgConnection::Execute(std::string_view sql, std::span<const DbValue> params) {
  NADAJNIK_ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
  // PostgreSQL counts the rows a SELECT returned; the contract counts rows changed.
  if (std::string_view(PQcmdStatus(result.get())).starts_with("SELECT")) return std::int64_t{0};
  const char* tuples = PQcmdTuples(result.get());
  std::int64_t n = 0;
  if (tuples) std::from_chars(tuples, tuples + std::strlen(tuples), n);
  return n;
}

Result<void> PgConnection::Begin(bool /*write*/) {
  NADAJNIK_TRY(Simple("BEGIN", "starting a transaction"));
  return Ok();
}

Result<void> PgConnection::Commit() {
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    NADAJNIK_TRY(Simple("ROLLBACK", "rolling back a failed transaction"));
    return Fail(ErrorCode::kInternal, "unexpected database error; see the server log",
                "postgres: COMMIT of a transaction in which a statement had failed; it was "
                "rolled back (the caller ignored an error)");
  }
  NADAJNIK_ASSIGN_OR_RETURN(ResultPtr result, Simple("COMMIT", "committing a transaction"));
  if (std::strcmp(PQcmdStatus(result.get()), "COMMIT") != 0) {
    return Fail(ErrorCode::kInternal, "unexpected database error; see the server log",
                std::string("postgres: COMMIT answered ") + PQcmdStatus(result.get()));
  }
  return Ok();
}

Result<void> PgConnection::Rollback() {
  // Without a transaction there is nothing to discard; with a lost link the server did it.
  if (broken() || PQtransactionStatus(conn_) == PQTRANS_IDLE) return Ok();
  NADAJNIK_TRY(Simple("ROLLBACK", "rolling back a transaction"));
  return Ok();
}

}  // namespace nadajnik::store
