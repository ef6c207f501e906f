/**
 * Command definitions (citty). The root command keeps the Go implementation's flags and
 * modes; `validate`, `version`, `run` and `demo` are recognised only as the first argument.
 * Each mode's code is imported when that mode runs: `-version`, `-healthcheck` and help load
 * neither the config schema nor the runtime (they run on every Docker health interval and in
 * editor hooks, where start-up is the whole cost).
 */
import { type ArgsDef, type CommandDef, defineCommand } from "citty";
import { DEFAULT_CHECKPOINT_FILE } from "../checkpoint/file/path.ts";
import { DEFAULT_CONFIG_PATH } from "../config/paths.ts";
import { Logger } from "../log/logger.ts";
import { parseDuration } from "../model/duration.ts";
import { VERSION } from "../version.ts";
import type { FlagSpec } from "./goflags.ts";
import { parseGoInt64 } from "./goflags.ts";
import { healthcheck } from "./healthcheck.ts";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface Invocation {
  env: Record<string, string | undefined>;
  io: Io;
  /** Flags given explicitly on the command line (citty fills defaults for the rest). */
  given: ReadonlySet<string>;
}

const runArgs = {
  config: {
    type: "string",
    default: DEFAULT_CONFIG_PATH,
    description: "Config file (ignored when GENAI_OTEL_BRIDGE_CONFIG is set)",
  },
  "health-addr": { type: "string", default: ":8080", description: "Health server listen address [host]:port" },
  namespace: { type: "string", description: "Kubernetes namespace (default $POD_NAMESPACE)" },
  identity: { type: "string", description: "Replica identity (default $POD_NAME, then the ECS task ARN)" },
  "container-mem-bytes": {
    type: "string",
    default: "0",
    valueHint: "int64",
    description: "Container memory limit in bytes",
  },
  "checkpoint-file": { type: "string", default: DEFAULT_CHECKPOINT_FILE, description: "File checkpoint path" },
  "dry-run": { type: "boolean", description: "Poll for real but print OTLP requests as JSON instead of sending" },
  "kube-api-url": {
    type: "string",
    description: "Kubernetes API URL (default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)",
  },
  "serviceaccount-dir": {
    type: "string",
    default: "/var/run/secrets/kubernetes.io/serviceaccount",
    description: "Directory with the service-account token, ca.crt and namespace",
  },
} as const satisfies ArgsDef;

const rootArgs = {
  ...runArgs,
  cleanup: { type: "boolean", description: "Uninstall mode: delete the Lease and checkpoint ConfigMap" },
  "cleanup-retain-checkpoint": { type: "boolean", description: "With -cleanup: delete nothing" },
  "validate-config": {
    type: "boolean",
    description: "Validate the -config file (placeholders for unset variables) and exit",
  },
  healthcheck: { type: "boolean", description: "Probe the local /healthz and exit 0 (healthy) or 1" },
  version: { type: "boolean", description: "Print the version and exit" },
} as const satisfies ArgsDef;

/** The Go flag specs a command accepts, derived from its citty args. */
export function flagSpecs(args: ArgsDef): FlagSpec[] {
  return Object.entries(args)
    .filter(([, d]) => d.type !== "positional")
    .map(([name, d]) => ({
      name,
      kind: d.type === "boolean" ? "bool" : d.valueHint === "int64" ? "int64" : "string",
    }));
}

type RunParsed = { [K in keyof typeof runArgs]: string | boolean | undefined };

async function doRun(a: RunParsed, inv: Invocation): Promise<number> {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const { runMode } = await import("../app/start.ts");
  return runMode({
    config: str(a.config),
    healthAddr: str(a["health-addr"]),
    namespace: inv.given.has("namespace") ? str(a.namespace) : (inv.env.POD_NAMESPACE ?? ""),
    identity: inv.given.has("identity") ? str(a.identity) : (inv.env.POD_NAME ?? ""),
    containerMemBytes: parseGoInt64(str(a["container-mem-bytes"]) || "0") ?? 0n,
    checkpointFile: str(a["checkpoint-file"]),
    checkpointFileExplicit: inv.given.has("checkpoint-file"),
    dryRun: a["dry-run"] === true,
    kubeApiUrl: str(a["kube-api-url"]),
    saDir: str(a["serviceaccount-dir"]),
    env: inv.env,
  });
}

export function commands(inv: Invocation): { root: CommandDef; sub: Record<string, CommandDef> } {
  const version = defineCommand({
    meta: { name: "version", description: "Print the version" },
    run: () => {
      inv.io.out(`${VERSION}\n`);
      return 0;
    },
  });
  const validate = defineCommand({
    meta: {
      name: "validate",
      description: "Strictly validate a config (real environment, every rule) and print it resolved",
    },
    args: { config: runArgs.config },
    run: async ({ args }) => {
      const { validateCommand } = await import("./validate.ts");
      return validateCommand(String(args.config), inv.given.has("config"), inv.env, inv.io);
    },
  });
  const run = defineCommand({
    meta: { name: "run", description: "Run the bridge (same as no subcommand)" },
    args: runArgs,
    run: ({ args }) => doRun(args as RunParsed, inv),
  });
  const demoCmd = defineCommand({
    meta: {
      name: "demo",
      description: "Run the real pipeline against a simulated vendor workspace and an in-process OTLP sink",
    },
    args: {
      duration: { type: "string", default: "40s", description: "How long to run (Go duration; 0 = until Ctrl-C)" },
      "checkpoint-file": {
        type: "string",
        description: "Keep the watermark here across runs (default: a fresh temp file)",
      },
    },
    run: async ({ args }) => {
      let ms: number;
      try {
        ms = parseDuration(String(args.duration)) / 1e6;
      } catch (e) {
        inv.io.err(`demo: -duration: ${(e as Error).message}\n`);
        return 2;
      }
      const cp =
        typeof args["checkpoint-file"] === "string" && args["checkpoint-file"] !== ""
          ? args["checkpoint-file"]
          : undefined;
      const { demo } = await import("../demo/command.ts");
      return demo({ durationMs: ms, checkpointFile: cp });
    },
  });
  const root = defineCommand({
    meta: { name: "genai-otel-bridge", version: VERSION, description: "LLM gateway and evaluation metrics to OTLP" },
    args: rootArgs,
    run: async ({ args }) => {
      if (args.version) {
        inv.io.out(`${VERSION}\n`);
        return 0;
      }
      if (args["validate-config"]) {
        const { validateConfigMode } = await import("./validate.ts");
        return validateConfigMode(String(args.config), inv.env, inv.io);
      }
      if (args.cleanup) {
        const { cleanup } = await import("./cleanup.ts");
        return cleanup(
          {
            namespace: inv.given.has("namespace") ? String(args.namespace ?? "") : (inv.env.POD_NAMESPACE ?? ""),
            retain: args["cleanup-retain-checkpoint"] === true,
            apiUrl: String(args["kube-api-url"] ?? ""),
            saDir: String(args["serviceaccount-dir"] ?? ""),
            env: inv.env,
          },
          Logger.create(),
        );
      }
      if (args.healthcheck) return healthcheck(String(args["health-addr"]));
      return doRun(args as RunParsed, inv);
    },
  });
  // citty's CommandDef is invariant in its args type; the dispatcher only needs the erased form.
  const erase = (c: unknown) => c as CommandDef;
  return {
    root: erase(root),
    sub: { validate: erase(validate), version: erase(version), run: erase(run), demo: erase(demoCmd) },
  };
}
