/**
 * The `logs_export` loop's definition: a content-free record per request from Portkey's log
 * export jobs. Its settings are checked at start-up exactly as the Go implementation checks
 * them (one checkpoint per API-key use case); the runnable loop is not part of this build
 * yet, so starting one is refused with a clear message.
 */

import { FLOOR_EXACT } from "../../../governance/content-floor.ts";
import { formatDuration, HOUR, MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { PORTKEY_CONTENT_KEYS } from "../content.ts";
import type { PortkeyShared } from "../shared.ts";
import { resolveUseCases } from "../use-cases.ts";

/** Indexed keys every record carries. */
const BASE_INDEXED = ["ai_org", "ai_model", "response_status_code"];
/** Vendor fields that carry content; never requested, recorded or indexed. */
const HARD_DENY = new Set([...FLOOR_EXACT, ...PORTKEY_CONTENT_KEYS, "prompt"]);
const CONTENT_FIELDS = ["prompt", "request", "response", "messages", "inputs", "outputs", "metadata", "portkeyHeaders"];

export interface LogsExportSettings {
  indexedKeys: string[];
  /** Use-case slugs; one instance (and checkpoint) per slug, or one when empty. */
  slugs: string[];
}

export const logsExport = defineLoop<LogsExportSettings, PortkeyShared>({
  name: "logs_export",
  signal: "logs",
  summary:
    "One content-free log record per request from the log export jobs (`window` 0; the span is `settings.window`). Settings are checked; the loop is refused at start-up in this build.",
  parse({ source, loop: l, warn }) {
    const where = "portkey logs_export";
    if (l.window !== 0) {
      throw new Error(
        `${where}: window must be 0/unset (the export span is settings.window); got ${formatDuration(l.window)}`,
      );
    }
    const r = new SettingsReader(where, l.settings);
    const ws = r.raw("workspace_id");
    r.check(ws !== undefined && ws !== "", "settings.workspace_id is required");
    r.check(r.csv("signed_url_allow_hosts").length > 0, "settings.signed_url_allow_hosts is required");
    r.check(r.duration("window", HOUR) > 0, "settings.window must be > 0");
    r.check(r.duration("settle", 10 * MINUTE) >= 0, "settings.settle must be >= 0");
    r.check(r.duration("max_backfill", 24 * HOUR) > 0, "settings.max_backfill must be > 0");
    const pageSize = r.int("page_size", 50000);
    r.check(pageSize > 0 && pageSize <= 50000, "settings.page_size must be > 0 and <= 50000");
    r.check(r.int("max_pages_per_window", 50) > 0, "settings.max_pages_per_window must be > 0");
    r.check(r.int("chunk_max_records", 5000) > 0, "settings.chunk_max_records must be > 0");
    r.check(r.duration("job_poll_timeout", 30 * MINUTE) > 0, "settings.job_poll_timeout must be > 0");
    r.check(r.duration("download_timeout", 5 * MINUTE) > 0, "settings.download_timeout must be > 0");
    for (const f of r.csv("requested_data")) {
      r.check(
        !CONTENT_FIELDS.includes(f),
        `settings.requested_data cannot include ${JSON.stringify(f)} — content is never requested`,
      );
    }
    for (const k of ["extra_record_fields", "extra_indexed_fields", "metadata_record_fields"]) {
      for (const f of r.csv(k)) {
        r.check(
          !HARD_DENY.has(f),
          `${k} cannot include ${JSON.stringify(f)} — it is a hard-denied content/PII field (the guard would drop the whole record or it would leak)`,
        );
      }
    }
    const mt = r.raw("metadata_trace_id_field") ?? "";
    const tf = r.raw("trace_id_field") ?? "";
    r.check(!mt.includes(","), "settings.metadata_trace_id_field must not contain ','");
    r.check(!tf.includes(","), "settings.trace_id_field must not contain ','");
    r.check(
      mt === "" || tf === "",
      "settings.trace_id_field and settings.metadata_trace_id_field are mutually exclusive",
    );
    r.done();
    warnUnknown(r, "logs_export", warn);
    const extra = r.csv("extra_indexed_fields");
    if (extra.length > 0) warn("extra_indexed_fields raise Loki stream cardinality", { loop: "logs_export" });
    return {
      indexedKeys: [...new Set([...BASE_INDEXED, ...extra])].sort(),
      slugs: resolveUseCases(source).map((u) => u.slug),
    };
  },
  instances(s) {
    const namings =
      s.slugs.length === 0 ? ["logs_export"] : s.slugs.map((slug) => `logs_export,api_key_use_case=${slug}`);
    return namings.map((naming) => ({ indexedKeys: s.indexedKeys, naming }));
  },
  create(_settings, planned) {
    throw new Error(
      `source ${JSON.stringify(planned.key.sourceInstance)}: loop "logs_export" is not available in this build yet`,
    );
  },
});
