/** API-key use cases: slugs as the Go build makes them, and the refusals. */
import { expect, test } from "bun:test";
import { resolveUseCases, slugify } from "../../../../src/sources/portkey/use-cases.ts";
import { loopBlock, portkeySource } from "./rig.ts";

test.each([
  ["Data Gen", "data_gen"],
  ["  Data   Gen  ", "data_gen"],
  ["data-gen/v2", "data_gen_v2"],
  ["café", "caf"],
  ["LA", "la"],
  ["İnsights", "insights"],
  ["ΣΑΣ ops", "ops"],
])("slug of %p is %p", (label, slug) => {
  expect(slugify(label)).toBe(slug);
});

const withUseCases = (useCases: { label: string; api_key_ids: string[] }[], settings: Record<string, string> = {}) =>
  portkeySource({ groups: loopBlock({ settings }) }, { api_key_use_cases: useCases });

test.each([
  [[{ label: "", api_key_ids: ["a"] }], "empty slug"],
  [[{ label: "   ", api_key_ids: ["a"] }], "empty slug"],
  [[{ label: "!!!", api_key_ids: ["a"] }], "empty slug"],
  [[{ label: "x", api_key_ids: [] }], "api_key_ids is empty"],
  [
    [
      { label: "Data Gen", api_key_ids: ["a"] },
      { label: "data-gen", api_key_ids: ["b"] },
    ],
    'duplicate slug "data_gen"',
  ],
  [
    [
      { label: "İnsights", api_key_ids: ["a"] },
      { label: "insights", api_key_ids: ["b"] },
    ],
    'duplicate slug "insights"',
  ],
  [
    [
      { label: "a", api_key_ids: ["u"] },
      { label: "b", api_key_ids: ["u"] },
    ],
    "listed twice",
  ],
])("%p is refused", (useCases, msg) => {
  expect(() => resolveUseCases(withUseCases(useCases))).toThrow(msg);
});

test("use cases with an enabled loop's api_key_ids are refused; cleaned ids otherwise", () => {
  expect(() => resolveUseCases(withUseCases([{ label: "a", api_key_ids: ["u"] }], { api_key_ids: "v" }))).toThrow(
    "cannot be combined with api_key_use_cases",
  );
  expect(resolveUseCases(withUseCases([{ label: "LA", api_key_ids: ["uuid-b", " uuid-c "] }]))).toEqual([
    { slug: "la", apiKeyIds: ["uuid-b", "uuid-c"] },
  ]);
});
