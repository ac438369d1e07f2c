// The one place that maps error codes to HTTP statuses, and the JSON shape of an API error.
//
// kInvalidArgument is 422: the request was well-formed but its content failed validation (a
// malformed request, such as JSON that doesn't parse, is answered 400 by the handler itself).
// ErrorJson() shows only the code, the message (safe to show by the Error contract) and the
// request id; details stay in the logs. Pure functions, thread-safe.
#pragma once

#include <string>

#include "core/result.hpp"
#include "http/request.hpp"

namespace nadajnik::http {

int HttpStatusFor(ErrorCode code);

// {"error":{"code":"not_found","message":"...","requestId":"..."}} with the status of the code,
// and Retry-After (whole seconds, rounded up) when the error has retry_after.
Response ErrorJson(const Error& error, const std::string& request_id);

}  // namespace nadajnik::http
