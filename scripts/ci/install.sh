#!/usr/bin/env bash
# Installs Rubric into a temporary prefix, then configures, builds and runs the embedding
# example (docs/examples/embed/) against the installed package, and checks its output.
#
#   bash scripts/ci/install.sh [BUILD_DIR]
#
# Run from the repository root. With BUILD_DIR, an already configured build of this
# repository is reused (only the installed targets are built); without it, a fresh Release
# build goes into a temporary folder. Everything temporary is removed at exit. Each step is
# bounded by `timeout`.
set -euo pipefail

if [[ ! -f CMakeLists.txt || ! -f include/rubric/rubric.hpp ]]; then
  echo "error: run scripts/ci/install.sh from the repository root" >&2
  exit 2
fi
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rubric-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=$(nproc 2>/dev/null || echo 2)

build=${1:-}
if [[ -z "$build" ]]; then
  build="$work/build"
  timeout 300 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DRUBRIC_TESTS=OFF >/dev/null
elif [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "error: \`$build\` is not a configured build folder" >&2
  exit 2
fi
echo "== building the installed targets in $build"
targets=(rubric rubric_package_archive)
python_dir=$(sed -n 's/^RUBRIC_PYTHON_INSTALL_DIR:PATH=//p' "$build/CMakeCache.txt")
if [[ -n "$python_dir" ]]; then
  targets+=(rubric_python)  # the Python package, installed with the rest
fi
timeout 1800 cmake --build "$build" -j "$jobs" --target "${targets[@]}" >/dev/null

prefix="$work/prefix"
echo "== installing to a temporary prefix"
timeout 120 cmake --install "$build" --prefix "$prefix" >/dev/null
for file in include/rubric/rubric.hpp include/rubric/rubric.h lib/librubric.a \
  lib/cmake/rubric/rubricConfig.cmake lib/cmake/rubric/rubricConfigVersion.cmake \
  lib/cmake/rubric/rubricTargets.cmake bin/rubric; do
  [[ -f "$prefix/$file" ]] || { echo "error: \`$file\` was not installed" >&2; exit 1; }
done
# The installed headers include the standard library only: no engine, PEGTL, YAML or JSON.
if grep -nE '^#\s*include\s*[<"](values|engine|authoring|dsl|tools|grammar|tao|yaml|nlohmann|CLI|fmt)' \
  "$prefix/include/rubric/"*; then
  echo "error: an installed header includes a private or third-party header" >&2
  exit 1
fi
# The installed library is the runtime only: no authoring tools (explain, analysis, generated
# C++) and no front end.
if ar t "$prefix/lib/librubric.a" | grep -E '^(explain|analysis|emit_cpp|fact_file|cli)[._]'; then
  echo "error: librubric.a holds authoring or command-line objects" >&2
  exit 1
fi
# It holds the FHIR record reader (the API reads records; simdjson comes from the package config).
if ! ar t "$prefix/lib/librubric.a" | grep -qE '^record_reader[._]'; then
  echo "error: librubric.a lacks the record reader" >&2
  exit 1
fi
"$prefix/bin/rubric" --version
if [[ -n "$python_dir" ]]; then
  echo "== importing the installed Python package from $python_dir"
  python=$(sed -n 's/^Python_EXECUTABLE:FILEPATH=//p' "$build/CMakeCache.txt")
  for file in __init__.py __init__.pyi py.typed dask.py pandas.py; do
    [[ -f "$prefix/$python_dir/rubric/$file" ]] || {
      echo "error: the Python package's \`$file\` was not installed" >&2
      exit 1
    }
  done
  (cd "$work" && PYTHONPATH="$prefix/$python_dir" timeout 60 "$python" -c "
import sys, rubric
assert rubric.__file__.startswith('$prefix'), rubric.__file__
g = rubric.Guideline.load(sys.argv[1])
result = g.evaluate({'fracture_grade': 2}, as_of='2026-06-15')
assert result['recommendations'] == [] and result['undetermined'] == [], result
print(f'{g.id} {g.version}: {len(g.facts)} facts, {len(g.recommendations)} recommendations')
" "$root/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric")
fi

echo "== building docs/examples/embed against the installed package"
timeout 300 cmake -S "$root/docs/examples/embed" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
timeout 300 cmake --build "$work/example" >/dev/null

seed="$root/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"
status=0
expect() {  # expect OUTPUT_FILE TEXT: the output holds TEXT as a whole line
  if ! grep -qxF -- "$2" "$1"; then
    echo "error: $(basename "$1") lacks the line: $2" >&2
    status=1
  fi
}

echo "== running the C++ example"
timeout 30 "$work/example/embed_example" "$seed" >"$work/cpp.out"
cat "$work/cpp.out"
expect "$work/cpp.out" "guideline vertebral-fracture-grade1 1.0.0: 19 facts, 16 recommendations"
expect "$work/cpp.out" "demo.rubric compiled: no"
expect "$work/cpp.out" "demo.rubric:4:50: error[E0201]: unknown name \`agee\`; did you mean \`age\`?"
expect "$work/cpp.out" "  recommended close_monitoring (monitor): Monitor closely: severe initial pain, an MRI T2 fluid-intensity pattern or severe vertebral body collapse are risk factors for persistent pain at 48 weeks."
expect "$work/cpp.out" "    calcium_daily_dose = 1000 mg/d"
expect "$work/cpp.out" "  undetermined opioid_fall_risk: waits on age"
expect "$work/cpp.out" "  recommended urgent_surgical_consultation (refer): Refer for immediate surgical consultation: neurologic deficit, spinal instability, progressive neurologic deterioration or cord compression calls for urgent decompression and stabilization, not conservative management."
expect "$work/cpp.out" "  rejected: error[E0409]: fact \`pain_vas\` must be a decimal from 0 to 10; found \`12\`"
expect "$work/cpp.out" "block of 3 patients, evaluated at once:"
expect "$work/cpp.out" "  row 1 (the same patient, age and pain unknown): 10 recommended; opioid_fall_risk waits on age; mri_changed_symptoms waits on symptoms_changed"
expect "$work/cpp.out" "  row 2 (a neurologic deficit): 2 recommended"
expect "$work/cpp.out" "record as of 2026-06-15:"
expect "$work/cpp.out" "  pain_vas = 6 from Observation/obs-7"
expect "$work/cpp.out" "  record rejected: error[E0409]: fact \`pain_vas\` from \`Observation/obs-7\` must be a decimal from 0 to 10; found \`12\`"

echo "== running the C example"
timeout 30 "$work/example/embed_example_c" "$seed" >"$work/c.out"
cat "$work/c.out"
expect "$work/c.out" "guideline vertebral-fracture-grade1 1.0.0"
expect "$work/c.out" "refused pain_vas 12: [E0409] fact \`pain_vas\` must be a decimal from 0 to 10; found \`12\`"
expect "$work/c.out" "  vitamin_d_daily_dose = 800 [iU]/d"
expect "$work/c.out" "undetermined opioid_fall_risk: waits on age"
expect "$work/c.out" "record: pain_vas from Observation/obs-7"
grep -q '^record cut in half: \[E0414\] ' "$work/c.out" ||
  { echo "error: the C example read half a record" >&2; status=1; }

# A broken guideline: the example reports the diagnostics and exits with 1.
printf 'guideline "x"\nfact a boolean\n' >"$work/broken.rubric"
if timeout 30 "$work/example/embed_example_c" "$work/broken.rubric" 2>"$work/broken.err"; then
  echo "error: the C example accepted a broken guideline" >&2
  status=1
fi
grep -q 'error\[E0101\]' "$work/broken.err" || { echo "error: no E0101 for the broken guideline" >&2; status=1; }

if [[ $status -eq 0 ]]; then
  echo "install: ok"
fi
exit $status
