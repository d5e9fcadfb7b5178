#!/usr/bin/env bash
# Installs what is missing, builds `build/rubric`, and runs the seed guideline on an example
# patient.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-dependencies.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target rubric
build/rubric eval guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric \
  guidelines/vertebral-fracture-grade1/examples/new-fracture-elderly.yaml
