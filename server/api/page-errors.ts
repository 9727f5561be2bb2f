/**
 * What a page does with an error of a procedure it called, by the one table (server/domain/errors.ts): its HTTP
 * status decides — 404 renders the not-found page, 403 a forbidden notice, 401 sends to sign-in. Anything else is
 * thrown on (the error page). Kept apart from server-caller.ts (no Next.js imports) so that it can be tested.
 */
import { TRPCError } from "@trpc/server";
import { DomainError, httpStatus, isErrorCode } from "@/server/domain/errors";

export type PageOutcome = { kind: "not-found" } | { kind: "forbidden"; message: string } | { kind: "sign-in" };

export function pageOutcome(error: unknown): PageOutcome | null {
  const code = error instanceof TRPCError || error instanceof DomainError ? error.code : null;
  if (!isErrorCode(code)) return null;
  switch (httpStatus(code)) {
    case 404:
      return { kind: "not-found" };
    case 403:
      return { kind: "forbidden", message: (error as Error).message };
    case 401:
      return { kind: "sign-in" };
    default:
      return null;
  }
}
