#include "service/fhir_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <variant>

#include "service/http_server.hpp"

namespace rubric::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::optional<Url> parse_url(const std::string& text) {
  Url url;
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    url.scheme = "https";
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    url.scheme = "http";
    rest.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target.front() != '/') {
    url.target.insert(url.target.begin(), '/');
  }
  if (authority.find('@') != std::string_view::npos || authority.empty()) {
    return std::nullopt;  // no credentials in URLs
  }
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') {
      return std::nullopt;
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
  }
  if (!authority.empty()) {
    authority.remove_prefix(1);  // ':'
    if (authority.empty() || authority.size() > 5 ||
        authority.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    url.port = std::string(authority);
  } else {
    url.port = url.scheme == "https" ? "443" : "80";
  }
  if (url.host.empty() || url.target.find_first_of(" \r\n") != std::string::npos) {
    return std::nullopt;
  }
  return url;
}

std::string fhir_server_refusal(const Url& url, bool allow_loopback_http) {
  if (url.scheme == "https") {
    return {};
  }
  if (allow_loopback_http && (url.host == "localhost" || is_loopback_address(url.host))) {
    return {};
  }
  return allow_loopback_http ? "the FHIR server must be called over https (plain http only on a "
                               "loopback address)"
                             : "the FHIR server must be called over https";
}

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One GET, as a chain of asynchronous steps on a private I/O context (so that one deadline
// bounds them all).
class Fetch : public std::enable_shared_from_this<Fetch> {
 public:
  Fetch(net::io_context& context, ssl::context* tls, const Url& url, const std::string& token,
        std::size_t max_bytes, FetchResult& result)
      : resolver_(context), stream_(make_stream(context, tls)), url_(url), result_(result) {
    request_.method(http::verb::get);
    request_.target(url.target);
    request_.version(11);
    // RFC 9110: the port unless it is the scheme's default, IPv6 literals in brackets.
    const std::string host =
        url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
    const bool default_port =
        (url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80");
    request_.set(http::field::host, default_port ? host : host + ":" + url.port);
    request_.set(http::field::accept, "application/fhir+json");
    request_.set(http::field::authorization, "Bearer " + token);
    request_.set(http::field::user_agent, "rubric");
    parser_.body_limit(max_bytes);
    parser_.header_limit(65536);
  }

  void start() {
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](beast::error_code error,
                                                        const tcp::resolver::results_type& found) {
                              if (error) {
                                return self->fail("cannot resolve the host", error);
                              }
                              self->connect(found);
                            });
  }

 private:
  static std::variant<beast::tcp_stream, TlsStream> make_stream(net::io_context& context,
                                                                ssl::context* tls) {
    if (tls != nullptr) {
      return std::variant<beast::tcp_stream, TlsStream>(std::in_place_type<TlsStream>, context,
                                                        *tls);
    }
    return std::variant<beast::tcp_stream, TlsStream>(std::in_place_type<beast::tcp_stream>,
                                                      context);
  }

  beast::tcp_stream& tcp_stream() {
    return std::visit(
        [](auto& stream) -> beast::tcp_stream& { return beast::get_lowest_layer(stream); },
        stream_);
  }

  void fail(const char* step, beast::error_code error) {
    result_.status = 0;
    result_.problem = std::string(step) + ": " + error.message();
  }

  void connect(const tcp::resolver::results_type& found) {
    tcp_stream().async_connect(found, [self = shared_from_this()](beast::error_code error,
                                                                  const tcp::endpoint&) {
      if (error) {
        return self->fail("cannot connect", error);
      }
      if (auto* tls = std::get_if<TlsStream>(&self->stream_)) {
        // SSL_set_tlsext_host_name, without the macro's C cast: the server name (SNI).
        if (SSL_ctrl(tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     self->url_.host.data()) != 1) {
          return self->fail("cannot set the TLS server name",
                            beast::error_code(static_cast<int>(::ERR_get_error()),
                                              net::error::get_ssl_category()));
        }
        tls->set_verify_callback(ssl::host_name_verification(self->url_.host));
        tls->async_handshake(ssl::stream_base::client, [self](beast::error_code handshake_error) {
          if (handshake_error) {
            return self->fail("TLS handshake failed", handshake_error);
          }
          self->write();
        });
      } else {
        self->write();
      }
    });
  }

  void write() {
    std::visit(
        [this](auto& stream) {
          http::async_write(stream, request_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) {
                                return self->fail("cannot send the request", error);
                              }
                              self->read();
                            });
        },
        stream_);
  }

  void read() {
    std::visit(
        [this](auto& stream) {
          http::async_read(stream, buffer_, parser_,
                           [self = shared_from_this()](beast::error_code error, std::size_t) {
                             if (error == http::error::body_limit) {
                               return self->fail("the answer is too large", error);
                             }
                             if (error) {
                               return self->fail("cannot read the answer", error);
                             }
                             self->result_.status = self->parser_.get().result_int();
                             self->result_.body = std::move(self->parser_.get().body());
                           });
        },
        stream_);
  }

  tcp::resolver resolver_;
  std::variant<beast::tcp_stream, TlsStream> stream_;
  Url url_;
  http::request<http::empty_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  FetchResult& result_;
};

}  // namespace

FetchResult fetch(const Url& url, const std::string& token, std::size_t max_bytes,
                  std::chrono::milliseconds timeout) {
  FetchResult result;
  try {
    std::optional<ssl::context> tls;  // outlives the streams, destroyed with the I/O context
    net::io_context context;
    if (url.scheme == "https") {
      tls.emplace(ssl::context::tls_client);
      tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      tls->set_default_verify_paths();
      tls->set_verify_mode(ssl::verify_peer);
    }
    auto operation =
        std::make_shared<Fetch>(context, tls ? &*tls : nullptr, url, token, max_bytes, result);
    operation->start();
    operation.reset();
    context.run_for(timeout);
    if (!context.stopped()) {
      context.stop();
      result =
          FetchResult{0, {}, "no answer within " + std::to_string(timeout.count() / 1000) + " s"};
    }
  } catch (const std::exception& failure) {
    result = FetchResult{0, {}, std::string("cannot fetch: ") + failure.what()};
  }
  return result;
}

}  // namespace rubric::service
