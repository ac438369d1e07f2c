// Process: a child process for tests (the nadajnik binary, the sandbox), started with
// posix_spawn.
//
// The child gets argv (argv[0] is looked up in PATH when it has no '/'), the parent's
// environment plus `env` (which overrides), `stdin_text` on its standard input (then closed;
// /dev/null without it) and its stdout/stderr in the given files (inherited when empty).
// The constructor throws std::system_error if the program can't be started. The destructor
// SIGKILLs and reaps a child that is still running. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace nadajnik::testing {

struct ProcessOptions {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> stdin_text;
  std::filesystem::path stdout_path;  // truncated; empty: inherit the test's stdout
  std::filesystem::path stderr_path;  // truncated; may equal stdout_path; empty: inherit
};

class Process {
 public:
  explicit Process(ProcessOptions options);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` unless the child was already reaped.
  void Kill(int sig);
  // The exit code once the child ended within `timeout` (128 + signal number if a signal
  // killed it), or nullopt if it is still running. Safe to call again after it returned a code.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::thread stdin_writer_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, released).
std::uint16_t FreePort();

// Polls `url` until any HTTP answer arrives (whatever its status); false after `timeout`.
bool WaitForHttp(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace nadajnik::testing
