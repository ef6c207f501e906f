/**
 * Health endpoints. `/readyz`: config loaded and server up, leader or standby.
 * `/healthz`: a standby is healthy; a leader is healthy while loop ticks keep beating within
 * the threshold (max(10m, slowest enabled cadence) + 6m). Only a wedged scheduler fails it.
 */
import { MINUTE } from "../model/duration.ts";

export class HealthState {
  ready = false;
  leader = false;
  private lastBeat: number | undefined;

  constructor(
    readonly thresholdMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  beat(): void {
    this.lastBeat = this.now();
  }

  healthy(): boolean {
    if (!this.leader) return true;
    return this.lastBeat !== undefined && this.now() - this.lastBeat <= this.thresholdMs;
  }
}

/** Liveness threshold in ms from the enabled loops' cadences (ns). */
export function livenessThresholdMs(enabledCadencesNs: number[]): number {
  const slowest = Math.max(10 * MINUTE, ...enabledCadencesNs);
  return (slowest + 6 * MINUTE) / 1e6;
}

/** Split `[host]:port` as Go's net.Listen would take it. */
export function listenAddress(addr: string): { hostname: string; port: number } {
  const m = /^(.*):([0-9]+)$/.exec(addr);
  if (!m) throw new Error(`listen tcp ${addr}: address ${addr}: missing port in address`);
  let host = m[1] ?? "";
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { hostname: host === "" ? "0.0.0.0" : host, port: Number(m[2]) };
}

export interface HealthServer {
  stop(): Promise<void>;
  port: number;
}

/** A further route by path (the self-metrics page); undefined falls through to 404. */
export type ExtraRoute = (path: string) => Response | Promise<Response> | undefined;

/** The request target's path; undefined for targets that are not a URL path (CONNECT's authority form, say). */
function pathOf(req: Request): string | undefined {
  if (req.method === "CONNECT") return undefined;
  try {
    return new URL(req.url).pathname;
  } catch {
    return undefined;
  }
}

const badRequest = () => new Response("bad request\n", { status: 400 });

export function startHealthServer(addr: string, state: HealthState, extra?: ExtraRoute): HealthServer {
  const { hostname, port } = listenAddress(addr);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname,
      port,
      reusePort: false,
      async fetch(req) {
        const path = pathOf(req);
        if (path === undefined) return badRequest();
        if (path === "/readyz")
          return new Response(state.ready ? "ok\n" : "not ready\n", { status: state.ready ? 200 : 503 });
        if (path === "/healthz") {
          const ok = state.healthy();
          return new Response(ok ? "ok\n" : "stalled\n", { status: ok ? 200 : 503 });
        }
        const r = extra ? await extra(path) : undefined;
        return r ?? new Response("not found\n", { status: 404 });
      },
      // Whatever a probe sends, the answer is a 4xx and nothing is printed: the runtime's own
      // error page would write a stack and bundled source to stderr for every such request.
      error: badRequest,
    });
  } catch (e) {
    throw new Error(`health server bind failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    port: server.port ?? port,
    async stop() {
      await server.stop(true);
    },
  };
}
