/** Go `flag` grammar in front of citty. */
import { describe, expect, test } from "bun:test";
import { commands, flagSpecs } from "../../../src/cli/commands.ts";
import { parseGoInt64, prePass } from "../../../src/cli/goflags.ts";
import { localHealthUrl } from "../../../src/cli/healthcheck.ts";
import { argsOf } from "../../../src/cli/usage.ts";

const specs = flagSpecs(argsOf(commands({ env: {}, io: { out() {}, err() {} }, given: new Set() }).root));
const ok = (argv: string[]) => {
  const r = prePass(argv, specs);
  if (r.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r;
};

describe("Go flag grammar", () => {
  test("one or two dashes, = or a separate value", () => {
    expect(ok(["--config=a.yaml"]).values.get("config")).toBe("a.yaml");
    expect(ok(["-config", "a.yaml"]).values.get("config")).toBe("a.yaml");
    expect(ok(["-container-mem-bytes", "5"]).values.get("container-mem-bytes")).toBe("5");
  });
  test("parsing stops at the first positional; later flags are ignored", () => {
    const r = ok(["-container-mem-bytes", "5", "pos", "-version"]);
    expect(r.values.has("version")).toBe(false);
    expect(r.rest).toEqual(["pos", "-version"]);
  });
  test("-- ends flags", () => {
    expect(ok(["-version", "--", "-bogus"]).values.get("version")).toBe(true);
  });
  test("bool flags never consume the next argument", () => {
    const r = ok(["-version", "false"]);
    expect(r.values.get("version")).toBe(true);
    expect(r.rest).toEqual(["false"]);
    expect(ok(["-version=false"]).values.get("version")).toBe(false);
    expect(ok(["-version=T"]).values.get("version")).toBe(true);
  });
  test("repeated flag: last wins", () => {
    expect(ok(["-config=a", "--config=b"]).values.get("config")).toBe("b");
  });
  test.each([
    [["-bogus"], "flag provided but not defined: -bogus"],
    [["-Version"], "flag provided but not defined: -Version"],
    [["-container-mem-bytes=512Mi"], 'invalid value "512Mi" for flag -container-mem-bytes: parse error'],
    [["-config"], "flag needs an argument: -config"],
    [["-version=maybe"], 'invalid boolean value "maybe" for -version: parse error'],
    [["---x"], "bad flag syntax: ---x"],
  ])("%p is an error", (argv, msg) => {
    expect(prePass(argv, specs)).toEqual({ kind: "error", message: msg });
  });
  test.each([[["-h"]], [["-help"]], [["--help"]]])("%p asks for help", (argv) => {
    expect(prePass(argv, specs).kind).toBe("help");
  });
  test("normalised argv for citty", () => {
    expect(ok(["-config", "x", "-version=false", "-healthcheck"]).normalised).toEqual([
      "--config=x",
      "--no-version",
      "--healthcheck",
    ]);
  });
  test("int64 accepts Go literals and range", () => {
    expect(parseGoInt64("536870912")).toBe(536870912n);
    expect(parseGoInt64("0x10")).toBe(16n);
    expect(parseGoInt64("0o17")).toBe(15n);
    expect(parseGoInt64("017")).toBe(15n);
    expect(parseGoInt64("0b1_0")).toBe(2n);
    expect(parseGoInt64("-5")).toBe(-5n);
    expect(parseGoInt64("9223372036854775808")).toBeUndefined();
    expect(parseGoInt64("1_000")).toBeUndefined();
    expect(parseGoInt64("512Mi")).toBeUndefined();
  });
});

describe("#92 local health URL", () => {
  test.each([
    [":8080", "http://127.0.0.1:8080"],
    ["0.0.0.0:8080", "http://127.0.0.1:8080"],
    ["[::]:8080", "http://127.0.0.1:8080"],
    ["127.0.0.1:9000", "http://127.0.0.1:9000"],
    ["8080", "http://127.0.0.1:8080"],
    ["[::1]:8080", "http://[::1]:8080"],
  ])("%p", (addr, url) => expect(localHealthUrl(addr)).toBe(url));
});
