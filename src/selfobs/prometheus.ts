/**
 * `GET /metrics`: the self-metrics in Prometheus text format 0.0.4, named as Prometheus' OTLP
 * translation would name them (gauges with unit `1` get `_ratio`; `…_seconds` keeps one
 * suffix), so a dashboard works against either path.
 */
import { sortedKeys } from "../model/order.ts";
import type { Labels } from "../model/types.ts";
import type { Instrument, Registry } from "./registry.ts";

export function promName(i: Instrument): string {
  if (i.kind === "gauge" && i.unit === "1") return `${i.name}_ratio`;
  return i.name;
}

function esc(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function fmtLabels(l: Labels, extra?: [string, string]): string {
  const parts = sortedKeys(l).map((k) => `${k}="${esc(l[k] ?? "")}"`);
  if (extra) parts.push(`${extra[0]}="${esc(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

export function prometheusText(reg: Registry): string {
  const out: string[] = [];
  for (const { instrument: i, series } of reg.snapshot()) {
    const name = promName(i);
    out.push(`# HELP ${name} ${i.description}`, `# TYPE ${name} ${i.kind}`);
    for (const s of series) {
      if (i.kind !== "histogram") {
        out.push(`${name}${fmtLabels(s.labels)} ${num(s.value)}`);
        continue;
      }
      const h = s.hist;
      if (!h) continue;
      let cum = 0;
      (i.bounds ?? []).forEach((b, idx) => {
        cum += h.counts[idx] ?? 0;
        out.push(`${name}_bucket${fmtLabels(s.labels, ["le", num(b)])} ${cum}`);
      });
      out.push(`${name}_bucket${fmtLabels(s.labels, ["le", "+Inf"])} ${h.count}`);
      out.push(`${name}_sum${fmtLabels(s.labels)} ${num(h.sum)}`, `${name}_count${fmtLabels(s.labels)} ${h.count}`);
    }
  }
  return `${out.join("\n")}\n`;
}
