/**
 * The forms a secret can take in output: raw, JSON/Go-escaped, YAML single-quoted, percent-
 * encoded, hex, and base64 at each of the three byte alignments (so it is found inside a Basic
 * auth header, where it follows `instance_id:`).
 */
export interface Form {
  encoding: string;
  text: string;
}

/** The base64 characters that depend only on `secret` when it starts `pad` bytes into the input. */
function base64Core(secret: Buffer, pad: number, url: boolean): string {
  const encoded = Buffer.concat([Buffer.alloc(pad), secret]).toString(url ? "base64url" : "base64");
  const first = Math.ceil((8 * pad) / 6);
  const last = Math.floor((8 * (pad + secret.length)) / 6);
  return encoded.slice(first, last);
}

export function encodings(secret: string): Form[] {
  const bytes = Buffer.from(secret);
  const forms: Form[] = [
    { encoding: "raw", text: secret },
    { encoding: "JSON-escaped", text: JSON.stringify(secret).slice(1, -1) },
    { encoding: "YAML single-quoted", text: secret.replaceAll("'", "''") },
    { encoding: "percent-encoded", text: encodeURIComponent(secret) },
    { encoding: "hex", text: bytes.toString("hex") },
  ];
  for (const pad of [0, 1, 2]) {
    forms.push({ encoding: `base64 (offset ${pad})`, text: base64Core(bytes, pad, false) });
    forms.push({ encoding: `base64url (offset ${pad})`, text: base64Core(bytes, pad, true) });
  }
  // A very short encoded fragment could match by chance: encoded forms need 6 characters.
  const seen = new Set<string>();
  return forms.filter((f, i) => (i < 4 || f.text.length >= 6) && !seen.has(f.text) && seen.add(f.text));
}
