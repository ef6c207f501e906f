/**
 * The `groups` loop's definition: window totals per model, metadata value and prompt. Its
 * settings are checked at start-up exactly as the Go implementation checks them; the runnable
 * loop is not part of this build yet, so starting one is refused with a clear message.
 */
import { formatDuration, HOUR, MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { seriesPrefix } from "../naming.ts";
import type { PortkeyShared } from "../shared.ts";

export interface GroupsSettings {
  series: string[];
  prefix: string;
}

export const groups = defineLoop<GroupsSettings, PortkeyShared>({
  name: "groups",
  signal: "metrics",
  summary:
    "Window totals per model, metadata value and prompt over `settings.window_span` (a snapshot loop, `window` 0). Settings are checked; the loop is refused at start-up in this build.",
  parse({ loop: l, warn }) {
    const where = "portkey groups";
    if (l.window !== 0) {
      throw new Error(
        `${where}: window must be 0 (snapshot loop; the span is settings.window_span); got ${formatDuration(l.window)}`,
      );
    }
    const r = new SettingsReader(where, l.settings);
    const span = r.duration("window_span", HOUR);
    const settle = r.duration("settle", 10 * MINUTE);
    r.check(span > 0, "settings.window_span must be > 0");
    r.check(settle >= 0, "settings.settle must be >= 0");
    r.check(r.int("page_size", 1000) > 0, "settings.page_size must be > 0");
    r.check(r.int("max_groups", 10000) > 0, "settings.max_groups must be > 0");
    const metadataKeys = r.csv("metadata_keys");
    const emitCost = r.bool("emit_cost", true);
    const emitPrompts = r.bool("emit_prompts", true);
    r.raw("expected_workspace");
    r.csv("api_key_ids");
    r.check(
      settle < span,
      `settings.settle ${formatDuration(settle)} must be < settings.window_span ${formatDuration(span)}`,
    );
    r.done();
    warnUnknown(r, "groups", warn);
    const prefix = seriesPrefix(l.metric_prefix);
    const names = ["requests_by_model"];
    if (emitCost) names.push("cost_usd_by_model");
    if (metadataKeys.length > 0) {
      names.push("requests_by_metadata");
      if (emitCost) names.push("cost_usd_by_metadata");
    }
    if (emitPrompts) names.push("requests_by_prompt");
    return { prefix, series: names.map((n) => `${prefix}_${n}`) };
  },
  instances: (s) => [{ series: s.series, naming: `prefix=${s.prefix}` }],
  create(_settings, planned) {
    throw new Error(
      `source ${JSON.stringify(planned.key.sourceInstance)}: loop "groups" is not available in this build yet`,
    );
  },
});
