/**
 * What a dashboard says, before any Grafana schema: tabs of panels, each panel one
 * visualisation over PromQL (or LogQL) targets. The two renderers (classic.ts for dashboard
 * JSON, v2.ts for the v2 resource manifest) turn one description into both import forms, and
 * the dashboards test evaluates every PromQL target against a real Prometheus fed by the bridge.
 */

export type Viz = "timeseries" | "stat" | "table" | "bargauge" | "logs";

export interface Target {
  expr: string;
  legend?: string;
  /** One value per series (stat, table, bar gauge) instead of a range. */
  instant?: boolean;
  /** `loki` for LogQL targets; Prometheus otherwise. */
  source?: "prometheus" | "loki";
}

export interface Panel {
  title: string;
  /** The question the panel answers (shown as its description, listed in the README). */
  question: string;
  viz: Viz;
  unit?: string;
  /** Green below the first step, then each colour from its value on. */
  thresholds?: { value: number; color: string }[];
  targets: Target[];
}

export interface Tab {
  title: string;
  panels: Panel[];
}

export interface Variable {
  name: string;
  label: string;
  kind: "datasource" | "query";
  /** datasource: the plugin id; query: a `label_values(...)` query on the Prometheus datasource. */
  query: string;
  /** The datasource a `datasource` variable selects by default. */
  defaultSource?: string;
  multi?: boolean;
  /** The regex "All" stands for (absent: no All option). */
  allValue?: string;
  /** Query a Loki datasource (the `loki` variable) instead of the Prometheus one. */
  onLoki?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: Variable[];
  tabs: Tab[];
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
export const PROM = "${datasource}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
export const LOKI = "${loki}";

export const promTarget = (expr: string, legend?: string): Target => ({ expr, ...(legend ? { legend } : {}) });
export const instant = (expr: string, legend?: string): Target => ({ ...promTarget(expr, legend), instant: true });
export const logql = (expr: string, legend?: string): Target => ({ ...promTarget(expr, legend), source: "loki" });

export const panel = (
  viz: Viz,
  title: string,
  question: string,
  targets: Target[],
  extra: Pick<Panel, "unit" | "thresholds"> = {},
): Panel => ({ title, question, viz, targets, ...extra });

/** The standard variables: the Prometheus and Loki datasources (Grafana Cloud's default names). */
export const DATASOURCES: Variable[] = [
  {
    name: "datasource",
    label: "Prometheus",
    kind: "datasource",
    query: "prometheus",
    defaultSource: "grafanacloud-prom",
  },
  { name: "loki", label: "Loki", kind: "datasource", query: "loki", defaultSource: "grafanacloud-logs" },
];

/** A multi-value label variable over a Prometheus series; All matches absent labels too. */
export const labelVariable = (name: string, label: string, series: string, allValue = ".*"): Variable => ({
  name,
  label,
  kind: "query",
  query: `label_values(${series}, ${name})`,
  multi: true,
  allValue,
});

/** Every PromQL target of a dashboard, with where it sits (for the test and the README). */
export function promTargets(d: Dashboard): { tab: string; panel: string; expr: string }[] {
  return d.tabs.flatMap((tab) =>
    tab.panels.flatMap((p) =>
      p.targets.filter((t) => t.source !== "loki").map((t) => ({ tab: tab.title, panel: p.title, expr: t.expr })),
    ),
  );
}
