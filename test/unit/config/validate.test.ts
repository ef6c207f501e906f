/** Config validation and the build-phase rules: every accept/reject and message. */
import { describe, expect, test } from "bun:test";
import { B, buildError, dropLine, edit, validate } from "../../support/config-fixtures.ts";

const one = (t: string) => validate(t).join("\n");
const ha = (block: string) => edit(B, "ha:\n  coordinator: lease\n  checkpoint: configmap\n", `ha: ${block}\n`);
const tel = (ep: string, id: string, tok: string, insecure: boolean) =>
  edit(
    B,
    "      endpoint: ${GC_OTLP_ENDPOINT}\n      instance_id: ${GC_INSTANCE_ID}\n      token: ${GC_OTLP_TOKEN}\n",
    `      endpoint: ${ep}\n      instance_id: "${id}"\n      token: "${tok}"\n      allow_insecure: ${insecure}\n`,
  );
const FILE_HA = "{coordinator: none, checkpoint: file}";

describe("11.4 config validation", () => {
  test("#44 emit_workers", () => {
    expect(validate(edit(B, "emit_workers: 1", "emit_workers: 2"))).toEqual([
      "queue.emit_workers must be 1 (per-loop single-flight emit, C3); got 2",
    ]);
  });
  test("#45 unknown source type", () => {
    expect(one(edit(B, "type: portkey", "type: nosuchvendor"))).toContain('unknown source type "nosuchvendor"');
  });
  test("#46 window above 55m", () => {
    expect(one(edit(B, "window: 50m", "window: 56m"))).toContain(
      "portkey-dev/analytics: window 56m0s > 55m0s (would flip bucket granularity, H5)",
    );
  });
  test("#47 window lower bound", () => {
    expect(one(edit(B, "window: 50m", "window: 4m11s"))).toContain(
      "portkey-dev/analytics: window 4m11s < cadence*(1+2·jitter)+settle 4m12s (uncovered time after settle, M3)",
    );
    expect(validate(edit(B, "window: 50m", "window: 4m12s"))).toEqual([]);
    expect(one(edit(B, "window: 50m", "window: 3m"))).toContain("window 3m0s < cadence*(1+2·jitter)+settle 4m12s");
  });
  test("#48 default settle in the lower bound", () => {
    expect(one(edit(dropLine(B, "bucket_settle"), "window: 50m", "window: 3m"))).toContain(
      "window 3m0s < cadence*(1+2·jitter)+settle 11m12s",
    );
  });
  test("#49 cadence floor; an absent cadence takes the 60s default", () => {
    expect(one(edit(B, "cadence: 60s", "cadence: 9s"))).toContain("portkey-dev/analytics: cadence 9s < floor 10s");
    expect(validate(dropLine(B, "cadence: 60s"))).toEqual([]);
  });
  test("#50 window 0 passes validation; the build refuses it", () => {
    const t = edit(B, "window: 50m", "window: 0s");
    expect(validate(t)).toEqual([]);
    expect(buildError(t)).toContain("portkey: analytics loop requires a positive window");
  });
  test.each([
    ["bucket_settle: 3m", "bucket_settle: -10m", "portkey-dev/analytics: bucket_settle must be >= 0, got -10m0s"],
    ["max_backfill: 55m", "max_backfill: -1h", "portkey-dev/analytics: max_backfill must be >= 0, got -1h0m0s"],
    [
      "bootstrap_lookback: 50m",
      "bootstrap_lookback: -1m",
      "portkey-dev/analytics: bootstrap_lookback must be >= 0, got -1m0s",
    ],
  ])("#51 negative %p", (from, to, msg) => {
    expect(validate(edit(B, from, to))).toContain(msg);
  });
  test("#52 bootstrap_lookback above max_backfill", () => {
    const t = edit(B, "bootstrap_lookback: 50m", "bootstrap_lookback: 56m");
    expect(one(t)).toContain("bootstrap_lookback 56m0s > max_backfill 55m0s (first-run would skip storable data)");
    // Without max_backfill: the reference skips the check (0); here the 90m default applies.
    expect(validate(dropLine(t, "max_backfill"))).toEqual([]);
  });
  test("#53 a langsmith source validates", () => {
    const t = B.slice(0, B.indexOf("sources:")).concat(`sources:
  - type: langsmith
    enabled: true
    base_url: https://api.smith.langchain.com
    source_instance: langsmith-\${ENV}
    auth: {header: x-api-key, value: \${PORTKEY_API_KEY}}
    loops: {sessions: {enabled: true, cadence: 60s, metric_prefix: langsmith, settings: {stats_window: 1h, max_sessions: "1000"}}}
`);
    expect(validate(t)).toEqual([]);
  });
  test("#54 lease with file checkpoint names both keys", () => {
    expect(validate(edit(B, "checkpoint: configmap", "checkpoint: file"))).toEqual([
      "ha.checkpoint=file is unsafe with ha.coordinator=lease (per-pod, not shared across replicas → restart loses the watermark; use configmap)",
    ]);
  });
  test("#55–#58 dynamodb rules", () => {
    expect(one(ha("{coordinator: dynamodb, checkpoint: configmap, dynamodb: {table: t}}"))).toContain(
      "ha.coordinator=dynamodb requires ha.checkpoint=dynamodb",
    );
    expect(one(ha("{coordinator: none, checkpoint: dynamodb}"))).toContain("ha.dynamodb.table is required");
    const dd = (l: string, r: string, p: string) =>
      validate(
        ha(
          `{coordinator: dynamodb, checkpoint: dynamodb, dynamodb: {table: t, lease_duration: ${l}, renew_deadline: ${r}, retry_period: ${p}}}`,
        ),
      );
    expect(dd("5s", "10s", "2s")).toEqual(["ha.dynamodb.lease_duration must be > renew_deadline"]);
    expect(dd("15s", "10s", "20s").join("\n")).toContain("ha.dynamodb.retry_period must be < renew_deadline");
    expect(dd("15s", "10s", "2s")).toEqual([]);
    const neg = dd("-5s", "-10s", "-2s").join("\n");
    expect(neg).toContain("must each be >= 0");
    expect(neg).toContain("ha.dynamodb.retry_period must be > 0");
    expect(neg).toContain("retry_period must be < renew_deadline");
  });
  test("#59 unknown enums", () => {
    expect(one(edit(B, "coordinator: lease", "coordinator: etcd"))).toContain(
      'ha.coordinator must be lease|none|dynamodb, got "etcd"',
    );
    expect(one(edit(B, "checkpoint: configmap", "checkpoint: redis"))).toContain(
      'ha.checkpoint must be configmap|file|dynamodb, got "redis"',
    );
  });
  test.each([
    ["https://otlp.example/v1", "1", "t", false, ""],
    ["http://1.2.3.4:4318", "", "", false, "must be https"],
    ["http://127.0.0.1:4318", "", "", false, ""],
    ["http://10.1.2.3:4318", "", "", true, ""],
    ["http://alloy.monitoring.svc:4318", "", "", true, ""],
    ["http://10.1.2.3:4318", "id", "tok", true, "credential"],
    ["http://10.1.2.3:4318", "id", "", true, "credential"],
    ["http://8.8.8.8:4318", "", "", true, "private"],
    ["https://otlp.example/v1", "1", "t", true, ""],
    ["http://localhost.evil.example:4318", "", "", false, "must be https"],
    ["http://LOCALHOST:4318", "", "", false, "must be https"],
    ["http://0.0.0.0:4318", "", "", false, "must be https"],
    ["http://[::1]:4318", "", "", false, ""],
    ["http://127.0.0.1:4318", "id", "tok", false, ""],
    ["http://0.0.0.0:4318", "", "", true, "is a public address"],
    ["http://169.254.169.254", "", "", true, ""],
    ["http://[fd00::1]:4318", "", "", true, ""],
    ["http://[::ffff:127.0.0.1]:4318", "", "", false, ""],
    ["http://2130706433:4318", "", "", false, "must be https"],
  ])("#60–#62 telemetry endpoint %p id=%p tok=%p insecure=%p", (ep, id, tok, insecure, want) => {
    const got = one(tel(ep, id, tok, insecure));
    if (want === "") expect(got).toBe("");
    else expect(got).toContain(want);
  });
  test("#63–#65 emit.self", () => {
    expect(one(`${B.replace("emit:\n", "emit:\n  self: {metric_interval: 2m}\n")}`)).toContain(
      "emit.self.otlp.endpoint is required when the emit.self block is present",
    );
    const self = (o: string, extra = "") => B.replace("emit:\n", `emit:\n  self: {otlp: ${o}${extra}}\n`);
    expect(validate(self("{endpoint: http://10.0.0.5:4318, allow_insecure: true}"))).toEqual([]);
    expect(one(self("{endpoint: http://10.0.0.5:4318, allow_insecure: true, token: tok}"))).toContain("credential");
    expect(one(self("{endpoint: http://10.0.0.5:4318}"))).toContain("must be https");
    const iv = (i: string, dpm = "") =>
      validate(
        `${B.replace("emit:\n", `emit:\n  self: {otlp: {endpoint: https://otlp.example/otlp}${i ? `, metric_interval: ${i}` : ""}}\n`)}${dpm}`,
      );
    expect(iv("30s")).toEqual([
      "emit.self.metric_interval 30s < 1m0s violates the configured 1-DPM emission constraint",
    ]);
    expect(iv("60s")).toEqual([]);
    expect(iv("")).toEqual([]);
    expect(iv("45s", "governance: {max_dpm: 2}\n")).toEqual([]);
    expect(iv("20s", "governance: {max_dpm: 2}\n")).toEqual([
      "emit.self.metric_interval 20s < 30s violates the configured 2-DPM emission constraint",
    ]);
  });
  test("#66 telemetry metric_interval", () => {
    expect(one(B.replace("  telemetry:\n", "  telemetry:\n    metric_interval: 300s\n"))).toContain(
      "emit.telemetry.metric_interval is not honoured",
    );
  });
  test.each([
    ["{enabled: false, mode: nonsense}", ""],
    ["{enabled: true, mode: pull, pull: {addr: ':6060'}}", ""],
    ["{enabled: true, mode: push, push: {endpoint: https://p.example, instance_id: i, token: t}}", ""],
    ["{enabled: true, mode: sideways}", "selfobs.profiling.mode must be pull|push"],
    ["{enabled: true, mode: push, push: {instance_id: i, token: t}}", "selfobs.profiling.push.endpoint required"],
    [
      "{enabled: true, mode: push, push: {endpoint: http://profiles.example, instance_id: i, token: t}}",
      "must be https://",
    ],
    ["{enabled: true, mode: push, push: {endpoint: http://localhost:4040, instance_id: i, token: t}}", ""],
    ["{enabled: true, mode: push, push: {endpoint: https://p.example}}", "instance_id and token required"],
    [
      "{enabled: true, mode: push, pull: {addr: ':1'}, push: {endpoint: https://p.example, instance_id: i, token: t}}",
      "pull.addr set but mode is push",
    ],
    ["{enabled: true, mode: pull, push: {endpoint: https://p.example}}", "push.* set but mode is pull"],
  ])("#67 profiling %p", (p, want) => {
    const got = one(`${B}selfobs:\n  profiling: ${p}\n`);
    if (want === "") expect(got).toBe("");
    else expect(got).toContain(want);
  });
  test("#68 log format and level", () => {
    expect(one(`${B}log: {format: xml}\n`)).toContain('log.format must be logfmt|json (empty ⇒ logfmt), got "xml"');
    expect(one(`${B}log: {level: trace}\n`)).toContain(
      'log.level must be debug|info|warn|error (empty ⇒ info), got "trace"',
    );
    expect(one(`${B}log: {level: WARN}\n`)).toContain('got "WARN"');
    for (const ok of [
      "{format: json, level: debug}",
      '{level: ""}',
      "{level: info}",
      "{level: warn}",
      "{level: error}",
    ]) {
      expect(validate(`${B}log: ${ok}\n`)).toEqual([]);
    }
  });
  test("#69 negative governance values, four lines", () => {
    const g = validate(
      `${B}governance: {per_metric_cardinality_budget: -1, max_dpm: -1, max_catchup_per_tick: -1, max_stream_label_keys: -1}\n`,
    );
    expect(g).toContain("governance.max_dpm must be >= 0 (0 ⇒ default 1), got -1");
    expect(g.filter((l) => l.startsWith("governance."))).toHaveLength(4);
  });
  test("#70 source_instance rules", () => {
    expect(one(edit(B, "source_instance: portkey-${ENV}", "source_instance: portkey/${ENV}"))).toContain(
      `source_instance "portkey/dev" must not contain '/' (CheckpointKey delimiter)`,
    );
    expect(one(dropLine(B, "source_instance"))).toContain(
      'source "portkey": source_instance required (part of CheckpointKey)',
    );
  });
  test("#71 duplicate instances", () => {
    const src = B.slice(B.indexOf("  - type: portkey"));
    const count = (t: string) => validate(t).filter((l) => l === 'duplicate source_instance "portkey-dev"').length;
    expect(count(B + src)).toBe(1);
    expect(count(B + src + src)).toBe(2);
    expect(validate(B + src.replace("enabled: true", "enabled: false"))).toEqual([]);
    expect(validate(B + src.replace("source_instance: portkey-${ENV}", "source_instance: PORTKEY-${ENV}"))).toEqual([]);
  });
  test("#72 base_url rules", () => {
    expect(one(edit(B, "base_url: https://api.portkey.ai/v1", "base_url: http://api.portkey.ai/v1"))).toContain(
      'source "portkey-dev": base_url must be a non-empty https:// URL',
    );
    const priv = edit(
      B,
      "base_url: https://api.portkey.ai/v1",
      "base_url: http://api.portkey.ai/v1\n    http: {allow_private: true}",
    );
    expect(validate(priv)).toEqual([]);
    expect(validate(edit(B, "base_url: https://api.portkey.ai/v1", "base_url: http://127.0.0.1:9"))).toEqual([]);
    expect(one(edit(B, "base_url: https://api.portkey.ai/v1", "base_url: HTTPS://api.example"))).toContain("base_url");
    expect(one(edit(B, "base_url: https://api.portkey.ai/v1", 'base_url: ""'))).toContain('got ""');
    // Absent (not empty): the type's documented default base URL.
    expect(validate(dropLine(B, "base_url"))).toEqual([]);
  });
  test("#73 auth", () => {
    expect(
      one(
        edit(B, "auth: { header: x-portkey-api-key, value: ${PORTKEY_API_KEY} }", "auth: {header: x-portkey-api-key}"),
      ),
    ).toContain('source "portkey-dev": auth.header and auth.value are required');
  });
  test("#74 rate limit", () => {
    for (const tiny of ["5e-324", "0.0000001"]) {
      expect(one(edit(B, "rate_limit: { rps: 1, burst: 3 }", `rate_limit: {rps: ${tiny}, burst: 3}`))).toContain(
        "rate_limit.rps must be >= 0.0000005 (one request per ~23 days; smaller never issues a request)",
      );
    }
    expect(validate(edit(B, "rate_limit: { rps: 1, burst: 3 }", "rate_limit: {rps: 0.0000005, burst: 3}"))).toEqual([]);
    const v = one(edit(B, "rate_limit: { rps: 1, burst: 3 }", "rate_limit: {rps: -1, burst: -2}"));
    expect(v).toContain("rate_limit.rps must be > 0 (unset ⇒ default 1 applied in Load), got -1");
    expect(v).toContain(
      "rate_limit.burst must be >= 1 (burst 0 fails every request; unset ⇒ default 3 applied in Load), got -2",
    );
  });
  test("#75 errors of several loops, in document order", () => {
    const t = edit(
      edit(edit(B, "cadence: 60s", "cadence: 5s"), "window: 50m", "window: 70m"),
      "        graphs: [requests, cost, tokens, latency, errors]\n",
      "        graphs: [requests, cost, tokens, latency, errors]\n      other: {enabled: true, cadence: 1s}\n",
    );
    const v = validate(t);
    expect(v).toContain("portkey-dev/analytics: cadence 5s < floor 10s");
    expect(v.some((l) => l.startsWith("portkey-dev/analytics: window 1h10m0s > 55m0s"))).toBe(true);
    expect(v).toContain("portkey-dev/other: cadence 1s < floor 10s");
    expect(v.findIndex((l) => l.includes("analytics"))).toBeLessThan(
      v.indexOf("portkey-dev/other: cadence 1s < floor 10s"),
    );
  });
  test("no secret field is ever echoed by validation", () => {
    const t = tel("http://10.1.2.3:4318", "id-9876-secret", "tok-9876-secret", true);
    const v = one(edit(t, "value: ${PORTKEY_API_KEY}", "value: ''"));
    expect(v).not.toContain("9876");
  });
});

describe("11.5 build phase", () => {
  const fileHa = ha(FILE_HA);
  const settings = (s: string) =>
    edit(fileHa, "metric_prefix: portkey_api", `metric_prefix: portkey_api\n        settings: ${s}`);
  test("#76/#77 allow_label_keys", () => {
    expect(buildError(`${fileHa}governance: {allow_label_keys: [messages]}\n`)).toBe(
      'governance.allow_label_keys / settings.extra_indexed_fields: "messages" is a content-floor key (message body / injected PII) and cannot be promoted to a label',
    );
    expect(buildError(`${fileHa}governance: {allow_label_keys: [deployment_env]}\n`)).toBe("");
  });
  test("#78 extra_indexed_fields floor", () => {
    expect(buildError(settings("{extra_indexed_fields: messages}"))).toContain("content-floor key");
    expect(buildError(settings("{extra_indexed_fields: gen_ai.prompt.0.content}"))).toContain("content-floor key");
    expect(buildError(settings("{extra_indexed_fields: gen_ai.request.model}"))).toBe("");
  });
  test("#79 a typo in a loop name", () => {
    const loop = (en: boolean) =>
      edit(
        fileHa,
        "        graphs: [requests, cost, tokens, latency, errors]\n",
        `        graphs: [requests, cost, tokens, latency, errors]\n      log_export: {enabled: ${en}, cadence: 60s, window: 50m, bucket_settle: 3m, bootstrap_lookback: 50m, max_backfill: 55m}\n`,
      );
    expect(buildError(loop(true))).toBe(
      'source "portkey-dev" (type "portkey"): configured loop "log_export" is enabled but not recognised by the source (built loops: analytics) — check for a typo',
    );
    expect(buildError(loop(false))).toBe("");
  });
  test("#80 Loki stream-label budget", () => {
    const logs = (n: number, extra = "") =>
      `${edit(fileHa, "        graphs: [requests, cost, tokens, latency, errors]\n", `        graphs: [requests, cost, tokens, latency, errors]\n      logs_export:\n        enabled: true\n        cadence: 60s\n        settings: {workspace_id: ws-1, signed_url_allow_hosts: logs.example, extra_indexed_fields: "${Array.from({ length: n }, (_, i) => `ix${i}`).join(",")}"}\n`)}${extra}`;
    expect(buildError(logs(10))).toContain(
      'loop "logs_export" would emit 16 Loki stream labels (identity 3 + indexed 13) > governance.max_stream_label_keys 15',
    );
    expect(buildError(logs(9))).toBe("");
    expect(buildError(logs(10, "governance: {max_stream_label_keys: 30}\n"))).toBe("");
  });
  test("#81 series owned by two sources", () => {
    const src = (inst: string, prefix: string) => `  - type: portkey
    enabled: true
    source_instance: ${inst}
    auth: {header: x-portkey-api-key, value: pk}
    loops: {analytics: {enabled: true, graphs: [requests], metric_prefix: ${prefix}}}
`;
    const head = fileHa.slice(0, fileHa.indexOf("sources:"));
    expect(buildError(`${head}sources:\n${src("a", "portkey_api")}${src("b", "portkey_api")}`)).toBe(
      'series "portkey_api_requests" owned by both "a/analytics/4501e40bd7e173a9" and "b/analytics/4501e40bd7e173a9"',
    );
    expect(buildError(`${head}sources:\n${src("a", "portkey_api")}${src("b", "other")}`)).toBe("");
  });
  test("#82/#43 no enabled loops", () => {
    expect(
      buildError(edit(fileHa, "      analytics:\n        enabled: true", "      analytics:\n        enabled: false")),
    ).toBe("no enabled loops");
    const disabledUnknown = edit(
      edit(dropLine(fileHa, "    enabled: true"), "type: portkey", "type: nosuch"),
      "base_url: https://api.portkey.ai/v1",
      "base_url: http://x",
    );
    expect(buildError(disabledUnknown)).toBe("no enabled loops");
  });
  test("#83 logs_export record fields hard-deny", () => {
    const t = edit(
      fileHa,
      "        graphs: [requests, cost, tokens, latency, errors]\n",
      `        graphs: [requests, cost, tokens, latency, errors]\n      logs_export: {enabled: true, settings: {workspace_id: w, signed_url_allow_hosts: h, extra_record_fields: messages}}\n`,
    );
    expect(buildError(t)).toContain('extra_record_fields cannot include "messages"');
  });
  test("portkey constructor rules", () => {
    expect(
      buildError(edit(fileHa, "graphs: [requests, cost, tokens, latency, errors]", "graphs: [requests, bogus]")),
    ).toBe('portkey: analytics: unknown graph "bogus" (supported: cost,errors,latency,requests,tokens,users)');
    expect(buildError(edit(fileHa, "graphs: [requests, cost, tokens, latency, errors]", "graphs: []"))).toBe(
      "portkey: analytics loop enabled but no graphs configured",
    );
    expect(buildError(edit(fileHa, "max_backfill: 55m", "max_backfill: 0s"))).toContain(
      "max_backfill 0s must be > bucket_settle 3m0s",
    );
  });
  test("use-case rules", () => {
    const uc = (list: string, settingsLine = "") =>
      edit(fileHa, "    loops:\n", `    api_key_use_cases: ${list}\n    loops:\n`).replace(
        "metric_prefix: portkey_api",
        `metric_prefix: portkey_api${settingsLine}`,
      );
    expect(buildError(uc('[{label: "Data Gen", api_key_ids: [a]}, {label: "data-gen", api_key_ids: [b]}]'))).toContain(
      'duplicate slug "data_gen"',
    );
    expect(buildError(uc("[{label: A, api_key_ids: [a]}, {label: B, api_key_ids: [a]}]"))).toContain("listed twice");
    expect(buildError(uc("[{label: A, api_key_ids: [a]}]", "\n        settings: {api_key_ids: x}"))).toContain(
      "cannot be combined with api_key_use_cases",
    );
    expect(buildError(uc("[{label: A, api_key_ids: [a]}, {label: B, api_key_ids: [' b ']}]"))).toBe("");
  });
});
