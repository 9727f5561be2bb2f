/**
 * Errors services throw, and the ONE table that says how each travels: as a tRPC error (server/api/trpc.ts
 * `domainErrors`), as a REST answer's HTTP status (server/ingest/http.ts `errorResponse`) and as what a page does
 * (server/api/server-caller.ts: 404 → notFound(), 403 → the forbidden notice, 401 → sign-in). Messages are safe to
 * show. The tRPC codes are tRPC's own names; server/api/errors.test.ts checks that tRPC answers each with the status
 * written here.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { trpc: "BAD_REQUEST", http: 400 },
  /** Not signed in (the permission ladder's, not a service's). */
  UNAUTHORIZED: { trpc: "UNAUTHORIZED", http: 401 },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403 },
  /** Missing, or not the caller's to see: another team's object answers exactly like a missing one. */
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404 },
  CONFLICT: { trpc: "CONFLICT", http: 409 },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", http: 413 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
/** The codes a service may throw. */
export type DomainErrorCode = Exclude<ErrorCode, "UNAUTHORIZED">;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/** The HTTP status of a code of the table. */
export function httpStatus(code: ErrorCode): number {
  return ERROR_CODES[code].http;
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const forbidden = (message = "You may not do that") => new DomainError("FORBIDDEN", message);
