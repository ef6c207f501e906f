/** Portkey's names for fields that carry request content or headers; never requested or emitted. */
export const PORTKEY_CONTENT_KEYS: readonly string[] = ["portkeyHeaders"];
