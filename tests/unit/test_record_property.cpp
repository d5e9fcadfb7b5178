// Issue 16 §6, the record reader's property: for random fact sets, a record that encodes them,
// read back through the bindings (records/record_reader.hpp), gives the same facts, and the
// same outcomes as the fact-file path. The encoder below is written from
// shared/seed/FHIR-BINDING.md, docs/fhir.md and FHIR R4, never from the reader: for each fact
// it writes the resources a record would hold for the value, among distractors that by the
// contract must not change it (older, preliminary, entered-in-error, refuted, resolved, stale,
// future or undated resources, other code systems, unrelated resource types, any entry order).
// The calendar arithmetic is this file's own too (proleptic Gregorian, from its rules).
//
// The run is reproducible: a fixed seed (RUBRIC_PROPERTY_SEED overrides it,
// RUBRIC_PROPERTY_ITERATIONS the number of records), printed with every failure.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"
#include "tests/unit/support.hpp"
#include "tools/fact_file.hpp"

namespace rubric {
namespace {

// ---- Calendar ------------------------------------------------------------------------------

struct Ymd {
  int y = 1970;
  int m = 1;
  int d = 1;
};

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays.at(static_cast<std::size_t>(month - 1));
}

bool valid(const Ymd& date) {
  return date.m >= 1 && date.m <= 12 && date.d >= 1 && date.d <= days_in_month(date.y, date.m);
}

// Days since 1970-01-01, by counting whole years and months.
std::int64_t day_number(const Ymd& date) {
  std::int64_t days = 0;
  for (int year = 1970; year < date.y; ++year) {
    days += is_leap(year) ? 366 : 365;
  }
  for (int year = date.y; year < 1970; ++year) {
    days -= is_leap(year) ? 366 : 365;
  }
  for (int month = 1; month < date.m; ++month) {
    days += days_in_month(date.y, month);
  }
  return days + date.d - 1;
}

Ymd plus_days(Ymd date, std::int64_t days) {
  while (days > 0) {
    if (date.d < days_in_month(date.y, date.m)) {
      ++date.d;
    } else if (date.m < 12) {
      ++date.m;
      date.d = 1;
    } else {
      ++date.y;
      date.m = 1;
      date.d = 1;
    }
    --days;
  }
  while (days < 0) {
    if (date.d > 1) {
      --date.d;
    } else if (date.m > 1) {
      --date.m;
      date.d = days_in_month(date.y, date.m);
    } else {
      --date.y;
      date.m = 12;
      date.d = 31;
    }
    ++days;
  }
  return date;
}

// CQL's `date - N years`: the same month and day N years earlier, the day clamped to the
// month's last (2028-02-29 - 1 year = 2027-02-28).
Ymd minus_years(Ymd date, int years) {
  date.y -= years;
  date.d = std::min(date.d, days_in_month(date.y, date.m));
  return date;
}

// Completed calendar years from `birth` to `on`: one more on each birthday, and a February 29
// birthday falls on March 1 in a common year (the day after February 28).
int completed_years(const Ymd& birth, const Ymd& on) {
  int years = on.y - birth.y;
  if (on.m < birth.m || (on.m == birth.m && on.d < birth.d)) {
    --years;
  }
  return years;
}

std::string two(int n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

std::string iso(const Ymd& date) {
  std::string year = std::to_string(date.y);
  while (year.size() < 4) {
    year.insert(0, "0");
  }
  return year + "-" + two(date.m) + "-" + two(date.d);
}

// ---- Randomness ----------------------------------------------------------------------------

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  // A uniform integer in [low, high].
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(engine_);
  }
  int small(int low, int high) { return static_cast<int>(between(low, high)); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(engine_) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items.at(
        static_cast<std::size_t>(between(0, static_cast<std::int64_t>(items.size()) - 1)));
  }
  template <typename T>
  void shuffle(std::vector<T>& items) {
    std::shuffle(items.begin(), items.end(), engine_);
  }

 private:
  std::mt19937_64 engine_;
};

std::uint64_t property_seed() {
  const char* text = std::getenv("RUBRIC_PROPERTY_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 20261206;
}

int property_iterations(int fallback) {
  const char* text = std::getenv("RUBRIC_PROPERTY_ITERATIONS");
  return text != nullptr ? std::atoi(text) : fallback;
}

// ---- JSON ----------------------------------------------------------------------------------

std::string json_string(const std::string& text) {
  return "\"" + text + "\"";
}

// A number with `scale` digits after the point (`scaled_text(350, 2)` is `3.50`), with the
// trailing zeros dropped unless `keep_zeros`.
std::string scaled_text(std::int64_t scaled, int scale, bool keep_zeros = false) {
  std::string digits = std::to_string(scaled < 0 ? -scaled : scaled);
  while (static_cast<int>(digits.size()) <= scale) {
    digits.insert(0, "0");
  }
  std::string text = digits.substr(0, digits.size() - static_cast<std::size_t>(scale));
  std::string fraction = digits.substr(digits.size() - static_cast<std::size_t>(scale));
  if (!keep_zeros) {
    while (!fraction.empty() && fraction.back() == '0') {
      fraction.pop_back();
    }
  }
  if (!fraction.empty()) {
    text += "." + fraction;
  }
  return (scaled < 0 ? "-" : "") + text;
}

// A date as a record writes it: a date, or a date-time whose date part (as written) is `date`,
// at any time and offset.
std::string record_date(const Ymd& date, Random& random) {
  if (random.chance(0.5)) {
    return iso(date);
  }
  std::string text = iso(date) + "T" + two(random.small(0, 23)) + ":" + two(random.small(0, 59)) +
                     ":" + two(random.small(0, 59));
  if (random.chance(0.3)) {
    return text + "Z";
  }
  const int offset = random.small(-12, 14);
  return text + (offset < 0 ? "-" : "+") + two(offset < 0 ? -offset : offset) + ":" +
         (random.chance(0.8) || offset == 14 ? "00" : "30");
}

using Fields = std::vector<std::pair<std::string, std::string>>;  // key, JSON value

const char* const kUcum = "http://unitsofmeasure.org";

std::string object(Fields fields, Random& random) {
  // JSON objects are unordered: sometimes the keys come in another order (resourceType last).
  if (random.chance(0.15)) {
    random.shuffle(fields);
  }
  std::string text = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    text += (i == 0 ? "" : ", ") + json_string(fields[i].first) + ": " + fields[i].second;
  }
  return text + "}";
}

// A CodeableConcept with `system|code` among other codings (any coding may match).
std::string concept_with(const std::string& system, const std::string& code, Random& random) {
  std::vector<std::string> codings = {"{\"system\": " + json_string(system) +
                                      ", \"code\": " + json_string(code) + "}"};
  if (random.chance(0.2)) {
    codings.emplace_back(
        "{\"system\": \"http://snomed.info/sct\", \"code\": \"12345678\", \"display\": \"other\"}");
  }
  if (random.chance(0.1)) {
    codings.push_back("{\"system\": \"urn:oid:1.2.3\", \"code\": " + json_string(code) + "}");
  }
  random.shuffle(codings);
  std::string text = "{\"coding\": [";
  for (std::size_t i = 0; i < codings.size(); ++i) {
    text += (i == 0 ? "" : ", ") + codings[i];
  }
  text += "]";
  if (random.chance(0.3)) {
    text += ", \"text\": \"as recorded\"";
  }
  return text + "}";
}

std::string status_concept(const std::string& system, const std::string& code) {
  return "{\"coding\": [{\"system\": \"http://terminology.hl7.org/CodeSystem/" + system +
         "\", \"code\": " + json_string(code) + "}]}";
}

// One patient's record under construction.
class Record {
 public:
  explicit Record(Random& random) : random_(random) {}

  std::string next_id(const std::string& prefix) { return prefix + "-" + std::to_string(++ids_); }

  std::size_t add(const std::string& resource) {
    entries_.push_back(resource);
    return entries_.size() - 1;
  }
  // Entry `earlier` must come before entry `later` in the Bundle (a tie broken by input order).
  void order(std::size_t earlier, std::size_t later) { after_[later].push_back(earlier); }

  std::string bundle() {
    std::vector<std::size_t> order(entries_.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    random_.shuffle(order);
    for (const auto& [later, earlier_ones] : after_) {
      // Moving one entry keeps the relative order of all the others.
      const auto at = std::find(order.begin(), order.end(), later);
      order.erase(at);
      std::size_t last = 0;
      for (const std::size_t earlier : earlier_ones) {
        last = std::max<std::size_t>(
            last, static_cast<std::size_t>(std::find(order.begin(), order.end(), earlier) -
                                           order.begin()));
      }
      order.insert(order.begin() + static_cast<std::ptrdiff_t>(last) + 1, later);
    }
    static const std::vector<std::string> kTypes = {"collection", "searchset", "batch-response",
                                                    "document"};
    std::string text =
        "{\"resourceType\": \"Bundle\", \"type\": " + json_string(random_.pick(kTypes)) +
        ", \"entry\": [";
    for (std::size_t i = 0; i < order.size(); ++i) {
      text += i == 0 ? "\n  " : ",\n  ";
      if (random_.chance(0.3)) {
        text += "{\"fullUrl\": \"urn:uuid:" + std::to_string(order[i]) +
                "\", \"resource\": " + entries_[order[i]] + "}";
      } else {
        text += "{\"resource\": " + entries_[order[i]] + "}";
      }
    }
    return text + "\n]}";
  }

  Random& random() { return random_; }

 private:
  Random& random_;
  int ids_ = 0;
  std::vector<std::string> entries_;
  std::map<std::size_t, std::vector<std::size_t>> after_;
};

// Resources no binding reads (another type, or a malformed one of another type).
void add_unrelated(Record& record, const Ymd& as_of) {
  Random& random = record.random();
  const int count = random.small(0, 3);
  for (int i = 0; i < count; ++i) {
    switch (random.small(0, 4)) {
      case 0:
        record.add(
            "{\"resourceType\": \"Encounter\", \"id\": " + json_string(record.next_id("enc")) +
            ", \"status\": \"finished\", \"period\": {\"start\": " +
            json_string(iso(plus_days(as_of, -random.between(0, 900)))) + "}}");
        break;
      case 1:
        // Entered in error, future, coded like a seed fact: still not a Condition or Observation.
        record.add("{\"resourceType\": \"AllergyIntolerance\", \"id\": " +
                   json_string(record.next_id("allergy")) +
                   ", \"code\": {\"coding\": [{\"system\": "
                   "\"http://example.org/fhir/CodeSystem/vertebral-fracture\", \"code\": "
                   "\"cord-compression\"}]}, \"recordedDate\": " +
                   json_string(iso(plus_days(as_of, 40))) + "}");
        break;
      case 2:
        record.add("{\"resourceType\": \"MedicationStatement\", \"id\": " +
                   json_string(record.next_id("ms")) +
                   ", \"status\": \"active\", \"effectiveDateTime\": \"not a date\", "
                   "\"valueQuantity\": {\"value\": \"x\"}}");
        break;
      case 3:
        record.add("{\"resourceType\": \"DiagnosticReport\", \"id\": " +
                   json_string(record.next_id("dr")) +
                   ", \"status\": \"final\", \"code\": {\"coding\": [{\"system\": "
                   "\"http://loinc.org\", \"code\": \"72514-3\"}]}, \"effectiveDateTime\": " +
                   json_string(iso(as_of)) + ", \"result\": [{\"reference\": \"Observation/x\"}]}");
        break;
      default:
        record.add(
            "{\"resourceType\": \"Organization\", \"id\": " + json_string(record.next_id("org")) +
            ", \"name\": \"Clinic\", \"extension\": [[[{}]]]}");
        break;
    }
  }
}

// ---- Generic encoders ----------------------------------------------------------------------

// An Observation (or, with `type`, a Procedure or MedicationRequest: their record date element
// is given by `date_key`).
struct ResourceSpec {
  std::string type = "Observation";
  std::string system;
  std::string code;
  std::optional<std::string> status;  // Observation/Procedure/MedicationRequest `status`
  std::optional<std::string> intent;  // MedicationRequest
  std::optional<Ymd> date;            // the record date
  std::optional<std::string> issued;  // Observation
  std::string value;                  // `"valueBoolean": true`; empty for none
  bool period_only = false;           // an effectivePeriod / performedPeriod instead of a date
};

std::string date_key(const std::string& type) {
  if (type == "Procedure") {
    return "performed";
  }
  if (type == "MedicationRequest") {
    return "authoredOn";
  }
  return "effective";
}

std::string resource_json(const ResourceSpec& spec, Record& record) {
  Random& random = record.random();
  Fields fields = {{"resourceType", json_string(spec.type)},
                   {"id", json_string(record.next_id(spec.type == "Observation" ? "obs" : "res"))}};
  if (spec.status) {
    fields.emplace_back("status", json_string(*spec.status));
  }
  if (spec.intent) {
    fields.emplace_back("intent", json_string(*spec.intent));
  }
  // FHIR R4: a MedicationRequest names its medication in medicationCodeableConcept.
  fields.emplace_back(spec.type == "MedicationRequest" ? "medicationCodeableConcept" : "code",
                      concept_with(spec.system, spec.code, random));
  if (spec.type == "Observation" && random.chance(0.3)) {
    fields.emplace_back("category",
                        "[{\"coding\": [{\"system\": "
                        "\"http://terminology.hl7.org/CodeSystem/observation-category\", "
                        "\"code\": \"exam\"}]}]");
  }
  fields.emplace_back("subject", "{\"reference\": \"Patient/p\"}");
  const std::string key = date_key(spec.type);
  if (spec.date) {
    const std::string text = json_string(record_date(*spec.date, random));
    fields.emplace_back(key == "authoredOn" ? key : key + "DateTime", text);
  } else if (spec.period_only) {
    fields.emplace_back(key + "Period", "{\"start\": " + json_string(iso(Ymd{2020, 1, 1})) +
                                            ", \"end\": \"2020-01-02\"}");
  }
  if (spec.issued) {
    fields.emplace_back("issued", json_string(*spec.issued));
  }
  if (!spec.value.empty()) {
    const std::size_t colon = spec.value.find(':');
    fields.emplace_back(spec.value.substr(1, colon - 2), spec.value.substr(colon + 2));
  } else if (spec.type == "Observation" && random.chance(0.5)) {
    fields.emplace_back("dataAbsentReason", status_concept("data-absent-reason", "unknown"));
  }
  return object(fields, random);
}

const std::vector<std::string>& usable_statuses() {
  static const std::vector<std::string> codes = {"final", "amended", "corrected"};
  return codes;
}
const std::vector<std::string>& unusable_statuses() {
  static const std::vector<std::string> codes = {"registered", "preliminary", "cancelled",
                                                 "entered-in-error", "unknown"};
  return codes;
}

// What a `most recent` binding over one kind of resource reads, and what the record holds
// beside it that must not change it.
struct LatestFact {
  ResourceSpec base;                                  // type, system, code
  std::vector<std::string> counted_statuses;          // statuses that pass the filter
  std::vector<std::string> other_statuses;            // statuses that do not (entered-in-error)
  std::optional<int> window_days;                     // `within N days`
  std::function<std::string(Random&)> other_value;    // a valid value element, another value
  std::function<std::string(Random&)> invalid_value;  // a bad value, for unread resources
  int oldest_days = 3000;                             // the chosen date is within this
  bool newest_without_value_is_absent = true;         // the chosen one without a value
};

// Encodes one `most recent` fact: with `value` (a value element) the chosen resource holds it,
// on a date `days_before` the evaluation date; without, nothing the binding reads yields one.
void encode_latest(Record& record, const LatestFact& fact, const Ymd& as_of,
                   const std::optional<std::string>& value, int days_before) {
  Random& random = record.random();
  const auto spec_at = [&](const std::string& status, std::optional<Ymd> date, std::string val) {
    ResourceSpec spec = fact.base;
    spec.status = status;
    spec.date = date;
    spec.value = std::move(val);
    return spec;
  };
  const auto unread_value = [&]() {
    return random.chance(0.3) && fact.invalid_value ? fact.invalid_value(random)
                                                    : fact.other_value(random);
  };
  const int window = fact.window_days.value_or(fact.oldest_days);
  std::optional<std::size_t> chosen;
  Ymd chosen_date = plus_days(as_of, -days_before);
  if (value) {
    ResourceSpec main = spec_at(random.pick(fact.counted_statuses), chosen_date, *value);
    const bool with_issued = fact.base.type == "Observation" && random.chance(0.4);
    if (with_issued) {
      main.issued = iso(chosen_date) + "T12:00:00Z";
    }
    chosen = record.add(resource_json(main, record));
    // Same record date: an earlier `issued`, or none given and an earlier entry.
    if (random.chance(0.25)) {
      ResourceSpec tie =
          spec_at(random.pick(fact.counted_statuses), chosen_date, fact.other_value(random));
      if (with_issued) {
        tie.issued = iso(chosen_date) + "T" + two(random.small(0, 11)) + ":00:00Z";
        record.add(resource_json(tie, record));
      } else {
        record.order(record.add(resource_json(tie, record)), *chosen);
      }
    }
    // Older ones that count.
    const int older = random.small(0, 2);
    for (int i = 0; i < older; ++i) {
      const Ymd date = plus_days(chosen_date, -random.between(1, 400));
      record.add(resource_json(
          spec_at(random.pick(fact.counted_statuses), date, fact.other_value(random)), record));
    }
  } else if (random.chance(0.3)) {
    if (fact.window_days && random.chance(0.5)) {
      // Only ones that count but are older than the window (the day before it begins).
      const int stale = random.small(1, 3);
      for (int i = 0; i < stale; ++i) {
        const Ymd date =
            plus_days(as_of, -(*fact.window_days + 1 + (i == 0 ? 0 : random.between(0, 500))));
        record.add(resource_json(spec_at(random.pick(fact.counted_statuses), date, unread_value()),
                                 record));
      }
    } else if (fact.newest_without_value_is_absent) {
      // The chosen one has no value element: absent, whatever older ones hold.
      record.add(
          resource_json(spec_at(random.pick(fact.counted_statuses), chosen_date, ""), record));
      const int older = random.small(0, 2);
      for (int i = 0; i < older; ++i) {
        const Ymd date = plus_days(chosen_date, -random.between(1, 400));
        record.add(resource_json(
            spec_at(random.pick(fact.counted_statuses), date, fact.other_value(random)), record));
      }
    }
  }
  // Newer ones that do not count: another status, no record date, another code system.
  const int newer = random.small(0, 2);
  for (int i = 0; i < newer; ++i) {
    const int from_now = static_cast<int>(
        random.between(0, std::max(0, (value ? days_before : window) - (value ? 1 : 0))));
    Ymd date = plus_days(as_of, -from_now);
    if (value && days_before == 0) {
      date = as_of;
    }
    switch (random.small(0, 4)) {
      case 0:
      case 1: {
        std::string status = random.pick(fact.other_statuses);
        if (status == "entered-in-error" && random.chance(0.5)) {
          date = plus_days(as_of, random.between(1, 30));  // even in the future
        }
        record.add(resource_json(spec_at(status, date, unread_value()), record));
        break;
      }
      case 2: {
        ResourceSpec spec =
            spec_at(random.pick(fact.counted_statuses), std::nullopt, fact.other_value(random));
        spec.period_only = random.chance(0.5);
        if (spec.type == "Observation" && random.chance(0.5)) {
          spec.issued = iso(as_of) + "T00:00:00Z";
        }
        record.add(resource_json(spec, record));
        break;
      }
      case 3: {
        ResourceSpec spec = spec_at(random.pick(fact.counted_statuses), date, unread_value());
        spec.system = "http://example.org/fhir/CodeSystem/other";
        record.add(resource_json(spec, record));
        break;
      }
      default: {
        if (fact.base.type == "Observation") {
          // No status at all: not usable.
          ResourceSpec spec = spec_at("", date, unread_value());
          spec.status.reset();
          record.add(resource_json(spec, record));
        }
        break;
      }
    }
  }
  // A windowed binding does not count a resource dated after the evaluation date.
  if (fact.window_days && random.chance(0.2)) {
    record.add(resource_json(spec_at(random.pick(fact.counted_statuses),
                                     plus_days(as_of, random.between(1, 20)), unread_value()),
                             record));
  }
}

// ---- Conditions ----------------------------------------------------------------------------

struct ConditionSpec {
  std::string system;
  std::string code;
  std::optional<std::string> clinical;
  std::optional<std::string> verification;
  std::optional<Ymd> recorded;
  std::optional<Ymd> onset;
};

std::string condition_json(const ConditionSpec& spec, Record& record) {
  Random& random = record.random();
  Fields fields = {{"resourceType", "\"Condition\""}, {"id", json_string(record.next_id("cond"))}};
  if (spec.clinical) {
    fields.emplace_back("clinicalStatus", status_concept("condition-clinical", *spec.clinical));
  }
  if (spec.verification) {
    fields.emplace_back("verificationStatus",
                        status_concept("condition-ver-status", *spec.verification));
  }
  fields.emplace_back("code", concept_with(spec.system, spec.code, random));
  fields.emplace_back("subject", "{\"reference\": \"Patient/p\"}");
  if (spec.onset) {
    fields.emplace_back("onsetDateTime", json_string(record_date(*spec.onset, random)));
  }
  if (spec.recorded) {
    fields.emplace_back("recordedDate", json_string(record_date(*spec.recorded, random)));
  }
  return object(fields, random);
}

const std::vector<std::string>& present_clinical() {
  static const std::vector<std::string> codes = {"active", "recurrence", "relapse"};
  return codes;
}
const std::vector<std::string>& absent_clinical() {
  static const std::vector<std::string> codes = {"inactive", "remission", "resolved"};
  return codes;
}
const std::vector<std::string>& not_refuted() {
  static const std::vector<std::string> codes = {"confirmed", "unconfirmed", "provisional",
                                                 "differential"};
  return codes;
}
const std::vector<std::string>& any_clinical() {
  static const std::vector<std::string> codes = {"active",   "recurrence", "relapse",
                                                 "inactive", "remission",  "resolved"};
  return codes;
}

std::optional<std::string> maybe(Random& random, const std::vector<std::string>& codes) {
  return random.chance(0.2) ? std::nullopt : std::optional<std::string>(random.pick(codes));
}

std::optional<Ymd> past_date(Random& random, const Ymd& as_of) {
  return random.chance(0.2) ? std::nullopt
                            : std::optional<Ymd>(plus_days(as_of, -random.between(0, 3000)));
}

// A `presence` fact: true, false or absent (nullopt).
void encode_presence(Record& record, const std::string& system, const std::string& code,
                     std::optional<bool> value, const Ymd& as_of) {
  Random& random = record.random();
  const auto add = [&](std::optional<std::string> clinical,
                       std::optional<std::string> verification) {
    ConditionSpec spec{
        system,      code, std::move(clinical), std::move(verification), past_date(random, as_of),
        std::nullopt};
    if (random.chance(0.3)) {
      spec.onset = spec.recorded ? plus_days(*spec.recorded, -random.between(0, 60))
                                 : plus_days(as_of, -random.between(1, 3000));
    }
    record.add(condition_json(spec, record));
  };
  // Says it is present.
  const auto present = [&] { add(random.pick(present_clinical()), maybe(random, not_refuted())); };
  // Says it is not present.
  const auto not_present = [&] {
    if (random.chance(0.5)) {
      add(maybe(random, any_clinical()), std::string("refuted"));
    } else {
      add(random.pick(absent_clinical()), maybe(random, not_refuted()));
    }
  };
  // Says neither, or does not count.
  const auto neither = [&] {
    switch (random.small(0, 2)) {
      case 0: add(std::nullopt, maybe(random, not_refuted())); break;
      case 1: add(maybe(random, any_clinical()), std::string("entered-in-error")); break;
      default: {
        ConditionSpec spec{"http://example.org/fhir/CodeSystem/other",
                           code,
                           random.pick(present_clinical()),
                           std::string("confirmed"),
                           past_date(random, as_of),
                           std::nullopt};
        record.add(condition_json(spec, record));
        break;
      }
    }
  };
  if (value == true) {
    const int count = random.small(1, 2);
    for (int i = 0; i < count; ++i) {
      present();
    }
    if (random.chance(0.4)) {
      not_present();  // true wins, whatever the dates
    }
  } else if (value == false) {
    const int count = random.small(1, 2);
    for (int i = 0; i < count; ++i) {
      not_present();
    }
  }
  const int others = random.small(0, 2);
  for (int i = 0; i < others; ++i) {
    neither();
  }
}

// ---- The seed ------------------------------------------------------------------------------

constexpr const char* kVf = "http://example.org/fhir/CodeSystem/vertebral-fracture";
constexpr const char* kLoinc = "http://loinc.org";

std::string dashed(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

// One generated patient: its fact file and its record.
struct Generated {
  std::string fact_file;
  std::string record;
};

void write_fact(Generated& out, Random& random, const std::string& name,
                const std::optional<std::string>& value) {
  if (value) {
    out.fact_file += name + ": " + *value + "\n";
  } else if (random.chance(0.3)) {
    out.fact_file += name + ": ~\n";
  }
}

std::string boolean_value(bool value) {
  return std::string("\"valueBoolean\": ") + (value ? "true" : "false");
}

// A day count `days_before` the evaluation date for a resource inside `window` days: often
// at the window's edges.
int days_in_window(Random& random, int window) {
  const int pick = random.small(0, 9);
  return pick == 0 ? 0 : pick == 1 ? window : random.small(0, window);
}

// The seed's patient age: the fact and a Patient.
void encode_age(Generated& out, Record& record, Random& random, const Ymd& as_of) {
  Fields patient = {{"resourceType", "\"Patient\""}, {"id", "\"p\""}};
  if (random.chance(0.5)) {
    patient.emplace_back("gender", json_string(random.chance(0.5) ? "female" : "male"));
  }
  std::optional<std::string> fact;
  if (random.chance(0.85)) {
    Ymd birth;
    const int variant = random.small(0, 5);
    const std::vector<int> edges = {0, 1, 64, 65, 66, 100};
    const int years = random.chance(0.3) ? random.pick(edges) : random.small(0, 105);
    if (variant == 0) {
      birth = Ymd{as_of.y - years, as_of.m, as_of.d};  // birthday today
    } else if (variant == 1) {
      const Ymd tomorrow = plus_days(as_of, 1);
      birth = Ymd{tomorrow.y - years - 1, tomorrow.m, tomorrow.d};  // birthday tomorrow
    } else if (variant == 2) {
      // Born on February 29 of a leap year.
      int year = as_of.y - years;
      while (!is_leap(year)) {
        --year;
      }
      birth = Ymd{year, 2, 29};
    } else {
      // Any day after the (years + 1)th birthday before and on the years-th.
      const Ymd latest = minus_years(as_of, years);
      const Ymd earliest = plus_days(minus_years(as_of, years + 1), 1);
      birth = plus_days(earliest, random.between(0, day_number(latest) - day_number(earliest)));
    }
    if (!valid(birth) || day_number(birth) > day_number(as_of)) {
      birth = minus_years(as_of, years);
    }
    const int age = completed_years(birth, as_of);
    // "as a duration in years": the calendar word, not UCUM's `a` (another unit to identical()).
    fact = std::to_string(age) + " years";
    patient.emplace_back("birthDate", json_string(iso(birth)));
  } else if (random.chance(0.6)) {
    // A partial birth date leaves the age absent.
    const int year = as_of.y - random.small(2, 90);
    patient.emplace_back(
        "birthDate",
        json_string(random.chance(0.5) ? std::to_string(year)
                                       : std::to_string(year) + "-" + two(random.small(1, 12))));
  }
  write_fact(out, random, "age", fact);
  record.add(object(patient, random));
}

void encode_time_since_identification(Generated& out, Record& record, Random& random,
                                      const Ymd& as_of) {
  const std::string code = "vertebral-fracture";
  const auto add = [&](std::optional<std::string> verification, std::optional<Ymd> date) {
    ConditionSpec spec{
        kVf,          code,        maybe(random, any_clinical()), std::move(verification),
        std::nullopt, std::nullopt};
    if (date && random.chance(0.7)) {
      spec.recorded = date;
      if (random.chance(0.3)) {
        spec.onset = plus_days(*date, -random.between(0, 90));  // not read: recordedDate is
      }
    } else {
      spec.onset = date;
    }
    record.add(condition_json(spec, record));
  };
  std::optional<std::string> fact;
  int days = 0;
  if (random.chance(0.8)) {
    const std::vector<int> edges = {0, 1, 27, 28, 41, 42, 56, 57, 91, 92};
    days = random.chance(0.4)   ? random.pick(edges)
           : random.chance(0.5) ? random.small(0, 120)
                                : random.small(0, 2000);
    fact = std::to_string(days) + " days";
    add(maybe(random, not_refuted()), plus_days(as_of, -days));
    const int older = random.small(0, 2);
    for (int i = 0; i < older; ++i) {
      add(maybe(random, not_refuted()), plus_days(as_of, -days - random.between(0, 500)));
    }
  }
  const int others = random.small(0, 3);
  for (int i = 0; i < others; ++i) {
    const int newer = static_cast<int>(random.between(0, fact ? std::max(0, days - 1) : 2000));
    const Ymd date = plus_days(as_of, fact && days == 0 ? 0 : -newer);
    switch (random.small(0, 3)) {
      case 0: add(std::string("refuted"), date); break;
      case 1:
        // Entered in error: neither read nor checked, so even a future date is no error.
        add(std::string("entered-in-error"),
            random.chance(0.5) ? date : plus_days(as_of, random.between(1, 60)));
        break;
      case 2: add(maybe(random, not_refuted()), std::nullopt); break;  // no record date
      default: {
        ConditionSpec spec{"http://example.org/fhir/CodeSystem/other",
                           code,
                           std::nullopt,
                           std::nullopt,
                           date,
                           std::nullopt};
        record.add(condition_json(spec, record));
        break;
      }
    }
  }
  write_fact(out, random, "time_since_identification", fact);
}

LatestFact seed_observation(const std::string& system, const std::string& code) {
  LatestFact fact;
  fact.base.system = system;
  fact.base.code = code;
  fact.counted_statuses = usable_statuses();
  fact.other_statuses = unusable_statuses();
  return fact;
}

Generated generate_seed(Random& random, const Ymd& as_of) {
  Generated out;
  Record record(random);
  encode_age(out, record, random, as_of);
  encode_time_since_identification(out, record, random, as_of);

  {  // fracture_grade: valueInteger 0..3
    LatestFact fact = seed_observation(kVf, "genant-grade");
    fact.other_value = [](Random& r) {
      return "\"valueInteger\": " + std::to_string(r.small(0, 3));
    };
    fact.invalid_value = [](Random& r) {
      return r.chance(0.5) ? std::string("\"valueInteger\": 7")
                           : std::string("\"valueString\": \"one\"");
    };
    std::optional<std::string> value;
    std::optional<std::string> text;
    if (random.chance(0.7)) {
      // Mostly grade 1, the grade the guideline applies to, so that its outcomes vary.
      const int grade = random.chance(0.6) ? 1 : random.small(0, 3);
      text = std::to_string(grade);
      value = "\"valueInteger\": " + *text;
    }
    encode_latest(record, fact, as_of, value, random.small(0, 2000));
    write_fact(out, random, "fracture_grade", text);
  }
  {  // pain_vas: the most recent in the 30 days, valueQuantity ({score} or no unit) or valueInteger
    LatestFact fact = seed_observation(kLoinc, "72514-3");
    fact.window_days = 30;
    const auto quantity = [](Random& r, std::int64_t tenths) {
      const std::string number = r.chance(0.3) ? scaled_text(tenths * 10, 2, r.chance(0.3))
                                               : scaled_text(tenths, 1, r.chance(0.3));
      if (tenths % 10 == 0 && r.chance(0.3)) {
        return "\"valueInteger\": " + std::to_string(tenths / 10);
      }
      if (r.chance(0.3)) {
        return "\"valueQuantity\": {\"value\": " + number + "}";
      }
      return "\"valueQuantity\": {\"value\": " + number +
             ", \"unit\": \"score\", \"system\": \"http://unitsofmeasure.org\", \"code\": "
             "\"{score}\"}";
    };
    fact.other_value = [quantity](Random& r) { return quantity(r, r.between(0, 100)); };
    fact.invalid_value = [](Random&) {
      return std::string("\"valueQuantity\": {\"value\": 12, \"code\": \"{score}\"}");
    };
    std::optional<std::string> value;
    std::optional<std::string> text;
    if (random.chance(0.7)) {
      const std::vector<std::int64_t> edges = {0, 34, 35, 36, 100};
      std::int64_t tenths = random.chance(0.3) ? random.pick(edges) : random.between(0, 100);
      if (random.chance(0.2)) {
        tenths *= 10;  // hundredths
        tenths += random.between(0, 9);
        tenths = std::min<std::int64_t>(tenths, 1000);
        text = scaled_text(tenths, 2);
        value = "\"valueQuantity\": {\"value\": " + *text + ", \"code\": \"{score}\"}";
      } else {
        text = scaled_text(tenths, 1);
        value = quantity(random, tenths);
      }
    }
    encode_latest(record, fact, as_of, value, days_in_window(random, 30));
    write_fact(out, random, "pain_vas", text);
  }
  for (const std::string name : {"kyphosis_percent", "height_loss_percent"}) {
    LatestFact fact = seed_observation(kVf, dashed(name));
    const auto quantity = [](Random& r, std::int64_t hundredths) {
      const std::string number = scaled_text(hundredths, 2, r.chance(0.2));
      if (r.chance(0.3)) {
        return "\"valueQuantity\": {\"value\": " + number + "}";  // read in '%'
      }
      return "\"valueQuantity\": {\"value\": " + number +
             ", \"unit\": \"%\", \"system\": \"http://unitsofmeasure.org\", \"code\": \"%\"}";
    };
    fact.other_value = [quantity](Random& r) { return quantity(r, r.between(0, 10000)); };
    fact.invalid_value = [](Random& r) {
      return r.chance(0.5) ? std::string("\"valueQuantity\": {\"value\": 5, \"code\": \"mg\"}")
                           : std::string("\"valueBoolean\": true");
    };
    std::optional<std::string> value;
    std::optional<std::string> text;
    if (random.chance(0.7)) {
      const std::vector<std::int64_t> edges = {0, 1499, 1500, 1999, 2000, 2001, 10000};
      const std::int64_t hundredths =
          random.chance(0.3) ? random.pick(edges) : random.between(0, 10000);
      text = scaled_text(hundredths, 2);
      value = quantity(random, hundredths);
    }
    encode_latest(record, fact, as_of, value, random.small(0, 2000));
    write_fact(out, random, name, text);
  }
  for (const std::string name :
       {"pain_refractory", "parenteral_narcotics_required", "symptoms_changed",
        "symptoms_persisting", "severe_initial_pain", "mri_t2_fluid_pattern", "severe_collapse"}) {
    LatestFact fact = seed_observation(kVf, dashed(name));
    fact.other_value = [](Random& r) { return boolean_value(r.chance(0.5)); };
    fact.invalid_value = [](Random&) { return std::string("\"valueInteger\": 1"); };
    std::optional<bool> value;
    if (random.chance(0.7)) {
      value = random.chance(0.5);
    }
    encode_latest(record, fact, as_of,
                  value ? std::optional<std::string>(boolean_value(*value)) : std::nullopt,
                  random.small(0, 2000));
    write_fact(out, random, name,
               value ? std::optional<std::string>(*value ? "true" : "false") : std::nullopt);
  }
  for (const std::string name :
       {"neurologic_deficit", "progressive_neurologic_deterioration", "spinal_instability",
        "cord_compression", "pulmonary_dysfunction", "analgesic_contraindication"}) {
    std::optional<bool> value;
    // Red flags mostly not present, so that conservative care is often reached.
    const double known =
        name == "pulmonary_dysfunction" || name == "analgesic_contraindication" ? 0.7 : 0.85;
    if (random.chance(known)) {
      value = random.chance(0.25);
    }
    encode_presence(record, kVf, dashed(name), value, as_of);
    write_fact(out, random, name,
               value ? std::optional<std::string>(*value ? "true" : "false") : std::nullopt);
  }
  add_unrelated(record, as_of);
  out.record = record.bundle();
  return out;
}

// ---- The property --------------------------------------------------------------------------

struct Compiled {
  std::shared_ptr<const Guideline> guideline;
  std::vector<FactSpec> facts;
};

Compiled compile_text(const std::string& name, const std::string& text) {
  static SourceManager sources;  // outlives the guidelines (static in callers)
  Diagnostics diagnostics;
  Compiled out;
  out.guideline = Guideline::compile(sources, sources.add(name, text), diagnostics);
  INFO(format_diagnostics(sources, diagnostics));
  REQUIRE(out.guideline);
  REQUIRE_FALSE(diagnostics.has_errors());
  out.facts.assign(out.guideline->facts().begin(), out.guideline->facts().end());
  return out;
}

const Compiled& seed_guideline() {
  static const Compiled compiled =
      compile_text("seed.rubric", testing::read_text(testing::kSeedRuleFile));
  return compiled;
}

// How often each fact came out present and absent over a run (the generator must reach both).
using Tally = std::map<std::string, std::pair<int, int>>;

// Reads `generated` both ways and requires the same facts and the same decision.
void check_round_trip(const Compiled& compiled, const Generated& generated, const Ymd& as_of,
                      int iteration, std::uint64_t seed, Tally& tally) {
  const DateTime as_of_date = *DateTime::parse(iso(as_of)).value;
  INFO("seed " << seed << ", iteration " << iteration << ", as of " << iso(as_of)
               << " (rerun: RUBRIC_PROPERTY_SEED=" << seed << ")\nfact file:\n"
               << generated.fact_file << "record:\n"
               << generated.record);
  SourceManager sources;
  Diagnostics diagnostics;
  const std::optional<FactSet> expected = read_fact_file(
      sources, sources.add("generated.yaml", generated.fact_file), compiled.facts, diagnostics);
  INFO(format_diagnostics(sources, diagnostics));
  REQUIRE(expected);
  const RecordReading reading = read_record(compiled.facts, generated.record, as_of_date);
  INFO("reader error: " << (reading.ok() ? std::string() : reading.error->message));
  REQUIRE(reading.ok());
  for (std::size_t index = 0; index < compiled.facts.size(); ++index) {
    const FactSpec& fact = compiled.facts[index];
    if (fact.evaluation_date) {
      continue;
    }
    const Value& want = expected->values()[index];
    const Value& got = reading.facts.values()[index];
    INFO("fact `" << fact.name << "`: generated " << to_text(want, TextStyle::fact_file)
                  << ", read " << to_text(got, TextStyle::fact_file) << " ("
                  << reading.provenance[index].resource << reading.provenance[index].absent_reason
                  << ")");
    REQUIRE(identical(want, got));
    auto& counts = tally[fact.name];
    (want.is_null() ? counts.second : counts.first) += 1;
  }
  // The same decision from the fact-file path and the record path.
  FactSet from_file = *expected;
  FactSet from_record = reading.facts;
  compiled.guideline->set_evaluation_date(from_file, as_of_date);
  compiled.guideline->set_evaluation_date(from_record, as_of_date);
  EvaluationScratch scratch;
  Decision want;
  Decision got;
  compiled.guideline->evaluate(from_file, scratch, want);
  compiled.guideline->evaluate(from_record, scratch, got);
  const auto recommendations = compiled.guideline->recommendations();
  REQUIRE(want.outcomes.size() == recommendations.size());
  REQUIRE(got.outcomes.size() == recommendations.size());
  for (std::size_t r = 0; r < recommendations.size(); ++r) {
    INFO("recommendation `" << recommendations[r].id << "`");
    REQUIRE(want.outcomes[r] == got.outcomes[r]);
    auto& counts = tally["outcome " + recommendations[r].id];
    (want.outcomes[r] == Outcome::recommended ? counts.first : counts.second) += 1;
  }
}

// Every fact (and every recommendation's outcome) was seen both present and absent
// (recommended and not) at least `floor` times, so the run exercised what it claims.
void check_tally(const Tally& tally, int floor, const std::vector<std::string>& always_present) {
  for (const auto& [name, counts] : tally) {
    // Outcomes: a recommendation may be rarely made; facts: each kind of value is common.
    const int least = name.rfind("outcome ", 0) == 0 ? floor / 4 : floor;
    INFO(name << ": " << counts.first << " present, " << counts.second << " absent");
    CHECK(counts.first >= least);
    if (std::find(always_present.begin(), always_present.end(), name) == always_present.end()) {
      CHECK(counts.second >= least);
    }
  }
}

// A random evaluation date in 2000..2040, often a month's end, February 28 or 29, March 1.
Ymd random_date(Random& random) {
  const int year = random.small(2000, 2040);
  switch (random.small(0, 5)) {
    case 0: {
      int leap = year;
      while (!is_leap(leap)) {
        ++leap;
      }
      return Ymd{leap, 2, 29};
    }
    case 1: return Ymd{year, 2, 28};
    case 2: return Ymd{year, 3, 1};
    case 3: {
      const int month = random.small(1, 12);
      return Ymd{year, month, days_in_month(year, month)};
    }
    default: {
      const int month = random.small(1, 12);
      return Ymd{year, month, random.small(1, days_in_month(year, month))};
    }
  }
}

TEST_CASE("the calendar of the property test", "[records][property]") {
  CHECK(day_number(Ymd{1970, 1, 1}) == 0);
  CHECK(day_number(Ymd{2000, 3, 1}) - day_number(Ymd{2000, 2, 28}) == 2);
  CHECK(day_number(Ymd{2100, 3, 1}) - day_number(Ymd{2100, 2, 28}) == 1);
  CHECK(iso(plus_days(Ymd{2026, 6, 15}, -30)) == "2026-05-16");
  CHECK(iso(plus_days(Ymd{2024, 12, 31}, 1)) == "2025-01-01");
  CHECK(iso(plus_days(Ymd{2024, 3, 1}, -1)) == "2024-02-29");
  CHECK(iso(minus_years(Ymd{2028, 2, 29}, 1)) == "2027-02-28");
  CHECK(completed_years(Ymd{1961, 6, 15}, Ymd{2026, 6, 15}) == 65);
  CHECK(completed_years(Ymd{1961, 6, 16}, Ymd{2026, 6, 15}) == 64);
  CHECK(completed_years(Ymd{2000, 2, 29}, Ymd{2025, 2, 28}) == 24);
  CHECK(completed_years(Ymd{2000, 2, 29}, Ymd{2025, 3, 1}) == 25);
  CHECK(scaled_text(350, 2) == "3.5");
  CHECK(scaled_text(350, 2, true) == "3.50");
  CHECK(scaled_text(7, 3) == "0.007");
  CHECK(scaled_text(1000, 2) == "10");
}

TEST_CASE("a record encoding a random seed fact set reads back the same facts",
          "[records][property]") {
  const Compiled& compiled = seed_guideline();
  const std::uint64_t seed = property_seed();
  Random random(seed);
  Tally tally;
  const int iterations = property_iterations(1500);
  const Ymd as_of{2026, 6, 15};
  for (int iteration = 0; iteration < iterations; ++iteration) {
    const Generated generated = generate_seed(random, as_of);
    check_round_trip(compiled, generated, as_of, iteration, seed, tally);
  }
  check_tally(tally, iterations / 50, {});
}

TEST_CASE("the seed round trip holds at random evaluation dates", "[records][property]") {
  const Compiled& compiled = seed_guideline();
  const std::uint64_t seed = property_seed() + 1;
  Random random(seed);
  Tally tally;
  const int iterations = property_iterations(1500);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    const Ymd as_of = random_date(random);
    const Generated generated = generate_seed(random, as_of);
    check_round_trip(compiled, generated, as_of, iteration, seed, tally);
  }
  check_tally(tally, iterations / 50, {});
}

// ---- A guideline with the binding kinds the seed does not use ------------------------------

constexpr const char* kTestSystem = "http://example.org/fhir/CodeSystem/property-test";
constexpr const char* kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";

// `falls_recorded` counts falls of any date, `falls_last_year` those of the calendar year
// before the evaluation date (a window on a count); `on_anticoagulant` is coded in the
// MedicationRequest's medicationCodeableConcept, as FHIR R4 has it.
constexpr const char* kKindsRules = R"(guideline "record-property"
source 1 "the record reader's property test"
codesystem LOINC = 'http://loinc.org'
codesystem T = 'http://example.org/fhir/CodeSystem/property-test'
codesystem RX = 'http://www.nlm.nih.gov/research/umls/rxnorm'
valueset falls = {T 'fall', T 'fall-with-injury'} "falls"
fact weight_kg: decimal between 0 and 500 "body weight in kilograms"
  from most recent Observation coded LOINC '29463-7'
    where status is final, amended or corrected
  value valueQuantity in 'kg'
fact oxygen_percent: decimal between 0 and 100 "oxygen saturation"
  from most recent Observation coded LOINC '2708-6'
    where status is final
    within 7 days
  value valueQuantity in '%' or valueInteger
fact body_weight: mass "body weight as measured"
  from most recent Observation coded LOINC '3141-9'
    where status is final, amended or corrected
  value valueQuantity
fact falls_recorded: integer >= 0 "falls on record"
  from Observation coded falls
    where status is final
  value count
fact days_since_fusion: duration >= 0 days "time since a spinal fusion"
  from most recent Procedure coded T 'spinal-fusion'
    where status is completed
  value days since performedDateTime
fact had_kyphoplasty: boolean "a kyphoplasty was done"
  from Procedure coded T 'kyphoplasty'
    where status is completed
  value exists
fact falls_last_year: integer >= 0 "falls in the year before"
  from Observation coded falls
    where status is final
    within 1 year
  value count
fact on_anticoagulant: boolean "an active anticoagulant order"
  from MedicationRequest coded RX '11289'
    where status is active and intent is order, original-order
  value exists, otherwise false
recommendation fall_review kind assess text "Review falls." cite 1
  when falls_recorded >= 2 and weight_kg < 250
recommendation recent_falls kind assess text "Review recent falls." cite 1
  when falls_last_year >= 1
recommendation bleeding_caution kind caution text "Mind the bleeding risk." cite 1
  when on_anticoagulant and days_since_fusion < 6 weeks
recommendation kyphoplasty_review kind refer text "Review the kyphoplasty." cite 1
  when had_kyphoplasty and (body_weight > 100 'kg' or oxygen_percent < 50)
)";

const Compiled& kinds_guideline() {
  static const Compiled compiled = compile_text("record-property.rubric", kKindsRules);
  return compiled;
}

std::string ucum_quantity(const std::string& number, const std::string& code) {
  return "\"valueQuantity\": {\"value\": " + number + ", \"unit\": " + json_string(code) +
         ", \"system\": \"" + kUcum + "\", \"code\": " + json_string(code) + "}";
}

// A mass as a record may give it: the value element and the same mass in kilograms (a
// decimal text), from a whole number of grams or of avoirdupois pounds (1 [lb_av] is
// 0.45359237 kg exactly).
struct Mass {
  std::string element;
  std::string kilograms;
  std::string as_given;  // "72.5 kg", for a mass fact
};

Mass random_mass(Random& random, bool unitless_allowed) {
  Mass mass;
  switch (random.small(0, unitless_allowed ? 3 : 2)) {
    case 0: {
      const std::int64_t grams = random.between(0, 500000);
      const std::string kg = scaled_text(grams, 3);
      mass = {ucum_quantity(kg, "kg"), kg, kg + " kg"};
      break;
    }
    case 1: {
      const std::int64_t grams = random.between(0, 500000);
      const std::string g = std::to_string(grams);
      mass = {ucum_quantity(g, "g"), scaled_text(grams, 3), g + " g"};
      break;
    }
    case 2: {
      const std::int64_t pounds = random.between(0, 1100);
      const std::string lb = std::to_string(pounds);
      mass = {ucum_quantity(lb, "[lb_av]"), scaled_text(pounds * 45359237, 8), lb + " [lb_av]"};
      break;
    }
    default: {
      const std::int64_t grams = random.between(0, 500000);
      const std::string kg = scaled_text(grams, 3);
      mass = {"\"valueQuantity\": {\"value\": " + kg + "}", kg, kg + " kg"};  // read in 'kg'
      break;
    }
  }
  return mass;
}

LatestFact other_resource(const std::string& type, const std::string& system,
                          const std::string& code, std::vector<std::string> counted,
                          std::vector<std::string> others) {
  LatestFact fact;
  fact.base.type = type;
  fact.base.system = system;
  fact.base.code = code;
  fact.counted_statuses = std::move(counted);
  fact.other_statuses = std::move(others);
  return fact;
}

Generated generate_kinds(Random& random, const Ymd& as_of) {
  Generated out;
  Record record(random);
  record.add(object({{"resourceType", "\"Patient\""}, {"id", "\"p\""}}, random));
  {  // weight_kg: a mass converted to kilograms
    LatestFact fact = seed_observation(kLoinc, "29463-7");
    fact.other_value = [](Random& r) { return random_mass(r, true).element; };
    fact.invalid_value = [](Random&) { return ucum_quantity("5", "mL"); };
    std::optional<Mass> mass;
    if (random.chance(0.7)) {
      mass = random_mass(random, true);
    }
    encode_latest(record, fact, as_of,
                  mass ? std::optional<std::string>(mass->element) : std::nullopt,
                  random.small(0, 2000));
    write_fact(out, random, "weight_kg",
               mass ? std::optional<std::string>(mass->kilograms) : std::nullopt);
  }
  {  // oxygen_percent: in '%', given in % or per mille, or a valueInteger; within 7 days
    LatestFact fact = seed_observation(kLoinc, "2708-6");
    fact.counted_statuses = {"final"};
    fact.other_statuses = {"amended", "corrected", "preliminary", "entered-in-error"};
    fact.window_days = 7;
    const auto element = [](Random& r, std::int64_t tenths) {
      switch (r.small(0, 2)) {
        case 0: return ucum_quantity(scaled_text(tenths, 1), "%");
        case 1: return ucum_quantity(std::to_string(tenths), "[ppth]");  // x % = 10x [ppth]
        default:
          return tenths % 10 == 0 ? "\"valueInteger\": " + std::to_string(tenths / 10)
                                  : ucum_quantity(scaled_text(tenths, 1), "%");
      }
    };
    fact.other_value = [element](Random& r) { return element(r, r.between(0, 1000)); };
    fact.invalid_value = [](Random&) { return ucum_quantity("101", "%"); };
    std::optional<std::int64_t> tenths;
    if (random.chance(0.7)) {
      tenths = random.between(0, 1000);
    }
    encode_latest(record, fact, as_of,
                  tenths ? std::optional<std::string>(element(random, *tenths)) : std::nullopt,
                  days_in_window(random, 7));
    write_fact(out, random, "oxygen_percent",
               tenths ? std::optional<std::string>(scaled_text(*tenths, 1)) : std::nullopt);
  }
  {  // body_weight: a mass fact, read in the record's unit
    LatestFact fact = seed_observation(kLoinc, "3141-9");
    fact.other_value = [](Random& r) { return random_mass(r, false).element; };
    fact.invalid_value = [](Random&) { return ucum_quantity("5", "mL"); };
    std::optional<Mass> mass;
    if (random.chance(0.7)) {
      mass = random_mass(random, false);
    }
    encode_latest(record, fact, as_of,
                  mass ? std::optional<std::string>(mass->element) : std::nullopt,
                  random.small(0, 2000));
    write_fact(out, random, "body_weight",
               mass ? std::optional<std::string>(json_string(mass->as_given)) : std::nullopt);
  }
  {  // falls_recorded: how many final falls the record holds (any date, or none)
    const int count = random.small(0, 4);
    const auto fall = [&](std::optional<std::string> status, std::optional<Ymd> date,
                          const std::string& system) {
      ResourceSpec spec;
      spec.system = system;
      spec.code = random.chance(0.5) ? "fall" : "fall-with-injury";
      spec.status = std::move(status);
      spec.date = date;
      spec.period_only = !date && random.chance(0.5);
      record.add(resource_json(spec, record));
    };
    const auto some_date = [&]() {
      return random.chance(0.2) ? std::nullopt
                                : std::optional<Ymd>(plus_days(as_of, -random.between(0, 3000)));
    };
    // Within 1 year of the evaluation date: from the same day a year before (February 29
    // goes back to February 28, as CQL subtracts a year) to the evaluation date.
    const Ymd year_before{as_of.y - 1, as_of.m, as_of.m == 2 && as_of.d == 29 ? 28 : as_of.d};
    const auto key = [](const Ymd& date) { return std::tuple(date.y, date.m, date.d); };
    int last_year = 0;
    for (int i = 0; i < count; ++i) {
      const std::optional<Ymd> date = some_date();
      fall(std::string("final"), date, kTestSystem);
      last_year += date && key(*date) >= key(year_before) ? 1 : 0;
    }
    const int others = random.small(0, 3);
    for (int i = 0; i < others; ++i) {
      switch (random.small(0, 3)) {
        case 0: fall(random.pick(unusable_statuses()), some_date(), kTestSystem); break;
        case 1: fall(std::string("amended"), some_date(), kTestSystem); break;
        case 2: fall(std::nullopt, some_date(), kTestSystem); break;
        default:
          fall(std::string("final"), some_date(), "http://example.org/fhir/CodeSystem/other");
          break;
      }
    }
    write_fact(out, random, "falls_recorded", std::to_string(count));
    write_fact(out, random, "falls_last_year", std::to_string(last_year));
  }
  {  // days_since_fusion: the most recent completed fusion's performedDateTime
    LatestFact fact = other_resource("Procedure", kTestSystem, "spinal-fusion", {"completed"},
                                     {"preparation", "in-progress", "not-done", "on-hold",
                                      "stopped", "entered-in-error", "unknown"});
    fact.other_value = [](Random&) { return std::string(); };
    fact.newest_without_value_is_absent = false;
    std::optional<int> days;
    if (random.chance(0.7)) {
      days = random.chance(0.5) ? random.small(0, 60) : random.small(0, 3000);
    }
    encode_latest(record, fact, as_of, days ? std::optional<std::string>("") : std::nullopt,
                  days.value_or(random.small(0, 3000)));
    write_fact(out, random, "days_since_fusion",
               days ? std::optional<std::string>(std::to_string(*days) + " days") : std::nullopt);
  }
  {  // had_kyphoplasty: true when some completed one exists, otherwise absent
    const auto procedure = [&](const std::string& status, const std::string& system) {
      ResourceSpec spec;
      spec.type = "Procedure";
      spec.system = system;
      spec.code = "kyphoplasty";
      spec.status = status;
      if (random.chance(0.6)) {
        spec.date = plus_days(as_of, -random.between(0, 3000));
      } else {
        spec.period_only = random.chance(0.5);  // no record date: exists does not need one
      }
      record.add(resource_json(spec, record));
    };
    const bool done = random.chance(0.5);
    if (done) {
      const int count = random.small(1, 2);
      for (int i = 0; i < count; ++i) {
        procedure("completed", kTestSystem);
      }
    }
    const int others = random.small(0, 3);
    for (int i = 0; i < others; ++i) {
      if (random.chance(0.7)) {
        procedure(random.pick(std::vector<std::string>{"preparation", "in-progress", "not-done",
                                                       "stopped", "entered-in-error"}),
                  kTestSystem);
      } else {
        procedure("completed", "http://example.org/fhir/CodeSystem/other");
      }
    }
    write_fact(out, random, "had_kyphoplasty",
               done ? std::optional<std::string>("true") : std::nullopt);
  }
  {  // on_anticoagulant: an active order exists, otherwise false
    const auto request = [&](const std::string& status, const std::string& intent,
                             const std::string& system, const std::string& code = "11289") {
      ResourceSpec spec;
      spec.type = "MedicationRequest";
      spec.system = system;
      spec.code = code;
      spec.status = status;
      spec.intent = intent;
      if (random.chance(0.6)) {
        spec.date = plus_days(as_of, -random.between(0, 3000));
      }
      record.add(resource_json(spec, record));
    };
    const bool active = random.chance(0.5);
    if (active) {
      request("active", random.chance(0.5) ? "order" : "original-order", kRxNorm);
    }
    const int others = random.small(0, 3);
    for (int i = 0; i < others; ++i) {
      switch (random.small(0, 3)) {
        case 3:  // an active order of another medication, or of 11289 in another system
          if (random.chance(0.5)) {
            request("active", "order", kRxNorm, "855332");
          } else {
            request("active", "order", kTestSystem, "11289");
          }
          break;
        case 0:
          request(random.pick(std::vector<std::string>{"completed", "stopped", "on-hold", "draft",
                                                       "cancelled", "entered-in-error", "unknown"}),
                  "order", kRxNorm);
          break;
        case 1:
          request("active",
                  random.pick(std::vector<std::string>{"proposal", "plan", "option", "reflex-order",
                                                       "filler-order", "instance-order"}),
                  kRxNorm);
          break;
        default:
          request(random.pick(std::vector<std::string>{"active", "completed"}),
                  random.pick(std::vector<std::string>{"plan", "proposal"}), kRxNorm);
          break;
      }
    }
    write_fact(out, random, "on_anticoagulant", std::string(active ? "true" : "false"));
  }
  add_unrelated(record, as_of);
  out.record = record.bundle();
  return out;
}

TEST_CASE("records round-trip through count, exists, days since and unit conversions",
          "[records][property]") {
  const Compiled& compiled = kinds_guideline();
  const std::uint64_t seed = property_seed() + 2;
  Random random(seed);
  Tally tally;
  const int iterations = property_iterations(1500);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    const Ymd as_of = random.chance(0.5) ? Ymd{2026, 6, 15} : random_date(random);
    const Generated generated = generate_kinds(random, as_of);
    check_round_trip(compiled, generated, as_of, iteration, seed, tally);
  }
  check_tally(tally, iterations / 50, {"falls_recorded", "falls_last_year", "on_anticoagulant"});
}

// The two gaps the property test found in the reader, as minimal records: a window on a
// `count`, and a MedicationRequest coded in medicationCodeableConcept.
TEST_CASE("a window limits every binding; a MedicationRequest is coded by its medication",
          "[records]") {
  const std::string rules = R"(guideline "gaps"
source 1 "s"
codesystem T = 'http://example.org/fhir/CodeSystem/property-test'
codesystem RX = 'http://www.nlm.nih.gov/research/umls/rxnorm'
fact falls_last_year: integer >= 0 "falls in the year before"
  from Observation coded T 'fall' where status is final within 1 year value count
fact on_anticoagulant: boolean "an active anticoagulant order"
  from MedicationRequest coded RX '11289' where status is active value exists, otherwise false
recommendation r kind assess text "x" cite 1 when falls_last_year >= 1 or on_anticoagulant
)";
  const Compiled compiled = compile_text("gaps.rubric", rules);
  const std::string record =
      R"({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "id": "p"}},
  {"resource": {"resourceType": "Observation", "id": "fall-2020", "status": "final",
   "code": {"coding": [{"system": "http://example.org/fhir/CodeSystem/property-test",
   "code": "fall"}]}, "effectiveDateTime": "2020-01-01"}},
  {"resource": {"resourceType": "MedicationRequest", "id": "warfarin", "status": "active",
   "intent": "order", "medicationCodeableConcept": {"coding": [{"system":
   "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "11289"}]}}}]})";
  const RecordReading reading =
      read_record(compiled.facts, record, *DateTime::parse("2026-06-15").value);
  REQUIRE(reading.ok());
  // A fall six years before is not within 1 year: none counted.
  CHECK(identical(reading.facts.values()[0], Value::integer(0)));
  // The order is coded RxNorm 11289, in the element FHIR R4 gives a MedicationRequest.
  CHECK(identical(reading.facts.values()[1], Value::boolean(true)));
}

// ---- Codings read from records ---------------------------------------------------------------

// docs/fhir.md#reading-a-coding: `value code` under a `coded` filter gives the first coding, in
// the resource's order, that the filter matched; `value valueCodeableConcept` the first coding
// whose system the rule file declares. Each generated concept puts codings that must be
// passed over (undeclared systems; for `site`, declared codes outside the filter) before the
// value's coding, and anything after it.
constexpr const char* kCodingRules = R"(guideline "coding-property"
source 1 "the record reader's property test"
codesystem SCT = 'http://snomed.info/sct'
codesystem ICD = 'http://hl7.org/fhir/sid/icd-10'
codesystem LOINC = 'http://loinc.org'
valueset fracture = {SCT '207938004', SCT '207957008', ICD 'S32.0', ICD 'S22.0'} "fractures"
valueset lumbar = {SCT '207957008', ICD 'S32.0'} "lumbar fractures"
fact site: coding "the fracture's diagnosis"
  from most recent Condition coded fracture
    where verificationStatus is not refuted
  value code
fact result: coding "the test's coded result"
  from most recent Observation coded LOINC '94500-6'
    where status is final or amended
  value valueCodeableConcept
recommendation lumbar kind refer text "Refer to the spine clinic." cite 1
  when site in lumbar
recommendation positive kind order text "Repeat the test." cite 1
  when result = SCT '10828004'
)";

const Compiled& coding_guideline() {
  static const Compiled compiled = compile_text("coding-property.rubric", kCodingRules);
  return compiled;
}

using CodingPair = std::pair<std::string, std::string>;  // system, code

const std::vector<CodingPair>& fracture_codings() {
  static const std::vector<CodingPair> codings = {{"http://snomed.info/sct", "207938004"},
                                                  {"http://snomed.info/sct", "207957008"},
                                                  {"http://hl7.org/fhir/sid/icd-10", "S32.0"},
                                                  {"http://hl7.org/fhir/sid/icd-10", "S22.0"}};
  return codings;
}

// Codings of systems the rule file does not declare (an OID, a local system), some with a
// code that a declared system also has.
const std::vector<CodingPair>& undeclared_codings() {
  static const std::vector<CodingPair> codings = {{"urn:oid:1.2.3", "207957008"},
                                                  {"http://example.org/local", "X1"},
                                                  {"http://snomed.info/sct/", "10828004"},
                                                  {"urn:oid:2.16.840.1", "S32.0"}};
  return codings;
}

// Declared codes outside the `fracture` set.
const std::vector<CodingPair>& declared_other_codings() {
  static const std::vector<CodingPair> codings = {{"http://snomed.info/sct", "12345678"},
                                                  {"http://hl7.org/fhir/sid/icd-10", "Z99"},
                                                  {"http://loinc.org", "1-1"}};
  return codings;
}

// Declared-system results.
const std::vector<CodingPair>& result_codings() {
  static const std::vector<CodingPair> codings = {{"http://snomed.info/sct", "10828004"},
                                                  {"http://snomed.info/sct", "260385009"},
                                                  {"http://hl7.org/fhir/sid/icd-10", "R77"},
                                                  {"http://loinc.org", "LA6576-8"}};
  return codings;
}

std::string coding_json(const CodingPair& coding, Random& random) {
  Fields fields = {{"system", json_string(coding.first)}, {"code", json_string(coding.second)}};
  if (random.chance(0.3)) {
    fields.emplace_back("display", "\"as shown\"");
  }
  return object(fields, random);
}

// A CodeableConcept: `before` (in a random order), then `value` (when given), then 0-2 of
// `after`.
std::string coding_concept(std::vector<CodingPair> before, const std::optional<CodingPair>& value,
                           const std::vector<CodingPair>& after, Random& random) {
  random.shuffle(before);
  std::vector<CodingPair> codings = std::move(before);
  if (value) {
    codings.push_back(*value);
    const int more = random.small(0, 2);
    for (int i = 0; i < more; ++i) {
      codings.push_back(random.pick(after));
    }
  }
  std::string text = "{\"coding\": [";
  for (std::size_t i = 0; i < codings.size(); ++i) {
    text += (i == 0 ? "" : ", ") + coding_json(codings[i], random);
  }
  text += "]";
  if (random.chance(0.3)) {
    text += ", \"text\": \"as recorded\"";
  }
  return text + "}";
}

// 0-2 codings picked from `pool`.
std::vector<CodingPair> some_of(const std::vector<CodingPair>& pool, Random& random) {
  std::vector<CodingPair> out;
  const int count = random.small(0, 2);
  for (int i = 0; i < count; ++i) {
    out.push_back(random.pick(pool));
  }
  return out;
}

std::string fact_file_coding(const CodingPair& coding) {
  return json_string(coding.first + "|" + coding.second);
}

// A Condition whose code is `code_concept`, with a record date (recordedDate or onsetDateTime) or
// none, and a verification status.
std::string coded_condition(Record& record, const std::string& code_concept,
                            const std::optional<Ymd>& date, const std::string& verification) {
  Random& random = record.random();
  Fields fields = {{"resourceType", "\"Condition\""}, {"id", json_string(record.next_id("cond"))}};
  fields.emplace_back("verificationStatus", status_concept("condition-ver-status", verification));
  fields.emplace_back("code", code_concept);
  if (date) {
    fields.emplace_back(random.chance(0.5) ? "recordedDate" : "onsetDateTime",
                        json_string(record_date(*date, random)));
  }
  return object(fields, random);
}

// An Observation coded `code` (LOINC) with `status` and `value` (a JSON element, or none).
std::string coded_observation(Record& record, const std::string& code, const std::string& status,
                              const std::optional<Ymd>& date, const std::string& value) {
  Random& random = record.random();
  Fields fields = {{"resourceType", "\"Observation\""},
                   {"id", json_string(record.next_id("obs"))},
                   {"status", json_string(status)},
                   {"code", "{\"coding\": [{\"system\": \"http://loinc.org\", \"code\": " +
                                json_string(code) + "}]}"}};
  if (date) {
    fields.emplace_back("effectiveDateTime", json_string(record_date(*date, random)));
  }
  if (!value.empty()) {
    const std::size_t colon = value.find(':');
    fields.emplace_back(value.substr(1, colon - 2), value.substr(colon + 2));
  }
  return object(fields, random);
}

Generated generate_codings(Random& random, const Ymd& as_of) {
  Generated out;
  Record record(random);
  record.add(object({{"resourceType", "\"Patient\""}, {"id", "\"p\""}}, random));
  std::vector<CodingPair> not_fracture = undeclared_codings();
  not_fracture.insert(not_fracture.end(), declared_other_codings().begin(),
                      declared_other_codings().end());
  std::vector<CodingPair> anything = not_fracture;
  anything.insert(anything.end(), fracture_codings().begin(), fracture_codings().end());
  const int span = 3000;
  {  // site
    std::optional<CodingPair> value;
    const int days_before = random.small(0, span);
    const Ymd chosen = plus_days(as_of, -days_before);
    if (random.chance(0.7)) {
      value = random.pick(fracture_codings());
      const std::string verification =
          random.pick(std::vector<std::string>{"confirmed", "provisional", "unconfirmed"});
      record.add(coded_condition(
          record, coding_concept(some_of(not_fracture, random), value, anything, random), chosen,
          verification));
      // Older ones that count, with other values.
      const int older = random.small(0, 2);
      for (int i = 0; i < older; ++i) {
        record.add(
            coded_condition(record,
                            coding_concept(some_of(not_fracture, random),
                                           random.pick(fracture_codings()), anything, random),
                            plus_days(chosen, -random.between(1, 400)), "confirmed"));
      }
    }
    // Newer ones that do not count: refuted, entered in error, not coded fracture, undated.
    const int newer = random.small(0, 3);
    for (int i = 0; i < newer; ++i) {
      const Ymd date = plus_days(as_of, -random.small(0, value ? days_before : span));
      const CodingPair other = random.pick(fracture_codings());
      switch (random.small(0, 3)) {
        case 0:
          record.add(coded_condition(record, coding_concept({}, other, anything, random), date,
                                     "refuted"));
          break;
        case 1:
          record.add(coded_condition(record, coding_concept({}, other, anything, random), date,
                                     "entered-in-error"));
          break;
        case 2: {
          std::vector<CodingPair> codings = some_of(not_fracture, random);
          codings.push_back(random.pick(not_fracture));
          record.add(coded_condition(record, coding_concept(codings, std::nullopt, {}, random),
                                     date, "confirmed"));
          break;
        }
        default:
          record.add(coded_condition(record, coding_concept({}, other, anything, random),
                                     std::nullopt, "confirmed"));
          break;
      }
    }
    write_fact(out, random, "site",
               value ? std::optional<std::string>(fact_file_coding(*value)) : std::nullopt);
  }
  {  // result
    std::optional<CodingPair> value;
    const int days_before = random.small(0, span);
    const Ymd chosen = plus_days(as_of, -days_before);
    const std::string status = random.chance(0.5) ? "final" : "amended";
    const int kind = random.small(0, 4);
    switch (kind) {
      case 0:
      case 1:
      case 2: {
        value = random.pick(result_codings());
        std::vector<CodingPair> after = result_codings();
        after.insert(after.end(), undeclared_codings().begin(), undeclared_codings().end());
        record.add(coded_observation(
            record, "94500-6", status, chosen,
            "\"valueCodeableConcept\": " +
                coding_concept(some_of(undeclared_codings(), random), value, after, random)));
        break;
      }
      case 3: {
        // The chosen one's code_concept has no coding of a declared system, or is null: absent.
        std::vector<CodingPair> codings = some_of(undeclared_codings(), random);
        const std::string code_concept = random.chance(0.3)
                                             ? std::string("null")
                                             : coding_concept(codings, std::nullopt, {}, random);
        record.add(coded_observation(record, "94500-6", status, chosen,
                                     "\"valueCodeableConcept\": " + code_concept));
        break;
      }
      default: break;  // no such Observation
    }
    // Older ones that count (only behind a chosen one: they would be the most recent
    // otherwise); newer ones that do not: another status, another code, undated.
    if (kind <= 3) {
      const int older = random.small(0, 2);
      for (int i = 0; i < older; ++i) {
        record.add(coded_observation(
            record, "94500-6", "final", plus_days(chosen, -random.between(1, 400)),
            "\"valueCodeableConcept\": " +
                coding_concept({}, random.pick(result_codings()), result_codings(), random)));
      }
    }
    const int newer = random.small(0, 3);
    for (int i = 0; i < newer; ++i) {
      const Ymd date = plus_days(as_of, -random.small(0, days_before));
      const std::string other =
          "\"valueCodeableConcept\": " +
          coding_concept({}, random.pick(result_codings()), result_codings(), random);
      switch (random.small(0, 2)) {
        case 0:
          record.add(coded_observation(
              record, "94500-6",
              random.pick(std::vector<std::string>{"preliminary", "entered-in-error", "cancelled"}),
              date, other));
          break;
        case 1: record.add(coded_observation(record, "1-1", "final", date, other)); break;
        default:
          record.add(coded_observation(record, "94500-6", "final", std::nullopt, other));
          break;
      }
    }
    write_fact(out, random, "result",
               value ? std::optional<std::string>(fact_file_coding(*value)) : std::nullopt);
  }
  add_unrelated(record, as_of);
  out.record = record.bundle();
  return out;
}

TEST_CASE("codings read from records round-trip: the filter's coding, a declared system's",
          "[records][property]") {
  const Compiled& compiled = coding_guideline();
  const std::uint64_t seed = property_seed() + 3;
  Random random(seed);
  Tally tally;
  const int iterations = property_iterations(1500);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    const Ymd as_of = random.chance(0.5) ? Ymd{2026, 6, 15} : random_date(random);
    const Generated generated = generate_codings(random, as_of);
    check_round_trip(compiled, generated, as_of, iteration, seed, tally);
  }
  check_tally(tally, iterations / 50, {});
}

}  // namespace
}  // namespace rubric
