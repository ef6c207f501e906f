/**
 * After the suites: look for every secret the tests gave the bridge, in every encoding a log
 * line, an error or a header could carry it, in everything the bridge wrote (test/support/
 * capture.ts). Prints one summary line; exits 1 naming the file and the encoding of each find.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CAPTURE_DIR } from "../test/support/capture.ts";
import { encodings } from "../test/support/secret-forms.ts";

function main(): number {
  if (!existsSync(CAPTURE_DIR)) {
    console.error(`secret scan: nothing captured under ${CAPTURE_DIR}`);
    return 1;
  }
  const files = readdirSync(CAPTURE_DIR).filter((f) => f.endsWith(".txt"));
  const listed = join(CAPTURE_DIR, "secrets.jsonl");
  const secrets = existsSync(listed)
    ? [
        ...new Set(
          readFileSync(listed, "utf8")
            .split("\n")
            .filter(Boolean)
            .flatMap((l) => JSON.parse(l) as string[]),
        ),
      ]
    : [];
  if (files.length === 0 || secrets.length === 0) {
    console.error(`secret scan: ${files.length} outputs and ${secrets.length} secrets captured: nothing to check`);
    return 1;
  }
  const forms = secrets.flatMap((secret) => encodings(secret).map((form) => ({ secret, ...form })));
  const finds: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const text = readFileSync(join(CAPTURE_DIR, file), "utf8");
    bytes += text.length;
    for (const f of forms) if (text.includes(f.text)) finds.push(`${file}: a secret (${f.encoding})`);
  }
  for (const find of finds) console.error(`secret scan: FOUND ${find}`);
  console.log(
    `secret scan: ${files.length} outputs (${bytes} bytes), ${secrets.length} secrets in ${forms.length} encoded forms: ${finds.length === 0 ? "ok, none found" : `${finds.length} found`}`,
  );
  return finds.length === 0 ? 0 : 1;
}

process.exit(main());
