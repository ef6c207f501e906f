/**
 * Leader election over a coordination.k8s.io/v1 Lease, compatible with client-go's
 * protocol (same object, fields, MicroTime format, transitions), so a mixed rollout with the Go
 * implementation cannot elect two leaders. A held Lease is judged expired only after this replica
 * has seen it unchanged for leaseDurationSeconds on its own monotonic clock — never from the
 * renewTime value, so clock skew between nodes does not matter.
 */
import { KubeClient } from "../../kube/client.ts";
import { microTime } from "../../kube/microtime.ts";

export const LEASE_NAME = "genai-otel-bridge-leader";

export interface LeaseTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaseSpec {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | null;
  renewTime: string | null;
  leaseTransitions: number;
}

function specOf(obj: Record<string, unknown>): LeaseSpec {
  const s = (obj.spec ?? {}) as Record<string, unknown>;
  return {
    holderIdentity: typeof s.holderIdentity === "string" ? s.holderIdentity : "",
    leaseDurationSeconds: typeof s.leaseDurationSeconds === "number" ? s.leaseDurationSeconds : 0,
    acquireTime: typeof s.acquireTime === "string" ? s.acquireTime : null,
    renewTime: typeof s.renewTime === "string" ? s.renewTime : null,
    leaseTransitions: typeof s.leaseTransitions === "number" ? s.leaseTransitions : 0,
  };
}

const sameSpec = (a: LeaseSpec, b: LeaseSpec) =>
  a.holderIdentity === b.holderIdentity &&
  a.leaseDurationSeconds === b.leaseDurationSeconds &&
  a.acquireTime === b.acquireTime &&
  a.renewTime === b.renewTime &&
  a.leaseTransitions === b.leaseTransitions;

export function validateTimings(t: LeaseTimings, identity: string): void {
  if (!(t.leaseDurationMs > 0 && t.renewDeadlineMs > 0 && t.retryPeriodMs > 0))
    throw new Error("lease timings must be > 0");
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) throw new Error("lease duration must be > renew deadline");
  if (!(t.renewDeadlineMs > 1.2 * t.retryPeriodMs)) throw new Error("renew deadline must be > 1.2 × retry period");
  if (identity === "") throw new Error("leader-election identity is empty");
}

/** One campaign's elector state (fresh per campaign). */
export class Elector {
  private observed: LeaseSpec | undefined;
  private observedAt = 0;
  private lastFetched: LeaseSpec | undefined;
  private lastObject: Record<string, unknown> | undefined;
  /** leaseTransitions of this replica's last successful write (the epoch). */
  transitions = 0;
  /** Monotonic time of this replica's last successful write of the Lease. */
  lastSuccess = Number.NEGATIVE_INFINITY;
  /** Why the last attempt failed, for the log line when a term ends ("" when it did not). */
  lastError = "";

  constructor(
    private readonly kube: KubeClient,
    private readonly identity: string,
    private readonly t: LeaseTimings,
    private readonly now: () => number = () => performance.now(),
    private readonly wall: () => number = Date.now,
  ) {
    validateTimings(t, identity);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.kube.cfg.namespace}/leases/${LEASE_NAME}`;
  }

  isLeader(): boolean {
    return this.observed?.holderIdentity === this.identity;
  }

  private valid(now: number): boolean {
    return this.observed !== undefined && this.observedAt + this.observed.leaseDurationSeconds * 1000 > now;
  }

  private record(spec: LeaseSpec, obj: Record<string, unknown>): void {
    this.observed = spec;
    this.observedAt = this.now();
    this.lastObject = obj;
    this.transitions = spec.leaseTransitions;
    this.lastSuccess = this.observedAt;
  }

  private spec(acquireTime: string, transitions: number): LeaseSpec {
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.floor(this.t.leaseDurationMs / 1000)),
      acquireTime,
      renewTime: microTime(this.wall()),
      leaseTransitions: transitions,
    };
  }

  private async put(spec: LeaseSpec, base: Record<string, unknown>, signal?: AbortSignal): Promise<boolean> {
    const body = { ...base, spec };
    const r = await this.kube.request("PUT", this.path, body, signal).catch((e: Error) => {
      this.lastError = e.message;
      return undefined;
    });
    if (r?.status === 200) {
      this.record(specOf(r.body), r.body);
      this.lastError = "";
      return true;
    }
    if (r) this.lastError = KubeClient.error("PUT", this.path, r).message;
    return false;
  }

  /** One attempt to acquire or renew. */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.now();
    // 1. Fast renew.
    if (this.isLeader() && this.valid(now) && this.observed && this.lastObject) {
      const s = this.spec(this.observed.acquireTime ?? microTime(this.wall()), this.observed.leaseTransitions);
      if (await this.put(s, this.lastObject, signal)) return true;
    }
    // 2. GET; create when absent.
    const ns = this.kube.cfg.namespace;
    const got = await this.kube.request("GET", this.path, undefined, signal).catch((e: Error) => {
      this.lastError = e.message;
      return undefined;
    });
    if (!got) return false;
    if (got.status === 404) {
      const s = this.spec(microTime(this.wall()), 0);
      const created = await this.kube
        .request(
          "POST",
          `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
          {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: LEASE_NAME, namespace: ns },
            spec: s,
          },
          signal,
        )
        .catch(() => undefined);
      if (created && (created.status === 201 || created.status === 200)) {
        this.record(specOf(created.body), created.body);
        return true;
      }
      return false;
    }
    if (got.status !== 200) {
      this.lastError = KubeClient.error("GET", this.path, got).message;
      return false;
    }
    // 3. Observe change.
    this.lastObject = got.body;
    const fetched = specOf(got.body);
    if (!this.lastFetched || !sameSpec(this.lastFetched, fetched)) {
      this.observed = fetched;
      this.observedAt = this.now();
    }
    this.lastFetched = fetched;
    // 4. Held by a live leader.
    if (fetched.holderIdentity !== "" && this.valid(this.now()) && !this.isLeader()) return false;
    // 5. Take over (or re-take our own).
    const s = this.isLeader()
      ? this.spec(fetched.acquireTime ?? microTime(this.wall()), fetched.leaseTransitions)
      : this.spec(microTime(this.wall()), fetched.leaseTransitions + 1);
    return this.put(s, got.body, signal);
  }
}
