/** The checkpoint value format, the fence, and the file backend's own behaviour. */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CorruptCheckpoint,
  checkMonotonic,
  decodeValue,
  encodeValue,
  StaleWrite,
  Unencodable,
  ZERO_WATERMARK,
} from "../../../src/checkpoint/contract.ts";
import { resolveCheckpointPath } from "../../../src/checkpoint/file/path.ts";
import { FileCheckpointer, MAX_CHECKPOINT_FILE_BYTES } from "../../../src/checkpoint/file/store.ts";
import { formatRfc3339Nano, parseRfc3339, ZERO_TIME } from "../../../src/model/time.ts";

const dir = mkdtempSync(join(tmpdir(), "ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = { sourceInstance: "pk", loop: "analytics", fingerprint: "964456d7dc48b9e2" };
const t = (s: string) => parseRfc3339(s) ?? 0n;
const w = (time: string, epoch = 1, cursor = "") => ({ time: t(time), cursor, epoch });

describe("value format", () => {
  test("JSON keys in order, RFC 3339 nano with trailing zeros trimmed", () => {
    expect(encodeValue(w("2026-06-19T10:05:00Z", 3))).toBe('{"time":"2026-06-19T10:05:00Z","cursor":"","epoch":3}');
    expect(encodeValue({ time: t("2026-06-19T10:05:00.5Z"), cursor: "c", epoch: 1 })).toBe(
      '{"time":"2026-06-19T10:05:00.5Z","cursor":"c","epoch":1}',
    );
    expect(formatRfc3339Nano(ZERO_TIME)).toBe("0001-01-01T00:00:00Z");
    expect(parseRfc3339("0001-01-01T00:00:00Z")).toBe(ZERO_TIME);
    expect(decodeValue(encodeValue(w("2026-06-19T10:05:00.123456789Z")), "x").time).toBe(
      t("2026-06-19T10:05:00.123456789Z"),
    );
  });
  test("lenient reading, corrupt refused", () => {
    expect(decodeValue("null", "x")).toEqual(ZERO_WATERMARK);
    expect(decodeValue('{"time":null,"extra":1}', "x")).toEqual(ZERO_WATERMARK);
    for (const bad of ["nope", "[]", '{"time":"yesterday"}', '{"epoch":1.5}', '{"cursor":3}']) {
      expect(() => decodeValue(bad, "x")).toThrow(CorruptCheckpoint);
    }
  });
  test("a watermark more than 5 minutes ahead of this clock is corrupt; a little skew is not", () => {
    const now = t("2026-06-19T10:00:00Z");
    expect(decodeValue('{"time":"2026-06-19T10:04:59Z","epoch":1}', "x", now).time).toBe(t("2026-06-19T10:04:59Z"));
    expect(() => decodeValue('{"time":"2026-06-19T10:05:01Z","epoch":1}', "x", now)).toThrow("in the future");
    expect(() => decodeValue('{"time":"2126-01-01T00:00:00Z","epoch":1}', "x")).toThrow(CorruptCheckpoint);
  });
  test("an epoch beyond 2^53 is refused, not rounded", () => {
    expect(decodeValue('{"epoch":9007199254740991}', "x").epoch).toBe(9007199254740991);
    for (const e of ["9007199254740992", "9007199254740993", "1e300", "-1"]) {
      expect(() => decodeValue(`{"epoch":${e}}`, "x")).toThrow("out of range");
    }
  });
  test("the checkpoint file must be a regular file of bounded size", () => {
    const big = join(dir, "big.yaml");
    spawnSync("truncate", ["-s", "100M", big]);
    expect(() => new FileCheckpointer(big)).toThrow(`larger than ${MAX_CHECKPOINT_FILE_BYTES} bytes`);
    expect(() => new FileCheckpointer("/dev/zero")).toThrow("-checkpoint-file): read /dev/zero: not a regular file");
  });
  test("the file store refuses to open on a future watermark or a rounded epoch", () => {
    for (const [i, entry] of ["{time: '2126-01-01T00:00:00Z', epoch: 1}", "{epoch: 9007199254740993}"].entries()) {
      const p = join(dir, `future-${i}.yaml`);
      writeFileSync(p, `pk/analytics/x: ${entry}\n`);
      expect(() => new FileCheckpointer(p)).toThrow(CorruptCheckpoint);
    }
  });
});

describe("fence", () => {
  test.each([
    [w("2026-06-19T10:00:00Z", 2), w("2026-06-19T10:05:00Z", 1), true],
    [w("2026-06-19T10:05:00Z"), w("2026-06-19T10:00:00Z"), true],
    [w("2026-06-19T10:05:00Z"), w("2026-06-19T10:05:00Z"), true],
    [w("2026-06-19T10:05:00Z", 1, "a"), w("2026-06-19T10:05:00Z", 1, "b"), false],
    [w("2026-06-19T10:05:00Z", 1), w("2026-06-19T10:06:00Z", 2), false],
    [ZERO_WATERMARK, w("2026-06-19T10:06:00Z"), false],
  ])("stored %#", (stored, incoming, stale) => {
    if (stale) expect(() => checkMonotonic(stored, incoming)).toThrow(StaleWrite);
    else expect(() => checkMonotonic(stored, incoming)).not.toThrow();
  });
});

describe("file backend", () => {
  test("absent ⇒ zero; saves are durable across reopen; file mode 0600", async () => {
    const p = join(dir, "a", "checkpoints.yaml");
    const s = new FileCheckpointer(p);
    expect(await s.load(key)).toEqual(ZERO_WATERMARK);
    await s.save(key, w("2026-06-19T10:05:00Z"));
    await s.save(key, w("2026-06-19T10:06:00.25Z"));
    expect(await new FileCheckpointer(p).load(key)).toEqual(w("2026-06-19T10:06:00.25Z"));
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readFileSync(p, "utf8")).toContain(
      'pk/analytics/964456d7dc48b9e2:\n  time: 2026-06-19T10:06:00.25Z\n  cursor: ""\n  epoch: 1',
    );
  });
  test("backwards and stale-epoch writes are refused and change nothing", async () => {
    const p = join(dir, "b.yaml");
    const s = new FileCheckpointer(p);
    await s.save(key, w("2026-06-19T10:05:00Z", 2));
    await expect(s.save(key, w("2026-06-19T10:04:00Z", 2))).rejects.toBeInstanceOf(StaleWrite);
    await expect(s.save(key, w("2026-06-19T10:09:00Z", 1))).rejects.toBeInstanceOf(StaleWrite);
    expect(await new FileCheckpointer(p).load(key)).toEqual(w("2026-06-19T10:05:00Z", 2));
  });
  test("a failed flush leaves no trace: the same write can be retried", async () => {
    const d = join(dir, "ro");
    const p = join(d, "c.yaml");
    const s = new FileCheckpointer(p);
    await s.save(key, w("2026-06-19T10:05:00Z"));
    chmodSync(d, 0o500);
    const failing = s.save(key, w("2026-06-19T10:06:00Z"));
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; simulate with a directory in the way instead
      await failing.catch(() => {});
    } else {
      await expect(failing).rejects.toThrow();
      expect(await s.load(key)).toEqual(w("2026-06-19T10:05:00Z"));
    }
    chmodSync(d, 0o755);
    const blocked = join(dir, "blocked");
    const s2 = new FileCheckpointer(join(blocked, "c.yaml"));
    writeFileSync(blocked, "a file where the directory should be");
    await expect(s2.save(key, w("2026-06-19T10:05:00Z"))).rejects.toThrow();
    expect(await s2.load(key)).toEqual(ZERO_WATERMARK);
  });
  test("a corrupt file refuses to open", () => {
    const p = join(dir, "bad.yaml");
    writeFileSync(p, "pk/analytics/x: [unclosed\n");
    expect(() => new FileCheckpointer(p)).toThrow(CorruptCheckpoint);
    writeFileSync(p, "pk/analytics/x: {time: yesterday}\n");
    expect(() => new FileCheckpointer(p)).toThrow(CorruptCheckpoint);
  });
  test("years outside 1–9999 are unencodable", async () => {
    const s = new FileCheckpointer(join(dir, "y.yaml"));
    await expect(s.save(key, { time: 253402300800n * 1_000_000_000n, cursor: "", epoch: 1 })).rejects.toBeInstanceOf(
      Unencodable,
    );
  });
  test("an unwritable default path falls back to the per-user state dir; an explicit one never", () => {
    const blocked = join(dir, "notadir");
    writeFileSync(blocked, "x");
    const p = join(blocked, "sub", "checkpoints.yaml");
    expect(resolveCheckpointPath(p, false, { XDG_STATE_HOME: join(dir, "state") })).toEqual({
      path: join(dir, "state", "genai-otel-bridge", "checkpoints.yaml"),
      fellBack: true,
    });
    expect(resolveCheckpointPath(p, true, {})).toEqual({ path: p, fellBack: false });
  });
});
