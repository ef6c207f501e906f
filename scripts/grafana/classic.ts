/**
 * A dashboard description → classic dashboard JSON (schema of Grafana 10 and later), through the
 * Grafana Foundation SDK's builders: one expanded row per tab, panels laid out eight columns
 * wide (stat panels four), datasources as variables so the file imports into any stack.
 */

import { PanelBuilder as BarGaugePanel } from "@grafana/grafana-foundation-sdk/bargauge";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as LogsPanel } from "@grafana/grafana-foundation-sdk/logs";
import { DataqueryBuilder as LokiQuery } from "@grafana/grafana-foundation-sdk/loki";
import { DataqueryBuilder as PromQuery } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import { type Dashboard, LOKI, type Panel, PROM, type Target, type Variable } from "./model.ts";

const REF_IDS = "ABCDEFGHIJ";

function query(t: Target, i: number) {
  const refId = REF_IDS[i] ?? `Q${i}`;
  if (t.source === "loki") {
    const q = new LokiQuery().expr(t.expr).refId(refId).datasource({ type: "loki", uid: LOKI });
    return t.legend ? q.legendFormat(t.legend) : q;
  }
  const q = new PromQuery().expr(t.expr).refId(refId).datasource({ type: "prometheus", uid: PROM });
  if (t.instant) q.instant();
  else q.range();
  return t.legend ? q.legendFormat(t.legend) : q;
}

function builderFor(p: Panel) {
  switch (p.viz) {
    case "stat":
      return new StatPanel().span(4).height(5);
    case "table":
      return new TablePanel().span(12).height(9);
    case "bargauge":
      return new BarGaugePanel().span(8).height(9);
    case "logs":
      return new LogsPanel().span(24).height(10);
    default:
      return new TimeseriesPanel().span(8).height(8);
  }
}

function panelOf(p: Panel) {
  const b = builderFor(p).title(p.title).description(p.question);
  b.datasource(p.targets[0]?.source === "loki" ? { type: "loki", uid: LOKI } : { type: "prometheus", uid: PROM });
  if (p.unit) b.unit(p.unit);
  if (p.thresholds) {
    b.thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(p.thresholds.map((s, i) => ({ value: i === 0 ? null : s.value, color: s.color }))),
    );
  }
  b.targets(p.targets.map(query));
  return b;
}

function variableOf(v: Variable) {
  if (v.kind === "datasource") {
    return new DatasourceVariableBuilder(v.name)
      .label(v.label)
      .type(v.query)
      .current({ text: v.defaultSource ?? "", value: v.defaultSource ?? "" });
  }
  const b = new QueryVariableBuilder(v.name)
    .label(v.label)
    .query(v.query)
    .definition(v.query)
    .datasource(v.onLoki ? { type: "loki", uid: LOKI } : { type: "prometheus", uid: PROM })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(v.multi ?? false);
  if (v.allValue !== undefined) b.includeAll(true).allValue(v.allValue).current({ text: "All", value: "$__all" });
  return b;
}

export function classicDashboard(d: Dashboard): unknown {
  const b = new DashboardBuilder(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags(d.tags)
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser");
  for (const v of d.variables) b.withVariable(variableOf(v));
  for (const tab of d.tabs) {
    b.withRow(new RowBuilder(tab.title));
    for (const p of tab.panels) b.withPanel(panelOf(p));
  }
  return b.build();
}
