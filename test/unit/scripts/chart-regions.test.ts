/**
 * The two generated regions of deploy/helm/values.yaml: the committed text must
 * equal what the generators render (gates A and B), and the commented source examples must be a
 * config this build accepts once uncommented.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { BEGIN, END, renderConfigRegion, splice } from "../../../scripts/chart-config.ts";
import {
  compactDuration,
  EXAMPLES_BEGIN,
  EXAMPLES_END,
  renderExamplesRegion,
} from "../../../scripts/chart-examples.ts";
import { portkeyExample } from "../../../src/sources/portkey/example.ts";
import { B, buildError, ENV_B, validate } from "../../support/config-fixtures.ts";

const VALUES = readFileSync(join(import.meta.dir, "../../../deploy/helm/values.yaml"), "utf8");

function committedRegion(begin: string, end: string): string {
  const lines = VALUES.split("\n");
  const b = lines.findIndex((l) => l.trim() === begin);
  const e = lines.findIndex((l, i) => b >= 0 && i > b && l.trim() === end);
  if (b < 0 || e < 0) throw new Error(`values.yaml has no ${begin} … ${end} region`);
  return lines.slice(b, e + 1).join("\n");
}

/** The examples region with its markers and header dropped and one `# ` removed per line. */
function uncommentedExamples(): string {
  const body = committedRegion(EXAMPLES_BEGIN, EXAMPLES_END).split("\n").slice(3, -1);
  return body.map((l) => (l === "#" ? "" : l.startsWith("# ") ? l.slice(2) : `!!${l}`)).join("\n");
}

describe("values.yaml generated regions", () => {
  test("gate A: the config region is what the schema renders (stale — run npm run schema)", () => {
    expect(committedRegion(BEGIN, END)).toBe(renderConfigRegion());
  });

  test("gate B: the source-examples region is what the examples render (stale — run npm run schema)", () => {
    expect(committedRegion(EXAMPLES_BEGIN, EXAMPLES_END)).toBe(renderExamplesRegion());
  });

  test("every line of the examples region is a comment, so none of it is active config", () => {
    const region = committedRegion(EXAMPLES_BEGIN, EXAMPLES_END).split("\n");
    expect(region.every((l) => l.startsWith("#"))).toBe(true);
    const parsed = parseDocument(VALUES).toJS() as Record<string, unknown>;
    expect(Object.keys(parsed)).not.toContain("sources");
  });

  test("uncommented, the examples are valid config whose settings keep their explanations as comments", () => {
    const sources = uncommentedExamples();
    expect(sources).not.toContain("!!");
    expect(sources).toContain('          # Emit the per-group cost series.\n          emit_cost: "true"');
    const text = `${B.slice(0, B.indexOf("sources:"))}${sources}\n`;
    const env = { ...ENV_B, LANGSMITH_API_KEY: "ls", OPENAI_ADMIN_KEY: "oa", ANTHROPIC_ADMIN_KEY: "an" };
    expect(validate(text, env)).toEqual([]);
    // And this build runs every loop of them, as the region's header says.
    expect(buildError(text, env)).toBe("");
  });

  test("maps are sorted, zero-valued struct fields left out, durations compact", () => {
    const sources = uncommentedExamples();
    const doc = parseDocument(sources).toJS() as { sources: Record<string, unknown>[] };
    const [portkey, langsmith, openai, anthropic] = doc.sources;
    expect(Object.keys(portkey?.loops as object)).toEqual(["groups", "logs_export"]);
    expect(Object.keys(langsmith?.loops as object)).toEqual(["runs", "sessions", "usage"]);
    expect(Object.keys(openai?.loops as object)).toEqual(["costs", "usage"]);
    expect(Object.keys(anthropic?.loops as object)).toEqual(["costs", "usage"]);
    const loops = portkey?.loops as Record<string, { settings: Record<string, string> }> | undefined;
    const settings = loops?.logs_export?.settings;
    const keys = Object.keys(settings ?? {});
    expect(keys).toEqual([...keys].sort());
    expect(settings?.trace_id_field).toBe("");
    expect(portkey).not.toHaveProperty("http");
  });

  test("example rendering: durations written compactly, and bad examples fail generation by name", () => {
    expect(["60s", "90m", "90s", "0", "24h", "1.5h", "36h0m1s"].map(compactDuration)).toEqual([
      "1m",
      "1h30m",
      "1m30s",
      "0s",
      "24h",
      "1h30m",
      "36h0m1s",
    ]);
    const cadence = renderExamplesRegion([
      {
        type: "x",
        example: { source: { type: "x", loops: { a: { enabled: true, cadence: "60s" } } }, settingsDocs: {} },
      },
    ]);
    expect(cadence).toContain("#         cadence: 1m");
    expect(cadence).not.toContain("60s");

    const unknownKey = { ...portkeyExample, source: { ...portkeyExample.source, colour: "red" } };
    expect(() => renderExamplesRegion([{ type: "portkey", example: unknownKey }])).toThrow(
      "example portkey.colour is not a config key",
    );
    const undocumented = {
      ...portkeyExample,
      settingsDocs: { ...portkeyExample.settingsDocs, groups: { ...portkeyExample.settingsDocs.groups } },
    };
    delete (undocumented.settingsDocs.groups as Record<string, string>).page_size;
    expect(() => renderExamplesRegion([{ type: "portkey", example: undocumented }])).toThrow(
      "loops.groups.settings.page_size has no explanation",
    );
    const stale = {
      ...portkeyExample,
      settingsDocs: { ...portkeyExample.settingsDocs, groups: { ...portkeyExample.settingsDocs.groups, gone: "x" } },
    };
    expect(() => renderExamplesRegion([{ type: "portkey", example: stale }])).toThrow(
      "explanation for loops.groups.settings.gone",
    );
  });

  test("splice replaces only its own region and names a missing marker", () => {
    const text = `a: 1\n${EXAMPLES_BEGIN}\nold\n${EXAMPLES_END}\nb: 2\n`;
    expect(splice(text, "NEW", EXAMPLES_BEGIN, EXAMPLES_END)).toBe("a: 1\nNEW\nb: 2\n");
    expect(() => splice("a: 1\n", "NEW", EXAMPLES_BEGIN, EXAMPLES_END)).toThrow("generated source examples");
  });
});
