/**
 * The chart's default `config:` block, generated from the config schema: each
 * key rendered with the schema's doc text as its comment. Every schema key must be either
 * rendered here or listed in OMIT — a new config key without a decision fails generation, and
 * therefore CI (the values.yaml drift check), so the chart cannot silently fall behind.
 */
import { Document, isMap, isPair, isScalar, type Node } from "yaml";
import { configJsonSchema } from "../src/config/schema.ts";
import { PORTKEY_CHART_SOURCE } from "../src/sources/portkey/example.ts";

export const BEGIN = "# >>> BEGIN generated config — do not edit by hand; run `npm run schema` <<<";
export const END = "# >>> END generated config <<<";

/** What the chart renders. `${NAME}` are resolved by the binary from env. */
export const CHART_CONFIG = {
  emit: {
    telemetry: {
      otlp: {
        endpoint: "${GC_OTLP_ENDPOINT}",
        instance_id: "${GC_INSTANCE_ID}",
        token: "${GC_OTLP_TOKEN}",
        allow_insecure: false,
      },
    },
  },
  identity: { service_namespace: "genai-otel-bridge", deployment_environment: "${ENV}" },
  ha: { coordinator: "lease", checkpoint: "configmap" },
  queue: { max_batches: 256, max_batch_bytes: 1048576, emit_workers: 1 },
  governance: {
    per_metric_cardinality_budget: 10000,
    max_dpm: 1,
    max_catchup_per_tick: 1,
    max_stream_label_keys: 15,
    allow_label_keys: [],
  },
  log: { format: "logfmt", level: "info" },
  selfobs: { profiling: { enabled: false, mode: "pull", pull: { addr: ":6060" } }, tracing: { enabled: false } },
  sources: [
    {
      ...PORTKEY_CHART_SOURCE,
      loops: {
        analytics: {
          enabled: true,
          cadence: "60s",
          window: "50m",
          bucket_settle: "10m",
          bootstrap_lookback: "50m",
          max_backfill: "90m",
          metric_prefix: "portkey_api",
          graphs: ["requests", "cost", "tokens", "latency", "errors"],
        },
      },
    },
  ],
};

/** Schema paths deliberately left out of the default block. */
export const OMIT = [
  "emit.self",
  "emit.telemetry.metric_interval",
  "ha.dynamodb",
  "selfobs.profiling.push",
  "sources[].http",
  "sources[].api_key_use_cases",
  "sources[].loops.<name>.settings",
];

type Js = Record<string, unknown>;

/** Every leaf path of the schema, with `[]` for list items and `<name>` for map entries. */
export function schemaLeaves(js: Js = configJsonSchema(), path = ""): string[] {
  const obj = Array.isArray(js.anyOf) ? ((js.anyOf as Js[]).find((b) => b.type === "object") ?? js) : js;
  if (obj.type === "object" && obj.properties) {
    return Object.entries(obj.properties as Record<string, Js>).flatMap(([k, v]) =>
      schemaLeaves(v, path ? `${path}.${k}` : k),
    );
  }
  if (obj.type === "object" && obj.additionalProperties && (obj.additionalProperties as Js).properties) {
    return schemaLeaves(obj.additionalProperties as Js, `${path}.<name>`);
  }
  if (obj.type === "array" && (obj.items as Js).properties) return schemaLeaves(obj.items as Js, `${path}[]`);
  return [path];
}

function has(o: unknown, parts: string[]): boolean {
  if (parts.length === 0) return true;
  const [head, ...rest] = parts;
  if (o === null || typeof o !== "object") return false;
  if (head === "[]") return Array.isArray(o) && o.every((x) => has(x, rest));
  if (head === "<name>") return Object.values(o as object).every((x) => has(x, rest));
  return head !== undefined && head in (o as object) && has((o as Record<string, unknown>)[head], rest);
}

/** Schema leaves that are neither rendered nor omitted (must be empty). */
export function uncovered(): string[] {
  return schemaLeaves().filter((leaf) => {
    if (OMIT.some((o) => leaf === o || leaf.startsWith(`${o}.`) || leaf.startsWith(`${o}[`))) return false;
    const parts = leaf
      .replace(/\[\]/g, ".[]")
      .split(".")
      .filter((p) => p !== "");
    return !has(CHART_CONFIG, parts);
  });
}

function describe(path: string[]): string {
  let js: Js | undefined = configJsonSchema();
  for (const p of path) {
    if (!js) return "";
    const anyOf = js.anyOf;
    const o: Js = Array.isArray(anyOf) ? ((anyOf as Js[]).find((b) => b.type === "object") ?? js) : js;
    if (p === "[]") js = o.items as Js;
    else if (o.properties && (o.properties as Js)[p]) js = (o.properties as Record<string, Js>)[p];
    else if (o.additionalProperties && typeof o.additionalProperties === "object") js = o.additionalProperties as Js;
    else return "";
  }
  return String(js?.description ?? "");
}

function annotate(node: Node | null | undefined, path: string[]): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const p = [...path, key];
      const doc = describe(p);
      if (doc) pair.key.commentBefore = ` ${doc}`;
      annotate(pair.value as Node, p);
    }
  } else if ("items" in (node as object)) {
    for (const item of (node as unknown as { items: Node[] }).items) annotate(item, [...path, "[]"]);
  }
}

/** The spliced region: markers, `config:`, the block indented two spaces. */
export function renderConfigRegion(): string {
  const missing = uncovered();
  if (missing.length > 0) {
    throw new Error(
      `chart config generator: no render decision for ${missing.join(", ")} — add it to CHART_CONFIG or OMIT`,
    );
  }
  const doc = new Document(CHART_CONFIG);
  annotate(doc.contents as Node, []);
  const body = doc.toString({ lineWidth: 0 }).trimEnd();
  const indented = body
    .split("\n")
    .map((l) => (l === "" ? "" : `  ${l}`))
    .join("\n");
  return `${BEGIN}\nconfig:\n${indented}\n${END}`;
}

/**
 * Replace the region between two marker lines of `values` (matched trimmed: the first BEGIN,
 * then the first END after it); throws when a marker is missing.
 */
export function splice(values: string, region: string, begin = BEGIN, end = END): string {
  const lines = values.split("\n");
  const b = lines.findIndex((l) => l.trim() === begin);
  const e = lines.findIndex((l, i) => b >= 0 && i > b && l.trim() === end);
  if (b < 0 || e < 0) throw new Error(`values.yaml: marker ${JSON.stringify(b < 0 ? begin : end)} not found`);
  return [...lines.slice(0, b), region, ...lines.slice(e + 1)].join("\n");
}
