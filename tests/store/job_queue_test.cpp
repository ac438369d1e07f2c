// The durable job queue, on SQLite and on PostgreSQL: repository contract and the runner.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "jobs/job_runner.hpp"
#include "support/store_fixture.hpp"

namespace nadajnik::testing {
namespace {

using namespace std::chrono_literals;
using store::JobState;
using store::UnitOfWork;

class JobQueueTest : public StoreTest {
 protected:
  std::optional<JobId> Enqueue(store::NewJob job) {
    if (job.run_at == Timestamp{}) job.run_at = clock_.Now();
    auto r = store().InTransaction(
        [&](UnitOfWork& uow) { return uow.jobs().Enqueue(job, clock_.Now()); });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : std::nullopt;
  }
  std::vector<store::Job> Claim(const std::string& owner, int limit = 10,
                                std::chrono::milliseconds lease = 60s) {
    auto r = store().InTransaction([&](UnitOfWork& uow) {
      return uow.jobs().Claim(owner, {"test.a", "test.b", "system.probe"}, limit, clock_.Now(),
                              lease);
    });
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : std::vector<store::Job>{};
  }
  store::Job Get(JobId id) {
    auto r = store().Read([&](UnitOfWork& uow) { return uow.jobs().Get(id); });
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : store::Job{};
  }
  static store::NewJob Job(std::string kind, int priority = 100) {
    store::NewJob j;
    j.kind = std::move(kind);
    j.priority = priority;
    return j;
  }
};

TEST_P(JobQueueTest, ClaimsDueJobsByPriorityAndOnlyKindsItKnows) {
  Enqueue(Job("test.a", 100));
  const auto urgent = Enqueue(Job("test.b", 10));
  auto later = Job("test.a", 1);
  later.run_at = clock_.Now() + 1h;
  Enqueue(later);
  Enqueue(Job("other.unknown", 1));

  auto claimed = Claim("w1");
  ASSERT_EQ(claimed.size(), 2u) << "the future job and the unknown kind wait";
  EXPECT_EQ(claimed[0].id, *urgent);
  EXPECT_EQ(claimed[0].state, JobState::kRunning);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].lease_owner, "w1");
  EXPECT_TRUE(Claim("w2").empty()) << "running jobs are not claimed twice";
}

TEST_P(JobQueueTest, AUniqueKeyKeepsOneActiveJob) {
  auto periodic = Job("test.a");
  periodic.unique_key = "periodic:test.a";
  const auto first = Enqueue(periodic);
  ASSERT_TRUE(first);
  EXPECT_FALSE(Enqueue(periodic)) << "a queued job with the key exists";
  auto claimed = Claim("w1");
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_FALSE(Enqueue(periodic)) << "a running job with the key exists";
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.jobs().Complete(*first, "w1", clock_.Now()); }));
  EXPECT_TRUE(Enqueue(periodic)) << "once done, the next occurrence may be scheduled";
}

TEST_P(JobQueueTest, FailuresRetryLaterThenEndDeadWithTheLastError) {
  auto job = Job("test.a");
  job.max_attempts = 2;
  const JobId id = *Enqueue(job);
  ASSERT_EQ(Claim("w1").size(), 1u);
  auto state = store().InTransaction([&](UnitOfWork& uow) {
    return uow.jobs().RecordFailure(id, "w1", "Allegro answered 503", clock_.Now() + 10s,
                                    clock_.Now());
  });
  ASSERT_TRUE(state);
  EXPECT_EQ(*state, JobState::kQueued);
  EXPECT_TRUE(Claim("w1").empty()) << "not before its retry time";
  clock_.Advance(11s);
  ASSERT_EQ(Claim("w1").size(), 1u);
  state = store().InTransaction([&](UnitOfWork& uow) {
    return uow.jobs().RecordFailure(id, "w1", "Allegro answered 503 again", clock_.Now() + 10s,
                                    clock_.Now());
  });
  ASSERT_TRUE(state);
  EXPECT_EQ(*state, JobState::kDead);
  const store::Job dead = Get(id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.attempts, 2);
  EXPECT_EQ(dead.last_error, "Allegro answered 503 again");
  EXPECT_TRUE(dead.finished_at);
  clock_.Advance(1h);
  EXPECT_TRUE(Claim("w1").empty()) << "dead jobs stay dead and visible";
}

TEST_P(JobQueueTest, AnExpiredLeaseIsTakenAgainAndTheOldOwnerIsFencedOff) {
  const JobId id = *Enqueue(Job("system.probe"));
  ASSERT_EQ(Claim("dead-worker", 1, 2s).size(), 1u);
  clock_.Advance(1s);
  auto requeued = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.jobs().RequeueExpired(clock_.Now()); });
  ASSERT_TRUE(requeued);
  EXPECT_EQ(*requeued, 0) << "the lease is still valid";
  clock_.Advance(2s);
  requeued = store().InTransaction(
      [&](UnitOfWork& uow) { return uow.jobs().RequeueExpired(clock_.Now()); });
  ASSERT_TRUE(requeued);
  EXPECT_EQ(*requeued, 1);
  EXPECT_NE(Get(id).last_error.find("dead-worker"), std::string::npos);

  auto again = Claim("new-worker");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 2);

  // The first worker wakes up and tries to finish with an effect: nothing of it may land.
  auto late = store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    NADAJNIK_TRY(uow.jobs().RecordProbeRun(id, "dead-worker", clock_.Now()));
    return uow.jobs().Complete(id, "dead-worker", clock_.Now());
  });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  auto runs = store().Read([&](UnitOfWork& uow) { return uow.jobs().CountProbeRuns(id); });
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 0) << "the fenced-off worker's effect rolled back";
  ASSERT_TRUE(store().InTransaction(
      [&](UnitOfWork& uow) { return uow.jobs().Complete(id, "new-worker", clock_.Now()); }));
  EXPECT_EQ(Get(id).state, JobState::kDone);
}

TEST_P(JobQueueTest, HeartbeatsKeepALongJobsLease) {
  const JobId id = *Enqueue(Job("test.a"));
  ASSERT_EQ(Claim("w1", 1, 2s).size(), 1u);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1s);
    auto n = store().InTransaction([&](UnitOfWork& uow) {
      return uow.jobs().ExtendLeases({id}, "w1", clock_.Now() + 2s, clock_.Now());
    });
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1);
    auto requeued = store().InTransaction(
        [&](UnitOfWork& uow) { return uow.jobs().RequeueExpired(clock_.Now()); });
    ASSERT_TRUE(requeued);
    EXPECT_EQ(*requeued, 0);
  }
  EXPECT_EQ(Get(id).lease_owner, "w1");
}

TEST_P(JobQueueTest, ConcurrentWorkersNeverClaimOneJobTwice) {
  constexpr int kJobs = 400;
  ASSERT_TRUE(store().InTransaction([&](UnitOfWork& uow) -> Result<void> {
    for (int i = 0; i < kJobs; ++i) {
      auto j = Job(i % 2 ? "test.a" : "test.b");
      j.run_at = clock_.Now();
      NADAJNIK_TRY(uow.jobs().Enqueue(j, clock_.Now()));
    }
    return Ok();
  }));
  std::mutex mu;
  std::map<std::int64_t, int> claims;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      const std::string owner = "w" + std::to_string(w);
      for (;;) {
        auto claimed = store().InTransaction([&](UnitOfWork& uow) {
          return uow.jobs().Claim(owner, {"test.a", "test.b"}, 3, clock_.Now(), 60s);
        });
        if (!claimed) {
          ++errors;
          continue;
        }
        if (claimed->empty()) return;
        for (const auto& job : *claimed) {
          {
            std::lock_guard lock(mu);
            ++claims[job.id.value];
          }
          auto done = store().InTransaction(
              [&](UnitOfWork& uow) { return uow.jobs().Complete(job.id, owner, clock_.Now()); });
          if (!done) ++errors;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kJobs)) << "none lost";
  for (const auto& [id, n] : claims)
    EXPECT_EQ(n, 1) << "job " << id << " claimed " << n << " times";
  auto counts = store().Read([](UnitOfWork& uow) { return uow.jobs().CountByKindAndState(); });
  ASSERT_TRUE(counts);
  std::int64_t done = 0;
  for (const auto& c : *counts) done += c.state == JobState::kDone ? c.count : 0;
  EXPECT_EQ(done, kJobs);
}

TEST_P(JobQueueTest, TheRunnerRetriesAFailingJobUntilItIsDeadKeepingTheError) {
  jobs::RunnerOptions options;
  options.owner = "runner";
  options.backoff = {1s, 1min};
  jobs::JobRunner runner(store(), clock_, options);
  int calls = 0;
  runner.Register("test.a", [&](jobs::JobContext&) -> Result<void> {
    ++calls;
    return Fail(ErrorCode::kUnavailable, "DPD API answered 502 Bad Gateway");
  });
  auto job = Job("test.a");
  job.max_attempts = 3;
  const JobId id = *Enqueue(job);
  for (int i = 0; i < 10; ++i) {
    auto ran = runner.RunDue(10);
    ASSERT_TRUE(ran) << ran.error().Describe();
    clock_.Advance(2min);  // past any backoff
  }
  EXPECT_EQ(calls, 3);
  const store::Job dead = Get(id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_NE(dead.last_error.find("attempt 3/3"), std::string::npos) << dead.last_error;
  EXPECT_NE(dead.last_error.find("DPD API answered 502"), std::string::npos) << dead.last_error;
}

TEST_P(JobQueueTest, APermanentErrorEndsTheJobAtOnce) {
  jobs::JobRunner runner(store(), clock_, {});
  runner.Register("test.a", [](jobs::JobContext&) -> Result<void> {
    return Fail(ErrorCode::kInvalidArgument, "the order has no delivery address");
  });
  const JobId id = *Enqueue(Job("test.a"));
  ASSERT_TRUE(runner.RunDue(5));
  const store::Job dead = Get(id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.attempts, 1);
  EXPECT_NE(dead.last_error.find("permanent"), std::string::npos);
}

TEST_P(JobQueueTest, ADeadPushFlagsItsOrderForAttentionWithTheReason) {
  const AccountId account = CreateAccount("AA");
  auto order = store().InTransaction([&](UnitOfWork& uow) {
    return uow.orders().Upsert(SampleOrder(account, "cf-dead", "r1", clock_.Now()), clock_.Now());
  });
  ASSERT_TRUE(order);
  jobs::JobRunner runner(store(), clock_, {});
  runner.SetDeadNotice("test.push", "Status nie dotarł do Allegro");
  runner.Register("test.push", [](jobs::JobContext&) -> Result<void> {
    return Fail(ErrorCode::kInvalidArgument, "Allegro refused the status");
  });
  runner.Register("test.other", [](jobs::JobContext&) -> Result<void> {
    return Fail(ErrorCode::kInvalidArgument, "no notice for this kind");
  });
  auto job = Job("test.other");
  job.order_id = order->id;
  Enqueue(job);
  ASSERT_TRUE(runner.RunDue(5));
  auto loaded = store().Read([&](UnitOfWork& uow) { return uow.orders().Get(order->id); });
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_FALSE((*loaded)->needs_attention) << "a kind without a notice flags nothing";

  job = Job("test.push");
  job.order_id = order->id;
  Enqueue(job);
  ASSERT_TRUE(runner.RunDue(5));
  loaded = store().Read([&](UnitOfWork& uow) { return uow.orders().Get(order->id); });
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_TRUE((*loaded)->needs_attention);
  EXPECT_EQ((*loaded)->attention_reason,
            "Status nie dotarł do Allegro: Allegro refused the status");
}

TEST_P(JobQueueTest, BackoffSpacesRetriesOutExponentially) {
  jobs::RunnerOptions options;
  options.backoff = {10s, 1h};
  jobs::JobRunner runner(store(), clock_, options);
  runner.Register("test.a", [](jobs::JobContext&) -> Result<void> {
    return Fail(ErrorCode::kUnavailable, "try later");
  });
  const JobId id = *Enqueue(Job("test.a"));
  std::vector<std::chrono::milliseconds> delays;
  for (int attempt = 1; attempt <= 4; ++attempt) {
    ASSERT_TRUE(runner.RunDue(1));
    const store::Job j = Get(id);
    delays.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(j.run_at - clock_.Now()));
    clock_.Set(j.run_at);
  }
  for (std::size_t i = 0; i < delays.size(); ++i) {
    const auto full = 10s * (1 << i);
    EXPECT_GE(delays[i], full / 2) << "attempt " << i + 1;
    EXPECT_LE(delays[i], full) << "attempt " << i + 1;
  }
}

TEST_P(JobQueueTest, TheProbeRecordsItsEffectExactlyOnceWithCompletion) {
  jobs::JobRunner runner(store(), clock_, {});
  jobs::RegisterBuiltinJobs(runner);
  auto probe = Job("system.probe");
  probe.payload = R"({"sleepMs":0})";
  const JobId id = *Enqueue(probe);
  auto ran = runner.RunDue(5);
  ASSERT_TRUE(ran);
  EXPECT_EQ(*ran, 1);
  EXPECT_EQ(Get(id).state, JobState::kDone);
  auto runs = store().Read([&](UnitOfWork& uow) { return uow.jobs().CountProbeRuns(id); });
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 1);
}

TEST_P(JobQueueTest, APeriodicJobSchedulesItsNextRunWhenItCompletes) {
  jobs::JobRunner runner(store(), clock_, {});
  std::atomic<int> runs{0};
  runner.Register("test.a", [&](jobs::JobContext&) -> Result<void> {
    ++runs;
    return Ok();
  });
  runner.AddPeriodic({"test.a", 5min, 200});
  // Start() schedules the first occurrence; two "instances" starting must not double it.
  jobs::JobRunner second(store(), clock_, {});
  second.Register("test.a", [&](jobs::JobContext&) -> Result<void> {
    ++runs;
    return Ok();
  });
  second.AddPeriodic({"test.a", 5min, 200});
  ASSERT_TRUE(runner.Start());
  ASSERT_TRUE(second.Start());
  runner.Stop();
  second.Stop();
  ASSERT_TRUE(runner.RunDue(10));  // if the instances' workers did not take it already
  EXPECT_EQ(runs, 1) << "one occurrence ran, on one of the two instances";
  auto queued = store().Read([&](UnitOfWork& uow) {
    return uow.jobs().List({JobState::kQueued, std::string("test.a"), 10});
  });
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->size(), 1u) << "exactly one next occurrence";
  EXPECT_EQ((*queued)[0].run_at, clock_.Now() + 5min);
  ASSERT_TRUE(runner.RunDue(10));
  EXPECT_EQ(runs, 1) << "not before its time";
}

NADAJNIK_INSTANTIATE_BACKEND_SUITE(JobQueueTest);

}  // namespace
}  // namespace nadajnik::testing
