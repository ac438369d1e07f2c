#include "http/error_status.hpp"

#include <algorithm>
#include <cstdio>

#include "core/text.hpp"

namespace nadajnik::http {
namespace {

// Boost.JSON is not a dependency of nadajnik_http; three string fields don't justify one.
void AppendJsonString(std::string& out, std::string_view text) {
  // A message may quote user input; invalid UTF-8 would make the whole document invalid JSON.
  std::string sanitized;
  if (!IsValidUtf8(text)) {
    for (char c : text) sanitized += static_cast<unsigned char>(c) < 0x80 ? c : '?';
    text = sanitized;
  }
  out += '"';
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", u);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorJson(const Error& error, const std::string& request_id) {
  std::string body = "{\"error\":{\"code\":";
  AppendJsonString(body, ErrorCodeName(error.code));
  body += ",\"message\":";
  AppendJsonString(body, error.message);
  body += ",\"requestId\":";
  AppendJsonString(body, request_id);
  body += "}}";
  Response response = Response::Json(HttpStatusFor(error.code), std::move(body));
  if (error.retry_after) {
    const auto ms = std::max<long long>(0, error.retry_after->count());
    response.SetHeader("Retry-After", std::to_string((ms + 999) / 1000));
  }
  return response;
}

}  // namespace nadajnik::http
