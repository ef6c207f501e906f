/**
 * The one place secrets are scrubbed. Every line the logger writes and every error text the
 * CLI prints passes through `redact()`. Secret values are registered as soon as they are
 * known (while the config is loaded), so even an error thrown half-way through loading is
 * clean. URL userinfo and query strings are stripped because signed URLs and
 * `https://user:pass@host` carry credentials in-band.
 */
const secrets = new Set<string>();
/** Longest first, so a secret that contains another is replaced whole. */
let ordered: string[] = [];

export const REDACTED = "[redacted]";

/** Register a secret value. Values of 3 bytes or fewer are not registered (the reference rule). */
export function registerSecret(value: string): void {
  if (Buffer.byteLength(value) <= 3 || secrets.has(value)) return;
  secrets.add(value);
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Register a Basic-auth pair: the user, the password, `user:pass` and its base64 form. */
export function registerBasicAuth(user: string, pass: string): void {
  registerSecret(user);
  registerSecret(pass);
  if (user !== "" || pass !== "") {
    registerSecret(`${user}:${pass}`);
    registerSecret(Buffer.from(`${user}:${pass}`).toString("base64"));
  }
}

/** Test hook: forget everything registered. */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@"'`]+)@/gi;
const URL_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'`]+)[?#][^\s"'`]*/gi;

export function redact(text: string): string {
  let out = text;
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  // https://user:pass@host → https://[redacted]@host ; ?query / #fragment dropped.
  out = out.replace(URL_CREDENTIALS, (_m, scheme: string, info: string) =>
    info.includes(":") ? `${scheme}${REDACTED}@` : `${scheme}${info}@`,
  );
  out = out.replace(URL_QUERY, (_m, base: string) => `${base}?${REDACTED}`);
  return out;
}

/** True when `text` holds any registered secret. */
export function containsSecret(text: string): boolean {
  return ordered.some((s) => text.includes(s));
}
