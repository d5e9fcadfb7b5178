// Writes a generated workload to standard output, for scripts and tests:
//   rubric_bench_generate facts COUNT [--gaps] [--seed N]   NDJSON fact sets for the seed
//   rubric_bench_generate records COUNT [--gaps] [--seed N]  NDJSON FHIR Bundles for the seed
//   rubric_bench_generate record-facts COUNT [--gaps] [--seed N]  the same patients' fact sets
//   rubric_bench_generate guideline RECOMMENDATIONS          a guideline of that size
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "tests/bench/workload.hpp"

int main(int argc, char** argv) {
  const auto usage = [] {
    std::cerr
        << "usage: rubric_bench_generate facts|records|record-facts COUNT [--gaps] [--seed N]\n"
           "       rubric_bench_generate guideline RECOMMENDATIONS\n";
    return 2;
  };
  if (argc < 3) {
    return usage();
  }
  const std::string_view what = argv[1];
  char* end = nullptr;
  const unsigned long long count = std::strtoull(argv[2], &end, 10);
  if (end == argv[2] || *end != '\0') {
    return usage();
  }
  bool gaps = false;
  std::uint64_t seed = 1;
  for (int index = 3; index < argc; ++index) {
    const std::string_view argument = argv[index];
    if (argument == "--gaps") {
      gaps = true;
    } else if (argument == "--seed" && index + 1 < argc) {
      seed = std::strtoull(argv[++index], nullptr, 10);
    } else {
      return usage();
    }
  }
  if (what == "guideline") {
    std::cout << rubric::bench::generate_guideline(count);
    return 0;
  }
  constexpr unsigned long long kBlock = 50000;
  if (what == "records" || what == "record-facts") {
    for (unsigned long long done = 0; done < count; done += kBlock) {
      const rubric::bench::SeedRecords block = rubric::bench::generate_seed_records(
          static_cast<std::size_t>(std::min(kBlock, count - done)), seed + done, gaps);
      std::cout << (what == "records" ? block.records : block.facts);
    }
    return std::cout ? 0 : 1;
  }
  if (what != "facts") {
    return usage();
  }
  for (unsigned long long done = 0; done < count; done += kBlock) {
    std::cout << rubric::bench::generate_seed_facts(
        static_cast<std::size_t>(std::min(kBlock, count - done)), seed + done, gaps);
  }
  return std::cout ? 0 : 1;
}
