#!/usr/bin/env bash
# Command-line tests of the real `rubric` binary: exit codes (0 success, 1 errors in the
# input, 2 a bad command line or an unreadable file) and fragments of its output.
#
#   bash tests/cli/cli_tests.sh path/to/rubric path/to/repo
#
# Prints every failure with the command's output, then `N passed, M failed`; exits non-zero
# when anything failed. Known product bugs are listed as KNOWN BUG and do not fail the run
# (an unexpected pass is reported, so that the check can be promoted).
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

HERE="$ROOT/tests/cli"
SEED_DIR="$ROOT/guidelines/vertebral-fracture-grade1"
SEED="$SEED_DIR/vertebral-fracture-grade1.rubric"
REPO_CASES="$SEED_DIR/cases"
SHARED_CASES="$ROOT/../shared/seed/cases"

KNOWN=0

# known_bug DESCRIPTION COMMAND...: a check that fails because of a known product bug.
known_bug() {
  local description=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "XPASS (known bug no longer reproduces; make it a normal check): $description"
  else
    KNOWN=$((KNOWN + 1))
    echo "KNOWN BUG: $description"
  fi
}

# ---- Version and help ------------------------------------------------------------------

run --version
code_is 0
out_matches '^rubric [0-9]+\.[0-9]+\.[0-9]+$'
err_empty

run --help
code_is 0
out_has "Usage: rubric"
for command in check eval expr test; do out_has "$command"; done
err_empty

run -h
code_is 0
out_has "Usage: rubric"

run check --help
code_is 0
out_has "rubric check"
out_has "FILE"
err_empty

run eval --help
code_is 0
out_has "rubric eval"
out_has "GUIDELINE"
out_has "FACTS"
out_has "--format"

run expr --help
code_is 0
out_has "rubric expr"
out_has "EXPRESSION"
out_has "--facts"

run test --help
code_is 0
out_has "rubric test"
out_has "CASES"

# ---- Bad command lines -------------------------------------------------------------------

run
code_is 2
err_has "error:"
err_has "rubric --help"
out_empty

run frobnicate
code_is 2
err_has "error:"
err_has "\`frobnicate\`"
out_empty

run check
code_is 2
err_has "FILE is required"

run eval "$SEED"
code_is 2
err_has "FACTS is required"

run eval
code_is 2
err_has "GUIDELINE is required"

run expr
code_is 2
err_has "EXPRESSION is required"

run test "$SEED"
code_is 2
err_has "CASES is required"

run eval --format xml "$SEED" "$HERE/patient.yaml"
code_is 2
err_has "xml"
out_empty

run check --no-such-option "$SEED"
code_is 2
err_has "error:"

# ---- check -------------------------------------------------------------------------------

run check "$SEED"
code_is 0
out_line "1 file checked: 0 errors, 0 warnings"
err_empty

run check "$HERE/broken.rubric"
code_is 1
out_line "1 file checked: 1 error, 0 warnings"
err_matches "broken\.rubric:8:14: error\[E0201\]: [^
]*nope"
err_has "8 |   when a and nope"
err_matches $'\n  \\|              \\^~~~'

run check "$HERE/syntax-error.rubric"
code_is 1
err_matches "syntax-error\.rubric:[0-9]+:[0-9]+: error\[E01[0-9][0-9]\]"
err_has "^"

run check "$SEED" "$HERE/broken.rubric"
code_is 1
out_line "2 files checked: 1 error, 0 warnings"

run check "$WORK/does-not-exist.rubric"
code_is 2
err_has "cannot read"
err_has "does-not-exist.rubric"

run check "$SEED" "$WORK/does-not-exist.rubric"
code_is 2

# ---- eval --------------------------------------------------------------------------------

run eval "$SEED" "$HERE/patient.yaml"
code_is 0
err_empty
out_has "vertebral-fracture-grade1 1.0.0"
out_line "Recommended (9):"
out_has "  - calcium: Prescribe at least 1000 mg elemental calcium daily."
out_has "      calcium_daily_dose = 1000 'mg/d'"
out_has "because: "
out_has "symptoms_persisting = true, time_since_identification = 4 months"
out_has "imaging_persistent_symptoms"
out_line "Undetermined (2): each waits on facts that are absent"
out_line "  - augmentation_referral (refer): waits on pulmonary_dysfunction"
out_line "  - close_monitoring (monitor): waits on mri_t2_fluid_pattern, severe_collapse, severe_initial_pain"
out_has "Sources:"
out_has "vertebral-fracture-grade1.rubric:"
out_lacks "urgent_surgical_consultation"
cp "$WORK/stdout" "$WORK/yaml-text"

# The same patient in JSON gives the same report.
run eval "$SEED" "$HERE/patient.json"
code_is 0
cmp -s "$WORK/stdout" "$WORK/yaml-text" && pass || fail "YAML and JSON fact files give different reports"

# JSON output: valid JSON with the documented keys.
check_json() {  # check_json PYTHON_ASSERTIONS: runs them with `d` bound to the parsed stdout
  if python3 - "$WORK/stdout" "$1" <<'PY'; then pass; else fail "JSON check failed: $1"; fi
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
exec(sys.argv[2])
PY
}

run eval --format json "$SEED" "$HERE/patient.yaml"
code_is 0
err_empty
python3 -m json.tool "$WORK/stdout" >/dev/null && pass || fail "stdout is not valid JSON"
if command -v jq >/dev/null; then
  jq -e '.recommendations and .undetermined' "$WORK/stdout" >/dev/null && pass ||
    fail "jq: no recommendations/undetermined"
fi
check_json '
assert set(["recommendations", "undetermined"]) <= set(d), d.keys()
assert d["guideline"]["id"] == "vertebral-fracture-grade1"
assert d["guideline"]["version"] == "1.0.0"
ids = [r["id"] for r in d["recommendations"]]
assert len(ids) == 9 and "calcium" in ids and "imaging_persistent_symptoms" in ids, ids
for r in d["recommendations"]:
    assert {"id", "kind", "text", "citations"} <= set(r), r
    assert isinstance(r["text"], str) and r["text"]
    assert r["citations"] and all(isinstance(c, int) for c in r["citations"]), r
calcium = next(r for r in d["recommendations"] if r["id"] == "calcium")
assert calcium["kind"] == "prescribe" and calcium["citations"] == [2], calcium
assert calcium["parameters"] == {"calcium_daily_dose": "1000 mg/d"}, calcium
assert calcium["because"]["fracture_grade"] == 1, calcium
# Issue 15 §5: each citation with its text (the seed'"'"'s `source 2` line), in the order cited.
assert calcium["sources"] == [{"number": 2, "text": "Seed reference 2: guidance on conservative management, supplementation, bisphosphonate therapy and follow-up of osteoporotic vertebral fractures (full citation not given in the seed)"}], calcium["sources"]
for r in d["recommendations"]:
    assert [s["number"] for s in r["sources"]] == r["citations"], r
und = {u["id"]: u for u in d["undetermined"]}
assert set(und) == {"augmentation_referral", "close_monitoring"}, und
for u in d["undetermined"]:
    assert {"id", "kind", "missing"} <= set(u), u
assert und["augmentation_referral"]["missing"] == ["pulmonary_dysfunction"]
# Undetermined entries carry their text (issue 15 §5).
assert list(und["close_monitoring"]) == ["id", "kind", "text", "missing", "location"], und["close_monitoring"]
assert und["close_monitoring"]["kind"] == "monitor", und["close_monitoring"]
assert und["close_monitoring"]["text"] == "Monitor closely: severe initial pain, an MRI T2 fluid-intensity pattern or severe vertebral body collapse are risk factors for persistent pain at 48 weeks.", und["close_monitoring"]
assert und["close_monitoring"]["missing"] == ["mri_t2_fluid_pattern", "severe_collapse", "severe_initial_pain"]
'
cp "$WORK/stdout" "$WORK/yaml-json"

run eval --format json "$SEED" "$HERE/patient.json"
code_is 0
check_json '
yaml = json.load(open(sys.argv[1].replace("stdout", "yaml-json")))
del yaml["facts"]; del d["facts"]
assert d == yaml, "JSON and YAML fact files differ"
'

run eval --format json "$SEED" "$HERE/red-flag.json"
code_is 0
check_json '
ids = [r["id"] for r in d["recommendations"]]
assert ids == ["urgent_surgical_consultation", "no_delay_for_optimization"], ids
urgent = d["recommendations"][0]
assert urgent["kind"] == "refer" and urgent["citations"] == [1, 5], urgent
assert [s["number"] for s in urgent["sources"]] == [1, 5], urgent
assert urgent["sources"][1]["text"].startswith("Seed reference 5: guidance on neurologic deficits"), urgent
assert urgent["because"] == {"fracture_grade": 1, "neurologic_deficit": True}, urgent
assert d["undetermined"] == [], d["undetermined"]
'

# Several fact files: a JSON array, or text sections headed by each file.
run eval --format json "$SEED" "$HERE/patient.yaml" "$HERE/red-flag.json"
code_is 0
check_json '
assert isinstance(d, list) and len(d) == 2, type(d)
assert d[0]["facts"].endswith("patient.yaml") and d[1]["facts"].endswith("red-flag.json")
'
run eval "$SEED" "$HERE/patient.yaml" "$HERE/red-flag.json"
code_is 0
out_line "== $HERE/patient.yaml"
out_line "== $HERE/red-flag.json"

# Rejected fact files: exit 1, the message names the fact, nothing is evaluated.
run eval "$SEED" "$HERE/rejected-vas.yaml"
code_is 1
out_empty
err_matches "rejected-vas\.yaml:3:[0-9]+: error\[E04[0-9][0-9]\]: [^
]*\`pain_vas\`"
err_has "12"
err_has "was rejected"
err_has "nothing was evaluated"

run eval --format json "$SEED" "$HERE/rejected-misspelt.json"
code_is 1
out_empty
err_has "\`neurologic_defict\`"
err_has "did you mean \`neurologic_deficit\`"
err_has "nothing was evaluated"

run eval --format json "$SEED" "$HERE/patient.yaml" "$HERE/rejected-vas.yaml"
code_is 1
out_empty

# Unreadable files: exit 2.
run eval "$SEED" "$WORK/no-such-facts.yaml"
code_is 2
err_has "cannot read"
err_has "no-such-facts.yaml"
out_empty

run eval "$WORK/no-such-guideline.rubric" "$HERE/patient.yaml"
code_is 2
err_has "cannot read"

run eval "$HERE/broken.rubric" "$HERE/patient.yaml"
code_is 1
err_has "error[E0201]"
out_empty

# A folder where a file is expected cannot be read (it is not an empty file).
mkdir -p "$WORK/a-folder"
run eval "$SEED" "$WORK/a-folder"
code_is 2
err_has "cannot read"
out_empty

run check "$WORK/a-folder"
code_is 2
err_has "cannot read"

run expr 1 --facts "$WORK/a-folder"
code_is 2
err_has "cannot read"

# ---- expr --------------------------------------------------------------------------------

expr_is() {  # expr_is EXPRESSION VALUE
  run expr "$1"
  code_is 0
  out_is "$2"
}
expr_is '13 weeks < 3 months' true
expr_is '92 days >= 3 months' true
expr_is '91 days >= 3 months' false
expr_is '2 weeks + 3 days' '17 days'
expr_is '7 / 2' 3.5
expr_is '7 div 2' 3
expr_is '-7 mod 2' -1
expr_is '1 / 0' null
expr_is '2147483647 + 1' null
expr_is "'a' in {'a','b'}" true
expr_is "case 2 when 1 then 'x' when 2 then 'y' else 'z' end" "'y'"
expr_is 'null in {1, null}' true
expr_is 'true and null' null
expr_is 'false and null' false
expr_is "Coalesce(null, 2 weeks)" '2 weeks'
expr_is "'it\\'s'" "'it\\'s'"

run expr -- '-7 mod 2'
code_is 0
out_is -1

run expr 'x + 1 > 2 and t > 2 months and flag and vas >= 3.5 and nothing is null' \
  --facts "$HERE/expr-names.yaml"
code_is 0
out_is true
err_empty

run expr 't + 4 days' --facts "$HERE/expr-names.yaml"
code_is 0
out_is '74 days'

run expr 'nope > 1'
code_is 1
out_empty
err_has "<expression>:1:1: error[E0201]"
err_has "nope"
err_has "^~~~"

run expr '1 + true'
code_is 1
err_has "error[E0205]"

run expr '1 +'
code_is 1
err_matches "<expression>:1:[0-9]+: error\[E01[0-9][0-9]\]"

run expr '2147483648'
code_is 1
err_has "error[E0203]"

run expr 'x' --facts "$WORK/nope.yaml"
code_is 2
err_has "cannot read"

printf -- '- 1\n- 2\n' >"$WORK/list.yaml"
run expr 'x' --facts "$WORK/list.yaml"
code_is 1
err_has "must be a mapping"

# ---- test --------------------------------------------------------------------------------

count_cases() { find "$@" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l; }

run test "$SEED" "$REPO_CASES"
code_is 0
out_line "$(count_cases "$REPO_CASES") passed, 0 failed"
out_lacks "FAIL"

if [[ -d $SHARED_CASES ]]; then
  run test "$SEED" "$REPO_CASES" "$SHARED_CASES"
  code_is 0
  out_line "$(count_cases "$REPO_CASES" "$SHARED_CASES") passed, 0 failed"
else
  echo "SKIP: $SHARED_CASES does not exist"
fi

# One case file given by name.
run test "$SEED" "$REPO_CASES/everything-absent.yaml"
code_is 0
out_line "1 passed, 0 failed"

run test "$SEED" "$HERE/cases-failing"
code_is 1
out_has "FAIL $HERE/cases-failing/wrong-expectation.yaml"
out_has "expected but not recommended: calcium"
out_line "0 passed, 1 failed"

run test "$SEED" "$REPO_CASES/everything-absent.yaml" "$HERE/cases-failing"
code_is 1
out_line "1 passed, 1 failed"

run test "$SEED" "$WORK/no-such-cases"
code_is 2
err_has "no case file or folder"

mkdir -p "$WORK/empty-cases"
run test "$SEED" "$WORK/empty-cases"
code_is 1
out_line "0 passed, 0 failed"

run test "$HERE/broken.rubric" "$REPO_CASES"
code_is 1
err_has "error[E0201]"

run test "$WORK/no-such-guideline.rubric" "$REPO_CASES"
code_is 2

# ---- fmt -----------------------------------------------------------------------------------

EXAMPLES="$SEED_DIR/examples"
FMT_GOLDEN="$ROOT/tests/golden/fmt"

run fmt --help
code_is 0
out_has "--check"

# Every guideline in the repository is kept formatted.
for guideline in "$ROOT"/guidelines/*/*.rubric; do
  run fmt --check "$guideline"
  code_is 0
  out_line "1 file already formatted"
done

cp "$FMT_GOLDEN/messy_spacing.input.rubric" "$WORK/messy.rubric"
cp "$FMT_GOLDEN/messy_spacing.expected.rubric" "$WORK/tidy.rubric"
run fmt --check "$WORK/messy.rubric" "$WORK/tidy.rubric"
code_is 1
out_line "would reformat \`$WORK/messy.rubric\`"
out_lacks "would reformat \`$WORK/tidy.rubric\`"
out_has "1 of 2 files would be reformatted"
cmp -s "$WORK/messy.rubric" "$FMT_GOLDEN/messy_spacing.input.rubric" && pass ||
  fail "fmt --check changed the file"

run fmt --stdout "$WORK/messy.rubric"
code_is 0
[[ "$OUT"$'\n' == "$(<"$FMT_GOLDEN/messy_spacing.expected.rubric")"$'\n' ]] && pass ||
  fail "fmt --stdout does not print the expected layout"

# Rewriting in place: the file becomes the expected one, keeps its permissions, and a second
# run changes nothing.
chmod 640 "$WORK/messy.rubric"
run fmt "$WORK/messy.rubric"
code_is 0
err_has "formatted \`$WORK/messy.rubric\`"
cmp -s "$WORK/messy.rubric" "$FMT_GOLDEN/messy_spacing.expected.rubric" && pass ||
  fail "fmt did not rewrite the file to the expected layout"
[[ $(stat -c %a "$WORK/messy.rubric") == 640 ]] && pass || fail "fmt changed the file's mode"
run fmt "$WORK/messy.rubric"
code_is 0
err_empty
run fmt --check "$WORK/messy.rubric"
code_is 0

# Standard input to standard output.
LAST="rubric fmt - < messy_spacing.input.rubric"
OUT=$("$RUBRIC" fmt - <"$FMT_GOLDEN/messy_spacing.input.rubric" 2>"$WORK/stderr")
CODE=$?
code_is 0
[[ "$OUT"$'\n' == "$(<"$FMT_GOLDEN/messy_spacing.expected.rubric")"$'\n' ]] && pass ||
  fail "fmt - does not print the expected layout"

# A file with syntax errors is not rewritten: its diagnostics are printed.
printf 'guideline "x" title "t" version "1"\nfact a: boolean\ndefine d = a and and a\n' >"$WORK/broken-syntax.rubric"
cp "$WORK/broken-syntax.rubric" "$WORK/broken-copy.rubric"
run fmt "$WORK/broken-syntax.rubric"
code_is 1
err_has "error[E0"
err_has "broken-syntax.rubric:3:"
err_has "was not formatted"
cmp -s "$WORK/broken-syntax.rubric" "$WORK/broken-copy.rubric" && pass ||
  fail "fmt rewrote a file with syntax errors"
run fmt --check "$WORK/broken-syntax.rubric"
code_is 1
err_has "was not formatted"

run fmt "$WORK/no-such-file.rubric"
code_is 2
err_has "cannot read"
run fmt "$WORK/a-folder"
code_is 2
err_has "Is a directory"
run fmt
code_is 2
run fmt --check --stdout "$WORK/messy.rubric"
code_is 2
err_has "excludes"

# ---- explain -------------------------------------------------------------------------------

run explain --help
code_is 0
out_has "--id"

EXPLAIN_GOLDEN="$ROOT/tests/golden/explain"
# explain_golden NAME ARGS...: stdout must equal tests/golden/explain/NAME (RUBRIC_UPDATE_GOLDEN=1
# rewrites it). Paths are printed relative to the repository root.
explain_golden() {
  local name=$1
  shift
  LAST="rubric explain $* (golden $name)"
  OUT=$(cd "$ROOT" && "$RUBRIC" explain "$@" 2>"$WORK/stderr")
  CODE=$?
  ERR=$(<"$WORK/stderr")
  code_is 0
  if [[ ${RUBRIC_UPDATE_GOLDEN:-} == 1 ]]; then
    printf '%s\n' "$OUT" >"$EXPLAIN_GOLDEN/$name"
  fi
  [[ "$OUT"$'\n' == "$(<"$EXPLAIN_GOLDEN/$name")"$'\n' ]] && pass ||
    fail "stdout differs from tests/golden/explain/$name"
}
REL_SEED="guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"
REL_EXAMPLES="guidelines/vertebral-fracture-grade1/examples"
explain_golden new-fracture-elderly.txt "$REL_SEED" "$REL_EXAMPLES/new-fracture-elderly.yaml"
explain_golden four-months-unknown-pulmonary.txt "$REL_SEED" \
  "$REL_EXAMPLES/four-months-unknown-pulmonary.json"
explain_golden four-months-unknown-pulmonary.json "$REL_SEED" \
  "$REL_EXAMPLES/four-months-unknown-pulmonary.json" --format json

run explain "$SEED" "$EXAMPLES/new-fracture-elderly.yaml" --id calcium
code_is 0
out_has "== calcium (prescribe): recommended"
out_has "Sources:"
out_lacks "== vitamin_d"

run explain "$SEED" "$EXAMPLES/new-fracture-elderly.yaml" --id calcium --id vitamin_d --format json
code_is 0
python3 -c 'import json,sys; d=json.load(sys.stdin); ids=[e["id"] for e in d["explanations"]]; sys.exit(0 if ids==["calcium","vitamin_d"] else 1)' <<<"$OUT" &&
  pass || fail "--id twice does not give those two explanations in order"

run explain "$SEED" "$EXAMPLES/new-fracture-elderly.yaml" --id calcum
code_is 2
err_has "no recommendation \`calcum\`"
err_has "\`calcium\`"
out_empty

run explain "$SEED" "$WORK/no-such-facts.yaml"
code_is 2
err_has "cannot read"

printf 'fracture_grade: seven\n' >"$WORK/bad-facts.yaml"
run explain "$SEED" "$WORK/bad-facts.yaml"
code_is 1
err_has "fracture_grade"
err_has "nothing was explained"
out_empty

run explain "$HERE/broken.rubric" "$EXAMPLES/new-fracture-elderly.yaml"
code_is 1
err_has "error[E0201]"

run explain "$SEED" "$EXAMPLES/new-fracture-elderly.yaml" --format xml
code_is 2

run explain "$SEED"
code_is 2

# ---- rubric diff and the analysis findings of rubric check (issue 4) ----------------------

ANALYSIS="$ROOT/tests/analysis"
sed 's/parameter severe_pain_vas = 3.5/parameter severe_pain_vas = 4.0/' "$SEED" >"$WORK/threshold.rubric"
sed 's/augmentation_after = 3 months/augmentation_after = 12 weeks/' "$SEED" >"$WORK/weeks.rubric"

run diff "$SEED" "$SEED"
code_is 0
out_has "behavioural changes: none (proven over every valid patient)"
out_has "structural changes: none"

run diff "$SEED" "$WORK/threshold.rubric"
code_is 1
out_has "parameter severe_pain_vas: 3.5 → 4.0"
out_has "recommendation augmentation_referral"
out_has "made → not made where"
out_has "pain_vas in [3.5, 4.0)"

run diff "$SEED" "$WORK/weeks.rubric" --format json
code_is 1
check_json '
assert d["structural"] == [{"kind": "parameter", "name": "augmentation_after", "change": "changed",
                            "text": "parameter augmentation_after: 3 months → 12 weeks", "visible": False}], d["structural"]
assert {b["id"] for b in d["behavioural"]} == {"augmentation_referral"}
for b in d["behavioural"]:
    assert b["witnesses"], b
    for w in b["witnesses"]:
        assert w["old"] in ("made", "not made", "undetermined") and w["new"] != w["old"], w
        assert w["old"] == b["old"] and w["new"] == b["new"]
assert any("time_since_identification in [12 weeks, 3 months)" in b["region"] for b in d["behavioural"])
assert d["behaviour_changed"] is True
assert d["presentation_changed"] is False and d["changed"] is True
'
# Every witness of the JSON output is a fact file: both versions evaluate it as reported.
python3 - "$WORK/stdout" "$WORK" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for n, b in enumerate(d["behavioural"]):
    for m, w in enumerate(b["witnesses"]):
        with open(f"{sys.argv[2]}/witness-{n}-{m}.json", "w") as f:
            json.dump(w["facts"], f)
        with open(f"{sys.argv[2]}/witness-{n}-{m}.expect", "w") as f:
            f.write(w["old"] + "\n" + w["new"] + "\n")
PY
for witness in "$WORK"/witness-*.json; do
  expect=${witness%.json}.expect
  for version in old new; do
    if [[ $version == old ]]; then file=$SEED; wanted=$(sed -n 1p "$expect"); else file=$WORK/weeks.rubric; wanted=$(sed -n 2p "$expect"); fi
    run eval --format json "$file" "$witness"
    code_is 0
    check_json "
ids = [r['id'] for r in d['recommendations']]
undetermined = [u['id'] for u in d['undetermined']]
got = 'made' if 'augmentation_referral' in ids else ('undetermined' if 'augmentation_referral' in undetermined else 'not made')
assert got == '$wanted', (got, '$wanted')
"
  done
done

sed 's/analgesics_allowed/analgesia_permitted/g' "$SEED" >"$WORK/renamed.rubric"
run diff "$SEED" "$WORK/renamed.rubric"
code_is 0
out_has "definition analgesics_allowed renamed to analgesia_permitted"
out_has "behavioural changes: none (proven over every valid patient)"

# `excludes` and `coverage` are structural changes; these edits change no behaviour.
sed -e 's/^coverage when applicable$/coverage when applicable or fracture_grade = 2/' \
    -e 's/^  when applicable and red_flag$/  excludes calcitonin, calcium\n  when applicable and red_flag/' \
    "$SEED" >"$WORK/declarations.rubric"
run diff "$SEED" "$WORK/declarations.rubric"
code_is 0
out_has "recommendation urgent_surgical_consultation: excludes nothing → calcitonin, calcium"
out_has "coverage: when \`applicable\` → \`applicable or fracture_grade = 2\`"
grep -v '^coverage when\|^  "every patient with a grade 1' "$SEED" >"$WORK/no-coverage.rubric"
run diff "$SEED" "$WORK/no-coverage.rubric" --format json
code_is 0
check_json '
assert {"kind": "coverage", "name": "coverage", "change": "removed", "text": "coverage removed", "visible": False} in d["structural"], d["structural"]
assert d["changed"] is False
'

# Issue 15 §5: changed texts with a word diff, and an exit status that says whether anything
# a clinician sees changed. tests/cli/diff/new.rubric changes no condition; the expected
# output is written by hand from docs/analysis.md.
DIFFS="$ROOT/tests/cli/diff"
run diff "$DIFFS/old.rubric" "$DIFFS/new.rubric"
code_is 1
out_is 'structural changes:
  source 1: citation changed (cited by calcium)
    citation: "Calcium guidance, [-2019-]{+2021+} edition"
  source 4: citation changed (cited by no recommendation)
    citation: "Uncited reference, [-2019-]{+2021+}"
  parameter vitamin_d_dose: 800 [iU]/d → 1000 [iU]/d
  recommendation calcium: text changed; cite 1 → 1, 3
    text: "Give [-500-]{+5000+} mg of calcium daily."
  recommendation vitamin_d: carried values vitamin_d_dose = 800 '"'[iU]/d'"' → vitamin_d_dose = 1000 '"'[iU]/d'"'
  recommendation exercise: evidence changed
    evidence: "Level [-B-]{+A+}"
behavioural changes: none (proven over every valid patient)
shown to clinicians (kind, indicator, text, summary, citations, evidence, carried values, reported names): changed in source 1, recommendation calcium, recommendation vitamin_d, recommendation exercise'
run diff "$DIFFS/old.rubric" "$DIFFS/new.rubric" --format json
code_is 1
check_json '
s = {(c["kind"], c["name"]): c for c in d["structural"]}
calcium = s[("recommendation", "calcium")]
assert calcium["visible"] is True, calcium
assert calcium["text_change"] == {"old": "Give 500 mg of calcium daily.", "new": "Give 5000 mg of calcium daily.",
                                  "words": [{"old": "500", "new": "5000", "old_at": 5, "new_at": 5}]}, calcium
assert s[("source", "1")]["visible"] is True
assert s[("source", "1")]["citation_change"] == {"old": "Calcium guidance, 2019 edition", "new": "Calcium guidance, 2021 edition",
    "words": [{"old": "2019", "new": "2021", "old_at": 18, "new_at": 18}]}, s[("source", "1")]
assert s[("source", "4")]["visible"] is False
assert s[("parameter", "vitamin_d_dose")]["visible"] is False
assert s[("recommendation", "vitamin_d")]["visible"] is True
exercise = s[("recommendation", "exercise")]
assert exercise["evidence_change"] == {"old": "Level B", "new": "Level A",
    "words": [{"old": "B", "new": "A", "old_at": 6, "new_at": 6}]}, exercise
assert d["behavioural"] == [] and d["unproven"] == []
assert d["behaviour_changed"] is False and d["presentation_changed"] is True and d["changed"] is True, d
'
# A text alone changes the exit status (it was 0 before issue 15).
sed 's/Give vitamin D daily./Give vitamin D each day./' "$DIFFS/old.rubric" >"$WORK/text-only.rubric"
run diff "$DIFFS/old.rubric" "$WORK/text-only.rubric"
code_is 1
out_line '  recommendation vitamin_d: text changed'
out_line '    text: "Give vitamin D [-daily.-]{+each day.+}"'
out_line 'shown to clinicians (kind, indicator, text, summary, citations, evidence, carried values, reported names): changed in recommendation vitamin_d'
# So does a kind, and evidence added.
sed -e 's/kind therapy/kind order/' -e 's/^  cite 1$/  cite 1\n  evidence "Level C"/' "$DIFFS/old.rubric" >"$WORK/kind.rubric"
run diff "$DIFFS/old.rubric" "$WORK/kind.rubric"
code_is 1
out_line '  recommendation calcium: evidence changed'
out_line '    evidence: none → "Level C"'
out_line '  recommendation exercise: kind therapy → order'
# A card's summary and indicator are shown to clinicians: a summary added, an indicator given,
# a kind whose default indicator differs (`caution` is `warning`); writing the default
# (`indicator info` on a `prescribe`) changes nothing.
sed -e 's/^  text "Give 500 mg of calcium daily."$/  indicator info\n&\n  summary "Calcium daily"/' \
    -e 's/^  text "Give vitamin D daily."$/  indicator critical\n&/' \
    -e 's/kind therapy/kind caution/' "$DIFFS/old.rubric" >"$WORK/cards.rubric"
run check "$WORK/cards.rubric"
code_is 0
run diff "$DIFFS/old.rubric" "$WORK/cards.rubric"
code_is 1
out_line '  recommendation calcium: summary changed'
out_line '    summary: none → "Calcium daily"'
out_line '  recommendation vitamin_d: indicator info → critical'
out_line '  recommendation exercise: kind therapy → caution; indicator info → warning'
out_line 'shown to clinicians (kind, indicator, text, summary, citations, evidence, carried values, reported names): changed in recommendation calcium, recommendation vitamin_d, recommendation exercise'
# What a clinician does not see: an uncited source, a description, a parameter nobody carries.
sed -e 's/Uncited reference, 2019/Uncited reference, 2021/' \
    -e 's/^fact low_bone_density: boolean$/fact low_bone_density: boolean "T-score -2.5 or lower"/' \
    -e 's/^parameter vitamin_d_dose/parameter unused_dose = 1 '"'"'mg'"'"'\nparameter vitamin_d_dose/' \
    "$DIFFS/old.rubric" >"$WORK/unseen.rubric"
run diff "$DIFFS/old.rubric" "$WORK/unseen.rubric"
code_is 0
out_line '  source 4: citation changed (cited by no recommendation)'
out_line '  fact low_bone_density: description "" → "T-score -2.5 or lower"'
out_line '  parameter unused_dose added (1 mg)'
out_line 'shown to clinicians (kind, indicator, text, summary, citations, evidence, carried values, reported names): unchanged'

run diff "$SEED" "$WORK/threshold.rubric" --cases "$REPO_CASES"
code_is 1
out_matches "cases: [0-9]+ replayed"

run diff "$SEED" "$WORK/no-such.rubric"
code_is 2
err_has "cannot read"

run diff "$SEED" "$HERE/broken.rubric"
code_is 2
err_has "error[E0201]"

run diff "$SEED" "$SEED" --format xml
code_is 2

run diff "$SEED" "$SEED" --cases "$WORK/no-such-folder"
code_is 2
err_has "no case file or folder"

run check "$SEED"
code_is 0
out_has "0 errors, 0 warnings"

run check "$ANALYSIS/findings.rubric"
code_is 0
err_has "warning[W0501]: recommendation \`impossible_level\` can never be made"
err_has "warning[W0503]: contradictory condition"
err_has "warning[W0502]: redundant sub-condition \`level > 3\`"
out_has "0 errors, 5 warnings"

run check --format json "$ANALYSIS/findings.rubric" "$ANALYSIS/arithmetic.rubric"
code_is 0
check_json '
codes = sorted(e["code"] for f in d["files"] for e in f["diagnostics"])
assert codes == ["W0501", "W0501", "W0502", "W0502", "W0503", "W0506"], codes
assert d["warnings"] == 5 and d["errors"] == 0
'

run check --no-analysis "$ANALYSIS/findings.rubric"
code_is 0
out_has "0 errors, 0 warnings"

# W0306 (a warning) and W0307 (a note): shown by default, notes not counted in the summary.
ABSENT="$ROOT/tests/golden/warn_absent_as_value.rubric"
run check --no-analysis "$ABSENT"
code_is 0
out_line "1 file checked: 0 errors, 2 warnings"
err_has "warning[W0306]: this \`if\` counts an absent \`diabetes\` as \`0\`, its \`else\`, in arithmetic"
err_has "note[W0307]: when \`side\` is absent, this \`in\` is false, not unknown"

run check --no-analysis --format json "$ABSENT"
code_is 0
check_json '
entries = [(e["code"], e["severity"]) for f in d["files"] for e in f["diagnostics"]]
assert entries == [("W0306", "warning"), ("W0306", "warning"), ("W0307", "note"),
                   ("W0307", "note"), ("W0307", "note")], entries
assert d["warnings"] == 2 and d["errors"] == 0
'

# ---- rubric check: incompatible recommendations (W0504) and coverage gaps (W0505) --------

run check "$ANALYSIS/conflicts.rubric"
code_is 0
err_has "warning[W0504]: \`surgery\` and \`analgesia\` are declared incompatible but are both made"
err_has "  witness: {grade: 1, red_flag: true, pain: "
err_has "warning[W0505]: some patients the coverage declaration covers get no recommendation"
err_has "  witness: {grade: 1, red_flag: false, "
err_has "note[W0506]: \`pressure_check\` and \`calcium\`, declared incompatible, may be made together"
out_has "0 errors, 2 warnings"

run check --format json "$ANALYSIS/conflicts.rubric"
code_is 0
check_json '
found = {e["code"]: e for e in d["files"][0]["diagnostics"] if e["code"] in ("W0504", "W0505")}
assert set(found) == {"W0504", "W0505"}, found
assert found["W0504"]["location"].endswith("conflicts.rubric:23:21"), found["W0504"]
for e in found.values():
    assert set(e["witness"]) == {"grade", "red_flag", "pain", "age", "systolic", "diastolic"}, e
assert found["W0505"]["witness"]["grade"] == 1
assert all("witness" not in e for e in d["files"][0]["diagnostics"] if e["code"] == "W0506")
'
# Each witness is a fact file on which `rubric eval` makes both incompatible recommendations
# (W0504), or none at all for a patient the coverage condition (`grade = 1`) covers (W0505).
python3 - "$WORK/stdout" "$WORK" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["files"][0]["diagnostics"]:
    if "witness" in e:
        with open(f"{sys.argv[2]}/check-witness-{e['code']}.json", "w") as f:
            json.dump(e["witness"], f)
PY
run eval --format json "$ANALYSIS/conflicts.rubric" "$WORK/check-witness-W0504.json"
code_is 0
check_json '
ids = [r["id"] for r in d["recommendations"]]
assert "surgery" in ids and "analgesia" in ids, d
'
run eval --format json "$ANALYSIS/conflicts.rubric" "$WORK/check-witness-W0505.json"
code_is 0
check_json '
assert d["recommendations"] == [] and d["undetermined"] == [], d
'

# With the gap and the conflict fixed, nothing is left to report.
sed -e 's/when grade = 1 and not red_flag and age >= 50/when grade = 1 and not red_flag/' \
  -e 's/when grade = 1 and pain > 3/when grade = 1 and pain > 3 and not red_flag/' \
  -e 's/when systolic - diastolic > 300/when grade = 0 and systolic > 200 and diastolic > 100 and age >= 18/' \
  "$ANALYSIS/conflicts.rubric" >"$WORK/conflicts-fixed.rubric"
run check "$WORK/conflicts-fixed.rubric"
code_is 0
out_has "0 errors, 0 warnings"
[[ -z $ERR ]] && pass || fail "fixed conflicts: unexpected findings: $ERR"

# Declaration errors: an unknown id, a recommendation excluding itself, a pair declared on
# both sides, a second coverage declaration.
cat >"$WORK/bad-excludes.rubric" <<'EOF'
guideline "g"
source 1 "s"
fact a: boolean
coverage when a
recommendation r kind refer text "t" cite 1 excludes r, q, s when a
recommendation s kind refer text "t" cite 1 excludes r when not a
coverage when not a
EOF
run check "$WORK/bad-excludes.rubric"
code_is 1
err_has "error[E0218]: recommendation \`r\` excludes itself"
err_has "error[E0218]: \`q\` is not a recommendation; \`excludes\` lists recommendation ids"
err_has "warning[W0305]: \`s\` and \`r\` are already declared incompatible"
err_has "error[E0219]: a guideline has at most one coverage declaration"
out_has "3 errors, 1 warning"

# ---- Summary -------------------------------------------------------------------------------

if [[ $KNOWN -gt 0 ]]; then
  echo "$KNOWN known bugs (not counted)"
fi
harness_summary
