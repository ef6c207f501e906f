/** The loop runtime run mode hands control to. */
import type { Runtime } from "../cli/run.ts";

export const runtime: Runtime = async (ctx) => {
  ctx.log.warn("no loop runtime in this build yet; serving health endpoints only");
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
  });
};
