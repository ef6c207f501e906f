/** Log formats, the warning limiter and redaction of secrets in every rendering. */
import { describe, expect, test } from "bun:test";
import { Dur } from "../../../src/log/format.ts";
import { Limiter } from "../../../src/log/limiter.ts";
import { Logger, logOptionsFromConfig } from "../../../src/log/logger.ts";
import { redact, registerBasicAuth, registerSecret } from "../../../src/log/redact.ts";

function capture(opts: Parameters<typeof Logger.create>[0] = {}) {
  const lines: string[] = [];
  const log = Logger.create({ ...opts, write: (l) => lines.push(l), now: () => new Date("2026-06-21T12:00:00.123Z") });
  return { log, lines };
}

describe("formats", () => {
  test("#104 logfmt quoting", () => {
    const { log, lines } = capture();
    log.info("hello world", {
      detail: "a b=c",
      n: 3,
      ok: true,
      d: new Dur(60e9),
      e: new Error("boom"),
      q: 'say "hi"\n',
    });
    expect(lines[0]).toBe(
      'time=2026-06-21T12:00:00.123Z level=INFO msg="hello world" detail="a b=c" n=3 ok=true d=1m0s e=boom q="say \\"hi\\"\\n"',
    );
    expect(() => JSON.parse(lines[0] ?? "")).toThrow();
  });
  test("empty values are quoted; instance follows msg", () => {
    const { log, lines } = capture({ instance: "pod-0" });
    log.info("config loaded", { log_level: "" });
    expect(lines[0]).toBe('time=2026-06-21T12:00:00.123Z level=INFO msg="config loaded" instance=pod-0 log_level=""');
  });
  test("#105 json", () => {
    const { log, lines } = capture({ format: "json" });
    log.with({ component: "emit", loop: "analytics" }).info("hi", { k: "v", d: new Dur(1500) });
    const o = JSON.parse(lines[0] ?? "{}");
    expect(o).toEqual({
      time: "2026-06-21T12:00:00.123Z",
      level: "INFO",
      msg: "hi",
      component: "emit",
      loop: "analytics",
      k: "v",
      d: 1500,
    });
    expect(Object.keys(o).slice(0, 3)).toEqual(["time", "level", "msg"]);
  });
  test("#106 empty format is logfmt", () => {
    expect(logOptionsFromConfig("", "")).toEqual({ level: "info", format: "logfmt" });
    expect(() => logOptionsFromConfig("trace", "")).toThrow('logging: unknown level "trace"');
    expect(() => logOptionsFromConfig("", "xml")).toThrow('logging: unknown format "xml"');
  });
  test.each([
    ["info", ["INFO", "WARN", "ERROR"]],
    ["debug", ["DEBUG", "INFO", "WARN", "ERROR"]],
    ["warn", ["WARN", "ERROR"]],
    ["error", ["ERROR"]],
  ] as const)("#107 level %p", (level, want) => {
    const { log, lines } = capture({ level });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines.map((l) => /level=(\w+)/.exec(l)?.[1])).toEqual([...want]);
  });
  test("identical lines are not collapsed", () => {
    const { log, lines } = capture();
    for (let i = 0; i < 10; i++) log.info("same");
    expect(lines).toHaveLength(10);
  });
});

describe("#108/#109 limiter", () => {
  test("windows per key", () => {
    let t = 0;
    const l = new Limiter(60_000, () => t);
    expect(l.allow("k")).toBe(true);
    expect(l.allow("k")).toBe(false);
    expect(l.allow("k2")).toBe(true);
    t = 59_000;
    expect(l.allow("k")).toBe(false);
    t = 61_000;
    expect(l.allow("k")).toBe(true);
    t = 121_000;
    expect(l.allow("k")).toBe(true); // exactly 60 s after the last allowed one
  });
  test("64 concurrent callers, one winner", async () => {
    const l = new Limiter(60_000, () => 5);
    const results = await Promise.all(Array.from({ length: 64 }, async () => l.allow("hot")));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
  test("#110 warnLimited writes once per window", () => {
    const { log, lines } = capture();
    let n = 0;
    for (let i = 0; i < 5; i++)
      if (log.warnLimited("auth:analytics:p", "upstream auth failure (401/403); check source credentials")) n++;
    expect(n).toBe(1);
    expect(lines).toHaveLength(1);
  });
});

describe("redaction", () => {
  test("every rendering of a secret: raw, JSON-escaped, Go-quoted, YAML-escaped, cut short", () => {
    const secret = 'pa"ss\\wo\nrd\u0001-tail';
    registerSecret(secret);
    const forms = [
      secret,
      JSON.stringify(secret).slice(1, -1),
      'pa\\"ss\\\\wo\\nrd\\x01-tail',
      'pa\\"ss\\\\wo\\nrd\\x01-tail'.replace("\\x01", "\\u0001"),
    ];
    for (const f of forms) expect(redact(`value ${f} end`)).toBe("value [redacted] end");
    expect(redact(`snippet: ${JSON.stringify(secret).slice(0, 16)}`)).toBe('snippet: "[redacted]');
    expect(redact("an ordinary message")).toBe("an ordinary message");
  });
  test("registered secrets, Basic auth forms, URL credentials and queries", () => {
    registerSecret("sk-live-0123456789");
    registerBasicAuth("998877", "glc_tok_abcdef");
    const b64 = Buffer.from("998877:glc_tok_abcdef").toString("base64");
    const s = redact(
      `key sk-live-0123456789 auth ${b64} pair 998877:glc_tok_abcdef url https://u:pw@h.example/p?X-Amz-Signature=abc`,
    );
    for (const leak of ["sk-live", b64, "glc_tok", "pw@", "X-Amz-Signature"]) expect(s).not.toContain(leak);
  });
  test("a secret inside a JSON-escaped value is still caught", () => {
    registerSecret('q"uote-secret');
    const { log, lines } = capture({ format: "json" });
    log.info("x", { v: 'has q"uote-secret inside' });
    expect(lines[0]).not.toContain("uote-secret");
  });
  test("short values (≤ 3 bytes) are not registered", () => {
    registerSecret("dev");
    expect(redact("env dev")).toBe("env dev");
  });
});
