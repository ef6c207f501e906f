/**
 * The suite every checkpoint store passes (file and ConfigMap alike): absent reads as ZERO and
 * unreadable is refused, writes are monotonic, a lower epoch is fenced, and concurrent writers
 * never move a watermark backwards or lose the newest write.
 */
import { describe, expect, test } from "bun:test";
import { type Checkpointer, StaleWrite, ZERO_WATERMARK } from "../../src/checkpoint/contract.ts";
import type { CheckpointKey } from "../../src/model/checkpoint-key.ts";
import { parseRfc3339 } from "../../src/model/time.ts";
import type { Watermark } from "../../src/model/types.ts";

export interface StoreHarness {
  title: string;
  /** The store under test. */
  open(): Promise<Checkpointer>;
  /** Another writer on the same storage: another replica, or the same instance for a single-writer store. */
  peer(): Promise<Checkpointer>;
  /** Make the stored entry of `key` unreadable. */
  corrupt(key: CheckpointKey): Promise<void>;
  /** The store as a restarted process would open it. */
  reopen(): Promise<Checkpointer>;
}

let n = 0;
const freshKey = (): CheckpointKey => ({
  sourceInstance: `contract-${Date.now()}-${n++}`,
  loop: "loop",
  fingerprint: "f",
});
const w = (iso: string, epoch = 1, cursor = ""): Watermark => {
  const time = parseRfc3339(iso);
  if (time === undefined) throw new Error(iso);
  return { time, cursor, epoch };
};

export function checkpointContract(h: StoreHarness): void {
  describe(`checkpoint store contract: ${h.title}`, () => {
    test("absent reads as ZERO; a saved watermark survives a reopen", async () => {
      const key = freshKey();
      const s = await h.open();
      expect(await s.load(key)).toEqual(ZERO_WATERMARK);
      await s.save(key, w("2026-06-19T10:05:00.123456789Z", 3, "page-2"));
      expect(await (await h.reopen()).load(key)).toEqual(w("2026-06-19T10:05:00.123456789Z", 3, "page-2"));
    });

    test("monotonic: backwards and unchanged writes are StaleWrite and change nothing", async () => {
      const key = freshKey();
      const s = await h.open();
      await s.save(key, w("2026-06-19T10:05:00Z"));
      await expect(s.save(key, w("2026-06-19T10:04:00Z"))).rejects.toBeInstanceOf(StaleWrite);
      await expect(s.save(key, w("2026-06-19T10:05:00Z"))).rejects.toBeInstanceOf(StaleWrite);
      await s.save(key, w("2026-06-19T10:05:00Z", 1, "cursor-1"));
      expect(await (await h.reopen()).load(key)).toEqual(w("2026-06-19T10:05:00Z", 1, "cursor-1"));
    });

    test("epoch fence: a lower epoch never writes, even forwards", async () => {
      const key = freshKey();
      const s = await h.open();
      await s.save(key, w("2026-06-19T10:05:00Z", 5));
      await expect(s.save(key, w("2026-06-19T11:00:00Z", 4))).rejects.toBeInstanceOf(StaleWrite);
      await s.save(key, w("2026-06-19T10:06:00Z", 6));
      expect(await (await h.reopen()).load(key)).toEqual(w("2026-06-19T10:06:00Z", 6));
    });

    test("unreadable is not absent: the store refuses it rather than starting over", async () => {
      const key = freshKey();
      await (await h.open()).save(key, w("2026-06-19T10:05:00Z"));
      await h.corrupt(key);
      await expect((async () => (await h.reopen()).load(key))()).rejects.toThrow(/corrupt/);
    });

    test("concurrent writers: the newest write wins, nothing moves backwards, losers are StaleWrite", async () => {
      const key = freshKey();
      const a = await h.open();
      const b = await h.peer();
      const minutes = Array.from({ length: 8 }, (_, i) => i);
      const results = await Promise.allSettled(
        minutes.map((m) => (m % 2 === 0 ? a : b).save(key, w(`2026-06-19T10:${String(10 + m).padStart(2, "0")}:00Z`))),
      );
      for (const r of results) {
        if (r.status === "rejected") expect(r.reason).toBeInstanceOf(StaleWrite);
      }
      const stored = await (await h.reopen()).load(key);
      const accepted = minutes.filter((_, i) => results[i]?.status === "fulfilled");
      const last = Math.max(...accepted);
      expect(stored).toEqual(w(`2026-06-19T10:${String(10 + last).padStart(2, "0")}:00Z`));
      // Whatever interleaving happened, a later write never lost to an earlier one that landed after it.
      await expect(a.save(key, w("2026-06-19T10:09:00Z"))).rejects.toBeInstanceOf(StaleWrite);
    });
  });
}
