/** Path segments as the Go implementation escapes them (its requests must match byte for byte). */

/**
 * Go's url.PathEscape: unreserved characters and `$&+:=@` stay, everything else (including
 * `/ ; , ?` and non-ASCII bytes) is %-escaped, upper-case hex.
 */
export function goPathEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~$&+:=@]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
