/** Config errors: the CLI maps them to exit 1, and their text is already redacted. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
