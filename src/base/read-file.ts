/**
 * Read a local file that must be a regular file of bounded size. A path that names a device
 * (`/dev/zero`), a FIFO, a socket or a directory, or a file larger than the limit, is refused
 * before anything grows: opening is non-blocking (a FIFO without a writer cannot hang the
 * start), the type is checked on the open descriptor, and at most `maxBytes + 1` bytes are read
 * whatever the size claims (files under /proc report 0).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** An error carrying a system-like code, so callers render it as they render the system's. */
export class FileRefused extends Error {
  constructor(
    readonly code: "EISDIR" | "ENOTREG" | "EFBIG",
    message: string,
  ) {
    super(message);
  }
}

export function readBoundedFile(path: string, maxBytes: number): string {
  return readRawBytes(path, maxBytes).toString("utf8");
}

/** The same checks, the bytes as they are. */
export function readRawBytes(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new FileRefused("EISDIR", "is a directory");
    if (!st.isFile()) throw new FileRefused("ENOTREG", "not a regular file");
    if (st.size > maxBytes) throw new FileRefused("EFBIG", `larger than ${maxBytes} bytes`);
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) throw new FileRefused("EFBIG", `larger than ${maxBytes} bytes`);
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
