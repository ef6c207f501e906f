/** The file store through the shared checkpoint-store contract. */
import { afterAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileCheckpointer } from "../../../src/checkpoint/file/store.ts";
import { keyString } from "../../../src/model/checkpoint-key.ts";
import { checkpointContract } from "../../support/checkpoint-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "cp-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One process owns the file (the file store is single-replica by design): the "peer" writer is
// the same instance, so the contract checks its serialised saves. Each test gets its own file,
// because one corrupt entry (rightly) makes the whole file refuse to open.
let files = 0;
let path = "";
let current: FileCheckpointer | undefined;
checkpointContract({
  title: "file",
  open: async () => {
    path = join(dir, `checkpoints-${files++}.yaml`);
    current = new FileCheckpointer(path);
    return current;
  },
  peer: async () => current ?? new FileCheckpointer(path),
  reopen: async () => new FileCheckpointer(path),
  corrupt: async (key) => {
    const k = keyString(key);
    const text = readFileSync(path, "utf8");
    writeFileSync(
      path,
      text.replace(new RegExp(`(${k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\n\\s+time: )\\S+`), "$1yesterday"),
    );
  },
});
