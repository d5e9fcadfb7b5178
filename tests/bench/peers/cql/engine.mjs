// The CQL engine side of the anchor: loads the translated ELM (elm/, made by translate.mjs) into
// HL7's cql-execution with cql-exec-fhir's FHIR 4.0.1 data source, and evaluates one patient's
// FHIR R4 Bundle as of an evaluation date. Used by run.mjs and verify.mjs.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const cql = require("cql-execution");
const cqlfhir = require("cql-exec-fhir");

const here = path.dirname(fileURLToPath(import.meta.url));
export const LIBRARY = "VertebralFractureGrade1";

// Recommendation defines are named by their ids (lower_snake_case); facts are the Title Case
// defines named in FACTS below (see the header of cql/VertebralFractureGrade1.cql).
const RECOMMENDATION_NAME = /^[a-z][a-z0-9_]*$/;
const FACTS = [
  "Fracture Grade", "Neurologic Deficit", "Progressive Neurologic Deterioration",
  "Spinal Instability", "Cord Compression", "Time Since Identification", "Pain VAS",
  "Pain Refractory", "Kyphosis Percent", "Height Loss Percent", "Pulmonary Dysfunction",
  "Analgesic Contraindication", "Parenteral Narcotics Required", "Symptoms Changed",
  "Symptoms Persisting", "Age", "Severe Initial Pain", "MRI T2 Fluid Pattern", "Severe Collapse",
];
const factId = (name) => name.toLowerCase().replace(/ /g, "_");

function readElm(name) {
  const file = path.join(here, "elm", `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`node translate.mjs\` first`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function loadEngine() {
  const library = new cql.Library(readElm(LIBRARY),
    new cql.Repository({ FHIRHelpers: readElm("FHIRHelpers") }));
  const recommendations = Object.keys(library.expressions)
    .filter((name) => RECOMMENDATION_NAME.test(name)).sort();
  // Codes are matched literally in the retrieves; no value sets, so the code service is empty.
  const executor = new cql.Executor(library, new cql.CodeService({}));
  const patientSource = cqlfhir.PatientSource.FHIRv401();

  // Evaluates one Bundle (parsed JSON) as of asOf (YYYY-MM-DD). Returns
  // {recommended, undetermined} (sorted ids), or {error: [{fact, resource}]} for bad data
  // ("Data Errors" not empty), and with withFacts the facts read ({fact_name: value}).
  async function evaluate(bundle, asOf, withFacts = false) {
    // One patient per run of the engine: cql-execution keys its results by Patient.id, and
    // every record may use the same id (the generated ones all have Patient/p).
    patientSource.reset();
    patientSource.loadBundles([bundle]);
    const executionDateTime = cql.DateTime.parse(`${asOf}T00:00:00.000Z`);
    const results = await executor.exec_patient_context(patientSource, executionDateTime);
    const values = Object.values(results.patientResults)[0];
    let out;
    const errors = values["Data Errors"];
    if (errors && errors.length > 0) {
      out = { error: errors.map((e) => ({ fact: e.fact, resource: e.resource })) };
    } else {
      const recommended = [];
      const undetermined = [];
      for (const id of recommendations) {
        const value = values[id];
        if (value === true) recommended.push(id);
        else if (value == null) undetermined.push(id);
        else if (value !== false) throw new Error(`define "${id}" is not a Boolean: ${value}`);
      }
      out = { recommended, undetermined };
    }
    if (withFacts) {
      out.facts = {};
      for (const name of FACTS) out.facts[factId(name)] = showFact(values[name]);
    }
    return out;
  }
  return { evaluate, recommendations };
}

// A fact value as the case files write it: numbers, booleans, durations "14 days" / "72 years".
function showFact(value) {
  if (value == null) return null;
  if (value instanceof cql.Quantity) {
    const unit = { d: "days", a: "years" }[value.unit] ?? value.unit;
    return `${value.value} ${unit}`;
  }
  return typeof value === "object" ? String(value) : value;
}
