/** What a caller (the CLI's run mode, the demo, a test) hands the composition root. */
import type { FetchLike } from "../base/fetch.ts";
import type { Resolver } from "../net/egress.ts";
import type { Registry } from "../sources/registry.ts";

/** Transports a caller may swap for in-process ones (the demo's simulated world, tests). */
export interface Wiring {
  /** Vendor API transport. */
  sourceFetch?: FetchLike;
  /** DNS for the egress guard, at start-up and on every request. */
  sourceResolve?: Resolver;
  /** Product OTLP transport. */
  emitFetch?: FetchLike;
  /** Self-metric OTLP transport. */
  selfFetch?: FetchLike;
  /** Where --dry-run prints requests. */
  dryRunWrite?: (line: string) => void;
}

export interface RunOptions {
  config: string;
  healthAddr: string;
  namespace: string;
  identity: string;
  containerMemBytes: bigint;
  checkpointFile: string;
  checkpointFileExplicit: boolean;
  dryRun: boolean;
  kubeApiUrl?: string;
  saDir?: string;
  env: Record<string, string | undefined>;
  /** Config text instead of reading -config / the environment (the demo's embedded config). */
  configText?: string;
  /** Stops the run like SIGTERM does (the demo's duration). */
  signal?: AbortSignal;
  /** Source types (default: every vendor of this build; tests add test-only loops). */
  registry?: Registry;
  wiring?: Wiring;
}
