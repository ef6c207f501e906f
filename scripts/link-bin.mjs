// npm `prepare` (runs on `npm ci`/`npm install`): link this package's own bin into
// node_modules/.bin so `bunx genai-otel-bridge` (and `npx genai-otel-bridge`) run the source
// during development instead of looking the name up in the registry.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin");
if (existsSync(join(root, "node_modules"))) {
  mkdirSync(bin, { recursive: true });
  const link = join(bin, "genai-otel-bridge");
  rmSync(link, { force: true });
  symlinkSync(join("..", "..", "src", "cli", "main.ts"), link);
  chmodSync(join(root, "src", "cli", "main.ts"), 0o755);
}
