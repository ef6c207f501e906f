/** The DPM cap and the governance guard (samples and log records). */
import { describe, expect, test } from "bun:test";
import { coalesceDpm } from "../../../src/governance/dpm.ts";
import { Guard, labelSig } from "../../../src/governance/guard.ts";
import { gauge } from "../../../src/model/types.ts";
import { portkey } from "../../../src/sources/portkey/index.ts";

const S = 1_000_000_000n;
const PORTKEY = [...portkey.labelKeys];

describe("guard", () => {
  test("default deny, floor and gray tier always win", () => {
    const g = new Guard({ allowKeys: [...PORTKEY, "messages", "name"], budget: 100 });
    const r = g.sanitize([
      gauge("m", { quantile: "p50" }, 1, S),
      gauge("m", { unknown_key: "x" }, 1, S),
      gauge("m", { messages: "hello" }, 1, S),
      gauge("m", { "gen_ai.prompt.0.content": "x" }, 1, S),
      gauge("m", { name: "x" }, 1, S),
      gauge("m", {}, 1, S),
    ]);
    expect(r.kept.map((s) => s.labels)).toEqual([{ quantile: "p50" }, {}]);
    expect(r.dropped).toBe(4);
  });
  test("an empty allow-list denies every label", () => {
    expect(new Guard({ allowKeys: [], budget: 10 }).sanitize([gauge("m", { quantile: "p50" }, 1, S)]).dropped).toBe(1);
  });
  test("cardinality budget per metric name, hook on admit and on refusal", () => {
    const hooks: string[] = [];
    const g = new Guard({ allowKeys: PORTKEY, budget: 2, hooks: { newLabelValue: (s) => hooks.push(s) } });
    const r = g.sanitize(["a", "b", "a", "c", "c"].map((m) => gauge("x", { ai_model: m }, 1, S)));
    expect(r.kept.map((s) => s.labels.ai_model)).toEqual(["a", "b", "a"]);
    expect(hooks).toEqual(["x", "x", "x", "x"]);
    expect(g.sanitize([gauge("y", { ai_model: "c" }, 1, S)]).kept).toHaveLength(1);
  });
  test("budget ≤ 0 is unlimited", () => {
    const g = new Guard({ allowKeys: PORTKEY, budget: 0 });
    expect(g.sanitize(Array.from({ length: 50 }, (_, i) => gauge("x", { ai_model: `m${i}` }, 1, S))).kept).toHaveLength(
      50,
    );
  });
  test("logs: indexed keys allow-listed, record keys only denied; budget per loop; input never mutated", () => {
    const hooks: string[] = [];
    const g = new Guard({ allowKeys: ["ai_model"], budget: 1, hooks: { newLabelValue: (s) => hooks.push(s) } });
    const rec = (indexed: Record<string, string>, attrs: Record<string, string> = {}, body = "") => ({
      timestamp: S,
      body,
      severity: "",
      indexedAttributes: indexed,
      recordAttributes: attrs,
      traceId: new Uint8Array(0),
    });
    const input = [
      rec({ ai_model: "a" }, { request_id: "r1" }, "prompt text"),
      rec({ ai_model: "b" }),
      rec({ team: "x" }),
      rec({}, { "gen_ai.prompt.0.content": "x" }),
      rec({}, { extra: "x" }),
    ];
    const r = g.sanitizeLogs("pk/logs_export/f", input);
    expect(r.kept.map((x) => [x.indexedAttributes, x.recordAttributes, x.body])).toEqual([
      [{ ai_model: "a" }, { request_id: "r1" }, ""],
    ]);
    expect(r.dropped).toBe(4);
    expect(input[0]?.body).toBe("prompt text");
    expect(hooks).toEqual(["logs:pk/logs_export/f", "logs:pk/logs_export/f"]);
    expect(g.sanitizeLogs("other/logs_export/g", [rec({ ai_model: "b" })]).kept).toHaveLength(1);
  });
  test("labelSig is injective", () => {
    expect(labelSig({ a: "1;b=2" })).toBe("a=1\\;b\\=2;");
    expect(labelSig({ "a\\": "=" })).toBe("a\\\\=\\=;");
    expect(labelSig({ a: "1", b: "2" })).toBe("a=1;b=2;");
  });
});

describe("DPM cap", () => {
  test("latest per series-minute wins; ties by larger value; order kept", () => {
    const input = [
      gauge("m", {}, 1, 60n * S),
      gauge("m", {}, 2, 90n * S),
      gauge("m", { q: "1" }, 3, 60n * S),
      gauge("m", {}, 5, 130n * S),
      gauge("m", {}, 4, 130n * S),
    ];
    const r = coalesceDpm(input, 1);
    expect(r.capped).toBe(2);
    expect(r.samples.map((s) => s.value)).toEqual([2, 3, 5]);
  });
  test("nothing over the cap returns the input unchanged", () => {
    const input = [gauge("m", {}, 1, 60n * S), gauge("m", {}, 2, 120n * S)];
    expect(coalesceDpm(input, 1)).toEqual({ samples: input, capped: 0 });
    expect(coalesceDpm([gauge("m", {}, 1, 60n * S), gauge("m", {}, 2, 90n * S)], 2).capped).toBe(0);
  });
});
