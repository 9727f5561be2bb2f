/**
 * The REST API's bearer-token door for routes other than ingest (/api/v1/findings…): authenticates the token for a
 * scope, checks that its owner holds the permission (a token acts for its owner: their role and teams apply, so the
 * services scope every object to the owner's teams), runs the handler and maps its errors to answers — the one error
 * table for domain errors (server/domain/errors.ts), 400 for input zod rejects, 500 without details otherwise.
 */
import { ZodError, type z } from "zod";
import { can, missingPermission, type Permission } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import { authenticateToken, type TokenScope } from "@/server/auth/tokens";
import type { Db } from "@/server/db/client";
import { DomainError, httpStatus } from "@/server/domain/errors";
import { bearerCredential } from "@/server/ingest/http";

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function zodMessage(error: ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

export function restError(error: unknown): Response {
  if (error instanceof RequestError) return Response.json({ error: error.message }, { status: error.status });
  if (error instanceof DomainError) return Response.json({ error: error.message }, { status: httpStatus(error.code) });
  if (error instanceof ZodError) return Response.json({ error: `invalid request: ${zodMessage(error)}` }, { status: 400 });
  console.error("REST request failed:", error instanceof Error ? error.message : error);
  return Response.json({ error: "internal error" }, { status: 500 });
}

/**
 * Runs `handler` for the token's owner when the token has `scope` and its owner `permission`; else 401 / 403. The
 * route handler (app/api/…) lends the database (`open`: getPrisma).
 */
export async function withToken(
  request: Request,
  open: () => Promise<Db>,
  scope: TokenScope,
  permission: Permission,
  handler: (actor: Actor, prisma: Db) => Promise<Response>,
): Promise<Response> {
  try {
    const prisma = await open();
    const token = bearerCredential(request.headers);
    const actor = token ? await authenticateToken(prisma, token, scope) : null;
    if (!actor) {
      return Response.json(
        { error: `a valid API token with the ${scope} scope is required` },
        { status: 401, headers: { "WWW-Authenticate": `Bearer realm="postern", scope="${scope}"` } },
      );
    }
    if (!can(actor, permission)) return Response.json({ error: `the token's owner may not do this: ${missingPermission(permission)}` }, { status: 403 });
    return await handler(actor, prisma);
  } catch (error) {
    return restError(error);
  }
}

/** The JSON body, at most `limit` bytes, checked by `schema` (400 otherwise). */
export async function jsonBody<S extends z.ZodType>(request: Request, schema: S, limit = 64 * 1024): Promise<z.output<S>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new RequestError(413, `request body larger than ${limit} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw new RequestError(413, `request body larger than ${limit} bytes`);
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new RequestError(400, "the request body is not JSON");
  }
  return schema.parse(value);
}
