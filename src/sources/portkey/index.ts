/** The Portkey source: its loops, in the order a source plans them, and what they share. */
import { defineVendor } from "../define.ts";
import { analytics } from "./analytics/definition.ts";
import { PORTKEY_CONTENT_KEYS } from "./content.ts";
import { portkeyExample } from "./example.ts";
import { groups } from "./groups/definition.ts";
import { logsExport } from "./logs_export/definition.ts";
import { connectPortkey, type PortkeyShared } from "./shared.ts";
import { resolveUseCases } from "./use-cases.ts";

export const portkey = defineVendor<PortkeyShared>({
  type: "portkey",
  defaultBaseUrl: "https://api.portkey.ai/v1",
  labelKeys: [
    "quantile",
    "token_type",
    "ai_model",
    "ai_org",
    "response_status_code",
    "metadata_key",
    "metadata_value",
    "prompt",
    "api_key_use_case",
  ],
  contentKeys: PORTKEY_CONTENT_KEYS,
  example: portkeyExample,
  loops: [analytics, groups, logsExport],
  check: (s) => void resolveUseCases(s),
  connect: connectPortkey,
});
