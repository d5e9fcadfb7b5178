#!/usr/bin/env node
// Headless test of the Rubric TextMate grammar (editors/vscode/syntaxes/rubric.tmLanguage.json)
// and of the editor settings in editors/vscode/language-configuration.json.
//
//   node tests/editor/grammar_test.js            run every check
//   node tests/editor/grammar_test.js --dump F   print the tokens of file F (for debugging only:
//                                                expectations are written from the grammar,
//                                                grammar/rubric_grammar.hpp, never copied from here)
//
// It tokenizes every `.rubric` file under guidelines/ and tests/editor/sample.rubric with
// vscode-textmate (the tokenizer VS Code runs) and checks that
//   - every line tokenizes, the tokenizer never stops early, and no file leaves a string or
//     comment open at its end;
//   - in these valid files no token is `invalid.*`, and every character that is not white space
//     has a scope of its own (the grammar recognises every token of them);
//   - the hand-written EXPECTATIONS below hold: the scope each listed piece of text must (or must
//     not) have;
//   - the SNIPPETS (small texts, including invalid ones) get the scopes the PEG grammar implies;
//   - the word pattern and indentation rules of the language configuration behave as documented.
// Exit status: 0 all passed, 1 some failed (each failure is listed), 77 the test's node_modules
// is missing (a skip for ctest: run `npm ci` in tests/editor, or tests/editor/run.sh).
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR = path.join(ROOT, 'editors', 'vscode', 'syntaxes', 'rubric.tmLanguage.json');
const LANGUAGE_CONFIGURATION = path.join(ROOT, 'editors', 'vscode', 'language-configuration.json');
const SAMPLE = path.join(__dirname, 'sample.rubric');
const VF = path.join(ROOT, 'guidelines', 'vertebral-fracture-grade1', 'vertebral-fracture-grade1.rubric');
const AF = path.join(ROOT, 'guidelines', 'af-stroke-prevention', 'af-stroke-prevention.rubric');
const CURB = path.join(ROOT, 'guidelines', 'curb65-pneumonia', 'curb65-pneumonia.rubric');
// A line that takes longer than this to tokenize is a runaway regular expression.
const TIME_LIMIT_MS = 2000;

let vsctm;
let oniguruma;
try {
  vsctm = require('vscode-textmate');
  oniguruma = require('vscode-oniguruma');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    console.log(
      'SKIP: vscode-textmate and vscode-oniguruma are not installed. Install them with\n' +
        `  (cd ${path.relative(process.cwd(), __dirname) || '.'} && npm ci)\n` +
        'or run tests/editor/run.sh, which does so.',
    );
    process.exit(77);
  }
  throw error;
}

// ---- Expectations, written by hand from grammar/rubric_grammar.hpp and docs/language.md ------
//
// Each names a file, a line (its 1-based number, or the first line containing a text), a piece
// of text on that line (its `nth` occurrence, 1 by default), and the scope every character of
// that text must have. A scope matches when it is the expected one or starts with it and a dot.
// Unless `partial` is set, the text must be the whole extent of that scope: the characters just
// before and after it do not have it. `not` lists scope prefixes that no character may have.

function x(file, line, text, scope, options = {}) {
  return { file, line, text, scope, ...options };
}
const COMMENT_LINE = 'comment.line.double-slash.rubric';
const COMMENT_BLOCK = 'comment.block.rubric';
const SQ = 'string.quoted.single.rubric';
const DQ = 'string.quoted.double.rubric';
const ESC = 'constant.character.escape.rubric';
const INT = 'constant.numeric.integer.rubric';
const DEC = 'constant.numeric.decimal.rubric';
const LOGICAL = 'keyword.operator.logical.rubric';
const COMPARISON = 'keyword.operator.comparison.rubric';
const ARITHMETIC = 'keyword.operator.arithmetic.rubric';
const CONTROL = 'keyword.control.conditional.rubric';
const CALENDAR = 'keyword.other.unit.calendar.rubric';
const BINDING = 'keyword.other.binding.rubric';
const TYPE = 'storage.type.rubric';
const FACT_NAME = 'entity.name.variable.fact.rubric';
const PARAMETER_NAME = 'entity.name.constant.parameter.rubric';
const DEFINITION_NAME = 'entity.name.function.definition.rubric';
const RECOMMENDATION_ID = 'entity.name.type.recommendation.rubric';
const KIND = 'support.constant.kind.rubric';
const ELEMENT = 'variable.other.property.element.rubric';
const STATUS = 'constant.other.status.rubric';
const NAME = 'variable.other.rubric';
const CODE_SYSTEM = 'entity.name.namespace.rubric';
const BUILTIN = 'support.function.builtin.rubric';

const EXPECTATIONS = [
  // -- the seed guideline ------------------------------------------------------------------------
  x(VF, 1, '// Treatment of grade 1 vertebral body change suggestive of early osteoporotic fracture.', COMMENT_LINE),
  x(VF, 1, '//', 'punctuation.definition.comment.rubric', { partial: true }),
  x(VF, '// Bindings (the `from', 'from', COMMENT_LINE, { partial: true, not: ['keyword'] }),
  x(VF, 'guideline "vertebral-fracture-grade1"', 'guideline', 'keyword.declaration.guideline.rubric'),
  x(VF, 'guideline "vertebral-fracture-grade1"', '"vertebral-fracture-grade1"', DQ, { not: [ARITHMETIC] }),
  x(VF, '  title "Treatment', 'title', 'keyword.other.title.rubric'),
  x(VF, '  version "1.0.0"', '"1.0.0"', DQ, { not: ['constant.numeric'] }),
  x(VF, 'source 1 "Seed reference 1:', 'source', 'keyword.declaration.source.rubric'),
  x(VF, 'source 1 "Seed reference 1:', '1', INT),
  x(VF, 'source 1 "Seed reference 1:', '1', DQ, { nth: 2, partial: true, not: ['constant.numeric'] }),
  x(VF, "codesystem LOINC = 'http://loinc.org'", 'codesystem', 'keyword.declaration.codesystem.rubric'),
  x(VF, "codesystem LOINC = 'http://loinc.org'", 'LOINC', 'entity.name.namespace.codesystem.rubric'),
  x(VF, "codesystem LOINC = 'http://loinc.org'", '=', 'keyword.operator.assignment.rubric'),
  // a string holding `//` is a string, not a comment
  x(VF, "codesystem LOINC = 'http://loinc.org'", "'http://loinc.org'", SQ, { not: ['comment'] }),
  x(VF, 'fact fracture_grade: integer between 0 and 3', 'fact', 'keyword.declaration.fact.rubric'),
  x(VF, 'fact fracture_grade: integer between 0 and 3', 'fracture_grade', FACT_NAME),
  x(VF, 'fact fracture_grade: integer between 0 and 3', ':', 'punctuation.separator.colon.rubric'),
  x(VF, 'fact fracture_grade: integer between 0 and 3', 'integer', TYPE),
  x(VF, 'fact fracture_grade: integer between 0 and 3', 'between', 'keyword.operator.between.rubric'),
  x(VF, 'fact fracture_grade: integer between 0 and 3', 'and', LOGICAL),
  x(VF, 'fact fracture_grade: integer between 0 and 3', '3', INT),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", 'from', BINDING),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", 'most', BINDING),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", 'recent', BINDING),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", 'Observation', 'support.class.resource.rubric'),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", 'coded', BINDING),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", 'VF', CODE_SYSTEM),
  x(VF, "  from most recent Observation coded VF 'genant-grade'", "'genant-grade'", SQ),
  x(VF, '    where status is final, amended or corrected', 'where', BINDING),
  x(VF, '    where status is final, amended or corrected', 'status', ELEMENT),
  x(VF, '    where status is final, amended or corrected', 'is', 'keyword.operator.is.rubric'),
  x(VF, '    where status is final, amended or corrected', 'final', STATUS),
  x(VF, '    where status is final, amended or corrected', ',', 'punctuation.separator.comma.rubric'),
  x(VF, '    where status is final, amended or corrected', 'or', LOGICAL),
  x(VF, '    where status is final, amended or corrected', 'corrected', STATUS),
  x(VF, '  value valueInteger', 'value', BINDING),
  x(VF, '  value valueInteger', 'valueInteger', ELEMENT),
  x(VF, '  value presence', 'presence', BINDING),
  x(VF, 'fact time_since_identification: duration >= 0 days', 'duration', TYPE),
  x(VF, 'fact time_since_identification: duration >= 0 days', '>=', COMPARISON),
  x(VF, 'fact time_since_identification: duration >= 0 days', '0', INT),
  x(VF, 'fact time_since_identification: duration >= 0 days', 'days', CALENDAR),
  x(VF, '    where verificationStatus is not refuted', 'verificationStatus', ELEMENT),
  x(VF, '    where verificationStatus is not refuted', 'not', LOGICAL),
  x(VF, '    where verificationStatus is not refuted', 'refuted', STATUS),
  x(VF, '  value days since recordedDate or onsetDateTime', 'days', CALENDAR),
  x(VF, '  value days since recordedDate or onsetDateTime', 'since', BINDING),
  x(VF, '  value days since recordedDate or onsetDateTime', 'recordedDate', ELEMENT),
  x(VF, '  value days since recordedDate or onsetDateTime', 'or', LOGICAL, { nth: 2 }), // the first is in recordedDate
  x(VF, '  value days since recordedDate or onsetDateTime', 'onsetDateTime', ELEMENT),
  x(VF, "coded LOINC '72514-3'", 'LOINC', CODE_SYSTEM),
  x(VF, "coded LOINC '72514-3'", "'72514-3'", SQ, { not: ['constant.numeric', ARITHMETIC] }),
  x(VF, '    within 30 days', 'within', BINDING),
  x(VF, '    within 30 days', '30', INT),
  x(VF, '    within 30 days', 'days', CALENDAR),
  x(VF, "  value valueQuantity in '{score}' or valueInteger", 'valueQuantity', ELEMENT),
  x(VF, "  value valueQuantity in '{score}' or valueInteger", 'in', 'keyword.operator.in.rubric'),
  x(VF, "  value valueQuantity in '{score}' or valueInteger", "'{score}'", SQ, { not: ['punctuation.section'] }),
  x(VF, 'fact neurologic_deficit: boolean "motor weakness', 'boolean', TYPE),
  x(VF, 'fact neurologic_deficit: boolean "motor weakness', '"motor weakness, sensory loss or sphincter dysfunction"', DQ, { not: [LOGICAL] }),
  x(VF, 'parameter applicable_grade = 1', 'parameter', 'keyword.declaration.parameter.rubric'),
  x(VF, 'parameter applicable_grade = 1', 'applicable_grade', PARAMETER_NAME),
  x(VF, 'parameter applicable_grade = 1', '=', 'keyword.operator.assignment.rubric'),
  x(VF, 'parameter applicable_grade = 1', '1', INT),
  x(VF, 'parameter calcitonin_window = 4 weeks', '4', INT),
  x(VF, 'parameter calcitonin_window = 4 weeks', 'weeks', CALENDAR),
  x(VF, 'parameter augmentation_after = 3 months', 'months', CALENDAR),
  x(VF, 'parameter severe_pain_vas = 3.5', '3.5', DEC),
  x(VF, 'parameter elderly_age = 65 years', 'years', CALENDAR),
  x(VF, "parameter calcium_daily_dose = 1000 'mg/d'", '1000', INT),
  // a unit is a single-quoted string, and its `/` is no operator
  x(VF, "parameter calcium_daily_dose = 1000 'mg/d'", "'mg/d'", SQ, { not: [ARITHMETIC] }),
  x(VF, "parameter vitamin_d_daily_dose = 800 '[iU]/d'", "'[iU]/d'", SQ),
  x(VF, 'define applicable = fracture_grade = applicable_grade', 'define', 'keyword.declaration.define.rubric'),
  x(VF, 'define applicable = fracture_grade = applicable_grade', 'applicable', DEFINITION_NAME),
  x(VF, 'define applicable = fracture_grade = applicable_grade', '=', 'keyword.operator.assignment.rubric'),
  x(VF, 'define applicable = fracture_grade = applicable_grade', '=', COMPARISON, { nth: 2 }),
  x(VF, 'define applicable = fracture_grade = applicable_grade', 'fracture_grade', NAME),
  x(VF, 'define applicable = fracture_grade = applicable_grade', 'applicable_grade', NAME),
  x(VF, 'define red_flag =', 'red_flag', DEFINITION_NAME),
  x(VF, '    or progressive_neurologic_deterioration', 'or', LOGICAL),
  x(VF, 'define conservative = applicable and not red_flag', 'and', LOGICAL),
  x(VF, 'define conservative = applicable and not red_flag', 'not', LOGICAL),
  x(VF, 'define conservative = applicable and not red_flag', 'red_flag', NAME),
  x(VF, '    or pain_refractory', 'pain_refractory', NAME),
  x(VF, 'recommendation urgent_surgical_consultation', 'recommendation', 'keyword.declaration.recommendation.rubric'),
  x(VF, 'recommendation urgent_surgical_consultation', 'urgent_surgical_consultation', RECOMMENDATION_ID),
  x(VF, '  kind refer', 'kind', 'keyword.other.kind.rubric'),
  x(VF, '  kind refer', 'refer', KIND),
  x(VF, '  indicator critical', 'indicator', 'keyword.other.indicator.rubric'),
  x(VF, '  indicator critical', 'critical', 'support.constant.indicator.rubric'),
  x(VF, '  text "Refer for immediate', 'text', 'keyword.other.text.rubric'),
  x(VF, '  summary "Refer for immediate', 'summary', 'keyword.other.summary.rubric'),
  x(VF, '  summary "Refer for immediate', '"Refer for immediate surgical consultation"', DQ),
  x(VF, '  cite 1, 5', 'cite', 'keyword.other.cite.rubric'),
  x(VF, '  cite 1, 5', ',', 'punctuation.separator.comma.rubric'),
  x(VF, '  cite 1, 5', '5', INT),
  x(VF, '  when applicable and red_flag', 'when', CONTROL),
  x(VF, '  when applicable and (neurologic_deficit or', '(', 'punctuation.parenthesis.begin.rubric'),
  x(VF, 'progressive_neurologic_deterioration)', ')', 'punctuation.parenthesis.end.rubric'),
  x(VF, '  kind caution', 'caution', KIND),
  x(VF, '  kind prescribe', 'prescribe', KIND),
  x(VF, '  kind therapy', 'therapy', KIND),
  x(VF, '  kind avoid', 'avoid', KIND),
  // `follow-up` is one kind, the `-` no operator
  x(VF, '  kind follow-up', 'follow-up', KIND, { not: [ARITHMETIC] }),
  x(VF, '  kind order', 'order', KIND),
  x(VF, '  kind monitor', 'monitor', KIND),
  x(VF, '  carry calcium_daily_dose', 'carry', 'keyword.other.carry.rubric'),
  x(VF, '  evidence "AHA Class IIA', 'evidence', 'keyword.other.evidence.rubric'),
  // calendar words, operators and `;` inside a text are text
  x(VF, '  text "Reassess at 4-6 weeks', 'weeks', DQ, { partial: true, not: ['keyword', 'constant.numeric'] }),
  x(VF, '  text "Symptoms have changed:', 'pathology; do not assume', DQ, { partial: true, not: ['keyword'] }),
  x(VF, '  when conservative and time_since_identification < reassessment_window', '<', COMPARISON),
  x(VF, 'and time_since_identification > persistent_symptoms_after', '>', COMPARISON),
  x(VF, 'coverage when applicable', 'coverage', 'keyword.declaration.coverage.rubric'),
  x(VF, 'coverage when applicable', 'when', CONTROL),

  // -- the atrial fibrillation guideline ---------------------------------------------------------
  x(AF, "fact sex: code {'male', 'female'}", 'sex', FACT_NAME),
  x(AF, "fact sex: code {'male', 'female'}", 'code', TYPE),
  x(AF, "fact sex: code {'male', 'female'}", '{', 'punctuation.section.braces.begin.rubric'),
  x(AF, "fact sex: code {'male', 'female'}", "'male'", SQ),
  x(AF, "fact sex: code {'male', 'female'}", '}', 'punctuation.section.braces.end.rubric'),
  x(AF, "fact systolic_bp: quantity 'mm[Hg]' between", 'quantity', TYPE),
  x(AF, "fact systolic_bp: quantity 'mm[Hg]' between", "'mm[Hg]'", SQ, { nth: 3 }),
  x(AF, "fact systolic_bp: quantity 'mm[Hg]' between", '300', INT),
  x(AF, '"abnormal renal function: dialysis', '>= 200 umol/L', DQ, { partial: true, not: [COMPARISON, 'constant.numeric'] }),
  x(AF, 'define cha2ds2_vasc = score(', 'cha2ds2_vasc', DEFINITION_NAME),
  x(AF, 'define cha2ds2_vasc = score(', 'score', 'keyword.other.score.rubric'),
  x(AF, 'define cha2ds2_vasc = score(', '(', 'punctuation.parenthesis.begin.rubric'),
  x(AF, '    2 when age >= old_age,', '2', INT),
  x(AF, '    2 when age >= old_age,', 'when', CONTROL),
  x(AF, '    2 when age >= old_age,', 'old_age', NAME),
  x(AF, "    1 when sex = 'female'", "'female'", SQ),
  x(AF, "  (sex = 'male' and cha2ds2_vasc >= men_recommend)", 'and', LOGICAL),
  x(AF, "  (sex = 'male' and cha2ds2_vasc >= men_recommend)", 'cha2ds2_vasc', NAME),
  x(AF, "parameter uncontrolled_sbp_over = 160 'mm[Hg]'", 'uncontrolled_sbp_over', PARAMETER_NAME),
  x(AF, '  report cha2ds2_vasc', 'report', 'keyword.other.report.rubric'),
  // an apostrophe inside a text opens no string
  x(AF, "weighing the patient's preferences", "patient's", DQ, { partial: true, not: [SQ] }),
  x(AF, '  when anticoagulation_indicated and not vka_indication', 'not', LOGICAL),
  x(AF, '  when has_bled >= high_bleeding_risk_from', 'has_bled', NAME),

  // -- the pneumonia guideline -------------------------------------------------------------------
  x(CURB, "fact urea: quantity 'mmol/L' >= 0 'mmol/L'", 'urea', FACT_NAME),
  x(CURB, "  units 'mmol/L', 'umol/L', 'mol/L'", 'units', 'keyword.other.units.rubric'),
  x(CURB, "  units 'mmol/L', 'umol/L', 'mol/L'", "'umol/L'", SQ),
  x(CURB, "  convert 'mg/dL' = 0.357 'mmol/L' cite", 'convert', 'keyword.other.convert.rubric'),
  x(CURB, "  convert 'mg/dL' = 0.357 'mmol/L' cite", "'mg/dL'", SQ),
  x(CURB, "  convert 'mg/dL' = 0.357 'mmol/L' cite", '=', 'keyword.operator.assignment.rubric'),
  x(CURB, "  convert 'mg/dL' = 0.357 'mmol/L' cite", '0.357', DEC),
  x(CURB, "  convert 'mg/dL' = 0.357 'mmol/L' cite", 'cite', 'keyword.other.cite.rubric'),
  x(CURB, "  convert 'mg/dL' = 0.357 'mmol/L' cite", '"BUN mg/dL x 0.357 = urea mmol/L: 10 / 28.014 g/mol, the two nitrogen atoms of urea"', DQ, { not: ['constant.numeric', ARITHMETIC] }),
  x(CURB, 'fact age: duration between 18 years and 130 years', '18', INT),
  x(CURB, 'fact age: duration between 18 years and 130 years', 'years', CALENDAR, { nth: 2 }),
  x(CURB, "parameter tachypnoea_rate = 30 '/min'", "'/min'", SQ, { not: [ARITHMETIC] }),
  x(CURB, 'define urea_unavailable = urea is null', 'is', 'keyword.operator.is.rubric'),
  x(CURB, 'define urea_unavailable = urea is null', 'null', 'constant.language.null.rubric'),
  x(CURB, '  excludes hospital_supervised_care, manage_in_hospital', 'excludes', 'keyword.other.excludes.rubric'),
  x(CURB, '  excludes hospital_supervised_care, manage_in_hospital', 'manage_in_hospital', NAME),
  x(CURB, 'define crb65 = score(', 'crb65', DEFINITION_NAME),
  x(CURB, '  when urea_unavailable and crb65 = 0', 'crb65', NAME),
  x(CURB, '  when urea_unavailable and crb65 = 0', '0', INT),
  x(CURB, '"Low-severity pneumonia (CURB-65 0 or 1)', '(CURB-65 0 or 1)', DQ, { partial: true, not: [LOGICAL, 'punctuation.parenthesis'] }),
  x(CURB, 'source 1 "Lim WS', '2009;64(Suppl 3):iii1-iii55.', DQ, { partial: true, not: ['constant.numeric'] }),
  x(CURB, '// ---- Recommendations: CRB-65, when no urea result', 'when', COMMENT_LINE, { partial: true, not: [CONTROL] }),
  x(CURB, 'coverage when true', 'true', 'constant.language.boolean.rubric'),

  // -- tests/editor/sample.rubric ----------------------------------------------------------------
  x(SAMPLE, '  title "Every construct:', '\\"', ESC),
  x(SAMPLE, '  title "Every construct:', '\\t', ESC),
  x(SAMPLE, '  title "Every construct:', '\\/', ESC),
  x(SAMPLE, '  title "Every construct:', '\\u00e9', ESC),
  x(SAMPLE, '  title "Every construct:', 'text, a tab', DQ, { partial: true }),
  x(SAMPLE, '  hooks patient-view, order-sign', 'hooks', 'keyword.other.hooks.rubric'),
  x(SAMPLE, '  hooks patient-view, order-sign', 'patient-view', 'support.constant.hook.rubric'),
  x(SAMPLE, '  hooks patient-view, order-sign', ',', 'punctuation.separator.comma.rubric'),
  x(SAMPLE, '  hooks patient-view, order-sign', 'order-sign', 'support.constant.hook.rubric'),
  // a block comment spanning three lines
  x(SAMPLE, '/* A block comment', '/*', 'punctuation.definition.comment.begin.rubric'),
  x(SAMPLE, '/* A block comment', '/* A block comment', COMMENT_BLOCK),
  x(SAMPLE, '   spanning lines, with', `   spanning lines, with "quotes", 'quotes' and fact x: boolean inside;`, COMMENT_BLOCK, { not: ['string', 'keyword', 'entity', 'storage'] }),
  x(SAMPLE, '   it ends here: */', '*/', 'punctuation.definition.comment.end.rubric'),
  x(SAMPLE, '   it ends here: */', '   it ends here: */', COMMENT_BLOCK),
  x(SAMPLE, 'source 1 "A source whose text holds', 'source', 'keyword.declaration.source.rubric'),
  x(SAMPLE, 'source 1 "A source whose text holds', '"A source whose text holds // no comment and /* no comment either */"', DQ, { not: ['comment'] }),
  x(SAMPLE, "codesystem SCT = 'http://snomed.info/sct'", 'SCT', 'entity.name.namespace.codesystem.rubric'),
  x(SAMPLE, "codesystem SCT = 'http://snomed.info/sct'", "'http://snomed.info/sct'", SQ, { not: ['comment'] }),
  x(SAMPLE, 'valueset DIABETES = {', 'valueset', 'keyword.declaration.valueset.rubric'),
  x(SAMPLE, 'valueset DIABETES = {', 'DIABETES', 'entity.name.constant.valueset.rubric'),
  x(SAMPLE, 'valueset DIABETES = {', '{', 'punctuation.section.braces.begin.rubric'),
  x(SAMPLE, 'valueset DIABETES = {', 'SCT', CODE_SYSTEM),
  x(SAMPLE, 'valueset DIABETES = {', "'44054006'", SQ, { not: ['constant.numeric'] }),
  x(SAMPLE, 'valueset DIABETES = {', 'SCT', CODE_SYSTEM, { nth: 2 }),
  x(SAMPLE, 'valueset DIABETES = {', '"diabetes mellitus"', DQ),
  x(SAMPLE, 'fact birth_date: date', 'birth_date', FACT_NAME),
  x(SAMPLE, 'fact birth_date: date', 'date', TYPE, { occurrenceFrom: ':' }),
  x(SAMPLE, 'fact admitted: datetime', 'datetime', TYPE),
  x(SAMPLE, 'fact dx: coding', 'coding', TYPE),
  x(SAMPLE, '  from most recent Condition coded DIABETES', 'Condition', 'support.class.resource.rubric'),
  x(SAMPLE, '  from most recent Condition coded DIABETES', 'DIABETES', 'variable.other.constant.valueset.rubric'),
  x(SAMPLE, 'where verificationStatus is not refuted, entered-in-error', 'not', LOGICAL),
  x(SAMPLE, 'where verificationStatus is not refuted, entered-in-error', 'entered-in-error', STATUS, { not: [ARITHMETIC] }),
  // `code` after `value` is an element of the resource, not the type `code`
  x(SAMPLE, '  value code', 'code', ELEMENT, { not: ['storage'] }),
  x(SAMPLE, "fact side: code {'left', 'right', 'it\\'s'}", 'code', TYPE),
  x(SAMPLE, "fact side: code {'left', 'right', 'it\\'s'}", "'it\\'s'", SQ),
  x(SAMPLE, "fact side: code {'left', 'right', 'it\\'s'}", "\\'", ESC),
  x(SAMPLE, "fact side: code {'left', 'right', 'it\\'s'}", '"a side"', DQ),
  x(SAMPLE, 'fact note: string', 'string', TYPE),
  x(SAMPLE, "fact weight: mass > 0 'kg'", 'mass', TYPE),
  x(SAMPLE, "fact weight: mass > 0 'kg'", '>', COMPARISON),
  x(SAMPLE, "fact weight: mass > 0 'kg'", "'kg'", SQ),
  x(SAMPLE, 'fact height: length', 'length', TYPE),
  x(SAMPLE, 'fact volume_given: volume', 'volume', TYPE, { occurrenceFrom: ':' }),
  x(SAMPLE, '  from Patient', 'Patient', 'support.class.resource.rubric'),
  x(SAMPLE, '  value years since birthDate', 'years', CALENDAR),
  x(SAMPLE, '  value years since birthDate', 'since', BINDING),
  x(SAMPLE, '  value years since birthDate', 'birthDate', ELEMENT),
  x(SAMPLE, "  from MedicationRequest coded RX '11289'", 'RX', CODE_SYSTEM),
  x(SAMPLE, 'where status is active or draft and intent is original-order, order', 'and', LOGICAL),
  x(SAMPLE, 'where status is active or draft and intent is original-order, order', 'intent', ELEMENT),
  x(SAMPLE, 'where status is active or draft and intent is original-order, order', 'original-order', STATUS),
  x(SAMPLE, 'where status is active or draft and intent is original-order, order', 'order', STATUS, { nth: 2 }),
  x(SAMPLE, '  value exists, otherwise false', 'exists', BINDING),
  x(SAMPLE, '  value exists, otherwise false', 'otherwise', BINDING),
  x(SAMPLE, '  value exists, otherwise false', 'false', 'constant.language.boolean.rubric'),
  x(SAMPLE, '  value count', 'count', BINDING),
  x(SAMPLE, "  convert 'g/L' = 3.57 'mmol/L' cite", '3.57', DEC),
  x(SAMPLE, "  convert 'g/L' = 3.57 'mmol/L' cite", '"urea nitrogen, 2 x 14.007 g/mol"', DQ),
  x(SAMPLE, 'parameter old = 75 years', 'old', PARAMETER_NAME),
  x(SAMPLE, 'parameter ratio = 2.5 * 2 div 1 mod 3', '2.5', DEC),
  x(SAMPLE, 'parameter ratio = 2.5 * 2 div 1 mod 3', '*', ARITHMETIC),
  x(SAMPLE, 'parameter ratio = 2.5 * 2 div 1 mod 3', 'div', ARITHMETIC),
  x(SAMPLE, 'parameter ratio = 2.5 * 2 div 1 mod 3', 'mod', ARITHMETIC),
  x(SAMPLE, 'parameter threshold = -1 + (+2)', '-', ARITHMETIC),
  x(SAMPLE, 'parameter threshold = -1 + (+2)', '1', INT),
  x(SAMPLE, 'parameter threshold = -1 + (+2)', '+', ARITHMETIC, { nth: 2 }),
  x(SAMPLE, 'define age_in_years = years between', 'years', CALENDAR, { nth: 2 }),
  x(SAMPLE, 'define age_in_years = years between', 'between', 'keyword.operator.between.rubric'),
  x(SAMPLE, 'define age_in_years = years between', 'Today', BUILTIN),
  x(SAMPLE, 'define recent = admitted', '@2026-06-15T10:30Z', 'constant.other.datetime.rubric'),
  x(SAMPLE, 'define recent = admitted', '@2026-06-15T10:30:00.5+01:00', 'constant.other.datetime.rubric', { not: [ARITHMETIC, 'constant.numeric'] }),
  x(SAMPLE, 'define dated = birth_date between', '@1954-06', 'constant.other.date.rubric'),
  x(SAMPLE, 'define dated = birth_date between', '@2026-06-15', 'constant.other.date.rubric'),
  x(SAMPLE, 'define dated = birth_date between', '-', ARITHMETIC, { nth: 4 }),
  x(SAMPLE, 'define dated = birth_date between', 'weeks', CALENDAR),
  x(SAMPLE, 'define made = Date(', 'Date', BUILTIN),
  x(SAMPLE, 'define made = Date(', 'Coalesce', BUILTIN),
  x(SAMPLE, 'define made = Date(', '@2026', 'constant.other.date.rubric', { nth: 1 }),
  x(SAMPLE, 'define made = Date(', '~', COMPARISON),
  x(SAMPLE, 'define made = Date(', 'DateTime', BUILTIN),
  x(SAMPLE, 'define made = Date(', '1.0', DEC),
  x(SAMPLE, 'define diabetic = dx in DIABETES', 'in', 'keyword.operator.in.rubric', { occurrenceFrom: ' dx' }),
  x(SAMPLE, 'define diabetic = dx in DIABETES', 'DIABETES', NAME),
  x(SAMPLE, 'define diabetic = dx in DIABETES', 'SCT', CODE_SYSTEM),
  x(SAMPLE, 'define diabetic = dx in DIABETES', "'44054006'", SQ),
  x(SAMPLE, 'define diabetic = dx in DIABETES', '!~', COMPARISON),
  x(SAMPLE, '  case', 'case', CONTROL),
  x(SAMPLE, "    when pain >= 7 then 'severe'", 'when', CONTROL),
  x(SAMPLE, "    when pain >= 7 then 'severe'", 'then', CONTROL),
  x(SAMPLE, "    when pain >= 7 then 'severe'", "'severe'", SQ),
  x(SAMPLE, "    when pain >= 7 then 'severe'", '// inline comment', COMMENT_LINE),
  x(SAMPLE, "    else 'mild'", 'else', CONTROL),
  x(SAMPLE, '  end', 'end', CONTROL),
  x(SAMPLE, 'define side_name = case side when', 'side', NAME, { nth: 2 }),
  x(SAMPLE, 'define side_name = case side when', "'?'", SQ),
  x(SAMPLE, 'define points = score(', 'score', 'keyword.other.score.rubric'),
  x(SAMPLE, 'define points = score(', '-', ARITHMETIC),
  x(SAMPLE, 'define points = score(', 'xor', LOGICAL),
  x(SAMPLE, 'define two = at least 2 of (', 'at', 'keyword.other.at-least.rubric'),
  x(SAMPLE, 'define two = at least 2 of (', 'least', 'keyword.other.at-least.rubric'),
  x(SAMPLE, 'define two = at least 2 of (', 'of', 'keyword.other.of.rubric'),
  x(SAMPLE, '  if note is not null and not', 'if', CONTROL),
  x(SAMPLE, '  if note is not null and not', 'is', 'keyword.operator.is.rubric'),
  x(SAMPLE, '  if note is not null and not', 'null', 'constant.language.null.rubric'),
  x(SAMPLE, '  if note is not null and not', 'not', LOGICAL, { nth: 2 }),
  x(SAMPLE, '  if note is not null and not', 'implies', LOGICAL),
  x(SAMPLE, '  if note is not null and not', 'true', 'constant.language.boolean.rubric'),
  x(SAMPLE, "define checks = note = 'a", "'a \\\\ b \\/ c \\n // not a comment'", SQ, { not: ['comment'] }),
  x(SAMPLE, "define checks = note = 'a", '\\\\', ESC),
  x(SAMPLE, "define checks = note = 'a", '\\n', ESC),
  x(SAMPLE, "define checks = note = 'a", "'/* not a comment */'", SQ, { not: ['comment'] }),
  x(SAMPLE, 'define heavy = weight >= 70', '1.7', DEC),
  x(SAMPLE, 'define heavy = weight >= 70', "'m'", SQ),
  x(SAMPLE, 'recommendation screen', 'screen', RECOMMENDATION_ID),
  x(SAMPLE, '  kind assess', 'assess', KIND),
  x(SAMPLE, '  indicator info', 'info', 'support.constant.indicator.rubric'),
  x(SAMPLE, '  text "Screen: \\"everyone\\" // not a comment"', '"Screen: \\"everyone\\" // not a comment"', DQ, { not: ['comment'] }),
  x(SAMPLE, '  text "Screen: \\"everyone\\" // not a comment"', '\\"', ESC, { nth: 2 }),
  x(SAMPLE, '  when diabetic and grade = 1 and admissions != 3', '!=', COMPARISON),
  x(SAMPLE, '  kind follow-up', 'follow-up', KIND),
  x(SAMPLE, '  indicator warning', 'warning', 'support.constant.indicator.rubric'),
  x(SAMPLE, '  excludes screen', 'screen', NAME),
  x(SAMPLE, '  when not diabetic and (points', 'is', 'keyword.operator.is.rubric'),
  x(SAMPLE, 'coverage when diabetic', 'coverage', 'keyword.declaration.coverage.rubric'),
  x(SAMPLE, '  "everyone"', '"everyone"', DQ),
];

// ---- Snippets: small texts, some of them invalid, and what the PEG grammar implies -------------

const SNIPPETS = [
  {
    about: 'a string ends on its line: an unterminated one does not swallow the next line',
    text: "define a = 'open\ndefine b = 1",
    expect: [x(null, 1, "'open", SQ), x(null, 2, 'define', 'keyword.declaration.define.rubric'), x(null, 2, 'b', DEFINITION_NAME)],
  },
  {
    about: 'an unterminated text ends on its line too',
    text: 'source 1 "open\nsource 2 "closed"',
    expect: [x(null, 1, '"open', DQ), x(null, 2, 'source', 'keyword.declaration.source.rubric')],
  },
  {
    about: 'a block comment does not nest, and an unclosed one runs to the end of the file (E0103)',
    text: '/* a /* b */ fact\n/* open\nfact x: boolean',
    expect: [
      x(null, 1, '/* a /* b */', COMMENT_BLOCK),
      x(null, 1, 'fact', 'keyword.declaration.fact.rubric'),
      x(null, 3, 'fact x: boolean', COMMENT_BLOCK, { not: ['keyword'] }),
    ],
  },
  {
    about: 'only CQL escapes are valid in strings and texts (E0111 for any other)',
    text: "define a = '\\q \\u12 \\u00E9 \\f \\r'",
    expect: [
      x(null, 1, '\\q', 'invalid.illegal.escape.rubric'),
      x(null, 1, '\\u', 'invalid.illegal.escape.rubric'),
      x(null, 1, '\\u00E9', ESC),
      x(null, 1, '\\f', ESC),
      x(null, 1, '\\r', ESC),
    ],
  },
  {
    about: 'a date literal must not be followed by `-`, `:`, `.` or an identifier character',
    text: 'define a = @2026-06-15-2 = @2026-06-15T\ndefine b = @2026x',
    expect: [
      x(null, 1, '@2026-06-15-2', 'invalid.illegal.date.rubric'),
      x(null, 1, '@2026-06-15T', 'constant.other.datetime.rubric'),
      x(null, 2, '@2026x', 'invalid.illegal.date.rubric'),
    ],
  },
  {
    about: 'a quantity needs no space before its calendar word; keywords are whole words',
    text: 'define android = 4weeks + 2 days and notable or xor_flag',
    expect: [
      x(null, 1, 'android', DEFINITION_NAME),
      x(null, 1, '4', INT),
      x(null, 1, 'weeks', CALENDAR),
      x(null, 1, 'notable', NAME),
      x(null, 1, 'xor_flag', NAME),
    ],
  },
  {
    about: '`score`, `at`, `least`, `of` and the binding words are not reserved: they can be names',
    text: 'fact score: integer\nfact value: boolean\ndefine at_least = score > 1 and value and of',
    expect: [
      x(null, 1, 'score', FACT_NAME),
      x(null, 2, 'value', FACT_NAME),
      x(null, 3, 'score', NAME),
      x(null, 3, 'value', NAME),
      x(null, 3, 'of', NAME),
    ],
  },
  {
    about: 'a reserved word is no declared name; a call is a name then `(`',
    text: 'define and = f (1) + Coalesce (2)',
    expect: [
      x(null, 1, 'and', LOGICAL),
      x(null, 1, 'f', 'entity.name.function.call.rubric', { occurrenceFrom: '= ' }),
      x(null, 1, 'Coalesce', BUILTIN),
    ],
  },
  {
    about: 'a recommendation on one line, an unknown kind, and a comment between tokens',
    text: 'recommendation r kind refers text "t" cite 1 when /* c */ a // d',
    expect: [
      x(null, 1, 'r', RECOMMENDATION_ID, { occurrenceFrom: ' r ' }),
      x(null, 1, 'refers', 'invalid.illegal.unknown-kind.rubric', { not: [KIND] }),
      x(null, 1, 'text', 'keyword.other.text.rubric'),
      x(null, 1, '/* c */', COMMENT_BLOCK),
      x(null, 1, 'a', NAME, { nth: 1, occurrenceFrom: '*/' }),
      x(null, 1, '// d', COMMENT_LINE),
    ],
  },
];

// ---- Language configuration -------------------------------------------------------------------

// The word VS Code takes at a column (its getWordAtText, simplified: the match enclosing it).
function wordAt(wordRegex, lineText, column) {
  const regex = new RegExp(wordRegex.source, 'g');
  let match;
  while ((match = regex.exec(lineText)) !== null) {
    if (match.index <= column && column <= match.index + match[0].length) {
      return match[0];
    }
    if (match.index > column) {
      break;
    }
    if (match[0].length === 0) {
      regex.lastIndex += 1;
    }
  }
  return undefined;
}

function checkLanguageConfiguration(failures) {
  const config = JSON.parse(fs.readFileSync(LANGUAGE_CONFIGURATION, 'utf8'));
  const word = new RegExp(config.wordPattern);
  // [line, the text whose middle the cursor is in (first occurrence), the word expected there]
  const words = [
    ['  kind follow-up', 'up', 'follow-up'],
    ['  kind follow-up', 'follow', 'follow-up'],
    ['  kind follow-', 'follow', 'follow-'],
    ['  hooks patient-view, order-sign', 'sign', 'order-sign'],
    ['  hooks patient-view, order-sign', 'patient', 'patient-view'],
    ['define d = follow-up', 'up', 'up'],
    ['  when a-b > 0', 'b', 'b'],
    ['  when pain_vas >= 3.5', 'vas', 'pain_vas'],
    ['  when pain_vas >= 3.5', '3.5', '3.5'],
    ['define d = x < @2026-06-15T10:30Z', '06-15', '@2026-06-15T10:30Z'],
  ];
  for (const [lineText, inside, expected] of words) {
    const column = lineText.indexOf(inside) + Math.floor(inside.length / 2);
    const found = wordAt(word, lineText, column);
    if (found !== expected) {
      failures.push(`language-configuration.json: the word at \`${inside}\` in \`${lineText}\` is \`${found}\`, expected \`${expected}\``);
    }
  }
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  const indentation = [
    [increase, 'recommendation calcium', true],
    [increase, 'guideline "id"', true],
    [increase, 'define red_flag =', true],
    [increase, 'define cha2ds2_vasc = score(', true],
    [increase, '  case', true],
    [increase, '  case a_rather_long_fact_name', true],
    [increase, 'define x = case a when 1 then 2 else 3 end', false],
    [increase, 'fact neurologic_deficit: boolean "motor weakness"', false],
    [increase, '  when conservative', false],
    [increase, '// define x =', false],
    [decrease, '  )', true],
    [decrease, '  end', true],
    [decrease, 'recommendation calcium', true],
    [decrease, 'fact x: boolean', true],
    [decrease, '  when x', false],
    [decrease, '  endless', false],
  ];
  for (const [regex, lineText, expected] of indentation) {
    if (regex.test(lineText) !== expected) {
      const which = regex === increase ? 'increaseIndentPattern' : 'decreaseIndentPattern';
      failures.push(`language-configuration.json: ${which} ${expected ? 'does not match' : 'matches'} \`${lineText}\``);
    }
  }
  return words.length + indentation.length;
}

// ---- The checks ------------------------------------------------------------------------------

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.rubric'
        ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR)
        : null,
  });
  const grammar = await registry.loadGrammar('source.rubric');
  if (!grammar) {
    throw new Error(`cannot load ${GRAMMAR}`);
  }
  return grammar;
}

// The tokens of every line: [{text, tokens: [{startIndex, endIndex, scopes}]}], and problems.
function tokenize(grammar, text, name, failures) {
  const lines = text.split(/\r?\n/);
  let state = vsctm.INITIAL;
  const result = [];
  lines.forEach((lineText, index) => {
    let tokens = [];
    try {
      const r = grammar.tokenizeLine(lineText, state, TIME_LIMIT_MS);
      if (r.stoppedEarly) {
        failures.push(`${name}:${index + 1}: the tokenizer stopped early (over ${TIME_LIMIT_MS} ms)`);
      }
      tokens = r.tokens;
      state = r.ruleStack;
    } catch (error) {
      failures.push(`${name}:${index + 1}: the line failed to tokenize: ${error.message}`);
    }
    result.push({ text: lineText, tokens });
  });
  return { lines: result, endState: state };
}

function hasScope(scopes, expected) {
  return scopes.some((scope) => scope === expected || scope.startsWith(expected + '.'));
}

function scopesAt(line, column) {
  const token = line.tokens.find((t) => t.startIndex <= column && column < t.endIndex);
  return token ? token.scopes : [];
}

function locateLine(lines, locator) {
  if (typeof locator === 'number') {
    return locator >= 1 && locator <= lines.length ? locator - 1 : -1;
  }
  return lines.findIndex((line) => line.text.includes(locator));
}

function checkExpectation(tokenized, expectation, name) {
  const { lines } = tokenized;
  const lineIndex = locateLine(lines, expectation.line);
  if (lineIndex < 0) {
    return `${name}: no line ${JSON.stringify(expectation.line)}`;
  }
  const line = lines[lineIndex];
  let from = 0;
  if (expectation.occurrenceFrom !== undefined) {
    from = line.text.indexOf(expectation.occurrenceFrom);
    from = from < 0 ? line.text.length : from;
  }
  let start = -1;
  for (let n = 0; n < (expectation.nth || 1); n++) {
    start = line.text.indexOf(expectation.text, start < 0 ? from : start + 1);
    if (start < 0) {
      break;
    }
  }
  const where = `${name}:${lineIndex + 1}`;
  const what = `\`${expectation.text}\`${(expectation.nth || 1) > 1 ? ` (occurrence ${expectation.nth})` : ''}`;
  if (start < 0) {
    return `${where}: ${what} is not on the line \`${line.text}\``;
  }
  const end = start + expectation.text.length;
  for (let column = start; column < end; column++) {
    const scopes = scopesAt(line, column);
    if (!hasScope(scopes, expectation.scope)) {
      return `${where}: ${what} should be ${expectation.scope}, but column ${column + 1} (\`${line.text[column]}\`) has ${scopes.join(' ')}`;
    }
    for (const forbidden of expectation.not || []) {
      if (hasScope(scopes, forbidden)) {
        return `${where}: ${what} must not be ${forbidden}, but column ${column + 1} (\`${line.text[column]}\`) has ${scopes.join(' ')}`;
      }
    }
  }
  if (!expectation.partial) {
    for (const column of [start - 1, end]) {
      if (column >= 0 && column < line.text.length && hasScope(scopesAt(line, column), expectation.scope)) {
        return `${where}: ${expectation.scope} should cover exactly ${what}, but it reaches column ${column + 1} (\`${line.text[column]}\`)`;
      }
    }
  }
  return undefined;
}

// Whole-file checks for a valid rule file.
function checkValidFile(tokenized, name, failures) {
  tokenized.lines.forEach((line, index) => {
    for (let column = 0; column < line.text.length; column++) {
      if (/\s/.test(line.text[column])) {
        continue;
      }
      const scopes = scopesAt(line, column);
      const invalid = scopes.find((scope) => scope.startsWith('invalid'));
      if (invalid) {
        failures.push(`${name}:${index + 1}:${column + 1}: \`${line.text[column]}\` is ${invalid} in a valid file`);
        return;
      }
      if (!scopes.some((scope) => scope !== 'source.rubric' && !scope.startsWith('meta.'))) {
        failures.push(`${name}:${index + 1}:${column + 1}: \`${line.text[column]}\` has no scope of its own (${scopes.join(' ')})`);
        return;
      }
    }
  });
}

function checkEndState(grammar, tokenized, name, failures) {
  const after = grammar.tokenizeLine('', tokenized.endState);
  const open = after.tokens.flatMap((t) => t.scopes).find((s) => s.startsWith('comment') || s.startsWith('string'));
  if (open) {
    failures.push(`${name}: the file ends inside ${open}`);
  }
}

function dump(grammar, file) {
  const { lines } = tokenize(grammar, fs.readFileSync(file, 'utf8'), file, []);
  lines.forEach((line, index) => {
    console.log(`${index + 1}: ${line.text}`);
    for (const t of line.tokens) {
      console.log(`    ${JSON.stringify(line.text.slice(t.startIndex, t.endIndex))} ${t.scopes.slice(1).join(' ')}`);
    }
  });
}

function findRubricFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return findRubricFiles(full);
    }
    return entry.name.endsWith('.rubric') ? [full] : [];
  });
}

async function main() {
  const grammar = await loadGrammar();
  if (process.argv[2] === '--dump') {
    dump(grammar, process.argv[3]);
    return 0;
  }
  const failures = [];
  const files = [...findRubricFiles(path.join(ROOT, 'guidelines')).sort(), SAMPLE];
  for (const required of [VF, AF, CURB]) {
    if (!files.includes(required)) {
      failures.push(`${path.relative(ROOT, required)}: missing (the expectations read it)`);
    }
  }
  const tokenized = new Map();
  let lineCount = 0;
  for (const file of files) {
    const name = path.relative(ROOT, file);
    const t = tokenize(grammar, fs.readFileSync(file, 'utf8'), name, failures);
    lineCount += t.lines.length;
    checkValidFile(t, name, failures);
    checkEndState(grammar, t, name, failures);
    tokenized.set(file, t);
  }
  let checks = 0;
  for (const expectation of EXPECTATIONS) {
    checks += 1;
    const t = tokenized.get(expectation.file);
    if (t === undefined) {
      continue;
    }
    const failure = checkExpectation(t, expectation, path.relative(ROOT, expectation.file));
    if (failure) {
      failures.push(failure);
    }
  }
  for (const snippet of SNIPPETS) {
    const name = `snippet (${snippet.about})`;
    const t = tokenize(grammar, snippet.text, name, failures);
    for (const expectation of snippet.expect) {
      checks += 1;
      const failure = checkExpectation(t, expectation, name);
      if (failure) {
        failures.push(failure);
      }
    }
  }
  checks += checkLanguageConfiguration(failures);

  console.log(`${files.length} files (${lineCount} lines) tokenized; ${checks} expectations checked`);
  if (failures.length > 0) {
    console.log(`FAILED: ${failures.length} problem${failures.length === 1 ? '' : 's'}:`);
    for (const failure of failures) {
      console.log(`  - ${failure}`);
    }
    return 1;
  }
  console.log('PASSED');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(1);
  },
);
