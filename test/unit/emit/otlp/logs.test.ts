/** The OTLP logs encoder: golden vectors, order independence, and the shared send/split path. */
import { describe, expect, test } from "bun:test";
import { createEmitter } from "../../../../src/emit/otlp/emitter.ts";
import { logsRequestJson } from "../../../../src/emit/otlp/json.ts";
import { canonicalLogOrder, encodeLogs } from "../../../../src/emit/otlp/logs.ts";
import { DEFAULT_RETRY, type PostDeps } from "../../../../src/emit/otlp/post.ts";
import { compareCodePoints, compareStrings, labelKey, sortedKeys } from "../../../../src/model/order.ts";
import type { LogRecord } from "../../../../src/model/types.ts";

const S = 1_000_000_000n;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const rec = (
  ts: bigint,
  severity: string,
  indexed: Record<string, string>,
  attrs: Record<string, string> = {},
  traceId: Uint8Array = new Uint8Array(0),
): LogRecord => ({ timestamp: ts, severity, body: "", indexedAttributes: indexed, recordAttributes: attrs, traceId });

const L1 =
  "0a720a2c0a0f0a0861695f6d6f64656c12030a016d0a190a11736572766963652e6e616d65737061636512040a026e7312420a130a1167656e61692d6f74656c2d627269646765122b0900002a36fe9c97171a04494e464f32080a016b12030a01764a10000102030405060708090a0b0c0d0e0f";
const L2 =
  "0a6e0a0a0a080a016d12030a016112600a130a1167656e61692d6f74656c2d627269646765120f0900286bee000000001a04494e464f121b0900f2052a010000001a054552524f5232090a02696412030a0131121b0900f2052a010000001a054552524f5232090a02696412030a01320a340a0a0a080a016d12030a016212260a130a1167656e61692d6f74656c2d627269646765120f0900f2052a010000001a04494e464f";
const l2 = [
  rec(5n * S, "INFO", { m: "b" }),
  rec(5n * S, "ERROR", { m: "a" }, { id: "2" }),
  rec(5n * S, "ERROR", { m: "a" }, { id: "1" }),
  rec(4n * S, "INFO", { m: "a" }),
];

describe("golden vectors", () => {
  test("L1: identity and indexed set merged into the resource, trace id written", () => {
    const traceId = Uint8Array.from({ length: 16 }, (_, i) => i);
    const b = encodeLogs({ "service.namespace": "ns" }, [
      rec(1700000000n * S, "INFO", { ai_model: "m" }, { k: "v" }, traceId),
    ]);
    expect(b.length).toBe(116);
    expect(hex(b)).toBe(L1);
  });
  test("L2 in every rotation and reversal of the input", () => {
    for (let i = 0; i < l2.length; i++) {
      const rotated = [...l2.slice(i), ...l2.slice(0, i)];
      expect(hex(encodeLogs({}, rotated))).toBe(L2);
      expect(hex(encodeLogs({}, rotated.reverse()))).toBe(L2);
    }
  });
});

describe("determinism and layout", () => {
  test("map insertion order of identity, indexed and record attributes does not matter", () => {
    const mk = (rev: boolean) => {
      const order = <T>(xs: T[]) => (rev ? [...xs].reverse() : xs);
      const obj = (entries: [string, string][]) => Object.fromEntries(order(entries));
      const id = obj([
        ["service.name", "genai-otel-bridge"],
        ["service.namespace", "ns"],
        ["deployment.environment.name", "prod"],
      ]);
      const records = [1, 2, 3].flatMap((t) =>
        ["llm", "chain"].map((rt) =>
          rec(
            BigInt(t) * S,
            t === 2 ? "ERROR" : "INFO",
            obj([
              ["run_type", rt],
              ["status", "success"],
            ]),
            obj([
              ["id", `${rt}-${t}`],
              ["latency_ms", String(t * 10)],
            ]),
          ),
        ),
      );
      return encodeLogs(id, order(records));
    };
    expect(hex(mk(true))).toBe(hex(mk(false)));
  });
  test("an indexed value wins a key clash with the identity; empty severity and body are omitted", () => {
    const json = logsRequestJson({ "service.namespace": "ns", team: "identity" }, [rec(S, "", { team: "indexed" })]);
    expect(json).toEqual({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: "service.namespace", value: { stringValue: "ns" } },
              { key: "team", value: { stringValue: "indexed" } },
            ],
          },
          scopeLogs: [
            { scope: { name: "genai-otel-bridge" }, logRecords: [{ timeUnixNano: "1000000000", attributes: [] }] },
          ],
        },
      ],
    });
  });
  test("sortedKeys remembers recent key lists by their names and order, never by the map", () => {
    const shapes = [["b", "a"], ["a", "b"], ["c"], ["z", "y", "x"], ["b", "a", "c"], [], ["\u{1F600}", "\uE000"]];
    // Twice round more shapes than it remembers: every answer still fits its own map.
    for (let round = 0; round < 2; round++) {
      for (const keys of shapes) {
        const map = Object.fromEntries(keys.map((k, i) => [k, String(i)]));
        const expected = [...keys].sort(compareCodePoints);
        expect(sortedKeys(map)).toEqual(expected);
        expect(sortedKeys(map)).toEqual(expected);
      }
    }
  });
  test("code-point order, also where UTF-16 order differs (astral vs U+E000–U+FFFF)", () => {
    expect(sortedKeys({ "\u{1F600}": "a", "\uE000": "b", z: "c" })).toEqual(["z", "\uE000", "\u{1F600}"]);
    expect(compareStrings("\uE000", "\u{1F600}")).toBeLessThan(0);
    expect(labelKey({ "\u{1F600}": "a", "\uE000": "é" })).toBe("3:\uE0002:é4:\u{1F600}1:a");
    const astral = rec(S, "INFO", {}, { k: "\u{1F600}" });
    const bmp = rec(S, "INFO", {}, { k: "\uE000" });
    expect(hex(encodeLogs({}, [astral, bmp]))).toBe(hex(encodeLogs({}, [bmp, astral])));
    expect(canonicalLogOrder([astral, bmp])[0]).toBe(bmp);
  });
  test("ties on time and severity order by the record attributes' label key (randomised)", () => {
    let x = 12345;
    const rnd = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return Math.floor(((x >>> 0) / 2 ** 32) * n);
    };
    const alphabet = ["a", "b", "z", "é", "\uE000", "\u{1F600}", "1", "10", ":", ""];
    const str = () => Array.from({ length: rnd(4) }, () => alphabet[rnd(alphabet.length)]).join("");
    const records = Array.from({ length: 400 }, () => {
      // Mostly the same keys, as a loop's records have, so values decide; sometimes other keys.
      const attrs: Record<string, string> = { id: str() };
      for (let i = rnd(3); i > 0; i--) attrs[["id", "k", "kk", "\u{1F600}", "é", str()][rnd(6)] ?? "id"] = str();
      return rec(S, "INFO", {}, attrs, Uint8Array.of(rnd(3)));
    });
    const reference = [...records].sort(
      (a, b) =>
        compareCodePoints(labelKey(a.recordAttributes), labelKey(b.recordAttributes)) ||
        (a.traceId[0] ?? 0) - (b.traceId[0] ?? 0),
    );
    expect(canonicalLogOrder(records).map((r) => labelKey(r.recordAttributes))).toEqual(
      reference.map((r) => labelKey(r.recordAttributes)),
    );
  });
  test("a trace id that is not 16 bytes is left out", () => {
    const with15 = encodeLogs({}, [rec(S, "INFO", {}, {}, new Uint8Array(15))]);
    expect(hex(with15)).toBe(hex(encodeLogs({}, [rec(S, "INFO", {})])));
  });
});

describe("the shared send path", () => {
  function rig(statuses: number[]) {
    const sent: { url: string; body: Buffer }[] = [];
    let i = 0;
    const deps: PostDeps = {
      fetch: async (url, init) => {
        sent.push({ url, body: Buffer.from(Bun.gunzipSync(init.body as Uint8Array<ArrayBuffer>)) });
        return new Response("", { status: statuses[Math.min(i++, statuses.length - 1)] ?? 200 });
      },
      now: () => 0,
      sleep: async () => {},
      random: () => 0.5,
      policy: DEFAULT_RETRY,
      timeoutMs: 1000,
      redact: (s) => s,
    };
    const e = createEmitter(
      {
        endpoint: "http://x/otlp/",
        instanceId: "",
        token: "",
        identity: { "service.namespace": "ns" },
        maxBatchBytes: 0,
        userAgent: "ua",
      },
      deps,
    );
    return { e, sent };
  }
  test("records go to /v1/logs as one request", async () => {
    const { e, sent } = rig([200]);
    expect(await e.emitLogs(l2, new AbortController().signal)).toEqual({ kind: "ok" });
    expect(sent.map((s) => s.url)).toEqual(["http://x/otlp/v1/logs"]);
    expect(hex(sent[0]?.body ?? new Uint8Array())).toBe(hex(encodeLogs({ "service.namespace": "ns" }, l2)));
  });
  test("a 413 splits the canonical order in halves; together they carry every record once", async () => {
    const { e, sent } = rig([413, 200]);
    expect(await e.emitLogs(l2, new AbortController().signal)).toEqual({ kind: "ok" });
    const order = canonicalLogOrder(l2);
    expect(sent.slice(1).map((s) => hex(s.body))).toEqual([
      hex(encodeLogs({ "service.namespace": "ns" }, order.slice(0, 2))),
      hex(encodeLogs({ "service.namespace": "ns" }, order.slice(2))),
    ]);
  });
  test("nothing to send sends nothing", async () => {
    const { e, sent } = rig([200]);
    expect(await e.emitLogs([], new AbortController().signal)).toEqual({ kind: "ok" });
    expect(sent).toEqual([]);
  });
});
