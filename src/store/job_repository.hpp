// The durable job table: the outbox every remote effect goes through.
//
// States: queued -> running (claimed under a lease) -> done | queued (failed, retried later
// with backoff) | dead (attempts exhausted; stays visible with its last error).
// A lease expires if its owner stops extending it (the process died): RequeueExpired() puts
// such jobs back (or marks them dead if their attempts are spent), so they run again.
// Complete/RecordFailure/Bury/Extend act only while the caller still owns the lease (fencing): a
// worker that lost its lease learns it (kConflict) and its effects roll back with the unit of work.
// A unique key makes Enqueue a no-op while another job with that key is queued or running
// (a periodic job is scheduled once, however many instances run).
// On PostgreSQL, Claim uses FOR UPDATE SKIP LOCKED so instances never wait on each other.
// Jobs of an account that needs re-authorization (or is disabled) are paused: Claim skips them
// and they wait, queued, until the account is active again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace nadajnik::store {

enum class JobState { kQueued, kRunning, kDone, kDead };
std::string_view JobStateName(JobState s);  // "queued"
std::optional<JobState> ParseJobState(std::string_view s);

struct NewJob {
  std::string kind;
  std::string payload = "{}";  // JSON
  int priority = 100;          // lower runs first: imports and shipments < stock and offers
  Timestamp run_at;            // not before
  int max_attempts = 10;
  std::optional<std::string> unique_key;
  std::optional<AccountId> account_id;  // for pausing an account's jobs and for the panel
  std::optional<OrderId> order_id;
};

struct Job {
  JobId id;
  std::string kind;
  std::string payload;
  JobState state = JobState::kQueued;
  int priority = 100;
  Timestamp run_at;
  int attempts = 0;
  int max_attempts = 10;
  std::string last_error;
  std::string lease_owner;
  std::optional<Timestamp> lease_expires_at;
  std::optional<std::string> unique_key;
  std::optional<AccountId> account_id;
  std::optional<OrderId> order_id;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> finished_at;
};

struct JobFilter {
  std::optional<JobState> state;
  std::optional<std::string> kind;
  int limit = 100;
};

struct JobCount {
  std::string kind;
  JobState state = JobState::kQueued;
  std::int64_t count = 0;
};

class JobRepository {
 public:
  virtual ~JobRepository() = default;

  // Returns the new job's id, or nullopt when a job with the same unique key is active.
  virtual Result<std::optional<JobId>> Enqueue(const NewJob& job, Timestamp now) = 0;
  // Takes up to `limit` due jobs (run_at <= now) of the given kinds (the ones this process can
  // run; an instance never takes a job it does not know), highest priority first, under a lease
  // for `owner` until now + lease; attempts is incremented at claim.
  virtual Result<std::vector<Job>> Claim(const std::string& owner,
                                         const std::vector<std::string>& kinds, int limit,
                                         Timestamp now, milliseconds lease) = 0;
  virtual Result<void> Complete(JobId id, const std::string& owner, Timestamp now) = 0;
  // Back to queued at retry_at, or dead if attempts are spent. Keeps `error` as last_error.
  virtual Result<JobState> RecordFailure(JobId id, const std::string& owner,
                                         const std::string& error, Timestamp retry_at,
                                         Timestamp now) = 0;
  // Moves a job to dead at once (a permanent error: retrying can't help).
  virtual Result<void> Bury(JobId id, const std::string& owner, const std::string& error,
                            Timestamp now) = 0;
  virtual Result<std::int64_t> ExtendLeases(const std::vector<JobId>& ids, const std::string& owner,
                                            Timestamp until, Timestamp now) = 0;
  // Jobs whose lease expired: queued again (or dead when out of attempts). Returns how many.
  virtual Result<std::int64_t> RequeueExpired(Timestamp now) = 0;

  virtual Result<std::optional<Job>> Get(JobId id) = 0;
  virtual Result<std::vector<Job>> List(const JobFilter& filter) = 0;
  virtual Result<std::vector<JobCount>> CountByKindAndState() = 0;
  // Whether a job with this unique key is queued or running.
  virtual Result<bool> HasActive(const std::string& unique_key) = 0;
  // Removes finished (done) jobs older than `before`; dead ones stay until dismissed.
  virtual Result<std::int64_t> PruneDone(Timestamp before) = 0;

  // Effect table of the diagnostic probe job (one row per completed run).
  virtual Result<void> RecordProbeRun(JobId id, const std::string& worker, Timestamp at) = 0;
  virtual Result<std::int64_t> CountProbeRuns(std::optional<JobId> id) = 0;
};

}  // namespace nadajnik::store
