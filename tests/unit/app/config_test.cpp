#include "app/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "support/temp_dir.hpp"

namespace nadajnik::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A config file in a fresh folder, named like the production one so messages read naturally.
class ConfigFile : public ::testing::Test {
 protected:
  fs::path Write(const std::string& text) {
    const fs::path path = dir_.path() / "nadajnik.toml";
    std::ofstream(path, std::ios::trunc) << text;
    return path;
  }

  Result<Config> LoadText(const std::string& text, std::map<std::string, std::string> env = {},
                          std::map<std::string, std::string> flags = {}) {
    return LoadConfig({Write(text), std::move(env), std::move(flags)});
  }

  std::string ErrorFor(const std::string& text) {
    auto config = LoadText(text);
    EXPECT_FALSE(config) << "accepted:\n" << text;
    return config ? std::string() : config.error().message;
  }

  std::size_t LineCount(const std::string& message) {
    return static_cast<std::size_t>(std::count(message.begin(), message.end(), '\n')) + 1;
  }

  nadajnik::testing::TempDir dir_;
};

Result<Config> LoadEnv(std::map<std::string, std::string> env) {
  return LoadConfig({{}, std::move(env), {}});
}

Result<Config> LoadFlags(std::map<std::string, std::string> flags) {
  return LoadConfig({{}, {}, std::move(flags)});
}

TEST(Config, UsesTheDefaultsWithoutAnySource) {
  auto config = LoadConfig({});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->server.public_url, "");
  EXPECT_EQ(config->server.threads, 4);
  EXPECT_FALSE(config->server.trust_proxy_headers);
  EXPECT_EQ(config->data.dir, fs::path("./var"));
  EXPECT_EQ(config->database.url, "");
  EXPECT_EQ(config->database.pool_size, 4);
  EXPECT_EQ(config->database.busy_timeout_ms, 5000);
  EXPECT_EQ(config->jobs.workers, 4);
  EXPECT_EQ(config->jobs.poll_interval_ms, 250);
  EXPECT_EQ(config->jobs.lease_seconds, 60);
  EXPECT_EQ(config->jobs.max_attempts, 10);
  EXPECT_EQ(config->jobs.backoff_base_ms, 1000);
  EXPECT_EQ(config->jobs.backoff_max_ms, 3600000);
  EXPECT_EQ(config->log.format, "text");
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.file, "");
  EXPECT_EQ(config->auth.session_ttl_minutes, 720);
  EXPECT_EQ(config->auth.login_max_failures, 5);
  EXPECT_EQ(config->auth.login_window_seconds, 900);
}

TEST_F(ConfigFile, ReadsValuesFromTheFile) {
  auto config = LoadText(R"(
[server]
listen = "0.0.0.0:9090"
public_url = "https://nadajnik.example.pl"
threads = 8
trust_proxy_headers = true

[data]
dir = "/var/lib/nadajnik"

[database]
url = "postgresql://nadajnik@db/nadajnik"
pool_size = 16

[jobs]
workers = 2
backoff_base_ms = 500
backoff_max_ms = 60000

[log]
format = "json"
level = "debug"
file = "/var/log/nadajnik.log"

[auth]
session_ttl_minutes = 60
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.listen, "0.0.0.0:9090");
  EXPECT_EQ(config->server.public_url, "https://nadajnik.example.pl");
  EXPECT_EQ(config->server.threads, 8);
  EXPECT_TRUE(config->server.trust_proxy_headers);
  EXPECT_EQ(config->data.dir, fs::path("/var/lib/nadajnik"));
  EXPECT_EQ(config->database.url, "postgresql://nadajnik@db/nadajnik");
  EXPECT_EQ(config->database.pool_size, 16);
  EXPECT_EQ(config->jobs.workers, 2);
  EXPECT_EQ(config->jobs.backoff_base_ms, 500);
  EXPECT_EQ(config->jobs.backoff_max_ms, 60000);
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->log.file, "/var/log/nadajnik.log");
  EXPECT_EQ(config->auth.session_ttl_minutes, 60);
  EXPECT_EQ(config->jobs.poll_interval_ms, 250) << "keys not in the file keep their default";
}

TEST_F(ConfigFile, AcceptsDottedKeysAndInlineTables) {
  auto config = LoadText("server.threads = 3\njobs = { workers = 7 }\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.threads, 3);
  EXPECT_EQ(config->jobs.workers, 7);
}

TEST_F(ConfigFile, EnvironmentOverridesTheFile) {
  auto config = LoadText("[server]\nlisten = \"127.0.0.1:9000\"\nthreads = 2\n",
                         {{"NADAJNIK_SERVER_LISTEN", "0.0.0.0:9100"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.listen, "0.0.0.0:9100");
  EXPECT_EQ(config->server.threads, 2);
}

TEST_F(ConfigFile, FlagOverridesEnvironmentAndFile) {
  auto config = LoadText("[jobs]\nworkers = 2\n[log]\nlevel = \"warn\"\n",
                         {{"NADAJNIK_JOBS_WORKERS", "3"}, {"NADAJNIK_LOG_LEVEL", "error"}},
                         {{"jobs.workers", "5"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->jobs.workers, 5);
  EXPECT_EQ(config->log.level, "error");
}

TEST_F(ConfigFile, MisspeltKeyIsNamedWithTheFileAndASuggestion) {
  const std::string message = ErrorFor("[server]\nthreads = 2\nlisen = \"0.0.0.0:80\"\n");
  EXPECT_THAT(message, HasSubstr("unknown key 'server.lisen'"));
  EXPECT_THAT(message, HasSubstr((dir_.path() / "nadajnik.toml").string() + ", line 3"));
  EXPECT_THAT(message, HasSubstr("did you mean 'server.listen'?"));
}

TEST_F(ConfigFile, SuggestsDespiteCaseOrSwappedLetters) {
  EXPECT_THAT(ErrorFor("[server]\nListen = \"0.0.0.0:80\"\n"),
              HasSubstr("did you mean 'server.listen'?"));
  EXPECT_THAT(ErrorFor("[jobs]\nwokrers = 2\n"), HasSubstr("did you mean 'jobs.workers'?"));
}

TEST_F(ConfigFile, UnknownKeyWithoutACloseMatchListsTheSectionsKeys) {
  const std::string message = ErrorFor("[log]\ncolour = true\n");
  EXPECT_THAT(message, HasSubstr("unknown key 'log.colour'"));
  EXPECT_THAT(message, HasSubstr("format, level, file"));
  EXPECT_THAT(message, Not(HasSubstr("did you mean")));
}

TEST_F(ConfigFile, KeyOutsideASectionPointsToItsSection) {
  const std::string message = ErrorFor("listen = \"0.0.0.0:80\"\n");
  EXPECT_THAT(message, HasSubstr("unknown key 'listen'"));
  EXPECT_THAT(message, HasSubstr("did you mean 'server.listen'?"));
}

TEST_F(ConfigFile, UnknownSectionIsNamed) {
  const std::string typo = ErrorFor("[sever]\nlisten = \"0.0.0.0:80\"\n");
  EXPECT_THAT(typo, HasSubstr("unknown section [sever]"));
  EXPECT_THAT(typo, HasSubstr("nadajnik.toml, line 1"));
  EXPECT_THAT(typo, HasSubstr("did you mean [server]?"));

  const std::string unrelated = ErrorFor("[smtp]\nhost = \"mail\"\n");
  EXPECT_THAT(unrelated, HasSubstr("unknown section [smtp]"));
  EXPECT_THAT(
      unrelated,
      HasSubstr("[server], [data], [database], [jobs], [log], [allegro], [shipping], [auth]"));
}

TEST_F(ConfigFile, SectionWrittenAsAValueIsExplained) {
  const std::string message = ErrorFor("server = \"0.0.0.0:80\"\n");
  EXPECT_THAT(message, HasSubstr("'server'"));
  EXPECT_THAT(message, HasSubstr("write [server]"));
}

TEST_F(ConfigFile, WrongTypesNameTheKeyTheFileAndTheExpectedForm) {
  const std::string words = ErrorFor("[server]\nthreads = \"four\"\n");
  EXPECT_THAT(words, HasSubstr("server.threads from "));
  EXPECT_THAT(words, HasSubstr("nadajnik.toml, line 2"));
  EXPECT_THAT(words, HasSubstr("got a string"));
  EXPECT_THAT(words, HasSubstr("expected an integer from 1 to 256"));

  EXPECT_THAT(ErrorFor("[server]\nthreads = \"4\"\n"), HasSubstr("without quotes"));
  EXPECT_THAT(ErrorFor("[server]\nthreads = 4.5\n"), HasSubstr("got a floating-point number"));
  EXPECT_THAT(ErrorFor("[server]\ntrust_proxy_headers = \"yes\"\n"),
              HasSubstr("write true or false without quotes"));
  EXPECT_THAT(ErrorFor("[server]\ntrust_proxy_headers = 1\n"),
              HasSubstr("got an integer; expected true or false"));
  EXPECT_THAT(ErrorFor("[server]\nlisten = 8080\n"), HasSubstr("in double quotes"));
  EXPECT_THAT(ErrorFor("[data]\ndir = [\"a\"]\n"), HasSubstr("got an array"));
  EXPECT_THAT(ErrorFor("[server.tls]\ncert = \"x\"\n"), HasSubstr("unknown key 'server.tls'"));
}

TEST_F(ConfigFile, IntegersOutsideTheirBoundsAreRefused) {
  EXPECT_THAT(ErrorFor("[server]\nthreads = 0\n"),
              HasSubstr("server.threads from " + (dir_.path() / "nadajnik.toml").string() +
                        ", line 2: got 0 (out of range); expected an integer from 1 to 256"));
  EXPECT_THAT(ErrorFor("[jobs]\npoll_interval_ms = 5\n"), HasSubstr("from 10 to 60000"));
  EXPECT_THAT(ErrorFor("[jobs]\nlease_seconds = 86401\n"), HasSubstr("from 5 to 86400"));
  EXPECT_THAT(ErrorFor("[auth]\nsession_ttl_minutes = 4\n"), HasSubstr("from 5 to 43200"));
  // Larger than an int: must not wrap around into the allowed range.
  EXPECT_THAT(ErrorFor("[jobs]\nworkers = 4294967300\n"), HasSubstr("jobs.workers"));
  EXPECT_TRUE(LoadText("[database]\nbusy_timeout_ms = 0\n"));
}

TEST_F(ConfigFile, SyntaxErrorGivesLineAndColumn) {
  const std::string message = ErrorFor("[server]\nthreads = 4\nlisten = \"0.0.0.0:80\n");
  EXPECT_THAT(message, HasSubstr((dir_.path() / "nadajnik.toml").string() + ", line 3, column"));
  EXPECT_THAT(message, HasSubstr("TOML syntax error"));
  EXPECT_THAT(ErrorFor("[server]\nthreads = 4\nthreads = 5\n"), HasSubstr("line 3"));
}

TEST_F(ConfigFile, MissingFileIsNamed) {
  auto config = LoadConfig({dir_.path() / "absent.toml", {}, {}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr((dir_.path() / "absent.toml").string()));
  EXPECT_THAT(config.error().message, HasSubstr("No such file"));
  EXPECT_FALSE(LoadConfig({dir_.path(), {}, {}})) << "a folder is not a config file";
}

TEST_F(ConfigFile, ReportsEveryProblemAtOnceInFileOrder) {
  auto config = LoadText(
      "[server]\nlisten = \"nowhere\"\nthreads = 0\n[jobs]\nworkerz = 3\n[log]\nlevel = "
      "\"loud\"\n",
      {{"NADAJNIK_AUTH_LOGIN_MAX_FAILURES", "many"}}, {{"database.pool_size", "0"}});
  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(LineCount(message), 6u) << message;
  const auto listen = message.find("server.listen");
  const auto threads = message.find("server.threads");
  const auto workerz = message.find("jobs.workerz");
  const auto level = message.find("log.level");
  const auto env = message.find("NADAJNIK_AUTH_LOGIN_MAX_FAILURES");
  const auto flag = message.find("command-line flag for database.pool_size");
  ASSERT_NE(listen, std::string::npos) << message;
  ASSERT_NE(threads, std::string::npos) << message;
  ASSERT_NE(workerz, std::string::npos) << message;
  ASSERT_NE(level, std::string::npos) << message;
  ASSERT_NE(env, std::string::npos) << message;
  ASSERT_NE(flag, std::string::npos) << message;
  EXPECT_LT(listen, threads);
  EXPECT_LT(threads, workerz);
  EXPECT_LT(workerz, level);
  EXPECT_LT(level, env);
  EXPECT_LT(env, flag);
}

TEST_F(ConfigFile, ABadFileValueIsReportedEvenWhenOverridden) {
  auto config = LoadText("[server]\nthreads = 0\n", {{"NADAJNIK_SERVER_THREADS", "4"}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("server.threads"));
}

TEST(Config, ListenAcceptsHostPortForms) {
  for (const char* good :
       {"127.0.0.1:8080", "0.0.0.0:1", "[::1]:8080", "[::]:65535", "localhost:80",
        "nadajnik.example.pl:8443", "[fe80::1%eth0]:8080", "app-1.internal.:8080"}) {
    auto config = LoadFlags({{"server.listen", good}});
    ASSERT_TRUE(config) << good << ": " << config.error().message;
    EXPECT_EQ(config->server.listen, good);
  }
}

TEST(Config, ListenRefusesWhatIsNotHostPort) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "it is empty"},
      {"8080", "no :port"},
      {"127.0.0.1", "no :port"},
      {"127.0.0.1:", "port is missing"},
      {"127.0.0.1:0", "out of range"},
      {"127.0.0.1:65536", "out of range"},
      {"127.0.0.1:http", "not a number"},
      {"127.0.0.1:-1", "not a number"},
      {"::1:8080", "needs brackets"},
      {"[::1]", "no :port after"},
      {"[::1:8080", "no closing"},
      {"[zz::1]:8080", "not an IPv6 address"},
      {"[127.0.0.1]:8080", "not an IPv6 address"},
      {"256.1.1.1:80", "not a valid IPv4"},
      {"1.2.3:80", "not a valid IPv4"},
      {":8080", "host is missing"},
      {"bad host:80", "neither an IP address nor a host name"},
      {"-bad.example:80", "neither an IP address nor a host name"},
      {"http://127.0.0.1:80", "it is a URL"},
  };
  for (const auto& [bad, reason] : cases) {
    auto config = LoadFlags({{"server.listen", bad}});
    ASSERT_FALSE(config) << "accepted '" << bad << "'";
    const std::string& message = config.error().message;
    EXPECT_THAT(message, HasSubstr("server.listen from command-line flag for server.listen"));
    EXPECT_THAT(message, HasSubstr(reason)) << bad;
    EXPECT_THAT(message, HasSubstr("expected host:port with a port from 1 to 65535"));
  }
}

TEST(Config, PublicUrlIsEmptyOrHttp) {
  for (const char* good :
       {"", "https://nadajnik.example.pl", "http://localhost:8080/panel", "HTTPS://Example.PL/"}) {
    EXPECT_TRUE(LoadFlags({{"server.public_url", good}})) << good;
  }
  for (const char* bad : {"nadajnik.example.pl", "ftp://x", "https://", "https:///path",
                          "https://x.pl/?a=b", "https://x.pl/#top", "https://x .pl"}) {
    auto config = LoadFlags({{"server.public_url", bad}});
    ASSERT_FALSE(config) << bad;
    EXPECT_THAT(config.error().message, HasSubstr("server.public_url"));
    EXPECT_THAT(config.error().message, HasSubstr("http:// or https://"));
  }
}

TEST(Config, DatabaseUrlIsPostgresAndNeverEchoed) {
  EXPECT_TRUE(LoadEnv({{"NADAJNIK_DATABASE_URL", "postgresql://u:p@db:5432/nadajnik"}}));
  EXPECT_TRUE(LoadEnv({{"NADAJNIK_DATABASE_URL", "postgres://db/nadajnik"}}));
  EXPECT_TRUE(LoadEnv({{"NADAJNIK_DATABASE_URL", ""}}));
  auto config = LoadEnv({{"NADAJNIK_DATABASE_URL", "mysql://admin:Sup3rS3cret@db/nadajnik"}});
  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  EXPECT_THAT(message, HasSubstr("database.url from environment variable NADAJNIK_DATABASE_URL"));
  EXPECT_THAT(message, HasSubstr("postgresql://"));
  EXPECT_THAT(message, Not(HasSubstr("Sup3rS3cret")));
  EXPECT_THAT(message, Not(HasSubstr("mysql")));
  EXPECT_THAT(config.error().Describe(), Not(HasSubstr("Sup3rS3cret")));
}

TEST(Config, LogFormatAndLevelAreChecked) {
  EXPECT_TRUE(LoadFlags({{"log.format", "json"}, {"log.level", "warn"}}));
  auto config = LoadFlags({{"log.format", "xml"}, {"log.level", "verbose"}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message,
              HasSubstr("got \"xml\" (unknown format); expected text or json"));
  EXPECT_THAT(config.error().message,
              HasSubstr("got \"verbose\" (unknown level); expected debug, info, warn or error"));
}

TEST(Config, BackoffMaxMustNotBeBelowBase) {
  auto config = LoadEnv({{"NADAJNIK_JOBS_BACKOFF_BASE_MS", "5000"}});
  ASSERT_TRUE(config) << config.error().message;
  auto inverted = LoadConfig(
      {{}, {{"NADAJNIK_JOBS_BACKOFF_BASE_MS", "5000"}}, {{"jobs.backoff_max_ms", "1000"}}});
  ASSERT_FALSE(inverted);
  const std::string& message = inverted.error().message;
  EXPECT_THAT(message, HasSubstr("jobs.backoff_max_ms (1000 from command-line flag for "
                                 "jobs.backoff_max_ms) is less than jobs.backoff_base_ms (5000 "
                                 "from environment variable NADAJNIK_JOBS_BACKOFF_BASE_MS)"));
  auto against_default = LoadFlags({{"jobs.backoff_max_ms", "500"}});
  ASSERT_FALSE(against_default);
  EXPECT_THAT(against_default.error().message, HasSubstr("(1000 from the default)"));
}

TEST(Config, EmptyDataDirIsRefused) {
  auto config = LoadFlags({{"data.dir", ""}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("data.dir"));
  EXPECT_THAT(config.error().message, HasSubstr("non-empty path"));
}

TEST(ConfigEnvironment, OverridesTheDefaults) {
  auto config = LoadEnv({{"NADAJNIK_JOBS_WORKERS", "12"},
                         {"NADAJNIK_SERVER_TRUST_PROXY_HEADERS", "yes"},
                         {"NADAJNIK_DATA_DIR", "/srv/nadajnik"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->jobs.workers, 12);
  EXPECT_TRUE(config->server.trust_proxy_headers);
  EXPECT_EQ(config->data.dir, fs::path("/srv/nadajnik"));
}

TEST(ConfigEnvironment, BadValueNamesTheVariableAndTheExpectedForm) {
  auto config = LoadEnv({{"NADAJNIK_JOBS_WORKERS", "many"}});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "jobs.workers from environment variable NADAJNIK_JOBS_WORKERS: got \"many\" (not a "
            "whole number); expected an integer from 1 to 256");
  EXPECT_THAT(LoadEnv({{"NADAJNIK_JOBS_WORKERS", "257"}}).error().message,
              HasSubstr("got \"257\" (out of range)"));
  EXPECT_THAT(LoadEnv({{"NADAJNIK_JOBS_WORKERS", " 4"}}).error().message, HasSubstr("got \" 4\""));
}

TEST(ConfigEnvironment, BoolsAcceptTrueFalseYesNoOneZero) {
  const std::pair<const char*, bool> cases[] = {{"true", true}, {"TRUE", true},   {"1", true},
                                                {"yes", true},  {"false", false}, {"0", false},
                                                {"no", false},  {"No", false}};
  for (const auto& [text, expected] : cases) {
    auto config = LoadEnv({{"NADAJNIK_SERVER_TRUST_PROXY_HEADERS", text}});
    ASSERT_TRUE(config) << text << ": " << config.error().message;
    EXPECT_EQ(config->server.trust_proxy_headers, expected) << text;
  }
  for (const char* bad : {"", "on", "2", "tak", "y"}) {
    auto config = LoadEnv({{"NADAJNIK_SERVER_TRUST_PROXY_HEADERS", bad}});
    ASSERT_FALSE(config) << bad;
    EXPECT_THAT(config.error().message, HasSubstr("yes/no and 1/0 also work"));
  }
}

TEST(ConfigEnvironment, UnknownVariableIsAnError) {
  auto config = LoadEnv({{"NADAJNIK_FOO", "1"}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("unknown environment variable NADAJNIK_FOO"));
  EXPECT_THAT(config.error().message, HasSubstr("NADAJNIK_SERVER_LISTEN"));

  auto typo = LoadEnv({{"NADAJNIK_SERVER_LISEN", "0.0.0.0:80"}});
  ASSERT_FALSE(typo);
  EXPECT_THAT(typo.error().message, HasSubstr("did you mean NADAJNIK_SERVER_LISTEN?"));

  auto secret = LoadEnv({{"NADAJNIK_DB_PASSWORD", "Sup3rS3cret"}});
  ASSERT_FALSE(secret);
  EXPECT_THAT(secret.error().message, Not(HasSubstr("Sup3rS3cret")));
}

TEST(ConfigEnvironment, IgnoresTestAndForeignVariables) {
  auto config = LoadEnv({{"NADAJNIK_TEST_POSTGRES_URL", "anything"},
                         {"NADAJNIK_TEST_", "x"},
                         {"PATH", "/usr/bin"},
                         {"nadajnik_jobs_workers", "0"},
                         {"XNADAJNIK_FOO", "1"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->jobs.workers, 4);
}

TEST(ConfigEnvironment, EveryKeyHasItsVariableAndAcceptsItsDefault) {
  std::map<std::string, std::string> env;
  for (const ConfigKeyInfo& info : ConfigKeys()) {
    std::string name = "NADAJNIK_";
    for (char c : info.key) name += c == '.' ? '_' : static_cast<char>(std::toupper(c));
    env[name] = info.default_value;
  }
  auto config = LoadEnv(env);
  ASSERT_TRUE(config) << config.error().message;
}

TEST(ConfigEnvironment, ProcessEnvironmentReadsEnviron) {
  ASSERT_EQ(::setenv("NADAJNIK_TEST_CONFIG_PROBE", "a=b", 1), 0);
  const auto env = ProcessEnvironment();
  ::unsetenv("NADAJNIK_TEST_CONFIG_PROBE");
  ASSERT_TRUE(env.contains("NADAJNIK_TEST_CONFIG_PROBE"));
  EXPECT_EQ(env.at("NADAJNIK_TEST_CONFIG_PROBE"), "a=b");
}

TEST(ConfigFlags, UnknownKeyIsAnErrorWithASuggestion) {
  auto config = LoadFlags({{"server.lisen", "0.0.0.0:80"}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("unknown configuration key 'server.lisen'"));
  EXPECT_THAT(config.error().message, HasSubstr("did you mean 'server.listen'?"));
}

TEST(ConfigFlags, BadValueNamesTheFlag) {
  auto config = LoadFlags({{"auth.login_window_seconds", "5"}});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "auth.login_window_seconds from command-line flag for auth.login_window_seconds: got "
            "\"5\" (out of range); expected an integer from 10 to 86400");
}

TEST(ConfigKeysTable, DescribesEveryKeyOnce) {
  std::set<std::string> seen;
  for (const ConfigKeyInfo& info : ConfigKeys()) {
    EXPECT_TRUE(seen.insert(info.key).second) << "duplicate " << info.key;
    EXPECT_NE(info.key.find('.'), std::string::npos) << info.key;
    EXPECT_TRUE(info.type == "string" || info.type == "int" || info.type == "bool" ||
                info.type == "path")
        << info.key << ": " << info.type;
    EXPECT_FALSE(info.help.empty()) << info.key;
  }
  EXPECT_EQ(seen.size(), 34u);
  const auto find = [](const std::string& key) {
    for (const ConfigKeyInfo& info : ConfigKeys()) {
      if (info.key == key) return info;
    }
    return ConfigKeyInfo{};
  };
  EXPECT_EQ(find("server.listen").default_value, "127.0.0.1:8080");
  EXPECT_EQ(find("jobs.backoff_max_ms").default_value, "3600000");
  EXPECT_EQ(find("server.trust_proxy_headers").default_value, "false");
  EXPECT_EQ(find("data.dir").type, "path");
  EXPECT_THAT(find("jobs.workers").help, HasSubstr("from 1 to 256"));
  EXPECT_THAT(find("jobs.workers").help, HasSubstr("NADAJNIK_JOBS_WORKERS"));
}

// etc/nadajnik.example.toml is documentation; these keep it true.
TEST(ConfigExample, LoadsAndListsEveryKeyWithItsDefault) {
  const fs::path example = fs::path(NADAJNIK_SOURCE_DIR) / "etc" / "nadajnik.example.toml";
  auto config = LoadConfig({example, {}, {}});
  ASSERT_TRUE(config) << config.error().message;

  const toml::table table = toml::parse_file(example.string());
  for (const ConfigKeyInfo& info : ConfigKeys()) {
    const auto node = table.at_path(info.key);
    ASSERT_TRUE(node) << info.key << " is missing from " << example;
    std::string shown;
    if (const auto* s = node.as_string()) shown = s->get();
    if (const auto* i = node.as_integer()) shown = std::to_string(i->get());
    if (const auto* b = node.as_boolean()) shown = b->get() ? "true" : "false";
    EXPECT_EQ(shown, info.default_value) << info.key << " in " << example;
  }
}

}  // namespace
}  // namespace nadajnik::app
