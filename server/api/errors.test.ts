/** The one error table (server/domain/errors.ts) agrees with tRPC: each row's tRPC code answers with its HTTP status. */
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, type ErrorCode } from "@/server/domain/errors";
import { errorResponse } from "@/server/ingest/http";
import { pageOutcome } from "./page-errors";
import { createCaller } from "./root";

const rows = Object.entries(ERROR_CODES).map(([code, row]) => ({ code: code as ErrorCode, trpc: row.trpc as TRPC_ERROR_CODE_KEY, http: row.http }));

describe("the error table", () => {
  it.each(rows)("$code travels as tRPC $trpc, HTTP $http", ({ trpc, http }) => {
    expect(getHTTPStatusCodeFromError(new TRPCError({ code: trpc }))).toBe(http);
  });

  it("REST answers a domain error with the table's status and its message", async () => {
    const answer = errorResponse(new DomainError("CONFLICT", "already there"));
    expect(answer.status).toBe(409);
    expect(await answer.json()).toEqual({ error: "already there" });
  });

  it("pages: 404 → not found, 403 → forbidden, 401 → sign-in, anything else is thrown on", () => {
    expect(pageOutcome(new TRPCError({ code: "NOT_FOUND", message: "Api not found" }))).toEqual({ kind: "not-found" });
    expect(pageOutcome(new TRPCError({ code: "FORBIDDEN", message: "Requires permission findings:read" }))).toEqual({
      kind: "forbidden",
      message: "Requires permission findings:read",
    });
    expect(pageOutcome(new TRPCError({ code: "UNAUTHORIZED" }))).toEqual({ kind: "sign-in" });
    expect(pageOutcome(new DomainError("NOT_FOUND", "x not found"))).toEqual({ kind: "not-found" });
    expect(pageOutcome(new TRPCError({ code: "INTERNAL_SERVER_ERROR" }))).toBeNull();
    expect(pageOutcome(new Error("boom"))).toBeNull();
  });

  it("a service's domain error reaches a caller as the table's tRPC code", async () => {
    // A token may not create tokens: the service refuses (DomainError FORBIDDEN) before it reads the database.
    const caller = createCaller({ prisma: null as never, actor: { type: "token", userId: "u", email: "e@example.com", role: "admin", teamIds: [] } });
    await expect(caller.tokens.create({ name: "t", scopes: ["read"] })).rejects.toMatchObject({ code: "FORBIDDEN", message: "tokens cannot create tokens" });
  });
});
