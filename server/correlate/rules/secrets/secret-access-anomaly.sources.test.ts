// secret-access-anomaly from real audit formats, through the ingest pipeline: the identity is the one DESIGN.md
// ("Vault events") names for each vault — Vault's entity_id (not display_name), CloudTrail's userIdentity.arn,
// CyberArk's Issuer — and one vault's identity is not another's.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { TEST_DATABASES } from "@/server/test/databases";
import { evaluate, makeApi, reset } from "../../test-fixtures";
import { secretAccessAnomaly } from "./secret-access-anomaly";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const asOf = new Date("2024-06-30T00:00:00Z");
const D = asOf.getTime() - DAY;
/** Seven days of reads at 09:00 UTC, then one at 03:00 on D: a new hour. */
const times = [...[7, 6, 5, 4, 3, 2, 1].map((d) => D - d * DAY + 9 * HOUR + 60_000), D + 3 * HOUR + 60_000];

function vaultFile(): string {
  return times
    .flatMap((t, i) => {
      const auth = { display_name: "approle-orders", entity_id: "8d2c1f1e-entity-orders", policies: ["orders"] };
      const request = { id: `req-${i}`, operation: "read", path: "secret/data/orders-api/db", remote_address: "10.1.2.3" };
      const iso = new Date(t).toISOString();
      return [JSON.stringify({ time: iso, type: "request", auth, request }), JSON.stringify({ time: iso, type: "response", auth, request, response: { mount_type: "kv" } })];
    })
    .join("\n");
}

function cloudTrailFile(): string {
  const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-api/db-AbCdEf";
  return times
    .map((t, i) =>
      JSON.stringify({
        eventVersion: "1.08",
        userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/orders-task/1a2b", principalId: "AROA:1a2b" },
        eventTime: new Date(t).toISOString().replace(/\.\d+Z$/, "Z"),
        eventSource: "secretsmanager.amazonaws.com",
        eventName: "GetSecretValue",
        awsRegion: "eu-west-1",
        sourceIPAddress: "10.1.2.3",
        requestParameters: { secretId: arn },
        eventID: `evt-${i}`,
      }),
    )
    .join("\n");
}

function cyberArkFile(): string {
  return times
    .map((t, i) => {
      const at = new Date(t).toISOString().replace(/\.\d+Z$/, "Z");
      const record = { IsoTimestamp: at, MessageID: "295", Issuer: "orders-batch", Action: "Retrieve password", Safe: "Orders", File: "orders-api-db", Station: "10.1.2.3", RequestId: `r-${i}` };
      return `<5>1 ${at} VAULT ${JSON.stringify({ format: "elastic", syslog: { audit_record: record } })}`;
    })
    .join("\n");
}

describe.each(TEST_DATABASES)("secret-access-anomaly per vault on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await reset(db.prisma);
    await db.prisma.ingestRun.deleteMany();
    await makeApi(db.prisma, "orders-api", { lifecycle: "production", explicitSecrets: ["Orders"] });
  });

  const cases = [
    { vault: "vault", format: "vault-audit", name: "vault-audit.log", content: vaultFile, identity: "8d2c1f1e-entity-orders", secret: "secret/data/orders-api/db" },
    { vault: "cloudtrail", format: "cloudtrail", name: "trail.jsonl", content: cloudTrailFile, identity: "arn:aws:sts::111122223333:assumed-role/orders-task/1a2b", secret: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-api/db-AbCdEf" },
    { vault: "cyberark", format: "cyberark", name: "cyberark.log", content: cyberArkFile, identity: "orders-batch", secret: "Orders/orders-api-db" },
  ];

  it.each(cases)("$vault: the identity is $identity", async (c) => {
    const result = await ingest(db.prisma, { file: bufferSource(c.content(), c.name), channel: "cli", actor: { type: "system" }, correlate: false });
    expect(result.status, result.message ?? "").toBe("succeeded");
    expect(result.format).toBe(c.format);
    const found = await evaluate(db.prisma, secretAccessAnomaly, { asOf });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      subject: `new-hour:${c.vault}:${c.identity}`,
      evidence: { kind: "new-hour", identity: c.identity, vault: c.vault, secret: c.secret, day: "2024-06-29", newHoursUtc: [3], baseline: { daysWithEvents: 7, hoursUtc: [9] } },
    });
    // One day less of history: too little.
    expect(await evaluate(db.prisma, secretAccessAnomaly, { asOf, settings: { accessAnomalyMinHistoryDays: 8 } })).toEqual([]);
  });
});
