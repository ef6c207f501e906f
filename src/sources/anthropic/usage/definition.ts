/**
 * The Anthropic `usage` loop's definition: the messages usage report as per-bucket gauges.
 * The report has no request count (none of its fields is one), so this loop emits tokens and
 * web-search requests only; its five token types are disjoint and sum to the total.
 */
import { MINUTE } from "../../../model/duration.ts";
import { formatRfc3339Seconds } from "../../../model/time.ts";
import { defineLoop } from "../../define.ts";
import { count, dimension, nested, present, type Row } from "../../openai/report/rows.ts";
import { checkWindowed, readChoices, readDimensions, USAGE_TIMING } from "../../openai/report/settings.ts";
import type { UsagePart } from "../../openai/report/usage.ts";
import { readUsageCommon, type UsageCommon, usageQuery } from "../../openai/report/usage-definition.ts";
import { ReportUsageLoop } from "../../openai/report/usage-loop.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { type AnthropicShared, decodeAnthropicBucket, decodeAnthropicPage } from "../shared.ts";

export const DEFAULT_PREFIX = "anthropic_api";

/** Anthropic's bounds: `starting_at` and `ending_at` in RFC 3339. */
const RFC3339_BOUNDS = { start: "starting_at", end: "ending_at", format: formatRfc3339Seconds };

/** `token_type` → how to read it from a row. */
const TOKEN_READERS: Readonly<Record<string, (row: Row, where: string) => number | undefined>> = {
  input_uncached: (row, where) => count(row, "uncached_input_tokens", where),
  input_cache_read: (row, where) => count(row, "cache_read_input_tokens", where),
  input_cache_write_5m: (row, where) => count(nested(row, "cache_creation", where), "ephemeral_5m_input_tokens", where),
  input_cache_write_1h: (row, where) => count(nested(row, "cache_creation", where), "ephemeral_1h_input_tokens", where),
  output: (row, where) => count(row, "output_tokens", where),
};

/** `group_by` value → label key. */
export const USAGE_DIM_LABELS: Readonly<Record<string, string>> = {
  model: "ai_model",
  service_tier: "service_tier",
  context_window: "context_window",
  inference_geo: "inference_geo",
  workspace_id: "workspace_id",
  api_key_id: "api_key_id",
  service_account_id: "service_account_id",
};

export interface AnthropicUsageSettings extends UsageCommon {
  prefix: string;
  groupBy: string[];
  tokenTypes: string[];
  workspaceIds: string[];
}

export const usage = defineLoop<AnthropicUsageSettings, AnthropicShared>({
  name: "usage",
  signal: "metrics",
  summary:
    "Per-bucket gauges from the messages usage report (`/organizations/usage_report/messages`): `<metric_prefix>_tokens{token_type}` (uncached input, cache read, 5-minute and 1-hour cache writes, output; disjoint, so they sum to the total) and `_web_search_requests` (prefix default `anthropic_api`), 1-minute or 1-hour buckets stamped at the bucket end; a time-windowed loop with settle, watermark, backfill and revision detection. The report has no request count.",
  // "Polling once per minute for sustained use" is the provider's guidance; 2m leaves pages room.
  defaults: { ...USAGE_TIMING, cadence: 2 * MINUTE },
  parse({ loop: l, warn }) {
    const where = "anthropic usage";
    checkWindowed(where, l);
    const r = new SettingsReader(where, l.settings);
    const common = readUsageCommon(r, l);
    const groupBy = readDimensions(r, {
      key: "group_by",
      def: ["model"],
      allowed: Object.keys(USAGE_DIM_LABELS),
      refused: {
        account_id: "is a personal identifier and is not supported",
        speed: "needs a beta header this source does not send and is not supported",
      },
      idDims: ["workspace_id", "api_key_id", "service_account_id"],
    });
    const tokenTypes = readChoices(r, "token_types", Object.keys(TOKEN_READERS), Object.keys(TOKEN_READERS));
    const workspaceIds = r.csv("workspace_ids");
    r.done();
    warnUnknown(r, "usage", warn);
    return { ...common, prefix: l.metric_prefix || DEFAULT_PREFIX, groupBy, tokenTypes, workspaceIds };
  },
  instances: (s) => [
    { series: [`${s.prefix}_tokens`, `${s.prefix}_web_search_requests`], naming: `prefix=${s.prefix}` },
  ],
  create(s, planned, shared, deps) {
    const part: UsagePart = {
      name: "usage_report",
      path: "/organizations/usage_report/messages",
      labels: {},
      dims: s.groupBy,
      outputs: [...s.tokenTypes.map((t) => ({ suffix: "tokens", tokenType: t })), { suffix: "web_search_requests" }],
      read(row, where) {
        const labels: Record<string, string> = {};
        for (const d of s.groupBy) labels[USAGE_DIM_LABELS[d] ?? d] = dimension(row, d, where);
        const values = s.tokenTypes.map((t) => TOKEN_READERS[t]?.(row, where));
        values.push(count(nested(row, "server_tool_use", where), "web_search_requests", where));
        return { labels: present(labels), values };
      },
    };
    return new ReportUsageLoop(
      planned.key,
      {
        api: shared.api,
        prefix: s.prefix,
        cadence: s.cadence,
        window: s.window,
        maxPages: s.maxPages,
        parts: [part],
        query: (_part, bounds) =>
          usageQuery(RFC3339_BOUNDS, s.window.widthSeconds, bounds, s.groupBy, {
            param: "workspace_ids",
            values: s.workspaceIds,
          }),
        decodePage: decodeAnthropicPage,
        bucket: decodeAnthropicBucket,
      },
      deps,
    );
  },
});
