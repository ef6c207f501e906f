import { expect, test } from "bun:test";
import { RECLAIM_EVERY_RECORDS, Reclaimer } from "../../../src/schedule/reclaim.ts";

test("a full collection once the threshold of records has passed, counted across batches, then again from zero", () => {
  const runs: boolean[] = [];
  const reclaimer = new Reclaimer(10, (full) => runs.push(full));
  expect([reclaimer.afterBatch(4), reclaimer.afterBatch(5)]).toEqual([false, false]);
  expect(runs).toEqual([]);
  expect(reclaimer.afterBatch(1)).toBe(true);
  expect(runs).toEqual([true]);
  expect(reclaimer.afterBatch(9)).toBe(false);
  expect(reclaimer.afterBatch(25)).toBe(true);
  expect(runs).toEqual([true, true]);
});

test("metrics-only batches never collect", () => {
  let runs = 0;
  const reclaimer = new Reclaimer(RECLAIM_EVERY_RECORDS, () => runs++);
  for (let i = 0; i < 10_000; i++) reclaimer.afterBatch(0);
  expect(runs).toBe(0);
});

test("the default collects through the runtime without throwing", () => {
  expect(new Reclaimer(1).afterBatch(1)).toBe(true);
});
