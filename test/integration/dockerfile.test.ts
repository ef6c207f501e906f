/**
 * The Dockerfile, without a Docker engine. BuildKit's own parser and `docker build --check`
 * rules read it (test peer dockerfile-check, built from the Go module proxy); the final stage's
 * instructions are checked; then the build stage's steps run for real, in
 * the build context that .dockerignore leaves of a clean checkout, and must produce the image's
 * file set. Only `npm ci` is not re-run: the already-installed tree of the same lockfile is
 * linked in its place.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { IMAGE_FILES_X86_64, tree } from "../support/image-files.ts";
import { peerBinary } from "../support/peers.ts";

const ROOT = resolve(import.meta.dir, "../..");

interface Command {
  name: string;
  source: string;
  exec?: boolean;
  args?: string[];
  from?: string;
  labels?: Record<string, string>;
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  retries?: number;
}
interface Checked {
  warnings: string[];
  error: string;
  stages: { name: string; base: string; commands: Command[] }[];
  ignored: string[];
}

let checked: Checked;
let tracked: string[] = [];
let dir = "";

beforeAll(() => {
  // The files of a clean checkout: what a `docker build .` in a fresh clone sends as context.
  tracked = spawnSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).stdout.trim().split("\n");
  const r = spawnSync(peerBinary("dockerfile-check"), [join(ROOT, "Dockerfile"), join(ROOT, ".dockerignore")], {
    input: tracked.join("\n"),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  checked = JSON.parse(r.stdout) as Checked;
  dir = mkdtempSync(join(tmpdir(), "dockerfile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const final = () => checked.stages.at(-1) as Checked["stages"][number];
const all = (name: string) => final().commands.filter((c) => c.name === name);

describe("Dockerfile", () => {
  test("BuildKit parses it and its lint rules (docker build --check) find nothing", () => {
    expect(checked.error).toBe("");
    expect(checked.warnings).toEqual([]);
  });
  test("two stages: a Debian bookworm (glibc) builder, then FROM scratch", () => {
    expect(checked.stages.map((s) => [s.name, s.base])).toEqual([
      ["build", "node:20-bookworm"],
      ["", "scratch"],
    ]);
  });
  test("final stage: one COPY from the build stage, numeric non-root user, port, health check, exec entrypoint, no CMD", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(final().commands.map((c) => c.name)).toEqual([
      "LABEL",
      "COPY",
      "USER",
      "EXPOSE",
      "HEALTHCHECK",
      "ENTRYPOINT",
    ]);
    expect(all("LABEL")[0]?.labels?.["org.opencontainers.image.licenses"]).toBe(pkg.license);
    expect(all("COPY").map((c) => [c.from, c.args])).toEqual([["build", ["/src/rootfs/", "/"]]]);
    expect(all("USER")[0]?.args).toEqual(["65532:65532"]);
    expect(all("EXPOSE")[0]?.args).toEqual(["8080"]);
    const hc = all("HEALTHCHECK")[0];
    expect([hc?.args, hc?.interval, hc?.timeout, hc?.startPeriod, hc?.retries]).toEqual([
      ["CMD", "/genai-otel-bridge", "-healthcheck"],
      "30s",
      "5s",
      "1m0s",
      3,
    ]);
    expect(all("ENTRYPOINT").map((c) => [c.exec, c.args])).toEqual([[true, ["/genai-otel-bridge"]]]);
    expect(all("CMD")).toEqual([]);
  });
  test(".dockerignore keeps the context small: no VCS, tests, CI, Markdown or local outputs", () => {
    const ignored = new Set(checked.ignored);
    for (const f of tracked) {
      const shouldGo = /^(test\/|\.ci\/)|\.md$/.test(f);
      expect({ f, ignored: ignored.has(f) }).toEqual({ f, ignored: shouldGo });
    }
  });
  test("the build stage's steps, run in that context, produce the image file set", () => {
    const build = checked.stages[0]?.commands ?? [];
    const ctx = join(dir, "src");
    const version = "v9.8.7-dockerfile-test";
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir };
    const context = tracked.filter((f) => !checked.ignored.includes(f));
    const copyIn = (files: string[]) => {
      for (const f of files) {
        mkdirSync(dirname(join(ctx, f)), { recursive: true });
        copyFileSync(join(ROOT, f), join(ctx, f)); // keeps the mode, as COPY does
      }
    };
    mkdirSync(ctx, { recursive: true });
    for (const c of build) {
      const args = c.args ?? [];
      if (c.name === "ARG") {
        // --build-arg VERSION=…, which a RUN sees in its environment.
        for (const a of args) env[a.split("=")[0] ?? ""] = a.startsWith("VERSION=") ? version : (a.split("=")[1] ?? "");
      } else if (c.name === "WORKDIR") {
        expect(args).toEqual(["/src"]);
      } else if (c.name === "COPY") {
        const sources = args.slice(0, -1);
        copyIn(sources.includes(".") ? context : sources);
      } else if (c.name === "RUN" && /^npm ci( |$)/.test(args[0] ?? "")) {
        // The dependency install: link the installed tree of the same lockfile instead.
        symlinkSync(join(ROOT, "node_modules"), join(ctx, "node_modules"));
      } else if (c.name === "RUN") {
        expect(c.exec).toBeFalsy(); // shell form: /bin/sh -c, as the builder image runs it
        const r = spawnSync("/bin/sh", ["-c", args.join(" ")], { cwd: ctx, env, encoding: "utf8" });
        expect({ step: c.source, code: r.status, err: r.status === 0 ? "" : r.stderr }).toEqual({
          step: c.source,
          code: 0,
          err: "",
        });
      } else {
        throw new Error(`build stage: no rule for ${c.source}`);
      }
    }
    // What COPY --from=build /src/rootfs/ / puts in the image.
    const rootfs = join(ctx, "rootfs");
    expect(tree(rootfs)).toEqual(IMAGE_FILES_X86_64);
    const v = spawnSync(join(rootfs, "genai-otel-bridge"), ["--version"], { encoding: "utf8" });
    expect(v.stdout.trim()).toBe(version);
  }, 60_000);
});
