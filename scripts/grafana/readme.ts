/** The README's generated list of dashboards: per dashboard its tabs, panels and the question each answers. */
import type { Dashboard } from "./model.ts";

export const README_BEGIN = "<!-- BEGIN generated dashboards — do not edit by hand; run `npm run grafana` -->";
export const README_END = "<!-- END generated dashboards -->";

export function readmeSection(d: Dashboard): string {
  const lines = [`#### ${d.title} (\`${d.uid}\`)`, "", d.description, "", "| Tab | Panel | Answers |", "|---|---|---|"];
  for (const tab of d.tabs) for (const p of tab.panels) lines.push(`| ${tab.title} | ${p.title} | ${p.question} |`);
  return `${lines.join("\n")}\n`;
}

/** `readme` with the text between the markers replaced by `body`; throws when a marker is missing. */
export function spliceReadme(readme: string, body: string): string {
  const start = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error("README.md: the generated dashboards markers are missing");
  return `${readme.slice(0, start + README_BEGIN.length)}\n\n${body}\n${readme.slice(end)}`;
}
