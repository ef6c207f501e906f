/**
 * The usage endpoints this loop reads (`openai.md` §5.1–5.2), in the fixed order a collect
 * visits them: which `group_by` values each accepts, and which result field feeds which series.
 * Not covered: `vector_stores` (its bytes read as a stored level, not a flow, so `sum_over_time`
 * would be wrong) and `file_search_calls`/`web_search_calls` (newer; their spend shows in `costs`).
 */

/** `token_type` label value → completions result field. Values overlap: `input` ⊇ the cache and uncached parts. */
export const COMPLETION_TOKEN_FIELDS: Readonly<Record<string, string>> = {
  input: "input_tokens",
  output: "output_tokens",
  input_cache_read: "input_cached_tokens",
  input_cache_write: "input_cache_write_tokens",
  input_uncached: "input_uncached_tokens",
  input_audio: "input_audio_tokens",
  output_audio: "output_audio_tokens",
  input_text: "input_text_tokens",
  output_text: "output_text_tokens",
  input_image: "input_image_tokens",
  output_image: "output_image_tokens",
  input_cache_read_text: "input_cached_text_tokens",
  input_cache_read_audio: "input_cached_audio_tokens",
  input_cache_read_image: "input_cached_image_tokens",
};

export const DEFAULT_TOKEN_TYPES = ["input", "output", "input_cache_read"];

/** A series an endpoint feeds from one result field. */
export interface FieldOutput {
  suffix: string;
  field: string;
  tokenType?: string;
}

export interface Endpoint {
  name: string;
  /** `group_by` values the endpoint accepts (of those this build supports). */
  dims: readonly string[];
  /** The fixed outputs; completions adds its configured token types after `requests`. */
  outputs: readonly FieldOutput[];
}

const MODEL_DIMS = ["project_id", "api_key_id", "model"];
const requests: FieldOutput = { suffix: "requests", field: "num_model_requests" };
const inputTokens: FieldOutput = { suffix: "tokens", field: "input_tokens", tokenType: "input" };

export const ENDPOINTS: readonly Endpoint[] = [
  { name: "completions", dims: [...MODEL_DIMS, "batch", "service_tier"], outputs: [requests] },
  { name: "embeddings", dims: MODEL_DIMS, outputs: [requests, inputTokens] },
  { name: "moderations", dims: MODEL_DIMS, outputs: [requests, inputTokens] },
  {
    name: "images",
    dims: [...MODEL_DIMS, "size", "source"],
    outputs: [requests, { suffix: "images", field: "images" }],
  },
  {
    name: "audio_speeches",
    dims: MODEL_DIMS,
    outputs: [requests, { suffix: "audio_speech_characters", field: "characters" }],
  },
  {
    name: "audio_transcriptions",
    dims: MODEL_DIMS,
    outputs: [requests, { suffix: "audio_transcription_seconds", field: "seconds" }],
  },
  {
    name: "code_interpreter_sessions",
    dims: ["project_id"],
    outputs: [{ suffix: "code_interpreter_sessions", field: "num_sessions" }],
  },
];

/** Endpoints the API has that this loop refuses, and why. */
export const REFUSED_ENDPOINTS: Readonly<Record<string, string>> = {
  vector_stores: "reports stored bytes (a level, not a per-bucket flow); its cost shows in the costs loop",
  file_search_calls: "is not covered in this version; its cost shows in the costs loop",
  web_search_calls: "is not covered in this version; its cost shows in the costs loop",
};

/** `group_by` value → label key. */
export const DIM_LABELS: Readonly<Record<string, string>> = {
  model: "ai_model",
  batch: "batch",
  service_tier: "service_tier",
  size: "image_size",
  source: "image_source",
  project_id: "project_id",
  api_key_id: "api_key_id",
};

/** The outputs of one endpoint with the configured token types. */
export function outputsOf(endpoint: Endpoint, tokenTypes: readonly string[]): FieldOutput[] {
  if (endpoint.name !== "completions") return [...endpoint.outputs];
  return [
    ...endpoint.outputs,
    ...tokenTypes.map((t) => ({ suffix: "tokens", field: COMPLETION_TOKEN_FIELDS[t] ?? "", tokenType: t })),
  ];
}
