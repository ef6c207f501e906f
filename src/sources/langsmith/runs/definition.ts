/** The `runs` loop's definition: settings, their checks in the reference's order, the field policy. */

import { PROMOTED_INDEXED_KEY } from "../../../governance/promotions.ts";
import { formatDuration, HOUR, MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import type { LangsmithShared } from "../shared.ts";
import { checkOptIn, DEFAULT_EXTRA_RECORD, DEFAULT_INDEXED, DEFAULT_RECORD, selectOf } from "./fields.ts";
import { RunsLoop, type RunsSettings } from "./loop.ts";
import { RunsScope } from "./scope.ts";

export const MAX_PAGE_SIZE = 100;

export const runs = defineLoop<RunsSettings, LangsmithShared>({
  name: "runs",
  signal: "logs",
  summary:
    "One content-free OTLP log record per run from `runs/query`, read forward in windows of `settings.window` once they are `settings.settle` old, one page per tick, the position kept in the checkpoint. Needs `settings.session_ids` or `settings.session_filter`. Loop-level `window` must be 0.",
  parse({ loop: l, warn }) {
    const where = "langsmith runs";
    if (l.window !== 0) {
      throw new Error(
        `${where}: window must be 0 (the runs window is settings.window); got ${formatDuration(l.window)}`,
      );
    }
    const r = new SettingsReader(where, l.settings);
    const sessionIds = r.csv("session_ids");
    const sessionFilter = r.raw("session_filter") ?? "";
    const maxSessions = r.int("max_sessions", 1000);
    const sessionRefresh = r.duration("session_refresh", 5 * MINUTE);
    const window = r.duration("window", HOUR);
    const settle = r.duration("settle", 10 * MINUTE);
    const maxBackfill = r.duration("max_backfill", 24 * HOUR);
    const pageSize = r.int("page_size", MAX_PAGE_SIZE);
    const maxPagesPerWindow = r.int("max_pages_per_window", 100);
    const maxResponseBytes = r.int("max_response_bytes", 32 * 1024 * 1024);
    const rootOnly = r.bool("root_only", false);
    const runType = r.raw("run_type") ?? "";
    const extraRecordRaw = r.raw("extra_record_fields");
    const extraRecord = r.csv("extra_record_fields");
    const extraIndexed = r.csv(PROMOTED_INDEXED_KEY);
    r.done();
    // The reference's order: scope, then window and page bounds, then the field lists.
    r.check(
      sessionIds.length > 0 || sessionFilter !== "",
      "settings.session_ids or settings.session_filter is required (runs/query needs a project scope; refusing to pull every project)",
    );
    r.check(window > 0, "settings.window must be > 0");
    r.check(pageSize > 0 && pageSize <= MAX_PAGE_SIZE, `settings.page_size must be in 1..${MAX_PAGE_SIZE}`);
    r.check(
      settle >= 0 && settle < window,
      `settings.settle ${formatDuration(settle)} must be >= 0 and < settings.window ${formatDuration(window)}`,
    );
    r.check(maxSessions > 0, "settings.max_sessions must be > 0");
    r.check(sessionRefresh >= 0, "settings.session_refresh must be >= 0");
    r.check(maxBackfill > 0, "settings.max_backfill must be > 0");
    r.check(maxPagesPerWindow > 0, "settings.max_pages_per_window must be > 0");
    r.check(maxResponseBytes > 0, "settings.max_response_bytes must be > 0");
    const record = extraRecordRaw === undefined ? DEFAULT_EXTRA_RECORD.split(",") : extraRecord;
    const optIn = checkOptIn("extra_record_fields", record) ?? checkOptIn(PROMOTED_INDEXED_KEY, extraIndexed);
    if (optIn) r.check(false, optIn);
    r.done();
    warnUnknown(r, "runs", warn);
    if (extraIndexed.length > 0) {
      warn("langsmith runs: extra_indexed_fields adds stream labels (Loki streams multiply by their values)", {
        fields: extraIndexed.join(","),
      });
    }
    const indexed = [...new Set([...extraIndexed, ...DEFAULT_INDEXED])].sort();
    const recordKeys = [...DEFAULT_RECORD, ...record];
    return {
      cadence: l.cadence,
      sessionIds,
      sessionFilter,
      maxSessions,
      sessionRefresh,
      maxResponseBytes,
      window,
      settle,
      maxBackfill,
      pageSize,
      maxPagesPerWindow,
      rootOnly,
      runType,
      indexed,
      record: recordKeys,
      select: selectOf({ indexed, record: recordKeys }),
    };
  },
  instances: (s) => [{ indexedKeys: s.indexed, naming: "runs" }],
  create(s, planned, shared, deps) {
    const scope = new RunsScope(s, shared.client, deps.report, deps.warn);
    return new RunsLoop(planned.key, s, shared.client, scope, deps);
  },
});
