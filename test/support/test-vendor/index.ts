/** A test-only vendor with one logs loop; registered only by tests (see logs-bridge.ts). */
import { HttpClient } from "../../../src/net/client.ts";
import { defineVendor } from "../../../src/sources/define.ts";
import { records } from "./records.ts";

export const testlogs = defineVendor<HttpClient>({
  type: "testlogs",
  defaultBaseUrl: "https://127.0.0.1:9",
  labelKeys: ["run_type", "status"],
  loops: [records],
  connect: (s, deps) =>
    new HttpClient({
      baseUrl: s.base_url,
      authHeader: s.auth.header,
      authValue: s.auth.value,
      userAgent: deps.userAgent,
      rps: s.rate_limit.rps,
      burst: s.rate_limit.burst,
      allowPrivate: s.http.allow_private,
      allowHosts: s.http.allow_hosts,
      fetch: deps.fetch,
      resolve: deps.resolve,
      observer: deps.observeRequest,
    }),
});
