/** `api_key_use_cases` resolution. */

import { csv } from "../../base/csv.ts";
import type { SourceConfig } from "../../config/types.ts";

export interface UseCase {
  slug: string;
  apiKeyIds: string[];
}

/**
 * Go's strings.ToLower, one code point at a time with the simple mapping: JavaScript's
 * toLowerCase maps `İ` (U+0130) to `i` plus a combining dot and a final `Σ` by context, where Go
 * gives `i` and `σ`.
 */
function goToLower(s: string): string {
  let out = "";
  for (const c of s) out += c === "\u0130" ? "i" : c.toLowerCase();
  return out;
}

/** Lower-case (as the Go build does), runs outside [a-z0-9] → `_`, trim `_`. */
export function slugify(label: string): string {
  return goToLower(label)
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

export function resolveUseCases(s: SourceConfig): UseCase[] {
  const out: UseCase[] = [];
  const slugs = new Set<string>();
  const ids = new Set<string>();
  s.api_key_use_cases.forEach((u, i) => {
    const slug = slugify(u.label);
    if (slug === "")
      throw new Error(`portkey: api_key_use_cases[${i}].label ${JSON.stringify(u.label)} has an empty slug`);
    if (slugs.has(slug)) throw new Error(`portkey: api_key_use_cases: duplicate slug ${JSON.stringify(slug)}`);
    slugs.add(slug);
    const cleaned = csv(u.api_key_ids.join(","));
    if (cleaned.length === 0) throw new Error(`portkey: api_key_use_cases[${i}] (${slug}): api_key_ids is empty`);
    for (const id of cleaned) {
      if (ids.has(id)) throw new Error(`portkey: api_key_use_cases: api key id ${JSON.stringify(id)} listed twice`);
      ids.add(id);
    }
    out.push({ slug, apiKeyIds: cleaned });
  });
  if (out.length > 0) {
    for (const [name, l] of Object.entries(s.loops)) {
      if (l.enabled && csv(l.settings.api_key_ids).length > 0) {
        throw new Error(`portkey: loop ${name}: settings.api_key_ids cannot be combined with api_key_use_cases`);
      }
    }
  }
  return out;
}

/** One sweep over a loop's endpoints: a use case's keys (labelled by its slug), or the configured keys. */
export interface Pass {
  slug: string;
  apiKeyIds: string[];
}

/** One pass per use case, in config order; else one unlabelled pass over the loop's own `api_key_ids`. */
export function passesFor(useCases: readonly UseCase[], apiKeyIds: string[]): Pass[] {
  return useCases.length > 0
    ? useCases.map((u) => ({ slug: u.slug, apiKeyIds: u.apiKeyIds }))
    : [{ slug: "", apiKeyIds }];
}
