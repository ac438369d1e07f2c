// Start-up validation, /metrics, and the durable job queue across real processes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nadajnik_instance.hpp"
#include "support/test_database.hpp"

namespace nadajnik::testing {
namespace {

using namespace std::chrono_literals;

TEST(ConfigStartupTest, AMisspeltKeyStopsStartUpNamingIt) {
  NadajnikInstance instance;
  const auto config = instance.data_dir() / "nadajnik.toml";
  {
    std::ofstream f(config);
    f << "[server]\nlisen = \"127.0.0.1:9999\"\n";
  }
  auto r = instance.Cli({"serve", "--config", config.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("server.lisen"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("server.listen"), std::string::npos) << "suggests the right key: " << r.err;

  auto env = instance.Cli({"migrate"}, std::nullopt, {{"NADAJNIK_JOBS_WORKRES", "4"}});
  EXPECT_NE(env.exit_code, 0);
  EXPECT_NE(env.err.find("NADAJNIK_JOBS_WORKRES"), std::string::npos) << env.err;

  auto bad_value = instance.Cli({"migrate"}, std::nullopt, {{"NADAJNIK_JOBS_WORKERS", "lots"}});
  EXPECT_NE(bad_value.exit_code, 0);
  EXPECT_NE(bad_value.err.find("jobs.workers"), std::string::npos) << bad_value.err;
}

TEST(MigrateTest, MigrationsRunOnceAndAreRecorded) {
  NadajnikInstance instance;
  auto first = instance.Cli({"migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = instance.Cli({"migrate"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto rows = instance.store().Read([](store::UnitOfWork& uow) { return uow.jobs().List({}); });
  ASSERT_TRUE(rows);
  // The log of the first run names the migration; the second applies nothing.
  EXPECT_NE(first.err.find("0001_init"), std::string::npos) << first.err;
  EXPECT_EQ(second.err.find("0001_init"), std::string::npos) << second.err;
}

// A strict reader of the Prometheus text format (0.0.4): every sample belongs to a declared
// family, names and labels are well-formed, values parse, histogram buckets are cumulative.
void ExpectValidPrometheus(const std::string& text) {
  static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  static const std::regex kType(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex kSample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*)?\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$)re");
  std::map<std::string, std::string> types;
  std::map<std::string, double> last_bucket;
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.empty()) continue;
    if (std::regex_match(line, m, kType)) {
      EXPECT_FALSE(types.count(m[1])) << "family declared twice: " << line;
      types[m[1]] = m[2];
      continue;
    }
    if (std::regex_match(line, m, kHelp)) continue;
    ASSERT_TRUE(std::regex_match(line, m, kSample)) << "not a valid sample line: " << line;
    ++samples;
    std::string name = m[1];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.size() > std::strlen(suffix) && family.ends_with(suffix) &&
          types.count(family.substr(0, family.size() - std::strlen(suffix)))) {
        family = family.substr(0, family.size() - std::strlen(suffix));
      }
    }
    EXPECT_TRUE(types.count(family)) << "sample without # TYPE: " << line;
    if (name.ends_with("_bucket")) {
      std::string labels = m[3];
      const auto le = labels.find("le=");
      ASSERT_NE(le, std::string::npos) << line;
      const std::string series = name + labels.substr(0, le);
      const double v = std::stod(m[7]);
      if (last_bucket.count(series)) {
        EXPECT_GE(v, last_bucket[series]) << "buckets not cumulative: " << line;
      }
      last_bucket[series] = v;
    }
  }
  EXPECT_GT(samples, 0);
}

TEST(MetricsTest, MetricsAreValidPrometheusTextWithRequestsAndJobs) {
  NadajnikInstance instance;
  ASSERT_TRUE(instance.Start()) << instance.Log();
  HttpClient client;
  client.Get(instance.Url("/login"));
  client.Get(instance.Url("/nope"));
  client.Get(instance.Url("/orders/123"));
  auto r = client.Get(instance.Url("/metrics"));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("Content-Type").find("text/plain"), std::string::npos);
  ExpectValidPrometheus(r.body);
  EXPECT_NE(r.body.find(R"(nadajnik_http_requests_total{)"), std::string::npos);
  EXPECT_NE(r.body.find(R"(route="/login")"), std::string::npos);
  EXPECT_NE(r.body.find(R"(route="/orders/{id}")"), std::string::npos) << "patterns, not ids";
  EXPECT_EQ(r.body.find("/orders/123"), std::string::npos);
  EXPECT_NE(r.body.find("nadajnik_jobs{"), std::string::npos) << "jobs by state from the store";
}

std::optional<store::Job> JobById(NadajnikInstance& instance, JobId id) {
  auto r = instance.store().Read([&](store::UnitOfWork& uow) { return uow.jobs().Get(id); });
  return r && *r ? **r : std::optional<store::Job>();
}

JobId FirstProbeId(const CliResult& r) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(r.out, m, std::regex(R"(first id (\d+))"))) << r.out << r.err;
  return JobId(std::stoll(m[1]));
}

TEST(JobProcessTest, AJobWhoseWorkerWasKilledRunsToCompletionExactlyOnce) {
  NadajnikInstance instance;
  const NadajnikInstance::Env fast = {{"NADAJNIK_JOBS_LEASE_SECONDS", "5"}};
  ASSERT_TRUE(instance.Start(fast)) << instance.Log();
  auto enqueued = instance.Cli({"jobs", "probe", "--sleep-ms", "4000"});
  ASSERT_EQ(enqueued.exit_code, 0) << enqueued.err;
  const JobId id = FirstProbeId(enqueued);

  ASSERT_TRUE(Eventually(
      [&] {
        auto j = JobById(instance, id);
        return j && j->state == store::JobState::kRunning;
      },
      20s))
      << "the worker never took the job";
  instance.Kill(SIGKILL);  // in the middle of the job
  ASSERT_TRUE(instance.Wait(10s));
  auto orphan = JobById(instance, id);
  ASSERT_TRUE(orphan);
  EXPECT_EQ(orphan->state, store::JobState::kRunning) << "the lease outlives the process";
  auto runs =
      instance.store().Read([&](store::UnitOfWork& uow) { return uow.jobs().CountProbeRuns(id); });
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 0) << "a killed worker leaves no effect";

  ASSERT_TRUE(instance.Start(fast)) << instance.Log();
  ASSERT_TRUE(Eventually(
      [&] {
        auto j = JobById(instance, id);
        return j && j->state == store::JobState::kDone;
      },
      60s))
      << instance.Log();
  auto done = JobById(instance, id);
  EXPECT_EQ(done->attempts, 2) << "taken again after its lease expired";
  runs =
      instance.store().Read([&](store::UnitOfWork& uow) { return uow.jobs().CountProbeRuns(id); });
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 1) << "exactly one completed run";
}

TEST(JobProcessTest, AJobFailingEveryTimeEndsDeadAndStaysVisibleWithItsError) {
  NadajnikInstance instance;
  ASSERT_TRUE(instance.Start(
      {{"NADAJNIK_JOBS_BACKOFF_BASE_MS", "10"}, {"NADAJNIK_JOBS_BACKOFF_MAX_MS", "50"}}))
      << instance.Log();
  auto enqueued = instance.Cli({"jobs", "probe", "--fail", "--max-attempts", "3"});
  ASSERT_EQ(enqueued.exit_code, 0) << enqueued.err;
  const JobId id = FirstProbeId(enqueued);
  ASSERT_TRUE(Eventually(
      [&] {
        auto j = JobById(instance, id);
        return j && j->state == store::JobState::kDead;
      },
      30s))
      << instance.Log();
  auto dead = JobById(instance, id);
  EXPECT_EQ(dead->attempts, 3);
  EXPECT_NE(dead->last_error.find("probe was asked to fail"), std::string::npos)
      << dead->last_error;
  auto listed = instance.Cli({"jobs", "list", "--state", "dead"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("probe was asked to fail"), std::string::npos) << listed.out;
}

TEST(JobProcessTest, TwoInstancesOnPostgresProcessTenThousandJobsNoneTwiceNoneLost) {
  NADAJNIK_SKIP_WITHOUT_BACKEND(store::Dialect::kPostgres);
  TestDatabase db = TestDatabase::Create(store::Dialect::kPostgres);
  NadajnikInstance a(db.options().url);
  NadajnikInstance b(db.options().url);
  constexpr int kJobs = 10000;
  auto enqueued = a.Cli({"jobs", "probe", "--count", std::to_string(kJobs)});
  ASSERT_EQ(enqueued.exit_code, 0) << enqueued.err;
  const NadajnikInstance::Env env = {{"NADAJNIK_JOBS_WORKERS", "4"},
                                     {"NADAJNIK_DATABASE_POOL_SIZE", "8"}};
  ASSERT_TRUE(a.Start(env)) << a.Log();
  ASSERT_TRUE(b.Start(env)) << b.Log();

  auto conn = db.Connect();
  auto count = [&](const std::string& sql) {
    auto rows = conn->Query(sql, {});
    EXPECT_TRUE(rows) << rows.error().Describe();
    return rows ? rows->Int(0, 0) : -1;
  };
  ASSERT_TRUE(Eventually(
      [&] {
        return count("SELECT COUNT(*) FROM jobs WHERE kind = 'system.probe' AND state = 'done'") ==
               kJobs;
      },
      600s))
      << count("SELECT COUNT(*) FROM jobs WHERE state <> 'done'") << " not done";
  EXPECT_EQ(count("SELECT COUNT(*) FROM job_probe_runs"), kJobs) << "one effect per job";
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT job_id FROM job_probe_runs GROUP BY job_id "
                  "HAVING COUNT(*) > 1) AS doubled"),
            0)
      << "no job ran twice";
  EXPECT_EQ(count("SELECT COUNT(DISTINCT job_id) FROM job_probe_runs"), kJobs) << "none lost";
  EXPECT_EQ(count("SELECT COUNT(DISTINCT worker) FROM job_probe_runs"), 2)
      << "both instances took a share";
}

}  // namespace
}  // namespace nadajnik::testing
