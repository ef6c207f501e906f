/**
 * File checkpoint backend, for single-replica and local runs: a YAML map
 * `keyString → {time, cursor, epoch}`. Every save is flushed before it returns (write to
 * `<path>.tmp`, mode 0600, then rename), and a failed flush restores the previous entry.
 * A corrupt file refuses start-up rather than bootstrapping over it.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse } from "yaml";
import { readBoundedFile } from "../../base/read-file.ts";
import { type CheckpointKey, keyString } from "../../model/checkpoint-key.ts";
import { formatRfc3339Nano } from "../../model/time.ts";
import type { Watermark } from "../../model/types.ts";
import {
  type Checkpointer,
  CorruptCheckpoint,
  checkEncodable,
  checkMonotonic,
  fromFields,
  ZERO_WATERMARK,
} from "../contract.ts";
import { type FileEntry, renderCheckpointFile } from "./render.ts";

/** A few hundred loops' watermarks fit in kilobytes; anything near this is not a checkpoint. */
export const MAX_CHECKPOINT_FILE_BYTES = 8 * 1024 * 1024;

export class FileCheckpointer implements Checkpointer {
  private readonly entries = new Map<string, Watermark>();
  /** Serialises saves (the flush is synchronous, but keep the contract explicit). */
  private lock: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {
    let text: string;
    try {
      text = readBoundedFile(path, MAX_CHECKPOINT_FILE_BYTES);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return;
      throw new Error(`file checkpoint (-checkpoint-file): read ${path}: ${(e as Error).message}`);
    }
    let doc: unknown;
    try {
      // YAML 1.2 core schema: times stay strings.
      doc = parse(text, { schema: "core" });
    } catch {
      throw new CorruptCheckpoint(`corrupt checkpoint file ${path}: invalid YAML (refusing start)`);
    }
    if (doc === null || doc === undefined) return;
    if (typeof doc !== "object" || Array.isArray(doc)) {
      throw new CorruptCheckpoint(`corrupt checkpoint file ${path}: not a map (refusing start)`);
    }
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      if (v === null) continue;
      if (typeof v !== "object" || Array.isArray(v)) {
        throw new CorruptCheckpoint(`corrupt checkpoint file ${path}: entry ${k} (refusing start)`);
      }
      this.entries.set(k, fromFields(v as Record<string, unknown>, `${path}#${k}`));
    }
  }

  async load(key: CheckpointKey): Promise<Watermark> {
    return this.entries.get(keyString(key)) ?? ZERO_WATERMARK;
  }

  save(key: CheckpointKey, w: Watermark): Promise<void> {
    const run = this.lock.then(() => this.saveLocked(key, w));
    this.lock = run.catch(() => {});
    return run;
  }

  private saveLocked(key: CheckpointKey, w: Watermark): void {
    checkEncodable(w);
    const k = keyString(key);
    const prev = this.entries.get(k);
    checkMonotonic(prev ?? ZERO_WATERMARK, w);
    this.entries.set(k, w);
    try {
      this.flush();
    } catch (e) {
      if (prev) this.entries.set(k, prev);
      else this.entries.delete(k);
      throw e;
    }
  }

  private flush(): void {
    const rows: [string, FileEntry][] = [];
    for (const [k, w] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      rows.push([k, { time: formatRfc3339Nano(w.time), cursor: w.cursor, epoch: w.epoch }]);
    }
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, renderCheckpointFile(rows), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
