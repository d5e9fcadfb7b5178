// Evaluate the seed guideline in CQL over FHIR R4 Bundles, one Bundle a line (NDJSON, as
// `rubric batch` reads them), writing one JSON line a patient:
//   {"recommended": [sorted ids], "undetermined": [sorted ids]}
// or, for a record whose bound values break the data dictionary ("Data Errors" in the CQL),
//   {"error": [{"fact": ..., "resource": ...}]}
//
//   node run.mjs --as-of 2026-06-15 patients.ndjson [--facts]      (- or nothing: stdin)
//   node run.mjs --as-of 2026-06-15 patients.ndjson --bench [--repeat N] [-o RESULTS.ndjson]
//
// --facts adds the facts the CQL read. --bench evaluates the file N times (default 3) and prints
// records/s for each pass: the timed part is, for every line, JSON.parse of the Bundle, the
// engine's evaluation and the JSON text of the result line (not writing it). Loading the ELM
// (translation is done beforehand by translate.mjs) and reading the file are not timed. With -o,
// the result lines of the last pass are written to that file after timing.
import fs from "node:fs";
import { loadEngine } from "./engine.mjs";

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error("usage: node run.mjs --as-of YYYY-MM-DD [INPUT.ndjson|-] [--facts] [--bench [--repeat N] [-o FILE]]");
  process.exit(2);
}

const options = { asOf: new Date().toISOString().slice(0, 10), input: "-", facts: false,
  bench: false, repeat: 3, output: null };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--as-of") options.asOf = args[++i];
  else if (arg === "--facts") options.facts = true;
  else if (arg === "--bench") options.bench = true;
  else if (arg === "--repeat") options.repeat = Number(args[++i]);
  else if (arg === "-o" || arg === "--output") options.output = args[++i];
  else if (arg === "-h" || arg === "--help") usage();
  else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
  else options.input = arg;
}
if (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf ?? "")) usage("--as-of needs a date YYYY-MM-DD");
if (!(options.repeat >= 1)) usage("--repeat needs a positive count");

const text = fs.readFileSync(options.input === "-" ? 0 : options.input, "utf8");
const lines = text.split("\n").filter((line) => line.trim() !== "");
const engine = loadEngine();

async function evaluateLine(line) {
  let bundle;
  try {
    bundle = JSON.parse(line);
  } catch (e) {
    return JSON.stringify({ error: `invalid JSON: ${e.message}` });
  }
  return JSON.stringify(await engine.evaluate(bundle, options.asOf, options.facts));
}

if (options.bench) {
  const rates = [];
  let sink = 0;
  let results = [];
  for (let pass = 1; pass <= options.repeat; pass++) {
    results = new Array(lines.length);
    const started = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) sink += (results[i] = await evaluateLine(lines[i])).length;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(lines.length / seconds);
    console.log(`pass ${pass}: ${lines.length} records in ${seconds.toFixed(3)} s: ` +
      `${Math.round(lines.length / seconds)} records/s`);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(`cql-execution ${lines.length} records x ${options.repeat}: first pass ` +
    `${Math.round(rates[0])} records/s, median ${Math.round(sorted[sorted.length >> 1])}, ` +
    `best ${Math.round(sorted[sorted.length - 1])} (1 thread; output ${sink} bytes)`);
  if (options.output) fs.writeFileSync(options.output, results.join("\n") + "\n");
} else {
  const out = [];
  for (const line of lines) out.push(await evaluateLine(line));
  fs.writeSync(1, out.join("\n") + (out.length ? "\n" : ""));
}
