import { describe, expect, it } from "vitest";
import { downloadResponse } from "./rest";

describe("downloadResponse", () => {
  it("answers an attachment of the given type, never cached, with the body as given", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("a,b\r\n"));
        controller.close();
      },
    });
    const response = downloadResponse(body, { filename: "postern-audit-2026-12-07.csv", contentType: "text/csv; charset=utf-8" });
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="postern-audit-2026-12-07.csv"');
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("a,b\r\n");
  });

  it("keeps the file name inside its quotes", () => {
    const response = downloadResponse("x", { filename: 'a"; filename*=evil\\.csv', contentType: "text/plain" });
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="a___filename__evil_.csv"');
  });
});
