/**
 * AWS CloudTrail for Secrets Manager and the KMS calls Secrets Manager makes on a caller's behalf. Accepts a single
 * event object (pretty-printed or not), JSON lines, concatenated objects, S3 delivery files (`{"Records": […]}`,
 * parsed whole up to the 64 MB document limit) and EventBridge envelopes (`{"detail": <event>}`).
 *
 * Decisions:
 * - Events of other services, KMS events that name no Secrets Manager secret, and Secrets Manager events that by
 *   nature name no secret (ListSecrets, GetRandomPassword, BatchGetSecretValue with filters only) are `notSecret`
 *   events (secret "", skipped by the persister, so a trail of only such events is a valid file) and are counted in
 *   one warning, not errors.
 * - A Secrets Manager event that should name a secret but does not (e.g. the AWS docs' GetSecretValue example, whose
 *   requestParameters were cut from the excerpt) is a line error: it is valid CloudTrail, so the file is not
 *   rejected, but no event can be attributed to a secret.
 * - BatchGetSecretValue with `secretIdList` becomes one event per secret; their request ids are `eventID#n`.
 */
import { MAX_DOCUMENT_BYTES, type ParseContext, type Parser, type SourceFile, type VaultEvent, type VaultOperation } from "../../../contract";
import { RecordGate, checkAbort, isObject, obj, parseRfc3339, quoteValue, safeErrorText, str, type JsonObject } from "../common";
import { headObjects, jsonObjects } from "../json-objects";
import { secretsManagerName } from "@/server/domain/secret-ref";

const SECRETS_MANAGER = "secretsmanager.amazonaws.com";
const KMS = "kms.amazonaws.com";

const SM_OPERATIONS: Record<string, VaultOperation> = {
  GetSecretValue: "read",
  BatchGetSecretValue: "read",
  PutSecretValue: "write",
  UpdateSecret: "write",
  CreateSecret: "write",
  RotateSecret: "rotate",
  RotationSucceeded: "rotate",
  DeleteSecret: "delete",
  DescribeSecret: "list",
  ListSecrets: "list",
  ListSecretVersionIds: "list",
};

/** Secrets Manager events that do not concern one secret: skipped, not errors. */
const SM_WITHOUT_SECRET = new Set(["ListSecrets", "GetRandomPassword", "BatchGetSecretValue"]);

const KMS_OPERATIONS: Record<string, VaultOperation> = {
  Decrypt: "read",
  GenerateDataKey: "write",
  GenerateDataKeyWithoutPlaintext: "write",
  Encrypt: "write",
};

/** KMS calls that Secrets Manager makes on a caller's behalf: echoes of the caller's own Secrets Manager call. */
const KMS_ON_BEHALF = new Set(["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt"]);

function isCloudTrailEvent(value: unknown): value is JsonObject {
  return isObject(value) && typeof value.eventSource === "string" && typeof value.eventName === "string";
}

/** Property lookup ignoring case ("arn" was spelled "aRN" in some Secrets Manager events before 2024). */
function field(o: JsonObject | undefined, name: string): unknown {
  if (!o) return undefined;
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.toLowerCase() === lower) return o[key];
  return undefined;
}

function secretOf(event: JsonObject): string | undefined {
  const rp = obj(event.requestParameters);
  const re = obj(event.responseElements);
  const extra = obj(event.additionalEventData);
  const service = obj(event.serviceEventDetails);
  const fromResources = Array.isArray(event.resources)
    ? event.resources
        .map((r) => str(field(obj(r), "ARN")))
        .find((arn) => arn !== undefined && arn.startsWith("arn:") && arn.includes(":secretsmanager:"))
    : undefined;
  return (
    str(field(rp, "secretId")) ??
    str(field(rp, "name")) ??
    str(field(re, "arn")) ??
    str(field(extra, "SecretId")) ??
    str(field(service, "secretId")) ??
    str(field(service, "SecretArn")) ??
    fromResources
  );
}

function identityOf(event: JsonObject): string | undefined {
  const ui = obj(event.userIdentity);
  return str(ui?.arn) ?? str(ui?.principalId) ?? str(ui?.userName) ?? str(ui?.invokedBy);
}

function isDenied(errorCode: string | undefined, errorMessage: string | undefined): boolean {
  if (errorCode && (/^AccessDenied/i.test(errorCode) || errorCode === "UnauthorizedOperation")) return true;
  return errorMessage !== undefined && /not authorized/i.test(errorMessage);
}

type Outcome = { events: VaultEvent[]; unnamed?: boolean } | { skip: string; event?: VaultEvent } | { error: string };

/** A CloudTrail event that concerns no secret, as a `notSecret` event (none when it has no valid time). */
function notSecretEvent(event: JsonObject, skip: string): Outcome {
  const time = parseRfc3339(event.eventTime);
  if (time === undefined) return { skip };
  const errorCode = str(event.errorCode);
  const out: VaultEvent = {
    time,
    source: "cloudtrail",
    secret: "",
    operation: "other",
    action: str(event.eventName) ?? "",
    denied: isDenied(errorCode, str(event.errorMessage)),
    notSecret: true,
  };
  const identity = identityOf(event);
  if (identity) out.identity = identity;
  const remoteAddress = str(event.sourceIPAddress);
  if (remoteAddress) out.remoteAddress = remoteAddress;
  const requestId = str(event.eventID) ?? str(event.requestID);
  if (requestId) out.requestId = requestId;
  return { skip, event: out };
}

/** Placeholder for a Secrets Manager access whose log names no secret: the account's and region's "(unnamed)". */
export function unnamedSecret(event: JsonObject): string | undefined {
  const account = str(event.recipientAccountId) ?? str(obj(event.userIdentity)?.accountId);
  const region = str(event.awsRegion);
  return account && region ? `arn:aws:secretsmanager:${region}:${account}:secret:(unnamed)` : undefined;
}

function convert(event: JsonObject): Outcome {
  const source = str(event.eventSource);
  const name = str(event.eventName) ?? "";
  let operation: VaultOperation;
  let secrets: string[];
  let unnamed = false;
  if (source === SECRETS_MANAGER) {
    // Own keys only: an eventName such as "constructor" must not find Object.prototype's members.
    operation = (Object.hasOwn(SM_OPERATIONS, name) ? SM_OPERATIONS[name] : undefined) ?? "other";
    const list = field(obj(event.requestParameters), "secretIdList");
    if (name === "BatchGetSecretValue" && Array.isArray(list)) {
      secrets = list.map(str).filter((s): s is string => s !== undefined);
    } else {
      const one = secretOf(event);
      secrets = one ? [one] : [];
    }
    if (secrets.length === 0) {
      if (SM_WITHOUT_SECRET.has(name)) return notSecretEvent(event, `Secrets Manager ${name} names no secret`);
      // The access happened but the log does not say to which secret (e.g. requestParameters trimmed by an
      // export). Keep it, under an explicit placeholder for the account and region, rather than lose it.
      const placeholder = unnamedSecret(event);
      const id = str(event.eventID);
      if (!placeholder) {
        return { error: `Secrets Manager ${name} event${id ? ` ${id}` : ""} names no secret and no account/region: skipped` };
      }
      secrets = [placeholder];
      unnamed = true;
    }
  } else if (source === KMS) {
    const secretArn = str(field(obj(field(obj(event.requestParameters), "encryptionContext")), "SecretARN"));
    if (!secretArn) return notSecretEvent(event, "KMS event not made for a Secrets Manager secret");
    operation = (Object.hasOwn(KMS_OPERATIONS, name) ? KMS_OPERATIONS[name] : undefined) ?? "other";
    secrets = [secretArn];
  } else {
    return notSecretEvent(event, "not a Secrets Manager or KMS event");
  }

  const time = parseRfc3339(event.eventTime);
  if (time === undefined) return { error: `${name}: invalid or missing eventTime ${quoteValue(event.eventTime)}` };

  const errorCode = str(event.errorCode);
  const errorMessage = str(event.errorMessage);
  let errorText = errorCode ? (errorMessage ? `${errorCode}: ${errorMessage}` : errorCode) : errorMessage;
  if (name === "RotationFailed" && !errorText) errorText = "rotation failed";
  const denied = isDenied(errorCode, errorMessage);
  const identity = identityOf(event);
  const remoteAddress = str(event.sourceIPAddress);
  const requestId = str(event.eventID) ?? str(event.requestID);
  const error = safeErrorText(errorText);

  const events = secrets.map((secret, i): VaultEvent => {
    const out: VaultEvent = { time, source: "cloudtrail", secret, operation, action: name, denied };
    if (identity) out.identity = identity;
    if (remoteAddress) out.remoteAddress = remoteAddress;
    if (error) out.error = error;
    if (requestId) out.requestId = secrets.length > 1 ? `${requestId}#${i}` : requestId;
    // A KMS call Secrets Manager made for this caller echoes the caller's own Secrets Manager call.
    const readOrWrite = operation === "read" ? "r" : "w";
    out.coalesce = { key: `${secretsManagerName(secret)}\u0000${identity ?? ""}\u0000${readOrWrite}`, echo: source === KMS && KMS_ON_BEHALF.has(name) };
    return out;
  });
  return { events, unnamed };
}

export const parser: Parser<"vault"> = {
  id: "cloudtrail",
  family: "vault",
  label: "AWS CloudTrail (Secrets Manager / KMS)",

  detect(head: string): number {
    const objects = headObjects(head, 5);
    for (const o of objects) {
      const event = isObject(o) && Array.isArray(o.Records) ? o.Records[0] : isObject(o) && isObject(o.detail) ? o.detail : o;
      if (isCloudTrailEvent(event) && (isObject(event.userIdentity) || typeof event.eventVersion === "string")) {
        return event.eventSource === SECRETS_MANAGER || event.eventSource === KMS ? 0.95 : 0.8;
      }
    }
    if (objects.length > 0) return 0;
    // A Records file larger than the head.
    if (/^\s*\{\s*"Records"\s*:\s*\[/.test(head) && /"eventSource"\s*:/.test(head) && /"eventName"\s*:/.test(head)) {
      return 0.9;
    }
    return 0;
  },

  async *parse(file: SourceFile, ctx: ParseContext): AsyncIterable<VaultEvent> {
    const gate = new RecordGate("an AWS CloudTrail log");
    const skipped = new Map<string, number>();
    let unnamedCount = 0;
    const lineError = (line: number, message: string) => ctx.lineError(line, message);
    let n = 0;

    function* handle(event: JsonObject, line: number, where: string): Iterable<VaultEvent> {
      const outcome = convert(event);
      if ("events" in outcome) {
        if (outcome.unnamed) unnamedCount += 1;
        yield* outcome.events;
      }
      else if ("skip" in outcome) {
        skipped.set(outcome.skip, (skipped.get(outcome.skip) ?? 0) + 1);
        if (outcome.event) yield outcome.event;
      }
      else lineError(line, where + outcome.error);
    }

    for await (const item of jsonObjects(file.lines(), { maxObjectChars: MAX_DOCUMENT_BYTES })) {
      checkAbort(ctx.signal, ++n);
      if (item.kind === "error") {
        gate.fail(item.line, item.message, lineError);
        continue;
      }
      const value = item.value;
      if (isObject(value) && Array.isArray(value.Records)) {
        gate.good();
        for (const [i, record] of value.Records.entries()) {
          checkAbort(ctx.signal, i);
          if (isCloudTrailEvent(record)) yield* handle(record, item.line, `Records[${i}]: `);
          else lineError(item.line, `Records[${i}]: not a CloudTrail event (no eventSource/eventName)`);
        }
        continue;
      }
      const event = isObject(value) && isCloudTrailEvent(value.detail) ? value.detail : value;
      if (!isCloudTrailEvent(event)) {
        gate.fail(item.line, "not a CloudTrail event (no eventSource/eventName)", lineError);
        continue;
      }
      gate.good();
      yield* handle(event, item.line, "");
    }
    gate.finish();
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    if (total > 0) {
      const reasons = [...skipped.entries()].map(([reason, count]) => `${count} × ${reason}`).join("; ");
      ctx.warn(`${total} CloudTrail event(s) skipped as not about a secret (${reasons})`);
    }
    if (unnamedCount > 0) {
      ctx.warn(
        `${unnamedCount} Secrets Manager event(s) name no secret (requestParameters missing): recorded under the account's "(unnamed)" secret`,
      );
    }
  },
};
