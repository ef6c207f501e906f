/** The service-account token is re-read as it rotates; a 401 re-reads and retries once. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inClusterConfig, KubeClient } from "../../../src/kube/client.ts";

const dir = mkdtempSync(join(tmpdir(), "sa-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a rotated token is picked up on 401, the request retried once, the token never logged", async () => {
  const seen: string[] = [];
  const s = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const auth = req.headers.get("authorization") ?? "";
      seen.push(auth);
      return auth === "Bearer new-token-2"
        ? Response.json({ kind: "Lease" })
        : Response.json({ reason: "Unauthorized" }, { status: 401 });
    },
  });
  writeFileSync(join(dir, "token"), "old-token-1\n");
  writeFileSync(join(dir, "namespace"), "ns-from-file");
  const warnings: string[] = [];
  const cfg = inClusterConfig({ env: {}, apiUrl: `http://127.0.0.1:${s.port}`, saDir: dir });
  expect(cfg.namespace).toBe("ns-from-file");
  const k = new KubeClient(cfg, (m) => warnings.push(m));
  expect((await k.request("GET", "/x", undefined)).status).toBe(401);
  expect(seen).toEqual(["Bearer old-token-1", "Bearer old-token-1"]);
  writeFileSync(join(dir, "token"), "new-token-2");
  const r = await k.request("GET", "/x", undefined);
  expect(r.status).toBe(200);
  expect(seen.slice(2)).toEqual(["Bearer old-token-1", "Bearer new-token-2"]);
  expect(warnings.join(" ")).not.toContain("token-");
  s.stop(true);
});

test("missing in-cluster settings are named errors", () => {
  expect(() => inClusterConfig({ env: {}, saDir: dir, namespace: "n" })).toThrow("KUBERNETES_SERVICE_HOST");
  expect(() => inClusterConfig({ env: {}, apiUrl: "https://x", saDir: join(dir, "none"), namespace: "n" })).toThrow(
    "is unreadable",
  );
  expect(() => inClusterConfig({ env: {}, apiUrl: "https://x", saDir: join(dir, "none") })).toThrow(
    "namespace is empty",
  );
});
