/**
 * The dashboard generator: every panel of both renderings carries its unit, datasource variable
 * and legends; product gauges are never rated; output is deterministic and what is committed.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { classicDashboard } from "../../../scripts/grafana/classic.ts";
import { LOKI, PROM } from "../../../scripts/grafana/model.ts";
import { v2Manifest } from "../../../scripts/grafana/v2.ts";
import { DASHBOARDS, renderAll } from "../../../scripts/grafana.ts";

// biome-ignore lint/suspicious/noExplicitAny: rendered dashboards are untyped JSON
type Obj = Record<string, any>;
const ROOT = join(import.meta.dir, "../../..");

describe("classic JSON", () => {
  for (const d of DASHBOARDS) {
    test(`${d.uid}: every panel's unit, datasource and legends are the description's`, () => {
      const json = classicDashboard(d) as Obj;
      const panels = (json.panels as Obj[]).filter((p) => p.type !== "row");
      const specs = d.tabs.flatMap((t) => t.panels);
      expect(panels.map((p) => p.title)).toEqual(specs.map((p) => p.title));
      expect((json.panels as Obj[]).filter((p) => p.type === "row").map((r) => r.title)).toEqual(
        d.tabs.map((t) => t.title),
      );
      for (const [i, spec] of specs.entries()) {
        const p = panels[i] as Obj;
        expect(p.type).toBe(spec.viz);
        expect(p.description).toBe(spec.question);
        expect(p.fieldConfig?.defaults?.unit).toBe(spec.unit);
        const source = spec.targets[0]?.source === "loki" ? LOKI : PROM;
        expect(p.datasource.uid).toBe(source);
        expect(p.targets.map((t: Obj) => [t.expr, t.legendFormat, t.datasource.uid])).toEqual(
          spec.targets.map((t) => [t.expr, t.legend, t.source === "loki" ? LOKI : PROM]),
        );
      }
      expect(json.uid).toBe(d.uid);
      expect(json.templating.list.map((v: Obj) => v.name)).toEqual(d.variables.map((v) => v.name));
    });
  }
});

describe("v2 manifests", () => {
  for (const d of DASHBOARDS) {
    test(`${d.uid}: a dashboard.grafana.app/v2 Dashboard in the folder, tabs of the panels with their units`, () => {
      const m = v2Manifest(d) as Obj;
      expect([m.apiVersion, m.kind, m.metadata.name, m.metadata.annotations]).toEqual([
        "dashboard.grafana.app/v2",
        "Dashboard",
        d.uid,
        { "grafana.app/folder": "genai-otel-bridge" },
      ]);
      const tabs = m.spec.layout.spec.tabs as Obj[];
      expect(tabs.map((t) => t.spec.title)).toEqual(d.tabs.map((t) => t.title));
      for (const [i, tab] of d.tabs.entries()) {
        const items = (tabs[i] as Obj).spec.layout.spec.items as Obj[];
        const names = items.map((it) => it.spec.element.name);
        const panels = names.map((n) => m.spec.elements[n].spec as Obj);
        expect(panels.map((p) => p.title)).toEqual(tab.panels.map((p) => p.title));
        for (const [j, spec] of tab.panels.entries()) {
          const p = panels[j] as Obj;
          expect(p.vizConfig.group).toBe(spec.viz);
          expect(p.vizConfig.spec.fieldConfig?.defaults?.unit).toBe(spec.viz === "logs" ? undefined : spec.unit);
          const queries = (p.data.spec.queries as Obj[]).map((q) => q.spec.query);
          expect(queries.map((q) => [q.spec.expr, q.spec.legendFormat, q.datasource.name])).toEqual(
            spec.targets.map((t) => [t.expr, t.legend, t.source === "loki" ? LOKI : PROM]),
          );
        }
      }
    });
  }
});

describe("queries", () => {
  const all = DASHBOARDS.flatMap((d) => d.tabs.flatMap((t) => t.panels.flatMap((p) => p.targets.map((x) => x.expr))));
  test("product gauges are per-bucket values: never rate() or increase()", () => {
    const rated = all.filter((e) => /(rate|increase)\([^)]*(portkey_api_|langsmith_)/.test(e));
    expect(rated).toEqual([]);
    expect(all.some((e) => e.includes("sum_over_time(portkey_api_requests"))).toBe(true);
  });
  test("every query variable a query names is defined on its dashboard", () => {
    for (const d of DASHBOARDS) {
      const defined = new Set(d.variables.map((v) => v.name));
      const used = d.tabs.flatMap((t) =>
        t.panels.flatMap((p) =>
          p.targets.flatMap((x) => [...x.expr.matchAll(/\$([A-Za-z_]\w*)/g)].map((m) => m[1] ?? "")),
        ),
      );
      expect(used.filter((u) => !u.startsWith("__") && !defined.has(u))).toEqual([]);
    }
  });
});

describe("output", () => {
  test("two renders are byte-identical and equal to the committed files", () => {
    const a = renderAll();
    const b = renderAll();
    expect([...a.entries()]).toEqual([...b.entries()]);
    for (const [path, text] of a)
      expect({ path, same: readFileSync(join(ROOT, path), "utf8") === text }).toEqual({ path, same: true });
  });
  test("the manifests parse as YAML with the folder first in name order", () => {
    const folder = parse(readFileSync(join(ROOT, "deploy/grafana/manifests/folder.yaml"), "utf8")) as Obj;
    expect([folder.apiVersion, folder.kind, folder.metadata.name]).toEqual([
      "folder.grafana.app/v1beta1",
      "Folder",
      "genai-otel-bridge",
    ]);
  });
});
