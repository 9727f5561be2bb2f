import { describe, expect, it } from "vitest";
import { humanKey, ruleEvidenceFacts } from "./rule-evidence";

describe("a derived finding's evidence as facts", () => {
  it("labels each key and lists values, nested objects as key: value", () => {
    expect(humanKey("endpointGapCounts")).toBe("Endpoint gap counts");
    expect(
      ruleEvidenceFacts({
        method: "GET",
        path: "/users/{id}",
        auth: "no security requirement declared",
        dataClasses: ["pii", "financial"],
        counts: { served: 3, clients: 1 },
        gapRatio: 0.5,
        empty: [],
        missing: null,
      }),
    ).toEqual([
      { label: "Method", values: ["GET"] },
      { label: "Path", values: ["/users/{id}"] },
      { label: "Auth", values: ["no security requirement declared"] },
      { label: "Data classes", values: ["pii", "financial"] },
      { label: "Counts", values: ["Served: 3", "Clients: 1"] },
      { label: "Gap ratio", values: ["0.5"] },
    ]);
  });

  it("caps long lists and gives nothing for no evidence", () => {
    const facts = ruleEvidenceFacts({ endpoints: Array.from({ length: 60 }, (_, i) => `GET /e${i}`) });
    expect(facts[0]!.values).toHaveLength(51);
    expect(facts[0]!.values.at(-1)).toBe("… and 10 more");
    expect(ruleEvidenceFacts(null)).toEqual([]);
    expect(ruleEvidenceFacts({})).toEqual([]);
  });
});
