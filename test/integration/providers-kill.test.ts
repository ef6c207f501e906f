/**
 * The OpenAI and Anthropic usage loops across kill -9: the compiled binary polls the fake
 * providers into a Mimir-like recorder (an identical re-send is accepted, a changed value at a
 * written timestamp is refused) and is killed with -9 at random points ten times, then left to
 * run until its watermarks pass the last kill. No bucket may arrive twice with different values,
 * and every settled minute with traffic, from the first bucket to the final watermark, must have
 * landed with the value the provider finally reports.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, start } from "../support/binary.ts";
import { fileEntry, prng } from "../support/checkpoint-file.ts";
import { FakeProviders } from "../support/fake-providers.ts";
import { freePort } from "../support/peers.ts";
import { Recorder } from "../support/recorder.ts";

const KILLS = 10;
const MIN = 60_000;
let dir = "";
let cp = "";
let fake: FakeProviders;
let rec: Recorder;
let seed = 0;
const output: string[] = [];
/** Watermarks the checkpoint held per loop, in order (ms). */
const marks = new Map<string, number[]>();

const LOOPS = ["it-openai/usage/", "it-anthropic/usage/"];

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-providers-kill-"));
  rec = new Recorder(["openai_api_", "anthropic_api_"]).start();
  // Late arrivals settle within 30 s, inside the loops' 1-minute settle.
  fake = new FakeProviders(undefined, undefined, { lateMs: 30_000, maxPageBuckets: 4 }).start();
  cp = join(dir, "cp.yaml");
  const usage =
    "{ enabled: true, cadence: 10s, window: 10m, bucket_settle: 1m, bootstrap_lookback: 10m, max_backfill: 15m }";
  const cfg = join(dir, "config.yaml");
  writeFileSync(
    cfg,
    `emit: {telemetry: {otlp: {endpoint: "${rec.url}"}}}
identity: {service_namespace: it-providers-kill, deployment_environment: it}
sources:
  - { type: openai, enabled: true, base_url: "${fake.url("openai")}", source_instance: it-openai, http: { allow_private: true }, auth: { header: Authorization, value: "Bearer \${OPENAI_ADMIN_KEY}" }, rate_limit: { rps: 50, burst: 20 }, loops: { usage: ${usage} } }
  - { type: anthropic, enabled: true, base_url: "${fake.url("anthropic")}", source_instance: it-anthropic, http: { allow_private: true }, auth: { header: x-api-key, value: \${ANTHROPIC_ADMIN_KEY} }, rate_limit: { rps: 50, burst: 20 }, loops: { usage: ${usage} } }
`,
  );
  const poll = setInterval(() => {
    for (const loop of LOOPS) {
      const t = fileEntry(cp, loop)?.time ?? 0;
      const seen = marks.get(loop) ?? [];
      if (t > 0 && seen.at(-1) !== t) marks.set(loop, [...seen, t]);
    }
  }, 10);
  seed = Number(process.env.PROVIDERS_KILL_SEED ?? Date.now() % 100000);
  const random = prng(seed);
  const env = { OPENAI_ADMIN_KEY: fake.openaiKey, ANTHROPIC_ADMIN_KEY: fake.anthropicKey };
  const args = async () => [`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${await freePort()}`];
  let lastKill = 0;
  for (let i = 0; i < KILLS; i++) {
    const run = start(await args(), { env });
    await Bun.sleep(200 + Math.floor(random() * 2800));
    const r = await run.stop("SIGKILL");
    lastKill = Date.now();
    output.push(r.stdout, r.stderr);
  }
  const last = start(await args(), { env });
  // Run until both watermarks are past the settled edge of the last kill (now − settle then).
  const deadline = Date.now() + 120_000;
  const past = () => LOOPS.every((l) => (fileEntry(cp, l)?.time ?? 0) >= lastKill - MIN);
  while (!past() && Date.now() < deadline) await Bun.sleep(200);
  const r = await last.stop("SIGTERM");
  output.push(r.stdout, r.stderr);
  clearInterval(poll);
}, 200_000);

afterAll(async () => {
  rec?.stop();
  await fake?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Points the recorder kept for one series: bucket end (ms) → value. */
function stored(metric: string, labels: string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const [k, v] of rec.points) {
    if (!k.startsWith(`${metric}{`) || !labels.every((l) => k.includes(l))) continue;
    out.set(Number(BigInt(k.split("@")[1] ?? "0") / 1_000_000n), v.value);
  }
  return out;
}

describe(`openai and anthropic usage across ${KILLS} kill -9 (seed via PROVIDERS_KILL_SEED)`, () => {
  test("both watermarks moved past the last kill and never backwards", () => {
    for (const loop of LOOPS) {
      const seen = marks.get(loop) ?? [];
      expect(seen.length).toBeGreaterThan(1);
      for (let i = 1; i < seen.length; i++) expect((seen[i] ?? 0) > (seen[i - 1] ?? 0)).toBe(true);
    }
    expect(seed).toBeGreaterThanOrEqual(0);
  });

  test("no bucket arrived twice with a different value", () => {
    expect(rec.valueChanged).toBe(0);
    expect(rec.points.size).toBeGreaterThan(20);
  });

  for (const [title, metric, labels, salt, value] of [
    ["openai input tokens", "openai_api_tokens", "token_type=input", 1, (t: { input: number }) => t.input],
    ["anthropic output tokens", "anthropic_api_tokens", "token_type=output", 2, (t: { output: number }) => t.output],
  ] as const) {
    test(`${title}: every minute with traffic up to the final watermark landed, with its final value`, () => {
      const loop = metric.startsWith("openai") ? LOOPS[0] : LOOPS[1];
      const end = fileEntry(cp, loop ?? "")?.time ?? 0;
      const models = metric.startsWith("openai")
        ? ["gpt-5-2025-08-07", "gpt-4.1-2025-04-14"]
        : ["claude-sonnet-4-5", "claude-opus-4-1"];
      models.forEach((model, m) => {
        const have = stored(metric, [`ai_model=${model}`, labels]);
        // From the first bucket that landed (the bootstrap's) to the final watermark: no hole.
        const first = Math.min(...have.keys());
        const want = new Map<number, number>();
        for (let e = first; e <= Math.floor(end / MIN) * MIN; e += MIN) {
          const t = fake.world.total(salt, m, e - MIN, e, Number.MAX_SAFE_INTEGER);
          if (t.requests > 0) want.set(e, value(t));
        }
        expect(want.size).toBeGreaterThan(3);
        expect(Object.fromEntries(have)).toEqual(Object.fromEntries(want));
      });
    });
  }
});
