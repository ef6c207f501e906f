/**
 * The tree keeps the shape ARCHITECTURE.md describes: folders import only what the table there
 * allows (so no folder imports one that imports it back), the core names no vendor, and no
 * source file grows past ~300 lines without saying why at its top.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");

const ALLOWED: Record<string, string[]> = {
  base: [],
  model: ["base"],
  log: ["model"],
  net: ["base", "log"],
  config: ["model", "log", "net", "config.schema.json"],
  kube: ["model", "log"],
  governance: ["base", "model"],
  emit: ["base", "model"],
  checkpoint: ["model", "kube"],
  coordinate: ["base", "kube", "log"],
  selfobs: ["base", "model", "log", "net", "emit"],
  sources: ["base", "model", "config", "governance", "net"],
  schedule: ["base", "model", "log", "checkpoint", "coordinate", "emit", "governance", "selfobs", "sources"],
  app: [
    "version.ts",
    "base",
    "model",
    "log",
    "net",
    "config",
    "kube",
    "governance",
    "emit",
    "checkpoint",
    "coordinate",
    "selfobs",
    "sources",
    "schedule",
  ],
  demo: ["app", "emit", "model"],
  cli: ["app", "demo", "version.ts", "checkpoint", "config", "coordinate", "kube", "log", "model", "net", "sources"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** A file's top folder under src/, or its repository path when it lies outside src/. */
const top = (p: string) => {
  const rel = relative(SRC, p);
  return rel.startsWith("..") ? relative(resolve(SRC, ".."), p) : (rel.split("/")[0] ?? "");
};
const all = files(SRC);

function edges(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of all) {
    const from = top(f);
    for (const m of readFileSync(f, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const to = top(resolve(dirname(f), m[1] ?? ""));
      if (to === from) continue;
      if (!out.has(from)) out.set(from, new Set());
      out.get(from)?.add(to);
    }
  }
  return out;
}

describe("architecture", () => {
  test("every folder imports only what ARCHITECTURE.md allows", () => {
    const bad: string[] = [];
    for (const [from, tos] of edges()) {
      const allowed = ALLOWED[from];
      if (!allowed) {
        bad.push(`${from}: not in the table`);
        continue;
      }
      // `base` holds dependency-free helpers every folder may use.
      for (const to of tos) if (to !== "base" && !allowed.includes(to)) bad.push(`${from} → ${to}`);
    }
    expect(bad).toEqual([]);
  });

  test("no folder imports a folder that imports it back", () => {
    const e = edges();
    const cycles: string[] = [];
    for (const [a, tos] of e) for (const b of tos) if (e.get(b)?.has(a) && a < b) cycles.push(`${a} ⇄ ${b}`);
    expect(cycles).toEqual([]);
  });

  const VENDOR_DIRS = ["portkey", "langsmith", "openai", "anthropic"];
  const VENDOR_NAMES = new RegExp(VENDOR_DIRS.join("|"), "i");

  test("the core names no vendor outside comments", () => {
    const hits: string[] = [];
    for (const f of all) {
      const rel = relative(SRC, f);
      if (VENDOR_DIRS.some((v) => rel.startsWith(`sources/${v}/`)) || rel.startsWith("demo/")) continue;
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, "");
          if (/^\s*(\*|\/\*)/.test(code)) return;
          if (VENDOR_NAMES.test(code) && !(rel === "sources/registry.ts")) hits.push(`${rel}:${i + 1}`);
        });
    }
    expect(hits).toEqual([]);
  });

  test("outside config and sources, nothing reads a loop's own keys; only the governance reads settings", () => {
    const hits: string[] = [];
    for (const f of all) {
      const rel = relative(SRC, f);
      if (rel.startsWith("config/") || rel.startsWith("sources/")) continue;
      const text = readFileSync(f, "utf8");
      if (/\w\??\.(graphs|metric_prefix|bucket_settle|bootstrap_lookback|max_backfill)\b/.test(text)) hits.push(rel);
      if (/\w\??\.settings(\??\.[a-z_]+|\[)/.test(text) && rel !== "governance/promotions.ts")
        hits.push(`${rel} (settings)`);
    }
    expect(hits).toEqual([]);
  });

  test("no file over ~300 lines without a reason stated at its top", () => {
    const long = all.filter((f) => {
      const text = readFileSync(f, "utf8");
      return text.split("\n").length > 320 && !/Longer than the usual file: /.test(text.slice(0, 1200));
    });
    expect(long.map((f) => relative(SRC, f))).toEqual([]);
  });
});
