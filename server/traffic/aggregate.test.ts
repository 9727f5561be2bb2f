import { describe, expect, it } from "vitest";
import type { TrafficEvent } from "@/server/ingest/contract";
import { type Attribution, pickSamples, SAMPLE_LIMIT, SAMPLE_MIN_OK, type SampleEvent, TrafficAggregator } from "./aggregate";

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

describe("TrafficAggregator samples", () => {
  const at = (scopeKey: string, pathTemplate: string): Attribution => ({ scopeKey, apiId: scopeKey, endpointId: null, host: null, pathTemplate, matched: false, params: null });
  const event = (t: number, path: string, principal: string, status = 200): TrafficEvent => ({ time: t, method: "get", path, status, principal });

  it("keys samples by client × hour (across Apis) and endpoint × hour, never endpoint × client", () => {
    const agg = new TrafficAggregator(10);
    const t = Date.UTC(2025, 0, 1, 10);
    for (const api of ["a", "b"]) for (const path of ["/p", "/q"]) for (const who of ["u1", "u2", "u3"]) agg.add(event(t, path, who), at(api, path));
    agg.add(event(t + 3_600_000, "/p", "u1"), at("a", "/p")); // next hour: new keys
    const keys = [...agg.samples.values()].map((s) => `${s.scopeKey} ${s.method} ${s.pathTemplate} ${s.clientKey} ${s.hourStart - t}`).sort();
    expect(keys).toEqual(
      [
        "* * * u1 0",
        "* * * u2 0",
        "* * * u3 0",
        "a GET /p * 0",
        "a GET /q * 0",
        "b GET /p * 0",
        "b GET /q * 0",
        "* * * u1 3600000",
        "a GET /p * 3600000",
      ].sort(),
    );
    const u1 = [...agg.samples.values()].find((s) => s.clientKey === "u1" && s.hourStart === t);
    expect(u1?.ok.map((e) => [e.scope, e.template])).toEqual([
      ["a", "/p"],
      ["a", "/q"],
      ["b", "/p"],
      ["b", "/q"],
    ]);
    const ap = [...agg.samples.values()].find((s) => s.scopeKey === "a" && s.pathTemplate === "/p" && s.hourStart === t);
    expect(ap?.ok.map((e) => e.client)).toEqual(["u1", "u2", "u3"]);
    expect(ap?.ok[0]?.scope).toBeUndefined();
  });

  it("stops collecting for a key once nothing can change its selection, also across flushes", () => {
    const agg = new TrafficAggregator(10);
    const t = Date.UTC(2025, 0, 1, 10);
    for (let i = 0; i < SAMPLE_MIN_OK; i++) agg.add(event(t + i, "/p", "u"), at("a", "/p"));
    for (let i = 0; i < SAMPLE_LIMIT - SAMPLE_MIN_OK; i++) agg.add(event(t + 100 + i, "/p", "u", 403), at("a", "/p"));
    expect(agg.takeSamples(true)).toHaveLength(2);
    expect(agg.sampleEvents).toBe(0);
    agg.clear();
    agg.add(event(t + 500, "/p", "u", 500), at("a", "/p"));
    expect(agg.samples.size).toBe(0);
  });

  it("takeSamples(false) hands over the keys of hours well before the latest one and keeps the recent ones", () => {
    const agg = new TrafficAggregator(10);
    const t = Date.UTC(2025, 0, 1, 10);
    for (let h = 0; h < 4; h++) agg.add(event(t + h * 3_600_000, "/p", "u"), at("a", "/p"));
    expect(agg.sampleEvents).toBe(8);
    const taken = agg.takeSamples(false);
    expect(taken.map((s) => (s.hourStart - t) / 3_600_000).sort()).toEqual([0, 0, 1, 1]);
    expect([...agg.samples.values()].map((s) => (s.hourStart - t) / 3_600_000).sort()).toEqual([2, 2, 3, 3]);
    expect(agg.sampleEvents).toBe(4);
  });
});
