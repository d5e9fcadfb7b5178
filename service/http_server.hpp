// The HTTP/1.1 server under `rubric serve` (Boost.Beast over Boost.Asio): accepts connections,
// reads requests within the limits below, hands each complete request to a Handler and writes
// its response. It knows nothing of CDS Hooks; service/cds_service.hpp does.
//
// Contract: `listen` then `run` (from one thread; it runs `threads` threads and returns after
// `stop`). The handler is called from any of those threads at once, so it must be thread-safe;
// it answers through its Reply, at once or later from any thread (a request waiting for another
// server), and never blocks a serving thread on the network. One connection's requests are
// handled one after another. No input makes the server crash, hang or grow without bound:
// every limit is answered with its status and the connection is closed
// (docs/service.md#limits).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rubric::service {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the path and query as sent ("/cds-services/x?y")
  // Header fields as sent (names in the client's case; look them up with `header`).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer;  // the client's address and port, for the log

  // The first field named `name` (case-insensitive), or nullopt.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields
};

// Sends the answer to a request: called exactly once, from any thread. A HEAD request's answer
// is sent without its body (its Content-Length kept).
using Reply = std::function<void(HttpResponse)>;
using Handler = std::function<void(const HttpRequest&, Reply)>;

struct ServerLimits {
  std::size_t max_body_bytes = std::size_t{8} << 20U;  // larger bodies: 413
  std::size_t max_header_bytes = 16384;                // request line and fields: 431
  // A request must arrive whole within this time of the moment the server starts waiting for
  // it (the connection's opening, or the previous answer on a kept-alive connection): 408
  // otherwise, or the connection closed when not a byte of it came.
  std::chrono::milliseconds read_timeout{10000};
  std::size_t max_connections = 512;  // beyond: 503 and the connection closed
  unsigned threads = 1;
};

struct ServerState;  // http_server.cpp

class HttpServer {
 public:
  HttpServer(ServerLimits limits, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves HTTPS (TLS 1.2 and later) with the PEM certificate chain and private key in these
  // files; call before `listen`. Nullopt on success, otherwise why not (naming the option).
  std::optional<std::string> use_tls(const std::string& certificate_file,
                                     const std::string& key_file);
  // Binds `host:port` (port 0: a free port, see `port`). Nullopt on success, otherwise why not
  // ("cannot listen on 127.0.0.1:80: Permission denied").
  std::optional<std::string> listen(const std::string& host, std::uint16_t port);
  // The port bound by `listen`.
  [[nodiscard]] std::uint16_t port() const;
  // Serves until `stop`, on `limits.threads` threads (this one among them).
  void run();
  // Graceful stop, callable from any thread or a signal handler's strand, before or during
  // `run`: stops accepting, closes idle connections, lets requests being read or handled finish
  // and be answered, then `run` returns. After `grace` the connections still open are closed
  // (a handler already running finishes first, its answer dropped).
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));

  // Calls `action(signal)` on the server's threads each time one of `signals` arrives, from
  // `run` on until `stop`; from `stop` on, they have their default action again (a second
  // SIGTERM ends the process at once), except SIGHUP, which is ignored.
  void on_signals(const std::vector<int>& signals, std::function<void(int)> action);

 private:
  std::shared_ptr<ServerState> state_;
};

// Whether `host` is an IP address of the loopback interface (127.0.0.0/8, ::1).
bool is_loopback_address(const std::string& host);

// The reason phrase of a status (`Payload Too Large`).
std::string status_reason(unsigned status);

}  // namespace rubric::service
