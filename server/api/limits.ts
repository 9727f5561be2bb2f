/**
 * Bounds on a tRPC request before any procedure runs. Batches are capped by tRPC itself (`maxBatchSize` in
 * app/api/trpc/[trpc]/route.ts, and `maxItems` on the client's batch link: a batch of 600 slow calls once held the server for 85 s and slowed every other user's pages); the body
 * is capped here at MAX_BODY_BYTES (inputs are small JSON; files go through the ingest routes), whether or not the
 * client sent a Content-Length.
 */
export const MAX_BATCH = 20;
export const MAX_BODY_BYTES = 1024 * 1024;

export const NO_STORE = { "Cache-Control": "no-store" } as const;

function tooLarge(): Response {
  return Response.json(
    { error: { message: `request body larger than ${MAX_BODY_BYTES} bytes`, code: "PAYLOAD_TOO_LARGE" } },
    { status: 413, headers: NO_STORE },
  );
}

/** The request with its body bounded, or a 413 Response when it is (or turns out to be) too large. */
export async function boundedRequest(request: Request): Promise<Request | Response> {
  if (!request.body) return request;
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  return new Request(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks) });
}
