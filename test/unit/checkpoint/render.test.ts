import { expect, test } from "bun:test";
import { parse, stringify } from "yaml";
import { type FileEntry, renderCheckpointFile } from "../../../src/checkpoint/file/render.ts";

const entry = (time: string, cursor = "", epoch = 1): FileEntry => ({ time, cursor, epoch });
/** How the store reads the file back. */
const readBack = (text: string) => parse(text, { schema: "core" });

test("ordinary entries: the same text the YAML library writes", () => {
  const rows: [string, FileEntry][] = [
    ["pk/analytics/964456d7dc48b9e2", entry("2026-06-19T10:06:00.25Z")],
    ["pk/logs_export/0123456789abcdef", entry("2026-06-19T10:06:00Z", "job-42:page=3:offset=1048576", 7)],
    ["ls/runs/fedcba9876543210", entry("2026-06-19T10:06:00.123456789+02:00", "eyJwYWdlIjogM30=")],
  ];
  expect(renderCheckpointFile(rows)).toBe(stringify(Object.fromEntries(rows)));
  expect(renderCheckpointFile([])).toBe(stringify({}));
});

test("every value reads back as the same string, whatever it holds", () => {
  const awkward = [
    "",
    "true",
    "False",
    "null",
    "~",
    "yes",
    "off",
    "N",
    "123",
    "0x1f",
    "1e3",
    ".inf",
    "-",
    "- a",
    "a: b",
    "a #b",
    "#x",
    "&anchor",
    "*alias",
    "!tag",
    "@at",
    "`tick",
    "'single'",
    '"double"',
    "back\\slash",
    "tab\there",
    "new\nline",
    "{flow}",
    "[seq]",
    "%percent",
    "?q",
    "|pipe",
    ">fold",
    " lead",
    "trail ",
    "a:",
    "a::b",
    "2026-06-19",
    "2026-06-19T10:06:00Z",
    "é",
    "\u2028",
    "\u0085",
    "\u007f",
    "\ufeffbom",
    "😀",
  ];
  for (const value of awkward) {
    const rows: [string, FileEntry][] = [[`k/${value}`, entry("2026-06-19T10:06:00Z", value)]];
    if (value !== "") rows.push([value, entry("2026-06-19T10:07:00Z", "c", 2)]);
    const text = renderCheckpointFile(rows);
    expect({ value, back: readBack(text) }).toEqual({ value, back: Object.fromEntries(rows) });
  }
});
