#include "service/cds_service.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "authoring/explain.hpp"
#include "dsl/checker.hpp"
#include "service/fhir_client.hpp"

namespace rubric::service {

namespace {

namespace dom = simdjson::dom;
using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxRequestDepth = 128;
constexpr std::size_t kMaxSearchPages = 20;  // per prefetch key
constexpr std::string_view kServicesPath = "/cds-services";

// JSON text of `value`; bytes that are not UTF-8 (a request target, a text from the caller)
// become U+FFFD rather than an exception.
std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// `text` with control characters written `\xNN`: log lines built from what a caller sent.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

HttpResponse json_response(unsigned status, const Json& body) {
  return HttpResponse{status, "application/json", dump(body), {}};
}

HttpResponse error_response(unsigned status, const std::string& message) {
  return json_response(status, Json{{"error", message}});
}

// `text` in a Markdown code span, whatever backticks it holds.
std::string code_span(std::string_view text) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + std::string(text) + (pad ? " " : "") + fence;
}

// `text` cut to at most `limit` code points at a word boundary, with an ellipsis when cut.
std::string fit(std::string_view text, std::size_t limit) {
  if (character_count(text) <= limit) {
    return std::string(text);
  }
  std::size_t characters = 0;
  std::size_t cut = 0;         // byte offset after `limit - 1` code points
  std::size_t last_space = 0;  // a space before the cut
  for (std::size_t at = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0U) == 0x80U) {
      continue;  // a continuation byte
    }
    if (characters == limit - 1) {
      cut = at;
      break;
    }
    if (text[at] == ' ') {
      last_space = at;
    }
    ++characters;
  }
  if (last_space > cut / 2) {
    cut = last_space;
  }
  std::string out(text.substr(0, cut));
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ';')) {
    out.pop_back();
  }
  return out + "\u2026";
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == ':' || c == '/') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

std::string prefetch_key(std::string_view resource_type) {
  std::string key(resource_type);
  if (!key.empty() && key.front() >= 'A' && key.front() <= 'Z') {
    key.front() = static_cast<char>(key.front() - 'A' + 'a');
  }
  return key + "s";
}

std::string_view string_or_empty(dom::element element) {
  std::string_view text;
  return element.get_string().get(text) ? std::string_view() : text;
}

// The fields of a hook request this service reads (docs/service.md#invocation).
struct HookRequest {
  std::string hook;
  std::string hook_instance;
  std::string patient_id;
  dom::object prefetch;
  bool has_prefetch = false;
  dom::element draft_orders;  // order-sign: `context.draftOrders`, a Bundle
  bool has_draft_orders = false;
  std::string fhir_server;   // empty when not given
  std::string access_token;  // of `fhirAuthorization`, empty when not given
};

std::optional<std::string> read_request(dom::element root, HookRequest& request) {
  dom::object object;
  if (root.get_object().get(object)) {
    return "the request body is not a JSON object";
  }
  const auto text_field = [&](const char* name, std::string& out,
                              bool required) -> std::optional<std::string> {
    dom::element value;
    if (object.at_key(name).get(value)) {
      return required ? std::optional(fmt::format("the request has no `{}`", name)) : std::nullopt;
    }
    std::string_view text;
    if (value.get_string().get(text)) {
      return fmt::format("`{}` is not a string", name);
    }
    if (required && text.empty()) {
      return fmt::format("`{}` is empty", name);
    }
    out = std::string(text);
    return std::nullopt;
  };
  if (auto problem = text_field("hook", request.hook, true)) {
    return problem;
  }
  if (auto problem = text_field("hookInstance", request.hook_instance, true)) {
    return problem;
  }
  dom::element context;
  if (object.at_key("context").get(context)) {
    return "the request has no `context`";
  }
  dom::object context_object;
  if (context.get_object().get(context_object)) {
    return "`context` is not a JSON object";
  }
  dom::element patient;
  if (context_object.at_key("patientId").get(patient)) {
    return "`context` has no `patientId`";
  }
  std::string_view patient_id;
  if (patient.get_string().get(patient_id) || patient_id.empty()) {
    return "`context.patientId` is not a non-empty string";
  }
  request.patient_id = std::string(patient_id);
  if (request.hook == "order-sign") {
    if (context_object.at_key("draftOrders").get(request.draft_orders) ||
        !request.draft_orders.is_object()) {
      return "`context.draftOrders` is missing or not a Bundle (the order-sign hook needs it)";
    }
    request.has_draft_orders = true;
  }
  dom::element prefetch;
  if (!object.at_key("prefetch").get(prefetch) && !prefetch.is_null()) {
    if (prefetch.get_object().get(request.prefetch)) {
      return "`prefetch` is not a JSON object";
    }
    request.has_prefetch = true;
  }
  dom::element server;
  if (!object.at_key("fhirServer").get(server) && !server.is_null()) {
    std::string_view url;
    if (server.get_string().get(url)) {
      return "`fhirServer` is not a string";
    }
    request.fhir_server = std::string(url);
  }
  dom::element authorization;
  if (!object.at_key("fhirAuthorization").get(authorization) && !authorization.is_null()) {
    dom::element token;
    dom::element type;
    if (!authorization.is_object() || authorization.at_key("access_token").get(token) ||
        string_or_empty(token).empty()) {
      return "`fhirAuthorization` has no `access_token`";
    }
    if (!authorization.at_key("token_type").get(type) && string_or_empty(type) != "Bearer") {
      return "`fhirAuthorization.token_type` is not `Bearer`";
    }
    request.access_token = std::string(string_or_empty(token));
    // RFC 6750 b64token: nothing that could end the header line it is sent in.
    const std::size_t equals = request.access_token.find_last_not_of('=');
    if (equals == std::string::npos ||
        request.access_token.substr(0, equals + 1)
                .find_first_not_of(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/") !=
            std::string::npos) {
      return "`fhirAuthorization.access_token` is not a bearer token (RFC 6750 characters)";
    }
  }
  return std::nullopt;
}

// The resources of the prefetch gathered into one Bundle for the record reader, checked to
// belong to the context's patient; duplicates (the same type and id under two keys) once.
struct MergedRecord {
  std::string bundle;
  std::vector<std::string> missing;  // template keys the request did not provide
  std::string problem;               // a 400's message; empty when usable
  bool patient_not_found = false;
};

// Whether a reference (`Patient/p1`, `https://ehr/fhir/Patient/p1`) names patient `id`.
bool names_patient(std::string_view reference, std::string_view id) {
  const std::string local = "Patient/" + std::string(id);
  return reference == local || (reference.size() > local.size() && reference.ends_with(local) &&
                                reference[reference.size() - local.size() - 1] == '/');
}

// Resources fetched from the FHIR server for prefetch keys the request lacked: per key, the
// documents (a resource, or the pages of a search); none for "none found".
using Fetched = std::map<std::string, std::vector<dom::element>>;

MergedRecord merge_prefetch(const Guideline& guideline, const HookRequest& request,
                            const std::vector<PrefetchTemplate>& templates,
                            const Fetched& fetched) {
  MergedRecord merged;
  std::set<std::string_view> wanted_types;
  for (const FactSpec& spec : guideline.facts()) {
    if (spec.binding) {
      wanted_types.insert(spec.binding->resource_type);
    }
  }
  wanted_types.insert("Patient");
  std::set<std::string> seen;
  merged.bundle = R"({"resourceType":"Bundle","type":"collection","entry":[)";
  bool first = true;
  const auto add = [&](const std::string& key, std::size_t index, dom::element resource) {
    const std::string where = index == SIZE_MAX ? fmt::format("prefetch `{}`", key)
                                                : fmt::format("prefetch `{}` entry {}", key, index);
    dom::object object;
    if (resource.get_object().get(object)) {
      merged.problem = where + " is not a FHIR resource (a JSON object)";
      return false;
    }
    dom::element type_element;
    std::string_view type;
    if (object.at_key("resourceType").get(type_element) || type_element.get_string().get(type) ||
        type.empty()) {
      merged.problem = where + " has no `resourceType`";
      return false;
    }
    if (!wanted_types.contains(type)) {
      return true;  // OperationOutcome of a search, resources no binding reads
    }
    dom::element id_element;
    const std::string_view id =
        object.at_key("id").get(id_element) ? std::string_view() : string_or_empty(id_element);
    if (type == "Patient") {
      if (id != request.patient_id) {
        merged.problem = fmt::format("{} is Patient {}, not the context's patient {}", where,
                                     id.empty() ? std::string("without an id") : code_span(id),
                                     code_span(request.patient_id));
        return false;
      }
    } else {
      // Every resource a binding reads must name the context's patient (`subject`, or
      // `patient` where the type has no subject); anything else is refused, never read.
      bool names_context_patient = false;
      for (const char* field : {"subject", "patient"}) {
        dom::element subject;
        if (object.at_key(field).get(subject)) {
          continue;
        }
        dom::element reference;
        const std::string_view text =
            subject.is_object() && !subject.at_key("reference").get(reference)
                ? string_or_empty(reference)
                : std::string_view();
        if (!names_patient(text, request.patient_id)) {
          merged.problem =
              fmt::format("{} ({}/{}) is about {}, not the context's patient {}", where, type, id,
                          text.empty() ? std::string("no patient reference") : code_span(text),
                          code_span(request.patient_id));
          return false;
        }
        names_context_patient = true;
      }
      if (!names_context_patient) {
        merged.problem = fmt::format(
            "{} ({}/{}) names no patient; a resource is read only when its `subject` refers to "
            "the context's patient {}",
            where, type, id, code_span(request.patient_id));
        return false;
      }
    }
    if (!id.empty() && !seen.insert(fmt::format("{}/{}", type, id)).second) {
      return true;
    }
    merged.bundle += first ? R"({"resource":)" : R"(,{"resource":)";
    first = false;
    merged.bundle += simdjson::minify(resource);
    merged.bundle += '}';
    return true;
  };
  if (request.has_draft_orders) {
    // order-sign: the orders being signed join the record (bindings may read them, e.g. a
    // MedicationRequest `where status is draft`), first, so that a draft wins over a stored
    // resource of the same id.
    const std::string key = "context.draftOrders";
    dom::element entries;
    dom::array list;
    if (!request.draft_orders.at_key("entry").get(entries)) {
      if (entries.get_array().get(list)) {
        merged.problem = "`context.draftOrders`: `entry` is not an array";
        return merged;
      }
      std::size_t index = 0;
      for (dom::element item : list) {
        dom::element resource;
        if (!item.is_object() || item.at_key("resource").get(resource)) {
          merged.problem = fmt::format("`context.draftOrders` entry {} has no `resource`", index);
          return merged;
        }
        if (!add(key, index, resource)) {
          return merged;
        }
        ++index;
      }
    }
  }
  for (const PrefetchTemplate& entry : templates) {
    std::vector<dom::element> values;
    dom::element given;
    if (request.has_prefetch && !request.prefetch.at_key(entry.key).get(given)) {
      if (!given.is_null()) {
        values.push_back(given);
      }
    } else if (const auto found = fetched.find(entry.key); found != fetched.end()) {
      values = found->second;
    } else {
      merged.missing.push_back(entry.key);
      continue;
    }
    if (values.empty()) {
      if (entry.resource_type == "Patient") {
        merged.patient_not_found = true;
      }
      continue;  // none found
    }
    for (const dom::element value : values) {
      dom::object object;
      if (value.get_object().get(object)) {
        merged.problem = fmt::format("prefetch `{}` is not a FHIR resource or Bundle", entry.key);
        return merged;
      }
      dom::element type;
      if (!object.at_key("resourceType").get(type) && string_or_empty(type) == "Bundle") {
        dom::element entries;
        if (object.at_key("entry").get(entries)) {
          continue;  // an empty search result
        }
        dom::array list;
        if (entries.get_array().get(list)) {
          merged.problem = fmt::format("prefetch `{}`: `entry` is not an array", entry.key);
          return merged;
        }
        std::size_t index = 0;
        for (dom::element item : list) {
          dom::element resource;
          if (!item.is_object() || item.at_key("resource").get(resource)) {
            merged.problem =
                fmt::format("prefetch `{}` entry {} has no `resource`", entry.key, index);
            return merged;
          }
          if (!add(entry.key, index, resource)) {
            return merged;
          }
          ++index;
        }
      } else if (!add(entry.key, SIZE_MAX, value)) {
        return merged;
      }
    }
  }
  merged.bundle += "]}";
  return merged;
}

// The hooks a guideline answers: its `hooks` clause, or `patient-view`.
std::vector<std::string> service_hooks(const Guideline& guideline) {
  if (guideline.hooks().empty()) {
    return {"patient-view"};
  }
  return {guideline.hooks().begin(), guideline.hooks().end()};
}

Json card_source(const Guideline& guideline, std::string_view recommendation) {
  Json source;
  source["label"] = guideline.title().empty() ? guideline.id() : guideline.title();
  if (!recommendation.empty()) {
    source["topic"] = Json{{"system", "urn:rubric:guideline:" + guideline.id()},
                           {"code", recommendation},
                           {"display", recommendation}};
  }
  return source;
}

std::string fact_line(const Guideline& guideline, const RecordReading& reading, FactId fact) {
  const FactSpec& spec = guideline.facts()[fact.value];
  const Value& value = reading.facts.get(fact);
  std::string line =
      fmt::format("- {} {}", code_span(spec.name),
                  value.kind() == ValueKind::null ? std::string("not recorded")
                                                  : "= " + code_span(display_value(value)));
  if (!spec.description.empty()) {
    line += fmt::format(" ({})", spec.description);
  }
  if (fact.value < reading.provenance.size()) {
    const FactProvenance& provenance = reading.provenance[fact.value];
    if (!provenance.resource.empty()) {
      line += fmt::format(": from {}", code_span(provenance.resource));
      if (!provenance.date.empty()) {
        line += fmt::format(" of {}", provenance.date);
      }
    } else if (!provenance.resources.empty()) {
      std::vector<std::string> spans;
      for (const std::string& resource : provenance.resources) {
        spans.push_back(code_span(resource));
      }
      line += fmt::format(": from {}", fmt::join(spans, ", "));
    } else if (spec.evaluation_date) {
      line += ": the evaluation date";
    }
  }
  return line + "\n";
}

std::string citations_markdown(const Guideline& guideline, const RecommendationInfo& info) {
  if (info.citations.empty()) {
    return {};
  }
  std::string text = "\n**Sources**\n\n";
  for (const std::uint32_t number : info.citations) {
    const SourceInfo* source = guideline.source(number);
    text += fmt::format("{}. {}\n", number,
                        source != nullptr && !source->citation.empty() ? source->citation
                                                                       : std::string("(no text)"));
  }
  return text;
}

std::string outcome_words(Outcome outcome) {
  switch (outcome) {
    case Outcome::recommended: return "recommended";
    case Outcome::absent: return "not made";
    case Outcome::undetermined: break;
  }
  return "still undetermined";
}

// The wall-clock time for the audit log, `2026-06-15T10:00:00.123Z`.
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), milliseconds);
}

// Parses a request body into `root` (valid until the thread's next parse); the 400 otherwise.
std::optional<HttpResponse> parse_body(std::string_view body, dom::element& root) {
  thread_local dom::parser parser;
  if ((parser.capacity() < body.size() || parser.max_depth() != kMaxRequestDepth) &&
      parser.allocate(std::max<std::size_t>(body.size(), 64), kMaxRequestDepth)) {
    return error_response(500, "cannot allocate memory for the request");
  }
  if (const auto error = parser.parse(body.data(), body.size(), true).get(root)) {
    return error_response(400, error == simdjson::DEPTH_ERROR
                                   ? fmt::format("the request body is nested more than {} levels "
                                                 "deep",
                                                 kMaxRequestDepth)
                                   : fmt::format("the request body is not valid JSON: {}",
                                                 simdjson::error_message(error)));
  }
  return std::nullopt;
}

}  // namespace

std::string name_uuid(std::string_view name) {
  // RFC 4122 version 5 in a namespace of Rubric's own (the SHA-1 of its name).
  static constexpr std::array<unsigned char, 16> kNamespace = {0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0a,
                                                               0x4d, 0x57, 0x9a, 0x31, 0x2c, 0x7e,
                                                               0x44, 0x90, 0xd1, 0x05};
  std::string input(kNamespace.begin(), kNamespace.end());
  input.append(name);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0FU) | 0x50U);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3FU) | 0x80U);
  std::string out;
  for (std::size_t k = 0; k < 16; ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) {
      out += '-';
    }
    out += fmt::format("{:02x}", digest[k]);
  }
  return out;
}

std::vector<PrefetchTemplate> prefetch_templates(const Guideline& guideline) {
  std::vector<PrefetchTemplate> templates{{"patient", "Patient", "Patient/{{context.patientId}}"}};
  std::vector<std::string> types;
  for (const FactSpec& spec : guideline.facts()) {
    if (spec.binding && spec.binding->resource_type != "Patient" &&
        std::find(types.begin(), types.end(), spec.binding->resource_type) == types.end()) {
      types.push_back(spec.binding->resource_type);
    }
  }
  for (const std::string& type : types) {
    bool every_coded = true;
    std::vector<std::string> tokens;
    for (const FactSpec& spec : guideline.facts()) {
      if (!spec.binding || spec.binding->resource_type != type) {
        continue;
      }
      every_coded = every_coded && !spec.binding->codes.empty();
      for (const Coding& coding : spec.binding->codes) {
        std::string token = percent_encode(coding.system) + "|" + percent_encode(coding.code);
        if (std::find(tokens.begin(), tokens.end(), token) == tokens.end()) {
          tokens.push_back(std::move(token));
        }
      }
    }
    std::string query = type + "?patient={{context.patientId}}";
    if (every_coded && !tokens.empty()) {
      query += fmt::format("&code={}", fmt::join(tokens, ","));
    }
    templates.push_back({prefetch_key(type), type, std::move(query)});
  }
  return templates;
}

// Counters of `rubric_*` metrics; every field under the mutex.
struct CdsService::Metrics {
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  std::mutex mutex;
  // (endpoint, service, status) → requests
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests;
  std::array<std::uint64_t, kBuckets.size()> latency_buckets{};  // cumulative at output
  std::uint64_t latency_count = 0;
  double latency_sum = 0;
  std::map<std::string, std::uint64_t> cards;  // outcome → cards
  std::uint64_t reloads_succeeded = 0;
  std::uint64_t reloads_failed = 0;
};

std::string content_sha256(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  std::string out;
  for (const unsigned char byte : digest) {
    out += fmt::format("{:02x}", byte);
  }
  return out;
}

namespace {

CdsService::Catalog with_templates(CdsService::Catalog catalog) {
  for (ServedGuideline& served : catalog) {
    served.templates = prefetch_templates(*served.guideline);
  }
  return catalog;
}

}  // namespace

CdsService::CdsService(Catalog guidelines, ServiceOptions options)
    : catalog_(std::make_shared<const Catalog>(with_templates(std::move(guidelines)))),
      options_(std::move(options)),
      metrics_(std::make_unique<Metrics>()) {
  if (!options_.fetch) {
    fetcher_ = std::make_unique<FhirFetcher>();
  }
}

CdsService::~CdsService() {
  stop_fetching();
}

void CdsService::stop_fetching() {
  if (fetcher_) {
    fetcher_->stop();
  }
}

std::shared_ptr<const CdsService::Catalog> CdsService::guidelines() const {
  const std::lock_guard lock(catalog_mutex_);
  return catalog_;
}

void CdsService::replace(Catalog guidelines) {
  auto next = std::make_shared<const Catalog>(with_templates(std::move(guidelines)));
  const std::lock_guard lock(catalog_mutex_);
  catalog_ = std::move(next);
}

void CdsService::count_reload(bool succeeded) const {
  const std::lock_guard lock(metrics_->mutex);
  ++(succeeded ? metrics_->reloads_succeeded : metrics_->reloads_failed);
}

std::string CdsService::metrics() const {
  const std::shared_ptr<const Catalog> catalog = guidelines();
  const std::lock_guard lock(metrics_->mutex);
  std::string out;
  out += "# HELP rubric_requests_total HTTP requests answered, by endpoint, service and status.\n";
  out += "# TYPE rubric_requests_total counter\n";
  for (const auto& [key, count] : metrics_->requests) {
    out += fmt::format("rubric_requests_total{{endpoint=\"{}\",service=\"{}\",status=\"{}\"}} {}\n",
                       std::get<0>(key), std::get<1>(key), std::get<2>(key), count);
  }
  out += "# HELP rubric_request_duration_seconds Time from a request's arrival to its answer.\n";
  out += "# TYPE rubric_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t k = 0; k < Metrics::kBuckets.size(); ++k) {
    cumulative += metrics_->latency_buckets[k];
    out += fmt::format("rubric_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       Metrics::kBuckets[k], cumulative);
  }
  out += fmt::format("rubric_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                     metrics_->latency_count);
  out += fmt::format("rubric_request_duration_seconds_sum {}\n", metrics_->latency_sum);
  out += fmt::format("rubric_request_duration_seconds_count {}\n", metrics_->latency_count);
  out += "# HELP rubric_cards_total Cards returned, by outcome.\n";
  out += "# TYPE rubric_cards_total counter\n";
  for (const char* outcome : {"recommended", "undetermined", "invalid-data"}) {
    const auto found = metrics_->cards.find(outcome);
    out += fmt::format("rubric_cards_total{{outcome=\"{}\"}} {}\n", outcome,
                       found == metrics_->cards.end() ? 0 : found->second);
  }
  out += "# HELP rubric_reloads_total Guideline reloads, by result.\n";
  out += "# TYPE rubric_reloads_total counter\n";
  out +=
      fmt::format("rubric_reloads_total{{result=\"succeeded\"}} {}\n", metrics_->reloads_succeeded);
  out += fmt::format("rubric_reloads_total{{result=\"failed\"}} {}\n", metrics_->reloads_failed);
  out += "# HELP rubric_guideline_info The guidelines served now.\n";
  out += "# TYPE rubric_guideline_info gauge\n";
  for (const ServedGuideline& served : *catalog) {
    out += fmt::format("rubric_guideline_info{{service=\"{}\",version=\"{}\",sha256=\"{}\"}} 1\n",
                       served.guideline->id(), served.guideline->version(), served.sha256);
  }
  return out;
}

HttpResponse CdsService::discovery(const Catalog& catalog) const {
  Json services = Json::array();
  for (const ServedGuideline& served : catalog) {
    const Guideline& guideline = *served.guideline;
    Json prefetch = Json::object();
    for (const PrefetchTemplate& entry : served.templates) {
      prefetch[entry.key] = entry.query;
    }
    for (const std::string& hook : service_hooks(guideline)) {
      Json service;
      service["hook"] = hook;
      service["title"] = guideline.title().empty() ? guideline.id() : guideline.title();
      service["description"] = fmt::format(
          "Recommendations of {} (version {}) for the patient in context, from the resources below",
          guideline.title().empty() ? guideline.id() : guideline.title(),
          guideline.version().empty() ? std::string("unversioned") : guideline.version());
      service["id"] = guideline.id();
      service["prefetch"] = prefetch;  // the same templates for every hook
      service["usageRequirements"] =
          "The prefetch must hold the Patient and every resource the searches return; a key set "
          "to null means none was found.";
      services.push_back(std::move(service));
    }
  }
  return json_response(200, Json{{"services", std::move(services)}});
}

struct CdsService::Invocation {
  const ServedGuideline* served = nullptr;
  const std::vector<PrefetchTemplate>* templates = nullptr;  // the served guideline's
  std::vector<PrefetchTemplate> own_templates;  // for a guideline not taken from the catalog
  HookRequest request;
  MergedRecord merged;
  // While fetching: the request's own copy and parse (the serving thread's parser is reused by
  // its next request), and the documents the FHIR server answered.
  std::string body;
  std::unique_ptr<dom::parser> parser;
  Fetched fetched;
  std::vector<std::unique_ptr<dom::parser>> documents;
};

// Fetches the prefetch keys an invocation lacks from the request's FHIR server, one GET after
// another (searches page by page through their `next` links, on the same server), all within
// one deadline; then decides, or answers 412 when the server cannot give them.
class CdsService::FetchJob : public std::enable_shared_from_this<FetchJob> {
 public:
  FetchJob(const CdsService& service, std::unique_ptr<Invocation> invocation, Url server,
           std::string base, InvocationRecord* record, std::function<void(HttpResponse)> later)
      : service_(service),
        invocation_(std::move(invocation)),
        server_(std::move(server)),
        base_(std::move(base)),
        record_(record),
        later_(std::move(later)),
        budget_(service.options_.record_limits.max_bytes),
        deadline_(std::chrono::steady_clock::now() + service.options_.fetch_deadline) {}

  void start() { next_key(); }

 private:
  void refuse(const std::string& message) {
    later_(error_response(412, "cannot fetch the missing prefetch: " + message));
  }

  // Starts the next missing key's first GET, or decides when none is left.
  void next_key() {
    const Invocation& invocation = *invocation_;
    if (key_ == invocation.merged.missing.size()) {
      return done();
    }
    const std::string& key = invocation.merged.missing[key_];
    const auto& templates = *invocation.templates;
    entry_ = &*std::find_if(templates.begin(), templates.end(),
                            [&](const PrefetchTemplate& t) { return t.key == key; });
    std::string query = entry_->query;
    const std::string placeholder = "{{context.patientId}}";
    for (std::size_t at = query.find(placeholder); at != std::string::npos;
         at = query.find(placeholder)) {
      query.replace(at, placeholder.size(), percent_encode(invocation.request.patient_id));
    }
    next_ = fmt::format("{}/{}", base_, query);
    page_ = 0;
    invocation_->fetched[key];  // the key is answered, if only by "none found"
    get();
  }

  void get() {
    const std::string& key = invocation_->merged.missing[key_];
    if (page_ == kMaxSearchPages) {
      return refuse(
          fmt::format("the search for `{}` has more than {} pages", key, kMaxSearchPages));
    }
    const std::optional<Url> url = parse_url(next_);
    if (!url || url->scheme != server_.scheme || url->host != server_.host ||
        url->port != server_.port) {
      return refuse(fmt::format("the search for `{}` links to {}, outside `fhirServer`", key,
                                code_span(next_)));
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
      return refuse(fmt::format("GET {}: no time left of the {} s the fetches may take",
                                code_span(next_), service_.options_.fetch_deadline.count() / 1000));
    }
    FetchDone done = [self = shared_from_this()](FetchResult result) {
      try {
        self->on_answer(std::move(result));
      } catch (const std::exception&) {  // memory ran out: the caller still gets an answer
        self->later_(error_response(500, "internal error"));
      }
    };
    const std::string& token = invocation_->request.access_token;
    if (service_.options_.fetch) {
      service_.options_.fetch(*url, token, budget_, deadline_, std::move(done));
    } else {
      service_.fetcher_->get(*url, token, budget_, deadline_, std::move(done));
    }
  }

  void on_answer(FetchResult result) {
    if (result.status == 404 && entry_->resource_type == "Patient") {
      return advance_key();  // no such patient: "none found"
    }
    if (result.status != 200) {
      return refuse(result.status == 0
                        ? fmt::format("GET {}: {}", code_span(next_), result.problem)
                        : fmt::format("GET {} answered {}", code_span(next_), result.status));
    }
    budget_ -= std::min(budget_, result.body.size());
    auto& parser = invocation_->documents.emplace_back(std::make_unique<dom::parser>());
    dom::element document;
    if (parser->allocate(std::max<std::size_t>(result.body.size(), 64), kMaxRequestDepth) ||
        parser->parse(result.body).get(document) || !document.is_object()) {
      return refuse(fmt::format("GET {} did not answer a JSON object", code_span(next_)));
    }
    invocation_->fetched[invocation_->merged.missing[key_]].push_back(document);
    next_.clear();
    dom::element links;
    dom::array link_list;
    if (!document.at_key("link").get(links) && !links.get_array().get(link_list)) {
      for (dom::element link : link_list) {
        dom::element relation;
        dom::element target;
        if (link.is_object() && !link.at_key("relation").get(relation) &&
            string_or_empty(relation) == "next" && !link.at_key("url").get(target)) {
          next_ = std::string(string_or_empty(target));
        }
      }
    }
    if (next_.empty()) {
      return advance_key();
    }
    ++page_;
    get();
  }

  void advance_key() {
    ++key_;
    next_key();
  }

  void done() {
    Invocation& invocation = *invocation_;
    invocation.merged = merge_prefetch(*invocation.served->guideline, invocation.request,
                                       *invocation.templates, invocation.fetched);
    if (!invocation.merged.problem.empty()) {
      return later_(error_response(400, invocation.merged.problem));
    }
    later_(service_.decide(invocation, record_));
  }

  const CdsService& service_;
  std::unique_ptr<Invocation> invocation_;
  Url server_;
  std::string base_;
  InvocationRecord* record_;
  std::function<void(HttpResponse)> later_;
  std::size_t budget_;  // bytes the remaining answers may have
  Deadline deadline_;
  std::size_t key_ = 0;  // into invocation_->merged.missing
  const PrefetchTemplate* entry_ = nullptr;
  std::string next_;  // the URL being fetched
  std::size_t page_ = 0;
};

HttpResponse CdsService::invoke(const ServedGuideline& served, std::string_view body,
                                InvocationRecord* record) const {
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  std::future<HttpResponse> later = answer->get_future();
  if (std::optional<HttpResponse> now = start_invocation(
          served, body, record,
          [answer](HttpResponse response) { answer->set_value(std::move(response)); })) {
    return std::move(*now);
  }
  return later.get();
}

std::optional<HttpResponse> CdsService::start_invocation(
    const ServedGuideline& served, std::string_view body, InvocationRecord* record,
    std::function<void(HttpResponse)> later) const {
  const Guideline& guideline = *served.guideline;
  dom::element root;
  if (std::optional<HttpResponse> problem = parse_body(body, root)) {
    return *problem;
  }
  auto invocation = std::make_unique<Invocation>();
  invocation->served = &served;
  invocation->templates = &served.templates;
  if (served.templates.empty()) {
    invocation->own_templates = prefetch_templates(guideline);
    invocation->templates = &invocation->own_templates;
  }
  HookRequest& request = invocation->request;
  if (const auto problem = read_request(root, request)) {
    return error_response(400, *problem);
  }
  const std::vector<std::string> hooks = service_hooks(guideline);
  if (std::find(hooks.begin(), hooks.end(), request.hook) == hooks.end()) {
    std::vector<std::string> names;
    names.reserve(hooks.size());
    for (const std::string& hook : hooks) {
      names.push_back(code_span(hook));
    }
    return error_response(400,
                          fmt::format("service {} answers {}, not {}", code_span(guideline.id()),
                                      fmt::join(names, " and "), code_span(request.hook)));
  }
  invocation->merged = merge_prefetch(guideline, request, *invocation->templates, {});
  if (!invocation->merged.problem.empty()) {
    return error_response(400, invocation->merged.problem);
  }
  if (invocation->merged.missing.empty() || request.fhir_server.empty() ||
      request.access_token.empty()) {
    return decide(*invocation, record);
  }
  std::string base = request.fhir_server;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  const std::optional<Url> server = parse_url(base);
  if (!server) {
    return error_response(412, fmt::format("cannot fetch the missing prefetch: `fhirServer` {} is "
                                           "not an http or https URL",
                                           code_span(base)));
  }
  if (const std::string refusal = fhir_server_refusal(*server, options_.allow_loopback_fhir_http);
      !refusal.empty()) {
    return error_response(412, "cannot fetch the missing prefetch: " + refusal);
  }
  // The fetch outlives this thread's parse: the job reads the body again into its own parser.
  invocation->body = std::string(body);
  invocation->parser = std::make_unique<dom::parser>();
  if (invocation->parser->allocate(std::max<std::size_t>(body.size(), 64), kMaxRequestDepth) ||
      invocation->parser->parse(invocation->body).get(root)) {
    return error_response(500, "cannot read the request again");
  }
  HookRequest again;
  if (read_request(root, again)) {
    return error_response(500, "cannot read the request again");
  }
  request = std::move(again);
  std::make_shared<FetchJob>(*this, std::move(invocation), *server, std::move(base), record,
                             std::move(later))
      ->start();
  return std::nullopt;
}

HttpResponse CdsService::decide(const Invocation& invocation, InvocationRecord* record) const {
  const ServedGuideline& served = *invocation.served;
  const Guideline& guideline = *served.guideline;
  const HookRequest& request = invocation.request;
  const MergedRecord& merged = invocation.merged;
  if (!merged.missing.empty()) {
    std::vector<std::string> keys;
    for (const std::string& key : merged.missing) {
      keys.push_back(code_span(key));
    }
    Json answer{{"error", fmt::format("the prefetch lacks {}; send every prefetch template of the "
                                      "service's discovery entry (null when nothing was found), "
                                      "or `fhirServer` with `fhirAuthorization`",
                                      fmt::join(keys, ", "))},
                {"missing", merged.missing}};
    return json_response(412, answer);
  }
  if (merged.patient_not_found) {
    return error_response(
        400, fmt::format("prefetch `patient` is null: the client found no Patient {}, and "
                         "the recommendations need the patient",
                         code_span(request.patient_id)));
  }
  const DateTime as_of = options_.evaluation_date();
  RecordReader reader(guideline.facts(), options_.record_limits);
  RecordReading reading;
  reader.read(merged.bundle, as_of, reading, BadValues::set_aside);
  if (!reading.ok()) {
    return error_response(400, "the prefetch is not a usable record: " + reading.error->message);
  }
  guideline.set_evaluation_date(reading.facts, as_of);
  EvaluationScratch scratch;
  Decision decision;
  guideline.evaluate(reading.facts, scratch, decision);
  if (record != nullptr) {
    record->hook_instance = request.hook_instance;
    record->evaluation_date = to_text(Value::date_time(as_of), TextStyle::fact_file);
    Json facts = Json::object();
    const std::span<const FactSpec> specs = guideline.facts();
    for (std::size_t k = 0; k < specs.size(); ++k) {
      if (!specs[k].binding || specs[k].evaluation_date) {
        continue;
      }
      const Value& value = reading.facts.values()[k];
      const FactProvenance& provenance = reading.provenance[k];
      Json fact;
      if (value.kind() == ValueKind::null) {
        fact["absent"] = provenance.absent_reason;
      } else {
        fact["value"] = to_text(value, TextStyle::fact_file);
        fact["resources"] = provenance.resources.empty() && !provenance.resource.empty()
                                ? Json::array({provenance.resource})
                                : Json(provenance.resources);
      }
      facts[specs[k].name] = std::move(fact);
    }
    record->facts_json = dump(facts);
    Json outcomes = Json::object();
    for (std::size_t r = 0; r < guideline.recommendations().size(); ++r) {
      const Outcome outcome = decision.outcomes[r];
      outcomes[guideline.recommendations()[r].id] = outcome == Outcome::recommended ? "recommended"
                                                    : outcome == Outcome::absent    ? "not made"
                                                                                 : "undetermined";
    }
    record->outcomes_json = dump(outcomes);
    Json invalid = Json::array();
    for (const RecordError& problem : reading.set_aside) {
      invalid.push_back(Json{
          {"fact", problem.fact}, {"resource", problem.resource}, {"message", problem.message}});
    }
    record->invalid_json = dump(invalid);
  }

  const std::string card_key =
      fmt::format("{}/{}/{}", request.hook_instance, guideline.id(), guideline.version());
  Json cards = Json::array();
  for (const RecordError& problem : reading.set_aside) {
    Json card;
    card["uuid"] =
        name_uuid(fmt::format("{}/data/{}/{}", card_key, problem.fact, problem.resource));
    card["summary"] =
        fit(fmt::format("Recorded value not used: {} from {}", problem.fact, problem.resource),
            kMaxSummaryCharacters);
    card["indicator"] = "warning";
    card["detail"] = fmt::format(
        "{}\n\nThe recommendations were decided as if {} were not recorded; correct the "
        "record to use it.",
        problem.message, code_span(problem.fact));
    card["source"] = card_source(guideline, {});
    card["extension"] = Json{{"rubric", Json{{"outcome", "invalid-data"},
                                             {"fact", problem.fact},
                                             {"resource", problem.resource}}}};
    cards.push_back(std::move(card));
  }
  const std::span<const RecommendationInfo> infos = guideline.recommendations();
  std::vector<std::size_t> undetermined;
  for (std::size_t r = 0; r < infos.size(); ++r) {
    if (decision.outcomes[r] == Outcome::undetermined) {
      undetermined.push_back(r);
      continue;
    }
    if (decision.outcomes[r] != Outcome::recommended) {
      continue;
    }
    const RecommendationInfo& info = infos[r];
    std::string detail = info.text + "\n\n**Decided by**\n\n";
    for (const FactId fact : guideline.deciding_facts(r, scratch)) {
      detail += fact_line(guideline, reading, fact);
    }
    if (!decision.despite[r].empty()) {
      std::vector<std::string> names;
      for (const FactId fact : decision.despite[r]) {
        names.push_back(code_span(guideline.facts()[fact.value].name));
      }
      detail += fmt::format(
          "\nDecided although {} {} not recorded: every value would give the same outcome.\n",
          fmt::join(names, ", "), names.size() == 1 ? "is" : "are");
    }
    detail += citations_markdown(guideline, info);
    Json card;
    card["uuid"] = name_uuid(fmt::format("{}/recommended/{}", card_key, info.id));
    card["summary"] = info.summary ? *info.summary : fit(info.text, kMaxSummaryCharacters);
    card["indicator"] = info.indicator;
    card["detail"] = std::move(detail);
    card["source"] = card_source(guideline, info.id);
    card["extension"] = Json{{"rubric", Json{{"id", info.id}, {"outcome", "recommended"}}}};
    cards.push_back(std::move(card));
  }
  if (!undetermined.empty()) {
    // What each missing fact would decide, from the explanations (each option evaluated).
    std::map<std::string, std::string> by_fact;  // fact name → its lines
    std::map<std::string, std::string> fact_heading;
    Json waiting = Json::array();
    std::string waits = "\n**Waiting**\n\n";
    for (const std::size_t r : undetermined) {
      const RecommendationInfo& info = infos[r];
      const Explanation explanation = explain(guideline, *served.sources, reading.facts, r);
      Json missing = Json::array();
      std::vector<std::string> names;
      for (const MissingFact& fact : explanation.missing) {
        missing.push_back(fact.name);
        names.push_back(code_span(fact.name));
        if (!fact_heading.contains(fact.name)) {
          std::string heading = fmt::format("- {}: {}", code_span(fact.name), fact.expected);
          if (!fact.description.empty()) {
            heading += fmt::format(" ({})", fact.description);
          }
          const FactProvenance& provenance = reading.provenance[fact.id.value];
          if (!provenance.absent_reason.empty()) {
            heading += fmt::format("; not read from the record: {}", provenance.absent_reason);
          }
          fact_heading[fact.name] = heading + "\n";
        }
        std::vector<std::string> options;
        for (const SettleOption& option : fact.options) {
          options.push_back(fmt::format("{}{} gives {}", option.proven ? "" : "for example ",
                                        option.values, outcome_words(option.outcome)));
        }
        by_fact[fact.name] +=
            fmt::format("  - {}: {}\n", code_span(info.id),
                        options.empty() ? std::string("its values could not be tried one by one")
                                        : fmt::format("{}", fmt::join(options, "; ")));
      }
      waits += fmt::format("- {} ({}) waits on {}\n", code_span(info.id), fit(info.text, 100),
                           fmt::join(names, ", "));
      waiting.push_back(Json{{"id", info.id}, {"missing", std::move(missing)}});
    }
    std::string detail =
        "Record these facts to decide the recommendations that wait on them. "
        "Each line says what a value would decide, all else unchanged.\n\n";
    for (const auto& [name, heading] : fact_heading) {
      detail += heading + by_fact[name];
    }
    detail += waits;
    Json card;
    card["uuid"] = name_uuid(card_key + "/undetermined");
    card["summary"] =
        fmt::format("Information needed: {} {} cannot be decided yet", undetermined.size(),
                    undetermined.size() == 1 ? "recommendation" : "recommendations");
    card["indicator"] = "info";
    card["detail"] = std::move(detail);
    card["source"] = card_source(guideline, {});
    card["extension"] =
        Json{{"rubric", Json{{"outcome", "undetermined"}, {"undetermined", std::move(waiting)}}}};
    cards.push_back(std::move(card));
  }
  {
    const std::lock_guard lock(metrics_->mutex);
    for (const Json& card : cards) {
      ++metrics_->cards[card["extension"]["rubric"]["outcome"].get<std::string>()];
    }
  }
  return json_response(200, Json{{"cards", std::move(cards)}});
}

HttpResponse CdsService::feedback(const ServedGuideline& served, std::string_view body) const {
  dom::element root;
  if (std::optional<HttpResponse> problem = parse_body(body, root)) {
    return *problem;
  }
  dom::array items;
  dom::element list;
  if (!root.is_object() || root.at_key("feedback").get(list) || list.get_array().get(items)) {
    return error_response(400, "the feedback body has no `feedback` array");
  }
  std::vector<std::pair<std::string, std::string>> received;
  std::size_t index = 0;
  for (dom::element item : items) {
    dom::element card;
    dom::element outcome;
    dom::element timestamp;
    if (!item.is_object() || item.at_key("card").get(card) || !card.is_string()) {
      return error_response(400, fmt::format("feedback {} has no `card` (a card's uuid)", index));
    }
    if (item.at_key("outcome").get(outcome) ||
        (string_or_empty(outcome) != "accepted" && string_or_empty(outcome) != "overridden")) {
      return error_response(
          400, fmt::format("feedback {}: `outcome` is not `accepted` or `overridden`", index));
    }
    if (item.at_key("outcomeTimestamp").get(timestamp) || !timestamp.is_string()) {
      return error_response(400, fmt::format("feedback {} has no `outcomeTimestamp`", index));
    }
    received.emplace_back(std::string(string_or_empty(card)),
                          std::string(string_or_empty(outcome)));
    ++index;
  }
  for (const auto& [card, outcome] : received) {
    if (options_.log) {
      options_.log(fmt::format("feedback for {}: card {} {}", served.guideline->id(),
                               printable(card), outcome));
    }
    if (options_.audit) {
      options_.audit->write(dump(Json{{"time", utc_now()},
                                      {"type", "feedback"},
                                      {"service", served.guideline->id()},
                                      {"card", card},
                                      {"outcome", outcome}}));
    }
  }
  return json_response(200, Json::object());
}

std::optional<HttpResponse> CdsService::authenticate(const HttpRequest& request,
                                                     std::string_view path) const {
  if (!options_.authenticator) {
    return std::nullopt;
  }
  std::vector<std::string> audiences{options_.base_url + std::string(path)};
  if (path.ends_with("/feedback")) {  // feedback may name the service's own URL
    audiences.push_back(
        options_.base_url +
        std::string(path.substr(0, path.size() - std::string_view("/feedback").size())));
  }
  const AuthResult result =
      options_.authenticator->check(request.header("Authorization"), audiences, options_.now());
  if (result.accepted) {
    return std::nullopt;
  }
  if (options_.log) {
    options_.log(fmt::format("401 for {} {} from {}: {}", printable(request.method),
                             printable(path), request.peer, printable(result.reason)));
  }
  HttpResponse answer = error_response(401, "authentication failed");
  answer.headers.emplace_back("WWW-Authenticate",
                              request.header("Authorization")
                                  ? R"(Bearer realm="cds-services", error="invalid_token")"
                                  : R"(Bearer realm="cds-services")");
  return answer;
}

struct CdsService::Call {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::shared_ptr<const Catalog> catalog;  // this request's version of the guidelines
  Routed routed;
  std::optional<std::string> origin;  // an allowed origin (CORS)
  std::string method;
  std::string path;
  std::string peer;
  Reply reply;
};

HttpResponse CdsService::handle(const HttpRequest& request) const {
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  std::future<HttpResponse> later = answer->get_future();
  handle_async(request,
               [answer](HttpResponse response) { answer->set_value(std::move(response)); });
  return later.get();
}

void CdsService::handle_async(const HttpRequest& request, Reply reply) const {
  auto call = std::make_shared<Call>();
  call->catalog = guidelines();
  call->reply = std::move(reply);
  call->method = request.method;
  call->path = request.target.substr(0, request.target.find('?'));
  call->peer = request.peer;
  // CORS (browser-based CDS clients): a preflight is answered here, before authentication
  // (browsers send no credentials with it); every answer to an allowed origin says so.
  const std::optional<std::string> origin = request.header("Origin");
  if (origin && std::any_of(options_.cors_origins.begin(), options_.cors_origins.end(),
                            [&](const std::string& allowed) {
                              return allowed == "*" || allowed == *origin;
                            })) {
    call->origin = origin;
  }
  if (request.method == "OPTIONS" && call->origin) {
    call->routed.endpoint = "preflight";
    HttpResponse response{204, "text/plain", "", {}};
    response.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    response.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    response.headers.emplace_back("Access-Control-Max-Age", "600");
    return finish(call, std::move(response));
  }
  if (std::optional<HttpResponse> response = route(request, call)) {
    finish(call, std::move(*response));
  }
}

void CdsService::finish(const std::shared_ptr<Call>& call, HttpResponse response) const {
  const Routed& routed = call->routed;
  if (call->origin) {
    response.headers.emplace_back("Access-Control-Allow-Origin", *call->origin);
    response.headers.emplace_back("Vary", "Origin");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call->started).count();
  {
    const std::lock_guard lock(metrics_->mutex);
    ++metrics_->requests[{routed.endpoint, routed.service, response.status}];
    ++metrics_->latency_count;
    metrics_->latency_sum += seconds;
    const auto bucket =
        std::lower_bound(Metrics::kBuckets.begin(), Metrics::kBuckets.end(), seconds);
    if (bucket != Metrics::kBuckets.end()) {
      ++metrics_->latency_buckets[static_cast<std::size_t>(bucket - Metrics::kBuckets.begin())];
    }
  }
  const auto error_of = [&response] {
    const Json answer = Json::parse(response.body, nullptr, false);
    return answer.is_object() && answer.contains("error") ? dump(answer["error"])
                                                          : std::string("null");
  };
  if (options_.audit && routed.invoked != nullptr) {
    const Guideline& guideline = *routed.invoked->guideline;
    std::string line = dump(Json{{"time", utc_now()},
                                 {"type", "invocation"},
                                 {"service", guideline.id()},
                                 {"status", response.status},
                                 {"hookInstance", routed.record.hook_instance},
                                 {"guideline", Json{{"version", guideline.version()},
                                                    {"sha256", routed.invoked->sha256},
                                                    {"path", routed.invoked->path}}},
                                 {"latency_ms", std::round(seconds * 1e6) / 1e3}});
    line.pop_back();
    if (response.status == 200) {
      // The decision's parts, already JSON: spliced in rather than parsed again.
      line += fmt::format(R"(,"evaluation_date":"{}","facts":{},"outcomes":{},"invalid":{}}})",
                          routed.record.evaluation_date, routed.record.facts_json,
                          routed.record.outcomes_json, routed.record.invalid_json);
    } else {
      line += fmt::format(R"(,"error":{}}})", error_of());
    }
    write_audit(line);
  } else if (options_.audit && response.status >= 400 &&
             (routed.endpoint == "discovery" || routed.endpoint == "service" ||
              routed.endpoint == "feedback")) {
    // A call refused before it reached a guideline: who asked for what, and why not.
    std::string line =
        dump(Json{{"time", utc_now()},
                  {"type", "refused"},
                  {"endpoint", routed.endpoint},
                  {"service", routed.service.empty() ? Json() : Json(routed.service)},
                  {"method", call->method.substr(0, 16)},
                  {"path", call->path.substr(0, 256)},
                  {"peer", call->peer},
                  {"status", response.status}});
    line.pop_back();
    line += fmt::format(R"(,"error":{}}})", error_of());
    write_audit(line);
  }
  Reply reply = std::move(call->reply);
  reply(std::move(response));
}

void CdsService::write_audit(const std::string& line) const {
  if (!options_.audit->write(line) && options_.log) {
    options_.log("cannot write the audit log: " + std::string(std::strerror(errno)));
  }
}

std::optional<HttpResponse> CdsService::route(const HttpRequest& request,
                                              const std::shared_ptr<Call>& call) const {
  const Catalog& catalog = *call->catalog;
  Routed& routed = call->routed;
  const std::string_view path = call->path;
  const bool get = request.method == "GET" || request.method == "HEAD";
  const auto only_get = [&](const char* what) {
    HttpResponse answer = error_response(405, fmt::format("{} answers GET", what));
    answer.headers.emplace_back("Allow", "GET, HEAD");
    return answer;
  };
  if (path == "/health") {
    routed.endpoint = "health";
    return get ? json_response(200, Json{{"status", "ok"}}) : only_get("/health");
  }
  if (path == "/metrics") {
    routed.endpoint = "metrics";
    if (!get) {
      return only_get("/metrics");
    }
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics(), {}};
  }
  if (path == kServicesPath || path == "/cds-services/") {
    routed.endpoint = "discovery";
    if (!get) {
      return only_get("discovery (/cds-services)");
    }
    if (std::optional<HttpResponse> refused = authenticate(request, kServicesPath)) {
      return *refused;
    }
    return discovery(catalog);
  }
  if (!path.starts_with("/cds-services/")) {
    return error_response(404, fmt::format("no resource at {}", code_span(path)));
  }
  routed.endpoint = "service";
  if (std::optional<HttpResponse> refused = authenticate(request, path)) {
    return *refused;
  }
  std::string_view rest = path.substr(kServicesPath.size() + 1);
  if (rest.ends_with("/feedback")) {
    rest.remove_suffix(std::string_view("/feedback").size());
    routed.endpoint = "feedback";
  }
  const auto served = std::find_if(catalog.begin(), catalog.end(),
                                   [&](const auto& g) { return g.guideline->id() == rest; });
  if (served == catalog.end() || rest.find('/') != std::string_view::npos) {
    return error_response(
        404, fmt::format("no service {}; `GET /cds-services` lists them", code_span(rest)));
  }
  routed.service = served->guideline->id();
  if (request.method != "POST") {
    HttpResponse answer = error_response(405, "a service is called with POST");
    answer.headers.emplace_back("Allow", "POST");
    return answer;
  }
  const std::optional<std::string> type = request.header("Content-Type");
  if (!type ||
      !(type->starts_with("application/json") || type->starts_with("application/fhir+json"))) {
    return error_response(415, "the request body must be `application/json`");
  }
  if (routed.endpoint == "feedback") {
    return feedback(*served, request.body);
  }
  routed.invoked = &*served;
  return start_invocation(
      *served, request.body, options_.audit ? &routed.record : nullptr,
      [this, call](HttpResponse response) { finish(call, std::move(response)); });
}

}  // namespace rubric::service
