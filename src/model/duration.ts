/**
 * Go `time.Duration` grammar and formatting. Durations are held as a
 * number of nanoseconds. Parsing uses bigint so overflow of a signed 64-bit count is
 * detected exactly; values beyond 2^53 ns (~104 days) lose sub-microsecond precision
 * once converted to `number`, which no timing in this program comes near.
 */
export type Duration = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_INT64 = (1n << 63n) - 1n;

/** Matches the whole grammar; used as the JSON Schema pattern for duration keys. */
export const DURATION_PATTERN = "^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$";

export class DurationError extends Error {}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Parse like Go's time.ParseDuration; throws DurationError with Go's message text. */
export function parseDuration(input: string): Duration {
  let s = input;
  const orig = input;
  let neg = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    neg = s.startsWith("-");
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new DurationError(`time: invalid duration ${quote(orig)}`);
  let total = 0n;
  while (s !== "") {
    const c0 = s.charAt(0);
    if (!(c0 === "." || (c0 >= "0" && c0 <= "9"))) {
      throw new DurationError(`time: invalid duration ${quote(orig)}`);
    }
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const intPart = m?.[1] ?? "";
    const fracPart = m?.[2];
    if (intPart === "" && (fracPart === undefined || fracPart === "")) {
      throw new DurationError(`time: invalid duration ${quote(orig)}`);
    }
    s = s.slice(m?.[0].length ?? 0);
    let u = 0;
    while (u < s.length && s.charAt(u) !== "." && !(s.charAt(u) >= "0" && s.charAt(u) <= "9")) u++;
    if (u === 0) throw new DurationError(`time: missing unit in duration ${quote(orig)}`);
    const unitText = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS[unitText];
    if (unit === undefined) {
      throw new DurationError(`time: unknown unit ${quote(unitText)} in duration ${quote(orig)}`);
    }
    let v = BigInt(intPart === "" ? "0" : intPart) * unit;
    if (fracPart) {
      // Truncate toward zero at nanosecond resolution, as Go does.
      v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    }
    total += v;
    if (total > MAX_INT64 + (neg ? 1n : 0n)) {
      throw new DurationError(`time: invalid duration ${quote(orig)}`);
    }
  }
  return Number(neg ? -total : total);
}

function trimFraction(digits: string): string {
  const t = digits.replace(/0+$/, "");
  return t === "" ? "" : `.${t}`;
}

/** Format like Go's Duration.String (`0s`, `1m0s`, `1.5µs`, `8.571428571s`). */
export function formatDuration(d: Duration): string {
  if (d === 0) return "0s";
  if (d < 0) return `-${formatDuration(-d)}`;
  const ns = BigInt(Math.trunc(d));
  if (ns < 1_000_000_000n) {
    const [div, unit] = ns < 1_000n ? [1n, "ns"] : ns < 1_000_000n ? [1_000n, "µs"] : [1_000_000n, "ms"];
    const whole = ns / div;
    const frac = (ns % div).toString().padStart(div.toString().length - 1, "0");
    return `${whole}${div === 1n ? "" : trimFraction(frac)}${unit}`;
  }
  const h = ns / 3_600_000_000_000n;
  const m = (ns / 60_000_000_000n) % 60n;
  const sec = (ns / 1_000_000_000n) % 60n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0");
  let out = "";
  if (h > 0n) out += `${h}h`;
  if (h > 0n || m > 0n) out += `${m}m`;
  return `${out}${sec}${trimFraction(frac)}s`;
}
