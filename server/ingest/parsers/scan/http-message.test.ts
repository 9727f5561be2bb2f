import { describe, expect, it } from "vitest";
import { parseAll, textSource } from "../../test-utils";
import { parser as burp } from "./burp-xml/parser";
import { base64Size, httpMessageText, isTextBody } from "./http-message";
import { burpReport, jpegLike, zipLike } from "./test-binary";

describe("HTTP messages with binary bodies", () => {
  it("keeps a text message as it is", () => {
    const message = Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>héllo ✓</p>");
    expect(httpMessageText(message, message.length)).toBe(message.toString("utf8"));
    expect(isTextBody(Buffer.from("tab\tand\nnewline"), false)).toBe(true);
    // A prefix cut inside a multi-byte character is still text.
    expect(isTextBody(Buffer.from("é✓").subarray(0, 4), true)).toBe(true);
  });

  it("replaces a body that is not text with its content type, size and first bytes in hex", () => {
    const jpeg = jpegLike(18_342);
    const message = Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 18342\r\n\r\n"), jpeg]);
    const text = httpMessageText(message.subarray(0, 8000), message.length);
    expect(text).toBe("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 18342\r\n\r\n[binary body, image/jpeg, 18,342 bytes] ffd8ffe000104a464946000124a72aad…");
    // Without a Content-Type, the magic number names it; without a head, the line is all there is.
    const zip = zipLike(5000);
    expect(httpMessageText(Buffer.concat([Buffer.from("HTTP/1.1 200 OK\n\n"), zip]), zip.length + 17)).toMatch(/^HTTP\/1\.1 200 OK\n\n\[binary body, application\/zip, 5,000 bytes\] 504b0304/);
    expect(httpMessageText(zip, zip.length)).toMatch(/^\[binary body, application\/zip, 5,000 bytes\] 504b0304/);
    expect(base64Size(zip.toString("base64").replace(/(.{76})/g, "$1\n"))).toBe(5000);
    expect(base64Size(Buffer.from("ab").toString("base64"))).toBe(2);
  });

  it("Burp XML: base64 JPEG and ZIP responses become evidence lines, the text one stays text", async () => {
    const html = Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>fine</html>");
    const jpeg = Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n"), jpegLike(18_342)]);
    const zip = Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Disposition: attachment\r\n\r\n"), zipLike(250_000)]);
    const xml = burpReport([
      { name: "Text response", path: "/page", response: html },
      { name: "Image response", path: "/photo.jpg", response: jpeg },
      { name: "Archive response", path: "/backup.zip", response: zip },
    ]);
    const { records } = await parseAll(burp, textSource(xml, "binary.xml"));
    expect(records.map((r) => r.evidence?.response)).toEqual([
      html.toString("utf8"),
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n[binary body, image/jpeg, 18,342 bytes] ffd8ffe000104a464946000124a72aad…",
      expect.stringMatching(/^HTTP\/1\.1 200 OK\r\nContent-Type: application\/zip\r\nContent-Disposition: attachment\r\n\r\n\[binary body, application\/zip, 250,000 bytes\] 504b0304140000000800[0-9a-f]{12}…$/),
    ]);
    for (const r of records) expect(r.evidence?.response).not.toContain("\u0000");
  });
});
