/**
 * Where the file checkpoint lives. The default path is the container's volume; on a laptop it
 * is usually not writable, so an implicit default falls back to the per-user state directory
 * (`$XDG_STATE_HOME` or `~/.local/state`) and says so. An explicit `-checkpoint-file` is used
 * as given: failing there is better than writing somewhere the user did not ask for.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export const DEFAULT_CHECKPOINT_FILE = "/var/lib/genai-otel-bridge/checkpoints.yaml";

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function resolveCheckpointPath(
  flagValue: string,
  explicit: boolean,
  env: Record<string, string | undefined>,
): { path: string; fellBack: boolean } {
  if (explicit || writableDir(dirname(flagValue))) return { path: flagValue, fellBack: false };
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return { path: join(state, "genai-otel-bridge", "checkpoints.yaml"), fellBack: true };
}
