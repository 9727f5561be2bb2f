import { parse as parseCsv } from "csv-parse/sync";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import type { InventoryApi } from "../ingest/contract";
import { parser as backstageParser } from "../ingest/parsers/inventory/backstage/parser";
import { parser as csvParser } from "../ingest/parsers/inventory/csv-inventory/parser";
import { inventoryParsers } from "../ingest/parsers/inventory/index";
import { parser as kongParser } from "../ingest/parsers/inventory/kong-deck/parser";
import { parser as openapiParser } from "../ingest/parsers/inventory/openapi/parser";
import { parseAll, textSource } from "../ingest/test-utils";
import {
  DEMO_CSV_HEADER,
  DEMO_FILE_NAMES,
  demoShadowHosts,
  describeDemoOrganisation,
  generateDemoOrganisation,
  type DemoFile,
  type DemoOrganisation,
} from "./generate";
import { createRng } from "./prng";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function parseSpec(file: DemoFile): Obj {
  const value: unknown = file.name.endsWith(".json") ? JSON.parse(file.content) : parseYaml(file.content);
  if (!isObj(value)) throw new Error(`${file.name} is not an object`);
  return value;
}

function fileNamed(files: DemoFile[], name: string): DemoFile {
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`no file ${name}`);
  return file;
}

function operationsOf(spec: Obj): Obj[] {
  const paths = isObj(spec.paths) ? spec.paths : {};
  return Object.values(paths).flatMap((item) => (isObj(item) ? Object.values(item).filter(isObj) : []));
}

function totalBytes(files: DemoFile[]): number {
  return files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);
}

const kebab = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");

describe("prng", () => {
  it("is deterministic and seed-sensitive", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(seqA);
  });

  it("stays in range and is roughly uniform", () => {
    const rng = createRng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = Math.floor(x * 10);
      buckets[k] = (buckets[k] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(1700);
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(4, 25);
      expect(v).toBeGreaterThanOrEqual(4);
      expect(v).toBeLessThanOrEqual(25);
    }
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => rng.pick([])).toThrow(RangeError);
  });
});

describe("demo organisation (defaults: 40 Apis, 6 teams)", () => {
  let files: DemoFile[];
  let org: DemoOrganisation;
  let specs: DemoFile[];

  beforeAll(() => {
    files = generateDemoOrganisation({});
    org = describeDemoOrganisation({});
    specs = files.filter((f) => f.name.startsWith("specs/"));
  });

  it("is deterministic: same options give byte-identical files; another seed differs", () => {
    expect(generateDemoOrganisation({ apis: 40, teams: 6, seed: 1 })).toEqual(files);
    expect(describeDemoOrganisation({ seed: 1 })).toEqual(org);
    expect(demoShadowHosts({})).toEqual(demoShadowHosts({ seed: 1 }));
    const other = generateDemoOrganisation({ seed: 2 });
    expect(other.map((f) => f.content).join("")).not.toEqual(files.map((f) => f.content).join(""));
    expect(describeDemoOrganisation({ seed: 2 }).apis.map((a) => a.slug)).not.toEqual(org.apis.map((a) => a.slug));
  });

  it("never uses Math.random", () => {
    const spy = vi.spyOn(Math, "random").mockImplementation(() => {
      throw new Error("Math.random used");
    });
    try {
      expect(() => generateDemoOrganisation({ apis: 60, seed: 9 })).not.toThrow();
      expect(() => describeDemoOrganisation({ apis: 60, seed: 9 })).not.toThrow();
      expect(() => demoShadowHosts({ apis: 60, seed: 9 })).not.toThrow();
    } finally {
      spy.mockRestore();
    }
  });

  it("has 40 Apis across 6 teams, one OpenAPI file per spec'd Api, one catalog, one CSV, one Kong file", () => {
    expect(org.apis).toHaveLength(40);
    expect(org.teams).toEqual(["payments", "identity", "catalog", "logistics", "data-platform", "partner-integrations"]);
    for (const team of org.teams) expect(org.apis.some((a) => a.actualTeam === team)).toBe(true);
    expect(new Set(org.apis.map((a) => a.slug)).size).toBe(40);
    expect(new Set(org.apis.map((a) => a.baseUrl)).size).toBe(40);
    const withSpec = org.apis.filter((a) => a.specFile);
    expect(specs.map((f) => f.name).sort()).toEqual(withSpec.map((a) => a.specFile).sort());
    expect(files).toHaveLength(specs.length + 3);
    for (const name of Object.values(DEMO_FILE_NAMES)) expect(files.some((f) => f.name === name)).toBe(true);
    for (const f of files) expect(f.family).toBe("inventory");
    // A mix of formats and versions.
    expect(specs.some((f) => f.name.endsWith(".json"))).toBe(true);
    expect(specs.some((f) => f.name.endsWith(".yaml"))).toBe(true);
  });

  it("every OpenAPI file parses and declares openapi 3.0/3.1 with title, version, servers and 4–25 operations", () => {
    const versions = new Set<string>();
    for (const file of specs) {
      const spec = parseSpec(file);
      expect(String(spec.openapi)).toMatch(/^3\.[01]\.\d+$/);
      versions.add(String(spec.openapi).slice(0, 3));
      const info = spec.info as Obj;
      expect(info.title).toMatch(/ API$/);
      expect(typeof info.version).toBe("string");
      expect(Array.isArray(spec.servers) && spec.servers.length > 0).toBe(true);
      const ops = operationsOf(spec);
      expect(ops.length).toBeGreaterThanOrEqual(4);
      expect(ops.length).toBeLessThanOrEqual(25);
      const api = org.apis.find((a) => a.specFile === file.name);
      expect(api?.endpoints).toHaveLength(ops.length);
    }
    expect([...versions].sort()).toEqual(["3.0", "3.1"]);
  });

  it("contains the deliberate posture problems", () => {
    const apis = org.apis;
    const ownerless = apis.filter((a) => a.team === undefined);
    expect(ownerless.length).toBeGreaterThanOrEqual(1);
    for (const api of ownerless) {
      expect(api.sources).not.toContain("backstage");
      expect(api.sources).not.toContain("csv");
      const spec = parseSpec(fileNamed(files, api.specFile ?? ""));
      expect(spec["x-owner"]).toBeUndefined();
    }
    expect(apis.filter((a) => a.lifecycle === "deprecated").length).toBeGreaterThanOrEqual(1);
    expect(apis.filter((a) => a.lifecycle === "retired").length).toBeGreaterThanOrEqual(1);
    expect(apis.filter((a) => a.lifecycle === "experimental").length).toBeGreaterThanOrEqual(1);
    expect(apis.filter((a) => a.sources.length === 1 && a.sources[0] === "csv").length).toBeGreaterThanOrEqual(1);
    expect(apis.filter((a) => a.baseUrl.startsWith("http://")).length).toBeGreaterThanOrEqual(1);
    expect(apis.filter((a) => a.authSchemes.includes("apiKey:query")).length).toBeGreaterThanOrEqual(1);
    expect(apis.filter((a) => a.authSchemes.includes("basic")).length).toBeGreaterThanOrEqual(1);
    const endpoints = apis.flatMap((a) => a.endpoints);
    expect(endpoints.filter((e) => e.auth === "undeclared").length).toBeGreaterThanOrEqual(1);
    expect(endpoints.filter((e) => e.auth === "public").length).toBeGreaterThanOrEqual(1);
    expect(endpoints.filter((e) => e.deprecated).length).toBeGreaterThanOrEqual(1);
    expect(endpoints.filter((e) => e.authentication).length).toBeGreaterThanOrEqual(1);
    expect(apis.some((a) => a.gateway && a.gateway.authPlugin === null)).toBe(true);
    expect(apis.some((a) => a.gateway && !a.gateway.rateLimited)).toBe(true);
    expect(apis.some((a) => a.gateway?.rateLimited)).toBe(true);
    expect(new Set(apis.map((a) => a.exposure))).toEqual(new Set(["internet", "partner", "internal", "unknown"]));

    // The same facts, read from the files themselves.
    let queryKeys = 0;
    let undeclaredOps = 0;
    let publicOps = 0;
    let missingSummary = 0;
    let httpServers = 0;
    const fieldNames = new Set<string>();
    for (const file of specs) {
      const spec = parseSpec(file);
      const schemes = Object.values(((spec.components as Obj).securitySchemes ?? {}) as Obj).filter(isObj);
      queryKeys += schemes.filter((s) => s.type === "apiKey" && s.in === "query").length;
      if ((spec.servers as Obj[]).some((s) => String(s.url).startsWith("http://"))) httpServers++;
      for (const op of operationsOf(spec)) {
        if (op.security === undefined && spec.security === undefined) undeclaredOps++;
        if (Array.isArray(op.security) && op.security.length === 0) publicOps++;
        if (op.summary === undefined) missingSummary++;
      }
      for (const match of file.content.matchAll(/"?([A-Za-z]+)"?:\s*\n?\s*"?type"?:/g)) if (match[1]) fieldNames.add(match[1]);
    }
    expect(queryKeys).toBeGreaterThanOrEqual(1);
    expect(undeclaredOps).toBeGreaterThanOrEqual(1);
    expect(publicOps).toBeGreaterThanOrEqual(1);
    expect(missingSummary).toBeGreaterThanOrEqual(1);
    expect(httpServers).toBeGreaterThanOrEqual(1);
    for (const sensitive of ["email", "phone", "firstName", "lastName", "dateOfBirth", "iban", "cardNumber", "accessToken", "password"]) {
      expect(fieldNames, sensitive).toContain(sensitive);
    }
  });

  it("Backstage catalog: multi-document YAML of API and Component entities", () => {
    const docs = parseAllDocuments(fileNamed(files, DEMO_FILE_NAMES.backstage).content).map((d) => d.toJS() as Obj);
    const kinds = new Set(docs.map((d) => d.kind));
    expect(kinds).toEqual(new Set(["API", "Component"]));
    const apiEntities = docs.filter((d) => d.kind === "API");
    const inBackstage = org.apis.filter((a) => a.sources.includes("backstage"));
    expect(apiEntities.map((d) => (d.metadata as Obj).name).sort()).toEqual(inBackstage.map((a) => a.slug).sort());
    expect(apiEntities.length).toBeGreaterThan(org.apis.length / 2);
    for (const entity of apiEntities) {
      const spec = entity.spec as Obj;
      const annotations = (entity.metadata as Obj).annotations as Obj;
      expect(entity.apiVersion).toBe("backstage.io/v1alpha1");
      expect(spec.type).toBe("openapi");
      expect(spec.owner).toMatch(/^group:[a-z-]+$/);
      expect(["production", "experimental", "deprecated"]).toContain(spec.lifecycle);
      expect(annotations["backstage.io/source-location"]).toMatch(/^url:https:\/\/git\.northwind\.example\/[a-z-]+\/[a-z0-9-]+$/);
      expect(["internet", "partner", "internal"]).toContain(annotations["postern.io/exposure"]);
    }
    const provided = docs.filter((d) => d.kind === "Component").flatMap((d) => (d.spec as Obj).providesApis as string[]);
    expect(provided.sort()).toEqual(inBackstage.map((a) => a.slug).sort());
  });

  it("CSV inventory: header, one row per CSV-listed Api, some rows duplicating Backstage", () => {
    const content = fileNamed(files, DEMO_FILE_NAMES.csv).content;
    expect(content.split("\n")[0]).toBe(DEMO_CSV_HEADER);
    const rows = parseCsv(content, { columns: true }) as Record<string, string>[];
    const inCsv = org.apis.filter((a) => a.sources.includes("csv"));
    expect(rows).toHaveLength(inCsv.length);
    expect(rows.map((r) => kebab(r.name ?? "")).sort()).toEqual(inCsv.map((a) => a.slug).sort());
    expect(inCsv.some((a) => a.sources.includes("backstage"))).toBe(true);
    expect(inCsv.some((a) => !a.sources.includes("openapi"))).toBe(true);
    for (const row of rows) expect(row.base_url).toMatch(/^https?:\/\/[a-z0-9.-]+\.example(\/|$)/);
  });

  it("Kong decK: services with routes for a subset of internet-facing Apis", () => {
    const deck = parseYaml(fileNamed(files, DEMO_FILE_NAMES.kong).content) as Obj;
    expect(deck._format_version).toBe("3.0");
    const services = deck.services as Obj[];
    const inKong = org.apis.filter((a) => a.sources.includes("kong"));
    expect(services.map((s) => s.name).sort()).toEqual(inKong.map((a) => a.slug).sort());
    expect(inKong.every((a) => a.exposure === "internet" || a.exposure === "unknown")).toBe(true);
    expect(inKong.length).toBeLessThan(org.apis.filter((a) => a.exposure === "internet").length + 5);
    for (const service of services) expect((service.routes as Obj[]).length).toBeGreaterThanOrEqual(1);
    const pluginNames = services.flatMap((s) => ((s.plugins as Obj[] | undefined) ?? []).map((p) => p.name));
    expect(pluginNames).toContain("rate-limiting");
  });

  it("shadow hosts are in no inventory file; all URLs are on fictional .example domains", () => {
    const shadows = demoShadowHosts({});
    expect(shadows.length).toBeGreaterThanOrEqual(2);
    const everything = files.map((f) => f.content).join("\n");
    for (const shadow of shadows) {
      expect(shadow.baseUrl).toBe(`https://${shadow.host}${shadow.basePath}`);
      expect(everything).not.toContain(shadow.host);
      expect(shadow.endpoints.length).toBeGreaterThan(0);
    }
    const hosts = new Set([...everything.matchAll(/https?:\/\/([^/"'\s,]+)/g)].map((m) => m[1] ?? ""));
    for (const host of hosts) expect(host.replace(/\{[^}]*\}/g, "")).toMatch(/\.example$/);
  });

  it("rejects nonsense options", () => {
    expect(() => generateDemoOrganisation({ apis: 0 })).toThrow(RangeError);
    expect(() => generateDemoOrganisation({ apis: 2.5 })).toThrow(RangeError);
    expect(() => generateDemoOrganisation({ teams: 0 })).toThrow(RangeError);
    expect(() => generateDemoOrganisation({ seed: Number.NaN })).toThrow(RangeError);
  });

  it("scales teams beyond the built-in catalogue with unique names", () => {
    const big = describeDemoOrganisation({ apis: 150, teams: 20, seed: 3 });
    expect(big.teams).toHaveLength(20);
    expect(new Set(big.teams).size).toBe(20);
    expect(new Set(big.apis.map((a) => a.slug)).size).toBe(150);
    for (const team of big.teams) expect(big.apis.some((a) => a.actualTeam === team)).toBe(true);
    const tiny = generateDemoOrganisation({ apis: 1, teams: 1 });
    expect(tiny.filter((f) => f.name.startsWith("specs/")).length).toBe(1);
  });
});

describe("demo organisation at benchmark scale (2,000 Apis)", () => {
  let files: DemoFile[];

  beforeAll(() => {
    files = generateDemoOrganisation({ apis: 2000 });
  });

  // Generation speed is measured by `npm run bench`, not asserted here.
  it("generates 2,000 Apis within a reasonable size", () => {
    const org = describeDemoOrganisation({ apis: 2000 });
    expect(org.apis).toHaveLength(2000);
    expect(org.teams).toHaveLength(6);
    expect(new Set(org.apis.map((a) => a.slug)).size).toBe(2000);
    expect(new Set(org.apis.map((a) => a.baseUrl)).size).toBe(2000);
    const specCount = files.filter((f) => f.name.startsWith("specs/")).length;
    expect(specCount).toBe(org.apis.filter((a) => a.specFile).length);
    expect(specCount).toBeGreaterThan(1800);
    const bytes = totalBytes(files);
    expect(bytes, `${files.length} files, ${(bytes / 1e6).toFixed(1)} MB`).toBeLessThan(40e6);
    const endpoints = org.apis.reduce((n, a) => n + a.endpoints.length, 0);
    expect(endpoints).toBeGreaterThan(2000 * 8);
    expect(org.apis.filter((a) => a.team === undefined).length).toBeGreaterThan(50);
    expect(org.apis.filter((a) => a.authSchemes.includes("apiKey:query")).length).toBeGreaterThan(50);
  });
});

describe("demo files through the real inventory parsers", () => {
  const cases = [
    { apis: 40, seed: 1 },
    { apis: 300, seed: 11, teams: 9 },
  ];

  for (const options of cases) {
    it(`parse cleanly and agree with describeDemoOrganisation (${JSON.stringify(options)})`, async () => {
      const files = generateDemoOrganisation(options);
      const org = describeDemoOrganisation(options);
      const parserFor = (file: DemoFile) =>
        file.name === DEMO_FILE_NAMES.backstage
          ? backstageParser
          : file.name === DEMO_FILE_NAMES.csv
            ? csvParser
            : file.name === DEMO_FILE_NAMES.kong
              ? kongParser
              : openapiParser;

      const owners = new Map<string, Set<string>>();
      const lifecycles = new Map<string, Set<string>>();
      const exposures = new Map<string, Set<string>>();
      const note = (map: Map<string, Set<string>>, slug: string, value: string | undefined) => {
        if (value === undefined) return;
        const set = map.get(slug) ?? new Set<string>();
        set.add(value);
        map.set(slug, set);
      };
      const bySpecFile = new Map(org.apis.flatMap((a) => (a.specFile ? [[a.specFile, a] as const] : [])));
      const slugs = new Set(org.apis.map((a) => a.slug));

      for (const file of files) {
        const parser = parserFor(file);
        // Detection by content picks the intended parser among all inventory parsers.
        const best = [...inventoryParsers].sort((a, b) => b.detect(file.content.slice(0, 65536), file.name) - a.detect(file.content.slice(0, 65536), file.name))[0];
        expect(best?.id, file.name).toBe(parser.id);

        // The lint is tested with the OpenAPI parser; here it would only add ~0.1-0.4 s per spec.
        const outcome = await parseAll(parser, textSource(file.content, file.name), { specLint: false });
        expect(outcome.lineErrors, file.name).toEqual([]);
        const records: InventoryApi[] = outcome.records;

        if (parser === openapiParser) {
          expect(records, file.name).toHaveLength(1);
          const record = records[0] as InventoryApi;
          const api = bySpecFile.get(file.name);
          if (!api) throw new Error(`no Api for ${file.name}`);
          expect(record.name).toBe(api.name);
          expect(record.baseUrls[0]).toBe(api.baseUrl);
          expect(record.endpoints.map((e) => `${e.method} ${e.path} ${e.security.mode} ${e.deprecated}`).sort()).toEqual(
            api.endpoints.map((e) => `${e.method} ${e.path} ${e.auth} ${e.deprecated}`).sort(),
          );
          if (api.contact) expect(record.contact?.email).toBe(api.contact);
          note(owners, api.slug, record.owner);
          note(lifecycles, api.slug, record.lifecycle);
          note(exposures, api.slug, record.exposure);
        } else if (parser === backstageParser) {
          const expected = org.apis.filter((a) => a.sources.includes("backstage"));
          expect(records).toHaveLength(expected.length);
          for (const record of records) {
            const slug = record.catalogName ?? "";
            expect(slugs.has(slug), slug).toBe(true);
            note(owners, slug, record.owner);
            note(lifecycles, slug, record.lifecycle);
            note(exposures, slug, record.exposure);
          }
        } else if (parser === csvParser) {
          expect(records).toHaveLength(org.apis.filter((a) => a.sources.includes("csv")).length);
          expect(outcome.warnings).toEqual([]);
          for (const record of records) {
            const slug = kebab(record.catalogName ?? record.name);
            expect(slugs.has(slug), slug).toBe(true);
            note(owners, slug, record.owner);
            note(lifecycles, slug, record.lifecycle);
            note(exposures, slug, record.exposure);
          }
        } else {
          expect(records).toHaveLength(org.apis.filter((a) => a.sources.includes("kong")).length);
          for (const record of records) {
            expect(slugs.has(record.name), record.name).toBe(true);
            note(owners, record.name, record.owner);
          }
        }
      }

      // Merged across sources, every Api resolves to exactly what describeDemoOrganisation says.
      for (const api of org.apis) {
        expect([...(owners.get(api.slug) ?? [])], `owner of ${api.slug}`).toEqual(api.team === undefined ? [] : [api.team]);
        expect([...(lifecycles.get(api.slug) ?? ["unknown"])], `lifecycle of ${api.slug}`).toEqual([api.lifecycle]);
        expect([...(exposures.get(api.slug) ?? ["unknown"])], `exposure of ${api.slug}`).toEqual([api.exposure]);
      }
    });
  }
});
