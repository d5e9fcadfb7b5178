// CDS Hooks 2.0 over the engine (docs/service.md): discovery, invocation and feedback for the
// guidelines `rubric serve` was given. Turns a hook request's prefetch into one FHIR record,
// reads it with the guidelines' own bindings (records/record_reader.hpp), evaluates, and
// answers with cards. Knows HTTP only as HttpRequest and HttpResponse (http_server.hpp).
//
// Contract: `handle` and `handle_async` are const and thread-safe; the guidelines are immutable
// and shared. An invocation that must fetch from the caller's FHIR server waits for it off the
// serving threads (service/fhir_client.hpp), all its GETs within one deadline. A
// request never fails for a value that breaks its fact's declaration: that fact is read as
// absent and a warning card names it. A request's answer depends only on the request, the
// guidelines and the evaluation date: no state passes from one request to the next.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"
#include "service/audit_log.hpp"
#include "service/client_auth.hpp"
#include "service/fhir_client.hpp"
#include "service/http_server.hpp"
#include "values/date_time.hpp"

namespace rubric::service {

// A prefetch template of a service's discovery entry: `patient` → `Patient/{{context.patientId}}`,
// `conditions` → `Condition?patient={{context.patientId}}&code=...`.
struct PrefetchTemplate {
  std::string key;
  std::string resource_type;
  std::string query;
};

// One guideline the service offers, with the text it was compiled from.
struct ServedGuideline {
  std::shared_ptr<const Guideline> guideline;
  std::shared_ptr<const SourceManager> sources;  // holds the rule file (for explanations)
  std::string path;
  std::string sha256;  // of the rule file's text, hexadecimal (content_sha256)
  // Filled by CdsService when it takes the catalog: prefetch_templates(*guideline).
  std::vector<PrefetchTemplate> templates{};
};

// The SHA-256 of `text`, 64 lowercase hexadecimal digits.
std::string content_sha256(std::string_view text);

// What one invocation decided, for the audit log: filled by CdsService::invoke when asked.
struct InvocationRecord {
  std::string hook_instance;
  std::string evaluation_date;  // YYYY-MM-DD
  std::string facts_json;       // {"name": {"value": ..., "resources": [...]} | {"absent": why}}
  std::string outcomes_json;    // {"id": "recommended" | "not made" | "undetermined"}
  std::string invalid_json;     // [{"fact", "resource", "message"}]
};

// The templates that fetch every resource a guideline's bindings read: the Patient, then one
// search per other resource type (in the order the facts first read it), restricted to the
// codes the bindings' `coded` filters name when every binding of that type has one.
std::vector<PrefetchTemplate> prefetch_templates(const Guideline& guideline);

struct ServiceOptions {
  // The evaluation date of each request (a full date): a fixed `--as-of`, or today's UTC date.
  std::function<DateTime()> evaluation_date;
  RecordLimits record_limits;
  // Where a request's problems that the caller is not told are written (one line each).
  std::function<void(const std::string&)> log;
  // When set, every call under /cds-services must carry a token it accepts (401 otherwise);
  // `base_url` (`https://cds.example.org`, no trailing slash) makes the audience of each
  // endpoint, and `now` gives the time in seconds since the epoch.
  std::shared_ptr<const ClientAuthenticator> authenticator;
  std::string base_url;
  std::function<std::int64_t()> now;
  // When set, every invocation and feedback item gets a line (docs/service.md#the-audit-log).
  std::shared_ptr<AuditLog> audit;
  // Browser origins allowed to call the service (CORS), such as `https://sandbox.cds-hooks.org`;
  // `*` allows any. Empty: no CORS headers; a preflight gets what any other OPTIONS gets.
  std::vector<std::string> cors_origins;
  // How a missing prefetch is fetched from the FHIR server (URL, bearer token, byte limit,
  // deadline; the answer to `done`, once, from any thread); empty: a FhirFetcher of the
  // service's own (service/fhir_client.hpp). Fuzzers and tests that must not touch the network
  // put their own here.
  std::function<void(const Url&, const std::string&, std::size_t, Deadline, FetchDone)> fetch;
  // The time all the GETs of one invocation have, together.
  std::chrono::milliseconds fetch_deadline{10000};
  // Whether `fhirServer` may be plain http on a loopback address: only for a service that
  // itself listens on loopback (development, tests).
  bool allow_loopback_fhir_http = false;
};

class CdsService {
 public:
  using Catalog = std::vector<ServedGuideline>;

  CdsService(Catalog guidelines, ServiceOptions options);
  ~CdsService();
  CdsService(const CdsService&) = delete;
  CdsService& operator=(const CdsService&) = delete;

  // Routes one request: GET /cds-services, POST /cds-services/{id},
  // POST /cds-services/{id}/feedback, GET /health, GET /metrics (HEAD where GET); 404 for other
  // paths, 405 for other methods. Counts it in the metrics and writes the audit log. Answers
  // through `reply`, at once or, for an invocation that fetches, later from another thread.
  void handle_async(const HttpRequest& request, Reply reply) const;
  // The same, waiting for the answer.
  [[nodiscard]] HttpResponse handle(const HttpRequest& request) const;

  [[nodiscard]] HttpResponse discovery(const Catalog& catalog) const;
  // `record`, when given, receives what a 200 decided (for the audit log). Waits for fetches.
  [[nodiscard]] HttpResponse invoke(const ServedGuideline& served, std::string_view body,
                                    InvocationRecord* record = nullptr) const;
  // Abandons the fetches in flight (their requests get no answer); for a server that has
  // stopped. Not to be called while requests are being handled.
  void stop_fetching();
  [[nodiscard]] HttpResponse feedback(const ServedGuideline& served, std::string_view body) const;

  // The guidelines served now. A request takes this snapshot when it starts and finishes on it,
  // whatever `replace` does meanwhile.
  [[nodiscard]] std::shared_ptr<const Catalog> guidelines() const;
  // Serves `guidelines` from now on (hot reload), atomically for every later request.
  void replace(Catalog guidelines);
  // Counts a reload in the metrics (`rubric_reloads_total`).
  void count_reload(bool succeeded) const;
  // The metrics in Prometheus's text format (docs/service.md#metrics).
  [[nodiscard]] std::string metrics() const;

 private:
  struct Metrics;
  // Nullopt when the call may go on; otherwise the 401 (the reason goes to the log only).
  [[nodiscard]] std::optional<HttpResponse> authenticate(const HttpRequest& request,
                                                         std::string_view path) const;
  // Where a request went, for the metrics and the audit log.
  struct Routed {
    // discovery, service, feedback, health, metrics, preflight, other
    std::string endpoint = "other";
    std::string service;                       // the service's id, when it exists
    const ServedGuideline* invoked = nullptr;  // an invocation that reached `invoke`
    InvocationRecord record;
  };
  // One request from its arrival to its answer.
  struct Call;
  // An invocation's request and prefetch, kept while it waits for the FHIR server.
  struct Invocation;
  class FetchJob;
  // The answer, or nullopt when `call` is answered later (an invocation that fetches).
  [[nodiscard]] std::optional<HttpResponse> route(const HttpRequest& request,
                                                  const std::shared_ptr<Call>& call) const;
  // Counts the answer in the metrics, writes the audit line, and replies.
  void finish(const std::shared_ptr<Call>& call, HttpResponse response) const;
  void write_audit(const std::string& line) const;
  // An invocation up to the fetch: the answer, or nullopt when `later` will get it.
  [[nodiscard]] std::optional<HttpResponse> start_invocation(
      const ServedGuideline& served, std::string_view body, InvocationRecord* record,
      std::function<void(HttpResponse)> later) const;
  // An invocation once its prefetch is complete: the cards.
  [[nodiscard]] HttpResponse decide(const Invocation& invocation, InvocationRecord* record) const;

  mutable std::mutex catalog_mutex_;
  std::shared_ptr<const Catalog> catalog_;
  ServiceOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<FhirFetcher> fetcher_;  // when options_.fetch is empty; destroyed first
};

// A name-based UUID (RFC 4122 version 5, SHA-1) of `name`: the same card of the same hook
// instance always gets the same id, so feedback can be matched to the card.
std::string name_uuid(std::string_view name);

}  // namespace rubric::service
