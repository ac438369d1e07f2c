// Versioned schema migrations, one ordered list per backend (src/store/migrations/<backend>/
// NNNN_name.sql, compiled into the binary).
//
// Migrate() applies each pending migration in its own transaction and records it in
// schema_migrations (version, name, applied_at) in that same transaction, so a failed
// migration leaves the schema and the record as they were before it and stops with an error
// naming the file. On PostgreSQL the whole run holds an advisory lock, so instances starting
// together apply each migration once; on SQLite the write transaction serializes them.
// A database whose recorded version is newer than the binary knows is refused
// (kFailedPrecondition).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/db.hpp"

namespace nadajnik::store {

struct Migration {
  int version = 0;
  std::string name;  // "0001_init"
  std::string sql;
};

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // names, in order
};

// The migrations compiled into the binary for a backend, ordered by version.
std::vector<Migration> BuiltinMigrations(Dialect dialect);

Result<MigrationReport> Migrate(DbConnection& db, const std::vector<Migration>& migrations);

// The highest applied version, 0 for an empty database.
Result<int> CurrentSchemaVersion(DbConnection& db);

}  // namespace nadajnik::store
