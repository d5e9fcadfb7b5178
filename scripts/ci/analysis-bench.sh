#!/usr/bin/env bash
# Builds and runs the analysis benchmark (issue 4): `rubric check` findings and `rubric diff`
# on the seed guideline and on a generated guideline of 1,000 recommendations over 100 facts.
# Fails when the benchmark fails or takes longer than 5 minutes. Figures are printed, not
# judged (a shared CI machine is too noisy for thresholds).
#
#   bash scripts/ci/analysis-bench.sh [BUILD_DIR]     (default: build)
set -euo pipefail

BUILD=${1:-build}
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$BUILD" --target rubric_analysis_bench
timeout 300 "$BUILD/tests/analysis/rubric_analysis_bench" --benchmark_min_time=0.1
