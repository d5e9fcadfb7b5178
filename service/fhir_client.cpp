#include "service/fhir_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "service/asio.hpp"
#include "service/http_server.hpp"

namespace rubric::service {

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

// What a FhirFetcher's GETs share: owned by the fetcher, and held by host-name lookups still
// running on their own threads (so that they can post their answers back).
struct FetcherState {
  ssl::context tls{ssl::context::tls_client};  // outlives the streams of pending GETs
  IoContext context{1};
  net::executor_work_guard<net::io_context::executor_type> work{context.get_executor()};
  std::thread thread;
  std::mutex stopping;  // held to set `stopped`, and by a lookup posting its answer
  std::atomic<bool> stopped{false};
  std::atomic<unsigned> lookups{0};  // lookups running
};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr unsigned kMaxLookups = 16;

// One GET, as a chain of asynchronous steps on the fetcher's I/O context, all on its one thread;
// the deadline timer ends it early. `done` is called once, by `finish`.
class Fetch : public std::enable_shared_from_this<Fetch> {
 public:
  // Runs on `fetcher`'s context; `fetcher` is held weakly, a Fetch living in its handlers.
  Fetch(FetcherState& fetcher, std::weak_ptr<FetcherState> weak_fetcher, const Url& url,
        const std::string& token, std::size_t max_bytes, Deadline deadline, FetchDone done)
      : fetcher_(std::move(weak_fetcher)),
        lookups_(fetcher.lookups),
        stream_(make_stream(fetcher.context, url.scheme == "https" ? &fetcher.tls : nullptr)),
        deadline_timer_(fetcher.context),
        url_(url),
        deadline_(deadline),
        done_(std::move(done)) {
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
    deadline_timer_.expires_at(deadline_);
    deadline_timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (!error) {
        self->finish(FetchResult{0, {}, "no answer in time"});
      }
    });
    beast::error_code not_literal;
    const net::ip::address address = net::ip::make_address(url_.host, not_literal);
    if (!not_literal) {
      std::uint16_t port = 0;
      for (const char digit : url_.port) {
        port = static_cast<std::uint16_t>(port * 10 + (digit - '0'));
      }
      return connect({tcp::endpoint(address, port)});
    }
    resolve();
  }

 private:
  // Looks the host name up on a thread of its own (the system resolver blocks, for as long as
  // its own timeouts say); the answer comes back to the fetcher's thread, where it is ignored
  // if the GET has ended meanwhile. The lookup thread holds neither the fetcher nor the Fetch
  // while it waits; it posts the answer only if the fetcher still exists.
  void resolve() {
    if (lookups_.fetch_add(1) >= kMaxLookups) {
      --lookups_;
      return finish(FetchResult{0, {}, "too many host-name lookups at once; try again"});
    }
    try {
      std::thread([fetcher = fetcher_, weak = weak_from_this(), host = url_.host,
                   port = url_.port] {
        beast::error_code error;
        std::vector<tcp::endpoint> endpoints;
        {
          net::io_context local;
          tcp::resolver resolver(local);
          for (const auto& found : resolver.resolve(host, port, error)) {
            endpoints.push_back(found.endpoint());
          }
        }
        const std::shared_ptr<FetcherState> alive = fetcher.lock();
        if (!alive) {
          return;
        }
        --alive->lookups;
        const std::lock_guard lock(alive->stopping);
        if (alive->stopped) {
          return;  // the fetcher has dropped its work
        }
        net::post(alive->context, [weak, error, endpoints = std::move(endpoints)] {
          const std::shared_ptr<Fetch> self = weak.lock();
          if (!self || self->finished_) {
            return;
          }
          if (error) {
            return self->fail("cannot resolve the host", error);
          }
          self->connect(endpoints);
        });
      }).detach();
    } catch (const std::system_error& failure) {
      --lookups_;
      finish(FetchResult{0, {}, std::string("cannot look the host up: ") + failure.what()});
    }
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

  // Ends the GET (once): stops what is still going and hands over the result.
  void finish(FetchResult result) {
    if (finished_) {
      return;
    }
    finished_ = true;
    deadline_timer_.cancel();
    beast::error_code ignored;
    tcp_stream().socket().close(ignored);
    FetchDone done = std::move(done_);
    done(std::move(result));
  }

  void fail(const char* step, beast::error_code error) {
    finish(FetchResult{0, {}, std::string(step) + ": " + error.message()});
  }

  void connect(const std::vector<tcp::endpoint>& endpoints) {
    if (endpoints.empty()) {
      return finish(FetchResult{0, {}, "cannot resolve the host: no address"});
    }
    tcp_stream().async_connect(endpoints, [self = shared_from_this()](beast::error_code error,
                                                                      const tcp::endpoint&) {
      if (self->finished_) {
        return;
      }
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
          if (self->finished_) {
            return;
          }
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
                              if (self->finished_) {
                                return;
                              }
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
          http::async_read(
              stream, buffer_, parser_,
              [self = shared_from_this()](beast::error_code error, std::size_t) {
                if (self->finished_) {
                  return;
                }
                if (error == http::error::body_limit) {
                  return self->fail("the answer is too large", error);
                }
                if (error) {
                  return self->fail("cannot read the answer", error);
                }
                self->finish(FetchResult{
                    self->parser_.get().result_int(), std::move(self->parser_.get().body()), {}});
              });
        },
        stream_);
  }

  std::weak_ptr<FetcherState> fetcher_;
  std::atomic<unsigned>& lookups_;
  std::variant<beast::tcp_stream, TlsStream> stream_;
  net::steady_timer deadline_timer_;
  Url url_;
  Deadline deadline_;
  FetchDone done_;
  bool finished_ = false;
  http::request<http::empty_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
};

}  // namespace

struct FhirFetcher::State : FetcherState {};

FhirFetcher::FhirFetcher() : state_(std::make_shared<State>()) {
  beast::error_code ignored;
  state_->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1,
                          ignored);
  state_->tls.set_default_verify_paths(ignored);
  state_->tls.set_verify_mode(ssl::verify_peer, ignored);
  state_->thread = std::thread([state = state_.get()] {
    for (;;) {
      try {
        state->context.run();
        return;
      } catch (const std::exception&) {
        // A handler threw (memory ran out): the fetcher goes on with the others.
      }
    }
  });
}

FhirFetcher::~FhirFetcher() {
  stop();
}

void FhirFetcher::stop() {
  {
    const std::lock_guard lock(state_->stopping);
    state_->stopped = true;
  }
  state_->work.reset();
  state_->context.stop();
  if (state_->thread.joinable()) {
    state_->thread.join();
  }
  state_->context.drop_pending();  // the abandoned GETs' `done`, destroyed now
}

void FhirFetcher::get(const Url& url, const std::string& token, std::size_t max_bytes,
                      Deadline deadline, FetchDone done) {
  if (state_->stopped) {
    done(FetchResult{0, {}, "the service is stopping"});
    return;
  }
  net::post(state_->context, [state = state_.get(), weak = std::weak_ptr<FetcherState>(state_), url,
                              token, max_bytes, deadline, done = std::move(done)]() mutable {
    std::make_shared<Fetch>(*state, std::move(weak), url, token, max_bytes, deadline,
                            std::move(done))
        ->start();
  });
}

}  // namespace rubric::service
