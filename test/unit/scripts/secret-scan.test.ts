/** The after-suite secret scan: it finds a secret in each encoding, and passes clean output. */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodings } from "../../support/secret-forms.ts";

const SCRIPT = join(import.meta.dir, "../../../scripts/secret-scan.ts");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scan(outputs: string[], secrets: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "scan-"));
  dirs.push(dir);
  for (const [i, text] of outputs.entries()) writeFileSync(join(dir, `${i}-out.txt`), text);
  writeFileSync(join(dir, "secrets.jsonl"), `${JSON.stringify(secrets)}\n`);
  const r = spawnSync(process.execPath, [SCRIPT], {
    env: { ...process.env, GENAI_TEST_CAPTURE: dir },
    encoding: "utf8",
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("secret scan", () => {
  const token = 'glc_tok"en\\x';
  test.each([
    ["raw", `level=warn err="auth ${token} refused"`],
    ["JSON-escaped", JSON.stringify({ msg: `bad ${token}` })],
    ["percent-encoded", `GET /v1?key=${encodeURIComponent(token)}`],
    ["base64 (offset 1)", `Authorization: Basic ${Buffer.from(`123:${token}`).toString("base64")}`],
    ["base64 (offset 2)", `Authorization: Basic ${Buffer.from(`1234:${token}`).toString("base64")}`],
    ["hex", Buffer.from(token).toString("hex")],
  ])("finds it %s", (encoding, output) => {
    const r = scan(["clean line", output], [token]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`1-out.txt: a secret (${encoding})`);
  });
  test("clean output passes, and an empty capture is an error rather than a pass", () => {
    const clean = scan(["level=info msg=started key=[REDACTED]"], [token]);
    expect([clean.code, clean.out.trim()]).toEqual([0, expect.stringContaining("ok, none found")]);
    expect(scan([], [token]).code).toBe(1);
  });
  test("every form is at least 4 characters and the raw form comes first", () => {
    const forms = encodings("abcd");
    expect(forms[0]).toEqual({ encoding: "raw", text: "abcd" });
    expect(forms.every((f) => f.text.length >= 4)).toBe(true);
  });
});
