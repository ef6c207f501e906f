/** Run the compiled binary as a user would: a clean environment, its own working directory. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { capture, captureCheckpoint, secretsOf } from "./capture.ts";

export const BIN = resolve(import.meta.dir, "../../bin/genai-otel-bridge");

export function requireBinary(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does it first)`);
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOpts {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...extra };
}

export async function run(args: string[], opts: RunOpts = {}): Promise<Result> {
  const p = Bun.spawn([BIN, ...args], {
    env: cleanEnv(opts.env),
    cwd: opts.cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 15_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  clearTimeout(timer);
  keep(args, opts, stdout, stderr);
  return { code, stdout, stderr };
}

/** Hand a finished run's output (and its checkpoint file) to the secret scan. */
function keep(args: string[], opts: RunOpts, stdout: string, stderr: string): void {
  const secrets = secretsOf(opts.env);
  capture("stdout", stdout, secrets);
  capture("stderr", stderr, secrets);
  captureCheckpoint(args, opts.cwd);
}

/** Start the binary, wait until `ready(stdout)` holds, then hand back control. */
export function start(args: string[], opts: RunOpts = {}) {
  const p = Bun.spawn([BIN, ...args], {
    env: cleanEnv(opts.env),
    cwd: opts.cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  let out = "";
  let err = "";
  const decoder = new TextDecoder();
  const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    for await (const chunk of s) add(decoder.decode(chunk));
  };
  const done = Promise.all([pump(p.stdout, (t) => (out += t)), pump(p.stderr, (t) => (err += t))]);
  return {
    proc: p,
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
    async waitFor(pred: (stdout: string) => boolean, ms = 10_000): Promise<void> {
      const until = Date.now() + ms;
      while (!pred(out)) {
        if (Date.now() > until) throw new Error(`timed out; stdout so far:\n${out}\nstderr:\n${err}`);
        if (p.exitCode !== null) throw new Error(`exited ${p.exitCode}; stdout:\n${out}\nstderr:\n${err}`);
        await Bun.sleep(20);
      }
    },
    async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<Result> {
      p.kill(signal);
      const code = await p.exited;
      await done;
      keep(args, opts, out, err);
      return { code, stdout: out, stderr: err };
    },
  };
}

/** A loopback HTTP server that counts every request it receives. */
export function countingServer(handler?: (req: Request) => Response | Promise<Response>) {
  let count = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      count++;
      return handler ? handler(req) : new Response("ok");
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port ?? 0,
    get count() {
      return count;
    },
    stop: () => server.stop(true),
  };
}
