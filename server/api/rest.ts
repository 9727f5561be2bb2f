/**
 * REST route handlers declare who may call them, as tRPC procedures do with `authorized`: `declareRoute(access,
 * handler)` attaches the declaration to the exported handler, so the authorization matrix test
 * (server/api/authorization.test.ts) can list every route under app/api and fail on one that declares nothing.
 * The handler still performs the checks (the credential kinds differ: session cookie, bearer token, none).
 *
 * Every answer of a declared route carries `Cache-Control: no-store` (set here, whatever the handler answered): they
 * hold people's data, sessions and once-shown secrets, which no browser or proxy may keep.
 */
import type { Permission } from "@/server/auth/permissions";
import type { TokenScope } from "@/server/auth/tokens";

export type RouteAccess =
  /** No credential on purpose (the OpenAPI document, the sign-in endpoints). */
  | { credential: "public"; why: string }
  /** The browser's session cookie (same-origin), with the permission the signed-in person needs. */
  | { credential: "session"; permission: Permission; object?: string }
  /** A bearer API token with `scope`; its owner needs `permission`. */
  | { credential: "token"; scope: TokenScope; permission: Permission; object?: string }
  /** The tRPC endpoint: each procedure declares its own permission (server/api/trpc.ts `authorized`). */
  | { credential: "procedures" }
  /** The CLI's loopback door: the per-start secret in .postern/, from 127.0.0.1 only. */
  | { credential: "loopback-secret"; why: string };

export type DeclaredRoute<H> = H & { readonly access: RouteAccess };

/** The response with `Cache-Control: no-store` (copied first when its headers are immutable, as a redirect's). */
export function noStore(response: Response): Response {
  try {
    response.headers.set("cache-control", "no-store");
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("cache-control", "no-store");
    return copy;
  }
}

/** A request's query parameters as an object for a zod schema; empty values count as absent. */
export function queryObject(search: URLSearchParams): Record<string, string> {
  return Object.fromEntries([...search].filter(([, v]) => v !== ""));
}

/**
 * A file download: `body` (bytes, text, or a stream read as the client pulls it) as an attachment named `filename`,
 * never cached; bytes carry their length. Characters outside [A-Za-z0-9._-] in the name become "_", so it cannot
 * break out of its quotes. Every download of Postern (reports, runs, audit log, draft specs) answers through it.
 */
export function downloadResponse(body: string | Uint8Array | ReadableStream<Uint8Array>, { filename, contentType }: { filename: string; contentType: string }): Response {
  const headers: Record<string, string> = {
    "content-type": contentType,
    "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
    "cache-control": "no-store",
  };
  if (body instanceof Uint8Array) headers["content-length"] = String(body.byteLength);
  return new Response(body instanceof Uint8Array ? new Uint8Array(body) : body, { headers });
}

/**
 * Text chunks from an async generator as a byte stream that reads the next chunk when the client pulls, and stops the
 * generator when the client goes away. `first`: a chunk read already (to turn a refusal into an error answer before
 * any byte is sent).
 */
export function textStream(chunks: AsyncGenerator<string>, first?: IteratorResult<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first && !first.done) controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

export function declareRoute<H extends (...args: never[]) => Promise<Response>>(access: RouteAccess, handler: H): DeclaredRoute<H> {
  const wrapped = (async (...args: Parameters<H>) => noStore(await handler(...args))) as unknown as H;
  return Object.assign(wrapped, { access });
}
