/**
 * Which run fields the `runs` loop may select and keep. `select` is not an egress filter (the
 * server may return every field regardless) but it is enum-checked by the server: one value
 * outside the enum fails every query with 422, so an opt-in is checked against it at start-up.
 * The strip (strip.ts) is what keeps content out.
 */
import { ContentFloor } from "../../../governance/content-floor.ts";

export const DEFAULT_INDEXED = ["run_type", "status"] as const;

export const DEFAULT_RECORD = [
  "id",
  "trace_id",
  "session_id",
  "parent_run_id",
  "thread_id",
  "start_time",
  "end_time",
  "first_token_time",
  "total_tokens",
  "prompt_tokens",
  "completion_tokens",
  "total_cost",
  "prompt_cost",
  "completion_cost",
  "dotted_order",
] as const;

export const DEFAULT_EXTRA_RECORD = "tags,child_run_ids,app_path";

/**
 * Never opt-in-able: the shared content floor (exact keys and the `gen_ai.*` content prefixes),
 * Portkey's header dump, and signed URLs to raw input and output blobs (body and credential).
 */
export const HARD_DENIED = new ContentFloor(["portkeyHeaders", "inputs_s3_urls", "outputs_s3_urls"]);

/** The `select` values LangSmith 0.13.5 accepts. */
export const SELECT_ENUM: ReadonlySet<string> = new Set([
  "id",
  "name",
  "run_type",
  "start_time",
  "end_time",
  "status",
  "error",
  "extra",
  "events",
  "inputs",
  "inputs_preview",
  "inputs_s3_urls",
  "inputs_or_signed_url",
  "outputs",
  "outputs_preview",
  "outputs_s3_urls",
  "outputs_or_signed_url",
  "s3_urls",
  "error_or_signed_url",
  "events_or_signed_url",
  "extra_or_signed_url",
  "serialized_or_signed_url",
  "parent_run_id",
  "manifest_id",
  "manifest_s3_id",
  "manifest",
  "session_id",
  "serialized",
  "reference_example_id",
  "reference_dataset_id",
  "total_tokens",
  "prompt_tokens",
  "prompt_token_details",
  "completion_tokens",
  "completion_token_details",
  "total_cost",
  "prompt_cost",
  "prompt_cost_details",
  "completion_cost",
  "completion_cost_details",
  "price_model_id",
  "first_token_time",
  "trace_id",
  "dotted_order",
  "last_queued_at",
  "feedback_stats",
  "child_run_ids",
  "parent_run_ids",
  "tags",
  "in_dataset",
  "app_path",
  "share_token",
  "trace_tier",
  "trace_first_received_at",
  "ttl_seconds",
  "trace_upgrade",
  "thread_id",
  "trace_min_max_start_time",
  "messages",
  "inserted_at",
]);

/** The first problem with an opt-in list, naming the setting and the field; undefined when fine. */
export function checkOptIn(setting: string, fields: readonly string[]): string | undefined {
  for (const f of fields) {
    if (HARD_DENIED.has(f)) return `settings.${setting}: ${JSON.stringify(f)} carries content and can never be emitted`;
  }
  for (const f of fields) {
    if (!SELECT_ENUM.has(f)) {
      return `settings.${setting}: ${JSON.stringify(f)} is not a LangSmith run field (every runs/query would fail with 422)`;
    }
  }
  return undefined;
}

export interface FieldPolicy {
  indexed: readonly string[];
  record: readonly string[];
}

/** `select`: indexed then record keys, sorted (a key in both tiers is listed twice, as the reference does). */
export function selectOf(p: FieldPolicy): string[] {
  return [...p.indexed, ...p.record].sort();
}
