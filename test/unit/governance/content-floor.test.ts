import { expect, test } from "bun:test";
import { ContentFloor } from "../../../src/governance/content-floor.ts";

test("exact keys, prefixes and vendor keys are on the floor; asking again gives the same verdict", () => {
  const floor = new ContentFloor(["prompt"]);
  for (let round = 0; round < 2; round++) {
    expect(floor.has("metadata")).toBe(true);
    expect(floor.has("gen_ai.prompt.0.content")).toBe(true);
    expect(floor.has("prompt")).toBe(true);
    expect(floor.has("Prompt")).toBe(false);
    expect(floor.has("ai_model")).toBe(false);
  }
});

test("past the bound of remembered verdicts, every answer is still right", () => {
  const floor = new ContentFloor();
  for (let i = 0; i < 10_000; i++) {
    expect(floor.has(`key_${i}`)).toBe(false);
    expect(floor.has(`gen_ai.completion.${i}`)).toBe(true);
  }
  expect(floor.has("key_1")).toBe(false);
  expect(floor.has("gen_ai.completion.1")).toBe(true);
});
