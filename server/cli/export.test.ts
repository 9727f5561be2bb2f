import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvLines } from "@/server/domain/csv";
import { type ApiExport, csvCells, csvHeader, type FindingExport, riskFactors } from "./export";

const api: ApiExport = {
  name: 'Payments, "v2"\nAPI',
  slug: "payments",
  baseUrl: "https://pay.example.com/v2",
  owner: "payments-team",
  lifecycle: "production",
  exposure: "internet",
  version: "2.0",
  auth: ["bearer", "oauth2"],
  dataClasses: ["financial", "pii"],
  documentedEndpoints: 2,
  observedEndpoints: 0,
  sources: ["openapi", "backstage"],
  observedOnly: false,
  riskScore: 72.5,
  riskBand: "high",
  factors: [
    { name: "exposure", points: 20 },
    { name: "auth", points: 10 },
  ],
  endpoints: [
    { method: "GET", path: "/charges/{id}", summary: null, deprecated: false, security: "required", auth: ["bearer"], dataClasses: [], documented: true, observed: false },
    { method: "POST", path: "/charges", summary: "x", deprecated: true, security: "public", auth: [], dataClasses: ["pii"], documented: true, observed: true },
  ],
};

describe("CSV export", () => {
  it("quotes per RFC 4180 and round-trips through a CSV parser", () => {
    const text = csvLines([csvHeader("apis"), csvCells("apis", api)]);
    expect(text).toContain('"Payments, ""v2""\nAPI"');
    expect(text.endsWith("\r\n")).toBe(true);
    const [header, row] = parse(text) as string[][];
    expect(header).toEqual([
      "name", "slug", "baseUrl", "owner", "lifecycle", "exposure", "version", "auth", "dataClasses",
      "documentedEndpoints", "observedEndpoints", "sources", "riskScore", "riskBand", "factors", "endpoints",
    ]);
    const record = Object.fromEntries(header!.map((h, i) => [h, row![i]]));
    expect(record).toMatchObject({
      name: 'Payments, "v2"\nAPI',
      owner: "payments-team",
      auth: "bearer;oauth2",
      documentedEndpoints: "2",
      riskScore: "72.5",
      factors: "exposure:20;auth:10",
      endpoints: "GET /charges/{id};POST /charges",
    });
  });

  it("dots nested objects, leaves null ones empty, and keeps a stable header", () => {
    const finding: FindingExport = {
      id: "f1",
      ruleId: "no-auth-declared",
      kind: "posture",
      tool: null,
      title: "=HYPERLINK(\"http://evil\")",
      severity: "medium",
      status: "open",
      cwe: 306,
      owaspCategory: "API2",
      api: null,
      endpoint: null,
      location: { url: "https://a.example/x", line: 3 },
      firstSeenAt: "2024-01-01T00:00:00.000Z",
      lastSeenAt: "2024-01-02T00:00:00.000Z",
      slaDueAt: null,
      regression: false,
      occurrences: 1,
      toolTriage: null,
      assignee: null,
      team: null,
      overdue: false,
      acceptance: null,
      suppressedBy: null,
    };
    const header = csvHeader("findings");
    expect(header).toContain("api.name");
    expect(header).toContain("endpoint.path");
    const [, row] = parse(csvLines([header, csvCells("findings", finding)])) as string[][];
    const record = Object.fromEntries(header.map((h, i) => [h, row![i]]));
    expect(record["api.name"]).toBe("");
    expect(record["endpoint.method"]).toBe("");
    expect(record.cwe).toBe("306");
    expect(JSON.parse(record.location!)).toEqual({ url: "https://a.example/x", line: 3 });
    expect(record.toolTriage).toBe("");
    const triaged = Object.fromEntries(
      header.map((h, i) => [h, (parse(csvLines([header, csvCells("findings", { ...finding, toolTriage: { state: "suppressed", kind: "inSource" } })])) as string[][])[1]![i]]),
    );
    expect(JSON.parse(triaged.toolTriage!)).toEqual({ state: "suppressed", kind: "inSource" });
    // A cell a spreadsheet would evaluate is neutralised.
    expect(record.title).toBe("'=HYPERLINK(\"http://evil\")");
  });

  it("reads risk factors only when they are an array of {name, points}", () => {
    expect(riskFactors(null)).toEqual([]);
    expect(riskFactors({ exposure: 20 })).toEqual([]);
    expect(riskFactors([{ name: "exposure", points: 20 }, { name: 3 }, "x"])).toEqual([{ name: "exposure", points: 20 }]);
  });
});
