// HttpServer over real loopback TCP, driven by libcurl (tests/support/http_client) and, for what
// curl won't send, by a raw socket. Also covers the test-support helpers that spawn processes
// and wait for servers.
#include "http/server/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace nadajnik::http {
namespace {

using namespace std::chrono_literals;
using nadajnik::testing::HttpClient;
using nadajnik::testing::HttpResult;

constexpr std::size_t kMaxBody = 1024;

// Sends `bytes` on a fresh connection and returns everything the server sends back until it
// closes the connection (or `timeout` passes).
std::string RawExchange(std::uint16_t port, const std::string& bytes, bool half_close = true,
                        std::chrono::milliseconds timeout = 5000ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    throw std::system_error(errno, std::generic_category(), "connect");
  }
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string received;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return received;
}

int CountOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

const std::regex kGeneratedId("[0-9a-f]{32}");

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : router_(&metrics_) {
    router_.Get("/hello", [](Request&) { return Response::Text(200, "hello"); });
    router_.Get("/echo", [](Request& request) {
      std::string body = "method=" + request.method + "\npath=" + request.path +
                         "\nremote=" + request.remote_address +
                         "\ntls=" + (request.tls ? "true" : "false") +
                         "\nid=" + request.request_id + "\n";
      for (const auto& [key, value] : request.query) body += "q:" + key + "=" + value + "\n";
      return Response::Text(200, body);
    });
    router_.Post("/echo", [](Request& request) {
      return Response::Text(
          200, std::string(request.Header("Content-Type").value_or("")) + "|" + request.body);
    });
    router_.Get("/orders/{id}", [](Request& request) {
      return Response::Text(200, "order " + *request.PathParam("id"));
    });
    router_.Get("/throw", [](Request&) -> Response {
      throw std::runtime_error("database password is hunter2");
    });
    router_.Get("/slow", [this](Request&) {
      slow_entered_ = true;
      std::this_thread::sleep_for(300ms);
      return Response::Text(200, "slow");
    });
    // Waits (up to 5 s) until four requests are inside a handler at the same time.
    router_.Get("/parallel", [this](Request&) {
      const int now = ++in_flight_;
      int seen = max_in_flight_.load();
      while (seen < now && !max_in_flight_.compare_exchange_weak(seen, now)) {
      }
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      while (max_in_flight_.load() < 4 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
      }
      --in_flight_;
      return Response::Text(200, "parallel");
    });
    router_.Get("/login", [](Request&) {
      Response response = Response::Redirect("/whoami");
      response.SetCookie({.name = "session", .value = "abc"});
      return response;
    });
    router_.Get("/whoami", [](Request& request) {
      return Response::Text(200, request.Cookie("session").value_or("anonymous"));
    });
    router_.Get("/framed", [](Request&) {
      Response response = Response::Html(200, "<p>embeddable</p>");
      response.SetHeader("X-Frame-Options", "SAMEORIGIN");
      return response;
    });
    router_.Get("/inject", [](Request&) {
      Response response = Response::Text(200, "ok");
      // Bypasses SetHeader on purpose: the server must still not split the response.
      response.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: admin=1");
      response.headers.emplace_back("Bad Name", "x");
      response.headers.emplace_back("Content-Length", "9999");
      return response;
    });
    router_.Get("/empty", [](Request&) { return Response::Text(204, "ignored"); });
  }

  ~HttpServerTest() override {
    if (server_) server_->Stop();
  }

  void StartServer(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = kMaxBody;
    if (options.read_timeout_seconds == 30) options.read_timeout_seconds = 5;
    server_ = std::make_unique<HttpServer>(
        options, [this](Request& request) { return router_.Dispatch(request); });
    const Result<void> started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().Describe();
    ASSERT_NE(server_->port(), 0);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  observability::Metrics metrics_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> slow_entered_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

TEST_F(HttpServerTest, ServesRequestsWithSecurityHeadersAndARequestId) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Get(Url("/hello"));
  ASSERT_EQ(result.status, 200) << result.error;
  EXPECT_EQ(result.body, "hello");
  EXPECT_EQ(result.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(result.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(result.Header("Referrer-Policy"), "same-origin");
  EXPECT_EQ(result.Header("X-Frame-Options"), "DENY");
  EXPECT_TRUE(std::regex_match(result.Header("X-Request-Id"), kGeneratedId))
      << result.Header("X-Request-Id");
  EXPECT_NE(client.Get(Url("/hello")).Header("X-Request-Id"), result.Header("X-Request-Id"));
}

TEST_F(HttpServerTest, SecurityHeadersSetByTheHandlerWin) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Get(Url("/framed"));
  EXPECT_EQ(result.Headers("X-Frame-Options"), std::vector<std::string>{"SAMEORIGIN"});
  EXPECT_EQ(result.Header("X-Content-Type-Options"), "nosniff");
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  HttpClient client;
  ASSERT_EQ(client.Get(Url("/hello")).status, 200);
  EXPECT_EQ(client.LastNewConnections(), 1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(client.Get(Url("/orders/" + std::to_string(i))).body, "order " + std::to_string(i));
    EXPECT_EQ(client.LastNewConnections(), 0) << "request " << i << " opened a new connection";
  }
  ASSERT_EQ(client.PostJson(Url("/echo"), "{}").status, 200);
  EXPECT_EQ(client.LastNewConnections(), 0);
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405) {
  StartServer();
  HttpClient client;
  const HttpResult missing = client.Get(Url("/missing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_FALSE(missing.Header("X-Request-Id").empty());
  const HttpResult wrong = client.Request("DELETE", Url("/hello"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, BodyUpToTheLimitIsServedAndLargerIs413) {
  StartServer();
  HttpClient client;
  const std::string at_limit(kMaxBody, 'x');
  const HttpResult ok =
      client.Request("POST", Url("/echo"), {{"Content-Type", "text/plain"}}, at_limit);
  ASSERT_EQ(ok.status, 200) << ok.error;
  EXPECT_EQ(ok.body, "text/plain|" + at_limit);

  const HttpResult too_big =
      client.Request("POST", Url("/echo"), {{"Content-Type", "text/plain"}}, at_limit + "y");
  EXPECT_EQ(too_big.status, 413) << too_big.error;
  EXPECT_FALSE(too_big.Header("X-Request-Id").empty());
  EXPECT_EQ(client.Get(Url("/hello")).status, 200) << "the client recovers on a new connection";
}

TEST_F(HttpServerTest, OversizedBodySentWithoutWaitingStillGets413) {
  StartServer();
  const std::string body(64 * 1024, 'z');
  const std::string reply =
      RawExchange(server_->port(),
                  "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                  "Content-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply.substr(0, 200);

  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) chunked += "200\r\n" + std::string(512, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  const std::string chunked_reply = RawExchange(server_->port(), chunked);
  EXPECT_TRUE(chunked_reply.starts_with("HTTP/1.1 413")) << chunked_reply.substr(0, 200);
}

TEST_F(HttpServerTest, HeadersOver16KiBAre431) {
  StartServer();
  HttpClient client;
  const HttpResult big = client.Get(Url("/hello"), {{"X-Big", std::string(20 * 1024, 'h')}});
  EXPECT_EQ(big.status, 431) << big.error;
  const HttpResult fine = client.Get(Url("/hello"), {{"X-Big", std::string(12 * 1024, 'h')}});
  EXPECT_EQ(fine.status, 200) << fine.error;
}

TEST_F(HttpServerTest, SaneRequestIdsAreEchoedOthersReplaced) {
  StartServer();
  HttpClient client;
  const HttpResult echoed = client.Get(Url("/echo"), {{"X-Request-Id", "abc-123.X_y"}});
  EXPECT_EQ(echoed.Header("X-Request-Id"), "abc-123.X_y");
  EXPECT_NE(echoed.body.find("\nid=abc-123.X_y\n"), std::string::npos) << echoed.body;

  for (const std::string& insane :
       {std::string("has space"), std::string(65, 'a'), std::string("<script>"),
        std::string("id\"quote"), std::string("ż")}) {
    const HttpResult replaced = client.Get(Url("/echo"), {{"X-Request-Id", insane}});
    const std::string id = replaced.Header("X-Request-Id");
    EXPECT_TRUE(std::regex_match(id, kGeneratedId)) << insane << " -> " << id;
    EXPECT_NE(replaced.body.find("\nid=" + id + "\n"), std::string::npos);
  }
  const HttpResult longest = client.Get(Url("/hello"), {{"X-Request-Id", std::string(64, 'b')}});
  EXPECT_EQ(longest.Header("X-Request-Id"), std::string(64, 'b'));
}

TEST_F(HttpServerTest, PathIsPercentDecodedAndBadEncodingsAre400) {
  StartServer();
  HttpClient client;
  EXPECT_EQ(client.Get(Url("/orders/a%20b")).body, "order a b");
  EXPECT_EQ(client.Get(Url("/orders/%C5%BC%C3%B3%C5%82w")).body, "order żółw");
  EXPECT_EQ(client.Get(Url("/h%65llo")).body, "hello");
  for (const std::string bad : {"/hello%zz", "/hello%4", "/hello%", "/a%00b", "/orders/%0a",
                                "/caf%C3", "/%2e%2e/hello", "/../hello", "/./hello"}) {
    const HttpResult result = client.Get(Url(bad));
    EXPECT_EQ(result.status, 400) << bad << ": " << result.error << result.body;
    EXPECT_FALSE(result.Header("X-Request-Id").empty()) << bad;
    EXPECT_EQ(result.Header("X-Frame-Options"), "DENY") << bad;
  }
}

TEST_F(HttpServerTest, QueryIsDecodedAndBadQueriesAre400) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Get(Url("/echo?q=a+b&q=c%26d&empty=&flag&&pipe=x|y&pl=%C5%BC"));
  ASSERT_EQ(result.status, 200) << result.error;
  EXPECT_NE(result.body.find("path=/echo\n"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("q:q=a b\nq:q=c&d\n"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("q:empty=\n"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("q:flag=\n"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("q:pipe=x|y\n"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("q:pl=ż\n"), std::string::npos) << result.body;
  EXPECT_EQ(client.Get(Url("/echo?bad=%zz")).status, 400);
}

TEST_F(HttpServerTest, RequestsRunConcurrentlyOnTheServerThreads) {
  ServerOptions options;
  options.threads = 4;
  StartServer(options);
  // Each handler waits until four are running at once: only true parallelism lets them meet.
  std::vector<std::thread> parallel;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    parallel.emplace_back([&] {
      HttpClient client;
      if (client.Get(Url("/parallel")).status == 200) ++ok;
    });
  }
  for (auto& thread : parallel) thread.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(max_in_flight_.load(), 4);

  std::vector<std::thread> many;
  std::atomic<int> served{0};
  for (int t = 0; t < 8; ++t) {
    many.emplace_back([&, t] {
      HttpClient client;
      for (int i = 0; i < 25; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        const HttpResult result = client.Get(Url("/orders/" + id), {{"X-Request-Id", id}});
        if (result.status == 200 && result.body == "order " + id &&
            result.Header("X-Request-Id") == id) {
          ++served;
        }
      }
    });
  }
  for (auto& thread : many) thread.join();
  EXPECT_EQ(served.load(), 8 * 25);
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithTheRequestIdAndNoDetails) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Get(Url("/throw"));
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.body.find(result.Header("X-Request-Id")), std::string::npos) << result.body;
  EXPECT_EQ(result.body.find("hunter2"), std::string::npos);
  EXPECT_EQ(client.Get(Url("/hello")).status, 200) << "the server keeps serving";
}

TEST_F(HttpServerTest, ExceptionEscapingTheHandlerItselfIs500) {
  server_ = std::make_unique<HttpServer>(
      ServerOptions{.address = "127.0.0.1", .port = 0, .threads = 1},
      [](Request&) -> Response { throw std::logic_error("no router here"); });
  ASSERT_TRUE(server_->Start().has_value());
  HttpClient client;
  const HttpResult result = client.Get(Url("/anything"));
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.body.find(result.Header("X-Request-Id")), std::string::npos);
  EXPECT_EQ(result.body.find("no router"), std::string::npos);
}

TEST_F(HttpServerTest, HeadGetsTheHeadersOfGetWithoutTheBody) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Request("HEAD", Url("/hello"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(result.Header("Content-Length"), "5");
  EXPECT_EQ(client.Get(Url("/hello")).body, "hello") << "the connection is still in sync";
  EXPECT_EQ(client.LastNewConnections(), 0);
}

TEST_F(HttpServerTest, NoContentHasNoBody) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Get(Url("/empty"));
  EXPECT_EQ(result.status, 204);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(client.Get(Url("/hello")).body, "hello");
}

TEST_F(HttpServerTest, HandlerHeadersCannotSplitTheResponseOrBreakFraming) {
  StartServer();
  HttpClient client;
  const HttpResult result = client.Get(Url("/inject"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok");
  EXPECT_EQ(result.Header("Content-Length"), "2");
  EXPECT_TRUE(result.Header("Set-Cookie").empty());
  EXPECT_EQ(result.Header("X-Evil"), "aSet-Cookie: admin=1");
  EXPECT_EQ(client.Get(Url("/hello")).body, "hello");
}

TEST_F(HttpServerTest, ClientCookieJarPersistsBetweenCalls) {
  StartServer();
  HttpClient client;
  const HttpResult login = client.Get(Url("/login"));
  EXPECT_EQ(login.status, 303) << "redirects are not followed";
  EXPECT_EQ(login.Header("Location"), "/whoami");
  EXPECT_EQ(client.Cookie("session"), "abc");
  EXPECT_EQ(client.Get(Url("/whoami")).body, "abc");

  HttpClient stranger;
  EXPECT_EQ(stranger.Get(Url("/whoami")).body, "anonymous");
  EXPECT_FALSE(stranger.Cookie("session").has_value());
  client.ClearCookies();
  EXPECT_EQ(client.Get(Url("/whoami")).body, "anonymous");
}

TEST_F(HttpServerTest, ProxyHeadersAreIgnoredUnlessTrusted) {
  StartServer();
  HttpClient client;
  const testing::HttpHeaders forwarded = {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9"},
                                          {"X-Forwarded-Proto", "https"}};
  const HttpResult direct = client.Get(Url("/echo"), forwarded);
  EXPECT_NE(direct.body.find("remote=127.0.0.1\ntls=false\n"), std::string::npos) << direct.body;
  server_->Stop();

  ServerOptions trusted;
  trusted.trust_proxy_headers = true;
  StartServer(trusted);
  const HttpResult proxied = client.Get(Url("/echo"), forwarded);
  EXPECT_NE(proxied.body.find("remote=203.0.113.9\ntls=true\n"), std::string::npos)
      << "the right-most entry is the proxy's: " << proxied.body;
  const HttpResult garbage = client.Get(Url("/echo"), {{"X-Forwarded-For", "1.2.3.4, not-an-ip"}});
  EXPECT_NE(garbage.body.find("remote=127.0.0.1\ntls=false\n"), std::string::npos) << garbage.body;
}

TEST_F(HttpServerTest, StopIsIdempotentAndClosesTheListener) {
  StartServer();
  const std::string url = Url("/hello");
  HttpClient client;
  ASSERT_EQ(client.Get(url).status, 200);
  server_->Stop();
  server_->Stop();
  const HttpResult after = client.Get(url);
  EXPECT_EQ(after.status, 0) << "nothing listens any more";
  EXPECT_FALSE(after.error.empty());
  EXPECT_FALSE(server_->Start().has_value()) << "a stopped server doesn't restart";
}

TEST_F(HttpServerTest, StopLetsARequestInFlightFinish) {
  StartServer();
  HttpResult result;
  std::thread request([&] {
    HttpClient client;
    result = client.Get(Url("/slow"));
  });
  while (!slow_entered_) std::this_thread::sleep_for(1ms);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  request.join();
  EXPECT_EQ(result.status, 200) << result.error;
  EXPECT_EQ(result.body, "slow");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  StartServer();
  HttpClient client;
  ASSERT_EQ(client.Get(Url("/hello")).status, 200);  // leaves an idle keep-alive connection
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(HttpServerTest, StartReportsUnusableAddresses) {
  StartServer();
  HttpServer same_port({.address = "127.0.0.1", .port = server_->port()},
                       [](Request&) { return Response::Text(200, ""); });
  const Result<void> busy = same_port.Start();
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(busy.error().message.find(std::to_string(server_->port())), std::string::npos);

  HttpServer bad_address({.address = "localhost:80", .port = 0},
                         [](Request&) { return Response::Text(200, ""); });
  const Result<void> bad = bad_address.Start();
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

  const Result<void> again = server_->Start();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(HttpServerTest, ExpectContinueIsAnsweredWithoutDelay) {
  StartServer();
  HttpClient client;
  const auto start = std::chrono::steady_clock::now();
  const HttpResult result = client.Request(
      "POST", Url("/echo"), {{"Content-Type", "text/plain"}, {"Expect", "100-continue"}}, "data");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "text/plain|data");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 800ms) << "curl waited for 100 Continue";
}

TEST_F(HttpServerTest, WireLevelParsingPipeliningAndHttp10) {
  StartServer();
  const std::string garbage = RawExchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
  EXPECT_NE(garbage.find("X-Request-Id: "), std::string::npos) << garbage;

  const std::string pipelined =
      RawExchange(server_->port(),
                  "GET /orders/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /orders/2 HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\n\r\n");
  EXPECT_EQ(CountOccurrences(pipelined, "HTTP/1.1 200 OK"), 2) << pipelined;
  EXPECT_LT(pipelined.find("order 1"), pipelined.find("order 2")) << pipelined;

  const std::string http10 = RawExchange(server_->port(), "GET /hello HTTP/1.0\r\n\r\n",
                                         /*half_close=*/false);
  EXPECT_TRUE(http10.starts_with("HTTP/1.0 200")) << http10;
  EXPECT_TRUE(http10.ends_with("hello")) << "closed after one response: " << http10;
}

TEST_F(HttpServerTest, IdleConnectionsAreClosedAfterTheReadTimeout) {
  ServerOptions options;
  options.read_timeout_seconds = 1;
  StartServer(options);
  const auto start = std::chrono::steady_clock::now();
  const std::string reply = RawExchange(server_->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n",
                                        /*half_close=*/false, 5000ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(reply, "") << "an unfinished request gets no answer";
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpServerTest, LogsOneLinePerRequestWithoutQueryOrBody) {
  testing::TempDir dir;
  const auto path = dir.path() / "server.log";
  log::Init(log::Format::kJson, log::Level::kInfo, path.string());
  StartServer();
  HttpClient client;
  client.Get(Url("/echo?token=hunter2"), {{"X-Request-Id", "log-line-1"}});
  client.PostJson(Url("/echo"), "{\"password\":\"hunter3\"}", {{"X-Request-Id", "log-line-2"}});
  client.Get(Url("/bad%zz?token=hunter4"), {{"X-Request-Id", "log-line-3"}});
  server_->Stop();
  log::Init(log::Format::kText, log::Level::kInfo);

  const std::string text = testing::ReadFile(path);
  EXPECT_EQ(text.find("hunter"), std::string::npos) << text;
  std::map<std::string, boost::json::object> by_id;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const boost::json::object object = boost::json::parse(line).as_object();
    if (object.at("event").as_string() != "http.request") continue;
    by_id[std::string(object.at("request_id").as_string())] = object;
  }
  ASSERT_EQ(by_id.count("log-line-1"), 1u) << text;
  const boost::json::object& first = by_id["log-line-1"];
  EXPECT_EQ(first.at("method").as_string(), "GET");
  EXPECT_EQ(first.at("path").as_string(), "/echo");
  EXPECT_EQ(first.at("status").as_int64(), 200);
  EXPECT_TRUE(first.at("ms").is_number());
  ASSERT_EQ(by_id.count("log-line-2"), 1u);
  EXPECT_EQ(by_id["log-line-2"].at("method").as_string(), "POST");
  ASSERT_EQ(by_id.count("log-line-3"), 1u) << "rejected requests are logged too";
  EXPECT_EQ(by_id["log-line-3"].at("status").as_int64(), 400);
  EXPECT_EQ(by_id["log-line-3"].at("path").as_string(), "/bad%zz");
}

TEST_F(HttpServerTest, RouterMetricsCountServedRequests) {
  StartServer();
  HttpClient client;
  client.Get(Url("/hello"));
  client.Get(Url("/hello"));
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(
      text.find("nadajnik_http_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 2"),
      std::string::npos)
      << text;
}

// tests/support: the helpers integration tests start servers and processes with.

TEST(HttpTestSupportTest, FreePortCanBeListenedOnAndWaitForHttpSeesTheServer) {
  const std::uint16_t port = testing::FreePort();
  ASSERT_NE(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  EXPECT_FALSE(testing::WaitForHttp(url, 200ms)) << "nothing listens yet";
  HttpServer server({.address = "127.0.0.1", .port = port},
                    [](Request&) { return Response::Text(404, "none"); });
  ASSERT_TRUE(server.Start().has_value());
  EXPECT_EQ(server.port(), port);
  EXPECT_TRUE(testing::WaitForHttp(url, 5s)) << "a 404 is an answer";
}

TEST(HttpTestSupportTest, ProcessGetsArgvEnvAndStdinAndRedirectsOutput) {
  testing::TempDir dir;
  testing::ProcessOptions options;
  options.argv = {"sh", "-c",
                  "read line; echo \"got $line $NADAJNIK_TEST_VAR $1\"; "
                  "echo oops >&2; exit 3",
                  "sh", "arg1"};
  options.env = {{"NADAJNIK_TEST_VAR", "from-env"}};
  options.stdin_text = "hello\n";
  options.stdout_path = dir.path() / "out.txt";
  options.stderr_path = dir.path() / "err.txt";
  testing::Process process(options);
  EXPECT_GT(process.pid(), 0);
  EXPECT_EQ(process.Wait(10s), 3);
  EXPECT_EQ(process.Wait(0ms), 3) << "the exit code is remembered";
  EXPECT_EQ(testing::ReadFile(dir.path() / "out.txt"), "got hello from-env arg1\n");
  EXPECT_EQ(testing::ReadFile(dir.path() / "err.txt"), "oops\n");
}

TEST(HttpTestSupportTest, ProcessCanBeSignalledAndIsKilledOnDestruction) {
  testing::Process sleeper({.argv = {"sleep", "30"}});
  EXPECT_FALSE(sleeper.Wait(50ms).has_value());
  sleeper.Kill(SIGTERM);
  EXPECT_EQ(sleeper.Wait(10s), 128 + SIGTERM);

  pid_t pid = 0;
  {
    testing::Process forgotten({.argv = {"sleep", "30"}});
    pid = forgotten.pid();
    EXPECT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1) << "killed and reaped by the destructor";
  EXPECT_EQ(errno, ESRCH);

  EXPECT_THROW(testing::Process({.argv = {"/nonexistent/nadajnik-binary"}}), std::system_error);
}

}  // namespace
}  // namespace nadajnik::http
