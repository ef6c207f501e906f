/**
 * The chart's commented source-examples region: each
 * registered source's example rendered as one `sources:` list item, entirely commented out.
 * Struct fields keep their written order and zero values are left out; map keys (loops,
 * settings) are sorted; schema durations are written compactly (`1m`, `1h30m`); each settings
 * key gets its explanation as a comment that stays a comment once the block is uncommented.
 */
import { Document, isMap, isPair, isScalar, type Node, type Scalar } from "yaml";
import { configJsonSchema } from "../src/config/schema.ts";
import { DURATION_PATTERN, formatDuration, parseDuration } from "../src/model/duration.ts";
import type { SourceExample } from "../src/sources/define.ts";
import { registry } from "../src/sources/registry.ts";

export const EXAMPLES_BEGIN = "# >>> BEGIN generated source examples — do not edit by hand; run `npm run schema` <<<";
export const EXAMPLES_END = "# >>> END generated source examples <<<";

const HEADER = [
  "# Inactive examples of non-default source shapes; nothing here is read. This build runs every loop below.",
  "# To use one, copy its list item under config.sources (or into configOverride) and remove one leading '# ' per line.",
];

type Js = Record<string, unknown>;

function objectBranch(js: Js): Js {
  return Array.isArray(js.anyOf) ? ((js.anyOf as Js[]).find((b) => b.type === "object") ?? js) : js;
}

/** `1h`, `24h`, `1h30m`, `1m30s`, `0s`: Go's form with the trailing zero units dropped. */
export function compactDuration(text: string): string {
  const full = formatDuration(parseDuration(text));
  return full.replace(/(\d+m)0s$/, "$1").replace(/(\d+h)0m$/, "$1");
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}

/** The value laid out for output, led by the schema node it sits under. */
function shape(value: unknown, js: Js | undefined, path: string): unknown {
  const node = js ? objectBranch(js) : undefined;
  if (Array.isArray(value)) return value.map((v, i) => shape(v, node?.items as Js | undefined, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Js);
    if (node?.properties) {
      // A struct: written order, zero-valued fields left out, unknown fields refused.
      const props = node.properties as Record<string, Js>;
      const out: Js = {};
      for (const [k, v] of entries) {
        if (!(k in props)) throw new Error(`source example: ${path}.${k} is not a config key`);
        if (!isZero(v)) out[k] = shape(v, props[k], `${path}.${k}`);
      }
      return out;
    }
    if (node?.additionalProperties && typeof node.additionalProperties === "object") {
      // A map: sorted keys, every entry kept (empty settings strings stay `""`).
      const item = node.additionalProperties as Js;
      const out: Js = {};
      for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        out[k] = shape(v, item, `${path}.${k}`);
      }
      return out;
    }
    throw new Error(`source example: ${path} is not an object in the config schema`);
  }
  if (typeof value === "string" && node?.pattern === DURATION_PATTERN) return compactDuration(value);
  return value;
}

/** The entries of a YAML map whose keys are scalars (empty for anything else). */
function entries(map: unknown): { name: string; key: Scalar; value: Node }[] {
  if (!isMap(map)) return [];
  return map.items.flatMap((p) =>
    isPair(p) && isScalar(p.key) ? [{ name: String(p.key.value), key: p.key, value: p.value as Node }] : [],
  );
}

/** One source as YAML lines (not yet commented out), with its settings explained. */
function sourceLines(type: string, example: SourceExample): string[] {
  const itemSchema = (configJsonSchema().properties as Record<string, Js>).sources?.items as Js;
  const doc = new Document(shape(example.source, itemSchema, `example ${type}`));
  const loops = entries(doc.contents).find((e) => e.name === "loops");
  const explained = new Set<string>();
  for (const loop of entries(loops?.value)) {
    const settings = entries(loop.value).find((e) => e.name === "settings");
    for (const s of entries(settings?.value)) {
      const text = example.settingsDocs[loop.name]?.[s.name];
      if (!text) throw new Error(`source example ${type}: loops.${loop.name}.settings.${s.name} has no explanation`);
      s.key.commentBefore = ` ${text}`;
      explained.add(`${loop.name}.${s.name}`);
    }
  }
  for (const [loop, keys] of Object.entries(example.settingsDocs)) {
    for (const key of Object.keys(keys)) {
      if (!explained.has(`${loop}.${key}`)) {
        throw new Error(
          `source example ${type}: explanation for loops.${loop}.settings.${key}, which the example lacks`,
        );
      }
    }
  }
  return doc.toString({ lineWidth: 0 }).trimEnd().split("\n");
}

/** The region: markers, the two header lines, `sources:` and one commented list item per source. */
export function renderExamplesRegion(
  descriptors: readonly { type: string; example?: SourceExample }[] = registry.vendors(),
): string {
  const lines = ["sources:"];
  for (const d of descriptors) {
    if (!d.example) continue;
    sourceLines(d.type, d.example).forEach((l, i) => {
      lines.push(i === 0 ? `  - ${l}` : l === "" ? "" : `    ${l}`);
    });
  }
  const commented = lines.map((l) => (l === "" ? "#" : `# ${l}`));
  return [EXAMPLES_BEGIN, ...HEADER, ...commented, EXAMPLES_END].join("\n");
}
