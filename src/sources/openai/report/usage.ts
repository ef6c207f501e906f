/**
 * From checked usage buckets to per-bucket gauges (`openai.md` §5.2, shared by Anthropic §6.1).
 * Each bucket in `(lowerBound, until]` of ends gives one gauge per label set and output,
 * stamped at the bucket end. Rows that map to one label set are summed. An output is emitted
 * only when some row carried its field (a field the API does not send is never a zero), except
 * that an empty bucket of an ungrouped query is a known zero for every output.
 */
import { labelKey } from "../../../model/order.ts";
import type { Time } from "../../../model/time.ts";
import { gauge, type Labels, type Sample } from "../../../model/types.ts";
import type { Bucket } from "./buckets.ts";
import { asRow, type Row } from "./rows.ts";

/** One series a part produces: `<prefix>_<suffix>`, with `token_type` when it has one. */
export interface Output {
  suffix: string;
  tokenType?: string;
}

/** One report a usage loop reads per collect (an OpenAI endpoint; Anthropic's messages report). */
export interface UsagePart {
  /** What a 404 of this part is reported as. */
  name: string;
  path: string;
  /** Labels every sample of the part carries (`endpoint`). */
  labels: Labels;
  /** The `group_by` values sent for this part; empty: ungrouped. */
  dims: string[];
  /** In emission order. */
  outputs: Output[];
  /** A row's labels (dimension labels only) and its values, aligned with `outputs`. */
  read(row: Row, where: string): { labels: Labels; values: (number | undefined)[] };
}

export function deriveUsage(
  prefix: string,
  part: UsagePart,
  buckets: readonly Bucket[],
  lowerBound: Time,
  until: Time,
  where: string,
): Sample[] {
  const samples: Sample[] = [];
  const name = (o: Output) => `${prefix}_${o.suffix}`;
  const labelled = (o: Output, labels: Labels): Labels =>
    o.tokenType === undefined ? { ...part.labels, ...labels } : { ...part.labels, ...labels, token_type: o.tokenType };
  for (const bucket of buckets) {
    const end = bucket.end;
    if (end <= lowerBound || end > until) continue;
    if (bucket.results.length === 0) {
      if (part.dims.length === 0) for (const o of part.outputs) samples.push(gauge(name(o), labelled(o, {}), 0, end));
      continue;
    }
    const sums = new Map<string, { labels: Labels; values: (number | undefined)[] }>();
    for (const raw of bucket.results) {
      const read = part.read(asRow(raw, where), where);
      const key = labelKey(read.labels);
      const acc = sums.get(key);
      if (!acc) {
        sums.set(key, { labels: read.labels, values: [...read.values] });
        continue;
      }
      read.values.forEach((v, i) => {
        if (v !== undefined) acc.values[i] = (acc.values[i] ?? 0) + v;
      });
    }
    for (const key of [...sums.keys()].sort()) {
      const acc = sums.get(key);
      if (!acc) continue;
      part.outputs.forEach((o, i) => {
        const v = acc.values[i];
        if (v !== undefined) samples.push(gauge(name(o), labelled(o, acc.labels), v, end));
      });
    }
  }
  return samples;
}
