// Check the CQL against the hand-written expectations of the seed's FHIR records, never against
// Rubric's output:
//   - guidelines/vertebral-fracture-grade1/records/*.yaml (record, as_of, expect), and
//   - shared/seed/fhir/new-fracture-elderly.bundle.json, as of 2026-06-15, whose expected result
//     is shared/seed/cases/new-fracture-elderly.yaml (shared/seed/fhir/README.md says so).
// For each record it compares the recommended ids and the undetermined ids (CQL has no notion of
// the facts an undetermined result waits on, so the `missing` lists are not compared), and, as a
// check of the bindings, the facts the CQL read with the facts the case file lists. Records that
// expect an error (bad data) are reported apart: the CQL reports them through "Data Errors".
//
//   node verify.mjs [-v]      exit 0 when every record agrees
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { loadEngine } from "./engine.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../../..");            // the repository
const recordsDir = path.join(root, "guidelines/vertebral-fracture-grade1/records");
const shared = process.env.RUBRIC_SHARED_SEED ?? path.resolve(root, "../shared/seed");
const verbose = process.argv.includes("-v");

const cases = fs.readdirSync(recordsDir).filter((f) => f.endsWith(".yaml")).sort().map((f) => {
  const doc = YAML.parse(fs.readFileSync(path.join(recordsDir, f), "utf8"));
  return { name: f.replace(/\.yaml$/, ""), bundle: path.join(recordsDir, doc.record),
    asOf: String(doc.as_of), expect: doc.expect };
});
const seedCase = path.join(shared, "cases/new-fracture-elderly.yaml");
if (fs.existsSync(seedCase)) {
  const doc = YAML.parse(fs.readFileSync(seedCase, "utf8"));
  cases.push({ name: "shared/seed/fhir/new-fracture-elderly", asOf: "2026-06-15",
    bundle: path.join(shared, "fhir/new-fracture-elderly.bundle.json"),
    expect: { facts: doc.facts, ...doc.expect } });
} else {
  console.error(`note: ${seedCase} not found (set RUBRIC_SHARED_SEED); the shared example is skipped`);
}

// A fact value as a comparable string: durations in days or years, numbers as numbers.
function normalize(value) {
  if (value == null) return "absent";
  if (typeof value !== "string") return String(value);
  const m = value.trim().match(/^(-?[\d.]+)\s*(days?|d|weeks?|wk|years?|a)$/);
  if (!m) return value;
  const n = Number(m[1]);
  if (/^(weeks?|wk)$/.test(m[2])) return `${n * 7} days`;
  return /^(days?|d)$/.test(m[2]) ? `${n} days` : `${n} years`;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const engine = loadEngine();
const outcome = { agree: [], disagree: [], errorAgree: [], errorDisagree: [] };
const factMismatches = [];

for (const c of cases) {
  const bundle = JSON.parse(fs.readFileSync(c.bundle, "utf8"));
  const got = await engine.evaluate(bundle, c.asOf, true);
  const e = c.expect;
  if (e.error) {
    const hit = (got.error ?? []).some((x) => x.fact === e.error && x.resource === e.resource);
    const what = got.error
      ? `CQL "Data Errors": ${got.error.map((x) => `${x.fact} ${x.resource}`).join(", ")}`
      : `CQL evaluates it: recommended [${got.recommended.join(", ")}], ` +
        `undetermined [${got.undetermined.join(", ")}]`;
    (hit ? outcome.errorAgree : outcome.errorDisagree).push(
      `${c.name}: expected error ${e.error} ${e.resource}; ${what}`);
    continue;
  }
  const wantRecommended = [...(e.recommendations ?? [])].sort();
  const wantUndetermined = Object.keys(e.undetermined ?? {}).sort();
  if (got.error) {
    outcome.disagree.push(`${c.name}: CQL reports bad data ${JSON.stringify(got.error)}`);
    continue;
  }
  const problems = [];
  if (!same(got.recommended, wantRecommended)) {
    problems.push(`recommended: CQL [${got.recommended}] expected [${wantRecommended}]`);
  }
  if (!same(got.undetermined, wantUndetermined)) {
    problems.push(`undetermined: CQL [${got.undetermined}] expected [${wantUndetermined}]`);
  }
  (problems.length ? outcome.disagree : outcome.agree).push(`${c.name}${problems.length ? ": " + problems.join("; ") : ""}`);
  // The facts: a fact the case file does not list is absent.
  const wantFacts = e.facts ?? {};
  for (const [fact, value] of Object.entries(got.facts)) {
    const want = normalize(wantFacts[fact]);
    const have = normalize(value);
    if (want !== have) factMismatches.push(`${c.name}: ${fact} CQL ${have}, expected ${want}`);
  }
}

const total = cases.length;
const errorCases = outcome.errorAgree.length + outcome.errorDisagree.length;
console.log(`records: ${total} (${total - errorCases} with expected results, ${errorCases} expecting a bad-data error)`);
console.log(`results agree: ${outcome.agree.length} of ${total - errorCases}`);
for (const line of outcome.disagree) console.log(`  DISAGREE ${line}`);
if (verbose) for (const line of outcome.agree) console.log(`  agree ${line}`);
console.log(`bad-data records where the CQL reports the expected fact and resource: ${outcome.errorAgree.length} of ${errorCases}`);
for (const line of outcome.errorDisagree) console.log(`  DIFFERENT ${line}`);
if (verbose) for (const line of outcome.errorAgree) console.log(`  same ${line}`);
console.log(`facts read as the case files list them: ${factMismatches.length === 0 ? "all" : factMismatches.length + " mismatches"}`);
for (const line of factMismatches) console.log(`  FACT ${line}`);
process.exit(outcome.disagree.length + outcome.errorDisagree.length + factMismatches.length ? 1 : 0);
