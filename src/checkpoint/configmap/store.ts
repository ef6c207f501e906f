/**
 * ConfigMap checkpoint backend: one data key per CheckpointKey in the fixed
 * ConfigMap `genai-otel-bridge-checkpoints`, JSON values, read-modify-write with the object's
 * resourceVersion (a concurrent writer shows up as a 409 and, after the re-read, as a fenced
 * StaleWrite — never overwritten), at most 6 attempts, monotonic + epoch fence, a corrupt key
 * never overwritten, and a size guard under the API server's 1 MiB object limit.
 */
import { KubeClient, KubeError } from "../../kube/client.ts";
import { type CheckpointKey, keyString } from "../../model/checkpoint-key.ts";
import type { Watermark } from "../../model/types.ts";
import {
  type Checkpointer,
  checkEncodable,
  checkMonotonic,
  decodeValue,
  encodeValue,
  ZERO_WATERMARK,
} from "../contract.ts";

export const CONFIGMAP_NAME = "genai-otel-bridge-checkpoints";
export const MAX_DATA_BYTES = 921_600;
const ATTEMPTS = 6;

/** `[-._a-zA-Z0-9]` per UTF-8 byte, first 200 chars, `.` + 12 hex of SHA-256 of the full key. */
export function dataKey(s: string): string {
  const bytes = Buffer.from(s, "utf8");
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[-._a-zA-Z0-9]/.test(c) ? c : "_";
  }
  return `${out.slice(0, 200)}.${new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 12)}`;
}

export class ConfigMapCheckpointer implements Checkpointer {
  private lock: Promise<void> = Promise.resolve();

  constructor(private readonly kube: KubeClient) {}

  private get path(): string {
    return `/api/v1/namespaces/${this.kube.cfg.namespace}/configmaps/${CONFIGMAP_NAME}`;
  }

  async load(key: CheckpointKey, signal?: AbortSignal): Promise<Watermark> {
    const r = await this.kube.request("GET", this.path, undefined, signal);
    if (r.status === 404) return ZERO_WATERMARK;
    if (r.status !== 200) throw KubeClient.error("GET", this.path, r);
    const data = (r.body.data ?? {}) as Record<string, string>;
    const v = data[dataKey(keyString(key))];
    if (v === undefined) return ZERO_WATERMARK;
    return decodeValue(v, `configmap ${CONFIGMAP_NAME} key ${keyString(key)}`);
  }

  save(key: CheckpointKey, w: Watermark, signal?: AbortSignal): Promise<void> {
    checkEncodable(w);
    const run = this.lock.then(() => this.saveLocked(key, w, signal));
    this.lock = run.catch(() => {});
    return run;
  }

  private async saveLocked(key: CheckpointKey, w: Watermark, signal?: AbortSignal): Promise<void> {
    const ks = keyString(key);
    const dk = dataKey(ks);
    const ns = this.kube.cfg.namespace;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const got = await this.kube.request("GET", this.path, undefined, signal);
      let obj: Record<string, unknown>;
      let create = false;
      if (got.status === 404) {
        create = true;
        obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: CONFIGMAP_NAME, namespace: ns }, data: {} };
      } else if (got.status === 200) {
        obj = got.body;
      } else {
        throw KubeClient.error("GET", this.path, got);
      }
      const data = { ...((obj.data ?? {}) as Record<string, string>) };
      const stored = data[dk];
      const current =
        stored === undefined
          ? ZERO_WATERMARK
          : decodeValue(stored, `configmap ${CONFIGMAP_NAME} key ${ks} (refusing to overwrite)`);
      checkMonotonic(current, w);
      data[dk] = encodeValue(w);
      let size = 0;
      for (const [k, v] of Object.entries(data)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
      if (size > MAX_DATA_BYTES)
        throw new Error(`checkpoint ConfigMap would exceed ${MAX_DATA_BYTES} bytes (too many keys)`);
      const body = { ...obj, data };
      const r = create
        ? await this.kube.request("POST", `/api/v1/namespaces/${ns}/configmaps`, body, signal)
        : await this.kube.request("PUT", this.path, body, signal);
      if (r.status === 200 || r.status === 201) return;
      if (r.status === 409) continue;
      throw KubeClient.error(create ? "POST" : "PUT", this.path, r);
    }
    throw new KubeError(`exhausted RMW after ${ATTEMPTS} attempts for ${ks}`, 409, "conflict");
  }
}
