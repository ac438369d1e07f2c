// Secret<T>: a value that must never reach a log, an error message or API output.
// It has no stream operator and formats as "***" through fmt; reading it needs an explicit
// Reveal() call, which is easy to grep for in review.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>

namespace nadajnik {

template <typename T = std::string>
class Secret {
 public:
  Secret() = default;
  explicit Secret(T value) : value_(std::move(value)) {}
  const T& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  T value_{};
};

}  // namespace nadajnik

template <typename T>
struct fmt::formatter<nadajnik::Secret<T>> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const nadajnik::Secret<T>&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
