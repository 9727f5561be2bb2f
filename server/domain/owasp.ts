/**
 * OWASP API Security Top 10 (2023): the categories and the ONE table that maps a CWE to a category.
 *
 * The table starts from the CWEs the OWASP project lists for each category (owasp.org/API-Security/editions/2023)
 * and adds the CWEs that scanners commonly report. Where OWASP lists a CWE under two categories, one is chosen:
 * - CWE-285 (Improper Authorization) is listed under API1 and API5 → API1 (object-level checks are the usual gap;
 *   CWE-862 Missing Authorization and CWE-284 go to API5);
 * - CWE-319 (Cleartext Transmission) is listed under API8 and API10 → API8, like the `cleartext-transport` rule;
 * - CWE-200 (Exposure of Sensitive Information) is listed under API10 → API3 (excessive data exposure), which is
 *   what scanners mean by it; system/configuration disclosures (CWE-209, 497, 215, 548) stay in API8.
 * Injection (the 2019 API8) has no category of its own in 2023; injection CWEs map to API8 Security Misconfiguration
 * (missing input hardening of the deployed API), and improper validation of data from other APIs (CWE-20) to API10.
 * A CWE that is not in the table has no category (undefined): never guess.
 */

export type OwaspApiCategory = "API1" | "API2" | "API3" | "API4" | "API5" | "API6" | "API7" | "API8" | "API9" | "API10";

export const OWASP_API_CATEGORIES: readonly OwaspApiCategory[] = [
  "API1",
  "API2",
  "API3",
  "API4",
  "API5",
  "API6",
  "API7",
  "API8",
  "API9",
  "API10",
];

/** Official 2023 titles. */
export const OWASP_API_TITLES: Readonly<Record<OwaspApiCategory, string>> = {
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
};

/** "API1:2023 Broken Object Level Authorization". */
export function owaspApiLabel(category: OwaspApiCategory): string {
  return `${category}:2023 ${OWASP_API_TITLES[category]}`;
}

const TABLE: Readonly<Record<OwaspApiCategory, readonly number[]>> = {
  // Object-level authorization: user-controlled keys select someone else's object.
  API1: [285, 566, 639, 863, 708],
  // Authentication: weak/missing authentication, credential handling, session and token verification.
  API2: [
    204, 259, 287, 288, 290, 294, 297, 303, 304, 305, 306, 307, 308, 309, 321, 345, 347, 384, 521, 522, 523, 613, 620,
    640, 798, 1390, 1391, 1392,
  ],
  // Object-property-level authorization: excessive data exposure and mass assignment.
  API3: [200, 201, 202, 212, 213, 359, 915],
  // Resource consumption: no limits on sizes, rates, allocations, expensive operations.
  API4: [400, 405, 409, 674, 770, 776, 789, 799, 834, 920, 1333],
  // Function-level authorization: missing authorization, privilege management, exposed dangerous functions.
  API5: [250, 266, 269, 284, 425, 602, 648, 749, 862],
  // Sensitive business flows: workflows without anti-automation or ordering enforcement.
  API6: [837, 841],
  // Server-side request forgery.
  API7: [441, 918],
  // Misconfiguration: headers, CORS, TLS, cookies, verbose errors, debug features, injection hardening.
  API8: [
    2, 5, 7, 11, 13, 15, 16, 22, 23, 74, 77, 78, 79, 80, 89, 90, 91, 93, 94, 95, 98, 113, 116, 117, 209, 215, 264, 310,
    311, 312, 319, 326, 327, 328, 352, 388, 444, 489, 497, 524, 525, 532, 538, 548, 565, 598, 601, 611, 614, 643, 693,
    757, 942, 943, 1004, 1021, 1275,
  ],
  // Inventory: undocumented, hidden or unmaintained APIs and versions.
  API9: [912, 1059, 1104],
  // Unsafe consumption: trusting data, redirects and TLS of third-party APIs.
  API10: [20, 295, 494, 502, 829, 830],
};

const BY_CWE: ReadonlyMap<number, OwaspApiCategory> = (() => {
  const map = new Map<number, OwaspApiCategory>();
  for (const category of OWASP_API_CATEGORIES) {
    for (const cwe of TABLE[category]) {
      if (map.has(cwe)) throw new Error(`CWE-${cwe} is mapped twice in the OWASP API table`);
      map.set(cwe, category);
    }
  }
  return map;
})();

/** The OWASP API Security Top 10 2023 category of a CWE, or undefined when the CWE has none in the table. */
export function owaspApiCategoryForCwe(cwe: number): OwaspApiCategory | undefined {
  return BY_CWE.get(cwe);
}

/** The table's entries (for docs and tests): CWE → category. */
export function owaspApiCweTable(): ReadonlyMap<number, OwaspApiCategory> {
  return BY_CWE;
}

export function isOwaspApiCategory(value: unknown): value is OwaspApiCategory {
  return typeof value === "string" && (OWASP_API_CATEGORIES as readonly string[]).includes(value);
}
