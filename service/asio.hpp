// Private to service/: the Boost.Asio and Boost.Beast names the service's sources use, and an
// I/O context whose queued handlers can be destroyed before it is.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace rubric::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// An I/O context that can drop its work before it is destroyed. A queued handler may hold the
// very object that owns the context (a connection holds the server's state); destroying the
// handlers first breaks that cycle, and destroys them while what they refer to still exists.
class IoContext : public net::io_context {
 public:
  using net::io_context::io_context;
  // Stops the context and destroys every handler still queued; nothing runs it afterwards.
  // Call when no thread runs the context.
  void drop_pending() {
    stop();
    shutdown();
  }
};

}  // namespace rubric::service
