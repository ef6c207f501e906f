/** emit.md §8 (DPM cap) and §9 (guard). */
import { describe, expect, test } from "bun:test";
import { coalesceDpm } from "../../src/governance/dpm.ts";
import { Guard, labelSig } from "../../src/governance/guard.ts";
import { gauge } from "../../src/model/types.ts";

const S = 1_000_000_000n;
const PORTKEY = [
  "quantile",
  "token_type",
  "ai_model",
  "ai_org",
  "response_status_code",
  "metadata_key",
  "metadata_value",
  "prompt",
  "api_key_use_case",
];

describe("guard", () => {
  test("default deny, floor and gray tier always win", () => {
    const g = new Guard([...PORTKEY, "messages", "name"], 100);
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
    expect(new Guard([], 10).sanitize([gauge("m", { quantile: "p50" }, 1, S)]).dropped).toBe(1);
  });
  test("cardinality budget per metric name, hook on admit and on refusal", () => {
    const hooks: string[] = [];
    const g = new Guard(PORTKEY, 2, { newLabelValue: (s) => hooks.push(s) });
    const r = g.sanitize(["a", "b", "a", "c", "c"].map((m) => gauge("x", { ai_model: m }, 1, S)));
    expect(r.kept.map((s) => s.labels.ai_model)).toEqual(["a", "b", "a"]);
    expect(hooks).toEqual(["x", "x", "x", "x"]);
    expect(g.sanitize([gauge("y", { ai_model: "c" }, 1, S)]).kept).toHaveLength(1);
  });
  test("budget ≤ 0 is unlimited", () => {
    const g = new Guard(PORTKEY, 0);
    expect(g.sanitize(Array.from({ length: 50 }, (_, i) => gauge("x", { ai_model: `m${i}` }, 1, S))).kept).toHaveLength(
      50,
    );
  });
  test("labelSig is injective", () => {
    expect(labelSig({ a: "1;b=2" })).toBe("a=1\\;b\\=2;");
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
