#include "support/nadajnik_instance.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "store/connection_pool.hpp"

namespace nadajnik::testing {

NadajnikInstance::NadajnikInstance(std::optional<std::string> database_url)
    : data_(std::make_unique<TempDir>("nadajnik-it")), database_url_(std::move(database_url)) {}

NadajnikInstance::~NadajnikInstance() {
  store_.reset();
  if (server_) {
    server_->Kill(SIGKILL);
    server_->Wait(std::chrono::seconds(10));
  }
}

std::vector<std::string> NadajnikInstance::CommonFlags() const {
  std::vector<std::string> flags = {"--data-dir", data_->path().string()};
  if (database_url_) {
    flags.push_back("--database");
    flags.push_back(*database_url_);
  }
  return flags;
}

CliResult NadajnikInstance::Cli(std::vector<std::string> args,
                                std::optional<std::string> stdin_text, const Env& env) const {
  static int counter = 0;
  const auto out_path = data_->path() / ("cli-" + std::to_string(++counter) + ".out");
  const auto err_path = data_->path() / ("cli-" + std::to_string(counter) + ".err");
  ProcessOptions options;
  options.argv = {NADAJNIK_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  // Global flags go after the subcommand path, which every command accepts.
  for (const auto& f : CommonFlags()) options.argv.push_back(f);
  options.env = env;
  options.stdin_text = stdin_text ? stdin_text : std::optional<std::string>("");
  options.stdout_path = out_path;
  options.stderr_path = err_path;
  Process p(options);
  CliResult r;
  r.exit_code = p.Wait(std::chrono::seconds(120)).value_or(-1);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

void NadajnikInstance::AddUser(const std::string& username, const std::string& password,
                               const std::string& role) {
  auto r = Cli({"users", "add", username, "--role", role}, password + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
}

bool NadajnikInstance::Start(const Env& env, const std::string& command) {
  port_ = FreePort();
  ProcessOptions options;
  options.argv = {NADAJNIK_BINARY, command, "--listen", "127.0.0.1:" + std::to_string(port_)};
  for (const auto& f : CommonFlags()) options.argv.push_back(f);
  options.env = {{"NADAJNIK_LOG_FILE", log_path().string()},
                 {"NADAJNIK_JOBS_POLL_INTERVAL_MS", "50"}};
  for (const auto& e : env) options.env.push_back(e);
  options.stdout_path = stdout_path();
  options.stderr_path = data_->path() / "server.err";
  server_ = std::make_unique<Process>(options);
  return WaitForHttp(Url("/healthz"), std::chrono::seconds(60));
}

void NadajnikInstance::Kill(int sig) {
  if (server_) server_->Kill(sig);
}

std::optional<int> NadajnikInstance::Wait(std::chrono::milliseconds timeout) {
  if (!server_) return std::nullopt;
  return server_->Wait(timeout);
}

std::string NadajnikInstance::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string NadajnikInstance::Log() const {
  return ReadFile(log_path()) + ReadFile(data_->path() / "server.err");
}

std::string NadajnikInstance::AllDataBytes() const {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_->path())) {
    if (entry.is_regular_file()) all += ReadFile(entry.path());
  }
  return all;
}

store::Store& NadajnikInstance::store() {
  if (!store_) {
    auto box = security::SecretBox::LoadOrCreate(data_->path() / "secret.key");
    if (!box) throw std::runtime_error(box.error().Describe());
    secrets_ = std::make_unique<security::SecretBox>(*box);
    store::DatabaseOptions options;
    options.url = database_url_.value_or("");
    options.sqlite_path = data_->path() / "nadajnik.db";
    options.pool_size = 2;
    auto opened = store::OpenStore(options, *secrets_);
    if (!opened) throw std::runtime_error(opened.error().Describe());
    store_ = std::move(*opened);
  }
  return *store_;
}

}  // namespace nadajnik::testing
