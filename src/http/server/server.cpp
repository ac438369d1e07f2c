#include "http/server/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "core/text.hpp"
#include "observability/log.hpp"

namespace nadajnik::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kMaxRequestIdLength = 64;
// After an error response with unread input (413), the rest is read and dropped for a while
// before closing, so the kernel doesn't answer it with a reset that destroys the response.
constexpr std::size_t kDrainLimit = 1024 * 1024;
constexpr auto kDrainTimeout = std::chrono::seconds(2);
// Stop() lets requests in flight finish for this long.
constexpr auto kStopGrace = std::chrono::seconds(10);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return kExtra.find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

bool IsSaneRequestId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
         });
}

std::string NewRequestId() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = engine();
    for (int i = 0; i < 16; ++i, bits >>= 4) id += kHex[bits & 0xF];
  }
  return id;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strictly percent-decodes a request path. Rejects malformed escapes, NUL, control characters,
// invalid UTF-8 and "." / ".." segments (a browser never sends those; anyone else is probing).
std::optional<std::string> DecodePath(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      const int hi = HexValue(raw[i + 1]);
      const int lo = HexValue(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '#') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  for (char c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return std::nullopt;
  }
  if (!IsValidUtf8(out)) return std::nullopt;
  std::string_view rest(out);
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    const std::string_view segment = rest.substr(0, rest.find('/'));
    if (segment == "." || segment == "..") return std::nullopt;
    rest.remove_prefix(segment.size());
  }
  return out;
}

// RFC 3986 query characters. Browsers send some others unescaped ('|', '^', '{', ...): those
// are escaped before Boost.URL parses the query, instead of refusing the request.
bool IsQueryChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?%";
  return kAllowed.find(static_cast<char>(c)) != std::string_view::npos;
}

bool DecodeQuery(std::string_view raw, std::multimap<std::string, std::string>* query) {
  std::string escaped;
  escaped.reserve(raw.size());
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (IsQueryChar(u)) {
      escaped += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      escaped += '%';
      escaped += kHex[u >> 4];
      escaped += kHex[u & 0xF];
    }
  }
  // Validated first: the constructor below throws on a malformed query. (The one taking a
  // parse_query() result isn't exported by Boost 1.81's libboost_url.)
  if (!boost::urls::parse_query(escaped)) return false;
  const boost::urls::params_view params(escaped,
                                        boost::urls::encoding_opts(/*space_as_plus=*/true));
  for (const auto& param : params) {
    if (param.key.empty() && !param.has_value) continue;  // "a=1&&b=2"
    query->emplace(param.key, param.value);
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The last element of a comma-separated header: the one the trusted proxy itself added.
std::string_view LastListElement(std::string_view value) {
  const std::size_t comma = value.rfind(',');
  return Trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
}

std::string AddressString(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

std::string PathForLog(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

void LogRequest(std::string_view method, std::string_view path, int status,
                std::chrono::steady_clock::time_point start, const std::string& request_id) {
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  log::Info("http.request", {{"method", method},
                             {"path", path},
                             {"status", status},
                             {"ms", std::round(elapsed.count() * 10) / 10},
                             {"request_id", request_id}});
}

std::string_view ReasonText(int status) {
  switch (status) {
    case 400:
      return "Bad request.";
    case 413:
      return "Request body too large.";
    case 431:
      return "Request headers too large.";
    default:
      return "Error.";
  }
}

class Session;

// Everything a server owns; Session sees it, so it can't be the private HttpServer::Impl.
struct ServerState {
  ServerState(ServerOptions opts, Handler h) : options(std::move(opts)), handler(std::move(h)) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(Session* session, std::weak_ptr<Session> weak) {
    std::lock_guard lock(sessions_mu);
    sessions.emplace(session, std::move(weak));
  }
  void Unregister(Session* session) {
    std::lock_guard lock(sessions_mu);
    sessions.erase(session);
    if (sessions.empty()) sessions_cv.notify_all();
  }

  const ServerOptions options;
  const Handler handler;
  std::atomic<bool> stopping{false};

  // Declared before io_context: sessions still queued in it unregister while it is destroyed.
  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  net::strand<net::io_context::executor_type> accept_strand = net::make_strand(ioc);
  tcp::acceptor acceptor{accept_strand};
  net::steady_timer accept_retry{accept_strand};
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> port{0};

  std::mutex state_mu;
  enum class State { kNew, kRunning, kStopped } state = State::kNew;
};

// One connection: reads requests one after the other (keep-alive), runs the handler and writes
// each response. All of its work runs on its own strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState* server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = AddressString(peer.address());
  }

  ~Session() { server_->Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Posted by Stop(): an idle connection closes now, a busy one after its response.
  void Shutdown() {
    stopping_ = true;
    if (!busy_) Close();
  }

  auto executor() { return stream_.get_executor(); }

 private:
  std::chrono::seconds ReadTimeout() const {
    return std::chrono::seconds(std::max(1, server_->options.read_timeout_seconds));
  }

  void ReadHeader() {
    busy_ = false;
    if (stopping_) return Close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(ReadTimeout());
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    start_ = std::chrono::steady_clock::now();
    const auto& request = parser_->get();
    if (!parser_->is_done() && request.version() >= 11 &&
        EqualsIgnoreCase(request[bhttp::field::expect], "100-continue")) {
      // Without this the client waits (curl: 1 s) before sending the body.
      auto interim = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                          request.version());
      bhttp::async_write(stream_, *interim,
                         [self = shared_from_this(), interim](beast::error_code ec, std::size_t) {
                           if (ec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Handle();
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    Handle();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return SendError(431);
    if (ec == bhttp::error::body_limit) return SendError(413);
    const bool parse_error =
        ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    // Otherwise the peer went away, timed out or reset: nobody to answer.
    if (!parse_error) return Close();
    SendError(400);
  }

  // Answers a request the handler never sees, then closes the connection.
  void SendError(int status) {
    if (!busy_) start_ = std::chrono::steady_clock::now();
    busy_ = true;
    unread_input_ = true;
    std::string method;
    std::string path;
    if (parser_ && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      path = PathForLog(parser_->get().target());
    }
    const std::string request_id = NewRequestId();
    LogRequest(method, path, status, start_, request_id);
    Write(Response::Text(status, std::string(ReasonText(status))), request_id, 11,
          /*keep_alive=*/false, /*head=*/false);
  }

  void Handle() {
    auto& message = parser_->get();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.remote_address = remote_address_;
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    const auto request_id_header = request.Header("X-Request-Id");
    request.request_id = request_id_header && IsSaneRequestId(*request_id_header)
                             ? std::string(*request_id_header)
                             : NewRequestId();
    if (server_->options.trust_proxy_headers) ApplyProxyHeaders(request);

    const std::string_view target = request.target;
    const std::size_t question = target.find('?');
    std::optional<std::string> path = DecodePath(target.substr(0, question));
    const bool query_ok = question == std::string_view::npos ||
                          DecodeQuery(target.substr(question + 1), &request.query);

    Response response;
    if (!path || !query_ok) {
      response = Response::Text(400, "Bad request: the URL is not valid.");
      path = PathForLog(target);
    } else {
      request.path = *path;
      request.body = std::move(message.body());
      try {
        response = server_->handler(request);
      } catch (const std::exception& e) {
        log::Error("http.handler_exception",
                   {{"request_id", request.request_id}, {"path", *path}, {"error", e.what()}});
        response = Response::Text(500, "Internal server error. Request id: " + request.request_id);
      } catch (...) {
        log::Error(
            "http.handler_exception",
            {{"request_id", request.request_id}, {"path", *path}, {"error", "unknown exception"}});
        response = Response::Text(500, "Internal server error. Request id: " + request.request_id);
      }
    }
    if (response.status < 200 || response.status > 599) {
      log::Error("http.invalid_status",
                 {{"request_id", request.request_id}, {"status", response.status}});
      response = Response::Text(500, "Internal server error. Request id: " + request.request_id);
    }
    LogRequest(request.method, *path, response.status, start_, request.request_id);
    Write(std::move(response), request.request_id, message.version(),
          message.keep_alive() && !stopping_, message.method() == bhttp::verb::head);
  }

  static void ApplyProxyHeaders(Request& request) {
    // Only the right-most X-Forwarded-For entry was written by the proxy; the rest is whatever
    // the client sent. The last header counts if there are several.
    std::optional<std::string_view> forwarded_for;
    std::optional<std::string_view> forwarded_proto;
    for (const auto& [name, value] : request.headers) {
      if (EqualsIgnoreCase(name, "X-Forwarded-For")) forwarded_for = value;
      if (EqualsIgnoreCase(name, "X-Forwarded-Proto")) forwarded_proto = value;
    }
    if (forwarded_for) {
      beast::error_code ec;
      const auto address = net::ip::make_address(std::string(LastListElement(*forwarded_for)), ec);
      if (!ec) request.remote_address = AddressString(address);
    }
    if (forwarded_proto) request.tls = EqualsIgnoreCase(LastListElement(*forwarded_proto), "https");
  }

  void Write(Response response, const std::string& request_id, unsigned version, bool keep_alive,
             bool head) {
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(version);
    message->result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) {
      // Framing and the request id belong to the server; a bad name would corrupt the stream.
      if (!IsHeaderName(name) || EqualsIgnoreCase(name, "Content-Length") ||
          EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Connection") ||
          EqualsIgnoreCase(name, "X-Request-Id")) {
        continue;
      }
      std::string clean;
      for (char c : value) {
        if (c != '\r' && c != '\n' && c != '\0') clean += c;
      }
      message->insert(name, clean);
    }
    message->set("X-Request-Id", request_id);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kSecurity = {{
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "same-origin"},
        {"X-Frame-Options", "DENY"},
    }};
    for (const auto& [name, value] : kSecurity) {
      if (message->find(name) == message->end()) message->set(name, value);
    }
    const int status = response.status;
    if (status == 204 || status == 304) response.body.clear();
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    if (head) {
      // The headers of the GET, without its body.
      message->content_length(message->body().size());
      message->body().clear();
    } else {
      message->prepare_payload();
    }
    stream_.expires_after(ReadTimeout());
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                         self->OnWrite(ec, message->keep_alive());
                       });
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    if (ec) return Close();
    if (!keep_alive || stopping_) return Linger();
    ReadHeader();
  }

  // Half-closes, then reads and drops whatever the client still sends (bounded in size and
  // time) so that the response isn't lost to the reset a close with unread input causes. Only
  // needed when the request wasn't read to its end (an error) or more input is waiting.
  void Linger() {
    beast::error_code ec;
    if (!unread_input_ && buffer_.size() == 0 && stream_.socket().available(ec) == 0 && !ec) {
      return Close();
    }
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    drained_ = 0;
    stream_.expires_after(kDrainTimeout);
    DrainSome();
  }

  void DrainSome() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ >= kDrainLimit) return self->Close();
                              self->DrainSome();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  ServerState* server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_address_;
  std::chrono::steady_clock::time_point start_;
  bool busy_ = false;          // a request is being read past its header, handled or answered
  bool stopping_ = false;      // the server is stopping: no further requests on this connection
  bool unread_input_ = false;  // answered before the request was read to its end
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
};

void ServerState::Accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        beast::bind_front_handler(&ServerState::OnAccept, this));
}

void ServerState::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: back off instead of spinning.
    log::Warn("http.accept_failed", {{"error", ec.message()}});
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping.load()) Accept();
    });
    return;
  }
  auto session = std::make_shared<Session>(std::move(socket), this);
  Register(session.get(), session);
  // Checked after Register(): Stop() sets `stopping` before it walks the sessions, so each new
  // session is either seen by Stop() or dropped here.
  if (stopping.load()) return;
  session->Start();
  Accept();
}

}  // namespace

struct HttpServer::Impl : ServerState {
  using ServerState::ServerState;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Result<void> HttpServer::Start() {
  Impl& impl = *impl_;
  std::lock_guard state_lock(impl.state_mu);
  if (impl.state != Impl::State::kNew) {
    return Fail(ErrorCode::kFailedPrecondition, "The HTTP server was already started.");
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(impl.options.address, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                "The listen address \"" + impl.options.address +
                    "\" is not an IP address; use one such as 127.0.0.1 or 0.0.0.0.",
                ec.message());
  }
  const tcp::endpoint endpoint(address, impl.options.port);
  const std::string where = impl.options.address + ":" + std::to_string(impl.options.port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    return Fail(ErrorCode::kUnavailable,
                "Cannot listen on " + where + ": " + ec.message() +
                    ". Choose another address or port, or stop the program using it.",
                ec.message());
  }
  impl.port = impl.acceptor.local_endpoint().port();
  impl.work.emplace(impl.ioc.get_executor());
  impl.Accept();
  const int threads = std::max(1, impl.options.threads);
  for (int i = 0; i < threads; ++i) {
    impl.threads.emplace_back([&impl] {
      for (;;) {
        try {
          impl.ioc.run();
          return;
        } catch (const std::exception& e) {
          // A bug in our own code on a server thread: log it and keep serving.
          log::Error("http.server_thread_exception", {{"error", e.what()}});
        }
      }
    });
  }
  impl.state = Impl::State::kRunning;
  log::Info("http.listening", {{"address", impl.options.address}, {"port", impl.port.load()}});
  return Ok();
}

// Must not be called from a handler: it waits for the server threads.
void HttpServer::Stop() {
  Impl& impl = *impl_;
  std::lock_guard state_lock(impl.state_mu);
  if (impl.state != Impl::State::kRunning) {
    impl.state = Impl::State::kStopped;
    return;
  }
  impl.state = Impl::State::kStopped;
  impl.stopping = true;
  net::post(impl.accept_strand, [&impl] {
    beast::error_code ec;
    impl.acceptor.close(ec);
    impl.accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl.sessions_mu);
    for (auto& [raw, weak] : impl.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  // Outside the lock: dropping the last reference to a session unregisters it.
  for (auto& session : live) {
    net::post(session->executor(), [session] { session->Shutdown(); });
  }
  live.clear();
  {
    std::unique_lock lock(impl.sessions_mu);
    impl.sessions_cv.wait_for(lock, kStopGrace, [&impl] { return impl.sessions.empty(); });
  }
  impl.work.reset();
  impl.ioc.stop();
  for (std::thread& thread : impl.threads) {
    if (thread.joinable()) thread.join();
  }
  impl.threads.clear();
}

std::uint16_t HttpServer::port() const { return impl_->port.load(); }

}  // namespace nadajnik::http
