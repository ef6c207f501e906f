/**
 * The runtime's floor for the start-up rows of `npm run bench`: a bare HTTP server answering
 * `/readyz`, compiled exactly as the bridge is (scripts/build.ts). `--version` prints and exits.
 * Whatever the bridge costs beyond this program is the bridge's own.
 */
if (process.argv.includes("--version") || process.argv.includes("-version")) {
  process.stdout.write("floor\n");
  process.exit(0);
}
const addr = process.argv.find((a) => a.startsWith("-health-addr="))?.slice("-health-addr=".length) ?? "127.0.0.1:0";
const [hostname = "127.0.0.1", port = "0"] = addr.split(":");
Bun.serve({ hostname, port: Number(port), fetch: () => new Response("ok") });
process.on("SIGTERM", () => process.exit(0));
