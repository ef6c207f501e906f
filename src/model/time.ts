/**
 * Instants are bigint nanoseconds since the Unix epoch (UTC): JS Dates lose sub-millisecond
 * digits and cannot carry OTLP's fixed64 exactly. ZERO_TIME is Go's zero time, meaning "unset".
 */
export type Time = bigint;

export const ZERO_TIME: Time = -62135596800000000000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;
export const NS_PER_MIN = 60n * NS_PER_S;

export function fromMillis(ms: number): Time {
  return BigInt(Math.trunc(ms)) * NS_PER_MS;
}

/** Wall clock now, as a Time. */
export function nowTime(): Time {
  return fromMillis(Date.now());
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

/** `2026-06-19T10:05:00Z`, `…:00.5Z`: RFC 3339 UTC, 1–9 fractional digits with trailing zeros trimmed. */
export function formatRfc3339Nano(t: Time): string {
  if (t === ZERO_TIME) return "0001-01-01T00:00:00Z";
  let secs = t / NS_PER_S;
  let frac = t % NS_PER_S;
  if (frac < 0n) {
    frac += NS_PER_S;
    secs -= 1n;
  }
  const d = new Date(Number(secs) * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  const f = frac === 0n ? "" : `.${frac.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${base}${f}Z`;
}

/** `t` truncated to its whole minute. */
export function floorMinute(t: Time): Time {
  return t - (((t % NS_PER_MIN) + NS_PER_MIN) % NS_PER_MIN);
}

/** `2026-06-18T11:14:00Z`: second precision, fraction truncated (what the bridge sends to vendors). */
export function formatRfc3339Seconds(t: Time): string {
  return formatRfc3339Nano(t - (((t % NS_PER_S) + NS_PER_S) % NS_PER_S));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parse RFC 3339 with optional 1–9 fractional digits and Z or ±hh:mm; undefined when invalid. */
export function parseRfc3339(s: string): Time | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const min = Number(mi);
  const sec = Number(se);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, min, sec);
  const check = new Date(ms);
  if (check.getUTCDate() !== day) return undefined;
  let ns = BigInt(ms) * NS_PER_MS;
  if (year < 100) {
    // Date.UTC maps two-digit years to 19xx; correct it.
    const fixed = new Date(ms);
    fixed.setUTCFullYear(year);
    ns = BigInt(fixed.getTime()) * NS_PER_MS;
  }
  if (frac) ns += BigInt(frac.padEnd(9, "0"));
  if (sign) {
    const off = BigInt(Number(oh) * 60 + Number(om)) * NS_PER_MIN;
    ns = sign === "+" ? ns - off : ns + off;
  }
  return ns;
}
