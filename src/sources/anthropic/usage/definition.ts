/**
 * The Anthropic `usage` loop's definition: the messages usage report as per-bucket gauges.
 * The report has no request count (none of its fields is one), so this loop emits tokens and
 * web-search requests only; its five token types are disjoint and sum to the total.
 */
import type { Duration } from "../../../model/duration.ts";
import { MINUTE } from "../../../model/duration.ts";
import { formatRfc3339Seconds } from "../../../model/time.ts";
import { defineLoop } from "../../define.ts";
import { count, dimension, nested, present, type Row } from "../../openai/report/rows.ts";
import {
  checkWindowed,
  readBounded,
  readChoices,
  readDimensions,
  readPageBuckets,
  readWidth,
  USAGE_TIMING,
} from "../../openai/report/settings.ts";
import type { UsagePart } from "../../openai/report/usage.ts";
import { ReportUsageLoop } from "../../openai/report/usage-loop.ts";
import type { WindowSettings } from "../../openai/report/window.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { type AnthropicShared, decodeAnthropicBucket, decodeAnthropicPage } from "../shared.ts";

export const DEFAULT_PREFIX = "anthropic_api";

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

export interface AnthropicUsageSettings {
  cadence: Duration;
  window: WindowSettings;
  prefix: string;
  groupBy: string[];
  tokenTypes: string[];
  workspaceIds: string[];
  maxPages: number;
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
    const widthSeconds = readWidth(r);
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
    const pageBuckets = readPageBuckets(r, widthSeconds);
    const maxPages = readBounded(r, "max_pages", 50, 1, Number.MAX_SAFE_INTEGER);
    r.done();
    warnUnknown(r, "usage", warn);
    return {
      cadence: l.cadence,
      window: {
        window: l.window,
        bucketSettle: l.bucket_settle,
        bootstrapLookback: l.bootstrap_lookback,
        maxBackfill: l.max_backfill,
        widthSeconds,
        pageBuckets,
      },
      prefix: l.metric_prefix || DEFAULT_PREFIX,
      groupBy,
      tokenTypes,
      workspaceIds,
      maxPages,
    };
  },
  instances: (s) => [
    { series: [`${s.prefix}_tokens`, `${s.prefix}_web_search_requests`], naming: `prefix=${s.prefix}` },
  ],
  create(s, planned, shared, deps) {
    const width = s.window.widthSeconds === 60 ? "1m" : "1h";
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
        query(_part, bounds) {
          const q = new URLSearchParams({
            starting_at: formatRfc3339Seconds(bounds.queryStart),
            ending_at: formatRfc3339Seconds(bounds.queryEnd),
            bucket_width: width,
            limit: String(bounds.limit),
          });
          for (const d of s.groupBy) q.append("group_by[]", d);
          for (const id of s.workspaceIds) q.append("workspace_ids[]", id);
          return q;
        },
        decodePage: decodeAnthropicPage,
        bucket: decodeAnthropicBucket,
      },
      deps,
    );
  },
});
