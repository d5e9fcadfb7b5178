// Compare, line by line, the outcomes of `rubric batch` (full or --compact JSON lines) with those
// of run.mjs on the same NDJSON input: the set of recommended ids and the set of undetermined ids.
//   node compare.mjs RUBRIC_OUTPUT.ndjson CQL_OUTPUT.ndjson
// Exit 0 when every line agrees. Rubric's `missing` lists have no CQL counterpart and are ignored.
import fs from "node:fs";

const [rubricFile, cqlFile] = process.argv.slice(2);
if (!rubricFile || !cqlFile) {
  console.error("usage: node compare.mjs RUBRIC_OUTPUT.ndjson CQL_OUTPUT.ndjson");
  process.exit(2);
}
const read = (file) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));
const rubric = read(rubricFile);
const cql = read(cqlFile);
if (rubric.length !== cql.length) {
  console.error(`line counts differ: rubric ${rubric.length}, cql ${cql.length}`);
  process.exit(1);
}
const ids = (list) => (list ?? []).map((x) => (typeof x === "string" ? x : x.id)).sort().join(",");
let agree = 0;
const counts = { recommended: 0, undetermined: 0, errors: 0 };
const shown = [];
for (let i = 0; i < rubric.length; i++) {
  const r = rubric[i];
  const c = cql[i];
  const rText = r.error ? `error ${r.fact ?? r.error} ${r.resource ?? ""}`.trim()
    : `recommended [${ids(r.recommendations)}] undetermined [${ids(r.undetermined)}]`;
  const cText = c.error ? `error ${typeof c.error === "string" ? c.error : c.error.map((e) => `${e.fact} ${e.resource}`).join(", ")}`
    : `recommended [${ids(c.recommended)}] undetermined [${ids(c.undetermined)}]`;
  if (r.error) counts.errors++;
  else {
    counts.recommended += (r.recommendations ?? []).length;
    counts.undetermined += (r.undetermined ?? []).length;
  }
  if (rText === cText) agree++;
  else if (shown.length < 20) shown.push(`line ${i + 1}: rubric ${rText}\n          cql    ${cText}`);
}
console.log(`outcomes agree on ${agree} of ${rubric.length} records ` +
  `(rubric: ${counts.recommended} recommendations made, ${counts.undetermined} undetermined, ${counts.errors} rejected records)`);
for (const line of shown) console.log(`  DIFFER ${line}`);
process.exit(agree === rubric.length ? 0 : 1);
