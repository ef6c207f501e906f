/**
 * Replica identity: `-identity`, else `$POD_NAME`, else the ECS task ARN
 * from the task-metadata endpoint. Failures leave it empty with one WARN.
 */
import { readDecoded } from "../base/body.ts";
import type { Logger } from "../log/logger.ts";

export async function ecsIdentity(uri: string | undefined, log: Logger): Promise<string> {
  if (!uri) return "";
  let body: string;
  try {
    const res = await fetch(`${uri.replace(/\/+$/, "")}/task`, {
      signal: AbortSignal.timeout(2000),
      redirect: "manual",
      decompress: false,
    });
    try {
      body = new TextDecoder().decode((await readDecoded(res, 65536)).bytes);
    } catch (err) {
      log.warn("ECS task-metadata body read failed; leader-election identity unresolved", { err });
      return "";
    }
  } catch (err) {
    log.warn("ECS task-metadata request failed; leader-election identity unresolved", { err });
    return "";
  }
  let arn: unknown;
  try {
    arn = (JSON.parse(body) as { TaskARN?: unknown }).TaskARN;
  } catch (err) {
    log.warn("ECS task-metadata JSON parse failed; leader-election identity unresolved", { err });
    return "";
  }
  if (typeof arn !== "string" || arn === "") {
    log.warn("ECS task-metadata carried an empty TaskARN; leader-election identity unresolved");
    return "";
  }
  return arn;
}
