// JobRunner: the worker pool behind the durable job table.
//
// Workers claim jobs of the kinds registered here under a lease, run the handler outside any
// transaction, then complete the job or record the failure (retryable: back to the queue with
// exponential backoff and jitter; permanent, or out of attempts: dead, with the last error kept).
// A heartbeat thread extends the leases of running jobs and puts back the jobs of processes that
// died (expired leases). Several processes on one PostgreSQL database share the table safely.
//
// Exactly-once effects: a handler whose effect is a database write calls ctx.Complete(fn); fn
// runs in the same transaction that marks the job done, and that transaction commits only while
// this worker still holds the lease. A worker killed mid-job leaves no effect; the job runs again.
//
// Periodic jobs reschedule themselves: completing one enqueues its next run (unique key = kind)
// in the same transaction, so one occurrence exists however many instances run.
//
// Thread-safety: Register/AddPeriodic before Start; Wake() from any thread. Stop() stops
// claiming, tells running handlers (ctx.stopping()) and joins the threads once they return.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "jobs/backoff.hpp"
#include "store/store.hpp"

namespace nadajnik::observability {
class Metrics;
}

namespace nadajnik::jobs {

class JobContext {
 public:
  // `on_complete` runs in the completing transaction too (the runner's periodic rescheduling).
  JobContext(const store::Job& job, store::Store& store, const Clock& clock,
             const std::string& worker, const std::atomic<bool>& stopping,
             store::Store::Work on_complete = {})
      : job_(job),
        store_(store),
        clock_(clock),
        worker_(worker),
        stopping_(stopping),
        on_complete_(std::move(on_complete)) {}

  const store::Job& job() const { return job_; }
  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const std::string& worker() const { return worker_; }
  // True once the runner is shutting down: long handlers should stop early and return kUnavailable.
  bool stopping() const { return stopping_.load(); }

  // Marks the job done and runs `effects` in the same transaction (fenced by the lease).
  Result<void> Complete(const store::Store::Work& effects);
  bool completed() const { return completed_; }

 private:
  const store::Job& job_;
  store::Store& store_;
  const Clock& clock_;
  const std::string& worker_;
  const std::atomic<bool>& stopping_;
  store::Store::Work on_complete_;
  bool completed_ = false;
};

using JobHandler = std::function<Result<void>(JobContext&)>;

struct RunnerOptions {
  int workers = 4;
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  BackoffPolicy backoff;
  std::string owner;  // unique per process; defaults to host:pid:random
};

struct PeriodicJob {
  std::string kind;
  std::chrono::milliseconds interval;
  int priority = 200;
};

class JobRunner {
 public:
  JobRunner(store::Store& store, const Clock& clock, RunnerOptions options,
            observability::Metrics* metrics = nullptr);
  ~JobRunner();

  void Register(const std::string& kind, JobHandler handler);
  void AddPeriodic(PeriodicJob periodic);
  // When a job of `kind` about an order dies (attempts spent or a permanent error), the order is
  // flagged for attention with "<notice>: <the last error>" in the same transaction: the
  // panel's "Wymaga uwagi" view shows every push that never reached Allegro.
  void SetDeadNotice(const std::string& kind, std::string notice);

  Result<void> Start();
  void Stop();
  void Wake();

  // Claims and runs due jobs on the calling thread until none is due or `max_jobs` ran.
  // For the CLI and tests; returns how many ran.
  Result<int> RunDue(int max_jobs);

  const std::string& owner() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Registers built-in job kinds: "system.probe" (diagnostic: sleeps payload.sleepMs, fails when
// payload.fail is true, records one row per completed run) and "system.prune" (periodic
// housekeeping of expired sessions, old login failures and done jobs).
void RegisterBuiltinJobs(JobRunner& runner);

}  // namespace nadajnik::jobs
