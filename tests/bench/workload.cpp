#include "tests/bench/workload.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <random>
#include <tuple>

namespace rubric::bench {
namespace {

namespace ondemand = simdjson::ondemand;

constexpr double kDay = 86400;
constexpr double kWeek = 7 * kDay;
constexpr double kMonth = 30.4375 * kDay;
constexpr double kYear = 365.25 * kDay;

constexpr std::array<const char*, 13> kBooleanFacts = {"neurologic_deficit",
                                                       "progressive_neurologic_deterioration",
                                                       "spinal_instability",
                                                       "cord_compression",
                                                       "pain_refractory",
                                                       "pulmonary_dysfunction",
                                                       "analgesic_contraindication",
                                                       "parenteral_narcotics_required",
                                                       "symptoms_changed",
                                                       "symptoms_persisting",
                                                       "severe_initial_pain",
                                                       "mri_t2_fluid_pattern",
                                                       "severe_collapse"};
// Per mille chance of `true` for each boolean fact: red flags are rare.
constexpr std::array<unsigned, 13> kTruePerMille = {40,  20,  20,  20,  200, 100, 150,
                                                    100, 250, 400, 300, 200, 150};

}  // namespace

const std::vector<std::string_view> kSeedRecommendations = {
    "urgent_surgical_consultation",
    "no_delay_for_optimization",
    "calcitonin",
    "analgesics_as_needed",
    "opioid_caution",
    "opioid_fall_risk",
    "calcium",
    "vitamin_d",
    "bisphosphonate",
    "early_mobilization",
    "avoid_bed_rest",
    "follow_up_4_6_weeks",
    "imaging_persistent_symptoms",
    "mri_changed_symptoms",
    "close_monitoring",
    "augmentation_referral",
};

std::string generate_seed_facts(std::size_t count, std::uint64_t seed, bool with_gaps) {
  std::mt19937_64 random(seed);
  const auto below = [&](std::uint64_t bound) { return random() % bound; };
  std::string out;
  out.reserve(count * 520);
  std::vector<std::string> fields;
  for (std::size_t index = 0; index < count; ++index) {
    fields.clear();
    for (std::size_t b = 0; b < kBooleanFacts.size(); ++b) {
      fields.push_back(fmt::format("\"{}\":{}", kBooleanFacts[b],
                                   below(1000) < kTruePerMille[b] ? "true" : "false"));
    }
    const std::uint64_t grade_roll = below(10);
    fields.push_back(fmt::format("\"fracture_grade\":{}", grade_roll < 7   ? 1
                                                          : grade_roll < 8 ? 0
                                                          : grade_roll < 9 ? 2
                                                                           : 3));
    fields.push_back(fmt::format("\"pain_vas\":{}.{}", below(10), below(10)));
    fields.push_back(fmt::format("\"kyphosis_percent\":{}", below(31)));
    fields.push_back(fmt::format("\"height_loss_percent\":{}", below(41)));
    switch (below(4)) {
      case 0:
        fields.emplace_back(fmt::format("\"time_since_identification\":\"{} days\"", below(61)));
        break;
      case 1:
        fields.emplace_back(fmt::format("\"time_since_identification\":\"{} weeks\"", below(21)));
        break;
      case 2:
        fields.emplace_back(fmt::format("\"time_since_identification\":\"{} months\"", below(25)));
        break;
      default:
        fields.emplace_back(fmt::format("\"time_since_identification\":\"{} years\"", below(4)));
        break;
    }
    if (below(5) == 0) {
      fields.push_back(fmt::format("\"age\":\"{} months\"", 480 + below(600)));
    } else {
      fields.push_back(fmt::format("\"age\":\"{} years\"", 40 + below(56)));
    }
    const std::size_t left_out =
        with_gaps && below(4) == 0 ? static_cast<std::size_t>(below(fields.size())) : fields.size();
    out += '{';
    bool first = true;
    for (std::size_t f = 0; f < fields.size(); ++f) {
      if (f == left_out) {
        continue;
      }
      if (!first) {
        out += ',';
      }
      first = false;
      out += fields[f];
    }
    out += "}\n";
  }
  return out;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (the civil calendar).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

std::string civil_text(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const std::int64_t year =
      static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

constexpr std::string_view kVf = "http://example.org/fhir/CodeSystem/vertebral-fracture";
constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kSnomed = "http://snomed.info/sct";
constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";

// Writes one patient's Bundle: resources are added as JSON objects and shuffled at the end.
class BundleWriter {
 public:
  BundleWriter(std::mt19937_64& random, std::int64_t as_of) : random_(random), as_of_(as_of) {}

  std::uint64_t below(std::uint64_t bound) { return random_() % bound; }

  // A date `days_ago` days before the evaluation date, as a date or a date and time whose
  // date part is that day.
  std::string date(std::int64_t days_ago) {
    std::string text = civil_text(as_of_ - days_ago);
    switch (below(3)) {
      case 0: return text;
      case 1: return text + fmt::format("T{:02}:{:02}:00Z", below(24), below(60));
      default: return text + fmt::format("T{:02}:{:02}:00+02:00", below(24), below(60));
    }
  }

  // An Observation of `system`#`code` with `status`, `days_ago` days old, and `value` (the
  // JSON of a value[x] element, `"valueBoolean":true`).
  void observation(std::string_view system, std::string_view code, std::string_view status,
                   std::int64_t days_ago, std::string_view value) {
    const std::size_t id = resources_.size();
    resources_.push_back(fmt::format(
        R"({{"fullUrl":"urn:uuid:obs-{0}","resource":{{"resourceType":"Observation","id":"obs-{0}",)"
        R"("status":"{1}","category":[{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"exam"}}]}}],)"
        R"("code":{{"coding":[{{"system":"{2}","code":"{3}"}}],"text":"{3}"}},"subject":{{"reference":"Patient/p"}},)"
        R"("effectiveDateTime":"{4}",{5}}}}})",
        id, status, system, code, date(days_ago), value));
  }

  // A Condition of `system`#`code`; empty statuses are left out.
  void condition(std::string_view system, std::string_view code, std::string_view clinical,
                 std::string_view verification, std::int64_t days_ago, bool onset_only = false) {
    const std::size_t id = resources_.size();
    std::string statuses;
    if (!clinical.empty()) {
      statuses += fmt::format(
          R"("clinicalStatus":{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"{}"}}]}},)",
          clinical);
    }
    if (!verification.empty()) {
      statuses += fmt::format(
          R"("verificationStatus":{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"{}"}}]}},)",
          verification);
    }
    resources_.push_back(fmt::format(
        R"({{"fullUrl":"urn:uuid:cond-{0}","resource":{{"resourceType":"Condition","id":"cond-{0}",{1})"
        R"("code":{{"coding":[{{"system":"{2}","code":"{3}"}}]}},"subject":{{"reference":"Patient/p"}},)"
        R"("{4}":"{5}"}}}})",
        id, statuses, system, code, onset_only ? "onsetDateTime" : "recordedDate",
        onset_only ? date(days_ago) : civil_text(as_of_ - days_ago)));
  }

  void patient(std::string_view birth_date) {
    resources_.push_back(fmt::format(
        R"({{"fullUrl":"urn:uuid:p","resource":{{"resourceType":"Patient","id":"p","active":true,)"
        R"("name":[{{"family":"Doe","given":["Pat"]}}],"gender":"{}"{}}}}})",
        below(2) == 0 ? "female" : "male",
        birth_date.empty() ? std::string() : fmt::format(R"(,"birthDate":"{}")", birth_date)));
  }

  // A resource of a type no seed binding reads, or an Observation or Condition of another code.
  void unrelated() {
    const std::size_t id = resources_.size();
    switch (below(5)) {
      case 0:
        resources_.push_back(fmt::format(
            R"({{"fullUrl":"urn:uuid:med-{0}","resource":{{"resourceType":"MedicationRequest","id":"med-{0}","status":"active","intent":"order",)"
            R"("medicationCodeableConcept":{{"coding":[{{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{1}"}}]}},)"
            R"("subject":{{"reference":"Patient/p"}},"authoredOn":"{2}","dosageInstruction":[{{"text":"1 tablet daily"}}]}}}})",
            id, 197361 + below(1000), date(static_cast<std::int64_t>(below(700)))));
        break;
      case 1:
        resources_.push_back(fmt::format(
            R"({{"fullUrl":"urn:uuid:enc-{0}","resource":{{"resourceType":"Encounter","id":"enc-{0}","status":"finished",)"
            R"("class":{{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}},)"
            R"("subject":{{"reference":"Patient/p"}},"period":{{"start":"{1}"}}}}}})",
            id, date(static_cast<std::int64_t>(below(700)))));
        break;
      case 2: {
        static constexpr std::array<std::string_view, 3> kVitals = {"8867-4", "8480-6", "29463-7"};
        observation(
            kLoinc, kVitals[below(kVitals.size())], "final", static_cast<std::int64_t>(below(400)),
            fmt::format(R"("valueQuantity":{{"value":{},"unit":"1","system":"{}","code":"1"}})",
                        40 + below(100), kUcumSystem));
        break;
      }
      case 3:
        condition(kSnomed, below(2) == 0 ? "38341003" : "44054006", "active", "confirmed",
                  static_cast<std::int64_t>(below(3000)));
        break;
      default:
        resources_.push_back(fmt::format(
            R"({{"fullUrl":"urn:uuid:proc-{0}","resource":{{"resourceType":"Procedure","id":"proc-{0}","status":"completed",)"
            R"("code":{{"coding":[{{"system":"{1}","code":"{2}"}}]}},"subject":{{"reference":"Patient/p"}},"performedDateTime":"{3}"}}}})",
            id, kSnomed, 80146002 + below(1000), date(static_cast<std::int64_t>(below(3000)))));
        break;
    }
  }

  std::size_t size() const { return resources_.size(); }

  void finish(std::string& out) {
    std::shuffle(resources_.begin(), resources_.end(), random_);
    out += R"({"resourceType":"Bundle","type":"collection","entry":[)";
    for (std::size_t index = 0; index < resources_.size(); ++index) {
      if (index > 0) {
        out += ',';
      }
      out += resources_[index];
    }
    out += "]}\n";
    resources_.clear();
  }

 private:
  std::mt19937_64& random_;
  std::int64_t as_of_;
  std::vector<std::string> resources_;
};

// The Observation-read boolean facts among kBooleanFacts (the others are Conditions).
bool observed(std::string_view fact) {
  return fact == "pain_refractory" || fact == "parenteral_narcotics_required" ||
         fact == "symptoms_changed" || fact == "symptoms_persisting" ||
         fact == "severe_initial_pain" || fact == "mri_t2_fluid_pattern" ||
         fact == "severe_collapse";
}

std::string vf_code(std::string_view fact) {
  std::string code(fact);
  std::replace(code.begin(), code.end(), '_', '-');
  return code;
}

}  // namespace

SeedRecords generate_seed_records(std::size_t count, std::uint64_t seed, bool with_gaps) {
  std::mt19937_64 random(seed);
  const std::int64_t as_of = days_from_civil(2026, 6, 15);  // kSeedRecordsAsOf
  BundleWriter bundle(random, as_of);
  const auto below = [&](std::uint64_t bound) { return random() % bound; };
  const auto ago = [&](std::uint64_t low, std::uint64_t high) {
    return static_cast<std::int64_t>(low + below(high - low + 1));
  };
  SeedRecords out;
  std::vector<std::string> fields;
  constexpr std::size_t kFacts = kBooleanFacts.size() + 6;
  for (std::size_t index = 0; index < count; ++index) {
    fields.clear();
    const std::size_t gap = with_gaps && below(3) == 0 ? below(kFacts) : kFacts;
    std::size_t fact_index = 0;
    // A final-like status of a reading that counts.
    const auto counting = [&] {
      static constexpr std::array<std::string_view, 4> kStatuses = {"final", "final", "amended",
                                                                    "corrected"};
      return kStatuses[below(kStatuses.size())];
    };
    // An observation fact read by `most recent`: the reading that counts (unless a gap), then
    // distractors: older counting readings and newer ones that do not count.
    const auto observed_fact = [&](std::string_view system, std::string_view code,
                                   std::int64_t days_ago, const std::string& value,
                                   const auto& other_value, bool gap_here,
                                   std::int64_t oldest_counting) {
      if (!gap_here) {
        bundle.observation(system, code, counting(), days_ago, value);
      } else if (below(2) == 0 && oldest_counting < 100000) {
        // Only a reading outside the window: absent.
        bundle.observation(system, code, "final", oldest_counting + 1 + ago(0, 200), other_value());
      }
      for (std::uint64_t k = below(3); k > 0; --k) {
        if (!gap_here) {
          bundle.observation(system, code, counting(), days_ago + ago(1, 300), other_value());
        }
        const std::int64_t newer =
            days_ago > 0 ? ago(0, static_cast<std::uint64_t>(days_ago - 1)) : 0;
        static constexpr std::array<std::string_view, 4> kIgnored = {
            "preliminary", "entered-in-error", "registered", "cancelled"};
        bundle.observation(system, code, kIgnored[below(kIgnored.size())],
                           gap_here ? ago(0, 20) : newer, other_value());
      }
    };
    for (std::size_t b = 0; b < kBooleanFacts.size(); ++b, ++fact_index) {
      const std::string_view fact = kBooleanFacts[b];
      const bool value = below(1000) < kTruePerMille[b];
      const bool gap_here = fact_index == gap;
      if (!gap_here) {
        fields.push_back(fmt::format("\"{}\":{}", fact, value ? "true" : "false"));
      }
      const std::string code = vf_code(fact);
      if (observed(fact)) {
        observed_fact(
            kVf, code, ago(0, 400), fmt::format("\"valueBoolean\":{}", value),
            [&] { return std::string(value ? "\"valueBoolean\":false" : "\"valueBoolean\":true"); },
            gap_here, 100000);
        continue;
      }
      static constexpr std::array<std::string_view, 3> kPresent = {"active", "recurrence",
                                                                   "relapse"};
      static constexpr std::array<std::string_view, 3> kGone = {"inactive", "remission",
                                                                "resolved"};
      if (!gap_here && value) {
        bundle.condition(kVf, code, kPresent[below(3)], below(3) == 0 ? "" : "confirmed",
                         ago(0, 2000));
        if (below(2) == 0) {  // a resolved or refuted one beside it changes nothing
          bundle.condition(kVf, code, kGone[below(3)], "confirmed", ago(0, 2000));
        }
      } else if (!gap_here) {
        if (below(2) == 0) {
          bundle.condition(kVf, code, "active", "refuted", ago(0, 2000));
        } else {
          bundle.condition(kVf, code, kGone[below(3)], "confirmed", ago(0, 2000));
        }
      }
      if (below(4) == 0) {  // entered in error: never counts
        bundle.condition(kVf, code, "active", "entered-in-error", ago(0, 2000));
      }
    }
    // fracture_grade
    {
      const std::uint64_t roll = below(10);
      const int grade = roll < 7 ? 1 : roll < 8 ? 0 : roll < 9 ? 2 : 3;
      const bool gap_here = fact_index++ == gap;
      if (!gap_here) {
        fields.push_back(fmt::format("\"fracture_grade\":{}", grade));
      }
      observed_fact(
          kVf, "genant-grade", ago(0, 700), fmt::format("\"valueInteger\":{}", grade),
          [&] { return fmt::format("\"valueInteger\":{}", (grade + 1 + below(3)) % 4); }, gap_here,
          100000);
    }
    // pain_vas: within 30 days
    {
      const std::uint64_t tenths = below(101);
      const bool gap_here = fact_index++ == gap;
      if (!gap_here) {
        fields.push_back(fmt::format("\"pain_vas\":{}.{}", tenths / 10, tenths % 10));
      }
      const std::string value =
          tenths % 10 == 0 && below(2) == 0
              ? fmt::format("\"valueInteger\":{}", tenths / 10)
              : fmt::format(
                    R"("valueQuantity":{{"value":{}.{},"unit":"score","system":"{}","code":"{{score}}"}})",
                    tenths / 10, tenths % 10, kUcumSystem);
      observed_fact(
          kLoinc, "72514-3", ago(0, 30), value,
          [&] { return fmt::format("\"valueInteger\":{}", below(11)); }, gap_here, 30);
    }
    // kyphosis_percent, height_loss_percent
    for (const auto& [fact, code, top] :
         {std::tuple{"kyphosis_percent", "kyphosis-percent", 30},
          std::tuple{"height_loss_percent", "height-loss-percent", 40}}) {
      const std::uint64_t percent = below(static_cast<std::uint64_t>(top) + 1);
      const bool gap_here = fact_index++ == gap;
      if (!gap_here) {
        fields.push_back(fmt::format("\"{}\":{}", fact, percent));
      }
      const auto quantity = [&](std::uint64_t amount) {
        return fmt::format(R"("valueQuantity":{{"value":{},"unit":"%","system":"{}","code":"%"}})",
                           amount, kUcumSystem);
      };
      observed_fact(
          kVf, code, ago(0, 700), quantity(percent), [&] { return quantity(below(100)); }, gap_here,
          100000);
    }
    // time_since_identification: whole days since the most recent fracture Condition
    {
      const std::int64_t days = ago(0, 900);
      const bool gap_here = fact_index++ == gap;
      if (!gap_here) {
        fields.push_back(fmt::format("\"time_since_identification\":\"{} days\"", days));
        bundle.condition(kVf, "vertebral-fracture", below(2) == 0 ? "active" : "resolved",
                         below(2) == 0 ? "confirmed" : "", days, below(4) == 0);
        if (below(2) == 0) {  // an older one
          bundle.condition(kVf, "vertebral-fracture", "resolved", "confirmed", days + ago(1, 900));
        }
      }
      if (below(2) == 0) {  // newer, but refuted or entered in error
        bundle.condition(
            kVf, "vertebral-fracture", "active", below(2) == 0 ? "refuted" : "entered-in-error",
            gap_here || days == 0 ? ago(0, 900) : ago(0, static_cast<std::uint64_t>(days - 1)));
      }
    }
    // age: completed years on the evaluation date
    {
      const std::int64_t years = ago(40, 95);
      const bool gap_here = fact_index++ == gap;
      if (gap_here) {
        bundle.patient("");
      } else {
        fields.push_back(fmt::format("\"age\":\"{} years\"", years));
        // A birthday from the day after the evaluation date `years + 1` years ago to the
        // evaluation date `years` years ago.
        const std::int64_t latest = days_from_civil(2026 - years, 6, 15);
        const std::int64_t earliest = days_from_civil(2026 - years - 1, 6, 16);
        bundle.patient(
            civil_text(earliest + ago(0, static_cast<std::uint64_t>(latest - earliest))));
      }
    }
    const std::size_t target = 20 + below(41);
    while (bundle.size() < target) {
      bundle.unrelated();
    }
    bundle.finish(out.records);
    out.facts += '{';
    for (std::size_t f = 0; f < fields.size(); ++f) {
      if (f > 0) {
        out.facts += ',';
      }
      out.facts += fields[f];
    }
    out.facts += "}\n";
  }
  return out;
}

std::string generate_guideline(std::size_t recommendations) {
  const std::size_t groups = std::max<std::size_t>(1, recommendations / 100);
  std::string out = fmt::format(
      "guideline \"generated-{0}\"\n  title \"Generated guideline with {0} recommendations\"\n"
      "  version \"1.0.0\"\n\nsource 1 \"Generated source\"\n\n",
      recommendations);
  for (std::size_t k = 0; k < groups; ++k) {
    out += fmt::format("fact flag_{0}: boolean \"flag {0}\"\n", k);
    out += fmt::format("fact score_{0}: integer between 0 and 100 \"score {0}\"\n", k);
  }
  out += "\nparameter threshold = 50 \"the score that counts\"\n\n";
  for (std::size_t k = 0; k < groups; ++k) {
    out += fmt::format("define group_{0} = flag_{0} and score_{0} >= threshold\n", k);
  }
  out += "\n";
  for (std::size_t i = 0; i < recommendations; ++i) {
    out += fmt::format(
        "recommendation r_{0}\n  kind prescribe\n  text \"Generated recommendation {0}.\"\n"
        "  cite 1\n  when group_{1} and score_{2} < {3}\n\n",
        i, i % groups, (i * 7 + 3) % groups, i % 100 + 1);
  }
  return out;
}

std::uint32_t reference_evaluate(const SeedPatient& p) {
  const bool applicable = p.fracture_grade == 1;
  const bool red_flag = p.neurologic_deficit || p.progressive_neurologic_deterioration ||
                        p.spinal_instability || p.cord_compression;
  const bool conservative = applicable && !red_flag;
  const bool analgesics_allowed = conservative && !p.analgesic_contraindication;
  const bool augmentation_indicated = p.pain_vas >= 3.5 || p.pain_refractory ||
                                      p.kyphosis_percent >= 15 || p.height_loss_percent >= 20 ||
                                      p.pulmonary_dysfunction || p.analgesic_contraindication ||
                                      p.parenteral_narcotics_required;
  std::uint32_t mask = 0;
  const auto set = [&mask](unsigned bit, bool on) { mask |= on ? 1U << bit : 0U; };
  set(0, applicable && red_flag);
  set(1, applicable && (p.neurologic_deficit || p.progressive_neurologic_deterioration));
  set(2, conservative && p.time_since_identification < 4 * kWeek);
  set(3, analgesics_allowed);
  set(4, analgesics_allowed);
  set(5, analgesics_allowed && p.age >= 65 * kYear);
  set(6, conservative);
  set(7, conservative);
  set(8, conservative);
  set(9, conservative);
  set(10, conservative);
  set(11, conservative && p.time_since_identification < 6 * kWeek);
  set(12, conservative && p.symptoms_persisting && p.time_since_identification > 8 * kWeek);
  set(13, conservative && p.symptoms_changed);
  set(14, conservative && (p.severe_initial_pain || p.mri_t2_fluid_pattern || p.severe_collapse));
  set(15, conservative && p.time_since_identification >= 3 * kMonth && augmentation_indicated);
  return mask;
}

double reference_duration_seconds(std::string_view text) {
  double amount = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (error != std::errc() || end == text.data()) {
    return -1;
  }
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  while (!unit.empty() && unit.front() == ' ') {
    unit.remove_prefix(1);
  }
  struct Known {
    std::string_view name;
    double seconds;
  };
  static constexpr std::array<Known, 20> kUnits = {{
      {"day", kDay},    {"days", kDay},    {"d", kDay},        {"week", kWeek}, {"weeks", kWeek},
      {"wk", kWeek},    {"month", kMonth}, {"months", kMonth}, {"mo", kMonth},  {"year", kYear},
      {"years", kYear}, {"a", kYear},      {"hour", 3600},     {"hours", 3600}, {"h", 3600},
      {"minute", 60},   {"minutes", 60},   {"min", 60},        {"second", 1},   {"seconds", 1},
  }};
  for (const Known& known : kUnits) {
    if (unit == known.name) {
      return amount * known.seconds;
    }
  }
  return -1;
}

struct ReferenceReader::State {
  ondemand::parser parser;
};

ReferenceReader::ReferenceReader() : state_(new State) {}
ReferenceReader::~ReferenceReader() {
  delete state_;
}

bool ReferenceReader::read(std::string_view line, SeedPatient& p) {
  ondemand::document document;
  const simdjson::padded_string_view padded(line.data(), line.size(), line.size() + 64);
  if (state_->parser.iterate(padded).get(document) != simdjson::SUCCESS) {
    return false;
  }
  ondemand::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  unsigned seen = 0;
  for (auto member : object) {
    ondemand::field field;
    if (std::move(member).get(field) != simdjson::SUCCESS) {
      return false;
    }
    const ondemand::raw_json_string key = field.key();
    ondemand::value value = field.value();
    const auto flag = [&](bool& out) { return value.get_bool().get(out) == simdjson::SUCCESS; };
    const auto number = [&](double& out) {
      return value.get_double().get(out) == simdjson::SUCCESS;
    };
    const auto duration = [&](double& out) {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) {
        return false;
      }
      out = reference_duration_seconds(text);
      return out >= 0;
    };
    bool ok = false;
    if (key.unsafe_is_equal("fracture_grade")) {
      std::int64_t grade = 0;
      ok = value.get_int64().get(grade) == simdjson::SUCCESS;
      p.fracture_grade = static_cast<int>(grade);
    } else if (key.unsafe_is_equal("neurologic_deficit")) {
      ok = flag(p.neurologic_deficit);
    } else if (key.unsafe_is_equal("progressive_neurologic_deterioration")) {
      ok = flag(p.progressive_neurologic_deterioration);
    } else if (key.unsafe_is_equal("spinal_instability")) {
      ok = flag(p.spinal_instability);
    } else if (key.unsafe_is_equal("cord_compression")) {
      ok = flag(p.cord_compression);
    } else if (key.unsafe_is_equal("pain_refractory")) {
      ok = flag(p.pain_refractory);
    } else if (key.unsafe_is_equal("pulmonary_dysfunction")) {
      ok = flag(p.pulmonary_dysfunction);
    } else if (key.unsafe_is_equal("analgesic_contraindication")) {
      ok = flag(p.analgesic_contraindication);
    } else if (key.unsafe_is_equal("parenteral_narcotics_required")) {
      ok = flag(p.parenteral_narcotics_required);
    } else if (key.unsafe_is_equal("symptoms_changed")) {
      ok = flag(p.symptoms_changed);
    } else if (key.unsafe_is_equal("symptoms_persisting")) {
      ok = flag(p.symptoms_persisting);
    } else if (key.unsafe_is_equal("severe_initial_pain")) {
      ok = flag(p.severe_initial_pain);
    } else if (key.unsafe_is_equal("mri_t2_fluid_pattern")) {
      ok = flag(p.mri_t2_fluid_pattern);
    } else if (key.unsafe_is_equal("severe_collapse")) {
      ok = flag(p.severe_collapse);
    } else if (key.unsafe_is_equal("pain_vas")) {
      ok = number(p.pain_vas);
    } else if (key.unsafe_is_equal("kyphosis_percent")) {
      ok = number(p.kyphosis_percent);
    } else if (key.unsafe_is_equal("height_loss_percent")) {
      ok = number(p.height_loss_percent);
    } else if (key.unsafe_is_equal("time_since_identification")) {
      ok = duration(p.time_since_identification);
    } else if (key.unsafe_is_equal("age")) {
      ok = duration(p.age);
    }
    if (!ok) {
      return false;
    }
    ++seen;
  }
  return seen == 19;
}

long long reference_batch(int input_fd, int output_fd) {
  constexpr std::size_t kBlock = 256 * 1024;
  std::vector<std::string> ids;
  for (const std::string_view id : kSeedRecommendations) {
    ids.push_back(fmt::format("\"{}\"", id));
  }
  ReferenceReader reader;
  SeedPatient patient;
  std::string buffer;
  std::string output;
  std::size_t start = 0;  // the first byte of buffer not yet processed
  long long records = 0;
  bool end = false;
  while (!end) {
    buffer.erase(0, start);
    start = 0;
    const std::size_t old_size = buffer.size();
    buffer.resize(old_size + kBlock + 64);
    const ssize_t count = ::read(input_fd, buffer.data() + old_size, kBlock);
    if (count < 0) {
      return -1;
    }
    end = count == 0;
    const std::size_t size = old_size + static_cast<std::size_t>(count);
    buffer.resize(size + 64);
    while (start < size) {
      const void* found = std::memchr(buffer.data() + start, '\n', size - start);
      if (found == nullptr && !end) {
        break;
      }
      const std::size_t line_end =
          found == nullptr
              ? size
              : static_cast<std::size_t>(static_cast<const char*>(found) - buffer.data());
      const std::string_view line(buffer.data() + start, line_end - start);
      start = line_end + 1;
      if (line.empty()) {
        continue;
      }
      if (!reader.read(line, patient)) {
        return -1;
      }
      ++records;
      const std::uint32_t mask = reference_evaluate(patient);
      output += "{\"recommendations\":[";
      bool first = true;
      for (std::size_t bit = 0; bit < ids.size(); ++bit) {
        if ((mask >> bit) & 1U) {
          if (!first) {
            output += ',';
          }
          first = false;
          output += ids[bit];
        }
      }
      output += "],\"undetermined\":[]}\n";
    }
    buffer.resize(size);
    if (output.size() >= kBlock || end) {
      if (::write(output_fd, output.data(), output.size()) != static_cast<ssize_t>(output.size())) {
        return -1;
      }
      output.clear();
    }
  }
  return records;
}

}  // namespace rubric::bench
