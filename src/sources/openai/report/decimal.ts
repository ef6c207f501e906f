/**
 * Exact decimal sums for billed amounts. Costs arrive as JSON numbers or decimal strings
 * (OpenAI's `amount.value` both ways, Anthropic's cents always as strings); adding them as
 * doubles gives 5.7299999999999995 where the bill says 5.73. Each amount enters as its exact
 * decimal (a JSON number as its shortest round-trip form), sums are kept as scaled integers,
 * and each final sum becomes the nearest double once.
 */

/** `units / 10^scale`. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

export const ZERO_DECIMAL: Decimal = { units: 0n, scale: 0 };

const PLAIN = /^-?\d+(\.\d+)?$/;
const NUMBER_FORM = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** A plain decimal string (`-12.50`); undefined for anything else (`12,50`, `1e3`, `.5`). */
export function parseDecimal(text: string): Decimal | undefined {
  if (!PLAIN.test(text)) return undefined;
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const units = BigInt(whole + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

/** A finite JSON number as the decimal its shortest round-trip form spells. */
export function decimalOfNumber(value: number): Decimal | undefined {
  if (!Number.isFinite(value)) return undefined;
  const m = NUMBER_FORM.exec(String(value));
  if (!m) return undefined;
  const [, sign = "", whole = "0", fraction = "", exponent = "0"] = m;
  let units = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === "-" ? -units : units, scale };
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  const widen = (d: Decimal) => d.units * 10n ** BigInt(scale - d.scale);
  return { units: widen(a) + widen(b), scale };
}

/** The nearest double to `d / 10^shift` (shift 2 turns cents into dollars). */
export function decimalToNumber(d: Decimal, shift = 0): number {
  const scale = d.scale + shift;
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(scale + 1, "0");
  const text =
    scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return Number(negative ? `-${text}` : text);
}
