/** A comma-separated settings value: split on `,`, trimmed, blanks dropped. */
export function csv(v: string | undefined): string[] {
  return (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
