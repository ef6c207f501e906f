/**
 * A dashboard description → the `dashboard.grafana.app/v2` resource manifest (deploy.md §7) for
 * API- and CLI-driven stacks, through the Grafana Foundation SDK: a tabs layout, each tab an
 * auto grid of the panels, the panels as elements, and the `genai-otel-bridge` folder.
 */

import { VisualizationV2Builder as BarGaugeViz } from "@grafana/grafana-foundation-sdk/bargauge";
import type { DataQueryKind } from "@grafana/grafana-foundation-sdk/dashboardv2";
import {
  AutoGridBuilder,
  AutoGridItemBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  manifest,
  PanelBuilder,
  QueryGroupBuilder,
  QueryVariableBuilder,
  TabBuilder,
  TabsBuilder,
  TargetBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  TimeSettingsBuilder,
  VariableRefresh,
} from "@grafana/grafana-foundation-sdk/dashboardv2";
import { VisualizationV2Builder as LogsViz } from "@grafana/grafana-foundation-sdk/logs";
import { QueryV2Builder as LokiQuery } from "@grafana/grafana-foundation-sdk/loki";
import { QueryV2Builder as PromQuery } from "@grafana/grafana-foundation-sdk/prometheus";
import { VisualizationV2Builder as StatViz } from "@grafana/grafana-foundation-sdk/stat";
import { VisualizationV2Builder as TableViz } from "@grafana/grafana-foundation-sdk/table";
import { VisualizationV2Builder as TimeseriesViz } from "@grafana/grafana-foundation-sdk/timeseries";
import { type Dashboard, LOKI, type Panel, PROM, type Target, type Variable } from "./model.ts";

export const FOLDER = "genai-otel-bridge";
const REF_IDS = "ABCDEFGHIJ";

function target(t: Target, i: number) {
  const refId = REF_IDS[i] ?? `Q${i}`;
  if (t.source === "loki") {
    const q = new LokiQuery().datasource({ name: LOKI }).expr(t.expr);
    return new TargetBuilder().refId(refId).query(t.legend ? q.legendFormat(t.legend) : q);
  }
  const q = new PromQuery()
    .datasource({ name: PROM })
    .expr(t.expr)
    .instant(t.instant === true)
    .range(t.instant !== true);
  return new TargetBuilder().refId(refId).query(t.legend ? q.legendFormat(t.legend) : q);
}

function visualization(p: Panel) {
  const v =
    p.viz === "stat"
      ? new StatViz()
      : p.viz === "table"
        ? new TableViz()
        : p.viz === "bargauge"
          ? new BarGaugeViz()
          : p.viz === "logs"
            ? new LogsViz()
            : new TimeseriesViz();
  if (p.unit && p.viz !== "logs") v.unit(p.unit);
  if (p.thresholds && p.viz !== "logs") {
    v.thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(p.thresholds.map((s, i) => ({ value: i === 0 ? null : s.value, color: s.color }))),
    );
  }
  return v;
}

/** A variable's label_values query, in the Prometheus (or Loki) variable-editor form. */
function variableQuery(v: Variable): { build(): DataQueryKind } {
  return {
    build: () => ({
      kind: "DataQuery",
      group: v.onLoki ? "loki" : "prometheus",
      version: "v0",
      datasource: { name: v.onLoki ? LOKI : PROM },
      spec: { qryType: 1, query: v.query, refId: "VariableQuery" },
    }),
  };
}

function variable(v: Variable) {
  if (v.kind === "datasource") {
    return new DatasourceVariableBuilder(v.name)
      .label(v.label)
      .pluginId(v.query)
      .current({ text: v.defaultSource ?? "", value: v.defaultSource ?? "" });
  }
  const b = new QueryVariableBuilder(v.name)
    .label(v.label)
    .query(variableQuery(v))
    .definition(v.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(v.multi ?? false);
  if (v.allValue !== undefined) b.includeAll(true).allValue(v.allValue).current({ text: "All", value: "$__all" });
  return b;
}

export function v2Manifest(d: Dashboard): unknown {
  const b = new DashboardBuilder(d.title)
    .description(d.description)
    .tags(d.tags)
    .editable(true)
    .cursorSync(DashboardCursorSync.Crosshair)
    .timeSettings(new TimeSettingsBuilder().from("now-6h").to("now").autoRefresh("1m").timezone("browser"))
    .variables(d.variables.map(variable));
  const tabs = new TabsBuilder();
  let id = 0;
  for (const tab of d.tabs) {
    const grid = new AutoGridBuilder().maxColumnCount(3).columnWidthMode("standard").rowHeightMode("standard");
    for (const p of tab.panels) {
      id++;
      const key = `panel-${id}`;
      b.element(
        key,
        new PanelBuilder()
          .id(id)
          .title(p.title)
          .description(p.question)
          .data(new QueryGroupBuilder().targets(p.targets.map(target)))
          .visualization(visualization(p)),
      );
      grid.item(new AutoGridItemBuilder().name(key));
    }
    tabs.tab(new TabBuilder().title(tab.title).layout(grid));
  }
  b.layout(tabs);
  const m = manifest(d.uid, b).build();
  m.metadata.annotations = { "grafana.app/folder": FOLDER };
  return m;
}

/** The folder every manifest names (pushed first, so the dashboards have somewhere to go). */
export function folderManifest(): unknown {
  return {
    apiVersion: "folder.grafana.app/v1beta1",
    kind: "Folder",
    metadata: { name: FOLDER },
    spec: { title: FOLDER },
  };
}
