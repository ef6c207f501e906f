/**
 * The bridge's logger. consola is the API (levels, reporters); the reporter writes exactly
 * the logfmt/JSON lines of the bridge's own log and passes every string through the redactor, so no
 * call site can leak a secret. Bound attributes (`component`, `loop`, `source`) come first.
 */

import { type ConsolaInstance, createConsola, type LogObject } from "consola/core";
import { writeStderr, writeStdout } from "../base/stdio.ts";
import { type Attrs, formatJson, formatLogfmt, type Level, type Record_ } from "./format.ts";
import { Limiter } from "./limiter.ts";
import { redact } from "./redact.ts";

export type LogFormat = "logfmt" | "json";
export type LogLevel = "debug" | "info" | "warn" | "error";

const CONSOLA_LEVEL: Record<LogLevel, number> = { error: 0, warn: 1, info: 3, debug: 4 };
const LEVEL_OF_TYPE: Record<string, Level> = { error: "ERROR", warn: "WARN", info: "INFO", debug: "DEBUG" };

export interface LoggerOptions {
  format?: LogFormat;
  level?: LogLevel;
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
  now?: () => Date;
  instance?: string;
}

export class Logger {
  /** Shared limiter for repeated warnings (one per process, keys are namespaced). */
  readonly limiter: Limiter;

  private constructor(
    private readonly consola: ConsolaInstance,
    private readonly bound: [string, unknown][],
    limiter: Limiter,
  ) {
    this.limiter = limiter;
  }

  static create(opts: LoggerOptions = {}): Logger {
    const format = opts.format ?? "logfmt";
    const write = opts.write ?? ((line: string) => writeStdout(`${line}\n`));
    const now = opts.now ?? (() => new Date());
    const instance = opts.instance ?? "";
    const consola = createConsola({
      level: CONSOLA_LEVEL[opts.level ?? "info"],
      // consola collapses repeated identical lines by default; the bridge must not.
      throttle: 0,
      reporters: [
        {
          log(obj: LogObject) {
            const [msg, attrs] = obj.args as [string, [string, unknown][]];
            const all: [string, unknown][] = instance === "" ? attrs : [["instance", instance], ...attrs];
            const rec: Record_ = { time: now(), level: LEVEL_OF_TYPE[obj.type] ?? "INFO", msg, attrs: all };
            write(redact(format === "json" ? formatJson(rec, redact) : formatLogfmt(rec, redact)));
          },
        },
      ],
    });
    return new Logger(consola, [], new Limiter());
  }

  /** A child logger whose lines carry `attrs` (e.g. component, loop, source) first. */
  with(attrs: Attrs): Logger {
    return new Logger(this.consola, [...this.bound, ...Object.entries(attrs)], this.limiter);
  }

  private emit(type: "debug" | "info" | "warn" | "error", msg: string, attrs?: Attrs): void {
    const all = attrs ? [...this.bound, ...Object.entries(attrs)] : this.bound;
    this.consola[type](msg, all);
  }

  debug(msg: string, attrs?: Attrs): void {
    this.emit("debug", msg, attrs);
  }
  info(msg: string, attrs?: Attrs): void {
    this.emit("info", msg, attrs);
  }
  warn(msg: string, attrs?: Attrs): void {
    this.emit("warn", msg, attrs);
  }
  error(msg: string, attrs?: Attrs): void {
    this.emit("error", msg, attrs);
  }

  /** WARN at most once per limiter window for `key`; returns whether it was written. */
  warnLimited(key: string, msg: string, attrs?: Attrs): boolean {
    if (!this.limiter.allow(key)) return false;
    this.warn(msg, attrs);
    return true;
  }
}

/** The logger used before the config is loaded: logfmt on stderr at INFO. */
export function bootstrapLogger(): Logger {
  return Logger.create({ write: (line) => writeStderr(`${line}\n`) });
}

/** Map config values to logger options; errors use the reference's texts. */
export function logOptionsFromConfig(level: string, format: string): { level: LogLevel; format: LogFormat } {
  const lv = level === "" ? "info" : level;
  if (!["debug", "info", "warn", "error"].includes(lv)) {
    throw new Error(`logging: unknown level ${JSON.stringify(level)} (want debug|info|warn|error)`);
  }
  const fm = format === "" ? "logfmt" : format;
  if (!["logfmt", "json"].includes(fm)) {
    throw new Error(`logging: unknown format ${JSON.stringify(format)} (want logfmt|json)`);
  }
  return { level: lv as LogLevel, format: fm as LogFormat };
}
