/** Where the config is read from when no `-config` is given (a constant the CLI needs without loading the schema). */
export const DEFAULT_CONFIG_PATH = "/etc/genai-otel-bridge/config.yaml";
