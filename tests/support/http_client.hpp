// HttpClient: a small libcurl client for tests that talk to a real server over loopback.
//
// Each client has its own connection cache (keep-alive) and its own in-memory cookie jar, so
// cookies set by one response are sent with the next request of the same client, like a
// browser. It never follows redirects (tests check the Location themselves), ignores proxy
// environment variables and gives up after 30 s. Not thread-safe: one client per thread.
// A transport failure (refused, timeout) is reported as status 0 with `error` set.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nadajnik::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  long status = 0;  // 0: no HTTP answer, see error
  HttpHeaders headers;
  std::string body;
  std::string error;  // curl's message when status is 0

  // The first header with this name (case-insensitive), or "" if absent.
  std::string Header(std::string_view name) const;
  // Every header with this name, in order (e.g. all Set-Cookie lines).
  std::vector<std::string> Headers(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Get(const std::string& url, const HttpHeaders& headers = {});
  // application/x-www-form-urlencoded
  HttpResult PostForm(const std::string& url,
                      const std::vector<std::pair<std::string, std::string>>& fields,
                      const HttpHeaders& headers = {});
  HttpResult PostJson(const std::string& url, const std::string& body,
                      const HttpHeaders& headers = {});
  // Any method; `body` is sent as is when not empty (set Content-Type in `headers`).
  HttpResult Request(const std::string& method, const std::string& url,
                     const HttpHeaders& headers = {}, const std::string& body = {});

  // The value of a cookie in this client's jar, whatever its domain and path.
  std::optional<std::string> Cookie(std::string_view name) const;
  void ClearCookies();
  // How many new connections the last request opened: 0 means it reused one (keep-alive).
  long LastNewConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace nadajnik::testing
