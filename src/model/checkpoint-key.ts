/** Checkpoint keys: `<source_instance>/<loop>/<fingerprint16>`. */

/**
 * SHA-256 over each series name (sorted by UTF-8 bytes, duplicates kept) followed by NUL,
 * then the trimmed naming string; first 16 lowercase hex characters.
 */
export function fingerprint(seriesNames: readonly string[], naming: string): string {
  const sorted = seriesNames.map((n) => Buffer.from(n, "utf8")).sort(Buffer.compare);
  // The runtime's native hasher: node:crypto would load the stream modules at start-up.
  const h = new Bun.CryptoHasher("sha256");
  for (const n of sorted) {
    h.update(n);
    h.update(Buffer.of(0));
  }
  h.update(naming.trim());
  return h.digest("hex").slice(0, 16);
}

export interface CheckpointKey {
  sourceInstance: string;
  loop: string;
  fingerprint: string;
}

export function keyString(k: CheckpointKey): string {
  return `${k.sourceInstance}/${k.loop}/${k.fingerprint}`;
}
