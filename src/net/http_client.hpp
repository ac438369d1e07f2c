// HttpClient: outbound HTTP(S) for the marketplace and carrier clients (libcurl underneath).
//
// Send() performs one request and returns the response whatever its status; only transport
// failures (DNS, connect, TLS, timeout, a response over the size cap) are errors, as kUnavailable
// with retryable set. Base URLs come from settings; this layer adds nothing to the URL.
// Bodies from remote services are untrusted: a response larger than max_response_bytes is cut
// off with an error rather than buffered without end.
// Thread-safe: one client serves every thread; each thread reuses its own curl handle, so
// keep-alive connections survive between calls on that thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base64.hpp"
#include "core/result.hpp"

namespace nadajnik::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
};

struct HttpResponse {
  int status = 0;
  Headers headers;  // names lower-cased
  std::string body;
  // First header with this name (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
  // Retry-After in seconds (0..3599); nullopt when absent, an HTTP date, or out of range.
  std::optional<std::chrono::milliseconds> RetryAfter() const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct HttpClientOptions {
  std::string user_agent = "Nadajnik";
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds connect_timeout{10000};
};

std::unique_ptr<HttpClient> MakeCurlHttpClient(HttpClientOptions options = {});

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string UrlEncode(std::string_view s);
// application/x-www-form-urlencoded / query string: "a=1&b=x%20y".
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace nadajnik::net
