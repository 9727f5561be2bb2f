/**
 * CyberArk PAS (Privileged Access Security) Vault audit, as the Vault sends it over syslog with CyberArk's "elastic"
 * XSL translator: an RFC 5424 header (`<5>1 2021-03-11T17:43:44Z VAULT `), a legacy BSD header, or none, followed by
 * `{"format":"elastic",…,"syslog":{"audit_record":{…}}}`. One record per line.
 *
 * Decisions:
 * - secret = `Safe/File` with the object's folder separator `\` written as `/` (`PSM/Root/Operating System-…`);
 *   a safe-level record (no File) uses the safe alone. Records that name no safe (Logon, Logoff, user management)
 *   concern no secret: they are `notSecret` events (secret "", counted and skipped by the persister, so a file of
 *   only such records is valid) and summed up in one warning.
 * - operation: by MessageID where the id is well known (295 Retrieve Password, 428 Retrieve SSH Key, 308 Use
 *   Password → read; 24 CPM Change Password, 31 CPM Reconcile Password → rotate; 50 Store File → write;
 *   7 Logon → login), else conservatively by the Action text; anything unrecognised is "other".
 * - A failed CPM change/reconcile (57, 60, or an Action containing "fail") is NOT a rotation: operation "other",
 *   denied = false, error kept. Other failures ("… denied", "… failure", MessageID 4/309 authentication failures)
 *   set denied = true.
 * - time: IsoTimestamp, else the RFC 5424 header time. The yearless, zoneless `Timestamp` and legacy header times are
 *   not used: such a record is a line error.
 */
import type { ParseContext, Parser, SourceFile, VaultEvent, VaultOperation } from "../../../contract";
import { RecordGate, checkAbort, isObject, obj, parseRfc3339, safeErrorText, str, type JsonObject } from "../common";

const RFC5424_HEADER = /^<\d{1,3}>\d{1,2}\s+(\S+)\s/;

const BY_MESSAGE_ID: Record<string, VaultOperation> = {
  "7": "login",
  "295": "read",
  "428": "read",
  "308": "read",
  "24": "rotate",
  "31": "rotate",
  "50": "write",
};

/** Message ids of failed CPM rotations. */
const FAILED_ROTATION_IDS = new Set(["57", "60"]);
/** Message ids of failed authentications. */
const AUTH_FAILURE_IDS = new Set(["4", "309"]);

function byAction(action: string): VaultOperation {
  const a = action.toLowerCase();
  if (/^cpm (change|reconcile)\b/.test(a)) return "rotate";
  if (/^retrieve (password|ssh key|file)\b/.test(a) || /^use password\b/.test(a)) return "read";
  if (/^(store|add|update|change|set) (password|ssh key|file)\b/.test(a)) return "write";
  if (/^delete (password|ssh key|file|account)\b/.test(a)) return "delete";
  if (/^logon\b/.test(a)) return "login";
  return "other";
}

export interface CyberArkMapping {
  operation: VaultOperation;
  denied: boolean;
  failed: boolean;
}

const ACTION_FAILURE = /\b(denied|failure|failed|not authori[sz]ed|unauthori[sz]ed)\b/i;
/** Reason text is partly free text typed by the user, so only explicit authorization phrases count there. */
const REASON_DENIED =
  /\b(access denied|permission denied|not authori[sz]ed|unauthori[sz]ed|authori[sz]ation failure|insufficient (?:permissions|authori[sz]ations))\b/i;

/**
 * `reason` should exclude the user's own words (PvwaDetails…UserReason), which can say anything.
 */
export function cyberarkOperation(messageId: string | undefined, action: string, reason = ""): CyberArkMapping {
  const failedRotation =
    (messageId !== undefined && FAILED_ROTATION_IDS.has(messageId)) || (/^cpm\b/i.test(action) && /fail/i.test(action));
  if (failedRotation) return { operation: "other", denied: false, failed: true };
  // Own keys only: a MessageID such as "constructor" must not find Object.prototype's members.
  const operation = (messageId !== undefined && Object.hasOwn(BY_MESSAGE_ID, messageId) ? BY_MESSAGE_ID[messageId] : undefined) ?? byAction(action);
  const denied =
    (messageId !== undefined && AUTH_FAILURE_IDS.has(messageId)) || ACTION_FAILURE.test(action) || REASON_DENIED.test(reason);
  return { operation, denied, failed: denied };
}

function auditRecords(payload: unknown): JsonObject[] | undefined {
  if (!isObject(payload)) return undefined;
  const record = obj(payload.syslog)?.audit_record ?? payload.audit_record;
  if (isObject(record)) return [record];
  if (Array.isArray(record)) return record.filter(isObject);
  return undefined;
}

type Outcome = { kind: "event"; event: VaultEvent } | { kind: "skip"; event?: VaultEvent } | { kind: "error"; message: string };

function toEvent(record: JsonObject, headerTime: number | undefined): Outcome {
  const safe = str(record.Safe)?.trim();
  const file = str(record.File)?.trim();
  const time = parseRfc3339(record.IsoTimestamp) ?? headerTime;
  if (!safe) {
    // No secret (Logon, Logoff, user management): an event of the vault itself, when it has a time.
    if (time === undefined) return { kind: "skip" };
    const messageId = str(record.MessageID)?.trim();
    const action = str(record.Action) ?? str(record.Desc) ?? str(record.Message) ?? `MessageID ${messageId ?? "?"}`;
    const mapping = cyberarkOperation(messageId, action, str(record.Reason) ?? "");
    const event: VaultEvent = { time, source: "cyberark", secret: "", operation: mapping.operation, action, denied: mapping.denied, notSecret: true };
    const issuer = str(record.Issuer);
    if (issuer) event.identity = issuer;
    const station = str(record.Station);
    if (station) event.remoteAddress = station;
    return { kind: "skip", event };
  }
  if (time === undefined) return { kind: "error", message: "no usable time (IsoTimestamp or RFC 5424 header)" };
  const messageId = str(record.MessageID)?.trim();
  const action = str(record.Action) ?? str(record.Desc) ?? str(record.Message) ?? `MessageID ${messageId ?? "?"}`;
  const reason = str(record.Reason) ?? "";
  const userReason = str(obj(obj(obj(record.PvwaDetails)?.RetrieveReason)?.General)?.UserReason);
  const mapping = cyberarkOperation(messageId, action, userReason ? reason.split(userReason).join(" ") : reason);
  const event: VaultEvent = {
    time,
    source: "cyberark",
    secret: file ? `${safe}/${file.replace(/\\+/g, "/")}` : safe,
    operation: mapping.operation,
    action,
    denied: mapping.denied,
  };
  const issuer = str(record.Issuer);
  if (issuer) event.identity = issuer;
  const station = str(record.Station);
  if (station) event.remoteAddress = station;
  if (mapping.failed) {
    const cpmError = str(obj(record.CAProperties)?.CPMErrorDetails);
    const error = safeErrorText(reason || cpmError || action);
    if (error) event.error = error;
  }
  const requestId = str(record.RequestId);
  if (requestId) event.requestId = requestId;
  return { kind: "event", event };
}

export const parser: Parser<"vault"> = {
  id: "cyberark",
  family: "vault",
  label: "CyberArk PAS Vault audit (syslog JSON)",

  detect(head: string): number {
    if (!/"audit_record"\s*:/.test(head)) return 0;
    if (/"MessageID"\s*:/.test(head) || /Cyber-?Ark/i.test(head) || /"Issuer"\s*:/.test(head)) return 0.95;
    return 0.4;
  },

  async *parse(file: SourceFile, ctx: ParseContext): AsyncIterable<VaultEvent> {
    const gate = new RecordGate("a CyberArk PAS Vault audit log");
    const lineError = (line: number, message: string) => ctx.lineError(line, message);
    let lineNo = 0;
    let skipped = 0;
    for await (const line of file.lines()) {
      lineNo++;
      checkAbort(ctx.signal, lineNo);
      if (line.trim().length === 0) continue;
      const start = line.indexOf("{");
      if (start === -1) {
        gate.fail(lineNo, "no JSON payload", lineError);
        continue;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(line.slice(start));
      } catch (err) {
        gate.fail(lineNo, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`, lineError);
        continue;
      }
      const records = auditRecords(payload);
      if (!records) {
        gate.fail(lineNo, "not a CyberArk audit record (no syslog.audit_record)", lineError);
        continue;
      }
      gate.good();
      const header = RFC5424_HEADER.exec(line.slice(0, start));
      const headerTime = header ? parseRfc3339(header[1]) : undefined;
      for (const record of records) {
        const outcome = toEvent(record, headerTime);
        if (outcome.kind === "skip") {
          skipped++;
          if (outcome.event) yield outcome.event;
        } else if (outcome.kind === "error") lineError(lineNo, outcome.message);
        else yield outcome.event;
      }
    }
    gate.finish();
    if (skipped > 0) ctx.warn(`${skipped} CyberArk audit record(s) name no safe (e.g. Logon): skipped`);
  },
};
