/**
 * Differential tests of scanKongLine against handle() (JSON.parse + entry()): whenever the scanner answers, its answer
 * must be exactly handle()'s. Real lines, generated lines, the parser tests' objects and a few thousand deterministic
 * mutations (syntax damage, duplicate and escaped keys, values of other types, odd numbers, non-ASCII text), scanned
 * in sequence so that the learned templates are exercised as well as the full scan.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createRng } from "@/server/demo/prng";
import { type GenEvent, KONG_ENTRY, KONG_FALLBACK_ENTRY, kongLine } from "@/server/traffic/test-helpers";
import { SAMPLES_DIR } from "../../../test-utils";
import { handle } from "./parser";
import type { scanKongLine as ScanKongLine } from "./scan";

/** A fresh module (no templates learned, none paused) for each test: what a test checks does not depend on order. */
let scanKongLine: typeof ScanKongLine;
beforeEach(async () => {
  vi.resetModules();
  ({ scanKongLine } = await import("./scan"));
});

const sampleLines = readFileSync(path.join(SAMPLES_DIR, "gateway-logs/kong-file-log-3.8-docs-example.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "");

/** A seeded generator's floats in [0, 1) (server/demo/prng.ts). */
function prng(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

/** Checks one line; returns whether the scanner answered (false: it left the line to handle()). */
function check(line: string): boolean {
  const scanned = scanKongLine(line, 0, line.length);
  if (scanned === undefined) return false;
  const expected = handle(line);
  expect(scanned, line).toStrictEqual(expected);
  // same property order as entry() builds
  if (typeof expected === "object" && !Array.isArray(expected)) expect(Object.keys(scanned as object)).toEqual(Object.keys(expected));
  return true;
}

/** Generated Kong lines with varied events (consumers or not, http/https, queries, rate-limit headers, services). */
function generatedEvents(count: number, seed: number): GenEvent[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, i) => ({
    time: 1_740_000_000_000 + i * 37 + Math.floor(rnd() * 1000),
    method: pick(rnd, ["GET", "POST", "put", "DELETE", "PATCH"]),
    host: pick(rnd, ["shop.example.com", "API.Example.com:8443", "legacy.example.com", "localhost:8000"]),
    path: `/v1/${pick(rnd, ["users", "orders", "items"])}/${Math.floor(rnd() * 5000)}${rnd() < 0.3 ? "?page=2&api_key=k" : ""}`,
    status: pick(rnd, [200, 201, 204, 304, 401, 404, 429, 500]),
    bytes: Math.floor(rnd() * 20_000),
    latencyMs: Math.floor(rnd() * 400),
    ...(rnd() < 0.4 ? { consumer: `consumer-${Math.floor(rnd() * 50)}` } : { ip: `198.51.${Math.floor(rnd() * 200)}.${Math.floor(rnd() * 250)}` }),
    scheme: rnd() < 0.2 ? ("http" as const) : ("https" as const),
    ...(rnd() < 0.3 ? { service: pick(rnd, ["orders", "users", "legacy"]) } : {}),
    ...(rnd() < 0.15 ? { rateLimitHeaders: true } : {}),
  }));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Structural variations of a generated line: header arrays, X-Forwarded-For, missing or odd fields. */
function varied(line: string, rnd: () => number): string {
  const o = JSON.parse(line) as JsonObject;
  const request = o.request as JsonObject;
  const headers = request.headers as JsonObject;
  const r = rnd();
  if (r < 0.15) headers["x-forwarded-for"] = pick(rnd, ["203.0.113.9:4711, 10.0.0.1", "unknown, 10.0.0.2", "-", "[2001:db8::1]:443", ""]);
  else if (r < 0.25) headers["user-agent"] = ["ua-1", "ua-2"];
  else if (r < 0.35) delete request.uri;
  else if (r < 0.42) delete o.response;
  else if (r < 0.5) o.response = null;
  else if (r < 0.55) delete o.started_at;
  else if (r < 0.6) o.started_at = String(o.started_at);
  else if (r < 0.65) o.started_at = 1_740_000_000.5;
  else if (r < 0.7) delete headers.host;
  else if (r < 0.75) (o.route as JsonObject).name = "-";
  else if (r < 0.8) delete o.service;
  else if (r < 0.85) o.consumer = { custom_id: "cust-1", id: "c-1" };
  return JSON.stringify(o);
}

describe("scanKongLine", () => {
  it("reads every line of the real Kong 3.8 sample exactly as handle() does, without falling back", () => {
    for (const line of sampleLines) expect(check(line)).toBe(true);
    // again, now that a template was learned from them
    for (const line of sampleLines) expect(check(line)).toBe(true);
  });

  it("scans benchmark-style generated lines (never falls back) and varied ones", () => {
    const lines = generatedEvents(3000, 7).map(kongLine);
    let fallbacks = 0;
    for (const line of lines) if (!check(line)) fallbacks++;
    expect(fallbacks).toBe(0);
    const rnd = prng(11);
    for (const line of lines.slice(0, 1500)) {
      const v = varied(line, rnd);
      expect(check(v)).toBe(true);
      // a plain generated line after each varied one, so that both templates and full scans see both shapes
      expect(check(line)).toBe(true);
    }
  });

  it("reads a line given as a range of a bigger string", () => {
    for (const line of [...sampleLines, ...generatedEvents(50, 3).map(kongLine)]) {
      const expected = handle(line);
      const batch = `xx\n${line}\nyy`;
      expect(scanKongLine(batch, 3, 3 + line.length)).toStrictEqual(expected);
      const padded = `{"a":1}\n  ${line}\t\r\n{`;
      expect(scanKongLine(padded, 8, padded.length - 2)).toStrictEqual(handle(padded.slice(8, padded.length - 2)));
    }
    // a cut line must not be completed by what follows it in the batch
    const line = sampleLines[0] as string;
    for (let cut = 1; cut < line.length; cut += 7) {
      const batch = `${line.slice(0, cut)}\n${line.slice(cut)}`;
      const scanned = scanKongLine(batch, 0, cut);
      if (scanned !== undefined) expect(scanned).toStrictEqual(handle(line.slice(0, cut)));
    }
  });

  it("matches the parser tests' objects and their variations", () => {
    const base = KONG_ENTRY;
    const entry = KONG_FALLBACK_ENTRY;
    const objects: unknown[] = [
      base,
      entry,
      { ...entry, response: { status: 200, headers: { "x-ratelimit": "no" } } },
      { request: {} },
      { ...base, started_at: "x" },
      { ...base, started_at: "1700000000.5" },
      { ...base, started_at: 1700000000 },
      { ...base, request: { ...base.request, method: 7 } },
      { ...base, request: { ...base.request, uri: "*", url: undefined } },
      { ...base, request: { ...base.request, uri: undefined, url: "https://h.example.com" } },
      { ...base, request: { ...base.request, uri: "/p", url: "https://h.example.com/p?q=1#f" } },
      { ...base, request: "GET /" },
      { ...base, request: null },
      { ...base, response: [] },
      { ...base, response: { status: "404", size: "-", headers: [] } },
      { ...base, response: { status: null, size: "1e400" } },
      { ...base, route: { name: 12, paths: "/x" } },
      { ...base, route: { paths: [], id: "" } },
      { ...base, route: { paths: [["/nested"]], id: "r" } },
      { ...base, route: { paths: [7] } },
      { ...base, service: { name: "", host: "-", id: 5 } },
      { ...base, consumer: { username: "-", custom_id: null, id: "c" } },
      { ...base, consumer: [], authenticated_entity: "x" },
      { ...base, latencies: { request: "15" } },
      { ...base, latencies: [12] },
      { ...base, client_ip: "[2001:db8::2]:443", request: { ...base.request, headers: { host: ["H1.example", "h2"] } } },
      { ...base, request: { ...base.request, headers: { host: [], "x-forwarded-for": ["a, b"] } } },
      { ...base, request: { ...base.request, headers: { host: [null], "user-agent": {} } } },
      [base, { ...base, started_at: 1700000000999 }],
      [],
      "just a string",
      42,
      null,
    ];
    let scanned = 0;
    for (const o of objects) {
      const line = JSON.stringify(o);
      if (check(line)) scanned++;
      if (check(line)) scanned++; // second time: through a template if one was learned
    }
    expect(scanned).toBeGreaterThan(40);
    // "__proto__" as a JSON key is an ordinary own property for JSON.parse
    expect(check('{"__proto__":{"request":1},"request":{"method":"GET","uri":"/"},"started_at":1}')).toBe(true);
    // a top-level array (http-log batch) is left to handle()
    expect(scanKongLine(JSON.stringify([base]), 0, JSON.stringify([base]).length)).toBeUndefined();
  });

  it("keeps the last of duplicate keys and decodes escaped keys, at every level read", () => {
    const line = kongLine({ time: 1_740_000_000_000, path: "/a?b=1", consumer: "dup" });
    const variants = [
      line.replace('{"response":', '{"started_at":1,"request":{"method":"PUT","uri":"/first"},"response":'),
      line.replace(/}$/, ',"started_at":1700000000001}'),
      line.replace(/}$/, ',"request":{"method":"DELETE","url":"http://x.example.com/y"}}'),
      line.replace(/}$/, ',"request":5}'),
      line.replace(/}$/, ',"response":{"status":503}}'),
      line.replace(/}$/, ',"route":null,"service":{"name":"late"}}'),
      line.replace(/}$/, ',"consumer":{"id":"second"}}'),
      line.replace('"method":"GET"', '"method":"GET","method":"post"'),
      line.replace('"uri":"/a?b=1"', '"uri":"/a?b=1","uri":"/b","uri":"/c?d"'),
      line.replace('"host":"localhost:8000"', '"host":"localhost:8000","host":["A.example","B"]'),
      line.replace('"user-agent":"HTTPie/3.2.3"', '"user-agent":"one","user-agent":"two"'),
      line.replace('"status":200', '"status":200,"headers":{"RateLimit-Limit":"1"}'),
      line.replace('"headers":{"content-type"', '"headers":{"x-ratelimit-remaining":"1"},"headers":{"content-type"'),
      line.replace('"name":"example_route"', '"name":"example_route","name":"-"'),
      line.replace('"host"', '"ho\\u0073t"'),
      line.replace('"request":{', '"\\u0072equest":{'),
      line.replace('"started_at"', '"started\\u005fat"'),
      line.replace('"method"', '"m\\u0065thod"'),
      line.replace('"uri"', '"\\u0075ri"'),
      line.replace('"content-type"', '"RateLimit\\u002dLimit"'),
      line.replace('"content-type"', '"X-RateLimit-\\u0052emaining"'),
      line.replace('"content-type"', '"ratelimit"'),
      line.replace('"content-type"', '"RATELIMIT-"'),
      line.replace('"content-type"', '"x-ratelimit-"'),
      line.replace('"content-type"', '"R\u0101teLimit-x"'),
      line.replace('"consumer"', '"c\\u006fnsumer"'),
      line.replace('"username"', '"user\\name"'),
      line.replace('"paths":["/"]', '"paths":["/\\u0070"],"p\\u0061ths":["/q"]'),
      line.replace('"headers":{"content-type"', '"headers":{"__proto__":{"RateLimit-Limit":"1"},"content-type"'),
      line.replace('"headers":{"content-type"', '"headers":{"__proto__":"x","RateLimit":"1","content-type"'),
    ];
    for (const v of variants) {
      check(line);
      expect(check(v), v).toBe(true);
    }
  });

  it("agrees with handle() on thousands of mutated lines (or leaves them to it)", () => {
    const rnd = prng(2024);
    const generated = generatedEvents(40, 99).map(kongLine);
    const seeds = [...sampleLines, ...generated];
    const replacements = ['"', "\\", ",", "}", "]", "{", "[", ":", " ", "\t", "\n", "\r", "\u0000", "\u0001", "\u001f", "0", "1", "9", "-", "+", ".", "e", "E", "a", "t", "n", "é", "€", "\ud800", "😀", "\u2028", "\u000b", "\u000c", "\u00a0", "\ufeff"];
    const values = ["null", "true", "false", "0", "-0", "1e400", "-1e400", "1.5", "01", "1.", ".5", "1e", "-", "1E+2", "0.0e-0", '""', '"-"', '"1700000000"', '" 12 "', "[]", '["x"]', "[1,2]", "{}", '{"a":1}', '"\\ud800"', '"\\u00e9t\\u00e9"', '"caf\u00e9"', '"\\/p\\"q\\\\"', '"\\x"', '"\\u12"', '"tab\there"'];
    const whitespace = ["", " ", "\t", "\r\n", "\u000b", "\u000c", "\u00a0", "\ufeff", "\u2028"];
    let answered = 0;
    let total = 0;
    const run = (line: string) => {
      total++;
      if (check(line)) answered++;
    };

    // truncation at every position of two lines (after a full line, so that a template is in use)
    for (const line of [sampleLines[0] as string, generated[0] as string]) {
      for (let cut = 0; cut <= line.length; cut++) {
        if (cut % 16 === 0) run(line);
        run(line.slice(0, cut));
      }
    }

    for (let n = 0; n < 6000; n++) {
      const line = pick(rnd, seeds);
      run(line); // keeps templates learned from valid lines in use
      const at = Math.floor(rnd() * line.length);
      const kind = Math.floor(rnd() * 8);
      let mutated: string;
      if (kind === 0) mutated = line.slice(0, at) + pick(rnd, replacements) + line.slice(at + 1);
      else if (kind === 1) mutated = line.slice(0, at) + pick(rnd, replacements) + line.slice(at);
      else if (kind === 2) mutated = line.slice(0, at) + line.slice(at + 1 + Math.floor(rnd() * 3));
      else if (kind === 3) {
        // a value after a colon replaced by another
        const colon = line.indexOf(":", at);
        if (colon === -1) continue;
        let end = colon + 1;
        const c = line[end];
        if (c === '"') end = line.indexOf('"', end + 1) + 1;
        else if (c === "{" || c === "[") end = colon + 1;
        else while (end < line.length && !",}]".includes(line[end] as string)) end++;
        mutated = c === "{" || c === "[" ? line.slice(0, colon + 1) + pick(rnd, values) + "," + '"x":' + line.slice(colon + 1) : line.slice(0, colon + 1) + pick(rnd, values) + line.slice(end);
      } else if (kind === 4) {
        // a key repeated with another value, at a random object
        const brace = line.indexOf("{", at);
        if (brace === -1) continue;
        const key = pick(rnd, ["request", "response", "started_at", "method", "uri", "url", "host", "status", "name", "id", "headers", "paths", "username"]);
        mutated = `${line.slice(0, brace + 1)}"${key}":${pick(rnd, values)},${line.slice(brace + 1)}`;
        if (rnd() < 0.5) mutated = mutated.replace(/}$/, `,"${key}":${pick(rnd, values)}}`);
      } else if (kind === 5) {
        // a character of a key or value escaped (same text for JSON.parse), or whitespace inserted between tokens
        const c = line[at] as string;
        if (/[a-z_]/.test(c)) mutated = `${line.slice(0, at)}\\u00${c.charCodeAt(0).toString(16)}${line.slice(at + 1)}`;
        else if (",:{}[]".includes(c)) mutated = `${line.slice(0, at)}${pick(rnd, whitespace)}${c}${pick(rnd, whitespace)}${line.slice(at + 1)}`;
        else continue;
      } else if (kind === 6) {
        // a closing bracket of the other kind
        const close = line.slice(at).search(/[\]}]/);
        if (close === -1) continue;
        const c = line[at + close] === "}" ? "]" : "}";
        mutated = line.slice(0, at + close) + c + line.slice(at + close + 1);
      } else {
        // something after the object
        mutated = line + pick(rnd, ["}", " }", "]", ",", ',"a":1}', " x", line.slice(at), "\u000b", "\ufeff", " \t\r\n"]);
      }
      run(mutated);
    }
    // the mutations are both answered and left to handle() in numbers that show both paths ran
    expect(total).toBeGreaterThan(15_000);
    expect(answered).toBeGreaterThan(total / 2);
    expect(total - answered).toBeGreaterThan(1000);
  });

  it("reads changed values of lines that match a learned template", () => {
    const line = kongLine({ time: 1_740_000_000_000, path: "/a", consumer: "t" });
    const again = kongLine({ time: 1_740_000_000_500, path: "/b?x=1", consumer: "u", status: 404, bytes: 7 });
    for (let k = 0; k < 3; k++) {
      check(line);
      check(again);
    }
    // values in the places that vary, of other kinds and with escapes
    const swaps: [string, string][] = [
      ['"uri":"/b?x=1"', '"uri":"/\\u0062?x=\\"1\\""'],
      ['"uri":"/b?x=1"', '"uri":7'],
      ['"uri":"/b?x=1"', '"uri":"-"'],
      ['"uri":"/b?x=1"', '"uri":""'],
      ['"status":404', '"status":"404"'],
      ['"status":404', '"status":null'],
      ['"status":404', '"status":-0'],
      ['"status":404', '"status":4.04e2'],
      ['"status":404', '"status":1e400'],
      ['"status":404', '"status":01'],
      ['"started_at":1740000000500', '"started_at":1740000000.5'],
      ['"started_at":1740000000500', '"started_at":true'],
      ['"started_at":1740000000500', '"started_at":"1740000000500"'],
      ['"username":"u"', '"username":"\\ud800"'],
      ['"username":"u"', '"username":"\u00e9\u20ac\ud83d\ude00"'],
      ['"username":"u"', '"username":"a\tb"'],
      ['"username":"u"', '"username":"a\\qb"'],
      ['"size":7', '"size":"7"'],
      ['"client_ip":"192.168.65.1"', '"client_ip":"[::1]:80"'],
    ];
    for (const [from, to] of swaps) {
      expect(again.includes(from), from).toBe(true);
      check(again);
      check(again.replace(from, to));
    }
    // after a line a template matches, more text is not JSON
    for (const suffix of ["}", " }", ',"a":1}', "]", "\u000b", again]) {
      check(again);
      expect(scanKongLine(again + suffix, 0, again.length + suffix.length)).toBeUndefined();
    }
  });

  it("reads values of other kinds where a template has numbers, and values inside read arrays", () => {
    const o = JSON.parse(kongLine({ time: 1_740_000_000_000, path: "/a", consumer: "t" })) as JsonObject;
    const request = o.request as JsonObject;
    const route = o.route as JsonObject;
    delete route.name;
    const consumer = o.consumer as JsonObject;
    const numbers: Json[] = [1, 2, 3, 1.5, 1.5e2, -0, true, false, null, 1e21, 0.1, 2 ** 70];
    for (let k = 0; k < 40; k++) {
      // numbers (and literals) in fields read with str(): template tokens of the same kind, other text
      request.method = numbers[k % numbers.length] as Json;
      consumer.username = numbers[(k + 3) % numbers.length] as Json;
      o.client_ip = numbers[(k + 5) % numbers.length] as Json;
      expect(check(JSON.stringify(o))).toBe(true);
    }
    const strings: Json[] = ["/a", "/b", "-", "", "/\\u00e9"];
    for (let k = 0; k < 40; k++) {
      // values inside arrays that are read: route.paths[0] (no route name) and a repeated host header
      route.paths = [strings[k % strings.length] as Json, "/z"];
      (request.headers as JsonObject).host = k % 3 === 0 ? "h.example" : [`H${k % 4}.example`, "other"];
      const line = JSON.stringify(o);
      expect(check(line), line).toBe(true);
      expect(check(line.replace('"/z"', `"/z${k}"`)), line).toBe(true);
    }
  });

  it("never lets a value read from an array vary because it varies in another template", () => {
    // the same text after the last token: "/pN" is free in `other`, but route.paths[0] (read: no route name) in `route`
    const head = '{"request":{"method":"GET","uri":"/"},"started_at":1700000000000,';
    for (let k = 0; k < 4; k++) check(`${head}"other":{"paths":["/p${k}"]}}`);
    expect(check(`${head}"route":{"paths":["/p0"]}}`)).toBe(true);
    for (let k = 0; k < 4; k++) {
      check(`${head}"other":{"paths":["/p${k}"]}}`);
      expect(check(`${head}"route":{"paths":["/q${k}"]}}`)).toBe(true);
    }
  });

  it("leaves strings with invalid escapes or raw control characters to handle(), in full scans and templates", () => {
    const line = kongLine({ time: 1_740_000_000_000, path: "/a", consumer: "t" });
    const other = kongLine({ time: 1_740_000_000_001, path: "/b", consumer: "u" });
    const bad = ["\\a", "\\x41", "\\u12", "\\u12g4", "\\U0041", "\\'", "\\0", "\\", "\t", "\u0000", "\u001f", "\n"];
    for (const b of bad) {
      for (const target of ['"/b"', '"u"', '"upstream"', '"example_service"', '"HTTPie/3.2.3"', '"upstream_uri"']) {
        check(line);
        check(other);
        const mutated = other.replace(target, `${target.slice(0, -1)}${b}${target.slice(-1)}`);
        expect(mutated).not.toBe(other);
        expect(scanKongLine(mutated, 0, mutated.length), mutated).toBeUndefined();
      }
    }
  });
});
