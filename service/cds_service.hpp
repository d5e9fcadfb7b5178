// CDS Hooks 2.0 over the engine (docs/service.md): discovery, invocation and feedback for the
// guidelines `rubric serve` was given. Turns a hook request's prefetch into one FHIR record,
// reads it with the guidelines' own bindings (records/record_reader.hpp), evaluates, and
// answers with cards. Knows HTTP only as HttpRequest and HttpResponse (http_server.hpp).
//
// Contract: `handle` is const and thread-safe; the guidelines are immutable and shared. A
// request never fails for a value that breaks its fact's declaration: that fact is read as
// absent and a warning card names it. A request's answer depends only on the request, the
// guidelines and the evaluation date: no state passes from one request to the next.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"
#include "service/client_auth.hpp"
#include "service/http_server.hpp"
#include "values/date_time.hpp"

namespace rubric::service {

// One guideline the service offers, with the text it was compiled from.
struct ServedGuideline {
  std::shared_ptr<const Guideline> guideline;
  std::shared_ptr<const SourceManager> sources;  // holds the rule file (for explanations)
  std::string path;
};

// A prefetch template of a service's discovery entry: `patient` → `Patient/{{context.patientId}}`,
// `conditions` → `Condition?patient={{context.patientId}}&code=...`.
struct PrefetchTemplate {
  std::string key;
  std::string resource_type;
  std::string query;
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
};

class CdsService {
 public:
  CdsService(std::vector<ServedGuideline> guidelines, ServiceOptions options);

  // Routes one request: GET /cds-services, POST /cds-services/{id},
  // POST /cds-services/{id}/feedback; 404 for other paths, 405 for other methods.
  [[nodiscard]] HttpResponse handle(const HttpRequest& request) const;

  [[nodiscard]] HttpResponse discovery() const;
  [[nodiscard]] HttpResponse invoke(const ServedGuideline& served, std::string_view body) const;
  [[nodiscard]] HttpResponse feedback(const ServedGuideline& served, std::string_view body) const;

  [[nodiscard]] const std::vector<ServedGuideline>& guidelines() const { return guidelines_; }

 private:
  // Nullopt when the call may go on; otherwise the 401 (the reason goes to the log only).
  [[nodiscard]] std::optional<HttpResponse> authenticate(const HttpRequest& request,
                                                         std::string_view path) const;

  std::vector<ServedGuideline> guidelines_;
  ServiceOptions options_;
};

// A name-based UUID (RFC 4122 version 5, SHA-1) of `name`: the same card of the same hook
// instance always gets the same id, so feedback can be matched to the card.
std::string name_uuid(std::string_view name);

}  // namespace rubric::service
