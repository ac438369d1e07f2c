#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "core/enum_names.hpp"
#include "core/text.hpp"
#include "store/sql/sql_repositories.hpp"

namespace nadajnik::store {

namespace {
constexpr std::pair<JobState, std::string_view> kJobStates[] = {
    {JobState::kQueued, "queued"},
    {JobState::kRunning, "running"},
    {JobState::kDone, "done"},
    {JobState::kDead, "dead"},
};
}  // namespace

std::string_view JobStateName(JobState s) { return NameOf(kJobStates, s); }
std::optional<JobState> ParseJobState(std::string_view s) { return ParseName(kJobStates, s); }

namespace sql {
namespace {

constexpr std::string_view kColumns =
    "id, kind, payload, state, priority, run_at, attempts, max_attempts, last_error, "
    "lease_owner, lease_expires_at, unique_key, account_id, order_id, created_at, updated_at, "
    "finished_at";

Job ReadJob(const DbRows& rows, std::size_t r) {
  Job j;
  j.id = JobId(rows.Int(r, 0));
  j.kind = rows.Text(r, 1);
  j.payload = rows.Text(r, 2);
  j.state = ParseJobState(rows.Text(r, 3)).value_or(JobState::kDead);
  j.priority = static_cast<int>(rows.Int(r, 4));
  j.run_at = FromUnixMillis(rows.Int(r, 5));
  j.attempts = static_cast<int>(rows.Int(r, 6));
  j.max_attempts = static_cast<int>(rows.Int(r, 7));
  j.last_error = rows.Text(r, 8);
  j.lease_owner = rows.Text(r, 9);
  if (auto v = rows.OptInt(r, 10)) j.lease_expires_at = FromUnixMillis(*v);
  j.unique_key = rows.OptText(r, 11);
  if (auto v = rows.OptInt(r, 12)) j.account_id = AccountId(*v);
  if (auto v = rows.OptInt(r, 13)) j.order_id = OrderId(*v);
  j.created_at = FromUnixMillis(rows.Int(r, 14));
  j.updated_at = FromUnixMillis(rows.Int(r, 15));
  if (auto v = rows.OptInt(r, 16)) j.finished_at = FromUnixMillis(*v);
  return j;
}

std::vector<Job> ReadJobs(const DbRows& rows) {
  std::vector<Job> out;
  out.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) out.push_back(ReadJob(rows, r));
  return out;
}

Unexpected LeaseLost(JobId id, const std::string& owner) {
  return Fail(ErrorCode::kConflict,
              fmt::format("job {} is no longer leased to {} (its lease expired and another "
                          "worker may have taken it)",
                          id.value, owner));
}

class SqlJobRepository final : public JobRepository {
 public:
  explicit SqlJobRepository(DbConnection& db) : db_(db) {}

  Result<std::optional<JobId>> Enqueue(const NewJob& job, Timestamp now) override {
    if (job.kind.empty()) return Fail(ErrorCode::kInvalidArgument, "a job needs a kind");
    if (job.max_attempts < 1) {
      return Fail(ErrorCode::kInvalidArgument, "a job needs at least one attempt");
    }
    const std::int64_t t = ToUnixMillis(now);
    auto rows = db_.Query(
        "INSERT INTO jobs (kind, payload, state, priority, run_at, max_attempts, unique_key, "
        "account_id, order_id, created_at, updated_at) "
        "VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $9) "
        "ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', "
        "'running') DO NOTHING RETURNING id",
        {job.kind, job.payload, job.priority, ToUnixMillis(job.run_at), job.max_attempts,
         job.unique_key, job.account_id ? DbValue(job.account_id->value) : DbValue(),
         job.order_id ? DbValue(job.order_id->value) : DbValue(), t});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<JobId>{};
    return std::optional<JobId>{JobId(rows->Int(0, 0))};
  }

  Result<std::vector<Job>> Claim(const std::string& owner, const std::vector<std::string>& kinds,
                                 int limit, Timestamp now, milliseconds lease) override {
    if (kinds.empty()) return std::vector<Job>{};
    DbParams params{owner, ToUnixMillis(now + lease), ToUnixMillis(now), std::max(1, limit)};
    std::string in;
    for (const auto& kind : kinds) {
      params.emplace_back(kind);
      in += fmt::format("{}${}", in.empty() ? "" : ", ", params.size());
    }
    // Jobs of an account waiting for re-authorization (or disabled) are paused: they stay
    // queued, untouched (no attempt spent), until the account is active again.
    auto rows = db_.Query(
        fmt::format("UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, "
                    "attempts = attempts + 1, updated_at = $3 "
                    "WHERE id IN (SELECT id FROM jobs{} WHERE state = 'queued' AND run_at <= $3 "
                    "AND kind IN ({}) AND (account_id IS NULL OR NOT EXISTS (SELECT 1 FROM "
                    "accounts a WHERE a.id = jobs.account_id AND a.state IN "
                    "('needs_reauthorization', 'disabled'))) "
                    "ORDER BY priority, run_at, id LIMIT $4{}) RETURNING {}",
                    // SQLite without statistics prefers the (state, kind) index and then sorts
                    // every queued job; the claim index reads the first due ones in order.
                    db_.dialect() == Dialect::kSqlite ? " INDEXED BY jobs_ready" : "", in,
                    db_.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "", kColumns),
        params);
    if (!rows) return Fail(rows.error());
    // RETURNING does not keep the subquery's order: hand jobs out highest priority first.
    std::vector<Job> jobs = ReadJobs(*rows);
    std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
      return std::tie(a.priority, a.run_at, a.id.value) <
             std::tie(b.priority, b.run_at, b.id.value);
    });
    return jobs;
  }

  Result<void> Complete(JobId id, const std::string& owner, Timestamp now) override {
    auto n = db_.Execute(
        "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, "
        "finished_at = $3, updated_at = $3 WHERE id = $1 AND lease_owner = $2 AND state = "
        "'running'",
        {id.value, owner, ToUnixMillis(now)});
    if (!n) return Fail(n.error());
    if (*n == 0) return LeaseLost(id, owner);
    return Ok();
  }

  Result<JobState> RecordFailure(JobId id, const std::string& owner, const std::string& error,
                                 Timestamp retry_at, Timestamp now) override {
    auto rows = db_.Query(
        "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' "
        "END, run_at = $4, last_error = $3, lease_owner = NULL, lease_expires_at = NULL, "
        "finished_at = CASE WHEN attempts >= max_attempts THEN CAST($5 AS BIGINT) ELSE NULL END, "
        "updated_at = $5 "
        "WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING state",
        {id.value, owner, Bound(error), ToUnixMillis(retry_at), ToUnixMillis(now)});
    if (!rows) return ::nadajnik::Fail(rows.error());
    if (rows->empty()) return LeaseLost(id, owner);
    return ParseJobState(rows->Text(0, 0)).value_or(JobState::kDead);
  }

  Result<void> Bury(JobId id, const std::string& owner, const std::string& error,
                    Timestamp now) override {
    auto n = db_.Execute(
        "UPDATE jobs SET state = 'dead', last_error = $3, lease_owner = NULL, "
        "lease_expires_at = NULL, finished_at = $4, updated_at = $4 "
        "WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        {id.value, owner, Bound(error), ToUnixMillis(now)});
    if (!n) return ::nadajnik::Fail(n.error());
    if (*n == 0) return LeaseLost(id, owner);
    return Ok();
  }

  Result<std::int64_t> ExtendLeases(const std::vector<JobId>& ids, const std::string& owner,
                                    Timestamp until, Timestamp now) override {
    std::int64_t total = 0;
    for (JobId id : ids) {
      auto n = db_.Execute(
          "UPDATE jobs SET lease_expires_at = $3, updated_at = $4 "
          "WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
          {id.value, owner, ToUnixMillis(until), ToUnixMillis(now)});
      if (!n) return ::nadajnik::Fail(n.error());
      total += *n;
    }
    return total;
  }

  Result<std::int64_t> RequeueExpired(Timestamp now) override {
    const std::int64_t t = ToUnixMillis(now);
    auto n = db_.Execute(
        "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' "
        "END, last_error = 'the worker ' || COALESCE(lease_owner, '?') || ' stopped before "
        "finishing (lease expired); ' || last_error, "
        "finished_at = CASE WHEN attempts >= max_attempts THEN CAST($1 AS BIGINT) ELSE NULL END, "
        "lease_owner = NULL, lease_expires_at = NULL, run_at = $1, updated_at = $1 "
        "WHERE state = 'running' AND lease_expires_at < $1",
        {t});
    if (!n) return ::nadajnik::Fail(n.error());
    return *n;
  }

  Result<std::optional<Job>> Get(JobId id) override {
    auto rows = db_.Query(fmt::format("SELECT {} FROM jobs WHERE id = $1", kColumns), {id.value});
    if (!rows) return ::nadajnik::Fail(rows.error());
    if (rows->empty()) return std::optional<Job>{};
    return std::optional<Job>{ReadJob(*rows, 0)};
  }

  Result<std::vector<Job>> List(const JobFilter& filter) override {
    std::string where = "1 = 1";
    DbParams params;
    if (filter.state) {
      params.emplace_back(std::string(JobStateName(*filter.state)));
      where += fmt::format(" AND state = ${}", params.size());
    }
    if (filter.kind) {
      params.emplace_back(*filter.kind);
      where += fmt::format(" AND kind = ${}", params.size());
    }
    params.emplace_back(std::clamp(filter.limit, 1, 10000));
    auto rows = db_.Query(fmt::format("SELECT {} FROM jobs WHERE {} ORDER BY id DESC LIMIT ${}",
                                      kColumns, where, params.size()),
                          params);
    if (!rows) return ::nadajnik::Fail(rows.error());
    return ReadJobs(*rows);
  }

  Result<std::vector<JobCount>> CountByKindAndState() override {
    auto rows = db_.Query(
        "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state", {});
    if (!rows) return ::nadajnik::Fail(rows.error());
    std::vector<JobCount> out;
    for (std::size_t r = 0; r < rows->size(); ++r) {
      out.push_back({rows->Text(r, 0), ParseJobState(rows->Text(r, 1)).value_or(JobState::kDead),
                     rows->Int(r, 2)});
    }
    return out;
  }

  Result<bool> HasActive(const std::string& unique_key) override {
    auto rows = db_.Query(
        "SELECT 1 FROM jobs WHERE unique_key = $1 AND state IN ('queued', 'running') LIMIT 1",
        {unique_key});
    if (!rows) return ::nadajnik::Fail(rows.error());
    return !rows->empty();
  }

  Result<std::int64_t> PruneDone(Timestamp before) override {
    return db_.Execute("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1",
                       {ToUnixMillis(before)});
  }

  Result<void> RecordProbeRun(JobId id, const std::string& worker, Timestamp at) override {
    auto n = db_.Execute("INSERT INTO job_probe_runs (job_id, worker, at) VALUES ($1, $2, $3)",
                         {id.value, worker, ToUnixMillis(at)});
    if (!n) return ::nadajnik::Fail(n.error());
    return Ok();
  }

  Result<std::int64_t> CountProbeRuns(std::optional<JobId> id) override {
    auto rows = id ? db_.Query("SELECT COUNT(*) FROM job_probe_runs WHERE job_id = $1", {id->value})
                   : db_.Query("SELECT COUNT(*) FROM job_probe_runs", {});
    if (!rows) return ::nadajnik::Fail(rows.error());
    return rows->Int(0, 0);
  }

 private:
  // last_error is shown in the panel; a 4 KiB bound keeps a remote HTML error page out of it.
  static std::string Bound(const std::string& s) { return TruncateUtf8(s, 4096); }

  DbConnection& db_;
};

}  // namespace

std::unique_ptr<JobRepository> MakeJobRepository(DbConnection& db) {
  return std::make_unique<SqlJobRepository>(db);
}

}  // namespace sql
}  // namespace nadajnik::store
