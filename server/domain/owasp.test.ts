import { describe, expect, it } from "vitest";
import {
  OWASP_API_CATEGORIES,
  OWASP_API_TITLES,
  isOwaspApiCategory,
  owaspApiCategoryForCwe,
  owaspApiCweTable,
  owaspApiLabel,
} from "./owasp";

describe("OWASP API Security Top 10 2023", () => {
  it("has the ten categories with their official titles", () => {
    expect(OWASP_API_CATEGORIES).toEqual(["API1", "API2", "API3", "API4", "API5", "API6", "API7", "API8", "API9", "API10"]);
    expect(OWASP_API_TITLES).toEqual({
      API1: "Broken Object Level Authorization",
      API2: "Broken Authentication",
      API3: "Broken Object Property Level Authorization",
      API4: "Unrestricted Resource Consumption",
      API5: "Broken Function Level Authorization",
      API6: "Unrestricted Access to Sensitive Business Flows",
      API7: "Server Side Request Forgery",
      API8: "Security Misconfiguration",
      API9: "Improper Inventory Management",
      API10: "Unsafe Consumption of APIs",
    });
    expect(owaspApiLabel("API7")).toBe("API7:2023 Server Side Request Forgery");
  });

  it("maps the CWEs OWASP lists per category", () => {
    expect(owaspApiCategoryForCwe(639)).toBe("API1");
    expect(owaspApiCategoryForCwe(285)).toBe("API1");
    expect(owaspApiCategoryForCwe(204)).toBe("API2");
    expect(owaspApiCategoryForCwe(307)).toBe("API2");
    expect(owaspApiCategoryForCwe(213)).toBe("API3");
    expect(owaspApiCategoryForCwe(915)).toBe("API3");
    expect(owaspApiCategoryForCwe(770)).toBe("API4");
    expect(owaspApiCategoryForCwe(400)).toBe("API4");
    expect(owaspApiCategoryForCwe(799)).toBe("API4");
    expect(owaspApiCategoryForCwe(862)).toBe("API5");
    expect(owaspApiCategoryForCwe(918)).toBe("API7");
    expect(owaspApiCategoryForCwe(2)).toBe("API8");
    expect(owaspApiCategoryForCwe(16)).toBe("API8");
    expect(owaspApiCategoryForCwe(209)).toBe("API8");
    expect(owaspApiCategoryForCwe(319)).toBe("API8");
    expect(owaspApiCategoryForCwe(388)).toBe("API8");
    expect(owaspApiCategoryForCwe(444)).toBe("API8");
    expect(owaspApiCategoryForCwe(942)).toBe("API8");
    expect(owaspApiCategoryForCwe(1059)).toBe("API9");
    expect(owaspApiCategoryForCwe(20)).toBe("API10");
  });

  it("maps common scanner CWEs", () => {
    expect(owaspApiCategoryForCwe(798)).toBe("API2"); // hard-coded credentials
    expect(owaspApiCategoryForCwe(89)).toBe("API8"); // SQL injection
    expect(owaspApiCategoryForCwe(79)).toBe("API8"); // XSS
    expect(owaspApiCategoryForCwe(200)).toBe("API3"); // information exposure
    expect(owaspApiCategoryForCwe(1021)).toBe("API8"); // clickjacking
  });

  it("returns undefined for CWEs outside the table and for non-CWEs", () => {
    expect(owaspApiCategoryForCwe(390)).toBeUndefined(); // empty except block: code quality, no API category
    expect(owaspApiCategoryForCwe(0)).toBeUndefined();
    expect(owaspApiCategoryForCwe(-1)).toBeUndefined();
    expect(owaspApiCategoryForCwe(999999)).toBeUndefined();
  });

  it("maps every table entry to a valid category exactly once", () => {
    const table = owaspApiCweTable();
    expect(table.size).toBeGreaterThan(100);
    for (const [cwe, category] of table) {
      expect(Number.isInteger(cwe) && cwe > 0).toBe(true);
      expect(isOwaspApiCategory(category)).toBe(true);
      expect(owaspApiCategoryForCwe(cwe)).toBe(category);
    }
    // every category except API6 has at least one CWE from the official list; API6 has workflow CWEs
    const used = new Set(table.values());
    expect([...used].sort()).toEqual([...OWASP_API_CATEGORIES].sort());
  });

  it("recognises category ids", () => {
    expect(isOwaspApiCategory("API10")).toBe(true);
    expect(isOwaspApiCategory("API11")).toBe(false);
    expect(isOwaspApiCategory(1)).toBe(false);
  });
});
