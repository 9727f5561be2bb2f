/**
 * HashiCorp Vault audit device (file / socket / syslog payload): JSON lines, or concatenated / pretty-printed JSON
 * objects. Each request and its response share `request.id` and become ONE event (DESIGN.md "Vault events").
 *
 * Decisions:
 * - Records of type `request`/`response` become events, whatever the path (the pipeline decides what matters).
 * - KMIP records (`kmip-request`/`kmip-response`, Vault Enterprise) and other record types name no secret path:
 *   they are recognised (they do not count as bad lines) and become `notSecret` events (secret "", skipped by the
 *   persister), with one warning giving the count. Paths of the vault itself (sys/, auth/…) are `notSecret` too.
 * - Values Vault HMACs (`hmac-sha256:…`: tokens, accessors, request/response data) are never copied: only time,
 *   path, operation, identity (entity_id / display_name), remote address, error text and request id are kept, and
 *   each of those is dropped (or, for error text, scrubbed) if it contains an HMAC.
 * - Pairing is bounded: at most `maxPending` requests wait for their response; beyond that the oldest is emitted on
 *   its own. Requests without a response by the end of the file are still events.
 */
import type { ParseContext, Parser, SourceFile, VaultEvent, VaultOperation } from "../../../contract";
import {
  RecordGate,
  checkAbort,
  isObject,
  obj,
  parseRfc3339,
  plain,
  safeErrorText,
  str,
  type JsonObject,
} from "../common";
import { headObjects, jsonObjects } from "../json-objects";
import { isKvMetadataPath, isNonSecretVaultPath } from "@/server/domain/secret-ref";

export const VAULT_MAX_OBJECT_CHARS = 1024 * 1024;
export const VAULT_MAX_PENDING = 100_000;

const RECORD_TYPES = new Set(["request", "response"]);

interface Pending {
  line: number;
  record: JsonObject;
}

/** Vault's multierror wrapper ("1 error occurred:\n\t* permission denied\n\n") → "permission denied". */
function unwrapMultiError(text: string): string {
  const m = /^\d+ errors? occurred:\s*([\s\S]*)$/.exec(text.trim());
  if (!m?.[1]) return text;
  const items = m[1]
    .split(/\n\s*\*\s*/)
    .map((s) => s.replace(/^\s*\*\s*/, "").trim())
    .filter(Boolean);
  return items.length > 0 ? items.join("; ") : text;
}

function errorOf(record: JsonObject | undefined): string | undefined {
  const raw = str(record?.error);
  return raw === undefined ? undefined : unwrapMultiError(raw);
}

const DENIED = /permission denied/i;

/** Maps a Vault operation + path to the normalised operation. */
export function vaultOperation(operation: string | undefined, path: string): VaultOperation {
  const segments = path.split("/").filter(Boolean);
  if (segments[0] === "auth" && segments.length >= 3 && segments[2] === "login") return "login";
  const op = (operation ?? "").toLowerCase();
  const mutating = op === "create" || op === "update" || op === "patch";
  if (mutating && (segments.some((s) => s.startsWith("rotate")) || path === "sys/rotate")) return "rotate";
  switch (op) {
    case "read":
      return "read";
    case "list":
      return "list";
    case "create":
    case "update":
    case "patch":
      return "write";
    case "delete":
      return "delete";
    default:
      return "other";
  }
}

/** Builds one event from a request record and/or its response record. */
function toEvent(request: JsonObject | undefined, response: JsonObject | undefined): VaultEvent | string {
  const first = request ?? response;
  if (!first) return "empty record";
  const req = obj(request?.request) ?? obj(response?.request) ?? {};
  const path = str(req.path);
  if (!path) return "no request.path";
  if (path.includes("hmac-sha256:")) return "request.path is HMAC'd";
  const time = parseRfc3339(request?.time) ?? parseRfc3339(response?.time);
  if (time === undefined) return `invalid or missing time ${JSON.stringify(first.time ?? null)}`;

  const auth = obj(request?.auth) ?? obj(response?.auth);
  const authResp = obj(response?.auth);
  const identity =
    plain(auth?.entity_id) ?? plain(authResp?.entity_id) ?? plain(auth?.display_name) ?? plain(authResp?.display_name);

  const action = str(req.operation) ?? "unknown";
  const respError = errorOf(response);
  const reqError = errorOf(request);
  const dataError = plain(obj(obj(response?.response)?.data)?.error);
  const errorText = respError ?? reqError ?? dataError;
  const denied = [respError, reqError, dataError].some((e) => e !== undefined && DENIED.test(e));

  const event: VaultEvent = {
    time,
    source: "vault",
    secret: path,
    operation: vaultOperation(str(req.operation), path),
    action,
    denied,
  };
  if (isNonSecretVaultPath(path)) event.notSecret = true;
  if (isKvMetadataPath(path)) event.metadataOnly = true;
  if (identity) event.identity = identity;
  const remote = plain(req.remote_address);
  if (remote) event.remoteAddress = remote;
  const error = safeErrorText(errorText);
  if (error) event.error = error;
  const requestId = plain(req.id);
  if (requestId) event.requestId = requestId;
  return event;
}

function isVaultRecord(value: unknown): value is JsonObject {
  return (
    isObject(value) && typeof value.type === "string" && isObject(value.request) && typeof value.time === "string"
  );
}

export interface VaultAuditLimits {
  maxPending: number;
  maxObjectChars: number;
}

export function createVaultAuditParser(limits: Partial<VaultAuditLimits> = {}): Parser<"vault"> {
  const maxPending = limits.maxPending ?? VAULT_MAX_PENDING;
  const maxObjectChars = limits.maxObjectChars ?? VAULT_MAX_OBJECT_CHARS;

  return {
    id: "vault-audit",
    family: "vault",
    label: "HashiCorp Vault audit log",

    detect(head: string): number {
      const objects = headObjects(head, 5);
      if (objects.some(isVaultRecord)) return 0.95;
      if (objects.length > 0) return 0;
      // First object larger than the head: fall back to markers.
      if (
        /^\s*\{/.test(head) &&
        /"type"\s*:\s*"(?:request|response)"/.test(head) &&
        /"request"\s*:\s*\{/.test(head) &&
        /"time"\s*:\s*"\d{4}-\d{2}-\d{2}T/.test(head)
      ) {
        return 0.7;
      }
      return 0;
    },

    async *parse(file: SourceFile, ctx: ParseContext): AsyncIterable<VaultEvent> {
      const gate = new RecordGate("a HashiCorp Vault audit log");
      const pending = new Map<string, Pending>();
      let skippedOtherTypes = 0;
      const lineError = (line: number, message: string) => ctx.lineError(line, message);

      function* emit(line: number, request: JsonObject | undefined, response: JsonObject | undefined) {
        const event = toEvent(request, response);
        if (typeof event === "string") lineError(line, event);
        else yield event;
      }

      for await (const item of jsonObjects(file.lines(), { maxObjectChars })) {
        checkAbort(ctx.signal, gate.records);
        if (item.kind === "error") {
          gate.fail(item.line, item.message, lineError);
          continue;
        }
        const record = item.value;
        if (!isVaultRecord(record)) {
          gate.fail(item.line, "not a Vault audit record (needs \"time\", \"type\" and a \"request\" object)", lineError);
          continue;
        }
        gate.good();
        const type = record.type as string;
        if (!RECORD_TYPES.has(type)) {
          skippedOtherTypes++;
          const time = parseRfc3339(record.time);
          if (time !== undefined) yield { time, source: "vault", secret: "", operation: "other", action: type, denied: false, notSecret: true };
          continue;
        }
        const id = plain((record.request as JsonObject).id);
        if (type === "request") {
          if (id === undefined) {
            yield* emit(item.line, record, undefined);
            continue;
          }
          const previous = pending.get(id);
          if (previous) {
            pending.delete(id);
            yield* emit(previous.line, previous.record, undefined);
          }
          pending.set(id, { line: item.line, record });
          if (pending.size > maxPending) {
            const oldest = pending.entries().next();
            if (!oldest.done) {
              const [oldId, old] = oldest.value;
              pending.delete(oldId);
              yield* emit(old.line, old.record, undefined);
            }
          }
        } else {
          const match = id === undefined ? undefined : pending.get(id);
          if (match && id !== undefined) {
            pending.delete(id);
            yield* emit(match.line, match.record, record);
          } else {
            yield* emit(item.line, undefined, record);
          }
        }
      }
      gate.finish();
      for (const { line, record } of pending.values()) yield* emit(line, record, undefined);
      pending.clear();
      if (skippedOtherTypes > 0) {
        ctx.warn(
          `${skippedOtherTypes} audit record(s) of other types (e.g. KMIP) were skipped: they name no secret path`,
        );
      }
    },
  };
}

export const parser: Parser<"vault"> = createVaultAuditParser();
