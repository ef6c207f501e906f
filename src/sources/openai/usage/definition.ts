/** The OpenAI `usage` loop's definition: settings parsed once, series named, the loop built. */
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { count, dimension, present } from "../report/rows.ts";
import { checkWindowed, readChoices, readDimensions, USAGE_TIMING } from "../report/settings.ts";
import type { UsagePart } from "../report/usage.ts";
import { readUsageCommon, type UsageCommon, usageQuery } from "../report/usage-definition.ts";
import { ReportUsageLoop } from "../report/usage-loop.ts";
import { decodeOpenaiBucket, decodeOpenaiPage, type OpenaiShared, unixSeconds } from "../shared.ts";
import {
  COMPLETION_TOKEN_FIELDS,
  DEFAULT_TOKEN_TYPES,
  DIM_LABELS,
  ENDPOINTS,
  type Endpoint,
  outputsOf,
  REFUSED_ENDPOINTS,
} from "./endpoints.ts";

export const DEFAULT_PREFIX = "openai_api";

/** OpenAI's bounds: `start_time` and `end_time` in Unix seconds. */
const UNIX_BOUNDS = { start: "start_time", end: "end_time", format: unixSeconds };

export interface OpenaiUsageSettings extends UsageCommon {
  prefix: string;
  endpoints: Endpoint[];
  groupBy: string[];
  tokenTypes: string[];
  projectIds: string[];
  series: string[];
}

function readEndpoints(r: SettingsReader): Endpoint[] {
  const names = r.raw("endpoints") === undefined ? ["completions"] : r.csv("endpoints");
  r.check(names.length > 0, "settings.endpoints: at least one endpoint is required");
  const seen = new Set<string>();
  for (const n of names) {
    const refused = REFUSED_ENDPOINTS[n];
    if (refused !== undefined) r.check(false, `settings.endpoints: ${JSON.stringify(n)} ${refused}`);
    else if (!ENDPOINTS.some((e) => e.name === n)) {
      r.check(
        false,
        `settings.endpoints: unknown endpoint ${JSON.stringify(n)} (supported: ${ENDPOINTS.map((e) => e.name).join(", ")})`,
      );
    }
    r.check(!seen.has(n), `settings.endpoints: ${JSON.stringify(n)} is listed twice`);
    seen.add(n);
  }
  // Visited in the table's fixed order, whatever order the config lists them in.
  return ENDPOINTS.filter((e) => seen.has(e.name));
}

export const usage = defineLoop<OpenaiUsageSettings, OpenaiShared>({
  name: "usage",
  signal: "metrics",
  summary:
    "Per-bucket gauges from the organization usage API (`/organization/usage/<endpoint>`; `completions` by default, `embeddings`, `moderations`, `images`, `audio_speeches`, `audio_transcriptions`, `code_interpreter_sessions` opt-in): `<metric_prefix>_requests`, `_tokens{token_type}` and per-endpoint counts (prefix default `openai_api`), 1-minute or 1-hour buckets stamped at the bucket end; a time-windowed loop with settle, watermark, backfill and revision detection.",
  defaults: USAGE_TIMING,
  parse({ loop: l, warn }) {
    const where = "openai usage";
    checkWindowed(where, l);
    const r = new SettingsReader(where, l.settings);
    const common = readUsageCommon(r, l);
    const endpoints = readEndpoints(r);
    const groupBy = readDimensions(r, {
      key: "group_by",
      def: ["model"],
      allowed: Object.keys(DIM_LABELS),
      refused: { user_id: "is a personal identifier and is not supported" },
      idDims: ["project_id", "api_key_id"],
    });
    const tokenTypes = readChoices(r, "token_types", DEFAULT_TOKEN_TYPES, Object.keys(COMPLETION_TOKEN_FIELDS));
    const projectIds = r.csv("project_ids");
    r.done();
    warnUnknown(r, "usage", warn);
    const prefix = l.metric_prefix || DEFAULT_PREFIX;
    const suffixes = new Set(endpoints.flatMap((e) => outputsOf(e, tokenTypes).map((o) => o.suffix)));
    return {
      ...common,
      prefix,
      endpoints,
      groupBy,
      tokenTypes,
      projectIds,
      series: [...suffixes].map((s) => `${prefix}_${s}`),
    };
  },
  // Only the series decide the checkpoint key: width, group_by and token types can change freely.
  instances: (s) => [{ series: s.series, naming: `prefix=${s.prefix}` }],
  create(s, planned, shared, deps) {
    const parts = s.endpoints.map((e) => part(e, s));
    return new ReportUsageLoop(
      planned.key,
      {
        api: shared.api,
        prefix: s.prefix,
        cadence: s.cadence,
        window: s.window,
        maxPages: s.maxPages,
        parts,
        query: (p, bounds) =>
          usageQuery(UNIX_BOUNDS, s.window.widthSeconds, bounds, p.dims, {
            param: "project_ids",
            values: s.projectIds,
          }),
        decodePage: decodeOpenaiPage,
        bucket: decodeOpenaiBucket,
      },
      deps,
    );
  },
});

/** One endpoint as a report part: the dimensions it accepts of those configured, its outputs. */
function part(endpoint: Endpoint, s: OpenaiUsageSettings): UsagePart {
  const dims = s.groupBy.filter((d) => endpoint.dims.includes(d));
  const outputs = outputsOf(endpoint, s.tokenTypes);
  return {
    name: endpoint.name,
    path: `/organization/usage/${endpoint.name}`,
    labels: { endpoint: endpoint.name },
    dims,
    outputs: outputs.map(({ suffix, tokenType }) => (tokenType === undefined ? { suffix } : { suffix, tokenType })),
    read(row, where) {
      const labels: Record<string, string> = {};
      for (const d of dims) labels[DIM_LABELS[d] ?? d] = dimension(row, d, where);
      return { labels: present(labels), values: outputs.map((o) => count(row, o.field, where)) };
    },
  };
}
