import { describe, expect, it } from "vitest";
import { evidenceExcerpt, redact } from "./redact";

describe("redact", () => {
  it("removes credential headers but keeps the header names", () => {
    const out = redact("GET / HTTP/1.1\r\nAuthorization: Bearer abc.def.ghi\r\nCookie: sid=123\r\nAccept: */*");
    expect(out).toContain("Authorization: [REDACTED]");
    expect(out).toContain("Cookie: [REDACTED]");
    expect(out).toContain("Accept: */*");
    expect(out).not.toMatch(/abc\.def|sid=123/);
  });
  it("removes secret-looking pairs in query strings and JSON", () => {
    expect(redact("/login?user=bob&password=hunter2&x=1")).toBe("/login?user=bob&password=[REDACTED]&x=1");
    expect(redact('{"email":"a@b.c","accessToken":"s3cr3t"}')).toBe('{"email":"a@b.c","accessToken":"[REDACTED]"}');
  });
  it("removes JWTs, bearer values and AWS key ids in free text", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    expect(redact(`token was ${jwt} ok`)).toBe("token was [REDACTED] ok");
    expect(redact("use Bearer abcdefghijkl now")).toBe("use Bearer [REDACTED] now");
    expect(redact("key AKIAABCDEFGHIJKLMNOP")).toBe("key [REDACTED]");
  });
  it("finds secrets in paths without blanks, colons or equals signs (the fast path of plain text)", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    expect(redact(`/v1/sessions/${jwt}/refresh`)).toBe("/v1/sessions/[REDACTED]/refresh");
    expect(redact("/keys/AKIAABCDEFGHIJKLMNOP/rotate")).toBe("/keys/[REDACTED]/rotate");
    expect(redact("/keys/ASIAABCDEFGHIJKLMNOP")).toBe("/keys/[REDACTED]");
    expect(redact("use Bearer\u00a0abcdefghijkl")).toBe("use Bearer [REDACTED]");
    expect(redact("/v1/users/42/orders")).toBe("/v1/users/42/orders");
  });
  it("truncates long excerpts", () => {
    expect(evidenceExcerpt("a".repeat(50), 10)).toMatch(/^a{10}\n… \[truncated 40 chars\]$/);
    expect(evidenceExcerpt(undefined)).toBeUndefined();
  });
});
