// Random well-typed guidelines and random fact sets for differential testing.
//
// Every choice goes through a Chooser, so the same generator serves seeded random rounds
// (RandomChooser) and libFuzzer, whose input bytes become the choices (ByteChooser), letting
// coverage guide the search through guideline shapes.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "values/fact_set.hpp"
#include "values/value.hpp"

namespace rubric::reference {

// A source of choices. Not thread-safe; one per generation.
class Chooser {
 public:
  Chooser() = default;
  Chooser(const Chooser&) = delete;
  Chooser& operator=(const Chooser&) = delete;
  virtual ~Chooser() = default;
  // A number in [0, count); precondition: count > 0.
  virtual std::uint32_t below(std::uint32_t count) = 0;
  // True with probability about numerator/denominator.
  bool chance(std::uint32_t numerator, std::uint32_t denominator) {
    return below(denominator) < numerator;
  }
};

class RandomChooser final : public Chooser {
 public:
  explicit RandomChooser(std::uint64_t seed) : engine_(seed) {}
  std::uint32_t below(std::uint32_t count) override {
    return static_cast<std::uint32_t>(engine_() % count);
  }

 private:
  std::mt19937_64 engine_;
};

// Reads choices from bytes; once they run out every choice is 0 (the simplest option), so
// every input, however short, gives a finite, valid guideline.
class ByteChooser final : public Chooser {
 public:
  explicit ByteChooser(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::uint32_t below(std::uint32_t count) override {
    if (position_ >= bytes_.size()) {
      return 0;
    }
    std::uint32_t raw = bytes_[position_++];
    if (count > 256 && position_ < bytes_.size()) {
      raw = raw * 256U + bytes_[position_++];
    }
    return raw % count;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

// The values a guideline's literals and parameters hold, by kind, so that fact values can
// be placed on and around every threshold.
struct Thresholds {
  std::vector<Decimal> numbers;  // integer and decimal literals
  struct QuantityThreshold {
    Decimal value;
    const Unit* unit = nullptr;
  };
  std::vector<QuantityThreshold> quantities;
  std::vector<std::string> strings;
  std::vector<std::string> dates;  // date literals, as fact files write them
};

struct GeneratedGuideline {
  std::string text;  // the `.rubric` source
  Thresholds thresholds;
};

// A random guideline that the checker accepts (facts of every type, parameters,
// definitions, and recommendations whose conditions nest every operator).
GeneratedGuideline generate_guideline(Chooser& chooser);

// A random fact set for `facts`: each fact absent or given a value on, just below or just
// above a threshold (in any unit of its dimension), or an extreme value.
FactSet generate_facts(Chooser& chooser, std::span<const FactSpec> facts,
                       const Thresholds& thresholds);

// The fact set as YAML (`name: value` lines; absent facts as `~`), for messages.
std::string describe_facts(std::span<const FactSpec> facts, const FactSet& values);

}  // namespace rubric::reference
