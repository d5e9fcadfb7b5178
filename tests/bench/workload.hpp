// Workloads for the benchmarks and the batch tests: generated NDJSON fact sets for the seed
// guideline, generated guidelines of any size, and the hand-written reference evaluator of
// the seed guideline that every Rubric figure is compared with.
//
// Contract: every generator is deterministic (a fixed-seed generator; the same arguments
// give the same bytes). The reference is two-valued: it needs complete fact sets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rubric::bench {

// `count` complete fact sets for the seed guideline, one JSON object a line, in the fact-file
// format, with values that exercise every recommendation. With `with_gaps`, roughly one fact
// set in four leaves one fact out (so some recommendations are undetermined); such sets are
// not for the reference.
std::string generate_seed_facts(std::size_t count, std::uint64_t seed = 1, bool with_gaps = false);

// `count` patients of the seed guideline, written as the same line of two NDJSON texts: the
// fact sets (`facts`, in the fact-file format) and FHIR R4 Bundles (`records`, one a line)
// that the seed's bindings (shared/seed/FHIR-BINDING.md) read as exactly those fact sets as of
// kSeedRecordsAsOf. Each Bundle holds 20 to 60 resources: those that give the facts, and
// distractors that by the contract change nothing (older, preliminary and entered-in-error
// observations, observations of other codes or outside the pain window, entered-in-error
// conditions, resources of types no binding reads), in random order. With `with_gaps`,
// roughly one patient in three has a fact that no resource gives (absent in both texts).
struct SeedRecords {
  std::string facts;
  std::string records;
};
inline constexpr std::string_view kSeedRecordsAsOf = "2026-06-15";
SeedRecords generate_seed_records(std::size_t count, std::uint64_t seed = 1,
                                  bool with_gaps = false);

// A valid guideline with `recommendations` recommendations (and two facts and one definition
// for every hundred), for compile-time benchmarks. The parser accepts at most 10,000
// declarations (E0108), so 9,700 recommendations is the largest that compiles.
std::string generate_guideline(std::size_t recommendations);

// One patient of the seed guideline, every fact known. Durations are in seconds, with
// UCUM's definite durations (1 mo = 30.4375 d, 1 a = 365.25 d) as the seed's rules use.
struct SeedPatient {
  int fracture_grade = 0;
  bool neurologic_deficit = false;
  bool progressive_neurologic_deterioration = false;
  bool spinal_instability = false;
  bool cord_compression = false;
  bool pain_refractory = false;
  bool pulmonary_dysfunction = false;
  bool analgesic_contraindication = false;
  bool parenteral_narcotics_required = false;
  bool symptoms_changed = false;
  bool symptoms_persisting = false;
  bool severe_initial_pain = false;
  bool mri_t2_fluid_pattern = false;
  bool severe_collapse = false;
  double pain_vas = 0;
  double kyphosis_percent = 0;
  double height_loss_percent = 0;
  double time_since_identification = 0;  // seconds
  double age = 0;                        // seconds
};

// The seed's recommendation ids in declaration order; bit i of a reference result is
// recommendation i.
extern const std::vector<std::string_view> kSeedRecommendations;

// The hand-written reference: the seed guideline as if/else over the struct.
std::uint32_t reference_evaluate(const SeedPatient& patient);

// "4 months", "72 years", "3392 wk": seconds, or a negative number for text it cannot read.
double reference_duration_seconds(std::string_view text);

// Reads one NDJSON line (padded by at least 64 readable bytes) of complete seed facts; false
// when the line is not such an object.
class ReferenceReader {
 public:
  ReferenceReader();
  ~ReferenceReader();
  ReferenceReader(const ReferenceReader&) = delete;
  ReferenceReader& operator=(const ReferenceReader&) = delete;
  bool read(std::string_view line, SeedPatient& patient);

 private:
  struct State;
  State* state_;
};

// The reference end to end, as `rubric batch --compact --threads 1` does it: reads NDJSON
// from `input_fd`, writes `{"recommendations":[...],"undetermined":[]}` lines to
// `output_fd`. Returns the number of records, or -1 when a line could not be read.
long long reference_batch(int input_fd, int output_fd);

}  // namespace rubric::bench
