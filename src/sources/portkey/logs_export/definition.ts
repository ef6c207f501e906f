/**
 * The `logs_export` loop's definition: one content-free log record per request, from
 * Portkey's log export jobs. One instance (and checkpoint) per API-key use case, or one.
 */
import { FLOOR_EXACT } from "../../../governance/content-floor.ts";
import { formatDuration, HOUR, MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { PORTKEY_CONTENT_KEYS } from "../content.ts";
import type { PortkeyShared } from "../shared.ts";
import { resolveUseCases } from "../use-cases.ts";
import { ExportControl } from "./control.ts";
import { LogsExportLoop, type LogsExportSettings } from "./loop.ts";

/** Indexed keys every record carries. */
export const BASE_INDEXED = ["ai_org", "ai_model", "response_status_code"];
/** Record-tier keys every record may carry. */
export const BASE_RECORD = [
  "id",
  "trace_id",
  "created_at",
  "response_time",
  "total_units",
  "req_units",
  "res_units",
  "cost",
  "prompt_slug",
  "prompt_version_id",
  "prompt_id",
];
/** Vendor fields that carry content; never requested, recorded or indexed. */
const HARD_DENY = new Set([...FLOOR_EXACT, ...PORTKEY_CONTENT_KEYS, "prompt"]);
const CONTENT_FIELDS = ["prompt", "request", "response", "messages", "inputs", "outputs", "metadata", "portkeyHeaders"];

export const logsExport = defineLoop<LogsExportSettings, PortkeyShared>({
  name: "logs_export",
  signal: "logs",
  summary:
    "One content-free log record per request from the log export jobs: a window of `settings.window` up to `settings.settle` ago, one job per page, streamed in chunks (`window` 0; the span is `settings.window`).",
  parse({ source, loop: l, warn }) {
    const where = "portkey logs_export";
    if (l.window !== 0) {
      throw new Error(
        `${where}: window must be 0/unset (the export span is settings.window); got ${formatDuration(l.window)}`,
      );
    }
    const r = new SettingsReader(where, l.settings);
    const workspaceId = r.raw("workspace_id") ?? "";
    r.check(workspaceId !== "", "settings.workspace_id is required");
    const allowHosts = r.csv("signed_url_allow_hosts");
    r.check(allowHosts.length > 0, "settings.signed_url_allow_hosts is required");
    const window = r.duration("window", HOUR);
    r.check(window > 0, "settings.window must be > 0");
    const settle = r.duration("settle", 10 * MINUTE);
    r.check(settle >= 0, "settings.settle must be >= 0");
    const maxBackfill = r.duration("max_backfill", 24 * HOUR);
    r.check(maxBackfill > 0, "settings.max_backfill must be > 0");
    const pageSize = r.int("page_size", 50000);
    r.check(pageSize > 0 && pageSize <= 50000, "settings.page_size must be > 0 and <= 50000");
    const maxPages = r.int("max_pages_per_window", 50);
    r.check(maxPages > 0, "settings.max_pages_per_window must be > 0");
    const chunkMax = r.int("chunk_max_records", 5000);
    r.check(chunkMax > 0, "settings.chunk_max_records must be > 0");
    const jobPollTimeout = r.duration("job_poll_timeout", 30 * MINUTE);
    r.check(jobPollTimeout > 0, "settings.job_poll_timeout must be > 0");
    const downloadTimeout = r.duration("download_timeout", 5 * MINUTE);
    r.check(downloadTimeout > 0, "settings.download_timeout must be > 0");
    const requested = r.raw("requested_data") === undefined ? undefined : r.csv("requested_data");
    for (const f of requested ?? []) {
      r.check(
        !CONTENT_FIELDS.includes(f),
        `settings.requested_data cannot include ${JSON.stringify(f)} — content is never requested`,
      );
    }
    const lists: Record<string, string[]> = {};
    for (const k of ["extra_record_fields", "extra_indexed_fields", "metadata_record_fields"]) {
      lists[k] = r.raw(k) === undefined && k === "extra_record_fields" ? ["cache_status"] : r.csv(k);
      for (const f of lists[k] ?? []) {
        r.check(
          !HARD_DENY.has(f),
          `${k} cannot include ${JSON.stringify(f)} — it is a hard-denied content/PII field (the guard would drop the whole record or it would leak)`,
        );
      }
    }
    const metadataTraceIdField = r.raw("metadata_trace_id_field") ?? "";
    const traceIdField = r.raw("trace_id_field") ?? "";
    r.check(!metadataTraceIdField.includes(","), "settings.metadata_trace_id_field must not contain ','");
    r.check(!traceIdField.includes(","), "settings.trace_id_field must not contain ','");
    r.check(!HARD_DENY.has(metadataTraceIdField), "settings.metadata_trace_id_field cannot be a hard-denied field");
    r.check(!HARD_DENY.has(traceIdField), "settings.trace_id_field cannot be a hard-denied field");
    r.check(
      metadataTraceIdField === "" || traceIdField === "",
      "settings.trace_id_field and settings.metadata_trace_id_field are mutually exclusive",
    );
    r.done();
    warnUnknown(r, "logs_export", warn);
    const extraIndexed = lists.extra_indexed_fields ?? [];
    if (extraIndexed.length > 0) warn("extra_indexed_fields raise Loki stream cardinality", { loop: "logs_export" });
    const indexedKeys = [...new Set([...BASE_INDEXED, ...extraIndexed])].sort();
    const recordKeys = [
      ...new Set([...BASE_RECORD, ...(lists.extra_record_fields ?? []), ...(traceIdField ? [traceIdField] : [])]),
    ];
    const metadataKeys = [
      ...new Set([...(lists.metadata_record_fields ?? []), ...(metadataTraceIdField ? [metadataTraceIdField] : [])]),
    ];
    const requestedBase = requested ?? [...BASE_INDEXED, ...BASE_RECORD];
    const requestedData = [
      ...new Set(
        [...requestedBase, ...(lists.extra_record_fields ?? []), ...extraIndexed, traceIdField].filter((x) => x !== ""),
      ),
    ].sort();
    return {
      cadence: l.cadence,
      workspaceId,
      allowHosts,
      allowPrivate: source.http.allow_private,
      window,
      settle,
      maxBackfill,
      pageSize,
      maxPages,
      chunkMax,
      jobPollTimeout,
      downloadTimeout,
      requestedData,
      indexedKeys,
      recordKeys: recordKeys.filter((k) => !indexedKeys.includes(k)),
      metadataKeys,
      traceIdField,
      metadataTraceIdField,
      slugs: resolveUseCases(source).map((u) => u.slug),
    };
  },
  instances(s) {
    if (s.slugs.length === 0) return [{ indexedKeys: s.indexedKeys, naming: "logs_export" }];
    return s.slugs.map((slug) => ({
      indexedKeys: s.indexedKeys,
      naming: `logs_export,api_key_use_case=${slug}`,
      instance: slug,
    }));
  },
  create(s, planned, shared, deps) {
    const useCase = shared.useCases.find((u) => u.slug === planned.instance);
    return new LogsExportLoop(
      planned.key,
      s,
      planned.instance,
      useCase?.apiKeyIds ?? [],
      new ExportControl(shared.client, (r) => deps.report(r)),
      shared.objectClient(s.allowHosts, s.downloadTimeout / 1e6),
      deps,
    );
  },
});
