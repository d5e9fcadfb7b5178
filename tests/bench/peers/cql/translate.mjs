// Translate the CQL libraries of this folder to ELM JSON with the HL7 CQL-to-ELM translator
// (npm @cqframework/cql: the Kotlin/JS build of cqframework/clinical_quality_language; no Java).
//
//   node translate.mjs            -> elm/FHIRHelpers.json, elm/VertebralFractureGrade1.json
//   node translate.mjs FILE.cql   -> elm/<library name>.json (plus FHIRHelpers)
//
// Model info comes from npm only: the System model is built into @cqframework/cql, and the FHIR
// 4.0.1 model info is the copy shipped in cql-exec-fhir (lib/modelInfos/fhir-modelinfo-4.0.1.xml),
// the same one the engine reads the records with. Included libraries (FHIRHelpers-4.0.1.cql) are
// read from cql/. Exits 1 when a library has translation errors.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
globalThis.require = require; // kotlinx-io inside @cqframework/cql needs a global `require` under ESM
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NamespaceManager, SystemModelInfoProvider } from "@cqframework/cql/cql";
import {
  ModelManager, LibraryManager, CqlTranslator, CqlCompilerOptions,
  createModelInfoProvider, createLibrarySourceProvider, createUcumService, stringAsSource,
} from "@cqframework/cql/cql-to-elm";

const here = path.dirname(fileURLToPath(import.meta.url));
const cqlDir = path.join(here, "cql");
const elmDir = path.join(here, "elm");

const fhirModelInfo = fs.readFileSync(
  require.resolve("cql-exec-fhir/lib/modelInfos/fhir-modelinfo-4.0.1.xml"), "utf8");
const modelManager = new ModelManager(new NamespaceManager());
modelManager.modelInfoLoader.registerModelInfoProvider(new SystemModelInfoProvider());
// Provider callbacks get (name, namespaceUri, version) and return a source or null.
modelManager.modelInfoLoader.registerModelInfoProvider(createModelInfoProvider((name, _ns, version) =>
  name === "FHIR" && version === "4.0.1" ? stringAsSource(fhirModelInfo) : null));

// The translator checks UCUM units of Quantity literals ('wk', 'mo', 'mg/d', '[iU]/d'); back its
// UCUM service with @lhncbc/ucum-lhc, the UCUM library cql-execution itself uses.
const ucum = require("@lhncbc/ucum-lhc").UcumLhcUtils.getInstance();
const ucumService = createUcumService(
  (value, from, to) => {                     // convertUnit(value as text, from, to) -> text
    const r = ucum.convertUnitTo(from, Number(value), to);
    if (r.status !== "succeeded") throw new Error(`UCUM: cannot convert ${from} to ${to}: ${r.msg}`);
    return String(r.toVal);
  },
  (unit) => {                                // validateUnit(unit) -> null when valid, else a message
    const r = ucum.validateUnitString(unit, true);
    return r.status === "valid" ? null : (r.msg || []).join("; ") || `invalid UCUM unit ${unit}`;
  },
  () => { throw new Error("UCUM multiply is not used by these libraries"); },
  () => { throw new Error("UCUM divideBy is not used by these libraries"); },
);

const libraryManager = new LibraryManager(
  modelManager, CqlCompilerOptions.defaultOptions(), undefined, ucumService);
libraryManager.librarySourceLoader.registerProvider(createLibrarySourceProvider((name, _ns, version) => {
  const file = path.join(cqlDir, `${name}-${version}.cql`);
  return fs.existsSync(file) ? stringAsSource(fs.readFileSync(file, "utf8")) : null;
}));

const asArray = (list) => (list.asJsReadonlyArrayView ? list.asJsReadonlyArrayView() : list.toArray());

function translate(file) {
  const started = performance.now();
  const translator = CqlTranslator.fromText(fs.readFileSync(file, "utf8"), libraryManager);
  const ms = performance.now() - started;
  const errors = asArray(translator.errors); // errors are collected, not thrown
  for (const e of errors) {
    const where = e.locator ? ` (${e.locator.toString()})` : "";
    console.error(`${path.relative(here, file)}: error: ${e.message}${where}`);
  }
  const json = translator.toJson();
  const name = JSON.parse(json).library.identifier.id;
  const out = path.join(elmDir, `${name}.json`);
  if (errors.length > 0) {
    fs.rmSync(out, { force: true }); // never leave ELM that does not match its CQL
    console.error(`${path.relative(here, file)}: ${errors.length} errors, elm/${name}.json not written`);
    return errors.length;
  }
  fs.writeFileSync(out, json);
  console.log(`${path.relative(here, file)} -> elm/${name}.json (${json.length} bytes, ` +
    `${ms.toFixed(0)} ms, ${errors.length} errors)`);
  return errors.length;
}

fs.mkdirSync(elmDir, { recursive: true });
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : [path.join(cqlDir, "VertebralFractureGrade1.cql")];
let errors = translate(path.join(cqlDir, "FHIRHelpers-4.0.1.cql"));
for (const file of files) errors += translate(path.resolve(file));
process.exit(errors > 0 ? 1 : 0);
