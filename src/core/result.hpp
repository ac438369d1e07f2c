// Result<T>: the return type of every operation that can fail in an expected way.
//
// Contract: an Error carries a stable code (mapped to HTTP statuses in http/error_status.cpp),
// a message that is safe to show to a seller and says what to do, optional details for logs
// (never secrets), and whether the caller may retry (and after how long). Exceptions are for
// bugs only and are caught at three edges: the HTTP session, the job runner and main().
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace nadajnik {

enum class ErrorCode {
  kInvalidArgument,     // the input is wrong; the message names the field
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a unique thing exists already
  kConflict,            // a stale revision or a concurrent change
  kFailedPrecondition,  // the state does not allow this action now
  kUnauthenticated,     // no or bad credentials
  kPermissionDenied,    // authenticated, but not allowed
  kRateLimited,         // too many requests; see retry_after
  kUnavailable,         // a remote service or the database is unreachable; retry
  kInternal,            // a bug or an unexpected state
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // safe to show; says what is wrong and what to do
  std::string details;  // for logs and operators; never contains secrets
  bool retryable = false;
  std::optional<std::chrono::milliseconds> retry_after;

  // "code: message (details)", for logs.
  std::string Describe() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Unexpected = tl::unexpected<Error>;

inline Unexpected Fail(ErrorCode code, std::string message, std::string details = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.details = std::move(details);
  e.retryable = code == ErrorCode::kUnavailable || code == ErrorCode::kRateLimited;
  return Unexpected(std::move(e));
}

inline Unexpected Fail(Error error) { return Unexpected(std::move(error)); }

inline Result<void> Ok() { return {}; }

}  // namespace nadajnik

// Propagates an error from an expression returning Result<...>; evaluates to nothing.
#define NADAJNIK_TRY(expr)                                                                       \
  do {                                                                                           \
    auto nadajnik_try_result_ = (expr);                                                          \
    if (!nadajnik_try_result_) return ::nadajnik::Fail(std::move(nadajnik_try_result_).error()); \
  } while (0)

// Declares `lhs` from an expression returning Result<T>, or returns its error.
#define NADAJNIK_ASSIGN_OR_RETURN(lhs, expr) \
  NADAJNIK_ASSIGN_OR_RETURN_IMPL(NADAJNIK_CONCAT(r_, __LINE__), lhs, expr)
#define NADAJNIK_CONCAT_INNER(a, b) a##b
#define NADAJNIK_CONCAT(a, b) NADAJNIK_CONCAT_INNER(a, b)
#define NADAJNIK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)       \
  auto tmp = (expr);                                         \
  if (!tmp) return ::nadajnik::Fail(std::move(tmp).error()); \
  lhs = std::move(*tmp)
