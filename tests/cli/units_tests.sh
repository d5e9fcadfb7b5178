#!/usr/bin/env bash
# Command-line tests of clinical UCUM units (issue 15 §2): a rule file declares facts in
# `mmol/L`, `mm[Hg]`, `10*9/L`, `mL/min/{1.73_m2}`, `{score}` and `Cel`; fact files give them
# in those or commensurable units, and refuse other dimensions; `fmt` keeps the units.
#
#   bash tests/cli/units_tests.sh path/to/rubric
#
# Prints every failure with the command's output, then `N passed, M failed`; exits non-zero
# when anything failed.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY" "$@"

RULES="$WORK/labs.rubric"
cat >"$RULES" <<'RUBRIC'
guideline "labs"
source 1 "A source"
fact glucose: quantity 'mmol/L' "plasma glucose"
fact systolic: quantity 'mm[Hg]' "systolic blood pressure"
fact wbc: quantity '10*9/L' "white cells"
fact egfr: quantity 'mL/min/{1.73_m2}' "eGFR"
fact wells: quantity '{score}' "Wells score"
fact temperature: quantity 'Cel' "body temperature"
recommendation high_glucose
  kind refer
  text "Refer for glucose."
  cite 1
  when glucose > 7 'mmol/L'
recommendation other_signs
  kind refer
  text "Refer for other signs."
  cite 1
  when systolic >= 140 'mm[Hg]' or wbc > 11 '10*9/L' or egfr < 60 'mL/min/{1.73_m2}'
    or wells >= 2 '{score}' or temperature >= 38 'Cel'
RUBRIC

# ---- 1. the rule file with clinical units checks cleanly --------------------------------------
run check "$RULES"
code_is 0

# ---- 2. a fact declared mmol/L accepts mmol/L and umol/L, refuses a mass ----------------------
printf 'glucose: 5.2 mmol/L\n' >"$WORK/low.yaml"
run eval "$RULES" "$WORK/low.yaml"
code_is 0
out_lacks "Refer for glucose."

printf 'glucose: 7200 umol/L\n' >"$WORK/high.yaml"
run eval "$RULES" "$WORK/high.yaml"
code_is 0
out_has "Refer for glucose."

printf 'glucose: 5200 umol/L\n' >"$WORK/low-umol.yaml"
run eval "$RULES" "$WORK/low-umol.yaml"
code_is 0
out_lacks "Refer for glucose."

printf 'glucose: 5 mg\n' >"$WORK/mass.yaml"
run eval "$RULES" "$WORK/mass.yaml"
code_is 1
err_has "E0408"
err_has "a quantity of mass"

# ---- 3. the other clinical units in YAML and JSON fact files ---------------------------------
printf 'systolic: 150 mm[Hg]\n' >"$WORK/bp.yaml"
run eval "$RULES" "$WORK/bp.yaml"
code_is 0
out_has "Refer for other signs."

printf '{"egfr": "45 mL/min/{1.73_m2}"}\n' >"$WORK/egfr.json"
run eval "$RULES" "$WORK/egfr.json"
code_is 0
out_has "Refer for other signs."

printf '{"wbc": "12000 /uL"}\n' >"$WORK/wbc.json"
run eval "$RULES" "$WORK/wbc.json"
code_is 0
out_has "Refer for other signs."

printf 'wells: 3 {score}\n' >"$WORK/wells.yaml"
run eval "$RULES" "$WORK/wells.yaml"
code_is 0
out_has "Refer for other signs."

printf 'temperature: 38.5 Cel\n' >"$WORK/fever.yaml"
run eval "$RULES" "$WORK/fever.yaml"
code_is 0
out_has "Refer for other signs."

# Celsius never converts to kelvin: refused, not silently wrong.
printf 'temperature: 311 K\n' >"$WORK/kelvin.yaml"
run eval "$RULES" "$WORK/kelvin.yaml"
code_is 1
err_has "E0408"
err_has "a quantity of temperature"

# ---- 4. E0407 suggests the declared unit --------------------------------------------------
printf 'glucose: 5\n' >"$WORK/bare.yaml"
run eval "$RULES" "$WORK/bare.yaml"
code_is 1
err_has "E0407"
err_has 'as in `5 mmol/L`'

# ---- 4b. units a fact accepts: dimensionless facts, `units`, `convert` ----------------------
ACCEPTS="$WORK/accepts.rubric"
cat >"$ACCEPTS" <<'RUBRIC'
guideline "accepts"
source 1 "A source"
fact acr: quantity 'mg/g' "albumin-to-creatinine ratio"
fact hba1c: quantity 'mmol/mol' "HbA1c (IFCC)"
fact lvef: quantity '%' units '%', '1' "left ventricular ejection fraction"
fact urea: quantity 'mmol/L'
  convert 'mg/dL' = 0.357 'mmol/L' cite 1
  "urea, or BUN in mg/dL"
recommendation albuminuria
  kind refer
  text "Refer for albuminuria."
  cite 1
  when acr >= 30 'mg/g'
recommendation diabetes
  kind refer
  text "Refer for diabetes."
  cite 1
  when hba1c >= 48 'mmol/mol'
recommendation heart_failure
  kind refer
  text "Refer for heart failure."
  cite 1
  when lvef <= 35 '%'
recommendation uraemia
  kind refer
  text "Refer for uraemia."
  cite 1
  when urea > 7 'mmol/L'
RUBRIC
run check "$ACCEPTS"
code_is 0

# `3 %` is not silently 30 mg/g.
printf 'acr: 3 %%\n' >"$WORK/acr-percent.yaml"
run eval "$ACCEPTS" "$WORK/acr-percent.yaml"
code_is 1
err_has "E0408"
err_has 'must be a quantity in `mg/g`'

# HbA1c 6.5 % (DCCT) is 48 mmol/mol (IFCC) by a formula, not by UCUM's 1 % = 10 mmol/mol:
# a dimensionless fact refuses `%` unless its rule file lists it.
printf 'hba1c: 6.5 %%\n' >"$WORK/hba1c.yaml"
run eval "$ACCEPTS" "$WORK/hba1c.yaml"
code_is 1
err_has "E0408"
err_has 'must be a quantity in `mmol/mol`'

# `units '%', '1'`: an ejection fraction of 0.3 is 30 %, at most 35 %.
printf 'lvef: 0.3 1\n' >"$WORK/lvef.yaml"
run eval "$ACCEPTS" "$WORK/lvef.yaml"
code_is 0
out_has "Refer for heart failure."

# BUN 25 mg/dL x 0.357 = 8.925 mmol/L > 7; BUN 19 mg/dL = 6.783 mmol/L, not above 7.
printf 'urea: 25 mg/dL\n' >"$WORK/bun-high.yaml"
run eval "$ACCEPTS" "$WORK/bun-high.yaml"
code_is 0
out_has "Refer for uraemia."
printf 'urea: 19 mg/dL\n' >"$WORK/bun-low.yaml"
run eval "$ACCEPTS" "$WORK/bun-low.yaml"
code_is 0
out_lacks "Refer for uraemia."

# fmt keeps the clauses, each convert on its own line, and a second run changes nothing.
run fmt "$ACCEPTS"
code_is 0
FORMATTED=$(<"$ACCEPTS")
for line in "fact lvef: quantity '%' units '%', '1' \"left ventricular ejection fraction\"" \
  "  convert 'mg/dL' = 0.357 'mmol/L' cite 1"; do
  [[ $FORMATTED == *"$line"* ]] && pass || fail "the formatted file lacks: $line"
done
run fmt --check "$ACCEPTS"
code_is 0
run check "$ACCEPTS"
code_is 0

# ---- 5. fmt keeps the units as written, and the file still checks ----------------------------
run fmt "$RULES"
code_is 0
FORMATTED=$(<"$RULES")
for unit in "quantity 'mL/min/{1.73_m2}'" "'mm[Hg]'" "'10*9/L'" "'{score}'" "'Cel'"; do
  [[ $FORMATTED == *"$unit"* ]] && pass || fail "the formatted file lacks: $unit"
done
run check "$RULES"
code_is 0

harness_summary
