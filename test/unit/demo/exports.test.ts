/** The demo's simulated log exports select requests the way Portkey's export filters do. */
import { describe, expect, test } from "bun:test";
import { Exports } from "../../../src/demo/exports.ts";

const MIN = 60_000;
// Every seventh minute is quiet, the others carry 1 + (minute mod 5) requests.
const perMinute = (startMs: number) => ((startMs / MIN) % 7 === 0 ? 0 : 1 + ((startMs / MIN) % 5));
const iso = (ms: number) => new Date(ms).toISOString();

/** Creates a job for [min, max) and returns the ids of the objects its signed URL serves. */
async function exported(exportsApi: Exports, min: number, max: number): Promise<string[]> {
  const created = exportsApi.handle("/logs/exports", "POST", {
    filters: { time_of_generation_min: iso(min), time_of_generation_max: iso(max), current_page: 0 },
  });
  if (!created) throw new Error("the simulated API refused the export");
  const { id, total } = (await created.json()) as { id: string; total: number };
  const text = await exportsApi.object(`/exports/${id}.jsonl`, null).text();
  const ids = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { id: string; created_at: string }).id);
  expect(ids).toHaveLength(total);
  return ids;
}

describe("demo exports", () => {
  test("a two-minute window whose one whole minute is quiet still holds its neighbours' requests", async () => {
    const quiet = 7 * 4_000_000 * MIN;
    const ids = await exported(new Exports(perMinute), quiet - 30_000, quiet + MIN + 30_000);
    expect(ids.length).toBeGreaterThan(0);
  });

  test("a window of one cadence holds the requests generated in it", async () => {
    const minute = (7 * 4_000_000 + 3) * MIN;
    // Requests of this minute are generated at 0 s, 0.997 s, 1.994 s and 2.991 s.
    expect(await exported(new Exports(perMinute), minute + 1_000, minute + 11_000)).toHaveLength(2);
  });

  test("adjacent windows split the requests with none twice and none lost, in time order", async () => {
    const exportsApi = new Exports(perMinute);
    const from = 7 * 4_000_000 * MIN - 95_000;
    const whole = await exported(exportsApi, from, from + 10 * MIN);
    const pieces: string[] = [];
    for (let at = from; at < from + 10 * MIN; at += 10_000)
      pieces.push(...(await exported(exportsApi, at, at + 10_000)));
    expect(pieces).toEqual(whole);
    expect(whole.length).toBeGreaterThan(10);
  });
});
