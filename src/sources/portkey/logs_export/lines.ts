/**
 * Lines of a streamed body, `\n`-separated, with the exact raw byte count of each (the
 * newline included) so a resume offset always lands on a line boundary. A line longer than
 * the cap is drained to its newline without being kept. The whole body is counted against an
 * object cap; nothing is ever buffered beyond one line and one network chunk.
 */

export type Line =
  | { kind: "eof" }
  | { kind: "line"; bytes: Uint8Array; raw: number }
  | { kind: "oversize"; raw: number };

export class ObjectTooLarge extends Error {}

export class LineReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private done = false;
  /** Bytes taken from the stream so far. */
  read = 0;

  constructor(
    private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> },
    private readonly maxLineBytes: number,
    private readonly maxObjectBytes: number,
  ) {}

  private async more(): Promise<boolean> {
    if (this.done) return false;
    const { done, value } = await this.reader.read();
    if (done || !value) {
      this.done = true;
      return false;
    }
    this.read += value.length;
    if (this.read > this.maxObjectBytes) throw new ObjectTooLarge();
    const rest = this.buf.subarray(this.pos);
    const next = new Uint8Array(rest.length + value.length);
    next.set(rest);
    next.set(value, rest.length);
    this.buf = next;
    this.pos = 0;
    return true;
  }

  async next(): Promise<Line> {
    let from = this.pos;
    for (;;) {
      const nl = this.buf.indexOf(0x0a, from);
      if (nl >= 0) {
        const bytes = this.buf.subarray(this.pos, nl);
        const raw = nl - this.pos + 1;
        this.pos = nl + 1;
        return bytes.length > this.maxLineBytes ? { kind: "oversize", raw } : { kind: "line", bytes, raw };
      }
      const pending = this.buf.length - this.pos;
      if (pending > this.maxLineBytes) return this.drain(pending);
      from = this.buf.length;
      if (!(await this.more())) {
        if (pending === 0) return { kind: "eof" };
        // A final line without its newline.
        const bytes = this.buf.subarray(this.pos);
        this.pos = this.buf.length;
        return { kind: "line", bytes, raw: bytes.length };
      }
      from = this.pos + pending;
    }
  }

  /** Skip the rest of an over-long line, keeping nothing of it. */
  private async drain(already: number): Promise<Line> {
    let raw = already;
    this.pos = this.buf.length;
    for (;;) {
      if (!(await this.more())) return { kind: "oversize", raw };
      const nl = this.buf.indexOf(0x0a, this.pos);
      if (nl >= 0) {
        raw += nl - this.pos + 1;
        this.pos = nl + 1;
        return { kind: "oversize", raw };
      }
      raw += this.buf.length - this.pos;
      this.pos = this.buf.length;
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}
