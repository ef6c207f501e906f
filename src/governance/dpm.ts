/**
 * DPM cap: at most `maxDpm` points per series per minute inside one batch; the
 * latest timestamp wins (ties: the larger value), survivors keep their input order.
 */
import { sortedKeys } from "../model/order.ts";
import { NS_PER_MIN } from "../model/time.ts";
import type { Sample } from "../model/types.ts";

function seriesKey(s: Sample): string {
  const len = (x: string) => Buffer.byteLength(x);
  let k = `${len(s.name)}:${s.name}${len(s.unit)}:${s.unit}`;
  for (const l of sortedKeys(s.labels)) {
    const v = s.labels[l] ?? "";
    k += `${len(l)}:${l}${len(v)}:${v}`;
  }
  return k;
}

export function coalesceDpm(samples: readonly Sample[], maxDpm: number): { samples: Sample[]; capped: number } {
  const cap = Math.max(1, maxDpm);
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const minute = s.timestamp >= 0n ? s.timestamp / NS_PER_MIN : (s.timestamp - NS_PER_MIN + 1n) / NS_PER_MIN;
    const key = `${seriesKey(s)}@${minute}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const drop = new Set<number>();
  for (const idx of groups.values()) {
    if (idx.length <= cap) continue;
    const order = [...idx].sort((a, b) => {
      const sa = samples[a] as Sample;
      const sb = samples[b] as Sample;
      if (sa.timestamp !== sb.timestamp) return sa.timestamp > sb.timestamp ? -1 : 1;
      return sb.value - sa.value;
    });
    for (const i of order.slice(cap)) drop.add(i);
  }
  if (drop.size === 0) return { samples: [...samples], capped: 0 };
  return { samples: samples.filter((_, i) => !drop.has(i)), capped: drop.size };
}
