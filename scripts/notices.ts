/**
 * Write the licence files that travel with the compiled binary (image /licenses, release dist/):
 *
 *   LICENSE                 the project's licence text, by the SPDX id in package.json
 *   THIRD_PARTY_NOTICES.md  every npm package bundled into the binary (the `dependencies`
 *                           closure, walked through node_modules the way the bundler resolves
 *                           them) with its licence text, and the Bun runtime the executable
 *                           embeds, with the runtime's own notice of what it links
 *
 *   bun scripts/notices.ts DIR [--glibc]
 *
 * --glibc adds the glibc section (the glibc image carries Debian's libc6 copyright file).
 * Fails naming the package when a bundled package has no licence text to copy.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const ROOT = join(import.meta.dir, "..");

interface Manifest {
  name: string;
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

/** Node's lookup: node_modules/NAME in the requiring package's folder, then in each parent. */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === ROOT || dir === dirname(dir)) break; // never outside the project
  }
  throw new Error(`notices: dependency ${name} (required from ${from}) is not installed; run npm ci`);
}

interface Bundled {
  name: string;
  version: string;
  license: string;
  text: string;
}

/** The runtime `dependencies` closure, sorted by name, each with its licence file's text. */
function bundledPackages(): Bundled[] {
  const seen = new Map<string, Bundled>();
  const visit = (dir: string) => {
    for (const dep of Object.keys(readManifest(dir).dependencies ?? {})) {
      const at = resolvePackage(dep, dir);
      const m = readManifest(at);
      const key = `${m.name}@${m.version}`;
      if (seen.has(key)) continue;
      const file = readdirSync(at).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
      if (file === undefined) throw new Error(`notices: ${key} ships no LICENSE file to reproduce`);
      seen.set(key, {
        name: m.name,
        version: m.version,
        license: m.license ?? "see text",
        text: readFileSync(join(at, file), "utf8").trim(),
      });
      visit(at);
    }
  };
  visit(ROOT);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The full text of the project's licence, by the SPDX id in package.json. */
export function projectLicenseText(): string {
  const id = readManifest(ROOT).license;
  if (id === undefined) throw new Error("notices: package.json has no license field");
  const file = join(resolvePackage("spdx-license-list", ROOT), "licenses", `${id}.json`);
  if (!existsSync(file)) throw new Error(`notices: no licence text for SPDX id ${id}`);
  return (JSON.parse(readFileSync(file, "utf8")) as { licenseText: string }).licenseText;
}

/** Bun's own licence notice, from the bun-types package of the same version as the runtime. */
function bunNotice(): { version: string; text: string } {
  const version = readManifest(ROOT).devDependencies?.bun ?? "";
  const types = resolvePackage("bun-types", ROOT);
  const typesVersion = readManifest(types).version;
  if (typesVersion !== version) throw new Error(`notices: bun-types ${typesVersion} does not match bun ${version}`);
  const doc = readFileSync(join(types, "docs", "project", "license.mdx"), "utf8");
  // Drop the page's front matter; the rest is the notice as the Bun project words it.
  const body = doc.replace(/^---\n[\s\S]*?\n---\n/, "").trim();
  return { version, text: body.replace(/^(#+) /gm, "#$1 ") }; // its sections nest under ours
}

export function noticesMarkdown(glibc: boolean): string {
  const bun = bunNotice();
  const pkgs = bundledPackages();
  const out: string[] = [
    "# Third-party notices",
    "",
    "The genai-otel-bridge executable is one file made by `bun build --compile`: the Bun runtime",
    "with the project's JavaScript and the npm packages below bundled into it. Each is under its",
    "own licence, reproduced here.",
    "",
    "| Component | Version | Licence |",
    "|---|---|---|",
    `| Bun runtime | ${bun.version} | MIT, with statically linked libraries (see below) |`,
    ...pkgs.map((p) => `| ${p.name} | ${p.version} | ${p.license} |`),
  ];
  if (glibc) out.push("| GNU C Library: loader and libc | Debian bookworm libc6 | LGPL-2.1-or-later |");
  out.push("", `## Bun runtime ${bun.version}`, "", bun.text);
  for (const p of pkgs) out.push("", `## ${p.name} ${p.version} (${p.license})`, "", "```text", p.text, "```");
  if (glibc) {
    out.push(
      "",
      "## GNU C Library",
      "",
      "The image carries the dynamic loader and C libraries of Debian's libc6 package, unmodified.",
      "Their copyright and licence terms are in `/usr/share/doc/libc6/copyright` in the image;",
      "the corresponding source is Debian's `glibc` source package of the same version.",
    );
  }
  return `${out.join("\n")}\n`;
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (dir === undefined) {
    console.error("usage: bun scripts/notices.ts DIR [--glibc]");
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "LICENSE"), projectLicenseText());
  writeFileSync(join(dir, "THIRD_PARTY_NOTICES.md"), noticesMarkdown(process.argv.includes("--glibc")));
}
