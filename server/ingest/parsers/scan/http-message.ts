/**
 * HTTP messages that scanners keep as bytes (Burp's base64 `<request>`/`<response>`): their head is text, their body
 * may not be (a ZIP download, a JPEG, a gzip-encoded page). A body that is not text is kept as a short line naming
 * its content type and size with a hex excerpt of its first bytes, e.g.
 * "[binary body, image/jpeg, 18,342 bytes] ffd8ffe000104a46…", instead of bytes that no text column can hold (a NUL
 * used to fail the whole report) and that nobody can read.
 */
import { isUtf8 } from "node:buffer";

/** Bytes of a binary body shown in hex. */
const HEX_BYTES = 16;

/** Content types by magic number, for bodies whose head names none. */
const MAGIC: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], "application/zip"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  [[0x89, 0x50, 0x4e, 0x47], "image/png"],
  [[0x47, 0x49, 0x46, 0x38], "image/gif"],
  [[0x25, 0x50, 0x44, 0x46], "application/pdf"],
  [[0x1f, 0x8b], "application/gzip"],
];

function sniff(body: Uint8Array): string {
  for (const [magic, type] of MAGIC) if (magic.every((b, i) => body[i] === b)) return type;
  return "application/octet-stream";
}

/** The end of the head (index of the blank line) and the length of that separator, or null when there is none. */
function headEnd(bytes: Buffer): [number, number] | null {
  const crlf = bytes.indexOf("\r\n\r\n");
  const lf = bytes.indexOf("\n\n");
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return [crlf, 4];
  if (lf !== -1) return [lf, 2];
  return null;
}

/**
 * Whether a body (possibly cut short at `truncated`: its last character may be incomplete) is text: valid UTF-8
 * without NUL and with few other control characters.
 */
export function isTextBody(body: Uint8Array, truncated: boolean): boolean {
  let control = 0;
  for (const b of body) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  if (control * 100 > body.length) return false;
  let end = body.length;
  if (truncated) {
    // An incomplete last character: drop its lead byte and continuation bytes (at most 3).
    let k = end - 1;
    while (k >= 0 && end - k <= 3 && ((body[k] ?? 0) & 0xc0) === 0x80) k--;
    if (k >= 0 && ((body[k] ?? 0) & 0xc0) === 0xc0) end = k;
  }
  return isUtf8(body.subarray(0, end));
}

/**
 * An HTTP message's bytes as evidence text: as UTF-8 when its body is text, else its head followed by a line
 * describing the body. `bytes` may be a prefix of the message; `totalBytes` is the whole message's size.
 */
export function httpMessageText(bytes: Buffer, totalBytes: number): string {
  const split = headEnd(bytes);
  const bodyStart = split ? split[0] + split[1] : 0;
  const body = bytes.subarray(bodyStart);
  if (body.length === 0 || isTextBody(body, totalBytes > bytes.length)) return bytes.toString("utf8");
  const head = split ? bytes.toString("utf8", 0, split[0]) : "";
  const declared = /^content-type:[ \t]*([^;\r\n]+)/im.exec(head)?.[1]?.trim();
  const type = declared || sniff(body);
  const size = Math.max(body.length, totalBytes - bodyStart);
  const hex = Buffer.from(body.subarray(0, HEX_BYTES)).toString("hex");
  const line = `[binary body, ${type}, ${size.toLocaleString("en-US")} bytes] ${hex}${size > HEX_BYTES ? "…" : ""}`;
  return split ? `${head}${split[1] === 4 ? "\r\n\r\n" : "\n\n"}${line}` : line;
}

/** The number of bytes a base64 text decodes to (whitespace ignored), without decoding it. */
export function base64Size(text: string): number {
  let chars = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    chars++;
    padding = c === 0x3d ? padding + 1 : 0;
  }
  return Math.max(0, Math.floor((chars * 3) / 4) - padding);
}
