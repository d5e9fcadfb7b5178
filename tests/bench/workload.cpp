#include "tests/bench/workload.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstring>
#include <random>

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
