/** Parsers for `settings.*` string values, shared by every source. */
import { csv } from "../base/csv.ts";
import { type Duration, parseDuration } from "../model/duration.ts";

export class SettingsReader {
  readonly errors: string[] = [];
  private readonly used = new Set<string>();
  constructor(
    private readonly where: string,
    private readonly settings: Record<string, string>,
  ) {}

  raw(key: string): string | undefined {
    this.used.add(key);
    return this.settings[key];
  }

  duration(key: string, def: Duration): Duration {
    const v = this.raw(key);
    if (v === undefined || v === "") return def;
    try {
      return parseDuration(v);
    } catch (e) {
      this.errors.push(`${this.where}: settings.${key}: ${(e as Error).message}`);
      return def;
    }
  }

  int(key: string, def: number): number {
    const v = this.raw(key);
    if (v === undefined || v === "") return def;
    if (!/^[-+]?[0-9]+$/.test(v)) {
      this.errors.push(`${this.where}: settings.${key}: invalid integer ${JSON.stringify(v)}`);
      return def;
    }
    return Number(v);
  }

  bool(key: string, def: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined || v === "") return def;
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
    this.errors.push(`${this.where}: settings.${key}: invalid boolean ${JSON.stringify(v)}`);
    return def;
  }

  csv(key: string): string[] {
    return csv(this.raw(key));
  }

  check(ok: boolean, msg: string): void {
    if (!ok) this.errors.push(`${this.where}: ${msg}`);
  }

  /** Keys present in settings that this loop never read. */
  unknown(): string[] {
    return Object.keys(this.settings).filter((k) => !this.used.has(k));
  }

  /** Throws the first error (the reference fails construction on the first). */
  done(): void {
    const first = this.errors[0];
    if (first !== undefined) throw new Error(first);
  }
}

/** One WARN per settings key the loop never read (a typo, or a key of another loop). */
export function warnUnknown(
  r: SettingsReader,
  loop: string,
  warn: (msg: string, attrs?: Record<string, unknown>) => void,
): void {
  for (const k of r.unknown()) warn("unknown settings key ignored", { loop, key: k });
}
