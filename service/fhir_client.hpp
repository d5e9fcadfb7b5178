// Fetching FHIR resources from the EHR's FHIR server when a hook request's prefetch lacks them
// (CDS Hooks 2.0: `fhirServer` with `fhirAuthorization`): one HTTP GET with the bearer token,
// over HTTPS with the server's certificate and host name verified (plain HTTP only to a
// loopback address, for development and tests).
//
// Contract: a FhirFetcher runs every GET asynchronously on its own thread, so a slow FHIR server
// holds up no serving thread; each GET ends by its deadline (resolving the host name included:
// each lookup runs on a thread of its own, at most 16 at once, and one still running at the
// deadline is left to finish in the background, its answer ignored), and never keeps more than
// `max_bytes` of a body. Nothing throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace rubric::service {

struct FetchResult {
  unsigned status = 0;  // the HTTP status, 0 when no answer came
  std::string body;     // the answer's body (when status is not 0)
  std::string problem;  // why no answer came, or why it was cut off ("timed out after 10 s")
};

// The URL's parts, when it is an absolute http or https URL.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" by default for https, "80" for http
  std::string target;  // the path and query, starting with '/'
};
std::optional<Url> parse_url(const std::string& text);

// Why the service would not call `url` as a FHIR server (empty when it would): plain http,
// unless `allow_loopback_http` (a service that itself listens on loopback only) and the host is
// a loopback address. A service reachable from the network never sends requests to its own
// machine's loopback ports on a caller's behalf.
std::string fhir_server_refusal(const Url& url, bool allow_loopback_http);

using FetchDone = std::function<void(FetchResult)>;
using Deadline = std::chrono::steady_clock::time_point;

// GETs from FHIR servers, on one thread of its own. Thread-safe.
class FhirFetcher {
 public:
  FhirFetcher();
  // Stops (as `stop`).
  ~FhirFetcher();
  FhirFetcher(const FhirFetcher&) = delete;
  FhirFetcher& operator=(const FhirFetcher&) = delete;

  // GETs `url` (`Accept: application/fhir+json`, `Authorization: Bearer <token>`) and calls
  // `done` once, on the fetcher's thread, with the answer, or with status 0 and the problem
  // (at `deadline` at the latest).
  void get(const Url& url, const std::string& token, std::size_t max_bytes, Deadline deadline,
           FetchDone done);
  // Stops the thread: GETs in flight, and any asked for later, are abandoned, their `done`
  // destroyed without being called. Call from a thread other than the fetcher's; idempotent.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with host-name lookups still running
};

}  // namespace rubric::service
