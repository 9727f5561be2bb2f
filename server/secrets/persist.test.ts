import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { sample } from "@/server/ingest/test-utils";
import { TEST_DATABASES } from "@/server/test/databases";
import { correlate } from "@/server/correlate/engine";
import { isKvMetadataPath, normaliseSecretRef, secretsManagerName } from "@/server/domain/secret-ref";

const system = { type: "system" as const };
const HOUR = 3600_000;
const hourOf = (ms: number) => new Date(Math.floor(ms / HOUR) * HOUR);

describe("secret references", () => {
  it("normalise KV v2 segments, slashes and backslashes; keep ARNs", () => {
    expect(normaliseSecretRef("/secret/metadata/apps/db/")).toBe("secret/data/apps/db");
    expect(normaliseSecretRef("secret/data/apps/db")).toBe("secret/data/apps/db");
    expect(normaliseSecretRef("PSM\\Root\\acct")).toBe("PSM/Root/acct");
    expect(normaliseSecretRef("arn:aws:secretsmanager:us-east-2:1:secret:x-a1b2c3")).toBe("arn:aws:secretsmanager:us-east-2:1:secret:x-a1b2c3");
    expect(isKvMetadataPath("secret/metadata/apps/db")).toBe(true);
    expect(isKvMetadataPath("secret/data/apps/db")).toBe(false);
    expect(secretsManagerName("arn:aws:secretsmanager:us-east-2:1:secret:prod/db-a1b2c3")).toBe("prod/db");
    expect(secretsManagerName("prod/db")).toBe("prod/db");
  });
});

describe.each(TEST_DATABASES)("vault audit persister on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
    // Apis to link to: one by slug (a segment of the Vault path), one by an explicit mapping naming a CyberArk safe.
    await db.prisma.api.create({ data: { slug: "home-assistant", name: "Home Assistant", aliases: [] } });
    await db.prisma.api.create({ data: { slug: "bastion", name: "Bastion", aliases: [], explicitSecrets: ["PSM/Root"] } });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("HashiCorp Vault audit file: secrets, hourly rollups, denied events, slug links; sys/ paths skipped", async () => {
    const result = await ingest(db.prisma, { file: await sample("vault-audit/hashicorp-vault-audit-file.log"), channel: "cli", actor: system });
    expect(result.message).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", format: "vault-audit" });
    // 5 paired events (1 on sys/) and 4 KMIP records: 9 records, 5 of them about no secret.
    expect(result.counts).toMatchObject({ records: 9, eventsSkipped: 5, secretsCreated: 4, secretsUpdated: 0, rollupRows: 4, kmsDeduplicated: 0, secretLinks: 1, apisTouched: 1 });
    // The tables the secret rules read were analysed in the ingest (a never-analysed table counts -1 rows).
    const stats = await db.prisma.$queryRaw<{ relname: string; reltuples: number }[]>`
      SELECT relname, reltuples::float8 AS reltuples FROM pg_class WHERE relname IN ('secret', 'secret_access_rollup') ORDER BY relname`;
    expect(stats).toEqual([{ relname: "secret", reltuples: 4 }, { relname: "secret_access_rollup", reltuples: 4 }]);

    const secrets = await db.prisma.secret.findMany({ where: { source: "vault" }, orderBy: { ref: "asc" } });
    expect(secrets.map((s) => s.ref)).toEqual([
      "ca/roles/example",
      "internal-ca/issue/internal-server",
      "secret/data/apps/continuous-delivery/aws-bucket-sse-c",
      "secret/data/apps/home-assistant/secrets_yaml",
    ]);
    const ha = secrets.find((s) => s.ref.includes("home-assistant"))!;
    expect(ha).toMatchObject({ displayName: "secret/data/apps/home-assistant/secrets_yaml", lastRotatedAt: null });
    expect(ha.firstSeenAt.getTime()).toBe(1624989689545);
    expect(ha.lastEventAt.getTime()).toBe(1624989689545);
    // A denied write is no rotation.
    const ca = secrets.find((s) => s.ref === "internal-ca/issue/internal-server")!;
    expect(ca.lastRotatedAt).toBeNull();

    const rollups = await db.prisma.secretAccessRollup.findMany({ where: { secretId: { in: secrets.map((s) => s.id) } } });
    const haRollup = rollups.find((r) => r.secretId === ha.id)!;
    expect(haRollup).toMatchObject({
      identity: "token-c1d6c089-2f46-ff11-5988-38636bddf8d9-homeassistant",
      operation: "read",
      count: 1,
      denied: 0,
      sourceAddresses: ["10.6.8.34"],
      ingestRunId: result.runId,
    });
    expect(haRollup.hourStart.getTime()).toBe(hourOf(1624989689545).getTime());
    expect(rollups.find((r) => r.secretId === ca.id)).toMatchObject({ identity: "unknown", operation: "write", count: 1, denied: 1, sourceAddresses: ["10.6.8.34"] });
    expect(rollups.find((r) => r.operation === "other")).toMatchObject({ identity: "e4f5c67a-6f7e-789d-ae56-a1fe3ae23046", count: 1 });
    expect(await db.prisma.secretAccessNetwork.findMany({ where: { secretId: ha.id }, select: { identity: true, network: true, events: true, reads: true } })).toEqual([
      { identity: "token-c1d6c089-2f46-ff11-5988-38636bddf8d9-homeassistant", network: "10.6.8.0/24", events: 1, reads: 1 },
    ]);

    const links = await db.prisma.secretApiLink.findMany({ include: { secret: true } });
    expect(links.map((l) => [l.secret.ref, l.via])).toEqual([["secret/data/apps/home-assistant/secrets_yaml", "slug"]]);
  });

  it("CyberArk PAS: one secret, three hourly rows, linked by an explicit safe mapping", async () => {
    const result = await ingest(db.prisma, { file: await sample("vault-audit/cyberark-pas-vault-audit-retrieve-ssh-key.log"), channel: "cli", actor: system });
    expect(result).toMatchObject({ status: "succeeded", format: "cyberark" });
    expect(result.counts).toMatchObject({ records: 3, secretsCreated: 1, rollupRows: 3, secretLinks: 1 });
    const secret = await db.prisma.secret.findUniqueOrThrow({
      where: { ref: "PSM/Root/Operating System-UnixSSHKeys-67.43.156.15-adrian" },
      include: { apiLinks: true },
    });
    expect(secret).toMatchObject({ source: "cyberark", lastRotatedAt: null });
    expect(secret.firstSeenAt.getTime()).toBe(1615484624000);
    expect(secret.lastEventAt.getTime()).toBe(1615814332000);
    const bastion = await db.prisma.api.findUniqueOrThrow({ where: { slug: "bastion" } });
    expect(secret.apiLinks).toEqual([{ secretId: secret.id, apiId: bastion.id, via: "explicit" }]);
    const rows = await db.prisma.secretAccessRollup.findMany({ where: { secretId: secret.id }, orderBy: { hourStart: "asc" } });
    expect(rows.map((r) => [r.hourStart.getTime(), r.identity, r.operation, r.count, r.denied, r.sourceAddresses])).toEqual(
      [1615484624000, 1615496928000, 1615814332000].map((t) => [hourOf(t).getTime(), "Administrator", "read", 1, 0, ["127.0.0.1"]]),
    );
  });

  it("CloudTrail KMS Decrypt on behalf of Secrets Manager alone counts as one read", async () => {
    const result = await ingest(db.prisma, { file: await sample("vault-audit/cloudtrail-kms-Decrypt-by-secretsmanager.json"), channel: "cli", actor: system });
    expect(result).toMatchObject({ status: "succeeded", format: "cloudtrail" });
    expect(result.counts).toMatchObject({ records: 1, secretsCreated: 1, rollupRows: 1, kmsDeduplicated: 0, secretLinks: 0 });
    const secret = await db.prisma.secret.findUniqueOrThrow({ where: { ref: "arn:aws:secretsmanager:us-east-2:111122223333:secret:test-secret-a1b2c3" } });
    expect(secret).toMatchObject({ source: "cloudtrail", displayName: "test-secret-a1b2c3" });
    expect(secret.firstSeenAt.toISOString()).toBe("2018-05-31T23:36:09.000Z");
    const [row] = await db.prisma.secretAccessRollup.findMany({ where: { secretId: secret.id } });
    expect(row).toMatchObject({ identity: "arn:aws:sts::111122223333:assumed-role/Admin/user01", operation: "read", count: 1, denied: 0, sourceAddresses: ["secretsmanager.amazonaws.com"] });
  });

  it("CloudTrail GetSecretValue without a secret id (docs excerpt) counts as a read of the account's unnamed secret", async () => {
    const result = await ingest(db.prisma, { file: await sample("vault-audit/cloudtrail-secretsmanager-GetSecretValue-vpce.json"), channel: "cli", actor: system });
    expect(result).toMatchObject({ status: "succeeded", format: "cloudtrail", errorCount: 0 });
    expect(result.counts).toMatchObject({ records: 1, secretsCreated: 1 });
    const secret = await db.prisma.secret.findUniqueOrThrow({ where: { ref: "arn:aws:secretsmanager:us-west-2:123456789012:secret:(unnamed)" } });
    expect(secret).toMatchObject({ source: "cloudtrail", lastRotatedAt: null });
    expect(secret.firstSeenAt.toISOString()).toBe("2018-01-16T05:46:57.000Z");
    const row = await db.prisma.secretAccessRollup.findFirstOrThrow({ where: { secretId: secret.id } });
    expect(row).toMatchObject({ identity: "arn:aws:iam::123456789012:user/Anika", operation: "read", count: 1, denied: 0, sourceAddresses: ["172.01.01.001"] });
  });

  it("drops a KMS Decrypt paired with the caller's GetSecretValue; rotations set lastRotatedAt; flushes in batches", async () => {
    const arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/home-assistant/db-AbC123";
    const who = "arn:aws:iam::111122223333:user/app";
    const sm = (name: string, time: string, extra: object = {}) =>
      JSON.stringify({ eventVersion: "1.08", userIdentity: { arn: who }, eventTime: time, eventSource: "secretsmanager.amazonaws.com", eventName: name, sourceIPAddress: "10.0.0.9", requestParameters: { secretId: arn }, eventID: `${name}-${time}`, ...extra });
    const kms = (time: string) =>
      JSON.stringify({ eventVersion: "1.08", userIdentity: { arn: who, invokedBy: "secretsmanager.amazonaws.com" }, eventTime: time, eventSource: "kms.amazonaws.com", eventName: "Decrypt", sourceIPAddress: "secretsmanager.amazonaws.com", requestParameters: { encryptionContext: { SecretARN: arn } }, eventID: `kms-${time}` });
    const lines = [
      kms("2024-05-01T10:00:00Z"), // before its GetSecretValue: held, then dropped
      sm("GetSecretValue", "2024-05-01T10:00:01Z"),
      sm("GetSecretValue", "2024-05-01T10:20:00Z"),
      kms("2024-05-01T10:20:02Z"), // after: dropped at once
      kms("2024-05-01T12:00:00Z"), // no partner: counted
      sm("PutSecretValue", "2024-05-02T08:00:00Z"),
      sm("PutSecretValue", "2024-05-03T08:00:00Z", { errorCode: "AccessDenied", errorMessage: "not authorized" }),
    ];
    const { persistVaultEvents } = await import("./persist");
    const { parser } = await import("@/server/ingest/parsers/vault/cloudtrail/parser");
    const ctx = { options: {}, warn: () => undefined, lineError: () => undefined };
    const run = await db.prisma.ingestRun.create({ data: { channel: "cli", fileName: "t.jsonl", contentHash: "x", status: "running", actorType: "system" } });
    const outcome = await db.prisma.$transaction((tx) =>
      persistVaultEvents(tx, parser.parse(bufferSource(lines.join("\n"), "t.jsonl"), ctx), { runId: run.id, now: new Date() }, { flushEvery: 2 }),
    );
    expect(outcome.records).toBe(7);
    expect(outcome.counts).toMatchObject({ kmsDeduplicated: 2, secretsCreated: 1, secretLinks: 1 });
    const secret = await db.prisma.secret.findUniqueOrThrow({ where: { ref: arn }, include: { apiLinks: true } });
    expect(secret.lastRotatedAt?.toISOString()).toBe("2024-05-02T08:00:00.000Z");
    expect(secret.lastEventAt.toISOString()).toBe("2024-05-03T08:00:00.000Z");
    expect(secret.apiLinks.map((l) => l.via)).toEqual(["slug"]);
    const rows = await db.prisma.secretAccessRollup.findMany({ where: { secretId: secret.id }, orderBy: [{ hourStart: "asc" }, { operation: "asc" }] });
    expect(rows.map((r) => [r.hourStart.toISOString(), r.operation, r.count, r.denied])).toEqual([
      ["2024-05-01T10:00:00.000Z", "read", 2, 0],
      ["2024-05-01T12:00:00.000Z", "read", 1, 0],
      ["2024-05-02T08:00:00.000Z", "write", 1, 0],
      ["2024-05-03T08:00:00.000Z", "write", 1, 1],
    ]);
    expect(rows[0]?.sourceAddresses).toEqual(["10.0.0.9"]);
    // Networks per identity × day (prefixes only): reads of the 1st from 10.0.0.0/24 (GetSecretValue ×2) and from
    // Secrets Manager itself (the unpaired KMS echo); the writes are events, not reads.
    const networks = await db.prisma.secretAccessNetwork.findMany({ where: { secretId: secret.id }, orderBy: [{ day: "asc" }, { network: "asc" }] });
    expect(networks.map((n) => [n.day.toISOString().slice(0, 10), n.identity, n.network, n.events, n.reads])).toEqual([
      ["2024-05-01", who, "10.0.0.0/24", 2, 2],
      ["2024-05-01", who, "secretsmanager.amazonaws.com", 1, 1],
      ["2024-05-02", who, "10.0.0.0/24", 1, 0],
      ["2024-05-03", who, "10.0.0.0/24", 1, 0],
    ]);
    expect(outcome.counts.networkRows).toBe(4);
  });

  it("an audit file without secret events (CyberArk logons, Vault sys/ calls, other services' CloudTrail) ingests as 0 secret events", async () => {
    const cyberark = (action: string, id: string, at: string) =>
      `<5>1 ${at} VAULT ${JSON.stringify({ format: "elastic", syslog: { audit_record: { IsoTimestamp: at, MessageID: id, Issuer: "ops", Action: action, Safe: "", File: "", Station: "10.1.1.1" } } })}`;
    const vault = (id: string, path: string) =>
      JSON.stringify({ time: "2024-05-01T10:00:00Z", type: "request", auth: { display_name: "root" }, request: { id, operation: "read", path, remote_address: "10.0.0.5" } });
    const trail = (name: string, source: string) =>
      ({ eventVersion: "1.08", userIdentity: { type: "IAMUser", arn: "arn:aws:iam::1:user/ops" }, eventTime: "2024-05-01T10:00:00Z", eventSource: source, eventName: name, awsRegion: "us-east-1", eventID: `e-${name}` });
    const files = [
      { name: "cyberark.log", format: "cyberark", events: 2, text: [cyberark("Logon", "7", "2024-05-01T10:00:00Z"), cyberark("Logoff", "308", "2024-05-01T10:30:00Z")].join("\n") },
      { name: "vault-audit.log", format: "vault-audit", events: 3, text: [vault("r1", "sys/health"), vault("r2", "sys/mounts"), vault("r3", "auth/token/lookup-self")].join("\n") },
      { name: "trail.json", format: "cloudtrail", events: 2, text: JSON.stringify({ Records: [trail("RunInstances", "ec2.amazonaws.com"), trail("GetObject", "s3.amazonaws.com")] }) },
    ];
    const before = await db.prisma.secret.count();
    for (const f of files) {
      const result = await ingest(db.prisma, { file: bufferSource(f.text, f.name), channel: "cli", actor: system, correlate: false });
      expect(result.status, `${f.name}: ${result.message}`).toBe("succeeded");
      expect(result.format).toBe(f.format);
      const n = f.events;
      expect(result.counts, f.name).toMatchObject({ records: n, eventsSkipped: n, secretsCreated: 0, secretsUpdated: 0, rollupRows: 0 });
      expect(result.warnings.map((w) => w.message), f.name).toContain(`0 secret events: the file's ${n} event(s) concern no secret (${n} skipped as vault-internal or about no secret)`);
    }
    expect(await db.prisma.secret.count()).toBe(before);
    // A truly empty file is still rejected.
    const empty = await ingest(db.prisma, { file: bufferSource("", "cyberark.log"), channel: "cli", actor: system, correlate: false, options: { format: "cyberark" } });
    expect(empty.status).toBe("failed");
  });

  it("keeps at most MAX_NETWORKS networks per secret × identity × day between flushes; the rest count under \"*\"", async () => {
    const { MAX_NETWORKS, OVERFLOW_NETWORK } = await import("./persist");
    const lines: string[] = [];
    const pair = (i: number, address: string) => {
      const auth = { display_name: "ops", entity_id: "entity-ops" };
      const request = { id: `net-${i}`, operation: "read", path: "secret/data/network-cap/db", remote_address: address };
      lines.push(JSON.stringify({ time: "2024-05-01T10:00:00Z", type: "request", auth, request }));
      lines.push(JSON.stringify({ time: "2024-05-01T10:00:00Z", type: "response", auth, request, response: {} }));
    };
    for (let i = 0; i < MAX_NETWORKS + 2; i++) pair(i, `10.${Math.floor(i / 250)}.${i % 250}.7`);
    pair(999, "10.0.0.8"); // a known network keeps counting under its name
    const result = await ingest(db.prisma, { file: bufferSource(lines.join("\n"), "cap.log"), channel: "cli", actor: system, correlate: false });
    expect(result.status).toBe("succeeded");
    const secret = await db.prisma.secret.findUniqueOrThrow({ where: { ref: "secret/data/network-cap/db" } });
    const rows = await db.prisma.secretAccessNetwork.findMany({ where: { secretId: secret.id } });
    expect(rows).toHaveLength(MAX_NETWORKS + 1);
    expect(rows.every((r) => r.identity === "entity-ops")).toBe(true);
    expect(rows.find((r) => r.network === OVERFLOW_NETWORK)).toMatchObject({ events: 2, reads: 2 });
    expect(rows.find((r) => r.network === "10.0.0.0/24")).toMatchObject({ events: 2, reads: 2 });
  });

  it("links a secret to an Api inventoried after it, at correlation time", async () => {
    const secret = await db.prisma.secret.findUniqueOrThrow({ where: { ref: "secret/data/apps/continuous-delivery/aws-bucket-sse-c" }, include: { apiLinks: true } });
    expect(secret.apiLinks).toEqual([]);
    const api = await db.prisma.api.create({ data: { slug: "continuous-delivery", name: "Continuous Delivery", aliases: [] } });
    const summary = await correlate(db.prisma, { apiIds: [api.id] });
    expect(summary.secretLinksChanged).toBe(1);
    expect(await db.prisma.secretApiLink.findMany({ where: { secretId: secret.id } })).toEqual([{ secretId: secret.id, apiId: api.id, via: "slug" }]);
  });
});
