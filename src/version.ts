/**
 * Build version, injected by `bun build --define BRIDGE_VERSION=…` from `git describe`.
 * Unstamped runs (tests, `bunx`) report `dev`.
 */
declare const BRIDGE_VERSION: string | undefined;

export const VERSION: string = typeof BRIDGE_VERSION === "string" && BRIDGE_VERSION !== "" ? BRIDGE_VERSION : "dev";
