// Checks Calc's Kubernetes manifests against the Kubernetes API schemas, two ways, both offline:
// 1. kubernetes-models' validators (the Kubernetes OpenAPI schemas compiled to JSON-schema checks): types,
//    formats, enums, required fields;
// 2. TypeScript's excess-property check against kubernetes-models' interfaces (IDeployment, …): a misspelt
//    or misplaced field anywhere in the tree is an error, which the JSON-schema check lets through because
//    the Kubernetes schemas do not forbid additional properties.
// Usage: node validate.mjs DIR...   Exit 0 only when every document of every *.yaml passed both.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const modulePath = (apiVersion) => {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
};

let failed = 0;
const docs = [];
for (const dir of process.argv.slice(2)) {
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const path = join(dir, file);
    for (const [i, doc] of parseAllDocuments(readFileSync(path, "utf8")).entries()) {
      const where = `${path} #${i + 1}`;
      if (doc.errors.length > 0) {
        console.error(`FAIL ${where}: YAML: ${doc.errors[0].message}`);
        failed++;
        continue;
      }
      const obj = doc.toJS();
      if (obj !== null) docs.push({ where: `${where} ${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`, obj });
    }
  }
}

// 1. schema validators
for (const d of docs) {
  try {
    const Model = (await import(modulePath(d.obj.apiVersion)))[d.obj.kind];
    if (!Model) throw new Error(`unknown kind ${d.obj.kind} in ${d.obj.apiVersion}`);
    new Model(d.obj).validate();
  } catch (e) {
    failed++;
    console.error(`FAIL ${d.where}: ${e.message}`);
  }
}

// 2. excess-property check
// written beside node_modules so the type imports resolve; removed afterwards
const work = join(here, ".check");
mkdirSync(work, { recursive: true });
const lines = docs.map((d, i) =>
  `// ${d.where}\nimport type { I${d.obj.kind} as T${i} } from "${modulePath(d.obj.apiVersion)}";\n` +
  `export const doc${i}: T${i} = ${JSON.stringify(d.obj, null, 2)};`);
const ts = join(work, "manifests.ts");
writeFileSync(ts, lines.join("\n\n") + "\n");
try {
  execFileSync(process.execPath, [join(here, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict",
    "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", ts], { cwd: here, stdio: "pipe" });
} catch (e) {
  const out = e.stdout.toString();
  // map each error line back to the manifest it belongs to
  const src = readFileSync(ts, "utf8").split("\n");
  for (const m of out.matchAll(/manifests\.ts\((\d+),\d+\): error (TS\d+: .*)/g)) {
    let n = Number(m[1]) - 1;
    while (n > 0 && !src[n].startsWith("// ")) n--;
    console.error(`FAIL ${src[n].slice(3)}: ${m[2]}`);
    failed++;
  }
  if (failed === 0) { console.error(out); failed++; }
} finally {
  rmSync(work, { recursive: true, force: true });
}

for (const d of docs) console.log(`${failed === 0 ? "ok  " : "    "} ${d.where}`);
console.log(`${docs.length} manifests checked (schemas, excess properties): ${failed === 0 ? "all valid" : `${failed} errors`}`);
process.exit(failed === 0 && docs.length > 0 ? 0 : 1);
