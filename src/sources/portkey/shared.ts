/** What Portkey's loops of one source share: one rate-limited client, the resolved use cases. */
import type { SourceConfig } from "../../config/types.ts";
import type { HttpClient } from "../../net/client.ts";
import { sourceClient } from "../client.ts";
import type { SourceDeps } from "../loop.ts";
import { resolveUseCases, type UseCase } from "./use-cases.ts";

export interface PortkeyShared {
  client: HttpClient;
  useCases: UseCase[];
}

export function connectPortkey(s: SourceConfig, deps: SourceDeps): PortkeyShared {
  return { client: sourceClient(s, deps), useCases: resolveUseCases(s) };
}
