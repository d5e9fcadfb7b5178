#include "service/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace rubric::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::seconds kWriteTimeout{10};

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
  net::io_context context;
  // The acceptor, the signals and the grace timer live on this strand.
  net::strand<net::io_context::executor_type> control{net::make_strand(context)};
  tcp::acceptor acceptor{control};
  net::signal_set signals{control};
  net::steady_timer grace{control};
  std::function<void(int)> on_signal;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Session>> sessions;  // for a graceful stop

  ServerState(ServerLimits server_limits, Handler request_handler)
      : limits(server_limits),
        handler(std::move(request_handler)),
        context(static_cast<int>(std::max(1U, server_limits.threads))) {}
};

// One connection: reads requests one after another within the limits and answers each.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<ServerState> state)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), state_(std::move(state)) {
    ++state_->connections;
    beast::error_code error;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(error);
    if (!error) {
      peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
  }
  ~Session() {
    if (--state_->connections == 0 && state_->stopping) {
      std::shared_ptr<ServerState> state = state_;
      net::post(state->control, [state] { state->grace.cancel(); });
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Closes the connection unless a request is being read or handled; that one is answered,
  // and then the connection closes.
  void close_when_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_ && !(self->parser_ && self->parser_->got_some())) {
        self->timer_.cancel();
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);
      }
    });
  }

  // Refuses the connection at once (too many open): a 503, then close.
  void refuse() {
    HttpResponse response;
    response.status = 503;
    response.body = R"({"error": "too many connections; try again later"})";
    response.headers.emplace_back("Retry-After", "1");
    write(std::move(response), false);
  }

 private:
  void read() {
    if (closing_) {
      close();
      return;
    }
    busy_ = false;
    timed_out_ = false;
    parser_.emplace();
    parser_->body_limit(state_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(state_->limits.max_header_bytes, UINT32_MAX)));
    timer_.expires_after(state_->limits.read_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (!error) {
        self->timed_out_ = true;
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);
      }
    });
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_read(error);
                     });
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
      if (started && error != http::error::end_of_stream &&
          error != net::error::operation_aborted && error != net::error::eof &&
          error != net::error::connection_reset) {
        answer_error(400, "the request is not valid HTTP/1.1: " + error.message());
      } else {
        close();
      }
      return;
    }
    busy_ = true;
    http::request<http::string_body> message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer = peer_;
    HttpResponse response;
    try {
      response = state_->handler(request);
    } catch (const std::exception& failure) {
      response = HttpResponse{500, "application/json", R"({"error": "internal error"})", {}};
    }
    write(std::move(response), message.keep_alive() && !state_->stopping && !closing_);
  }

  void answer_error(unsigned status, const std::string& reason) {
    HttpResponse response;
    response.status = status;
    response.body = nlohmann::json{{"error", reason}}.dump();
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
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code error, std::size_t) {
                        self->stream_.expires_never();
                        if (error || !message->keep_alive()) {
                          self->close();
                        } else {
                          self->read();
                        }
                      });
  }

  void close() {
    timer_.cancel();
    busy_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer timer_;
  std::shared_ptr<ServerState> state_;
  std::string peer_;
  bool timed_out_ = false;
  bool busy_ = false;
  bool closing_ = false;
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
  state_->context.stop();
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
  }
}

void HttpServer::run() {
  std::shared_ptr<ServerState> state = state_;
  net::dispatch(state->control, [state] {
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
    state->signals.cancel(ignored);
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
    for (const auto& session : open) {
      session->close_when_idle();
    }
    open.clear();
    if (state->connections == 0) {
      return;
    }
    state->grace.expires_after(grace);
    state->grace.async_wait([state](beast::error_code error) {
      if (!error) {
        state->context.stop();  // what is still open after the grace period is dropped
      }
    });
  });
}

}  // namespace rubric::service
