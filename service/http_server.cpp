#include "service/http_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

#include "service/asio.hpp"

namespace rubric::service {

namespace {

constexpr std::chrono::seconds kWriteTimeout{10};
// After an error answer that leaves part of the request unread (413, 431), the connection reads
// and discards what the client still sends for at most this long and this many bytes before it
// closes: closing with unread bytes would reset the connection, and the client, still sending,
// could lose the answer.
constexpr std::chrono::seconds kLingerTime{3};
constexpr std::size_t kLingerBytes = std::size_t{64} << 20U;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (equal_ignoring_case(field, name)) {
      return value;
    }
  }
  return std::nullopt;
}

bool is_loopback_address(const std::string& host) {
  beast::error_code error;
  const net::ip::address address = net::ip::make_address(host, error);
  return !error && address.is_loopback();
}

std::string status_reason(unsigned status) {
  return std::string(http::obsolete_reason(static_cast<http::status>(status)));
}

class Session;

struct ServerState {
  ServerLimits limits;
  Handler handler;
  IoContext context;
  // The acceptor, the signals and the grace timer live on this strand.
  net::strand<net::io_context::executor_type> control{net::make_strand(context)};
  tcp::acceptor acceptor{control};
  net::signal_set signals{control};
  net::steady_timer grace{control};
  std::function<void(int)> on_signal;
  bool hangup = false;              // SIGHUP is among the signals
  std::optional<ssl::context> tls;  // HTTPS when set (use_tls)
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Session>> sessions;  // for a graceful stop

  ServerState(ServerLimits server_limits, Handler request_handler)
      : limits(server_limits),
        handler(std::move(request_handler)),
        context(static_cast<int>(std::max(1U, server_limits.threads))) {}
};

// One connection: reads requests one after another within the limits and answers each. Over
// TLS, the handshake comes first (within the read timeout) and a close sends close_notify.
class Session : public std::enable_shared_from_this<Session> {
 public:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  Session(tcp::socket socket, std::shared_ptr<ServerState> state)
      : state_(std::move(state)),
        stream_(make_stream(std::move(socket), *state_)),
        timer_(tcp_stream().get_executor()) {
    ++state_->connections;
    beast::error_code error;
    const tcp::endpoint remote = tcp_stream().socket().remote_endpoint(error);
    if (!error) {
      peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
  }
  ~Session() {
    if (--state_->connections == 0 && state_->stopping && !state_->context.stopped()) {
      std::shared_ptr<ServerState> state = state_;
      net::post(state->control, [state] { state->grace.cancel(); });
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    net::dispatch(tcp_stream().get_executor(), [self = shared_from_this()] {
      if (std::holds_alternative<TlsStream>(self->stream_)) {
        self->handshake();
      } else {
        self->read();
      }
    });
  }

  // Closes the connection now, whatever it is doing (a stop's grace period is over).
  void abort() {
    net::post(tcp_stream().get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      self->close_socket();
    });
  }

  // Closes the connection unless a request is being read or handled; that one is answered,
  // and then the connection closes.
  void close_when_idle() {
    net::post(tcp_stream().get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_ && !(self->parser_ && self->parser_->got_some())) {
        self->timer_.cancel();
        beast::error_code ignored;
        self->tcp_stream().socket().cancel(ignored);
      }
    });
  }

  // Refuses the connection at once (too many open): a 503, then close; over TLS, where no
  // answer can be sent before a handshake, the connection is closed.
  void refuse() {
    if (std::holds_alternative<TlsStream>(stream_)) {
      close_socket();
      return;
    }
    HttpResponse response;
    response.status = 503;
    response.body = R"({"error": "too many connections; try again later"})";
    response.headers.emplace_back("Retry-After", "1");
    write(std::move(response), false);
  }

 private:
  static std::variant<beast::tcp_stream, TlsStream> make_stream(tcp::socket socket,
                                                                ServerState& state) {
    if (state.tls) {
      return std::variant<beast::tcp_stream, TlsStream>(std::in_place_type<TlsStream>,
                                                        std::move(socket), *state.tls);
    }
    return std::variant<beast::tcp_stream, TlsStream>(std::in_place_type<beast::tcp_stream>,
                                                      std::move(socket));
  }

  beast::tcp_stream& tcp_stream() {
    return std::visit(
        [](auto& stream) -> beast::tcp_stream& { return beast::get_lowest_layer(stream); },
        stream_);
  }

  void arm_read_timer() {
    timed_out_ = false;
    timer_.expires_after(state_->limits.read_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (!error) {
        self->timed_out_ = true;
        beast::error_code ignored;
        self->tcp_stream().socket().cancel(ignored);
      }
    });
  }

  void handshake() {
    arm_read_timer();
    std::get<TlsStream>(stream_).async_handshake(
        ssl::stream_base::server, [self = shared_from_this()](beast::error_code error) {
          self->timer_.cancel();
          if (error || self->timed_out_) {
            self->close_socket();  // not TLS, or too slow: nothing can be answered
            return;
          }
          self->handshake_done_ = true;
          self->read();
        });
  }

  void read() {
    if (closing_) {
      close();
      return;
    }
    busy_ = false;
    parser_.emplace();
    parser_->body_limit(state_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(state_->limits.max_header_bytes, UINT32_MAX)));
    arm_read_timer();
    std::visit(
        [this](auto& stream) {
          http::async_read(stream, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code error, std::size_t) {
                             self->on_read(error);
                           });
        },
        stream_);
  }

  void on_read(beast::error_code error) {
    timer_.cancel();
    const bool started = parser_->got_some();
    if (timed_out_) {
      if (started) {
        answer_error(408, "the request did not arrive within the read timeout");
      } else {
        close();
      }
      return;
    }
    if (error == http::error::body_limit) {
      answer_error(413, "the request body is larger than the limit of " +
                            std::to_string(state_->limits.max_body_bytes) + " bytes");
      return;
    }
    if (error == http::error::header_limit) {
      answer_error(431, "the request's header is larger than the limit of " +
                            std::to_string(state_->limits.max_header_bytes) + " bytes");
      return;
    }
    if (error) {
      // The client closed, the read was cancelled, or the bytes are not HTTP.
      const bool not_http =
          error.category() == http::make_error_code(http::error::bad_method).category() &&
          error != http::error::end_of_stream && error != http::error::partial_message;
      if (started && not_http) {
        answer_error(400, "the request is not valid HTTP/1.1: " + error.message());
      } else {
        close();
      }
      return;
    }
    busy_ = true;
    http::request<http::string_body> message = parser_->release();
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == http::verb::head;
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer = peer_;
    // The reply comes back to this connection's strand, from whichever thread answers. Until
    // then the connection stays open (and counted), so a stop waits for it within its grace.
    auto replied = std::make_shared<std::atomic<bool>>(false);
    Reply reply = [self = shared_from_this(), replied, keep_alive, head](HttpResponse response) {
      if (replied->exchange(true)) {
        return;  // answered already
      }
      net::dispatch(self->tcp_stream().get_executor(), [self, keep_alive, head,
                                                        response = std::move(response)]() mutable {
        self->head_ = head;
        self->write(std::move(response), keep_alive && !self->state_->stopping && !self->closing_);
      });
    };
    try {
      state_->handler(request, reply);
    } catch (const std::exception& failure) {
      reply(HttpResponse{500, "application/json", R"({"error": "internal error"})", {}});
    }
  }

  // Answers an error found while reading and closes the connection; `linger`: part of the
  // request is still coming, so it is read and discarded before the close.
  void answer_error(unsigned status, const std::string& reason) {
    HttpResponse response;
    response.status = status;
    response.body = nlohmann::json{{"error", reason}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    head_ = false;
    linger_ = status == 413 || status == 431;
    write(std::move(response), false);
  }

  void write(HttpResponse response, bool keep_alive) {
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    message->set(http::field::server, "rubric");
    message->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      message->set(name, value);
    }
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();
    if (head_) {
      message->body().clear();  // the length of the answer a GET would get, without its body
    }
    tcp_stream().expires_after(kWriteTimeout);
    std::visit(
        [this, &message](auto& stream) {
          http::async_write(
              stream, *message,
              [self = shared_from_this(), message](beast::error_code error, std::size_t) {
                self->tcp_stream().expires_never();
                if (!error && self->linger_) {
                  self->linger();
                } else if (error || !message->keep_alive()) {
                  self->close();
                } else {
                  self->read();
                }
              });
        },
        stream_);
  }

  // Reads and discards what the client still sends (the rest of a refused request), for at
  // most kLingerTime and kLingerBytes, then closes.
  void linger() {
    linger_ = false;
    if (std::holds_alternative<beast::tcp_stream>(stream_)) {
      beast::error_code ignored;
      tcp_stream().socket().shutdown(tcp::socket::shutdown_send, ignored);  // the answer is out
    }
    timer_.expires_after(kLingerTime);
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (!error) {
        self->close_socket();
      }
    });
    lingered_ = 0;
    discard();
  }

  void discard() {
    if (!scratch_) {
      scratch_ = std::make_unique<std::array<char, 65536>>();
    }
    std::visit(
        [this](auto& stream) {
          stream.async_read_some(
              net::buffer(*scratch_),
              [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                self->lingered_ += bytes;
                if (error || self->lingered_ >= kLingerBytes) {
                  self->close_socket();
                } else {
                  self->discard();
                }
              });
        },
        stream_);
  }

  // Ends the connection: over TLS, close_notify first (within the write timeout).
  void close() {
    timer_.cancel();
    busy_ = false;
    if (auto* tls = std::get_if<TlsStream>(&stream_); tls != nullptr && handshake_done_) {
      handshake_done_ = false;
      tcp_stream().expires_after(kWriteTimeout);
      tls->async_shutdown([self = shared_from_this()](beast::error_code) { self->close_socket(); });
      return;
    }
    close_socket();
  }

  void close_socket() {
    timer_.cancel();
    beast::error_code ignored;
    tcp_stream().socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_stream().socket().close(ignored);
  }

  // First, so destroyed last: the I/O objects below need the context that the state owns.
  std::shared_ptr<ServerState> state_;
  std::variant<beast::tcp_stream, TlsStream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer timer_;
  std::string peer_;
  bool timed_out_ = false;
  bool busy_ = false;
  bool closing_ = false;
  bool handshake_done_ = false;
  bool head_ = false;    // the answer being written is to a HEAD request
  bool linger_ = false;  // discard the rest of the request once the answer is written
  std::size_t lingered_ = 0;
  std::unique_ptr<std::array<char, 65536>> scratch_;  // discarded bytes land here
};

namespace {

void accept_next(const std::shared_ptr<ServerState>& state) {
  state->acceptor.async_accept(net::make_strand(state->context), [state](beast::error_code error,
                                                                         tcp::socket socket) {
    if (error == net::error::operation_aborted || state->stopping) {
      return;
    }
    if (!error) {
      const bool full = state->connections >= state->limits.max_connections;
      auto session = std::make_shared<Session>(std::move(socket), state);
      if (full) {
        session->refuse();
      } else {
        {
          const std::lock_guard lock(state->sessions_mutex);
          if (state->sessions.size() >= 64 && state->sessions.size() >= 2 * state->connections) {
            std::erase_if(state->sessions, [](const auto& weak) { return weak.expired(); });
          }
          state->sessions.push_back(session);
        }
        session->start();
      }
    }
    // Accept errors (too many open files, ...) do not stop the server.
    accept_next(state);
  });
}

void wait_for_signal(const std::shared_ptr<ServerState>& state) {
  state->signals.async_wait([state](beast::error_code error, int signal) {
    if (error) {
      return;
    }
    if (state->on_signal) {
      state->on_signal(signal);
    }
    if (!state->stopping) {
      wait_for_signal(state);
    }
  });
}

}  // namespace

HttpServer::HttpServer(ServerLimits limits, Handler handler)
    : state_(std::make_shared<ServerState>(limits, std::move(handler))) {}

HttpServer::~HttpServer() {
  state_->context.drop_pending();
}

std::optional<std::string> HttpServer::use_tls(const std::string& certificate_file,
                                               const std::string& key_file) {
  ssl::context context(ssl::context::tls_server);
  beast::error_code error;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                      error);
  if (error) {
    return "cannot set up TLS: " + error.message();
  }
  if (context.use_certificate_chain_file(certificate_file, error)) {
    return "--tls-cert: cannot use `" + certificate_file +
           "` as a PEM certificate chain: " + error.message();
  }
  if (context.use_private_key_file(key_file, ssl::context::pem, error)) {
    if (error.message().find("mismatch") != std::string::npos) {
      return "--tls-key: `" + key_file + "` is not the key of the certificate in `" +
             certificate_file + "`";
    }
    return "--tls-key: cannot use `" + key_file + "` as a PEM private key: " + error.message();
  }
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    return "--tls-key: `" + key_file + "` is not the key of the certificate in `" +
           certificate_file + "`";
  }
  state_->tls.emplace(std::move(context));
  return std::nullopt;
}

std::optional<std::string> HttpServer::listen(const std::string& host, std::uint16_t port) {
  beast::error_code error;
  const net::ip::address address = net::ip::make_address(host, error);
  if (error) {
    return "`" + host + "` is not an IP address";
  }
  const tcp::endpoint endpoint(address, port);
  const auto failed = [&](const char* step) {
    return std::string("cannot listen on ") + host + ":" + std::to_string(port) + ": " + step +
           ": " + error.message();
  };
  if (state_->acceptor.open(endpoint.protocol(), error)) {
    return failed("open");
  }
  if (state_->acceptor.set_option(net::socket_base::reuse_address(true), error)) {
    return failed("set_option");
  }
  if (state_->acceptor.bind(endpoint, error)) {
    return failed("bind");
  }
  if (state_->acceptor.listen(net::socket_base::max_listen_connections, error)) {
    return failed("listen");
  }
  return std::nullopt;
}

std::uint16_t HttpServer::port() const {
  beast::error_code error;
  const tcp::endpoint endpoint = state_->acceptor.local_endpoint(error);
  return error ? 0 : endpoint.port();
}

void HttpServer::on_signals(const std::vector<int>& signals, std::function<void(int)> action) {
  state_->on_signal = std::move(action);
  for (const int signal : signals) {
    state_->signals.add(signal);
    state_->hangup = state_->hangup || signal == SIGHUP;
  }
}

void HttpServer::run() {
  std::shared_ptr<ServerState> state = state_;
  net::dispatch(state->control, [state] {
    if (state->stopping) {
      return;  // stopped before it ran
    }
    accept_next(state);
    if (state->on_signal) {
      wait_for_signal(state);
    }
  });
  std::vector<std::thread> threads;
  const unsigned count = std::max(1U, state->limits.threads);
  threads.reserve(count - 1);
  for (unsigned k = 1; k < count; ++k) {
    threads.emplace_back([state] { state->context.run(); });
  }
  state->context.run();
  for (std::thread& thread : threads) {
    thread.join();
  }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  std::shared_ptr<ServerState> state = state_;
  net::post(state->control, [state, grace] {
    if (state->stopping.exchange(true)) {
      return;
    }
    beast::error_code ignored;
    state->acceptor.close(ignored);
    // The signals get their default action back: the same signal again ends the process.
    state->signals.cancel(ignored);
    state->signals.clear(ignored);
    if (state->hangup) {
      std::signal(SIGHUP, SIG_IGN);  // a reload asked for while stopping is moot, never fatal
    }
    std::vector<std::shared_ptr<Session>> open;
    {
      const std::lock_guard lock(state->sessions_mutex);
      for (const auto& weak : state->sessions) {
        if (auto session = weak.lock()) {
          open.push_back(std::move(session));
        }
      }
      state->sessions.clear();
    }
    std::vector<std::weak_ptr<Session>> draining;
    for (const auto& session : open) {
      session->close_when_idle();
      draining.push_back(session);
    }
    open.clear();
    if (state->connections == 0) {
      return;
    }
    state->grace.expires_after(grace);
    state->grace.async_wait([state, draining = std::move(draining)](beast::error_code error) {
      if (error) {
        return;  // every connection closed in time
      }
      // The grace period is over: what is still open is closed, and if a handler still holds
      // its connection after one more second, the I/O stops.
      for (const auto& weak : draining) {
        if (auto session = weak.lock()) {
          session->abort();
        }
      }
      state->grace.expires_after(std::chrono::seconds(1));
      state->grace.async_wait([state](beast::error_code late) {
        if (!late) {
          state->context.stop();
        }
      });
    });
  });
}

}  // namespace rubric::service
