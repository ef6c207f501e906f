/** Loading: secret references, schema typing, defaults. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_CONFIG_BYTES, readConfigFile } from "../../../src/config/load.ts";
import { configJsonSchema } from "../../../src/config/schema.ts";
import { MAX_FILE_SECRET_BYTES } from "../../../src/config/secrets.ts";
import { HOUR, MINUTE, MS, SECOND } from "../../../src/model/duration.ts";
import { B, dropLine, ENV_B, edit, load, loadError, validate } from "../../support/config-fixtures.ts";

let dir = "";
let sec1 = "";
let sec2 = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cfg-"));
  sec1 = join(dir, "sec1");
  sec2 = join(dir, "sec2");
  writeFileSync(sec1, "  s3cr3t-value \n\n");
  writeFileSync(sec2, "has ${X} literal");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withToken = (v: string) => edit(B, "token: ${GC_OTLP_TOKEN}", `token: ${v}`);

describe("11.1 loading and secrets", () => {
  test("#1 fixture B loads with resolved values", () => {
    const c = load(B);
    expect(c.sources[0]?.auth.value).toBe("pk");
    expect(c.sources[0]?.source_instance).toBe("portkey-dev");
    expect(c.sources[0]?.loops.analytics?.window).toBe(50 * MINUTE);
    expect(c.sources[0]?.loops.analytics?.bucket_settle).toBe(3 * MINUTE);
    expect(c.emit.telemetry.otlp.endpoint).toBe("https://otlp.example");
    expect(validate(B)).toEqual([]);
  });
  test("#2/#3 unset or empty variable names the variable", () => {
    const { PORTKEY_API_KEY: _, ...rest } = ENV_B;
    expect(loadError(B, rest)).toBe('config: required env "PORTKEY_API_KEY" is unset');
    expect(loadError(B, { ...ENV_B, PORTKEY_API_KEY: "" })).toBe('config: required env "PORTKEY_API_KEY" is unset');
  });
  test("#4 a value with # is not a YAML comment", () => {
    expect(load(B, { ...ENV_B, GC_OTLP_TOKEN: "tok # not a yaml comment" }).emit.telemetry.otlp.token).toBe(
      "tok # not a yaml comment",
    );
  });
  test.each([[' a: {b} [c] "d" '], ["l1\nl2"], ["x: y\n- z"], ['it\'s "quoted" {x}'], ["${NOT_EXPANDED}"]])(
    "#5 value kept byte-for-byte: %p",
    (v) => {
      const t = edit(B, "deployment_environment: ${ENV}", "deployment_environment: ${V}");
      expect(load(t, { ...ENV_B, V: v }).identity.deployment_environment).toBe(v);
    },
  );
  test("#5b a value substituted into a flow mapping stays one scalar", () => {
    const c = load(B, { ...ENV_B, PORTKEY_API_KEY: "k, header: evil}" });
    expect(c.sources[0]?.auth).toEqual({ header: "x-portkey-api-key", value: "k, header: evil}" });
  });
  test("#6 references in comments are resolved", () => {
    expect(loadError(`# \${UNSET_IN_COMMENT}\n${B}`)).toBe('config: required env "UNSET_IN_COMMENT" is unset');
  });
  test("#7 $${ENV} and bare $ENV", () => {
    const t = edit(B, "deployment_environment: ${ENV}", "deployment_environment: $${ENV}-$ENV");
    expect(load(t).identity.deployment_environment).toBe("$dev-$ENV");
  });
  test("#8 non-references stay literal", () => {
    const t1 = edit(B, "deployment_environment: ${ENV}", "deployment_environment: |\n    ${1BAD}");
    expect(load(t1).identity.deployment_environment).toBe("${1BAD}\n");
    const t2 = edit(B, "deployment_environment: ${ENV}", 'deployment_environment: "${ENV:-x}"');
    expect(load(t2).identity.deployment_environment).toBe("${ENV:-x}");
  });
  test("#9/#10 file: reference trimmed, path trimmed", () => {
    expect(load(withToken(`file:${sec1}`)).emit.telemetry.otlp.token).toBe("s3cr3t-value");
    expect(load(withToken(`"file:  ${sec1}  "`)).emit.telemetry.otlp.token).toBe("s3cr3t-value");
  });
  test("#11 unreadable file names the key and the path, not a value", () => {
    expect(loadError(withToken("file:/nonexistent/tok"))).toBe(
      'config: emit.telemetry.otlp.token: file secret "/nonexistent/tok": open /nonexistent/tok: no such file or directory',
    );
    expect(loadError(withToken(`file:${dir}`))).toContain(
      `config: emit.telemetry.otlp.token: file secret "${dir}": read ${dir}: is a directory`,
    );
    expect(loadError(edit(B, "value: ${PORTKEY_API_KEY}", "value: file:/nonexistent/key"))).toContain(
      "config: sources[0].auth.value: file secret",
    );
  });
  test("a file: value is never shown in an error; an env secret in any escaped form is redacted", () => {
    const quoted = join(dir, "quoted");
    writeFileSync(quoted, 'abc"def');
    const e1 = loadError(edit(B, "cadence: 60s", `cadence: file:${quoted}`));
    expect(e1).toContain("analytics.cadence: invalid duration (the content of a file: reference, not shown)");
    for (const leak of ["abc", "def"]) expect(e1).not.toContain(leak);
    const e2 = loadError(edit(B, "cadence: 60s", "cadence: file:/proc/self/environ"));
    expect(e2).toContain("sources[0].loops.analytics.cadence");
    expect(e2).not.toContain("PATH=");
    const e3 = loadError(edit(B, "cadence: 60s", "cadence: ${CAD}"), { ...ENV_B, CAD: 'x"secret-cadence' });
    expect(e3).toContain("invalid duration");
    expect(e3).not.toContain("secret-cadence");
  });
  test("a NUL byte, a U+2028 or invalid UTF-8 is refused, naming the key (or the line)", () => {
    expect(loadError(edit(B, "deployment_environment: ${ENV}", 'deployment_environment: "a\\0b"'))).toBe(
      "config: identity.deployment_environment: value contains a NUL byte",
    );
    expect(loadError(edit(B, "deployment_environment: ${ENV}", 'deployment_environment: "a\\u2028b"'))).toBe(
      "config: identity.deployment_environment: value contains U+2028 (line separator)",
    );
    const bad = join(dir, "bad-utf8.yaml");
    const withByte = (before: string, after: string) =>
      Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]);
    writeFileSync(bad, withByte('emit:\n  x: "', '"\n'));
    expect(() => readConfigFile(bad)).toThrow("config: emit.x: value contains invalid UTF-8 (line 2)");
    writeFileSync(bad, withByte("identity:\n  service_namespace: ok\nsources:\n  - a\n  - b", "\n"));
    expect(() => readConfigFile(bad)).toThrow("config: sources[1]: value contains invalid UTF-8 (line 5)");
    writeFileSync(bad, withByte("# \u00e9t\u00e9 ", "\nemit: {}\n"));
    expect(() => readConfigFile(bad)).toThrow(`config: read ${bad}: invalid UTF-8 at line 1`);
    const ok = join(dir, "replacement-char.yaml");
    writeFileSync(ok, 'emit: {x: "\uFFFD"}\n');
    expect(readConfigFile(ok)).toContain("\uFFFD");
  });
  test("file: references and -config read regular files of bounded size only", () => {
    const fifo = join(dir, "fifo");
    spawnSync("mkfifo", [fifo]);
    const big = join(dir, "big");
    spawnSync("truncate", ["-s", "1G", big]);
    for (const [path, why] of [
      ["/dev/zero", "not a regular file"],
      [fifo, "not a regular file"],
      [big, `larger than ${MAX_FILE_SECRET_BYTES} bytes`],
    ] as const) {
      expect(loadError(withToken(`file:${path}`))).toBe(
        `config: emit.telemetry.otlp.token: file secret "${path}": read ${path}: ${why}`,
      );
    }
    expect(() => readConfigFile("/dev/zero")).toThrow("config: read /dev/zero: read /dev/zero: not a regular file");
    expect(() => readConfigFile(fifo)).toThrow("not a regular file");
    expect(() => readConfigFile(big)).toThrow(`larger than ${MAX_CONFIG_BYTES} bytes`);
    expect(() => readConfigFile(dir)).toThrow("is a directory");
  });
  test("#12/#13 file: combined with env references", () => {
    expect(load(withToken("file:${D}/sec1"), { ...ENV_B, D: dir }).emit.telemetry.otlp.token).toBe("s3cr3t-value");
    expect(load(withToken("${T}"), { ...ENV_B, T: `file:${sec1}` }).emit.telemetry.otlp.token).toBe("s3cr3t-value");
  });
  test("#14 file content is not expanded", () => {
    expect(load(withToken(`file:${sec2}`)).emit.telemetry.otlp.token).toBe("has ${X} literal");
  });
  test("#15 only a whole-scalar, lower-case file: prefix is a reference", () => {
    expect(load(withToken(`prefix-file:${sec1}`)).emit.telemetry.otlp.token).toBe(`prefix-file:${sec1}`);
    expect(load(withToken(`FILE:${sec1}`)).emit.telemetry.otlp.token).toBe(`FILE:${sec1}`);
  });
  test("#16 a secret landing in a duration field is redacted", () => {
    const t = edit(B, "bucket_settle: 3m", "bucket_settle: ${SETTLE}");
    const err = loadError(t, { ...ENV_B, SETTLE: "sk-supersecret-abc123-value" });
    expect(err).toContain('invalid duration "[redacted]"');
    expect(err).not.toContain("sk-supersecret");
  });
  test("#16b a file: secret landing in a duration field is redacted too (TS rule)", () => {
    const t = edit(B, "bucket_settle: 3m", `bucket_settle: file:${sec1}`);
    const err = loadError(t);
    expect(err).toContain("invalid duration");
    expect(err).not.toContain("s3cr3t-value");
  });
  test("#17 env-substituted bools: true is a type error, yes is accepted", () => {
    const t = edit(B, "enabled: true", "enabled: ${FLAG}");
    const err = loadError(t, { ...ENV_B, FLAG: "true" });
    expect(err).toContain("cannot unmarshal");
    expect(err).toContain("[redacted]");
    expect(load(t, { ...ENV_B, FLAG: "yes" }).sources[0]?.enabled).toBe(true);
  });
  test("#18 quoted or substituted ints are type errors", () => {
    expect(loadError(edit(B, "max_batches: 256", 'max_batches: "256"'))).toContain("cannot unmarshal");
    expect(loadError(`${B}governance:\n  max_dpm: \${N}\n`, { ...ENV_B, N: "5" })).toContain("cannot unmarshal");
  });
  test("#20 an unset variable wins over syntax and schema errors", () => {
    expect(loadError("bogus: 1\nx: ${NOPE}\nemit: [\n")).toBe('config: required env "NOPE" is unset');
  });
});

describe("11.2 schema", () => {
  test("#21/#22 unknown keys at any depth, with path and suggestion", () => {
    expect(loadError(`${B}bogus_top_level_key: 1\n`)).toContain("field bogus_top_level_key not found");
    const e = loadError(edit(B, "endpoint: ${GC_OTLP_ENDPOINT}", "endpointt: x"));
    expect(e).toContain("field endpointt not found at emit.telemetry.otlp.endpointt");
    expect(e).toContain('did you mean "endpoint"');
    const w = loadError(edit(B, "window: 50m", "windw: 50m"));
    expect(w).toContain("field windw not found at sources[0].loops.analytics.windw");
    expect(w).toContain('did you mean "window"');
  });
  test("all load errors are reported together", () => {
    const t = edit(edit(edit(B, "window: 50m", "windw: 50m"), "cadence: 60s", "cadence: 60"), "burst: 3", "burst: x");
    const e = loadError(`${t}bogus: 1\n`);
    expect(e).toContain("field windw not found");
    expect(e).toContain('invalid duration "60"');
    expect(e).toContain("cannot unmarshal !!str `x` into int (sources[0].rate_limit.burst)");
    expect(e).toContain("field bogus not found");
  });
  test("#23 duplicate keys", () => {
    expect(loadError(`${B}log: {}\nlog: {}\n`)).toContain('mapping key "log" already defined');
  });
  test("#24 syntax error", () => {
    expect(loadError("emit: [")).toStartWith("config: parse:");
  });
  test.each([[""], ["# c\n"], ["null\n"]])("#25 empty document %p loads; only the endpoint is missing", (t) => {
    // The reference also reports emit_workers and both ha enums; this build defaults those
    // when absent (issue: the quickstart must run as documented).
    expect(validate(t)).toEqual(["emit.telemetry.otlp.endpoint required"]);
  });
  test.each([["- a\n"], ["hello\n"]])("#26 top level not a mapping: %p", (t) => {
    expect(loadError(t)).toContain("cannot unmarshal");
  });
  test("#27/#28 bad durations", () => {
    expect(loadError(edit(B, "cadence: 60s", "cadence: 60"))).toContain(
      'invalid duration "60": time: missing unit in duration "60"',
    );
    expect(loadError(edit(B, "window: 50m", "window: 1d"))).toContain('time: unknown unit "d" in duration "1d"');
  });
  test.each([
    ["1h30m", 90 * MINUTE],
    ["1.5m", 90 * SECOND],
    ['"60s"', 60 * SECOND],
    ["500ms", 500 * MS],
    ["0", 0],
    ["~", 60 * SECOND], // null = absent ⇒ the documented 60s default (reference: 0 ⇒ rejected)
  ])("#29 cadence %p", (v, want) => {
    expect(load(edit(B, "cadence: 60s", `cadence: ${v}`)).sources[0]?.loops.analytics?.cadence).toBe(want);
  });
  test.each([["yes"], ["On"], ["True"], ['"yes"']])("#30 tracing.enabled %p ⇒ true", (v) => {
    expect(load(`${B}selfobs:\n  tracing:\n    enabled: ${v}\n`).selfobs.tracing.enabled).toBe(true);
  });
  test.each([['"true"'], ["1"], ["oFF"]])("#30 tracing.enabled %p ⇒ type error", (v) => {
    expect(loadError(`${B}selfobs:\n  tracing:\n    enabled: ${v}\n`)).toContain("cannot unmarshal");
  });
  test("#31 plain scalars keep their source text in string fields", () => {
    const t = edit(
      edit(B, "source_instance: portkey-${ENV}", "source_instance: 123"),
      "value: ${PORTKEY_API_KEY}",
      "value: 0012",
    );
    const s = load(t).sources[0];
    expect(s?.source_instance).toBe("123");
    expect(s?.auth.value).toBe("0012");
  });
  test("#32 settings values are strings; nested values are refused", () => {
    const t = edit(
      B,
      "metric_prefix: portkey_api",
      "metric_prefix: portkey_api\n        settings: {a: 1000, b: true, c: ~, d: 1.50}",
    );
    expect(load(t).sources[0]?.loops.analytics?.settings).toEqual({ a: "1000", b: "true", c: "", d: "1.50" });
    const bad = edit(B, "metric_prefix: portkey_api", "metric_prefix: portkey_api\n        settings: {e: [x]}");
    expect(loadError(bad)).toContain("cannot unmarshal");
  });
  test("#33 a scalar where a list belongs", () => {
    expect(loadError(edit(B, "graphs: [requests, cost, tokens, latency, errors]", "graphs: requests"))).toContain(
      "cannot unmarshal",
    );
  });
  test("#34 emit.self: ~ means absent", () => {
    expect(load(edit(B, "emit:\n", "emit:\n  self: ~\n")).emit.self).toBeUndefined();
  });
  test("#35 later documents are ignored", () => {
    expect(load(`${B}---\nthis: [is not\n`).sources[0]?.source_instance).toBe("portkey-dev");
  });
  describe("merge keys, as yaml.v3 applies them", () => {
    const first = edit(B, "rate_limit: { rps: 1, burst: 3 }", "rate_limit: { rps: 1, burst: 7 }");
    const two = (second: string) =>
      edit(first, "  - type: portkey\n", "  - &first\n    type: portkey\n").concat(`  - ${second}\n`);
    test("a source built from another with <<: *anchor; its own keys win, whole (a shallow merge)", () => {
      const c = load(two("<<: *first\n    source_instance: other\n    rate_limit: { rps: 2 }"));
      const [a, b] = [c.sources[0], c.sources[1]];
      expect([a?.source_instance, b?.source_instance]).toEqual(["portkey-dev", "other"]);
      expect(b?.loops).toEqual(a?.loops as NonNullable<typeof b>["loops"]);
      expect([b?.rate_limit.rps, b?.rate_limit.burst, b?.auth.value]).toEqual([2, 3, "pk"]);
    });
    test("a sequence of mappings: earlier ones win over later ones", () => {
      const c = load(two("<<: [{ source_instance: second, rate_limit: { rps: 5 } }, *first]"));
      expect([c.sources[1]?.source_instance, c.sources[1]?.rate_limit.rps, c.sources[1]?.rate_limit.burst]).toEqual([
        "second",
        5,
        3,
      ]);
      expect(c.sources[0]?.rate_limit.burst).toBe(7);
    });
    test("merged keys are checked like written ones; a merge of a scalar is refused; a quoted << is a key", () => {
      expect(loadError(two("<<: [*first, { bogus: 1 }]\n    source_instance: x"))).toContain(
        "field bogus not found at sources[1].bogus",
      );
      expect(loadError(two("<<: *first\n    source_instance: x\n    <<: { burst: 1 }"))).toContain(
        'line 37: mapping key "<<" already defined at line 35',
      );
      expect(loadError(two("<<: [*first, notamap]\n    source_instance: x"))).toContain(
        "sources[1]: map merge requires map or sequence of maps as the value",
      );
      expect(loadError(two('"<<": *first\n    source_instance: x'))).toContain("field << not found");
    });
  });
  test("aliases resolve", () => {
    const t = edit(B, "cadence: 60s", "cadence: &c 60s").replace("bucket_settle: 3m", "bucket_settle: *c");
    expect(load(t).sources[0]?.loops.analytics?.bucket_settle).toBe(60 * SECOND);
  });
});

describe("11.3 defaults", () => {
  test("#36 governance and log defaults", () => {
    const c = load(B);
    expect(c.governance).toEqual({
      per_metric_cardinality_budget: 10000,
      max_dpm: 1,
      max_catchup_per_tick: 1,
      max_stream_label_keys: 15,
      allow_label_keys: [],
    });
    expect(c.log).toEqual({ format: "", level: "" });
  });
  test("#37 explicit budget", () => {
    expect(
      load(`${B}governance: {per_metric_cardinality_budget: 500}\n`).governance.per_metric_cardinality_budget,
    ).toBe(500);
  });
  test("#38 queue defaults", () => {
    const q1 = edit(B, "  max_batches: 256\n  max_batch_bytes: 1048576\n", "");
    expect(load(q1).queue).toEqual({ max_batches: 256, max_batch_bytes: 1048576, emit_workers: 1 });
    const q2 = edit(
      edit(B, "max_batches: 256", "max_batches: 10"),
      "max_batch_bytes: 1048576",
      "max_batch_bytes: 2048",
    );
    expect(load(q2).queue).toEqual({ max_batches: 10, max_batch_bytes: 2048, emit_workers: 1 });
    expect(validate(q1)).toEqual([]);
  });
  test.each([
    ["", 1, 3],
    ["rate_limit: { rps: 5 }", 5, 3],
    ["rate_limit: { rps: 0.5 }", 0.5, 3],
  ])("#39 rate limit %p", (rl, rps, burst) => {
    const t = rl === "" ? dropLine(B, "rate_limit:") : edit(B, "rate_limit: { rps: 1, burst: 3 }", rl);
    expect(load(t).sources[0]?.rate_limit).toEqual({ rps, burst });
    expect(validate(t)).toEqual([]);
  });
  test("#40 bucket_settle absent or 0s ⇒ 10m", () => {
    expect(load(dropLine(B, "bucket_settle")).sources[0]?.loops.analytics?.bucket_settle).toBe(10 * MINUTE);
    expect(load(edit(B, "bucket_settle: 3m", "bucket_settle: 0s")).sources[0]?.loops.analytics?.bucket_settle).toBe(
      10 * MINUTE,
    );
  });
  test("#41 dynamodb defaults", () => {
    const t = edit(
      B,
      "  coordinator: lease\n  checkpoint: configmap\n",
      "  coordinator: dynamodb\n  checkpoint: dynamodb\n  dynamodb: {table: mytable}\n",
    );
    const d = load(t).ha.dynamodb;
    expect([d.lock_name, d.lease_duration, d.renew_deadline, d.retry_period]).toEqual([
      "genai-otel-bridge-leader",
      15 * SECOND,
      10 * SECOND,
      2 * SECOND,
    ]);
    expect(validate(t)).toEqual([]);
  });
  test("#42 profiling defaults", () => {
    const p = load(`${B}selfobs:\n  profiling: {enabled: true}\n`).selfobs.profiling;
    expect([p.mode, p.pull.addr]).toEqual(["pull", ":6060"]);
  });
  test("absent-key defaults of this build (quickstart rule)", () => {
    const minimal = `emit: {telemetry: {otlp: {endpoint: https://otlp.example}}}
sources:
  - enabled: true
    source_instance: p
    auth: {header: x-portkey-api-key, value: pk}
    loops: {analytics: {enabled: true}}
`;
    const c = load(minimal);
    const s = c.sources[0];
    const a = s?.loops.analytics;
    expect([c.ha.coordinator, c.ha.checkpoint, c.queue.emit_workers]).toEqual(["none", "file", 1]);
    expect([s?.type, s?.base_url]).toEqual(["portkey", "https://api.portkey.ai/v1"]);
    expect([a?.cadence, a?.window, a?.bootstrap_lookback, a?.max_backfill]).toEqual([
      60 * SECOND,
      50 * MINUTE,
      50 * MINUTE,
      90 * MINUTE,
    ]);
    expect(a?.graphs).toEqual(["requests", "cost", "tokens", "latency", "errors"]);
    expect(validate(minimal)).toEqual([]);
  });
  test("an absent enabled stays false (reference meaning kept)", () => {
    expect(load(dropLine(B, "    enabled: true")).sources[0]?.enabled).toBe(false);
  });
  test("ha: one enum given, the other follows it", () => {
    expect(load(dropLine(B, "checkpoint: configmap")).ha.checkpoint).toBe("configmap");
    expect(load(dropLine(B, "coordinator: lease")).ha.coordinator).toBe("lease");
    const none = edit(dropLine(B, "checkpoint: configmap"), "coordinator: lease", "coordinator: none");
    expect(load(none).ha.checkpoint).toBe("file");
  });
  test("an explicit zero keeps the reference meaning", () => {
    expect(validate(edit(B, "cadence: 60s", "cadence: 0s"))).toContain("portkey-dev/analytics: cadence 0s < floor 10s");
    expect(validate(edit(B, "emit_workers: 1", "emit_workers: 0"))[0]).toContain("got 0");
  });
  test("hour-scale durations", () => {
    expect(load(edit(B, "max_backfill: 55m", "max_backfill: 1.5h")).sources[0]?.loops.analytics?.max_backfill).toBe(
      1.5 * HOUR,
    );
  });
});

describe("the decode's schema is arktype's", () => {
  test("the committed config.schema.json the decode compiles its kinds from is what arktype renders now", () => {
    const committed = JSON.parse(readFileSync(join(import.meta.dir, "../../../config.schema.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});
