// Eventually: waits until `check` holds, polling every 50 ms; false once `timeout` has passed
// (checked one last time at the end). For tests that watch another process catch up.
#pragma once

#include <chrono>
#include <thread>

namespace nadajnik::testing {

template <typename F>
bool Eventually(F check, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return check();
}

}  // namespace nadajnik::testing
