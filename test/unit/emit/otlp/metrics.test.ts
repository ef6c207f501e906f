/** The OTLP metrics encoder: golden vectors and order independence. */
import { describe, expect, test } from "bun:test";
import { EncodeError, encodeMetrics } from "../../../../src/emit/otlp/metrics.ts";
import { compareCodePoints, labelKey } from "../../../../src/model/order.ts";
import { gauge, type Sample } from "../../../../src/model/types.ts";

const S = 1_000_000_000n;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("golden vectors", () => {
  test("M1", () => {
    const b = encodeMetrics({ "service.namespace": "ns" }, [gauge("m", {}, 1.0, 1700000000n * S)]);
    expect(b.length).toBe(81);
    expect(hex(b)).toBe(
      "0a4f0a1b0a190a11736572766963652e6e616d65737061636512040a026e7312300a130a1167656e61692d6f74656c2d62726964676512190a016d2a140a121900002a36fe9c971721000000000000f03f",
    );
  });
  test("M2", () => {
    const b = encodeMetrics({}, [gauge("lat", { quantile: "p50" }, 0.5, 60n * S)]);
    expect(hex(b)).toBe(
      "0a490a0012450a130a1167656e61692d6f74656c2d627269646765122e0a036c61742a270a2519005847f80d00000021000000000000e03f3a110a087175616e74696c6512050a03703530",
    );
  });
  const m3: Sample[] = [
    gauge("b", {}, 1, 120n * S),
    { ...gauge("a", {}, 2, 60n * S), unit: "s" },
    gauge("a", { x: "2" }, 3, 120n * S),
    gauge("a", { x: "10" }, 4, 60n * S),
    gauge("a", {}, 5, 60n * S),
  ];
  const M3 =
    "0aab010a0012a6010a130a1167656e61692d6f74656c2d62726964676512560a01612a510a1219005847f80d0000002100000000000014400a1c1900b08ef01b0000002100000000000008403a080a017812030a01320a1d19005847f80d0000002100000000000010403a090a017812040a023130121c0a01611a01732a140a1219005847f80d00000021000000000000004012190a01622a140a121900b08ef01b00000021000000000000f03f";
  test("M3 in every rotation of the input", () => {
    for (let i = 0; i < m3.length; i++) {
      const rotated = [...m3.slice(i), ...m3.slice(0, i)];
      expect(hex(encodeMetrics({}, rotated))).toBe(M3);
      expect(hex(encodeMetrics({}, rotated.reverse()))).toBe(M3);
    }
  });
});

describe("determinism", () => {
  test("same multiset, shuffled samples and map insertion orders ⇒ same bytes", () => {
    const mk = (rev: boolean): Sample[] => {
      const out: Sample[] = [];
      for (const name of ["portkey_api_latency_seconds", "portkey_api_tokens", "portkey_api_requests"]) {
        for (let t = 0n; t < 5n; t++) {
          const labels: Record<string, string> = {};
          const entries: [string, string][] = [
            ["quantile", `p${t}`],
            ["api_key_use_case", "data_gen"],
            ["token_type", "input"],
          ];
          for (const [k, v] of rev ? entries.reverse() : entries) labels[k] = v;
          out.push(gauge(name, labels, Number(t) * 0.1 + 1 / 3, (1700000000n + t * 60n) * S));
        }
      }
      return rev ? out.reverse() : out;
    };
    const idA = {
      "service.name": "genai-otel-bridge",
      "service.namespace": "ns",
      "deployment.environment.name": "prod",
    };
    const idB = {
      "deployment.environment.name": "prod",
      "service.namespace": "ns",
      "service.name": "genai-otel-bridge",
    };
    const a = encodeMetrics(idA, mk(false));
    const b = encodeMetrics(idB, mk(true));
    expect(hex(a)).toBe(hex(b));
    // Shuffle randomly many times.
    const base = mk(false);
    for (let i = 0; i < 20; i++) {
      const sh = [...base].sort(() => Math.random() - 0.5);
      expect(hex(encodeMetrics(idA, sh))).toBe(hex(a));
    }
  });
  test("samples differing only by unit stay distinct metrics", () => {
    const a = encodeMetrics({}, [gauge("m", {}, 1, S), { ...gauge("m", {}, 1, S), unit: "s" }]);
    const b = encodeMetrics({}, [{ ...gauge("m", {}, 1, S), unit: "s" }, gauge("m", {}, 1, S)]);
    expect(hex(a)).toBe(hex(b));
  });
  test("label-collision pair is injective", () => {
    expect(labelKey({ a: "b;c=d" })).toBe("1:a5:b;c=d");
    expect(labelKey({ a: "b", c: "d" })).toBe("1:a1:b1:c1:d");
  });
  test("code-point order differs from UTF-16 order for astral characters", () => {
    expect(compareCodePoints("\u{1F600}", "\uFFFD")).toBeGreaterThan(0);
    expect("\u{1F600}" < "\uFFFD").toBe(true);
  });
  test("NaN is written as the canonical quiet NaN", () => {
    const b = encodeMetrics({}, [gauge("m", {}, Number.NaN, S)]);
    expect(hex(b)).toContain("21000000000000f87f");
  });
  test("zero values are written", () => {
    expect(hex(encodeMetrics({}, [gauge("m", {}, 0, S)]))).toContain("210000000000000000");
  });
});

describe("encoder validation", () => {
  test("delta and non-gauge are refused", () => {
    expect(() => encodeMetrics({}, [{ ...gauge("m", {}, 1, S), kind: "sum", temporality: "delta" }])).toThrow(
      EncodeError,
    );
    expect(() => encodeMetrics({}, [{ ...gauge("m", {}, 1, S), kind: "sum", temporality: "cumulative" }])).toThrow(
      "gauge only",
    );
  });
});
