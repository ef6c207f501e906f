/**
 * The content floor: keys that carry message bodies or injected PII and may never become a
 * label, an indexed field or a record attribute, whatever the config says. The generic keys
 * live here; each vendor adds the names its own API gives such fields, and the floor is the
 * union over every registered vendor, enabled or not.
 */
export const FLOOR_EXACT: ReadonlySet<string> = new Set([
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "input.value",
  "output.value",
  "request",
  "response",
  "inputs",
  "outputs",
  "messages",
  "inputs_preview",
  "outputs_preview",
  "metadata",
]);

/** Plain string prefixes: `gen_ai.prompt.0.content` and even `gen_ai.promptx` match. */
export const FLOOR_PREFIXES: readonly string[] = [
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
];

const MAX_VERDICTS = 4096;

export class ContentFloor {
  readonly exact: ReadonlySet<string>;

  constructor(vendorKeys: Iterable<string> = []) {
    this.exact = new Set([...FLOOR_EXACT, ...vendorKeys]);
  }

  /** Verdicts already reached; keys repeat on every record, so most checks are one lookup. */
  private readonly verdicts = new Map<string, boolean>();

  /** Case-sensitive: an exact key or one of the prefixes. */
  has(key: string): boolean {
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = this.exact.has(key) || FLOOR_PREFIXES.some((p) => key.startsWith(p));
    // Bounded: a source that invents keys cannot grow this without limit.
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(key, verdict);
    return verdict;
  }
}
