/**
 * Writes vault audit events (HashiCorp Vault, CloudTrail Secrets Manager/KMS, CyberArk PAS) inside the ingest
 * transaction, streaming: memory grows with the number of distinct (secret, identity, operation, hour) keys between
 * two flushes, the (secret, identity, day) network keys of the last day or two (at most MAX_HELD_NETWORK_KEYS) and
 * the distinct secrets of the file, never with the number of events.
 *
 * - Secret: one row per normalised reference (server/domain/secret-ref.ts). firstSeenAt / lastEventAt widen with every event;
 *   lastRotatedAt = the latest successful (not denied, no error) write or rotate. KV v2 metadata/delete/destroy
 *   operations are stored as operation "metadata" and are not rotations.
 * - SecretAccessRollup: per secret × identity × operation × UTC hour: count, denied, up to MAX_ADDRESSES distinct
 *   source addresses. An event without an identity counts under "unknown". Upserted every FLUSH_EVERY events with
 *   one INSERT … SELECT FROM unnest … ON CONFLICT per table.
 * - SecretAccessNetwork: per secret × identity × UTC day × source network (server/domain/source-network.ts: /24,
 *   /64, else the source's own name): events and successful reads, for `secret-access-anomaly` (new-network). Only the
 *   prefix is stored, never more of an address than the hourly rollup keeps. A day's keys are held until the file is
 *   a day past them (at most MAX_HELD_NETWORK_KEYS keys), then upserted like the rollups. Bounded: at most
 *   MAX_NETWORKS networks per secret × identity × day while held; the rest count under network "*" (the rule then
 *   cannot tell new networks from known ones for that identity and does not judge it).
 * - Events a parser marks `notSecret` (Vault sys/, auth/, identity/, cubbyhole/ paths) and "login" operations are
 *   not secrets: skipped and counted (eventsSkipped). Nothing here depends on which vault an event came from: what
 *   differs between vaults, the parsers say on the event (`notSecret`, `metadataOnly`, `coalesce`). A file whose events
 *   all concern no secret (only logons, vault system calls, other services' CloudTrail events) is a valid ingest of
 *   zero secret events; one warning says so ("0 secret events: …").
 * - Echoes (`coalesce.echo`): KMS calls Secrets Manager makes on a caller's behalf (Decrypt for GetSecretValue,
 *   GenerateDataKey for PutSecretValue…) carry the caller's identity: counting both would double the caller's reads.
 *   Within one file, an echo is dropped when a non-echo event with the same coalesce key (the CloudTrail parser
 *   keys by secret name with the ARN suffix ignored, identity and direction) lies within KMS_PAIR_WINDOW_MS; it is
 *   counted when no such event exists (the echo is then the only evidence, e.g. the AWS docs sample). Pairs split
 *   across two files are not detected.
 * - Re-ingesting identical content is stopped by the pipeline (content hash). Overlapping files (the same events in
 *   two different files) are counted twice: Vault request ids are not stored.
 * - Links: after the last flush, the file's secrets are linked to Apis (./link.ts); the Apis linked to them are the
 *   touched Apis that the pipeline re-correlates.
 */
import { randomUUID } from "node:crypto";
import { analyzeAfterBulkWrite } from "@/server/db/analyze";
import type { Tx } from "@/server/db/types";
import type { VaultEvent } from "@/server/domain/records";
import { linkSecrets } from "./link";
import { normaliseSecretRef, secretDisplayName } from "@/server/domain/secret-ref";
import { sourceNetwork } from "@/server/domain/source-network";

export interface VaultCounts {
  secretsCreated: number;
  secretsUpdated: number;
  rollupRows: number;
  networkRows: number;
  eventsSkipped: number;
  kmsDeduplicated: number;
  secretLinks: number;
}

export const FLUSH_EVERY = 5000;
export const MAX_ADDRESSES = 10;
export const MAX_NETWORKS = 50;
/** The network of events past MAX_NETWORKS in one secret × identity × day while it is held in memory. */
export const OVERFLOW_NETWORK = "*";
/** Secret × identity × day network keys held between flushes before all are written. */
const MAX_HELD_NETWORK_KEYS = 20_000;
const DAY_MS = 86_400_000;
export const KMS_PAIR_WINDOW_MS = 5000;
/** How long a KMS event waits for its Secrets Manager partner (files are roughly time-ordered). */
const KMS_HOLD_MS = 5 * 60_000;
const MAX_PENDING = 10_000;
const HOUR_MS = 3600_000;

interface Bucket {
  secretRef: string;
  identity: string;
  operation: string;
  hourStart: number;
  count: number;
  denied: number;
  addresses: Set<string>;
}

interface NetworkBucket {
  secretRef: string;
  identity: string;
  dayStart: number;
  networks: Map<string, { events: number; reads: number }>;
}

interface SecretStats {
  source: string;
  first: number;
  last: number;
  rotated: number | null;
}


export async function persistVaultEvents(
  tx: Tx,
  records: AsyncIterable<VaultEvent>,
  source: { runId: string; now: Date; signal?: AbortSignal; warn?: (message: string) => void },
  options: { flushEvery?: number } = {},
): Promise<{ counts: VaultCounts; apiIds: string[]; records: number }> {
  const flushEvery = options.flushEvery ?? FLUSH_EVERY;
  const counts: VaultCounts = { secretsCreated: 0, secretsUpdated: 0, rollupRows: 0, networkRows: 0, eventsSkipped: 0, kmsDeduplicated: 0, secretLinks: 0 };
  const buckets = new Map<string, Bucket>();
  const networkBuckets = new Map<string, NetworkBucket>();
  const stats = new Map<string, SecretStats>();
  const secretIds = new Map<string, string>();
  let sinceFlush = 0;
  let total = 0;

  // KMS pairing state (CloudTrail only): KMS events waiting for a partner, in arrival order and by pairing key.
  type Held = { event: VaultEvent; key: string; dropped: boolean };
  const pending: Held[] = [];
  let pendingHead = 0;
  const pendingByKey = new Map<string, Held[]>();
  const recentSm = new Map<string, number[]>();
  let maxTime = 0;

  const add = (e: VaultEvent) => {
    if (e.notSecret || e.operation === "login") {
      counts.eventsSkipped += 1;
      return;
    }
    const ref = normaliseSecretRef(e.secret);
    if (!ref) {
      counts.eventsSkipped += 1;
      return;
    }
    const metadata = e.metadataOnly === true;
    const operation = metadata ? "metadata" : e.operation;
    const identity = (e.identity ?? "unknown").slice(0, 500);
    const hourStart = Math.floor(e.time / HOUR_MS) * HOUR_MS;
    const key = `${ref}\u0000${identity}\u0000${operation}\u0000${hourStart}`;
    let b = buckets.get(key);
    if (!b) {
      b = { secretRef: ref, identity, operation, hourStart, count: 0, denied: 0, addresses: new Set() };
      buckets.set(key, b);
    }
    b.count += 1;
    if (e.denied) b.denied += 1;
    if (e.remoteAddress && b.addresses.size < MAX_ADDRESSES) b.addresses.add(e.remoteAddress.slice(0, 100));
    const network = e.remoteAddress ? sourceNetwork(e.remoteAddress) : null;
    if (network) {
      const dayStart = Math.floor(e.time / DAY_MS) * DAY_MS;
      const nkey = `${ref}\u0000${identity}\u0000${dayStart}`;
      let nb = networkBuckets.get(nkey);
      if (!nb) {
        nb = { secretRef: ref, identity, dayStart, networks: new Map() };
        networkBuckets.set(nkey, nb);
      }
      const name = nb.networks.has(network) || nb.networks.size < MAX_NETWORKS ? network : OVERFLOW_NETWORK;
      let n = nb.networks.get(name);
      if (!n) {
        n = { events: 0, reads: 0 };
        nb.networks.set(name, n);
      }
      n.events += 1;
      if (operation === "read" && !e.denied) n.reads += 1;
    }

    const rotation = !metadata && (e.operation === "write" || e.operation === "rotate") && !e.denied && !e.error;
    const s = stats.get(ref);
    if (!s) stats.set(ref, { source: e.source, first: e.time, last: e.time, rotated: rotation ? e.time : null });
    else {
      if (e.time < s.first) s.first = e.time;
      if (e.time > s.last) s.last = e.time;
      if (rotation && (s.rotated === null || e.time > s.rotated)) s.rotated = e.time;
    }
    sinceFlush += 1;
  };

  const releasePending = (all: boolean) => {
    while (pendingHead < pending.length) {
      const held = pending[pendingHead]!;
      if (!all && pending.length - pendingHead <= MAX_PENDING && maxTime - held.event.time <= KMS_HOLD_MS) break;
      pendingHead += 1;
      const list = pendingByKey.get(held.key);
      if (list) {
        list.shift();
        if (list.length === 0) pendingByKey.delete(held.key);
      }
      if (!held.dropped) add(held.event);
    }
    if (pendingHead > 1024 && pendingHead * 2 > pending.length) {
      pending.splice(0, pendingHead);
      pendingHead = 0;
    }
  };

  const flush = async (final = false) => {
    if (stats.size === 0 && buckets.size === 0 && networkBuckets.size === 0) return;
    await upsertSecrets(tx, stats, secretIds, counts, source.now);
    counts.rollupRows += await upsertRollups(tx, [...buckets.values()], secretIds, source.runId);
    // Network rows are daily: a day's keys wait in memory until the file has moved a day past it (files are roughly
    // time-ordered), so each is written about once instead of at every flush; MAX_HELD_NETWORK_KEYS bounds the wait.
    const before = Math.floor(maxTime / DAY_MS) * DAY_MS - DAY_MS;
    const all = final || networkBuckets.size > MAX_HELD_NETWORK_KEYS;
    const ready = [...networkBuckets].filter(([, b]) => all || b.dayStart < before);
    counts.networkRows += await upsertNetworks(tx, ready.map(([, b]) => b), secretIds, source.runId);
    for (const [key] of ready) networkBuckets.delete(key);
    buckets.clear();
    stats.clear();
    sinceFlush = 0;
  };

  for await (const event of records) {
    total += 1;
    if (event.time > maxTime) maxTime = event.time;
    if (event.coalesce) {
      const key = event.coalesce.key;
      if (event.coalesce.echo) {
        const times = recentSm.get(key);
        if (times?.some((t) => Math.abs(t - event.time) <= KMS_PAIR_WINDOW_MS)) counts.kmsDeduplicated += 1;
        else {
          const held: Held = { event, key, dropped: false };
          pending.push(held);
          const list = pendingByKey.get(key);
          if (list) list.push(held);
          else pendingByKey.set(key, [held]);
        }
      } else {
        const partner = pendingByKey.get(key)?.find((p) => !p.dropped && Math.abs(p.event.time - event.time) <= KMS_PAIR_WINDOW_MS);
        if (partner) {
          partner.dropped = true;
          counts.kmsDeduplicated += 1;
        }
        const times = recentSm.get(key) ?? [];
        times.push(event.time);
        recentSm.set(key, times.filter((t) => maxTime - t <= KMS_HOLD_MS).slice(-50));
        if (recentSm.size > MAX_PENDING) recentSm.delete(recentSm.keys().next().value as string);
        add(event);
      }
      releasePending(false);
    } else {
      add(event);
    }
    if (sinceFlush >= flushEvery) await flush();
  }
  releasePending(true);
  await flush(true);

  if (total > 0 && secretIds.size === 0) {
    // A valid audit file can hold nothing about secrets (logons, vault system calls, other services): say so.
    source.warn?.(`0 secret events: the file's ${total} event(s) concern no secret (${counts.eventsSkipped} skipped as vault-internal or about no secret)`);
  }
  const linked = await linkSecrets(tx, [...new Set(secretIds.values())]);
  counts.secretLinks = linked.added;
  // The secret rules run next on these tables (the ingest's correlation): plan them on statistics that know the rows.
  await analyzeAfterBulkWrite(tx, { secret: counts.secretsCreated, secret_access_rollup: counts.rollupRows, secret_access_network: counts.networkRows });
  return { counts, apiIds: [...new Set([...linked.linkedApiIds, ...linked.changedApiIds])], records: total };
}

async function upsertSecrets(tx: Tx, stats: Map<string, SecretStats>, ids: Map<string, string>, counts: VaultCounts, now: Date) {
  if (stats.size === 0) return;
  const rows = [...stats.entries()];
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const result = await tx.$queryRaw<{ id: string; ref: string; inserted: boolean }[]>`
    INSERT INTO secret (id, source, ref, "displayName", "firstSeenAt", "lastEventAt", "lastRotatedAt", "createdAt", "updatedAt")
    SELECT u.id, u.source, u.ref, u.display, u.first::timestamp, u.last::timestamp, u.rotated::timestamp, ${now.toISOString()}::timestamp, ${now.toISOString()}::timestamp
    FROM unnest(
      ${rows.map(() => randomUUID())}::text[],
      ${rows.map(([, s]) => s.source)}::text[],
      ${rows.map(([ref]) => ref)}::text[],
      ${rows.map(([ref]) => secretDisplayName(ref))}::text[],
      ${rows.map(([, s]) => iso(s.first))}::text[],
      ${rows.map(([, s]) => iso(s.last))}::text[],
      ${rows.map(([, s]) => iso(s.rotated))}::text[]
    ) AS u(id, source, ref, display, first, last, rotated)
    ON CONFLICT (ref) DO UPDATE SET
      "firstSeenAt" = LEAST(secret."firstSeenAt", EXCLUDED."firstSeenAt"),
      "lastEventAt" = GREATEST(secret."lastEventAt", EXCLUDED."lastEventAt"),
      "lastRotatedAt" = GREATEST(secret."lastRotatedAt", EXCLUDED."lastRotatedAt"),
      "updatedAt" = EXCLUDED."updatedAt"
    RETURNING id, ref, (xmax = 0) AS inserted`;
  for (const r of result) {
    if (!ids.has(r.ref)) {
      if (r.inserted) counts.secretsCreated += 1;
      else counts.secretsUpdated += 1;
    }
    ids.set(r.ref, r.id);
  }
}

async function upsertRollups(tx: Tx, buckets: Bucket[], ids: Map<string, string>, runId: string): Promise<number> {
  if (buckets.length === 0) return 0;
  // Addresses travel as one newline-joined text per row (unnest cannot take ragged 2-D arrays).
  return tx.$executeRaw`
    INSERT INTO secret_access_rollup ("secretId", "hourStart", identity, operation, count, denied, "sourceAddresses", "ingestRunId")
    SELECT u.secret_id, u.hour::timestamp, u.identity, u.operation, u.count, u.denied,
      CASE WHEN u.addrs = '' THEN '{}'::text[] ELSE string_to_array(u.addrs, chr(10)) END, ${runId}
    FROM unnest(
      ${buckets.map((b) => ids.get(b.secretRef) ?? "")}::text[],
      ${buckets.map((b) => new Date(b.hourStart).toISOString())}::text[],
      ${buckets.map((b) => b.identity)}::text[],
      ${buckets.map((b) => b.operation)}::text[],
      ${buckets.map((b) => b.count)}::int[],
      ${buckets.map((b) => b.denied)}::int[],
      ${buckets.map((b) => [...b.addresses].map((a) => a.replace(/\n/g, " ")).join("\n"))}::text[]
    ) AS u(secret_id, hour, identity, operation, count, denied, addrs)
    ON CONFLICT ("secretId", "hourStart", identity, operation) DO UPDATE SET
      count = secret_access_rollup.count + EXCLUDED.count,
      denied = secret_access_rollup.denied + EXCLUDED.denied,
      "sourceAddresses" = coalesce((
        SELECT array_agg(a) FROM (
          SELECT DISTINCT a FROM unnest(secret_access_rollup."sourceAddresses" || EXCLUDED."sourceAddresses") AS a ORDER BY a LIMIT ${MAX_ADDRESSES}
        ) s), '{}'::text[]),
      "ingestRunId" = EXCLUDED."ingestRunId"`;
}

async function upsertNetworks(tx: Tx, buckets: NetworkBucket[], ids: Map<string, string>, runId: string): Promise<number> {
  const rows = buckets.flatMap((b) => [...b.networks].map(([network, n]) => ({ secretId: ids.get(b.secretRef) ?? "", identity: b.identity, day: b.dayStart, network, ...n })));
  if (rows.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO secret_access_network ("secretId", identity, day, network, events, reads, "ingestRunId")
    SELECT u.secret_id, u.identity, u.day::timestamp, u.network, u.events, u.reads, ${runId}
    FROM unnest(
      ${rows.map((r) => r.secretId)}::text[],
      ${rows.map((r) => r.identity)}::text[],
      ${rows.map((r) => new Date(r.day).toISOString())}::text[],
      ${rows.map((r) => r.network)}::text[],
      ${rows.map((r) => r.events)}::int[],
      ${rows.map((r) => r.reads)}::int[]
    ) AS u(secret_id, identity, day, network, events, reads)
    ON CONFLICT ("secretId", identity, day, network) DO UPDATE SET
      events = secret_access_network.events + EXCLUDED.events,
      reads = secret_access_network.reads + EXCLUDED.reads,
      "ingestRunId" = EXCLUDED."ingestRunId"`;
}
