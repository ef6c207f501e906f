/** The compiled binary as a subprocess: modes, exit codes, streams. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { countingServer, requireBinary, run, start } from "../support/binary.ts";
import { B, ENV_B, edit } from "../support/config-fixtures.ts";

let dir = "";
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** B made runnable on one machine: no HA, telemetry to a local receiver. */
const runnable = (endpoint: string) =>
  edit(edit(B, "coordinator: lease", "coordinator: none"), "checkpoint: configmap", "checkpoint: file").replace(
    "${GC_OTLP_ENDPOINT}",
    endpoint,
  );
let port = 19000 + Math.floor(Math.random() * 500);
const healthAddr = () => `127.0.0.1:${port++}`;

beforeAll(() => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "bin-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("version", () => {
  const expected = (() => {
    const r = spawnSync("git", ["describe", "--tags", "--always", "--dirty"], {
      encoding: "utf8",
      cwd: resolve(import.meta.dir, "../.."),
    });
    return r.status === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : "dev";
  })();
  test.each([[["-version"]], [["--version"]], [["version"]]])(
    "%p prints the build's git version only",
    async (args) => {
      const r = await run(args);
      expect(r).toEqual({ code: 0, stdout: `${expected}\n`, stderr: "" });
    },
  );
  test("-version reads no config", async () => {
    const r = await run(["-version", "-config=/nonexistent"]);
    expect(r.code).toBe(0);
  });
});

describe("-validate-config (#85–#88)", () => {
  test("#85 fixture B with no env set", async () => {
    const p = file("b.yaml", B);
    const r = await run(["-validate-config", `-config=${p}`]);
    expect(r).toEqual({ code: 0, stdout: `validate-config: OK (${p})\n`, stderr: "" });
  });
  test.each([
    [`${B}bogus_top_level_key: 1\n`, "bogus_top_level_key"],
    [edit(B, "emit_workers: 1", "emit_workers: 2"), "emit_workers"],
    [edit(B, "type: portkey", "type: nosuchvendor"), "nosuchvendor"],
  ])("#86 FAIL names the key", async (text, key) => {
    const r = await run(["-validate-config", `-config=${file("bad.yaml", text)}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith("validate-config: FAIL: ");
    expect(r.stderr).toContain(key);
  });
  test("#87 URL placeholders for unset endpoint variables", async () => {
    const t = edit(
      edit(B, "${GC_OTLP_ENDPOINT}", "${OTLP_GATEWAY}"),
      "base_url: https://api.portkey.ai/v1",
      "base_url: ${PK_BASE}",
    );
    const r = await run(["-validate-config", `-config=${file("ph.yaml", t)}`]);
    expect(r.code).toBe(0);
  });
  test("#88 build-phase rules are not run; the strict validate runs them", async () => {
    const p = file("floor.yaml", `${B}governance: {allow_label_keys: [messages]}\n`);
    expect((await run(["-validate-config", `-config=${p}`])).code).toBe(0);
    const strict = await run(["validate", "--config", p], { env: ENV_B });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('"messages" is a content-floor key');
  });
  test("unreadable file", async () => {
    const r = await run(["-validate-config", "-config=/nonexistent.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "validate-config: FAIL: read /nonexistent.yaml: open /nonexistent.yaml: no such file or directory\n",
    );
  });
});

describe("validate (strict)", () => {
  const qs = resolve(import.meta.dir, "../../docs/examples/quickstart.yaml");
  const env = {
    GC_OTLP_ENDPOINT: "https://otlp.example",
    GC_INSTANCE_ID: "123456",
    GC_OTLP_TOKEN: "glc_quick_secret",
    ENV: "dev",
    PORTKEY_API_KEY: "pk-quick-secret",
  };
  test("the README quickstart validates with its variables set", async () => {
    const r = await run(["validate", "--config", qs], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith(`validate: OK (${qs})`);
    expect(r.stdout).toContain("value: <redacted>");
    expect(r.stdout).toContain("token: <redacted>");
    expect(r.stdout).toContain("coordinator: none");
    for (const s of ["glc_quick_secret", "pk-quick-secret", "123456"]) expect(r.stdout).not.toContain(s);
  });
  test("real environment: an unset variable fails", async () => {
    const { PORTKEY_API_KEY: _, ...rest } = env;
    const r = await run(["validate", "-config", qs], { env: rest });
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toBe('validate: FAIL: config: required env "PORTKEY_API_KEY" is unset\n');
  });
  test("#19 GENAI_OTEL_BRIDGE_CONFIG wins when no --config is given", async () => {
    const r = await run(["validate"], {
      env: {
        GENAI_OTEL_BRIDGE_CONFIG: "emit:\n  telemetry:\n    otlp:\n      endpoint: ${TEST_OTLP_EP}\n",
        TEST_OTLP_EP: "https://otlp.example.com",
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no enabled loops");
  });
  test("acceptance: lease + file checkpoint is refused naming both keys", async () => {
    const r = await run(
      ["validate", "--config", file("lf.yaml", edit(B, "checkpoint: configmap", "checkpoint: file"))],
      { env: ENV_B },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ha.checkpoint=file is unsafe with ha.coordinator=lease");
  });
});

describe("flags (#89–#91)", () => {
  test.each([
    [["-bogus"], "flag provided but not defined: -bogus"],
    [["-Version"], "flag provided but not defined: -Version"],
    [["-container-mem-bytes=512Mi"], 'invalid value "512Mi" for flag -container-mem-bytes: parse error'],
    [["-config"], "flag needs an argument: -config"],
    [["validate", "-bogus"], "flag provided but not defined: -bogus"],
  ])("#89 %p exits 2", async (args, msg) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toStartWith(`${msg}\n`);
    expect(r.stderr).toContain("-config");
  });
  test.each([[["-h"]], [["--help"]], [["-help"]], [["validate", "--help"]]])(
    "#90 %p: usage on stderr, exit 0",
    async (args) => {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("-config");
    },
  );
  test("#91 -version after a positional is ignored", async () => {
    const r = await run(["-container-mem-bytes", "5", "pos", "-version", "-config=/nonexistent"]);
    expect(r.code).toBe(1);
    // Neither -version nor -config after "pos" counted: the default path was read.
    expect(r.stderr).toContain("config: read /etc/genai-otel-bridge/config.yaml");
  });
});

describe("-healthcheck (#93)", () => {
  test("200 ⇒ 0, 503 ⇒ 1, nothing listening ⇒ 1", async () => {
    const ok = countingServer(
      (req) => new Response("", { status: new URL(req.url).pathname === "/healthz" ? 200 : 404 }),
    );
    const bad = countingServer(() => new Response("", { status: 503 }));
    expect((await run(["-healthcheck", `-health-addr=:${ok.port}`])).code).toBe(0);
    expect((await run(["-healthcheck", `-health-addr=127.0.0.1:${bad.port}`])).code).toBe(1);
    ok.stop();
    expect((await run(["-healthcheck", `-health-addr=127.0.0.1:${ok.port}`])).code).toBe(1);
    bad.stop();
  });
});

describe("run mode start-up (#94–#100)", () => {
  test("#97 missing config: stderr, load config, exit 1", async () => {
    const r = await run(["-config=/nonexistent.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/level=ERROR msg="load config" err="config: read \/nonexistent.yaml/);
  });
  test("#98 invalid config: one ERROR line on stdout, exit 1, no request made", async () => {
    const sink = countingServer();
    const p = file("inv.yaml", edit(runnable(sink.url), "emit_workers: 1", "emit_workers: 2"));
    const r = await run([`-config=${p}`, `-health-addr=${healthAddr()}`], { env: ENV_B });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/level=ERROR msg=build err="config invalid: queue.emit_workers must be 1/);
    expect(sink.count).toBe(0);
    sink.stop();
  });
  test("acceptance: lease + file exits non-zero before any network call, naming both keys", async () => {
    const sink = countingServer();
    const t = edit(B.replace("${GC_OTLP_ENDPOINT}", sink.url), "checkpoint: configmap", "checkpoint: file").replace(
      "base_url: https://api.portkey.ai/v1",
      `base_url: ${sink.url}`,
    );
    const r = await run([`-config=${file("lf2.yaml", t)}`, "-identity=pod-0", `-health-addr=${healthAddr()}`], {
      env: ENV_B,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ha.checkpoint=file is unsafe with ha.coordinator=lease");
    expect(sink.count).toBe(0);
    sink.stop();
  });
  test("a base_url on a metadata address is refused at start-up, naming the key; loopback needs allow_private", async () => {
    const meta = edit(
      runnable("https://otlp.example"),
      "base_url: https://api.portkey.ai/v1",
      "base_url: http://169.254.169.254/v1\n    http: {allow_private: true}",
    );
    const r = await run(
      [`-config=${file("meta.yaml", meta)}`, `-health-addr=${healthAddr()}`, `-checkpoint-file=${join(dir, "m.yaml")}`],
      { env: ENV_B },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'msg=build err="sources[0].base_url: egress: blocked cloud-metadata/CGNAT address 169.254.169.254"',
    );
    const sink = countingServer();
    const lo = edit(
      runnable("https://otlp.example"),
      "base_url: https://api.portkey.ai/v1",
      `base_url: ${sink.url}/v1`,
    );
    const r2 = await run(
      [`-config=${file("lo.yaml", lo)}`, `-health-addr=${healthAddr()}`, `-checkpoint-file=${join(dir, "l.yaml")}`],
      { env: ENV_B },
    );
    expect(r2.code).toBe(1);
    expect(r2.stdout).toContain("sources[0].base_url: egress: blocked loopback");
    expect(sink.count).toBe(0);
    sink.stop();
  });
  test("#95 replica guard", async () => {
    const p = file("rg.yaml", runnable("https://otlp.example"));
    const r = await run([`-config=${p}`], { env: { ...ENV_B, GENAI_OTEL_BRIDGE_REPLICAS: "2" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ha.coordinator=none with replicas=2");
  });
  test("#96 lease without identity", async () => {
    const r = await run([`-config=${file("li.yaml", B)}`], { env: ENV_B });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('msg="ha identity"');
    expect(r.stdout).toContain("-identity");
    expect(r.stdout).toContain("$POD_NAME");
  });
  test("#94/#100/#103 ECS identity, config loaded line, SIGTERM ⇒ exit 0", async () => {
    const ecs = countingServer((req) =>
      new URL(req.url).pathname === "/v4/task"
        ? Response.json({ TaskARN: "arn:aws:ecs:eu-west-1:111:task/cluster/abc123" })
        : new Response("", { status: 404 }),
    );
    const cp = join(dir, "cp", "checkpoints.yaml");
    const b = start(
      [
        `-config=${file("ok.yaml", runnable("https://otlp.example"))}`,
        `-health-addr=${healthAddr()}`,
        `-checkpoint-file=${cp}`,
      ],
      {
        env: { ...ENV_B, ECS_CONTAINER_METADATA_URI_V4: `${ecs.url}/v4/` },
      },
    );
    await b.waitFor((o) => o.includes("config loaded"));
    const r = await b.stop("SIGTERM");
    ecs.stop();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('msg="config loaded" instance=arn:aws:ecs:eu-west-1:111:task/cluster/abc123 version=');
    expect(r.stdout).toContain(
      'sources_enabled=1 loops_enabled=1 telemetry_endpoint=otlp.example self_endpoint=false profiling=false tracing=false log_level=""',
    );
    const lines = r.stdout.trim().split("\n");
    expect(lines.at(-1)).toMatch(/level=INFO msg="genai-otel-bridge stopped"/);
  });
  test("#99 health port already bound", async () => {
    const busy = countingServer();
    const r = await run(
      [
        `-config=${file("hp.yaml", runnable("https://otlp.example"))}`,
        `-health-addr=127.0.0.1:${busy.port}`,
        `-checkpoint-file=${join(dir, "c2.yaml")}`,
      ],
      { env: ENV_B },
    );
    busy.stop();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("health server bind failed");
  });
  test("omitted ha: coordinator none with the file checkpoint, said at start-up", async () => {
    const t = edit(B, "ha:\n  coordinator: lease\n  checkpoint: configmap\n", "");
    const cp = join(dir, "omitted", "checkpoints.yaml");
    const b = start([`-config=${file("noha.yaml", t)}`, `-health-addr=${healthAddr()}`, `-checkpoint-file=${cp}`], {
      env: ENV_B,
    });
    await b.waitFor((o) => o.includes("single replica, file checkpoint"));
    const r = await b.stop();
    expect(r.stdout).toContain('msg="default applied" key=ha.coordinator value=none');
    expect(r.stdout).toContain(`checkpoint=${cp}`);
  });
});

describe("no autoload of .env or bunfig.toml", () => {
  test("a planted .env and bunfig.toml in the working directory change nothing", async () => {
    const work = mkdtempSync(join(tmpdir(), "plant-"));
    const marker = join(work, "preloaded");
    writeFileSync(join(work, ".env"), `PORTKEY_API_KEY=planted\nGENAI_OTEL_BRIDGE_CONFIG="log: {level: nope}"\n`);
    writeFileSync(join(work, "evil.ts"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x");\n`);
    writeFileSync(join(work, "bunfig.toml"), `preload = ["./evil.ts"]\n`);
    writeFileSync(join(work, "c.yaml"), B);
    const { PORTKEY_API_KEY: _, ...env } = ENV_B;
    const r = await run(["validate", "--config", "c.yaml"], { cwd: work, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('validate: FAIL: config: required env "PORTKEY_API_KEY" is unset\n');
    expect(existsSync(marker)).toBe(false);
    const v = await run(["-version"], { cwd: work });
    expect(v.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    rmSync(work, { recursive: true, force: true });
  });
});

describe("secrets never reach any output", () => {
  const secrets = {
    GC_INSTANCE_ID: "inst-771199",
    GC_OTLP_TOKEN: "glc_eyJrIjoiZmFrZSJ9-token",
    PORTKEY_API_KEY: "pk-live-aaaabbbbccccdddd",
    SETTLE: "sk-supersecret-abc123-value",
  };
  test("every failing path, grepped for every secret value", async () => {
    const fileSecret = "file-secret-55aa77";
    const fsec = file("fsec", `${fileSecret}\n`);
    const env = { ...ENV_B, ...secrets };
    const variants = [
      edit(B, "bucket_settle: 3m", "bucket_settle: ${SETTLE}"),
      edit(B, "bucket_settle: 3m", `bucket_settle: file:${fsec}`),
      edit(B, "enabled: true", "enabled: ${PORTKEY_API_KEY}"),
      edit(B, "max_batches: 256", "max_batches: ${GC_OTLP_TOKEN}"),
      edit(B, "${GC_OTLP_ENDPOINT}", "http://8.8.8.8:4318\n      allow_insecure: true"),
      edit(B, "emit_workers: 1", "emit_workers: 2"),
      edit(B, "token: ${GC_OTLP_TOKEN}", `token: file:${fsec}`).replace("emit_workers: 1", "emit_workers: 3"),
      `${edit(B, "emit_workers: 1", "emit_workers: ${GC_INSTANCE_ID}")}log: {level: \${GC_OTLP_TOKEN}}\n`,
    ];
    const outputs: string[] = [];
    for (const [i, v] of variants.entries()) {
      const p = file(`s${i}.yaml`, v);
      for (const args of [
        ["validate", "--config", p],
        ["-validate-config", `-config=${p}`],
        [`-config=${p}`, "-identity=pod-0", `-health-addr=${healthAddr()}`],
      ]) {
        const r = await run(args, { env });
        outputs.push(r.stdout, r.stderr);
      }
    }
    const all = outputs.join("\n");
    expect(all.length).toBeGreaterThan(1000);
    for (const s of [
      ...Object.values(secrets),
      fileSecret,
      Buffer.from(`${secrets.GC_INSTANCE_ID}:${secrets.GC_OTLP_TOKEN}`).toString("base64"),
    ]) {
      expect(all).not.toContain(s);
    }
    expect(readFileSync(fsec, "utf8")).toContain(fileSecret);
  });
});

describe("an unexpected failure", () => {
  test("is one ERROR line on stderr and exit 1, not the runtime's source dump", async () => {
    // demo makes its temporary checkpoint directory under TMPDIR; here there is none.
    const r = await run(["demo", "--duration=1s"], { env: { TMPDIR: join(dir, "no-such-dir") } });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ level=ERROR msg="unexpected error" err="ENOENT: .*no-such-dir/);
  });
});
