/** The shipped alert and recording rules, checked and unit-tested by the real promtool. */
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { peerBinary } from "../support/peers.ts";

const ROOT = resolve(import.meta.dir, "../..");

test("promtool check rules", () => {
  const r = spawnSync(peerBinary("promtool"), ["check", "rules", "deploy/grafana/rules.yaml"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect(`${r.stdout}${r.stderr}`).toContain("SUCCESS: 26 rules found");
  expect(r.status).toBe(0);
});

test("promtool test rules: alerts fire on the right series, recording rules compute per-bucket sums", () => {
  const r = spawnSync(peerBinary("promtool"), ["test", "rules", "test/rules/rules.test.yaml"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect({ code: r.status, out: `${r.stdout}${r.stderr}`.includes("SUCCESS") }).toEqual({ code: 0, out: true });
});
