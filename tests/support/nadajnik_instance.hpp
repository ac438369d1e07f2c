// NadajnikInstance: the real `nadajnik` binary in a child process, for integration tests.
//
// Each instance has its own data folder (SQLite file, key file), a free loopback port and a log
// file; Cli() runs one-shot commands against the same data. With a PostgreSQL URL, every command
// gets --database. Start() waits until /healthz answers; the destructor kills the server.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "security/secret_box.hpp"
#include "store/store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class NadajnikInstance {
 public:
  using Env = std::vector<std::pair<std::string, std::string>>;

  explicit NadajnikInstance(std::optional<std::string> database_url = std::nullopt);
  ~NadajnikInstance();

  CliResult Cli(std::vector<std::string> args, std::optional<std::string> stdin_text = {},
                const Env& env = {}) const;
  // Adds a user through the CLI (password on stdin); fails the test if the command fails.
  void AddUser(const std::string& username, const std::string& password, const std::string& role);

  // `serve` (or `demo`) in the background; returns false if /healthz does not answer in time.
  bool Start(const Env& env = {}, const std::string& command = "serve");
  void Kill(int sig);
  // Waits for the server to exit; its exit code, or nullopt.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

  std::string Url(const std::string& path = "") const;
  const std::filesystem::path& data_dir() const { return data_->path(); }
  std::filesystem::path log_path() const { return data_->path() / "server.log"; }
  std::filesystem::path stdout_path() const { return data_->path() / "server.out"; }
  std::string Log() const;
  // The raw bytes of every file in the data folder (SQLite file, its WAL, the log).
  std::string AllDataBytes() const;

  // The instance's database, opened in the test process (SQLite WAL allows a reader beside the
  // server). Opened on first use.
  store::Store& store();

 private:
  std::vector<std::string> CommonFlags() const;

  std::unique_ptr<TempDir> data_;
  std::optional<std::string> database_url_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> server_;
  std::unique_ptr<security::SecretBox> secrets_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace nadajnik::testing
