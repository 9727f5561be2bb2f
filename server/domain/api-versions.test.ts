import { describe, expect, it } from "vitest";
import {
  type ApiChange,
  buildSnapshot,
  countChanges,
  diffSnapshots,
  readSnapshot,
  securityStrength,
  snapshotSecurity,
} from "./api-versions";
import type { AuthScheme, EndpointSecurity, InventoryEndpoint } from "./records";

function ep(path: string, over: Partial<InventoryEndpoint> = {}, method: InventoryEndpoint["method"] = "GET"): InventoryEndpoint {
  return {
    method,
    path,
    hasDescription: true,
    tags: [],
    deprecated: false,
    security: { mode: "required", schemes: [{ name: "jwt", kind: "bearer" }] },
    parameters: [],
    hasSuccessSchema: true,
    hasExamples: false,
    responseFields: [],
    ...over,
  };
}

const req = (...schemes: AuthScheme[]): EndpointSecurity => ({ mode: "required", schemes });
const S = {
  mtls: { name: "m", kind: "mutualTLS" },
  oidc: { name: "o", kind: "openIdConnect" },
  oauth2: { name: "o2", kind: "oauth2" },
  bearer: { name: "jwt", kind: "bearer" },
  keyHeader: { name: "k", kind: "apiKey", in: "header" },
  basic: { name: "b", kind: "basic" },
  keyQuery: { name: "q", kind: "apiKey", in: "query" },
} satisfies Record<string, AuthScheme>;

/** The changes between two one-endpoint versions. */
function diffOne(before: Partial<InventoryEndpoint>, after: Partial<InventoryEndpoint>): ApiChange[] {
  return diffSnapshots(buildSnapshot([ep("/a", before)]), buildSnapshot([ep("/a", after)]));
}

const kinds = (changes: ApiChange[]) => changes.map((c) => [c.kind, c.breaking]);

describe("authentication strength (mTLS/OIDC/oauth2 > bearer > apiKey header > basic > apiKey query > none)", () => {
  it.each([
    [req(S.mtls), 5],
    [req(S.oidc), 5],
    [req(S.oauth2), 5],
    [req(S.bearer), 4],
    [req(S.keyHeader), 3],
    [req(S.basic), 2],
    [req(S.keyQuery), 1],
    [{ mode: "public" } as EndpointSecurity, 0],
    [{ mode: "undeclared" } as EndpointSecurity, 0],
    // alternatives: the weakest one admits a caller
    [req(S.oauth2, S.keyQuery), 1],
    // required but no scheme named: unknown
    [req(), null],
  ])("%j → %s", (security, strength) => {
    expect(securityStrength(snapshotSecurity(security))).toBe(strength);
  });
});

describe("diffSnapshots", () => {
  it.each<[string, Partial<InventoryEndpoint>, Partial<InventoryEndpoint>, [string, boolean][]]>([
    ["no change", {}, {}, []],
    ["bearer → apiKey in query is weaker", { security: req(S.bearer) }, { security: req(S.keyQuery) }, [["security-weakened", false]]],
    ["oauth2 → basic is weaker", { security: req(S.oauth2) }, { security: req(S.basic) }, [["security-weakened", false]]],
    ["required → public drops the requirement", { security: req(S.bearer) }, { security: { mode: "public" } }, [["security-weakened", false]]],
    ["required (unnamed) → undeclared drops the requirement", { security: req() }, { security: { mode: "undeclared" } }, [["security-weakened", false]]],
    ["an added weak alternative weakens", { security: req(S.oidc) }, { security: req(S.oidc, S.basic) }, [["security-weakened", false]]],
    ["apiKey query → bearer is stronger", { security: req(S.keyQuery) }, { security: req(S.bearer) }, [["security-strengthened", false]]],
    ["undeclared → basic is stronger", { security: { mode: "undeclared" } }, { security: req(S.basic) }, [["security-strengthened", false]]],
    ["oauth2 → mTLS: same strength, changed", { security: req(S.oauth2) }, { security: req(S.mtls) }, [["security-changed", false]]],
    ["same scheme under another name is no change", { security: req(S.bearer) }, { security: req({ name: "other", kind: "bearer" }) }, []],
    ["deprecated", {}, { deprecated: true }, [["endpoint-deprecated", false]]],
    ["undeprecated", { deprecated: true }, {}, [["endpoint-undeprecated", false]]],
    ["optional parameter added", {}, { parameters: [{ name: "limit", in: "query", required: false }] }, [["parameter-added", false]]],
    ["parameter of unstated requiredness added", {}, { parameters: [{ name: "limit", in: "query" }] }, [["parameter-added", false]]],
    ["required parameter added is breaking", {}, { parameters: [{ name: "tenant", in: "header", required: true }] }, [["parameter-added", true]]],
    [
      "optional parameter becoming required is breaking",
      { parameters: [{ name: "limit", in: "query", required: false }] },
      { parameters: [{ name: "limit", in: "query", required: true }] },
      [["parameter-required", true]],
    ],
    [
      "parameter type changed is breaking",
      { parameters: [{ name: "id", in: "path", required: true, type: "integer" }] },
      { parameters: [{ name: "id", in: "path", required: true, type: "string" }] },
      [["parameter-type-changed", true]],
    ],
    [
      "a type that was not stated before is no type change",
      { parameters: [{ name: "id", in: "query" }] },
      { parameters: [{ name: "id", in: "query", type: "string" }] },
      [],
    ],
    ["parameter removed is not breaking", { parameters: [{ name: "limit", in: "query" }] }, {}, [["parameter-removed", false]]],
    [
      "same name in another place is another parameter",
      { parameters: [{ name: "id", in: "query" }] },
      { parameters: [{ name: "id", in: "header" }] },
      [["parameter-added", false], ["parameter-removed", false]],
    ],
    ["plain field added", { responseShape: ["id"] }, { responseShape: ["id", "nickname"] }, [["field-added", false]]],
    ["plain field removed is breaking", { responseShape: ["id", "nickname"] }, { responseShape: ["id"] }, [["field-removed", true]]],
    [
      "classified field added",
      { responseShape: ["id"] },
      { responseShape: ["id", "email"], responseFields: [{ path: "email", dataClass: "pii" }] },
      [["field-added", false]],
    ],
    [
      "an existing field newly classified",
      { responseShape: ["id", "card"] },
      { responseShape: ["id", "card"], responseFields: [{ path: "card", dataClass: "financial" }] },
      [["data-class-added", false]],
    ],
    [
      "classified field removed (no shape from the source) is breaking",
      { responseFields: [{ path: "ssn", dataClass: "pii" }] },
      {},
      [["field-removed", true]],
    ],
  ])("%s", (_name, before, after, expected) => {
    expect(kinds(diffOne(before, after))).toEqual(expected);
  });

  it("endpoints added and removed, in path order, removed ones breaking; an added one names its auth and data classes", () => {
    const v1 = buildSnapshot([ep("/b"), ep("/a"), ep("/a", {}, "DELETE")]);
    const v2 = buildSnapshot([
      ep("/a"),
      ep("/c", { security: { mode: "public" }, responseFields: [{ path: "email", dataClass: "pii" }, { path: "iban", dataClass: "financial" }] }),
    ]);
    const changes = diffSnapshots(v1, v2);
    expect(changes).toEqual([
      { kind: "endpoint-removed", breaking: true, method: "DELETE", path: "/a" },
      { kind: "endpoint-removed", breaking: true, method: "GET", path: "/b" },
      { kind: "endpoint-added", breaking: false, method: "GET", path: "/c", after: "public (no authentication)", dataClasses: ["financial", "pii"] },
    ]);
    expect(countChanges(changes)).toEqual({ total: 3, breaking: 2, endpointsAdded: 1, authWeakened: 0, sensitiveAdded: 0 });
  });

  it("a weakened endpoint reports before and after", () => {
    const [change] = diffOne({ security: req(S.bearer) }, { security: req(S.keyQuery) });
    expect(change).toEqual({ kind: "security-weakened", breaking: false, method: "GET", path: "/a", before: "bearer token", after: "API key in query" });
  });

  it("Api-level security (a gateway plugin on the whole Api) is compared too", () => {
    const changes = diffSnapshots(buildSnapshot([], req(S.keyHeader)), buildSnapshot([]));
    expect(changes).toEqual([{ kind: "security-weakened", breaking: false, before: "API key in header", after: "no security requirement" }]);
    expect(diffSnapshots(buildSnapshot([]), buildSnapshot([]))).toEqual([]);
  });

  it("counts sensitive additions (PII, financial, credentials) but not health or unclassified fields", () => {
    const changes = diffOne(
      { responseShape: ["id"] },
      {
        responseShape: ["id", "email", "diagnosis", "nick", "token"],
        responseFields: [
          { path: "email", dataClass: "pii" },
          { path: "diagnosis", dataClass: "health" },
          { path: "token", dataClass: "credentials" },
        ],
      },
    );
    expect(countChanges(changes)).toMatchObject({ total: 4, sensitiveAdded: 2, breaking: 0 });
  });

  it("snapshots are normalised: order and duplicates of the source do not matter", () => {
    const a = buildSnapshot([
      ep("/x", { parameters: [{ name: "b", in: "query" }, { name: "a", in: "query" }], security: req(S.basic, S.bearer), responseShape: ["z", "y"] }),
      ep("/w"),
    ]);
    const b = buildSnapshot([
      ep("/w"),
      ep("/x", { parameters: [{ name: "a", in: "query" }, { name: "b", in: "query" }], security: req(S.bearer, S.basic, S.bearer), responseShape: ["y", "z"] }),
    ]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(diffSnapshots(a, b)).toEqual([]);
  });

  it("reads an unreadable stored snapshot as empty", () => {
    expect(readSnapshot(null)).toEqual({ v: 1, endpoints: [] });
    expect(readSnapshot({ endpoints: "x" })).toEqual({ v: 1, endpoints: [] });
  });
});
