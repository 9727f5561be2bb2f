import { describe, expect, it } from "vitest";
import { ParseError, type InventoryApi } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

const CSV = [
  "Name, Base URL ,Owner,Lifecycle,EXPOSURE,repository,secrets,description,cost centre",
  'payments-api,https://api.example.com/payments/,team-payments,production,internet,https://github.com/acme/payments,secret/data/payments-api/db; arn:aws:secretsmanager:eu-west-1:1:secret:pay,"Moves money, fast",42',
  "orders,/orders,,beta,partner,,,,",
  ",https://nameless.example.com,team-x,production,internal,,,,",
  "legacy,https://legacy.example.com,team-old,zombie,galaxy,,,,",
  "bad-url,not a url!,team-y,production,internal,,,,",
  "",
  "catalog-only,,team-z,retired,unknown,,,,",
].join("\n");

async function run(content: string) {
  return parseAll(parser, textSource(content, "inventory.csv"));
}

describe("csv-inventory detect", () => {
  it("needs a name column and a url column in the header row", () => {
    expect(parser.detect(CSV, "x.csv")).toBe(0.9);
    expect(parser.detect("api_name\tbaseUrl\towner\n", "")).toBe(0.9);
    expect(parser.detect("name,url\n", "")).toBe(0.9);
    expect(parser.detect("name,owner,lifecycle\n", "x.csv")).toBe(0);
    expect(parser.detect("url,owner\n", "x.csv")).toBe(0);
    expect(parser.detect('{"name": "x", "url": "y"}\n', "")).toBe(0);
  });

  it.each([
    "api-inventory/crapi-openapi-spec.json",
    "api-inventory/swagger-petstore-v3-openapi.yaml",
    "api-inventory/kong-deck-auth-plugins.kong.yaml",
    "gateway-logs/nginx-combined-beats-access.log",
    "scan-results/zap-2.16.1-with-req-resp.xml",
  ])("returns 0 for %s", async (file) => {
    expect(parser.detect(await (await sample(file)).head(), file)).toBe(0);
  });
});

describe("csv-inventory parse", () => {
  it("reads rows with case/space-insensitive headers, reports bad rows by line and keeps going", async () => {
    const outcome = await run(CSV);
    expect(outcome.records.map((r) => r.name)).toEqual(["payments-api", "orders", "legacy", "catalog-only"]);
    const [payments, orders, legacy, catalogOnly] = outcome.records as [InventoryApi, InventoryApi, InventoryApi, InventoryApi];
    expect(payments).toEqual({
      name: "payments-api",
      catalogName: "payments-api",
      baseUrls: ["https://api.example.com/payments"],
      owner: "team-payments",
      lifecycle: "production",
      exposure: "internet",
      repository: "https://github.com/acme/payments",
      secrets: ["secret/data/payments-api/db", "arn:aws:secretsmanager:eu-west-1:1:secret:pay"],
      description: "Moves money, fast",
      describesEndpoints: false,
      endpoints: [],
    });
    expect(orders.baseUrls).toEqual(["/orders"]);
    expect(orders.owner).toBeUndefined();
    expect(orders.lifecycle).toBe("experimental");
    expect(orders.exposure).toBe("partner");
    expect(orders.secrets).toBeUndefined();
    expect(legacy.lifecycle).toBeUndefined();
    expect(legacy.exposure).toBeUndefined();
    expect(catalogOnly.baseUrls).toEqual([]);
    expect(catalogOnly.lifecycle).toBe("retired");
    expect(catalogOnly.exposure).toBeUndefined();

    expect(outcome.lineErrors).toEqual([
      { line: 4, message: "missing name" },
      { line: 6, message: 'invalid base URL "not a url!" for bad-url' },
    ]);
    expect(outcome.warnings).toEqual([
      { line: 5, message: 'unknown lifecycle "zombie" for legacy ignored' },
      { line: 5, message: 'unknown exposure "galaxy" for legacy ignored' },
    ]);
  });

  it("reads tab-separated files and several URLs per cell", async () => {
    const outcome = await run("api name\tbase_url\tteam\nsearch\thttps://a.example.com/s;https://b.example.com/s api.example.com:8443/s\tteam-s\n");
    expect(outcome.lineErrors).toEqual([]);
    expect(outcome.records).toHaveLength(1);
    expect(outcome.records[0]?.baseUrls).toEqual([
      "https://a.example.com/s",
      "https://b.example.com/s",
      "api.example.com:8443/s",
    ]);
    expect(outcome.records[0]?.owner).toBe("team-s");
  });

  it("counts an unreadable record as a line error and ingests the rest", async () => {
    const outcome = await run('name,url\ngood,https://g.example.com\nbroken,"https://b.example.com" trailing"\nalso-good,https://h.example.com\n');
    expect(outcome.records.map((r) => r.name)).toEqual(["good", "also-good"]);
    expect(outcome.lineErrors).toHaveLength(1);
    expect(outcome.lineErrors[0]?.line).toBe(3);
    expect(outcome.lineErrors[0]?.message).toMatch(/^unreadable CSV record/);
  });

  it("regression (fuzz): a line full of stray quotes is one unreadable record, read in one pass, and the next rows are read", async () => {
    // csv-parse raised one error per stray quote, each quoting the field read so far: a 200 KB line of `"[` took
    // minutes and gigabytes. Now: one line error per record, whatever the quotes.
    const outcome = await run(`name,url\nbroken,https://x.example.com/${'"['.repeat(2_000)}\nnext,https://n.example.com\n`);
    expect(outcome.records.map((r) => r.name)).toEqual(["next"]);
    expect(outcome.lineErrors).toEqual([{ line: 2, message: "unreadable CSV record: a quote inside an unquoted field (field 2)" }]);
  });

  it("regression (fuzz): after a bad closing quote, reading resumes on the next line", async () => {
    const outcome = await run('name,url,description\nbroken,https://b.example.com,"a"b"c\nnext,https://n.example.com,"multi\nline ""quoted"""\n');
    expect(outcome.records.map((r) => [r.name, r.description])).toEqual([["next", 'multi\nline "quoted"']]);
    expect(outcome.lineErrors).toEqual([{ line: 2, message: 'unreadable CSV record: a quoted field is followed by "b" instead of a delimiter (field 3)' }]);
  });

  it("rejects a file whose header lacks the name or url column", async () => {
    for (const content of ["owner,lifecycle\nteam,production\n", ""]) {
      const error = await run(content).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ParseError);
      expect((error as Error).message).toMatch(/not a CSV inventory/);
    }
  });
});

describe("csv-inventory parse: regression (fuzz)", () => {
  it("regression (fuzz): values and headers named like Object.prototype members are unknown, not prototypes", async () => {
    const outcome = await run("name,url,lifecycle,exposure,constructor\napi,https://a.example.com,__proto__,toString,x\n");
    expect(outcome.records).toEqual([{ name: "api", catalogName: "api", baseUrls: ["https://a.example.com"], describesEndpoints: false, endpoints: [] }]);
    expect(outcome.warnings).toEqual([
      { line: 2, message: 'unknown lifecycle "__proto__" for api ignored' },
      { line: 2, message: 'unknown exposure "toString" for api ignored' },
    ]);
  });
});
