/** The scratch image's complete file set for x86_64 (Dockerfile and scripts/image-rootfs.sh). */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const IMAGE_FILES_X86_64 = [
  "etc/",
  "etc/group",
  "etc/passwd",
  "genai-otel-bridge",
  "lib/",
  "lib/x86_64-linux-gnu/",
  "lib/x86_64-linux-gnu/libc.so.6",
  "lib/x86_64-linux-gnu/libdl.so.2",
  "lib/x86_64-linux-gnu/libm.so.6",
  "lib/x86_64-linux-gnu/libpthread.so.0",
  "lib64/",
  "lib64/ld-linux-x86-64.so.2",
  "licenses/",
  "licenses/LICENSE",
  "licenses/THIRD_PARTY_NOTICES.md",
  "proc/",
  "tmp/",
  "usr/",
  "usr/share/",
  "usr/share/doc/",
  "usr/share/doc/libc6/",
  "usr/share/doc/libc6/copyright",
  "var/",
  "var/lib/",
  "var/lib/genai-otel-bridge/",
].sort();

/** Every entry under root, relative, directories with a trailing slash, sorted. */
export function tree(root: string, d = root): string[] {
  return readdirSync(d)
    .flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? [`${relative(root, p)}/`, ...tree(root, p)] : [relative(root, p)];
    })
    .sort();
}
