// Test inputs with binary HTTP bodies: JPEG-like and ZIP-like bytes, and a Burp Suite XML export carrying them base64-encoded.

/** A JPEG-like body: the JFIF header, then bytes of every value (NUL included). */
export function jpegLike(size: number): Buffer {
  const body = Buffer.alloc(size);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).copy(body);
  for (let i = 12; i < size; i++) body[i] = (i * 131) & 0xff;
  return body;
}

/** A ZIP-like body: a local file header, then deflate-looking bytes. */
export function zipLike(size: number): Buffer {
  const body = Buffer.alloc(size);
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]).copy(body);
  for (let i = 10; i < size; i++) body[i] = (i * 197 + 7) & 0xff;
  return body;
}

/** A Burp Suite XML export of one issue per [name, base64 response]. */
export function burpReport(issues: { name: string; path: string; response: Buffer }[]): string {
  const request = Buffer.from("GET /files HTTP/1.1\r\nHost: burp-binary.example.com\r\n\r\n").toString("base64");
  return `<?xml version="1.0"?>
<issues burpVersion="2023.1" exportTime="Mon Jan 02 10:00:00 UTC 2023">
${issues
  .map(
    (issue, i) => `  <issue>
    <serialNumber>${1000 + i}</serialNumber>
    <type>${5245344 + i}</type>
    <name>${issue.name}</name>
    <host ip="192.0.2.1">https://burp-binary.example.com</host>
    <path><![CDATA[${issue.path}]]></path>
    <location><![CDATA[${issue.path}]]></location>
    <severity>Information</severity>
    <confidence>Certain</confidence>
    <issueBackground><![CDATA[A body worth a look.]]></issueBackground>
    <requestresponse>
      <request method="GET" base64="true"><![CDATA[${request}]]></request>
      <response base64="true"><![CDATA[${issue.response.toString("base64").replace(/(.{76})/g, "$1\n")}]]></response>
    </requestresponse>
  </issue>`,
  )
  .join("\n")}
</issues>
`;
}
