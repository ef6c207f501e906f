/**
 * Writing to stdout and stderr without the runtime's Node stream objects. The first touch of
 * `process.stdout` loads node:stream and its helpers — 3 to 5 ms of start-up in a CPU profile of
 * run mode, for the first log line — and a log line is better on the descriptor before the next
 * statement runs, as Go's logger writes it. When the descriptor would block (a non-blocking pipe
 * whose reader is behind), the rest of that text and every later write go through the stream,
 * which waits for the reader, so the order of lines is kept.
 */
import { writeSync } from "node:fs";

type Fd = 1 | 2;
const viaStream: Record<Fd, boolean> = { 1: false, 2: false };

function stream(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

export function writeFd(fd: Fd, text: string): void {
  if (viaStream[fd]) {
    stream(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK") {
      viaStream[fd] = true;
      stream(fd).write(bytes.subarray(offset));
    }
    // Otherwise the reader is gone (EPIPE) or the descriptor closed: a log line has nowhere
    // else to go, and failing the caller over it would stop the bridge for no gain.
  }
}

export const writeStdout = (text: string): void => writeFd(1, text);
export const writeStderr = (text: string): void => writeFd(2, text);
