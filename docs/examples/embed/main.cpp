// Embedding Rubric in a C++ program: compile a guideline once, resolve its fact ids once,
// then evaluate patients from the program's own records, reusing one fact set and one
// decision, and the same patients again in one block. Usage: embed_example GUIDELINE.rubric [--time
// N] (the seed guideline, guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric).
// With --time N, it then times N evaluations of the first patient, and N fillings plus evaluations.
#include <rubric/rubric.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace api = rubric::api;

namespace {

// A patient record as the embedding program keeps it; an empty optional is an unknown value.
struct Patient {
  std::string name;
  std::optional<int> fracture_grade;
  std::optional<bool> neurologic_deficit;
  std::optional<bool> progressive_neurologic_deterioration;
  std::optional<bool> spinal_instability;
  std::optional<bool> cord_compression;
  std::optional<int> weeks_since_identification;
  std::optional<double> pain_vas;
  std::optional<bool> analgesic_contraindication;
  std::optional<int> age_years;
  std::optional<bool> severe_initial_pain;
};

// The guideline's facts this program supplies, resolved once by name.
struct Bindings {
  api::FactId fracture_grade, neurologic_deficit, progressive_neurologic_deterioration,
      spinal_instability, cord_compression, time_since_identification, pain_vas,
      analgesic_contraindication, age, severe_initial_pain;
};

std::optional<Bindings> bind(const api::Guideline& guideline) {
  bool ok = true;
  const auto id = [&](const char* name) {
    const std::optional<api::FactId> fact = guideline.fact(name);
    if (!fact) {
      std::fprintf(stderr, "error: the guideline has no fact `%s`\n", name);
      ok = false;
    }
    return fact.value_or(api::FactId{});
  };
  Bindings b{id("fracture_grade"),
             id("neurologic_deficit"),
             id("progressive_neurologic_deterioration"),
             id("spinal_instability"),
             id("cord_compression"),
             id("time_since_identification"),
             id("pain_vas"),
             id("analgesic_contraindication"),
             id("age"),
             id("severe_initial_pain")};
  return ok ? std::optional<Bindings>(b) : std::nullopt;
}

// Copies a record into the fact set (cleared first); false, with a message, on a bad value.
bool fill(api::FactSet& facts, const Bindings& b, const Patient& p) {
  facts.clear();
  bool ok = true;
  const auto check = [&ok](const api::Status& status) {
    if (!status) {
      std::printf("  rejected: error[%s]: %s\n", status.code().c_str(), status.message().c_str());
      ok = false;
    }
  };
  const auto flag = [&](api::FactId fact, const std::optional<bool>& value) {
    if (value) check(facts.set_boolean(fact, *value));
  };
  if (p.fracture_grade) check(facts.set_integer(b.fracture_grade, *p.fracture_grade));
  flag(b.neurologic_deficit, p.neurologic_deficit);
  flag(b.progressive_neurologic_deterioration, p.progressive_neurologic_deterioration);
  flag(b.spinal_instability, p.spinal_instability);
  flag(b.cord_compression, p.cord_compression);
  flag(b.analgesic_contraindication, p.analgesic_contraindication);
  flag(b.severe_initial_pain, p.severe_initial_pain);
  if (p.weeks_since_identification) {
    check(facts.set_quantity(b.time_since_identification, *p.weeks_since_identification, "weeks"));
  }
  if (p.pain_vas) check(facts.set_decimal(b.pain_vas, *p.pain_vas));
  if (p.age_years) check(facts.set_quantity(b.age, *p.age_years, "years"));
  return ok;
}

void print(const api::Guideline& guideline, api::Decision& decision) {
  for (const api::RecommendationId id : decision.recommended()) {
    const api::Recommendation r = *guideline.describe(id);
    std::printf("  recommended %.*s (%.*s): %.*s\n", int(r.id.size()), r.id.data(),
                int(r.kind.size()), r.kind.data(), int(r.text.size()), r.text.data());
    for (const api::Parameter& parameter : r.parameters) {
      std::printf("    %.*s = %s\n", int(parameter.name.size()), parameter.name.data(),
                  parameter.value.c_str());
    }
    std::string because;
    for (const api::FactId fact : decision.because(id)) {
      because += (because.empty() ? "" : ", ") + std::string(guideline.fact_name(fact));
    }
    std::printf("    because: %s\n", because.c_str());
    std::string sources;
    for (const api::Citation& citation : r.citations) {
      sources += (sources.empty() ? "[" : " [") + std::to_string(citation.number) + "]";
    }
    std::printf("    sources: %s\n", sources.c_str());
  }
  for (const api::RecommendationId id : decision.undetermined()) {
    std::string missing;
    for (const api::FactId fact : decision.missing(id)) {
      missing += (missing.empty() ? "" : ", ") + std::string(guideline.fact_name(fact));
    }
    const std::string_view name = guideline.recommendation_name(id);
    std::printf("  undetermined %.*s: waits on %s\n", int(name.size()), name.data(),
                missing.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool timing = argc == 4 && std::strcmp(argv[2], "--time") == 0;
  const long repeat = timing ? std::strtol(argv[3], nullptr, 10) : 0;
  if ((argc != 2 && !timing) || (timing && repeat <= 0)) {
    std::fprintf(stderr, "usage: embed_example GUIDELINE.rubric [--time N]\n");
    return 2;
  }
  std::printf("rubric %.*s\n", int(api::library_version().size()), api::library_version().data());

  // Bad rules are diagnostics, never an exception.
  const api::Compilation broken = api::Guideline::compile(
      "guideline \"demo\"\nsource 1 \"s\"\nfact age: duration\n"
      "recommendation r kind refer text \"t\" cite 1 when agee > 1 year\n",
      "demo.rubric");
  std::printf("demo.rubric compiled: %s\n%s", broken.guideline ? "yes" : "no",
              broken.formatted().c_str());

  api::Compilation compiled = api::Guideline::compile_file(argv[1]);
  if (!compiled.guideline) {
    std::fprintf(stderr, "%s", compiled.formatted().c_str());
    return 1;
  }
  const api::Guideline guideline = *compiled.guideline;
  std::printf("guideline %.*s %.*s: %zu facts, %zu recommendations\n", int(guideline.id().size()),
              guideline.id().data(), int(guideline.version().size()), guideline.version().data(),
              guideline.fact_count(), guideline.recommendation_count());
  const std::optional<Bindings> bindings = bind(guideline);
  if (!bindings) {
    return 1;
  }

  const std::vector<Patient> patients = {
      {"a 72-year-old, fracture found 2 weeks ago", 1, false, false, false, false, 2, 6.0, false,
       72, true},
      {"the same patient, age and pain unknown", 1, false, false, false, false, 2, std::nullopt,
       false, std::nullopt, true},
      {"a neurologic deficit", 1, true, false, false, false, 2, 6.0, false, 72, false},
      {"a pain score of 12 (out of range)", 1, false, false, false, false, 2, 12.0, false, 72,
       false},
  };

  // One fact set and one decision, reused for every patient: after the first patient,
  // evaluating allocates nothing.
  api::FactSet facts = guideline.new_fact_set();
  api::Decision decision;
  // The same patients also go into one block, evaluated at once below.
  api::FactBlock block = guideline.new_fact_block();
  std::vector<const Patient*> rows;
  for (const Patient& patient : patients) {
    std::printf("\npatient: %s\n", patient.name.c_str());
    if (!fill(facts, *bindings, patient)) {
      continue;
    }
    if (block.add(facts)) {
      rows.push_back(&patient);
    }
    guideline.evaluate(facts, decision);
    if (!decision.status()) {
      std::printf("  error[%s]: %s\n", decision.status().code().c_str(),
                  decision.status().message().c_str());
      continue;
    }
    print(guideline, decision);
  }

  // Many records: add up to 64 fact sets to a block, evaluate it at once, clear it, repeat.
  // Each row gets what evaluating its fact set alone gives, for a fraction of the time.
  api::BlockDecision block_decision = guideline.evaluate(block);
  std::printf("\nblock of %zu patients, evaluated at once:\n", block_decision.rows());
  for (std::size_t row = 0; row < block_decision.rows(); ++row) {
    std::size_t recommended = 0;
    std::string waiting;
    for (std::uint32_t r = 0; r < guideline.recommendation_count(); ++r) {
      const api::RecommendationId id{r};
      if (block_decision.outcome(row, id) == api::Outcome::recommended) {
        ++recommended;
      } else if (block_decision.outcome(row, id) == api::Outcome::undetermined) {
        waiting += "; " + std::string(guideline.recommendation_name(id)) + " waits on";
        for (const api::FactId fact : block_decision.missing(row, id)) {
          waiting += " " + std::string(guideline.fact_name(fact));
        }
      }
    }
    std::printf("  row %zu (%s): %zu recommended%s\n", row, rows[row]->name.c_str(), recommended,
                waiting.c_str());
  }

  // A FHIR record: the rule file's bindings read the facts from a Bundle as of a date, which
  // is also the evaluation date. Each fact says which resource it came from, or why it is
  // absent; a value that breaks its fact's declaration is an error naming both.
  const std::string record = R"({"resourceType": "Bundle", "type": "collection", "entry": [
  {"resource": {"resourceType": "Patient", "id": "p", "birthDate": "1954-05-13"}},
  {"resource": {"resourceType": "Observation", "id": "obs-7", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
    "subject": {"reference": "Patient/p"}, "effectiveDateTime": "2026-06-10",
    "valueQuantity": {"value": 6}}}]})";
  api::FactSet from_record = guideline.new_fact_set();
  if (const api::Status status = from_record.read_record(record, "2026-06-15"); !status) {
    std::printf("record rejected: error[%s]: %s\n", status.code().c_str(),
                status.message().c_str());
    return 1;
  }
  std::printf("\nrecord as of 2026-06-15:\n");
  for (const api::FactId fact : {bindings->pain_vas, bindings->age, bindings->fracture_grade}) {
    const std::string name(guideline.fact_name(fact));
    if (const std::optional<std::string> value = from_record.text(fact)) {
      std::printf("  %s = %s from %s\n", name.c_str(), value->c_str(),
                  std::string(from_record.source(fact)).c_str());
    } else {
      std::printf("  %s absent: %s\n", name.c_str(),
                  std::string(from_record.absent_reason(fact)).c_str());
    }
  }
  guideline.evaluate(from_record, decision);
  std::printf("  %zu recommended, %zu undetermined\n", decision.recommended().size(),
              decision.undetermined().size());
  std::string bad_record = record;
  const std::string_view six = "\"value\": 6";
  bad_record.replace(bad_record.find(six), six.size(), "\"value\": 12");
  if (const api::Status status = from_record.read_record(bad_record, "2026-06-15"); !status) {
    std::printf("  record rejected: error[%s]: %s\n", status.code().c_str(),
                status.message().c_str());
  }

  if (timing) {
    using Clock = std::chrono::steady_clock;
    const auto per_run = [repeat](Clock::time_point start) {
      return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
             static_cast<double>(repeat);
    };
    std::size_t recommended = 0;
    if (!fill(facts, *bindings, patients.front())) {
      return 1;
    }
    Clock::time_point start = Clock::now();
    for (long run = 0; run < repeat; ++run) {
      guideline.evaluate(facts, decision);
      recommended += decision.recommended().size();
    }
    const double evaluate_ns = per_run(start);
    start = Clock::now();
    for (long run = 0; run < repeat; ++run) {
      fill(facts, *bindings, patients.front());
      guideline.evaluate(facts, decision);
      recommended += decision.recommended().size();
    }
    const double fill_ns = per_run(start);
    std::printf(
        "\ntiming, %ld runs: evaluate %.0f ns; fill 10 facts by id and evaluate %.0f ns "
        "(%zu recommendations)\n",
        repeat, evaluate_ns, fill_ns, recommended);
  }
  return 0;
}
