import http from "node:http";
import https from "node:https";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Document, Spectral, type RulesetDefinition } from "@stoplight/spectral-core";
import * as spectralParsers from "@stoplight/spectral-parsers";
import owasp from "@stoplight/spectral-owasp-ruleset";
import { oas } from "@stoplight/spectral-rulesets";
import { parse as parseYaml } from "yaml";
import { GET as openApi } from "@/app/api/v1/openapi.json/route";
import { lintSpec, MAX_EXAMPLES, MAX_RULES } from "./spec-lint";
import { SAMPLES_DIR } from "./test-utils";

const inventory = (name: string) => readFile(path.join(SAMPLES_DIR, "api-inventory", name), "utf8");
const ruleIds = (result: { rules: { rule: string }[] }) => result.rules.map((r) => r.rule);

// Spectral's first run in a process pays for JIT warm-up: generous budgets keep these tests independent of load.
const RELAXED = { timeoutMs: 60_000 };

describe("lintSpec (Spectral oas + OWASP rulesets)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("crAPI: OWASP API Top 10 rules fire, the summary is bounded", async () => {
    const text = await inventory("crapi-openapi-spec.json");
    const result = await lintSpec(JSON.parse(text), RELAXED);
    expect(result.status).toBe("ok");
    expect(result.tool).toBe("spectral");
    expect(result.total).toBeGreaterThan(800);
    expect(result.counts.error + result.counts.warn + result.counts.info + result.counts.hint).toBe(result.total);
    expect(result.counts.error).toBeGreaterThan(0);
    const ids = ruleIds(result);
    expect(ids).toEqual(
      expect.arrayContaining([
        "owasp:api4:2023-rate-limit", // no rate-limit headers on 2xx/4xx responses
        "owasp:api4:2023-rate-limit-responses-429",
        "owasp:api4:2023-string-limit",
        "owasp:api2:2023-jwt-best-practices",
        "owasp:api2:2023-write-restricted",
        "owasp:api8:2023-no-server-http", // http://localhost:8888
        "owasp:api9:2023-inventory-access",
        "info-contact", // from spectral:oas
      ]),
    );
    const rateLimit = result.rules.find((r) => r.rule === "owasp:api4:2023-rate-limit");
    expect(rateLimit).toMatchObject({ severity: "error" });
    expect(rateLimit?.count).toBeGreaterThan(10);
    expect(result.failingOwaspRules).toBeGreaterThanOrEqual(15);
    expect(result.failingRules).toBeGreaterThan(result.failingOwaspRules);
    // Most severe first, then most frequent.
    expect(result.rules[0]).toMatchObject({ rule: "owasp:api4:2023-string-limit", severity: "error" });
    expect(result.rules.length).toBeLessThanOrEqual(MAX_RULES);
    expect(result.examples.length).toBe(MAX_EXAMPLES);
    expect(result.examples).toContainEqual({
      rule: "owasp:api8:2023-no-server-http",
      severity: "error",
      path: "/servers/0/url",
      message: expect.stringMatching(/https/i),
    });
    for (const e of result.examples) expect(e.path).toMatch(/^(\/|$)/);
    expect(JSON.stringify(result).length).toBeLessThan(40_000);
  });

  it("petstore v3 (YAML text or object): OWASP auth, rate-limit and error-response rules", async () => {
    const text = await inventory("swagger-petstore-v3-openapi.yaml");
    const fromText = await lintSpec(text, RELAXED);
    const fromObject = await lintSpec(parseYaml(text), RELAXED);
    expect(fromText.status).toBe("ok");
    expect(ruleIds(fromText)).toEqual(
      expect.arrayContaining([
        "owasp:api2:2023-no-credentials-in-url", // api_key scheme in the query string
        "owasp:api2:2023-short-lived-access-tokens", // oauth2 implicit flow without refreshUrl
        "owasp:api4:2023-rate-limit",
        "owasp:api8:2023-define-error-responses-401",
      ]),
    );
    expect({ ...fromObject, durationMs: 0 }).toEqual({ ...fromText, durationMs: 0 });
  });

  it("Swagger 2.0 petstore: the OWASP rules for Swagger apply too", async () => {
    const result = await lintSpec(JSON.parse(await inventory("swagger2-petstore.json")), RELAXED);
    expect(result.status).toBe("ok");
    expect(ruleIds(result)).toEqual(expect.arrayContaining(["owasp:api8:2023-no-scheme-http", "owasp:api4:2023-string-limit"]));
  });

  it("never fetches an external $ref (http or file): it is reported as invalid-ref", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const httpSpy = vi.spyOn(http, "request");
    const httpGetSpy = vi.spyOn(http, "get");
    const httpsSpy = vi.spyOn(https, "request");
    const httpsGetSpy = vi.spyOn(https, "get");
    const spec = {
      openapi: "3.0.3",
      info: { title: "refs", version: "1" },
      paths: {
        "/a": { get: { responses: { "200": { $ref: "http://203.0.113.1/responses.json#/Ok" } } } },
        "/b": { get: { responses: { "200": { $ref: "https://203.0.113.1/responses.yaml#/Ok" } } } },
        "/c": { get: { responses: { "200": { $ref: "./local-file.yaml#/Ok" } } } },
      },
    };
    const result = await lintSpec(spec, RELAXED);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(httpSpy).not.toHaveBeenCalled();
    expect(httpGetSpy).not.toHaveBeenCalled();
    expect(httpsSpy).not.toHaveBeenCalled();
    expect(httpsGetSpy).not.toHaveBeenCalled();
    expect(result.status).toBe("ok");
    const refs = result.examples.filter((e) => e.rule === "invalid-ref");
    expect(refs.map((e) => e.path).sort()).toEqual(
      ["/paths/~1a/get/responses/200/$ref", "/paths/~1b/get/responses/200/$ref", "/paths/~1c/get/responses/200/$ref"],
    );
    expect(refs[0]?.message).toMatch(/not fetched/);
  });

  it("time budget: a run over the budget is ignored and says so", async () => {
    const spec = JSON.parse(await inventory("crapi-openapi-spec.json"));
    await lintSpec(spec, RELAXED); // warm
    const result = await lintSpec(spec, { timeoutMs: 1 });
    expect(result).toMatchObject({ status: "timeout", total: 0, rules: [], examples: [], counts: { error: 0, warn: 0, info: 0, hint: 0 } });
    expect(result.reason).toMatch(/over the 1 ms lint budget; results ignored/);
  });

  it("size guard, cancellation and input that is not a spec", async () => {
    const spec = JSON.parse(await inventory("swagger2-petstore.json"));
    const big = await lintSpec(spec, { maxBytes: 1000 });
    expect(big).toMatchObject({ status: "skipped", total: 0 });
    expect(big.reason).toMatch(/KB, over the 0 KB lint limit|over the .* lint limit/);
    const controller = new AbortController();
    controller.abort();
    expect(await lintSpec(spec, { signal: controller.signal })).toMatchObject({ status: "skipped", reason: "not linted: cancelled" });
    const cyclic: Record<string, unknown> = { openapi: "3.0.3" };
    cyclic.self = cyclic;
    expect((await lintSpec(cyclic)).status).toBe("skipped");
    expect((await lintSpec("{ not json")).status).toBe("skipped");
    // Not an OpenAPI document: Spectral says it does not recognise the format.
    const other = await lintSpec({ hello: "world" }, RELAXED);
    expect(other.status).toBe("ok");
    expect(ruleIds(other)).toEqual(["unrecognized-format"]);
  });

  it("a shared schema reused by several operations yields one result per place, at the schema's own path", async () => {
    const pet = { $ref: "#/components/schemas/Pet" };
    const body = (description: string) => ({ description, content: { "application/json": { schema: pet } } });
    const spec = {
      openapi: "3.0.3",
      info: { title: "shared", version: "1" },
      paths: Object.fromEntries(
        ["/pets", "/pets/{id}", "/pets/{id}/twin", "/pets/{id}/parent"].map((p) => [p, { get: { responses: { "200": body("a pet") } } }]),
      ),
      components: {
        schemas: { Pet: { type: "object", properties: { name: { type: "string" }, nickname: { type: "string" } } } },
      },
    };
    const result = await lintSpec(spec, RELAXED);
    expect(result.status).toBe("ok");
    // Two unbounded strings in one schema: two places, however many operations reuse it (inlined, ten: each of the four reuses again).
    expect(result.rules.find((r) => r.rule === "owasp:api4:2023-string-limit")?.count).toBe(2);
    const paths = result.examples.filter((e) => e.rule === "owasp:api4:2023-string-limit").map((e) => e.path);
    expect(paths.every((p) => p.startsWith("/components/schemas/Pet/properties/"))).toBe(true);
  });

  it("Postern's own OpenAPI document: the same counts as Spectral on the unresolved document read from a file", async () => {
    const document = (await (await openApi()).json()) as object;
    // What the Spectral CLI does with `spectral lint openapi.json`: the file's text, the JSON parser, its path as source.
    const parsers = "Json" in spectralParsers ? spectralParsers : (spectralParsers as unknown as { default: typeof spectralParsers }).default;
    const cli = new Spectral();
    cli.setRuleset({ extends: [[oas as RulesetDefinition, "recommended"], [owasp as unknown as RulesetDefinition, "recommended"]] } as RulesetDefinition);
    const text = JSON.stringify(document, null, 2);
    const expected = await cli.run(new Document(text, parsers.Json, "/tmp/postern/openapi.json"));
    const perRule = new Map<string, number>();
    for (const d of expected) perRule.set(String(d.code), (perRule.get(String(d.code)) ?? 0) + 1);
    // Handed over as a bare string, Spectral inlines the $refs and counts every reuse again.
    const inlined = await cli.run(text);
    expect(inlined.length).toBeGreaterThan(expected.length);

    const result = await lintSpec(document, RELAXED);
    expect(result.status).toBe("ok");
    expect(result.total).toBe(expected.length);
    expect(result.failingRules).toBe(perRule.size);
    for (const r of result.rules) expect(r.count, r.rule).toBe(perRule.get(r.rule));
  });
});
