/** The `sessions` loop's definition: per-project run, latency, token, cost, rate and feedback gauges. */
import { HOUR } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { langsmithPrefix, readProjectList, requireNoWindow } from "../settings.ts";
import type { LangsmithShared } from "../shared.ts";
import { SESSIONS_SUFFIXES } from "./derive.ts";
import { SessionsLoop, type SessionsSettings } from "./loop.ts";

export const sessions = defineLoop<SessionsSettings, LangsmithShared>({
  name: "sessions",
  signal: "metrics",
  summary:
    "Per-project gauges over the last `settings.stats_window`: runs, latency and first-token p50/p99 (seconds), tokens, cost, error and streaming rates, and the score and count of each numeric feedback key, labelled `session`. A snapshot loop (`window` 0), stamped at the minute.",
  parse({ loop: l, warn }) {
    const where = "langsmith sessions";
    requireNoWindow(where, l.window);
    const r = new SettingsReader(where, l.settings);
    const list = readProjectList(r, HOUR);
    const useApproxStats = r.bool("use_approx_stats", false);
    const emitFeedback = r.bool("emit_feedback", true);
    const feedbackKeys = r.csv("feedback_keys");
    r.done();
    warnUnknown(r, "sessions", warn);
    const prefix = langsmithPrefix(l.metric_prefix);
    return {
      ...list,
      cadence: l.cadence,
      useApproxStats,
      emitFeedback,
      feedbackKeys,
      prefix,
      series: SESSIONS_SUFFIXES.map((suffix) => `${prefix}_${suffix}`),
    };
  },
  instances: (s) => [{ series: s.series, naming: `prefix=${s.prefix}` }],
  create: (s, planned, shared, deps) => new SessionsLoop(planned.key, s, shared.client, deps),
});
