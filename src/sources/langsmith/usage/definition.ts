/** The `usage` loop's definition: traces and spans per project and retention tier. */
import { MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { langsmithPrefix, readProjectList, requireNoWindow } from "../settings.ts";
import type { LangsmithShared } from "../shared.ts";
import { UsageLoop, type UsageSettings } from "./loop.ts";

export const usage = defineLoop<UsageSettings, LangsmithShared>({
  name: "usage",
  signal: "metrics",
  // The reference's own fallback for this loop: one project list and N runs/stats calls per poll.
  defaults: { cadence: 10 * MINUTE },
  summary:
    "LangSmith's own cost drivers per project and retention tier over the last `settings.stats_window`: traces (`usage_traces`) and, with `emit_span_counts`, spans (`usage_spans`, one `runs/stats` call per project). A snapshot loop (`window` 0).",
  parse({ loop: l, warn }) {
    const where = "langsmith usage";
    requireNoWindow(where, l.window);
    const r = new SettingsReader(where, l.settings);
    const list = readProjectList(r, 10 * MINUTE);
    const emitSpanCounts = r.bool("emit_span_counts", true);
    r.done();
    warnUnknown(r, "usage", warn);
    if (emitSpanCounts && list.sessionFilter === "") {
      warn("langsmith usage: emit_span_counts without session_filter makes one runs/stats call per project per poll", {
        max_sessions: list.maxSessions,
      });
    }
    const prefix = langsmithPrefix(l.metric_prefix);
    return {
      ...list,
      cadence: l.cadence,
      emitSpanCounts,
      prefix,
      series: [`${prefix}_usage_traces`, `${prefix}_usage_spans`],
    };
  },
  instances: (s) => [{ series: s.series, naming: `prefix=${s.prefix}` }],
  create: (s, planned, shared, deps) => new UsageLoop(planned.key, s, shared.client, deps),
});
