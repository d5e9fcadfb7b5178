#!/usr/bin/env bash
# Tools that must fail what they used to pass (issue 13), through the real `rubric` binary:
#   1. `rubric test` rejects unknown keys, recommendation ids and fact names in case files,
#      and an `error:` expectation matches the fact the error is about, not the message text;
#   2. `rubric compile --emit-cpp` renames facts named like keywords, standard macros and
#      reserved names, and refuses a `--namespace` that cannot be one;
#   3. a file that cannot be read is counted by `rubric check`, and every command says why.
#
#   bash tests/cli/tools_tests.sh path/to/rubric path/to/repo
#
# Prints every failure with the command's output, then `N passed, M failed`; exits non-zero
# when anything failed. Expected texts are written from the contract (docs/testing.md,
# docs/compile.md, docs/diagnostics.md).
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

SEED_DIR="$ROOT/guidelines/vertebral-fracture-grade1"
SEED="$SEED_DIR/vertebral-fracture-grade1.rubric"
REPO_CASES="$SEED_DIR/cases"
SHARED_CASES="$ROOT/../shared/seed/cases"

# A grade 1 patient without red flags, two weeks after identification, 72 years old; the
# recommendations the seed guideline makes for it (as tests/unit/test_cases.cpp lists them).
PATIENT='facts:
  fracture_grade: 1
  neurologic_deficit: false
  progressive_neurologic_deterioration: false
  spinal_instability: false
  cord_compression: false
  time_since_identification: 2 weeks
  pain_vas: 6
  pain_refractory: false
  kyphosis_percent: 5
  height_loss_percent: 22
  pulmonary_dysfunction: false
  analgesic_contraindication: false
  parenteral_narcotics_required: false
  symptoms_changed: false
  symptoms_persisting: false
  age: 72 years
  severe_initial_pain: true
  mri_t2_fluid_pattern: false
  severe_collapse: false'
RECOMMENDED='  - analgesics_as_needed
  - avoid_bed_rest
  - bisphosphonate
  - calcitonin
  - calcium
  - close_monitoring
  - early_mobilization
  - follow_up_4_6_weeks
  - opioid_caution
  - opioid_fall_risk
  - vitamin_d'

# case NAME TEXT: writes a case file; its path is in $CASE.
case_file() {
  CASE="$WORK/cases/$1"
  mkdir -p "$WORK/cases"
  printf '%s\n' "$2" >"$CASE"
}

# ---- 1. Case files -------------------------------------------------------------------------

# The right expectation passes: the checks below fail for their key, not for the patient.
case_file right.yaml "$PATIENT
expect:
  recommendations:
$RECOMMENDED
  undetermined: {}"
run test "$SEED" "$CASE"
code_is 0
out_has "1 passed, 0 failed"

# `recommendation` (singular) is not a key of `expect`: it used to pass for any patient.
case_file singular.yaml "$PATIENT
expect:
  recommendation: [calcium]"
run test "$SEED" "$CASE"
code_is 1
out_has "FAIL $CASE"
out_has "$CASE:22:3: error[E0410]: unknown key \`recommendation\` in \`expect\`; did you mean \`recommendations\`?"
out_has "0 passed, 1 failed"

# An unknown key at the top of a case file.
case_file expected.yaml "$PATIENT
expected:
  recommendations: []"
run test "$SEED" "$CASE"
code_is 1
out_has "$CASE:21:1: error[E0410]: unknown key \`expected\` in a case file; did you mean \`expect\`?"

# A key nothing is close to lists the keys.
case_file notes.yaml "$PATIENT
notes: written by hand
expect:
  recommendations:
$RECOMMENDED"
run test "$SEED" "$CASE"
code_is 1
out_has "error[E0410]: unknown key \`notes\` in a case file; the keys are \`description\`, \`as_of\`, \`facts\`, \`record\`, \`expect\`"

# An unknown recommendation id, listed or undetermined.
case_file unknown-id.yaml "$PATIENT
expect:
  recommendations:
  - calcum
  - analgesics_as_needed"
run test "$SEED" "$CASE"
code_is 1
out_has "$CASE:23:5: error[E0411]: unknown recommendation \`calcum\`; did you mean \`calcium\`?"

case_file unknown-undetermined.yaml "facts: {fracture_grade: 1}
expect:
  recommendations: []
  undetermined:
    urgent_surgical_consult: [neurologic_deficit]"
run test "$SEED" "$CASE"
code_is 1
out_has "$CASE:5:5: error[E0411]: unknown recommendation \`urgent_surgical_consult\`; did you mean \`urgent_surgical_consultation\`?"

# An unknown fact among the facts an undetermined recommendation waits on.
case_file unknown-fact.yaml "facts: {fracture_grade: 1}
expect:
  recommendations: []
  undetermined:
    urgent_surgical_consultation: [neurologic_defict]"
run test "$SEED" "$CASE"
code_is 1
out_has "$CASE:5:36: error[E0404]: unknown fact \`neurologic_defict\`; did you mean \`neurologic_deficit\`?"

# `error` naming neither a declared fact nor a name given in `facts` could never pass.
case_file unknown-error-subject.yaml "facts: {pain_vas: 12}
expect:
  error: pain_vsa"
run test "$SEED" "$CASE"
code_is 1
out_has "$CASE:3:10: error[E0404]: \`error\` names \`pain_vsa\`, which is neither a declared fact nor given in \`facts\`; did you mean \`pain_vas\`?"

# A misspelt name given in `facts` is a name `error` may name.
case_file misspelt-given.yaml "facts: {pain_vsa: 3}
expect:
  error: pain_vsa"
run test "$SEED" "$CASE"
code_is 0
out_has "1 passed, 0 failed"

# Expectations of the wrong shape.
case_file both.yaml "facts: {pain_vas: 12}
expect:
  error: pain_vas
  recommendations: []"
run test "$SEED" "$CASE"
code_is 1
out_has "error[E0412]: \`error\` cannot be combined with \`recommendations\`, \`undetermined\` or \`reported\`"

case_file empty-expect.yaml "facts: {fracture_grade: 2}
expect: {}"
run test "$SEED" "$CASE"
code_is 1
out_has "error[E0412]: \`expect\` must hold \`recommendations\` (and \`undetermined\`) or \`error\`"

case_file twice.yaml "facts: {fracture_grade: 2}
expect:
  recommendations: [calcium, calcium]"
run test "$SEED" "$CASE"
code_is 1
out_has "$CASE:3:30: error[E0412]: \`calcium\` is listed twice"

# `error: pain_vas` when the error is about the misspelt `pain_vs` and only suggests
# `pain_vas`: the error is not about `pain_vas`.
case_file suggestion-only.yaml "facts:
  pain_vs: 3
expect:
  error: pain_vas"
run test "$SEED" "$CASE"
code_is 1
out_has "expected an error naming \`pain_vas\`; found:"
out_has "unknown fact \`pain_vs\`; did you mean \`pain_vas\`?"
out_has "0 passed, 1 failed"

# The same error expected about the fact it is about passes.
case_file about-pain-vs.yaml "facts:
  pain_vs: 3
expect:
  error: pain_vs"
run test "$SEED" "$CASE"
code_is 0
out_has "1 passed, 0 failed"

# A value error is about its fact, whatever else the message says.
case_file out-of-range.yaml "facts: {pain_vas: 12}
expect: {error: pain_vas}"
run test "$SEED" "$CASE"
code_is 0

# Facts that are rejected when a result is expected fail, with the diagnostics.
case_file rejected.yaml "facts: {pain_vas: 12}
expect: {recommendations: []}"
run test "$SEED" "$CASE"
code_is 1
out_has "the facts were rejected:"
out_has "error[E0409]: fact \`pain_vas\` must be a decimal from 0 to 10; found \`12\`"

# Every case file of the repository and of the shared seed still passes.
run test "$SEED" "$REPO_CASES"
code_is 0
out_has " passed, 0 failed"
if [[ -d $SHARED_CASES ]]; then
  run test "$SEED" "$SHARED_CASES"
  code_is 0
  out_has "10 passed, 0 failed"
fi

# ---- 2. Generated C++: names and namespaces --------------------------------------------------

for namespace in int NULL EOF stdin errno _Foo a__b a::_X std std::x posix 'a::class' '1a' 'a::' ''; do
  run compile "$SEED" --emit-cpp --namespace "$namespace"
  code_is 2
  err_has "error: --namespace \`$namespace\`"
  out_lacks "namespace"
done
run compile "$SEED" --emit-cpp --namespace int
err_has "\`int\` is a C++ keyword"
run compile "$SEED" --emit-cpp --namespace a__b
err_has "is reserved to the C++ implementation"
run compile "$SEED" --emit-cpp --namespace stdin
err_has "\`stdin\` is a standard macro"
run compile "$SEED" --emit-cpp --namespace NULL
err_has "written like a macro"
run compile "$SEED" --emit-cpp --namespace std
err_has "reserved to the standard library"
run compile "$SEED" --emit-cpp --namespace a::b_2
code_is 0
out_has "namespace a::b_2 {"

# Facts named NULL, EOF, stdin, int, _Foo, a__b ...: the header compiles with the standard
# headers included before it, and renames exactly those facts.
NASTY="$ROOT/tests/emit/nasty_names.rubric"
run compile "$NASTY" --emit-cpp --namespace nasty -o "$WORK/nasty.hpp"
code_is 0
grep -q "bool NULL_{};" "$WORK/nasty.hpp" && pass || fail "no member NULL_ in the header"
grep -q "std::int32_t int_2_{};" "$WORK/nasty.hpp" && pass || fail "no member int_2_ in the header"
grep -q "bool int_{};" "$WORK/nasty.hpp" && pass || fail "no member int_ in the header"
grep -q "bool Foo_{};" "$WORK/nasty.hpp" && pass || fail "no member Foo_ in the header"
grep -q "bool a_b_{};" "$WORK/nasty.hpp" && pass || fail "no member a_b_ in the header"
grep -q '"NULL",' "$WORK/nasty.hpp" && pass || fail "kFactNames lacks NULL"
CXX_COMPILER=${CXX:-c++}
if command -v "$CXX_COMPILER" >/dev/null 2>&1; then
  cat >"$WORK/nasty.cpp" <<'CPP'
#include <cassert>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <csetjmp>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include "nasty.hpp"
int main() {
  nasty::Facts facts;
  facts.NULL_ = true;
  facts.mark_present(nasty::fact_index("NULL"));
  facts.EOF_ = 4;
  facts.mark_present(nasty::fact_index("EOF"));
  nasty::Decision decision;
  nasty::evaluate(facts, decision);
  // r_null (NULL and EOF > 3) is the first recommendation: recommended.
  return decision.outcome(0) == nasty::Outcome::recommended ? 0 : 1;
}
CPP
  LAST="$CXX_COMPILER -std=gnu++20 nasty.cpp"
  if "$CXX_COMPILER" -std=gnu++20 -Wall -Wextra -Werror -I"$WORK" "$WORK/nasty.cpp" \
    -o "$WORK/nasty" >"$WORK/stdout" 2>"$WORK/stderr"; then
    pass
    LAST="nasty"
    "$WORK/nasty" && pass || fail "the generated evaluator did not recommend r_null"
  else
    CODE=$?
    OUT=$(<"$WORK/stdout")
    ERR=$(<"$WORK/stderr")
    fail "the generated header does not compile"
  fi
fi

# ---- 3. Files that cannot be read --------------------------------------------------------------

run check /nonexistent.rubric
code_is 2
err_has "error: cannot read \`/nonexistent.rubric\`: No such file or directory"
out_has "1 file checked: 1 error, 0 warnings; 1 file could not be read"
out_lacks "0 errors"

run check /nonexistent.rubric --format json
code_is 2
out_has '"errors": 1'
out_has '"unreadable": 1'
out_has '"readable": false'
out_has '"error": "cannot read `/nonexistent.rubric`: No such file or directory"'

run check "$SEED" "$WORK"
code_is 2
err_has "error: cannot read \`$WORK\`: Is a directory"
out_has "2 files checked: 1 error, 0 warnings; 1 file could not be read"

run check "$SEED"
code_is 0
out_lacks "could not be read"

# Every command names the reason.
MISSING="$WORK/no-such-file"
PATIENT_FILE="$ROOT/tests/cli/patient.yaml"
run eval "$MISSING" "$PATIENT_FILE"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run eval "$SEED" "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run eval "$SEED" "$WORK"
code_is 2
err_has "cannot read \`$WORK\`: Is a directory"
run test "$MISSING" "$REPO_CASES"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run diff "$SEED" "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run fmt "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run fmt "$WORK"
code_is 2
err_has "cannot read \`$WORK\`: Is a directory"
run batch "$SEED" "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run batch "$SEED" "$WORK"
code_is 2
err_has "cannot read \`$WORK\`: Is a directory"
run bench "$SEED" "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run explain "$SEED" "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run compile "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run graph "$WORK"
code_is 2
err_has "cannot read \`$WORK\`: Is a directory"
run expr 1 --facts "$MISSING"
code_is 2
err_has "cannot read \`$MISSING\`: No such file or directory"
run expr 1 --facts "$WORK"
code_is 2
err_has "cannot read \`$WORK\`: Is a directory"

# Permission denied (not testable as root, who may read any file).
if [[ $(id -u) -ne 0 ]]; then
  printf 'guideline "g" version "1"\n' >"$WORK/locked.rubric"
  chmod 000 "$WORK/locked.rubric"
  run check "$WORK/locked.rubric"
  code_is 2
  err_has "cannot read \`$WORK/locked.rubric\`: Permission denied"
fi

# ---- Summary -------------------------------------------------------------------------------

harness_summary
