/**
 * Group rows → gauges, all stamped at one minute: requests per model, metadata value and
 * prompt; cost (cents ÷ 100) per model and metadata value when the row has it and cost is on.
 * Prompt rows never produce a cost series, whatever the row carries.
 */
import type { Time } from "../../../model/time.ts";
import { gauge, type Labels, type Sample } from "../../../model/types.ts";
import type { GroupRow } from "./decode.ts";
import type { Endpoint } from "./endpoints.ts";

export function deriveGroups(
  prefix: string,
  ep: Endpoint,
  rows: readonly GroupRow[],
  stamp: Time,
  emitCost: boolean,
  slug: string,
): Sample[] {
  const out: Sample[] = [];
  const labelled = (l: Labels): Labels => (slug === "" ? l : { ...l, api_key_use_case: slug });
  for (const r of rows) {
    if (ep.kind === "prompt") {
      out.push(gauge(`${prefix}_requests_by_prompt`, labelled({ prompt: r.dim }), r.requests, stamp));
      continue;
    }
    const [suffix, labels]: [string, Labels] =
      ep.kind === "model"
        ? ["by_model", { ai_model: r.dim }]
        : ["by_metadata", { metadata_key: ep.metadataKey, metadata_value: r.dim }];
    out.push(gauge(`${prefix}_requests_${suffix}`, labelled(labels), r.requests, stamp));
    if (emitCost && r.costCents !== undefined) {
      out.push(gauge(`${prefix}_cost_usd_${suffix}`, labelled({ ...labels }), r.costCents / 100, stamp));
    }
  }
  return out;
}
