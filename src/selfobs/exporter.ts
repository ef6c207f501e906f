/**
 * Periodic self-metric export: every interval (60 s unless
 * emit.self.metric_interval, never below 60 s / max_dpm) one POST to `<self base>/v1/metrics`
 * under the self identity, on leader and standby alike. Best effort: a failed export is a
 * rate-limited WARN; the next interval re-sends the cumulative values.
 */

import type { FetchLike } from "../base/fetch.ts";
import { basicAuth, metricsUrl } from "../emit/otlp/emitter.ts";
import type { Logger } from "../log/logger.ts";
import { nowTime } from "../model/time.ts";
import type { Labels } from "../model/types.ts";
import { proxiedFetch } from "../net/proxied-fetch.ts";
import { encodeSelfMetrics } from "./otlp.ts";
import type { Registry } from "./registry.ts";

export interface SelfExporterOptions {
  endpoint: string;
  instanceId: string;
  token: string;
  resource: Labels;
  intervalMs: number;
  userAgent: string;
  fetch?: FetchLike;
}

export class SelfExporter {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly fetchImpl: FetchLike;

  constructor(
    private readonly o: SelfExporterOptions,
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {
    this.fetchImpl = o.fetch ?? proxiedFetch;
  }

  start(): void {
    this.timer = setInterval(() => void this.exportOnce(), this.o.intervalMs);
    this.timer.unref?.();
  }

  async exportOnce(): Promise<boolean> {
    const body = Bun.gzipSync(encodeSelfMetrics(this.o.resource, this.registry, nowTime()) as Uint8Array<ArrayBuffer>, {
      level: 1,
    });
    const headers: Record<string, string> = {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "gzip",
      "User-Agent": this.o.userAgent,
    };
    const auth = basicAuth(this.o.instanceId, this.o.token);
    if (auth) headers.Authorization = auth;
    try {
      const res = await this.fetchImpl(metricsUrl(this.o.endpoint), {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      if (res.status < 200 || res.status > 299) {
        this.log.warnLimited("selfobs:export", "self-metric export failed", { status: res.status });
        return false;
      }
      return true;
    } catch (e) {
      this.log.warnLimited("selfobs:export", "self-metric export failed", { err: e });
      return false;
    }
  }

  /** Final flush on shutdown, bounded to 5 s. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.race([this.exportOnce(), Bun.sleep(5000)]);
  }
}
