#!/usr/bin/env bash
# Command-line tests of reported values (issue 15 §4): a recommendation's `report` clause
# shows the values of definitions, facts and parameters in `rubric eval` text and JSON; an
# unknown score shows the totals it can still reach; the `assess` kind. Every expected value
# is computed by hand from guidelines/af-stroke-prevention/DATA-DICTIONARY.md.
#
#   bash tests/cli/report_tests.sh path/to/rubric path/to/repository
#
# Prints every failure with the command's output, then `N passed, M failed`; exits non-zero
# when anything failed.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

AF="$ROOT/guidelines/af-stroke-prevention/af-stroke-prevention.rubric"

# compact: stdout, pretty-printed JSON, as one compact line (jq -c), for matching.
compact() { OUT=$(jq -c . <<<"$OUT"); }

# ---- 1. AF: a woman of 72 with hypertension and diabetes ---------------------------------------
# CHA2DS2-VASc: hypertension 1 + age 65-74 1 + diabetes 1 + female 1 = 4 (>= 3: recommend).
# HAS-BLED: age > 65 1 + antiplatelet 1 + alcohol 10 >= 8 1 = 3 (>= 3: bleeding risk review).
cat >"$WORK/woman.yaml" <<'YAML'
sex: female
age: 72
heart_failure: false
hypertension: true
diabetes: true
prior_stroke_tia_te: false
vascular_disease: false
mechanical_valve: false
mitral_stenosis: false
systolic_bp: 150 mm[Hg]
renal_abnormal: false
liver_abnormal: false
bleeding_history: false
labile_inr: false
antiplatelet_or_nsaid: true
alcohol_drinks_per_week: 10
YAML
run eval "$AF" "$WORK/woman.yaml"
code_is 0
out_line "      report: cha2ds2_vasc = 4"
out_line "      report: has_bled = 3"
out_lacks "report: cha2ds2_vasc = 3"

run eval "$AF" "$WORK/woman.yaml" --format json
code_is 0
compact
out_has '"reported":[{"name":"cha2ds2_vasc","value":4,"text":"4"}]'
out_has '"reported":[{"name":"has_bled","value":3,"text":"3"}]'

# explain shows the reported values, in text and JSON.
run explain "$AF" "$WORK/woman.yaml" --id bleeding_risk_review
code_is 0
out_line "  reports has_bled = 3"
run explain "$AF" "$WORK/woman.yaml" --id bleeding_risk_review --format json
code_is 0
compact
out_has '"reported":[{"name":"has_bled","value":3,"text":"3"}]'

# ---- 2. diabetes absent: the score is 3 or 4, and 3 already recommends for a woman -------------
grep -v '^diabetes:' "$WORK/woman.yaml" >"$WORK/no-diabetes.yaml"
run eval "$AF" "$WORK/no-diabetes.yaml"
code_is 0
out_has "Offer oral anticoagulation"
out_line "      report: cha2ds2_vasc = unknown, from 3 to 4"
# explain reports the value of a recommendation that is not made: no_antithrombotic is absent.
run explain "$AF" "$WORK/no-diabetes.yaml" --id no_antithrombotic
code_is 0
out_line "  reports cha2ds2_vasc = unknown, from 3 to 4"
run eval "$AF" "$WORK/no-diabetes.yaml" --format json
code_is 0
compact
out_has '"reported":[{"name":"cha2ds2_vasc","value":null,"text":"unknown, from 3 to 4"}]'

# ---- 3. an `assess` recommendation reports values for every patient ----------------------------
cat >"$WORK/assess.rubric" <<'RUBRIC'
guideline "assess-demo"
source 1 "A source"
fact age: integer
fact egfr: decimal
parameter stage_g3b_below = 45
define ckd_stage = if egfr < 30 then 'G4' else if egfr < stage_g3b_below then 'G3b' else 'G3a or better'
recommendation kidney_function
  kind assess
  text "Kidney function."
  cite 1
  report ckd_stage, egfr, stage_g3b_below
  when true
recommendation nephrology
  kind refer
  text "Refer to nephrology."
  cite 1
  when egfr < 30 or age > 120
RUBRIC
run check "$WORK/assess.rubric"
code_is 0
printf 'age: 60\negfr: 40.5\n' >"$WORK/g3b.yaml"
run eval "$WORK/assess.rubric" "$WORK/g3b.yaml"
code_is 0
out_line "  assess"
out_line "      report: ckd_stage = 'G3b'"
out_line "      report: egfr = 40.5"
out_line "      report: stage_g3b_below = 45"
out_lacks "Refer to nephrology."
run eval "$WORK/assess.rubric" "$WORK/g3b.yaml" --format json
code_is 0
compact
out_has '"kind":"assess"'
out_has '{"name":"ckd_stage","value":"G3b","text":"'"'"'G3b'"'"'"}'

# ---- 4. batch: full results carry the reported values of each line; compact ones do not ---------
printf '%s\n' '{"age": 60, "egfr": 40.5}' '{"age": 60, "egfr": 20}' '{"age": 60}' >"$WORK/kidneys.ndjson"
run batch "$WORK/assess.rubric" "$WORK/kidneys.ndjson" --threads 1
code_is 0
count_is "result lines" "$(wc -l <"$WORK/stdout")" 3
line1=$(sed -n 1p "$WORK/stdout" | jq -c '.recommendations[] | select(.id == "kidney_function") | .reported')
count_is "line 1 reported" "$line1" '[{"name":"ckd_stage","value":"G3b","text":"'"'"'G3b'"'"'"},{"name":"egfr","value":40.5,"text":"40.5"},{"name":"stage_g3b_below","value":45,"text":"45"}]'
# egfr 20 < 30: stage G4 and a nephrology referral (which reports nothing); a decimal fact's
# literal keeps its point (20.0).
line2=$(sed -n 2p "$WORK/stdout" | jq -c '[.recommendations[] | {id, reported}]')
count_is "line 2" "$line2" '[{"id":"kidney_function","reported":[{"name":"ckd_stage","value":"G4","text":"'"'"'G4'"'"'"},{"name":"egfr","value":20,"text":"20.0"},{"name":"stage_g3b_below","value":45,"text":"45"}]},{"id":"nephrology","reported":null}]'
# egfr absent: `egfr < 30` is unknown, so both `if`s take their `else` branch (CQL).
line3=$(sed -n 3p "$WORK/stdout" | jq -c '.recommendations[0].reported | map(.text)')
count_is "line 3" "$line3" '["'"'"'G3a or better'"'"'","unknown","45"]'
run batch "$WORK/assess.rubric" "$WORK/kidneys.ndjson" --threads 1 --compact
code_is 0
out_lacks "reported"

# ---- 5. diff: a change of reported names is shown to clinicians --------------------------------
sed 's/^  carry vitamin_d_dose$/  carry vitamin_d_dose\n  report low_bone_density/' \
  "$ROOT/tests/cli/diff/old.rubric" >"$WORK/reports.rubric"
run diff "$ROOT/tests/cli/diff/old.rubric" "$WORK/reports.rubric"
code_is 1
out_has "recommendation vitamin_d: report nothing → low_bone_density"
out_line 'shown to clinicians (kind, indicator, text, summary, citations, evidence, carried values, reported names): changed in recommendation vitamin_d'
run diff "$WORK/reports.rubric" "$WORK/reports.rubric"
code_is 0

# ---- 6. expr --guideline: the guideline's facts (typed as declared), parameters, definitions ---
run expr --guideline "$AF" --facts "$WORK/woman.yaml" 'cha2ds2_vasc'
code_is 0
out_is "4"
run expr --guideline "$AF" --facts "$WORK/woman.yaml" 'cha2ds2_vasc + has_bled'
code_is 0
out_is "7"
run expr --guideline "$AF" --facts "$WORK/woman.yaml" 'sex = '"'"'female'"'"' and age >= middle_age'
code_is 0
out_is "true"
run expr --guideline "$AF" --facts "$WORK/woman.yaml" 'systolic_bp'
code_is 0
out_is "150 'mm[Hg]'"
# Diabetes absent: the score is 3 or 4, null as a value, but `>= 3` holds for both.
run expr --guideline "$AF" --facts "$WORK/no-diabetes.yaml" 'cha2ds2_vasc'
code_is 0
out_is "null"
run expr --guideline "$AF" --facts "$WORK/no-diabetes.yaml" 'cha2ds2_vasc >= women_recommend'
code_is 0
out_is "true"
# Without --facts every fact is absent.
run expr --guideline "$AF" 'age is null and old_age = 75'
code_is 0
out_is "true"
# Facts keep their declared types: `age` is an integer, not a duration.
run expr --guideline "$AF" --facts "$WORK/woman.yaml" 'age + 1 day'
code_is 1
err_has "error[E0205]"
run expr --guideline "$AF" --facts "$WORK/woman.yaml" 'cha2ds2_vas'
code_is 1
err_has "unknown name \`cha2ds2_vas\`; did you mean \`cha2ds2_vasc\`?"
# The fact file is read as `rubric eval` reads it: an unknown fact is rejected.
printf 'sexx: female\n' >"$WORK/misspelt-fact.yaml"
run expr --guideline "$AF" --facts "$WORK/misspelt-fact.yaml" 'age'
code_is 1
err_has "E0404"

# ---- 7. check rejects a misspelt report name -----------------------------------------------------
sed 's/report ckd_stage,/report ckd_stag,/' "$WORK/assess.rubric" >"$WORK/misspelt.rubric"
run check "$WORK/misspelt.rubric"
code_is 1
err_has "error[E0221]: \`ckd_stag\` is not a fact, parameter or definition; \`report\` lists the values to show; did you mean \`ckd_stage\`?"

# ---- 8. case files state the reported values they expect ----------------------------------------
# The woman of section 1: CHA2DS2-VASc 4, HAS-BLED 3 (by hand, above). With diabetes absent,
# CHA2DS2-VASc is 3 or 4 (>= 3 either way: recommend).
{ printf 'facts:\n'; sed 's/^/  /' "$WORK/woman.yaml"; cat <<'YAML'; } >"$WORK/woman-case.yaml"
expect:
  recommendations: [bleeding_risk_review, doac_preferred, oac_recommended]
  undetermined: {}
  reported:
    oac_recommended: {cha2ds2_vasc: 4}
    bleeding_risk_review: {has_bled: 3}
YAML
run test "$AF" "$WORK/woman-case.yaml"
code_is 0
out_is "1 passed, 0 failed"

{ printf 'facts:\n'; sed -e 's/^/  /' -e '/diabetes/d' "$WORK/woman.yaml"; cat <<'YAML'; } >"$WORK/range-case.yaml"
expect:
  recommendations: [bleeding_risk_review, doac_preferred, oac_recommended]
  reported:
    oac_recommended: {cha2ds2_vasc: {from: 3, to: 4}}
YAML
run test "$AF" "$WORK/range-case.yaml"
code_is 0
out_is "1 passed, 0 failed"

# A wrong value fails and names the case, the recommendation, the name and both values.
sed 's/has_bled: 3/has_bled: 2/' "$WORK/woman-case.yaml" >"$WORK/wrong-case.yaml"
sed 's/{from: 3, to: 4}/4/' "$WORK/range-case.yaml" >"$WORK/wrong-range-case.yaml"
run test "$AF" "$WORK/wrong-case.yaml" "$WORK/wrong-range-case.yaml"
code_is 1
out_line "FAIL $WORK/wrong-case.yaml"
out_line "  bleeding_risk_review reports has_bled = 3; expected 2"
out_line "FAIL $WORK/wrong-range-case.yaml"
out_line "  oac_recommended reports cha2ds2_vasc = unknown, from 3 to 4; expected 4"
out_line "0 passed, 2 failed"
run test "$AF" "$WORK/wrong-case.yaml" --format json
code_is 1
compact
out_has '"explanation":"  bleeding_risk_review reports has_bled = 3; expected 2\n"'

# A name the recommendation does not report, and a misspelt one, are refused with a suggestion.
sed 's/has_bled: 3/cha2ds2_vasc: 4/' "$WORK/woman-case.yaml" >"$WORK/not-reported.yaml"
run test "$AF" "$WORK/not-reported.yaml"
code_is 1
out_has "not-reported.yaml:23:28: error[E0413]: \`bleeding_risk_review\` does not report \`cha2ds2_vasc\`; it reports \`has_bled\`"
sed 's/cha2ds2_vasc: 4/cha2ds2_vas: 4/' "$WORK/woman-case.yaml" >"$WORK/misspelt-case.yaml"
run test "$AF" "$WORK/misspelt-case.yaml"
code_is 1
out_has "error[E0413]: unknown name \`cha2ds2_vas\` reported by \`oac_recommended\`; did you mean \`cha2ds2_vasc\`?"
sed 's/cha2ds2_vasc: 4/cha2ds2_vasc: four/' "$WORK/woman-case.yaml" >"$WORK/type-case.yaml"
run test "$AF" "$WORK/type-case.yaml"
code_is 1
out_has "error[E0413]: the expected value of \`cha2ds2_vasc\` must be an integer"
out_has "found \`four\`"

harness_summary
