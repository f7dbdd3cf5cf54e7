// Validates every object of rendered Kubernetes manifests (multi-document YAML files) offline against the schemas
// that the pinned npm packages ship: kubernetes-models (the Kubernetes OpenAPI definitions),
// @kubernetes-models/prometheus-operator (the Prometheus Operator's CRDs, ServiceMonitor among them) and
// @kubernetes-models/keda (KEDA's keda.sh/v1alpha1 API types, ScaledObject among them). All are ajv validators
// compiled from those schemas: types, required fields, enums, patterns and formats.
//
// What a schema cannot see: a KEDA trigger's metadata is a free map of strings in KEDA's API (each scaler reads its
// own keys when it runs), so a ScaledObject's serverAddress, query and threshold are checked by K8sManifestsTest,
// not here.
//
// They accept fields that no schema defines (like the API server without strict field validation), so this script
// also fails on unknown fields: it hands the validator a proxy of each object and records which keys the schema code
// looked up. A key it never read is defined nowhere in the schema; an object whose keys the schema code enumerated
// is a map (labels, ConfigMap data, resource limits) whose keys are free. (A field whose schema is empty is never
// read either: it would be reported as unknown, a false alarm rather than a silent pass.)
//
// Exit status 1 if any object has no schema (unknown apiVersion/kind), uses a pre-release apiVersion of a kind that
// has a stable one, fails its schema or has an unknown field.
//
// Usage: node validate.mjs FILE.yaml...
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

// API groups served by custom resource definitions, and the package whose models carry their schemas.
const CRD_PACKAGES = {
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
    "keda.sh": "@kubernetes-models/keda",
};

async function modelFor(apiVersion, kind) {
    if (typeof apiVersion !== "string" || typeof kind !== "string"
        || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        return null;
    }
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const module = `${CRD_PACKAGES[group] ?? "kubernetes-models"}/${apiVersion}/${kind}`;
    try {
        const model = (await import(module))[kind];
        return model && model.apiVersion === apiVersion && model.kind === kind ? model : null;
    } catch (e) {
        if (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
            return null;
        }
        throw e;
    }
}

// kubernetes-models keeps the schemas of API versions that Kubernetes has since removed (extensions/v1beta1,
// policy/v1beta1, autoscaling/v2beta2, ...). An alpha or beta version of a kind that also has a stable version, in
// any group, is refused: that is where removed versions live, and manifests should not use one either way.
const stableVersions = new Map();   // kind -> ["apps/v1", ...]
for (const root of [dirname(fileURLToPath(import.meta.resolve("kubernetes-models"))),
    ...Object.values(CRD_PACKAGES).map((p) => dirname(fileURLToPath(import.meta.resolve(p))))]) {
    for (const entry of readdirSync(root, { recursive: true })) {
        const match = /^(?:(.+)\/)?(v[0-9]+)\/([A-Z][A-Za-z0-9]*)\.js$/.exec(entry);
        if (match) {
            const apiVersion = match[1] ? `${match[1]}/${match[2]}` : match[2];
            stableVersions.set(match[3], [...(stableVersions.get(match[3]) ?? []), apiVersion]);
        }
    }
}

/** A copy of value whose objects record the keys read (into seen, by JSON pointer). */
function tracked(value, pointer, seen) {
    if (value === null || typeof value !== "object") {
        return value;
    }
    const record = { value, read: new Set(), enumerated: false };
    seen.set(pointer, record);
    const copy = Array.isArray(value)
        ? value.map((item, i) => tracked(item, `${pointer}/${i}`, seen))
        : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tracked(v, `${pointer}/${k}`, seen)]));
    const read = (key) => typeof key === "string" && record.read.add(key);
    return new Proxy(copy, {
        get(target, key, receiver) { read(key); return Reflect.get(target, key, receiver); },
        has(target, key) { read(key); return Reflect.has(target, key); },
        getOwnPropertyDescriptor(target, key) { read(key); return Reflect.getOwnPropertyDescriptor(target, key); },
        ownKeys(target) { record.enumerated = true; return Reflect.ownKeys(target); },
    });
}

/** The problems of one object, as strings; empty when it is valid. */
async function problemsOf(object) {
    if (object === null || typeof object !== "object" || Array.isArray(object)) {
        return ["not a Kubernetes object (a YAML mapping with apiVersion and kind)"];
    }
    const model = await modelFor(object.apiVersion, object.kind);
    if (!model) {
        return [`no schema for apiVersion ${JSON.stringify(object.apiVersion)} kind ${JSON.stringify(object.kind)}: `
            + "unknown or misspelled, or a custom resource whose schema package is not installed"];
    }
    const problems = [];
    const stable = stableVersions.get(object.kind) ?? [];
    if (/\/?v[0-9]+(alpha|beta)[0-9]+$/.test(object.apiVersion) && stable.length > 0) {
        problems.push(`apiVersion ${object.apiVersion} is a pre-release (removed from Kubernetes, or about to be): `
            + `use ${stable.join(" or ")}`);
    }
    const seen = new Map();
    try {
        model.prototype.validate.call(tracked(object, "", seen));
    } catch (e) {
        if (!Array.isArray(e.errors)) {
            throw e;
        }
        for (const error of e.errors) {
            const allowed = error.params?.allowedValues ? ` (${error.params.allowedValues.join(", ")})` : "";
            problems.push(`${error.instancePath || "/"} ${error.message}${allowed}`);
        }
    }
    const unknown = [];   // pointers; parents come before their children in seen
    for (const [pointer, record] of seen) {
        if (Array.isArray(record.value) || record.enumerated
            || unknown.some((u) => pointer === u || pointer.startsWith(`${u}/`))) {
            continue;
        }
        for (const key of Object.keys(record.value)) {
            if (!record.read.has(key)) {
                unknown.push(`${pointer}/${key}`);
                problems.push(`${pointer}/${key} is not a field of ${object.apiVersion} ${object.kind} (unknown field)`);
            }
        }
    }
    if (typeof object.metadata?.name !== "string" || object.metadata.name === "") {
        problems.push("/metadata/name is missing");
    }
    return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error("usage: node validate.mjs FILE.yaml...");
    process.exit(2);
}
let objects = 0;
let failures = 0;
const kinds = new Set();
for (const file of files) {
    const documents = parseAllDocuments(readFileSync(file, "utf8"));
    let inFile = 0;
    for (const document of documents) {
        if (document.errors.length > 0) {
            console.error(`FAIL ${file}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
            failures++;
            continue;
        }
        const object = document.toJS();
        if (object === null) {
            continue;
        }
        objects++;
        inFile++;
        const name = `${object?.kind ?? "?"}/${object?.metadata?.name ?? "?"}`;
        const problems = await problemsOf(object);
        if (problems.length > 0) {
            failures++;
            for (const problem of problems) {
                console.error(`FAIL ${basename(file)} ${name}: ${problem}`);
            }
        } else {
            kinds.add(`${object.apiVersion} ${object.kind}`);
        }
    }
    if (inFile === 0) {
        console.error(`FAIL ${file}: no Kubernetes objects`);
        failures++;
    }
}
if (failures > 0) {
    console.error(`schema validation FAILED: ${failures} of ${objects} objects (or files) in ${files.length} files`);
    process.exit(1);
}
console.log(`schema validation: all ${objects} objects in ${files.length} files valid (${[...kinds].sort().join(", ")})`);
