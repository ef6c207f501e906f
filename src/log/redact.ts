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

const hex2 = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");

/**
 * Every way a value can appear in a message: as it is, JSON-escaped (`JSON.stringify`, what
 * our own messages use), Go-quoted (`%q`: `\x00`-style control characters) and YAML
 * double-quoted (`\x` / `\u` escapes) — so a secret holding `"`, `\`, a newline or a control
 * character is caught in whichever form a message quotes it.
 */
export function renderings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  let go = "";
  for (const c of value) {
    const code = c.charCodeAt(0);
    if (c === "\\" || c === '"') go += `\\${c}`;
    else if (c === "\n") go += "\\n";
    else if (c === "\r") go += "\\r";
    else if (c === "\t") go += "\\t";
    else if (code < 0x20 || code === 0x7f) go += `\\x${hex2(c)}`;
    else go += c;
  }
  const yaml = json.replace(/\\u00([0-9a-f]{2})/g, "\\x$1");
  return [...new Set([value, json, go, yaml])];
}

/** Register a secret value. Values of 3 bytes or fewer are not registered (the reference rule). */
export function registerSecret(value: string): void {
  if (Buffer.byteLength(value) <= 3 || secrets.has(value)) return;
  secrets.add(value);
  ordered = [...new Set([...secrets].flatMap(renderings))].sort((a, b) => b.length - a.length);
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

/**
 * A message cut short (a snippet, a cap) may end inside a secret: a tail that is the first half
 * (and at least 8 characters) of one is taken for it.
 */
const TRUNCATED_MIN = 8;

export function redact(text: string): string {
  let out = text;
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  for (const s of ordered) {
    for (let k = s.length - 1; k >= Math.max(TRUNCATED_MIN, Math.ceil(s.length / 2)); k--) {
      if (out.endsWith(s.slice(0, k))) {
        out = out.slice(0, out.length - k) + REDACTED;
        break;
      }
    }
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
