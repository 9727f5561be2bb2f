import { describe, expect, it } from "vitest";
import type { TrafficEvent } from "@/server/domain/records";
import { addToDay, type Attribution, pickSamples, SAMPLE_LIMIT, SAMPLE_MIN_OK, type SampleEvent, TrafficAggregator, ValueHasher } from "./aggregate";
import { HyperLogLog } from "./hll";

const ev = (i: number, status: number): SampleEvent => ({ time: new Date(1_000_000 + i * 1000).toISOString(), method: "GET", path: `/x/${i}`, status, client: "c" });

describe("pickSamples", () => {
  it("keeps up to SAMPLE_MIN_OK 2xx events, fills with non-2xx, then with more 2xx; sorted by time", () => {
    const ok = Array.from({ length: 20 }, (_, i) => ev(i, 200));
    const other = Array.from({ length: 20 }, (_, i) => ev(100 + i, 500));
    const both = pickSamples(ok, other);
    expect(both).toHaveLength(SAMPLE_LIMIT);
    expect(both.filter((e) => e.status === 200)).toEqual(ok.slice(0, SAMPLE_MIN_OK));
    expect(both.filter((e) => e.status === 500)).toEqual(other.slice(0, SAMPLE_LIMIT - SAMPLE_MIN_OK));
    expect(pickSamples(ok, other.slice(0, 3)).map((e) => e.status)).toEqual([...Array(17).fill(200), 500, 500, 500]);
    expect(pickSamples(ok.slice(0, 2), other.slice(0, 3))).toHaveLength(5);
    expect(pickSamples([], other)).toEqual(other);
    // Sorted by time, whichever list an event came from.
    expect(pickSamples([ev(5, 200)], [ev(1, 404)]).map((e) => e.status)).toEqual([404, 200]);
  });
});

const HOUR = 3_600_000;
const opts = { paramCap: 10, paramFloor: 3, paramDayCap: 50, salt: "test-salt", minuteFloor: 5, isAuthEndpoint: (a: Attribution) => a.pathTemplate === "/login" };
const at = (scopeKey: string, pathTemplate: string, params: Record<string, string> | null = null): Attribution => ({
  scopeKey,
  apiId: scopeKey,
  endpointId: null,
  host: null,
  pathTemplate,
  matched: false,
  params,
});
const event = (t: number, path: string, principal: string, status = 200, responseBytes?: number): TrafficEvent => ({
  time: t,
  method: "get",
  path,
  status,
  principal,
  ...(responseBytes === undefined ? {} : { responseBytes }),
});

describe("TrafficAggregator tiers", () => {
  const t = Date.UTC(2025, 0, 1, 10);

  it("counts per endpoint × hour across clients and per client × scope × day", () => {
    const agg = new TrafficAggregator(opts);
    for (const who of ["u1", "u2", "u3"]) agg.add(event(t, "/p", who, 200, 100), at("a", "/p"));
    agg.add(event(t + 1000, "/p", "u1", 403, 10), at("a", "/p"));
    agg.add(event(t + HOUR, "/p", "u1", 500), at("a", "/p"));
    agg.add(event(t + 2000, "/q", "u1", 429), at("b", "/q"));
    const hours = [...agg.endpointHours.values()].map((r) => `${r.scopeKey} ${r.pathTemplate} ${(r.hourStart - t) / HOUR} ${r.requests} ${r.s2}/${r.s403}/${r.s5}/${r.s429} ${r.bytes}`);
    expect(hours.sort()).toEqual(["a /p 0 4 3/1/0/0 310", "a /p 1 1 0/0/1/0 0", "b /q 0 1 0/0/0/1 0"]);
    const days = [...agg.clientDays.values()].map((d) => `${d.scopeKey} ${d.clientKey} ${d.requests} ${d.s403} ${d.s5} ${d.s429} ${d.bytes}`);
    expect(days.sort()).toEqual(["a u1 3 1 1 0 110", "a u2 1 0 0 0 100", "a u3 1 0 0 0 100", "b u1 1 0 0 1 0"]);
  });

  it("keeps a client × endpoint minute only when it is over and busy, or has 401/403 on an auth endpoint", () => {
    const agg = new TrafficAggregator(opts);
    for (let i = 0; i < 5; i++) agg.add(event(t + i, "/p", "busy"), at("a", "/p")); // at the floor
    for (let i = 0; i < 4; i++) agg.add(event(t + i, "/p", "quiet"), at("a", "/p")); // just below
    agg.add(event(t + 5, "/login", "guesser", 401), at("a", "/login"));
    agg.add(event(t + 6, "/other", "denied", 403), at("a", "/other")); // not an auth endpoint
    agg.add(event(t + 60_000, "/p", "x"), at("a", "/p"));
    expect(agg.readyMinutes).toEqual([]); // minute 0 is not over yet
    agg.add(event(t + 2 * 60_000, "/p", "x"), at("a", "/p"));
    expect(agg.readyMinutes.map((m) => `${m.clientKey} ${m.requests} ${m.failures}`).sort()).toEqual(["busy 5 0", "guesser 1 1"]);
    agg.closeAll();
    expect(agg.readyMinutes).toHaveLength(2);
  });

  it("merges a minute that comes back after it was closed (late events) instead of repeating its key", () => {
    const agg = new TrafficAggregator(opts);
    for (let i = 0; i < 5; i++) agg.add(event(t + i, "/p", "busy"), at("a", "/p"));
    agg.add(event(t + 3 * 60_000, "/p", "x"), at("a", "/p")); // closes minute 0
    for (let i = 0; i < 5; i++) agg.add(event(t + 10 + i, "/p", "busy"), at("a", "/p")); // late: minute 0 again
    agg.closeAll();
    expect(agg.readyMinutes.map((m) => `${m.clientKey} ${m.minuteStart - t} ${m.requests}`)).toEqual(["busy 0 10"]);
  });

  it("judges each endpoint's minute on its own, also for a client busy enough to have its requests folded early", () => {
    const agg = new TrafficAggregator(opts);
    // Spread over two endpoints: 8 requests in all, 4 on each (below the floor of 5 each).
    for (let i = 0; i < 8; i++) agg.add(event(t + i, i % 2 ? "/p" : "/q", "spread"), at("a", i % 2 ? "/p" : "/q"));
    // A scraper: 1,500 requests on /p, 3 on /q, two of them throttled, in one minute.
    for (let i = 0; i < 1500; i++) agg.add(event(t + 10 + (i % 50_000), "/p", "scraper", i < 2 ? 429 : 200), at("a", "/p"));
    for (let i = 0; i < 3; i++) agg.add(event(t + 20 + i, "/q", "scraper"), at("a", "/q"));
    agg.closeAll();
    expect(agg.readyMinutes.map((m) => `${m.clientKey} ${m.pathTemplate} ${m.requests} ${m.s429}`)).toEqual(["scraper /p 1500 2"]);
  });

  it("counts distinct parameter values per key, capped, for a client that lists very many", () => {
    const agg = new TrafficAggregator(opts);
    for (let i = 0; i < 2000; i++) agg.add(event(t + i, `/u/${i % 700}`, "enum"), at("a", "/u/{id}", { id: String(i % 700) }));
    for (let i = 0; i < 2; i++) agg.add(event(t + i, `/o/${i}`, "enum"), at("a", "/o/{id}", { id: String(i) }));
    agg.closeAll();
    expect(agg.readyParams.map((p) => `${p.clientKey} ${p.pathTemplate} ${p.hashes.size}`)).toEqual(["enum /u/{id} 10"]);
  });

  it("keeps parameter keys with enough distinct values once the hour is over", () => {
    const agg = new TrafficAggregator(opts);
    for (let i = 0; i < 3; i++) agg.add(event(t + i, `/u/${i}`, "enum"), at("a", "/u/{id}", { id: String(i) }));
    for (let i = 0; i < 2; i++) agg.add(event(t + i, `/u/${i}`, "few"), at("a", "/u/{id}", { id: String(i) }));
    agg.add(event(t + HOUR, "/u/1", "later"), at("a", "/u/{id}", { id: "1" }));
    expect(agg.readyParams).toEqual([]);
    agg.add(event(t + 2 * HOUR, "/u/1", "later"), at("a", "/u/{id}", { id: "1" }));
    expect(agg.readyParams.map((p) => `${p.clientKey} ${p.paramName} ${p.hashes.size}`)).toEqual(["enum id 3"]);
  });

  it("under memory pressure writes parameter keys with two or more values and drops the single ones", () => {
    const hold = 1_000;
    const agg = new TrafficAggregator({ ...opts, paramHoldValues: hold });
    agg.add(event(t, "/u/1", "two"), at("a", "/u/{id}", { id: "1" }));
    agg.add(event(t, "/u/2", "two"), at("a", "/u/{id}", { id: "2" }));
    for (let i = 0; i < hold - 2; i++) agg.add(event(t, "/u/1", `c${i}`), at("a", "/u/{id}", { id: "1" }));
    expect(agg.readyParams).toEqual([]); // at the bound: nothing spilled yet
    agg.add(event(t, "/u/1", "one-more"), at("a", "/u/{id}", { id: "1" }));
    expect(agg.readyParams.map((p) => `${p.clientKey} ${p.hashes.size}`)).toEqual(["two 2"]);
    agg.closeAll();
    expect(agg.readyParams).toHaveLength(1);
  });
});

describe("TrafficAggregator day keys (slow enumeration)", () => {
  const t = Date.UTC(2025, 0, 1, 10);
  const dayOf = (agg: TrafficAggregator) => agg.readyParamDays.map((d) => `${d.clientKey} ${d.paramName} ${d.hashes?.size ?? "sketch"} ${new Date(d.day).toISOString().slice(0, 10)}`).sort();

  it("feeds each closed hour's keys with at least three distinct values into the client × endpoint × parameter × UTC day", () => {
    const agg = new TrafficAggregator(opts);
    // Hours 10 and 11 of one day: 3 + 3 values, one repeated; a key with two values an hour does not count.
    for (const h of [0, 1]) {
      for (let i = 0; i < 3; i++) agg.add(event(t + h * HOUR + i, `/u/${h * 2 + i}`, "slow"), at("a", "/u/{id}", { id: String(h * 2 + i), "?phone": `+44${h * 2 + i}0000000` }));
      for (let i = 0; i < 2; i++) agg.add(event(t + h * HOUR, `/u/${9 + i}`, "pair"), at("a", "/u/{id}", { id: String(9 + h * 2 + i) }));
    }
    agg.closeAll();
    expect(dayOf(agg)).toEqual(["slow ?phone 5 2025-01-01", "slow id 5 2025-01-01"]);
    // Never the raw values: hashes only.
    expect(JSON.stringify(agg.readyParamDays.map((d) => [...(d.hashes ?? [])]))).not.toContain("+44");
  });

  it("keeps a day key exact up to its cap and as a sketch past it, whichever hours bring the values", () => {
    const agg = new TrafficAggregator({ ...opts, paramCap: 1_000, paramFloor: 500, paramDayCap: 50 });
    for (let h = 0; h < 3; h++) for (let i = 0; i < 20; i++) agg.add(event(t + h * HOUR + i, "/u", "walker"), at("a", "/u/{id}", { id: `${h}-${i}` }));
    for (let i = 0; i < 50; i++) agg.add(event(t + i, "/u", "exact"), at("a", "/u/{id}", { id: String(i) }));
    agg.closeAll();
    const [exact, walker] = agg.readyParamDays.sort((a, b) => a.clientKey.localeCompare(b.clientKey));
    expect(exact?.hashes?.size).toBe(50);
    expect(exact?.sketch).toBeNull();
    expect(walker?.hashes).toBeNull();
    const estimate = new HyperLogLog(walker?.sketch ?? undefined).estimate();
    expect(estimate).toBeGreaterThanOrEqual(58);
    expect(estimate).toBeLessThanOrEqual(62);
  });

  it("merges day keys the same in any order: addToDay is a union", () => {
    const hashes = Array.from({ length: 120 }, (_, i) => new ValueHasher("s").hash(String(i)));
    const row = () => ({ scopeKey: "a", method: "GET", pathTemplate: "/u", clientKey: "c", day: 0, paramName: "id", hashes: new Set<number>(), sketch: null as Uint8Array | null });
    const a = row();
    addToDay(a, hashes.slice(0, 70), 100);
    addToDay(a, hashes.slice(50), 100);
    const b = row();
    addToDay(b, hashes.slice(50), 100);
    addToDay(b, hashes.slice(0, 70), 100);
    const all = new HyperLogLog();
    for (const h of hashes) all.add(h);
    expect(a.sketch).toEqual(all.registers);
    expect(b.sketch).toEqual(all.registers);
    const small = row();
    addToDay(small, hashes.slice(0, 60), 100);
    addToDay(small, hashes.slice(30, 90), 100);
    expect(small.hashes?.size).toBe(90);
  });
});

describe("TrafficAggregator samples", () => {
  it("keys samples by client × day (across Apis) and endpoint × day, never endpoint × client", () => {
    const agg = new TrafficAggregator(opts);
    const t = Date.UTC(2025, 0, 1, 10);
    const day = Date.UTC(2025, 0, 1);
    for (const api of ["a", "b"]) for (const path of ["/p", "/q"]) for (const who of ["u1", "u2", "u3"]) agg.add(event(t, path, who), at(api, path));
    agg.add(event(t + HOUR, "/p", "u1"), at("a", "/p")); // next hour, same day: the same keys
    agg.add(event(t + 24 * HOUR, "/p", "u1"), at("a", "/p")); // next day: new keys
    const keys = [...agg.samples.values()].map((s) => `${s.scopeKey} ${s.method} ${s.pathTemplate} ${s.clientKey} ${(s.hourStart - day) / HOUR}`).sort();
    expect(keys).toEqual(
      ["* * * u1 0", "* * * u2 0", "* * * u3 0", "a GET /p * 0", "a GET /q * 0", "b GET /p * 0", "b GET /q * 0", "* * * u1 24", "a GET /p * 24"].sort(),
    );
    const u1 = [...agg.samples.values()].find((s) => s.clientKey === "u1" && s.hourStart === day);
    expect(u1?.ok.map((e) => [e.scope, e.template])).toEqual([
      ["a", "/p"],
      ["a", "/q"],
      ["b", "/p"],
      ["b", "/q"],
      ["a", "/p"],
    ]);
    const ap = [...agg.samples.values()].find((s) => s.scopeKey === "a" && s.pathTemplate === "/p" && s.hourStart === day);
    expect(ap?.ok.map((e) => e.client)).toEqual(["u1", "u2", "u3", "u1"]);
    expect(ap?.ok[0]?.scope).toBeUndefined();
  });

  it("stops collecting for a key once nothing can change its selection, also across flushes", () => {
    const agg = new TrafficAggregator(opts);
    const t = Date.UTC(2025, 0, 1, 10);
    for (let i = 0; i < SAMPLE_MIN_OK; i++) agg.add(event(t + i, "/p", "u"), at("a", "/p"));
    for (let i = 0; i < SAMPLE_LIMIT - SAMPLE_MIN_OK; i++) agg.add(event(t + 100 + i, "/p", "u", 403), at("a", "/p"));
    expect(agg.takeSamples(true)).toHaveLength(2);
    expect(agg.sampleEvents).toBe(0);
    agg.clear();
    agg.add(event(t + 500, "/p", "u", 500), at("a", "/p"));
    expect(agg.samples.size).toBe(0);
  });

  it("hands a key over as soon as its selection is final, trimmed to that selection, and holds nothing more of it", () => {
    const agg = new TrafficAggregator(opts);
    const t = Date.UTC(2025, 0, 1, 10);
    // 12 × 2xx, then 2xx and 403 alternating: the key is final at its 15th 403 (with ≥ 5 2xx held).
    const events: TrafficEvent[] = [];
    for (let i = 0; i < 12; i++) events.push(event(t + i, `/p/${i}`, "u"));
    for (let i = 0; i < 40; i++) events.push(event(t + 100 + i, `/p/x${i}`, "u", i % 2 ? 403 : 200));
    let readyAt = -1;
    events.forEach((e, i) => {
      agg.add(e, at("a", "/p"));
      if (readyAt === -1 && agg.readySampleEvents > 0) readyAt = i;
    });
    expect(readyAt).toBe(12 + 2 * (SAMPLE_LIMIT - SAMPLE_MIN_OK) - 1);
    const ready = agg.takeReadySamples();
    // Both keys (client × day and endpoint × day) saturate together; each keeps exactly pickSamples' choice.
    expect(ready).toHaveLength(2);
    for (const row of ready) {
      expect(row.ok).toHaveLength(SAMPLE_MIN_OK);
      expect(row.other).toHaveLength(SAMPLE_LIMIT - SAMPLE_MIN_OK);
      expect(pickSamples(row.ok, row.other).map((e) => e.path)).toEqual([
        ...events.slice(0, SAMPLE_MIN_OK).map((e) => e.path),
        ...events.filter((e) => e.status === 403).slice(0, SAMPLE_LIMIT - SAMPLE_MIN_OK).map((e) => e.path),
      ]);
    }
    expect(agg.sampleEvents).toBe(0);
    expect(agg.readySampleEvents).toBe(0);
    expect(agg.samples.size).toBe(0);
    agg.add(event(t + 900, "/p/late", "u", 500), at("a", "/p"));
    expect(agg.sampleEvents).toBe(0);
    expect(agg.takeSamples(true)).toEqual([]);
  });

  it("takeSamples(false) hands over the keys of days that ended at least an hour before the latest hour", () => {
    const agg = new TrafficAggregator(opts);
    const t = Date.UTC(2025, 0, 1, 20);
    for (let h = 0; h < 5; h++) agg.add(event(t + h * HOUR, "/p", "u"), at("a", "/p")); // 20:00 … 00:00 next day
    expect(agg.takeSamples(false)).toEqual([]); // the first day's last hour (23:00) is the hour before the latest
    agg.add(event(t + 5 * HOUR, "/p", "u"), at("a", "/p")); // 01:00
    expect(agg.sampleEvents).toBe(12);
    const taken = agg.takeSamples(false);
    expect(taken.map((s) => `${s.clientKey} ${s.hourStart === Date.UTC(2025, 0, 1)} ${s.ok.length}`).sort()).toEqual(["* true 4", "u true 4"]);
    expect(agg.sampleEvents).toBe(4);
  });
});
