// HttpServer: HTTP/1.1 over TCP (Boost.Beast on Asio), the only Beast code in Nadajnik.
//
// Start() binds and listens (port 0 picks a free port; port() tells which) and serves on
// `threads` threads until Stop(). Keep-alive is supported; every read has a timeout; headers
// over 16 KiB or a body over max_body_bytes are refused (431/413) before the handler runs.
// The handler is called for every parsed request, concurrently from several threads.
// Each response gets X-Request-Id, and the server logs one line per request
// (method, path, status, duration, request id; never the query or body).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/router.hpp"

namespace nadajnik::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 4;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  int read_timeout_seconds = 30;
  // Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy (set only behind one).
  bool trust_proxy_headers = false;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();

  Result<void> Start();
  void Stop();  // idempotent; waits for the threads
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nadajnik::http
