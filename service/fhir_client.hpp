// Fetching FHIR resources from the EHR's FHIR server when a hook request's prefetch lacks them
// (CDS Hooks 2.0: `fhirServer` with `fhirAuthorization`): one HTTP GET with the bearer token,
// over HTTPS with the server's certificate and host name verified (plain HTTP only to a
// loopback address, for development and tests).
//
// Contract: `fetch` is thread-safe (each call has its own I/O context) and bounded: connecting,
// the TLS handshake and the HTTP exchange end within `timeout`, and it never keeps more than
// `max_bytes` of a body; resolving the host name takes what the system resolver takes. It
// never throws.
#pragma once

#include <chrono>
#include <cstddef>
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

// GETs `url` (`Accept: application/fhir+json`, `Authorization: Bearer <token>`).
FetchResult fetch(const Url& url, const std::string& token, std::size_t max_bytes,
                  std::chrono::milliseconds timeout);

}  // namespace rubric::service
