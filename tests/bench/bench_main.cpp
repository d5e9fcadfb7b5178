// Rubric against the hand-written reference (tests/bench/workload.hpp), with Google
// Benchmark. Every Rubric figure is reported as a ratio to the reference measured earlier in
// the same run (counters `x_reference_time`: Rubric's time / the reference's, lower is
// better, the target is <= 2; `x_reference_throughput`: Rubric's records/s / the
// reference's, higher is better, targets >= 0.7 on one thread, > 1 on two).
//
// Before measuring, the program checks that the reference and Rubric agree: on every seed
// case with a complete fact set (both the repository's cases and ../shared/seed/cases),
// against the case's expected recommendations, and on every generated fact set. With
// --verify-only it stops after the checks (a ctest test runs that).
//
// Environment: RUBRIC_BENCH_RECORDS (default 1000000) sets the number of records of the
// end-to-end batch benchmarks; RUBRIC_BENCH_BUNDLES (default 10000) the number of patients of
// the FHIR-record batch benchmarks (about 21 KB a Bundle); RUBRIC_BENCH_MAX_RECOMMENDATIONS
// (default 100000) caps the generated guidelines of the compile benchmarks.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/guideline.hpp"
#include "fact_conversion.hpp"
#include "records/record_reader.hpp"
#include "seed_generated.hpp"
#include "service/cds_service.hpp"
#include "tests/bench/workload.hpp"
#include "tools/cli.hpp"
#include "tools/fact_file.hpp"
#include "tools/ndjson_facts.hpp"

namespace fs = std::filesystem;
using namespace rubric;
using namespace rubric::bench;

namespace {

const std::string kSourceDir = RUBRIC_SOURCE_DIR;
const std::string kSeedGuideline =
    kSourceDir + "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric";

std::size_t environment_number(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    return fallback;
  }
  return static_cast<std::size_t>(std::strtoull(text, nullptr, 10));
}

struct Loaded {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
};

Loaded& seed() {
  static Loaded loaded = [] {
    Loaded result;
    std::ifstream stream(kSeedGuideline);
    std::stringstream text;
    text << stream.rdbuf();
    const FileId file = result.sources.add(kSeedGuideline, text.str());
    Diagnostics diagnostics;
    result.guideline = Guideline::compile(result.sources, file, diagnostics);
    if (!result.guideline) {
      std::cerr << "cannot compile the seed guideline\n";
      std::exit(2);
    }
    return result;
  }();
  return loaded;
}

// The NDJSON workload as lines, and as fact sets and reference patients.
struct Workload {
  std::string text;  // padded
  std::vector<std::string_view> lines;
  std::vector<FactSet> fact_sets;
  std::vector<SeedPatient> patients;
  std::vector<seed_generated::Facts> generated;  // for the --emit-cpp evaluator
  std::vector<FactBlock> blocks;                 // fact_sets, 64 to a block, for block evaluation
};

const Workload& per_evaluation_workload() {
  static Workload workload = [] {
    Workload result;
    const std::string text = generate_seed_facts(4096, 7);
    result.text = text + std::string(kNdjsonPadding, '\0');
    const Guideline& guideline = *seed().guideline;
    NdjsonFactReader reader(guideline.facts());
    ReferenceReader reference;
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = text.find('\n', at);
      const std::string_view line(result.text.data() + at, end - at);
      at = end + 1;
      FactSet facts(guideline.facts().size());
      Diagnostics diagnostics;
      SeedPatient patient;
      if (!reader.read(line, facts, diagnostics) || !reference.read(line, patient)) {
        std::cerr << "generated line rejected: " << line << "\n";
        std::exit(2);
      }
      result.lines.push_back(line);
      seed_generated::Facts generated;
      if (!testing::to_generated(
              facts, generated,
              [](auto& out, auto&& visit) { seed_generated::for_each_fact(out, visit); },
              seed_generated::kFactUnits)) {
        std::cerr << "generated line not exact in the generated evaluator's form: " << line << "\n";
        std::exit(2);
      }
      result.patients.push_back(patient);
      result.fact_sets.push_back(std::move(facts));
      result.generated.push_back(generated);
    }
    for (const FactSet& facts : result.fact_sets) {
      if (result.blocks.empty() || result.blocks.back().full()) {
        result.blocks.emplace_back(guideline.facts().size());
      }
      result.blocks.back().push_back(facts);
    }
    return result;
  }();
  return workload;
}

std::uint32_t generated_mask(const seed_generated::Decision& decision) {
  static_assert(seed_generated::kRecommendationCount <= 32);
  return static_cast<std::uint32_t>(decision.recommended[0]);
}

std::uint32_t rubric_mask(const Decision& decision) {
  std::uint32_t mask = 0;
  for (std::size_t r = 0; r < decision.outcomes.size(); ++r) {
    if (decision.outcomes[r] == Outcome::recommended) {
      mask |= 1U << r;
    }
  }
  return mask;
}

// Reference agrees with every seed case whose fact set is complete, and with Rubric on the
// generated workload. Returns the number of problems (printed).
int verify() {
  int problems = 0;
  const Guideline& guideline = *seed().guideline;
  if (guideline.recommendations().size() != kSeedRecommendations.size()) {
    std::cerr << "the seed guideline's recommendations changed; update tests/bench\n";
    return 1;
  }
  for (std::size_t r = 0; r < kSeedRecommendations.size(); ++r) {
    if (guideline.recommendations()[r].id != kSeedRecommendations[r]) {
      std::cerr << "recommendation " << r << " is not " << kSeedRecommendations[r] << "\n";
      return 1;
    }
  }
  std::size_t cases = 0;
  for (const std::string& folder : {kSourceDir + "/guidelines/vertebral-fracture-grade1/cases",
                                    std::string(RUBRIC_SHARED_DIR) + "/seed/cases"}) {
    if (!fs::is_directory(folder)) {
      std::cerr << "note: " << folder << " is absent; its cases are skipped\n";
      continue;
    }
    std::vector<fs::path> paths;
    for (const auto& entry : fs::directory_iterator(folder)) {
      paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
      const YAML::Node document = YAML::LoadFile(path.string());
      const YAML::Node facts = document["facts"];
      const YAML::Node expect = document["expect"];
      if (!facts || !facts.IsMap() || facts.size() != guideline.facts().size() || !expect ||
          !expect.IsMap() || expect["error"] || !expect["recommendations"]) {
        continue;  // an incomplete fact set or a case that expects an error
      }
      bool complete = true;
      SeedPatient patient;
      std::ostringstream line;
      for (const auto& entry : facts) {
        if (entry.second.IsNull()) {
          complete = false;
        }
      }
      if (!complete) {
        continue;
      }
      const auto text = [&](const char* name) { return facts[name].as<std::string>(); };
      const auto flag = [&](const char* name) { return facts[name].as<bool>(); };
      patient.fracture_grade = static_cast<int>(facts["fracture_grade"].as<double>());
      patient.neurologic_deficit = flag("neurologic_deficit");
      patient.progressive_neurologic_deterioration = flag("progressive_neurologic_deterioration");
      patient.spinal_instability = flag("spinal_instability");
      patient.cord_compression = flag("cord_compression");
      patient.pain_refractory = flag("pain_refractory");
      patient.pulmonary_dysfunction = flag("pulmonary_dysfunction");
      patient.analgesic_contraindication = flag("analgesic_contraindication");
      patient.parenteral_narcotics_required = flag("parenteral_narcotics_required");
      patient.symptoms_changed = flag("symptoms_changed");
      patient.symptoms_persisting = flag("symptoms_persisting");
      patient.severe_initial_pain = flag("severe_initial_pain");
      patient.mri_t2_fluid_pattern = flag("mri_t2_fluid_pattern");
      patient.severe_collapse = flag("severe_collapse");
      patient.pain_vas = facts["pain_vas"].as<double>();
      patient.kyphosis_percent = facts["kyphosis_percent"].as<double>();
      patient.height_loss_percent = facts["height_loss_percent"].as<double>();
      patient.time_since_identification =
          reference_duration_seconds(text("time_since_identification"));
      patient.age = reference_duration_seconds(text("age"));
      if (patient.time_since_identification < 0 || patient.age < 0) {
        std::cerr << path << ": the reference cannot read a duration\n";
        ++problems;
        continue;
      }
      std::set<std::string> expected;
      for (const auto& id : expect["recommendations"]) {
        expected.insert(id.as<std::string>());
      }
      std::set<std::string> got;
      const std::uint32_t mask = reference_evaluate(patient);
      for (std::size_t r = 0; r < kSeedRecommendations.size(); ++r) {
        if ((mask >> r) & 1U) {
          got.insert(std::string(kSeedRecommendations[r]));
        }
      }
      ++cases;
      if (got != expected) {
        std::cerr << path << ": the reference disagrees with the case's expected recommendations\n";
        ++problems;
      }
    }
  }
  const Workload& workload = per_evaluation_workload();
  EvaluationScratch scratch;
  Decision decision;
  for (std::size_t index = 0; index < workload.fact_sets.size(); ++index) {
    guideline.evaluate(workload.fact_sets[index], scratch, decision);
    if (rubric_mask(decision) != reference_evaluate(workload.patients[index])) {
      std::cerr << "generated line " << index + 1
                << ": Rubric and the reference disagree: " << workload.lines[index] << "\n";
      ++problems;
    }
    seed_generated::Decision generated;
    seed_generated::evaluate(workload.generated[index], generated);
    if (generated_mask(generated) != rubric_mask(decision)) {
      std::cerr << "generated line " << index + 1
                << ": Rubric and its --emit-cpp evaluator disagree: " << workload.lines[index]
                << "\n";
      ++problems;
    }
  }
  // Block evaluation: every row as its own evaluation gives it.
  BlockScratch block_scratch;
  BlockDecision block_decision;
  std::size_t row_index = 0;
  for (const FactBlock& block : workload.blocks) {
    guideline.evaluate(block, block_scratch, block_decision);
    for (std::size_t row = 0; row < block.size(); ++row, ++row_index) {
      guideline.evaluate(workload.fact_sets[row_index], scratch, decision);
      for (std::size_t r = 0; r < decision.outcomes.size(); ++r) {
        if (block_decision.outcome(row, r) != decision.outcomes[r]) {
          std::cerr << "generated line " << row_index + 1
                    << ": block and single evaluation disagree: " << workload.lines[row_index]
                    << "\n";
          ++problems;
          break;
        }
      }
    }
  }
  if (row_index != workload.fact_sets.size()) {
    std::cerr << "the blocks hold " << row_index << " of " << workload.fact_sets.size()
              << " fact sets\n";
    ++problems;
  }
  std::cerr << fmt::format(
      "verified: the reference matches {} complete seed cases and Rubric on {} generated fact "
      "sets ({} problems)\n",
      cases, workload.fact_sets.size(), problems);
  if (cases == 0) {
    std::cerr << "no complete seed case was found\n";
    ++problems;
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Per evaluation, complete fact sets

double g_reference_ns_per_eval = 0;

void BM_reference_evaluate(benchmark::State& state) {
  const Workload& workload = per_evaluation_workload();
  std::size_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(reference_evaluate(workload.patients[index]));
    index = index + 1 == workload.patients.size() ? 0 : index + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

// The seed's evaluator generated by `rubric compile --emit-cpp` (three-valued, with missing
// facts), on the same fact sets in its own form.
void BM_generated_evaluate(benchmark::State& state) {
  const Workload& workload = per_evaluation_workload();
  seed_generated::Decision decision;
  std::size_t index = 0;
  for (auto _ : state) {
    seed_generated::evaluate(workload.generated[index], decision);
    benchmark::DoNotOptimize(decision.recommended.data());
    benchmark::ClobberMemory();
    index = index + 1 == workload.generated.size() ? 0 : index + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_rubric_evaluate(benchmark::State& state) {
  const Workload& workload = per_evaluation_workload();
  const Guideline& guideline = *seed().guideline;
  EvaluationScratch scratch;
  Decision decision;
  std::size_t index = 0;
  for (auto _ : state) {
    guideline.evaluate(workload.fact_sets[index], scratch, decision);
    benchmark::DoNotOptimize(decision.outcomes.data());
    index = index + 1 == workload.fact_sets.size() ? 0 : index + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

// The same fact sets, 64 to a FactBlock, each block evaluated at once (bit-sliced). Items
// are fact sets; the reporter divides the time per block by `rows` for the ratio.
void BM_rubric_evaluate_block(benchmark::State& state) {
  const Workload& workload = per_evaluation_workload();
  const Guideline& guideline = *seed().guideline;
  BlockScratch scratch;
  BlockDecision decision;
  std::size_t index = 0;
  for (auto _ : state) {
    guideline.evaluate(workload.blocks[index], scratch, decision);
    benchmark::DoNotOptimize(decision.recommended.data());
    index = index + 1 == workload.blocks.size() ? 0 : index + 1;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(FactBlock::kCapacity));
  state.counters["rows"] = static_cast<double>(FactBlock::kCapacity);
}

// The same, with the cost of filling each block from the fact sets (FactBlock::push_back
// copies the values and computes the masks and scaled amounts): what an engineer whose
// records arrive as FactSets pays per fact set.
void BM_rubric_fill_and_evaluate_block(benchmark::State& state) {
  const Workload& workload = per_evaluation_workload();
  const Guideline& guideline = *seed().guideline;
  FactBlock block(guideline.facts().size());
  BlockScratch scratch;
  BlockDecision decision;
  std::size_t index = 0;
  for (auto _ : state) {
    block.clear();
    for (std::size_t row = 0; row < FactBlock::kCapacity; ++row) {
      block.push_back(workload.fact_sets[index]);
      index = index + 1 == workload.fact_sets.size() ? 0 : index + 1;
    }
    guideline.evaluate(block, scratch, decision);
    benchmark::DoNotOptimize(decision.recommended.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(FactBlock::kCapacity));
  state.counters["rows"] = static_cast<double>(FactBlock::kCapacity);
}

// ---------------------------------------------------------------------------------------
// Batch end to end

struct BatchInput {
  std::string path;
  std::size_t records = 0;
};

const BatchInput& batch_input() {
  static BatchInput input = [] {
    BatchInput result;
    result.records = environment_number("RUBRIC_BENCH_RECORDS", 1000000);
    result.path = (fs::temp_directory_path() /
                   fmt::format("rubric-bench-{}-{}.ndjson", ::getpid(), result.records))
                      .string();
    std::ofstream stream(result.path, std::ios::binary);
    // Generated in blocks to keep memory small.
    constexpr std::size_t kBlock = 50000;
    for (std::size_t done = 0; done < result.records; done += kBlock) {
      stream << generate_seed_facts(std::min(kBlock, result.records - done), 11 + done);
    }
    std::atexit([] { std::remove(batch_input().path.c_str()); });
    return result;
  }();
  return input;
}

double g_reference_records_per_s = 0;

void BM_reference_batch(benchmark::State& state) {
  const BatchInput& input = batch_input();
  const int output = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  double seconds = 0;
  for (auto _ : state) {
    const int descriptor = ::open(input.path.c_str(), O_RDONLY | O_CLOEXEC);
    const auto start = std::chrono::steady_clock::now();
    const long long records = reference_batch(descriptor, output);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(descriptor);
    if (records != static_cast<long long>(input.records)) {
      state.SkipWithError("the reference could not read the input");
    }
  }
  ::close(output);
  g_reference_records_per_s = static_cast<double>(input.records * state.iterations()) / seconds;
  state.SetItemsProcessed(static_cast<std::int64_t>(input.records * state.iterations()));
  state.counters["records_per_s"] = g_reference_records_per_s;
}

// Seconds per run of `rubric batch` on `path` (compact results to /dev/null), as of 2026-06-15
// (the generated records' evaluation date; fact sets without dates do not depend on it).
double time_batch(benchmark::State& state, const std::string& path, const std::string& threads) {
  const std::vector<const char*> arguments = {"rubric",     "batch",      kSeedGuideline.c_str(),
                                              path.c_str(), "--threads",  threads.c_str(),
                                              "--as-of",    "2026-06-15", "--compact",
                                              "-o",         "/dev/null"};
  double seconds = 0;
  for (auto _ : state) {
    std::ostringstream out;
    std::ostringstream err;
    const auto start = std::chrono::steady_clock::now();
    const int code =
        run_command_line(static_cast<int>(arguments.size()), arguments.data(), out, err);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (code != 0) {
      state.SkipWithError(("rubric batch failed: " + err.str()).c_str());
    }
  }
  return seconds;
}

void BM_rubric_batch(benchmark::State& state) {
  const BatchInput& input = batch_input();
  const double seconds = time_batch(state, input.path, std::to_string(state.range(0)));
  const double records_per_s = static_cast<double>(input.records * state.iterations()) / seconds;
  state.SetItemsProcessed(static_cast<std::int64_t>(input.records * state.iterations()));
  state.counters["records_per_s"] = records_per_s;
  if (g_reference_records_per_s > 0) {
    state.counters["x_reference_throughput"] = records_per_s / g_reference_records_per_s;
  }
}

// ---------------------------------------------------------------------------------------
// Batch on FHIR records: the same patients as Bundles and as fact sets (generate_seed_records)

struct RecordInput {
  std::string bundles;    // NDJSON, one Bundle a line
  std::string fact_sets;  // the same patients' fact sets
  std::size_t records = 0;
  std::uintmax_t bundle_bytes = 0;
};

const RecordInput& record_input() {
  static RecordInput input = [] {
    RecordInput result;
    result.records = environment_number("RUBRIC_BENCH_BUNDLES", 10000);
    const auto path = [&](std::string_view what) {
      return (fs::temp_directory_path() /
              fmt::format("rubric-bench-{}-{}-{}.ndjson", ::getpid(), what, result.records))
          .string();
    };
    result.bundles = path("bundles");
    result.fact_sets = path("record-facts");
    std::ofstream bundles(result.bundles, std::ios::binary);
    std::ofstream fact_sets(result.fact_sets, std::ios::binary);
    constexpr std::size_t kBlock = 5000;
    for (std::size_t done = 0; done < result.records; done += kBlock) {
      const SeedRecords block =
          generate_seed_records(std::min(kBlock, result.records - done), 17 + done, true);
      bundles << block.records;
      fact_sets << block.facts;
    }
    bundles.close();
    result.bundle_bytes = fs::file_size(result.bundles);
    std::atexit([] {
      std::remove(record_input().bundles.c_str());
      std::remove(record_input().fact_sets.c_str());
    });
    return result;
  }();
  return input;
}

std::map<std::int64_t, double> g_fact_set_records_per_s;  // by thread count

void BM_rubric_batch_record_facts(benchmark::State& state) {
  const RecordInput& input = record_input();
  const double seconds = time_batch(state, input.fact_sets, std::to_string(state.range(0)));
  const double records_per_s = static_cast<double>(input.records * state.iterations()) / seconds;
  g_fact_set_records_per_s[state.range(0)] = records_per_s;
  state.SetItemsProcessed(static_cast<std::int64_t>(input.records * state.iterations()));
  state.counters["records_per_s"] = records_per_s;
}

void BM_rubric_batch_records(benchmark::State& state) {
  const RecordInput& input = record_input();
  const double seconds = time_batch(state, input.bundles, std::to_string(state.range(0)));
  const double runs = static_cast<double>(state.iterations());
  const double records_per_s = static_cast<double>(input.records) * runs / seconds;
  state.SetItemsProcessed(static_cast<std::int64_t>(input.records * state.iterations()));
  state.counters["records_per_s"] = records_per_s;
  state.counters["MB_per_s"] = static_cast<double>(input.bundle_bytes) * runs / seconds / 1e6;
  state.counters["bytes_per_record"] =
      static_cast<double>(input.bundle_bytes) / static_cast<double>(input.records);
  if (const auto found = g_fact_set_records_per_s.find(state.range(0));
      found != g_fact_set_records_per_s.end()) {
    state.counters["x_fact_sets"] = records_per_s / found->second;
  }
}

// ---------------------------------------------------------------------------------------
// Compile: parse + check + graph

double g_compile_ns_per_recommendation_100 = 0;

void BM_rubric_compile(benchmark::State& state) {
  const auto recommendations = static_cast<std::size_t>(state.range(0));
  const std::string text = generate_guideline(recommendations);
  double seconds = 0;
  for (auto _ : state) {
    SourceManager sources;
    const FileId file = sources.add("generated.rubric", text);
    Diagnostics diagnostics;
    const auto start = std::chrono::steady_clock::now();
    auto guideline = Guideline::compile(sources, file, diagnostics);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!guideline) {
      state.SkipWithError("the generated guideline does not compile");
      break;
    }
    benchmark::DoNotOptimize(guideline.get());
  }
  const double per_recommendation =
      seconds * 1e9 / static_cast<double>(state.iterations() * recommendations);
  if (recommendations == 100) {
    g_compile_ns_per_recommendation_100 = per_recommendation;
  }
  state.counters["ns_per_recommendation"] = per_recommendation;
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  if (g_compile_ns_per_recommendation_100 > 0) {
    // Linear growth keeps this near 1.
    state.counters["x_per_recommendation_at_100"] =
        per_recommendation / g_compile_ns_per_recommendation_100;
  }
}

// The per-evaluation ratio needs both results: a reporter computes it.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> copy = runs;
    for (Run& run : copy) {
      const std::string name = run.benchmark_name();
      const double ns = run.GetAdjustedRealTime();
      if (name.rfind("BM_reference_evaluate", 0) == 0) {
        g_reference_ns_per_eval = ns;
      } else if ((name.rfind("BM_rubric_evaluate_block", 0) == 0 ||
                  name.rfind("BM_rubric_fill_and_evaluate_block", 0) == 0) &&
                 g_reference_ns_per_eval > 0) {
        const double per_evaluation = ns / static_cast<double>(FactBlock::kCapacity);
        run.counters["ns_per_eval"] = per_evaluation;
        run.counters["x_reference_time"] = per_evaluation / g_reference_ns_per_eval;
      } else if ((name.rfind("BM_rubric_evaluate", 0) == 0 ||
                  name.rfind("BM_generated_evaluate", 0) == 0) &&
                 g_reference_ns_per_eval > 0) {
        run.counters["x_reference_time"] = ns / g_reference_ns_per_eval;
      }
    }
    ConsoleReporter::ReportRuns(copy);
  }
};

// ---------------------------------------------------------------------------------------
// The service: what one CDS Hooks invocation costs inside the request (docs/performance.md)

struct HookWorkload {
  std::unique_ptr<service::CdsService> cds;
  std::string request;             // the seed's example record as a patient-view prefetch
  std::string request_none_found;  // the same with `observations` null: one information card
  std::string bundle;              // the record itself, as the reader gets it
};

const HookWorkload& hook_workload() {
  static const HookWorkload workload = [] {
    HookWorkload result;
    auto sources = std::make_shared<SourceManager>();
    std::ifstream stream(kSeedGuideline);
    std::stringstream text;
    text << stream.rdbuf();
    Diagnostics diagnostics;
    auto guideline =
        Guideline::compile(*sources, sources->add(kSeedGuideline, text.str()), diagnostics);
    service::ServiceOptions options;
    options.evaluation_date = [] { return *DateTime::parse("2026-06-15").value; };
    std::vector<service::ServedGuideline> served{{guideline, sources, kSeedGuideline, ""}};
    result.cds = std::make_unique<service::CdsService>(std::move(served), options);
    std::ifstream record(kSourceDir +
                         "/guidelines/vertebral-fracture-grade1/records/"
                         "seed-example-new-fracture-elderly.bundle.json");
    std::stringstream record_text;
    record_text << record.rdbuf();
    result.bundle = record_text.str();
    const nlohmann::json bundle = nlohmann::json::parse(result.bundle);
    nlohmann::json patient;
    nlohmann::json conditions = {
        {"resourceType", "Bundle"}, {"type", "searchset"}, {"entry", nlohmann::json::array()}};
    nlohmann::json observations = conditions;
    for (const nlohmann::json& entry : bundle["entry"]) {
      const std::string type = entry["resource"]["resourceType"];
      if (type == "Patient") {
        patient = entry["resource"];
      } else if (type == "Condition") {
        conditions["entry"].push_back({{"resource", entry["resource"]}});
      } else if (type == "Observation") {
        observations["entry"].push_back({{"resource", entry["resource"]}});
      }
    }
    nlohmann::json request = {
        {"hook", "patient-view"},
        {"hookInstance", "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"},
        {"context", {{"userId", "Practitioner/example"}, {"patientId", patient["id"]}}},
        {"prefetch",
         {{"patient", patient}, {"conditions", conditions}, {"observations", observations}}}};
    result.request = request.dump();
    request["prefetch"]["observations"] = nullptr;
    result.request_none_found = request.dump();
    return result;
  }();
  return workload;
}

void invoke_benchmark(benchmark::State& state, const std::string& body) {
  const HookWorkload& workload = hook_workload();
  const service::ServedGuideline& served = workload.cds->guidelines()->front();
  for (auto _ : state) {
    service::HttpResponse response = workload.cds->invoke(served, body);
    if (response.status != 200) {
      state.SkipWithError("the hook request was not answered with 200");
      break;
    }
    benchmark::DoNotOptimize(response.body.data());
  }
  state.counters["request_bytes"] = static_cast<double>(body.size());
}

// The whole invocation: parsing the request, gathering the prefetch into a record, reading it
// through the bindings, evaluating, and writing the cards.
void BM_service_invoke(benchmark::State& state) {
  invoke_benchmark(state, hook_workload().request);
}

// The same with every Observation missing: ten undetermined recommendations explained in one
// information card (the explanations dominate).
void BM_service_invoke_undetermined(benchmark::State& state) {
  invoke_benchmark(state, hook_workload().request_none_found);
}

// The record reader alone on the same resources (one Bundle).
void BM_service_read_record(benchmark::State& state) {
  const HookWorkload& workload = hook_workload();
  const Guideline& guideline = *workload.cds->guidelines()->front().guideline;
  RecordReader reader(guideline.facts());
  RecordReading reading;
  const DateTime as_of = *DateTime::parse("2026-06-15").value;
  for (auto _ : state) {
    reader.read(workload.bundle, as_of, reading, BadValues::set_aside);
    benchmark::DoNotOptimize(reading.facts.values().data());
  }
}

// Evaluating the facts read (with the deciding facts of each card, as the service does).
void BM_service_evaluate(benchmark::State& state) {
  const HookWorkload& workload = hook_workload();
  const Guideline& guideline = *workload.cds->guidelines()->front().guideline;
  const DateTime as_of = *DateTime::parse("2026-06-15").value;
  RecordReading reading = read_record(guideline.facts(), workload.bundle, as_of);
  guideline.set_evaluation_date(reading.facts, as_of);
  EvaluationScratch scratch;
  Decision decision;
  for (auto _ : state) {
    guideline.evaluate(reading.facts, scratch, decision);
    std::size_t deciding = 0;
    for (std::size_t r = 0; r < decision.outcomes.size(); ++r) {
      if (decision.outcomes[r] == Outcome::recommended) {
        deciding += guideline.deciding_facts(r, scratch).size();
      }
    }
    benchmark::DoNotOptimize(deciding);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool verify_only = false;
  std::vector<char*> arguments;
  for (int index = 0; index < argc; ++index) {
    if (std::string_view(argv[index]) == "--verify-only") {
      verify_only = true;
    } else {
      arguments.push_back(argv[index]);
    }
  }
  if (verify() != 0) {
    return 1;
  }
  if (verify_only) {
    return 0;
  }
  int count = static_cast<int>(arguments.size());
  benchmark::Initialize(&count, arguments.data());
  benchmark::RegisterBenchmark("BM_reference_evaluate", BM_reference_evaluate);
  benchmark::RegisterBenchmark("BM_rubric_evaluate", BM_rubric_evaluate);
  benchmark::RegisterBenchmark("BM_generated_evaluate", BM_generated_evaluate);
  benchmark::RegisterBenchmark("BM_rubric_evaluate_block", BM_rubric_evaluate_block);
  benchmark::RegisterBenchmark("BM_rubric_fill_and_evaluate_block",
                               BM_rubric_fill_and_evaluate_block);
  const std::size_t maximum = environment_number("RUBRIC_BENCH_MAX_RECOMMENDATIONS", 100000);
  for (const std::size_t size : {100, 1000, 10000, 100000}) {
    if (size <= maximum) {
      benchmark::RegisterBenchmark("BM_rubric_compile", BM_rubric_compile)
          ->Arg(static_cast<std::int64_t>(size))
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RegisterBenchmark("BM_reference_batch", BM_reference_batch)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_rubric_batch", BM_rubric_batch)
      ->Arg(1)
      ->Arg(2)
      ->ArgName("threads")
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_rubric_batch_record_facts", BM_rubric_batch_record_facts)
      ->Arg(1)
      ->Arg(2)
      ->ArgName("threads")
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_rubric_batch_records", BM_rubric_batch_records)
      ->Arg(1)
      ->Arg(2)
      ->ArgName("threads")
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_service_invoke", BM_service_invoke)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_service_invoke_undetermined", BM_service_invoke_undetermined)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_service_read_record", BM_service_read_record)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_service_evaluate", BM_service_evaluate)
      ->Unit(benchmark::kMicrosecond);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
