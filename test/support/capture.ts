/**
 * Everything the compiled bridge writes during the tests — stdout, stderr, `/metrics` scrapes,
 * dry-run output (stdout) and checkpoint files — is kept under one directory, with the secrets
 * each run was given, so that `scripts/secret-scan.ts` can look for every secret in every
 * encoding after the suites ran (issue 16's acceptance: no secret anywhere, in any form).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const CAPTURE_DIR = process.env.GENAI_TEST_CAPTURE ?? resolve(import.meta.dir, "../../.test-output");

/** Env names whose values are credentials (the ones the configs reference as secrets). */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)/i;

let sequence = 0;

/** The values of `env` that are secrets worth looking for (the redactor's > 3 bytes rule). */
export function secretsOf(env: Record<string, string> = {}): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && Buffer.byteLength(value) > 3)
    .map(([, value]) => value);
}

/** Keep one output of the bridge; `secrets` are added to the list every capture is checked against. */
export function capture(label: string, text: string, secrets: readonly string[] = []): void {
  mkdirSync(CAPTURE_DIR, { recursive: true });
  const name = `${process.pid}-${String(++sequence).padStart(5, "0")}-${label.replace(/[^a-z0-9.-]+/gi, "_")}.txt`;
  writeFileSync(join(CAPTURE_DIR, name), text);
  if (secrets.length > 0) appendFileSync(join(CAPTURE_DIR, "secrets.jsonl"), `${JSON.stringify(secrets)}\n`);
}

/** The checkpoint file named by `-checkpoint-file=…` in `args`, captured if it exists. */
export function captureCheckpoint(args: readonly string[], cwd: string | undefined): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const inline = /^--?checkpoint-file=(.+)$/.exec(arg)?.[1];
    const path = inline ?? (/^--?checkpoint-file$/.test(arg) ? args[i + 1] : undefined);
    if (path === undefined) continue;
    const full = resolve(cwd ?? ".", path);
    if (existsSync(full)) capture("checkpoint", readFileSync(full, "utf8"));
  }
}
