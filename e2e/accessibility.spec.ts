import AxeBuilder from "@axe-core/playwright";
import { type BrowserContext, expect, type Locator, type Page, test, type TestInfo } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

/**
 * Every page of every role, in both themes, through axe-core with the WCAG 2.0/2.1 A and AA rules: zero violations.
 * A new page is one line in PAGES.
 */

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];
type Role = "admin" | "security" | "developer" | "executive";
const EVERYONE: readonly Role[] = ["admin", "security", "developer", "executive"];
const STAFF: readonly Role[] = ["admin", "security", "developer"];
const SECURITY_TEAM: readonly Role[] = ["admin", "security"];

interface PageVisit {
  name: string;
  /** Who can open it (app/(app)/layout.tsx's menu and each page's own check). */
  roles: readonly Role[];
  /** Where to go; with `via`, the list page whose link leads to the page (so real ids, never hard-coded ones). */
  path: string;
  via?: (page: Page) => Locator;
  /** The address the link leads to. */
  at?: RegExp;
}

const firstLinkIn = (table: string) => (page: Page) => page.getByRole("table", { name: table, exact: true }).locator("tbody tr").getByRole("link").first();

const PAGES: readonly PageVisit[] = [
  { name: "Overview", path: "/", roles: SECURITY_TEAM },
  { name: "Overview", path: "/overview", roles: ["developer", "executive"] },
  { name: "Executive summary", path: "/executive", roles: ["admin", "security", "executive"] },
  { name: "Reports", path: "/reports?framework=pci-dss-4.0", roles: EVERYONE },
  { name: "Report history", path: "/reports/history", roles: EVERYONE },
  // The demo's weekly report (organisation-wide: developers see none, and the page answers them 404).
  { name: "A stored report", path: "/reports/history", via: firstLinkIn("Report history"), at: /\/reports\/runs\/[^/?#]+$/, roles: ["admin", "security", "executive"] },
  { name: "My findings", path: "/my", roles: STAFF },
  { name: "Triage queue", path: "/triage", roles: SECURITY_TEAM },
  { name: "APIs", path: "/apis", roles: EVERYONE },
  // The riskiest Api: the one with the most to show (traffic charts, attack signals, spec lint).
  { name: "An API", path: "/apis?sort=riskScore&dir=desc", via: firstLinkIn("APIs"), at: /\/apis\/[^/?#]+$/, roles: EVERYONE },
  // Executives get a notice here (findings are for the security team and the owners): the menu links it.
  { name: "Findings", path: "/findings", roles: EVERYONE },
  { name: "A finding", path: "/findings", via: firstLinkIn("Findings"), at: /\/findings\/[^/?#]+$/, roles: STAFF },
  { name: "Attack signals", path: "/attack-signals", roles: EVERYONE },
  { name: "Secrets", path: "/secrets", roles: STAFF },
  { name: "Notifications", path: "/notifications", roles: EVERYONE },
  { name: "Ingest", path: "/ingest", roles: SECURITY_TEAM },
  { name: "Settings", path: "/settings", roles: SECURITY_TEAM },
  { name: "People", path: "/settings/people", roles: ["admin"] },
  { name: "Teams", path: "/settings/teams", roles: ["admin"] },
  { name: "A team", path: "/settings/teams", via: firstLinkIn("Teams"), at: /\/settings\/teams\/[^/?#]+$/, roles: ["admin"] },
  { name: "Webhooks", path: "/settings/webhooks", roles: SECURITY_TEAM },
  { name: "Audit log", path: "/settings/audit", roles: ["admin"] },
  { name: "My account", path: "/account", roles: EVERYONE },
];

type Violation = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"][number];

/** One line per rule, then each failing node with axe's own explanation. */
function readable(where: string, violations: Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    at ${n.target.join(" ")}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`);
      return `${where}: ${v.id} (${v.impact ?? "?"}, ${v.nodes.length} node${v.nodes.length === 1 ? "" : "s"}): ${v.help}\n    ${v.helpUrl}\n${nodes.join("\n")}`;
    })
    .join("\n");
}

async function setTheme(context: BrowserContext, theme: Theme, info: TestInfo) {
  // The theme toggle stores the choice in this cookie and the root layout reads it (app/layout.tsx).
  await context.addCookies([{ name: "postern-theme", value: theme, url: String(info.project.use.baseURL) }]);
}

/** Waits for the page's own data (client components fetch after the first paint), then runs axe. */
async function audit(page: Page, theme: Theme, where: string): Promise<{ report: string; rules: number; nodes: number }> {
  await page.waitForLoadState("networkidle");
  await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  // next dev's overlay is not part of the app (and absent from the production build this suite runs against).
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).exclude("nextjs-portal").analyze();
  return { report: readable(where, violations), rules: violations.length, nodes: violations.reduce((n, v) => n + v.nodes.length, 0) };
}

function expectClean(results: { report: string; rules: number; nodes: number }[], label: string) {
  const rules = results.reduce((n, r) => n + r.rules, 0);
  const nodes = results.reduce((n, r) => n + r.nodes, 0);
  console.log(`${label}: ${results.length} pages, ${rules} violations on ${nodes} nodes`);
  const report = results.map((r) => r.report).filter(Boolean).join("\n");
  expect(rules, `axe (${TAGS.join(", ")}) found:\n${report}`).toBe(0);
}

const CREDENTIALS = () => ({ admin: E2E.admin, security: E2E.security, developer: E2E.developer, executive: E2E.executive });

for (const role of EVERYONE) {
  for (const theme of THEMES) {
    test(`${role}: every page passes axe in the ${theme} theme`, async ({ page, context }, info) => {
      test.setTimeout(300_000);
      await setTheme(context, theme, info);
      await signIn(page, CREDENTIALS()[role]);
      const results = [];
      for (const visit of PAGES.filter((p) => p.roles.includes(role))) {
        await page.goto(visit.path);
        if (visit.via) {
          await page.waitForLoadState("networkidle");
          await visit.via(page).click();
          await expect(page).toHaveURL(visit.at ?? /./);
        } else {
          // The role really opened it (a page it may not see redirects elsewhere).
          expect(new URL(page.url()).pathname, `${role} opens ${visit.path}`).toBe(new URL(visit.path, page.url()).pathname);
        }
        await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
        results.push(await audit(page, theme, `${visit.name} (${new URL(page.url()).pathname}, ${role}, ${theme})`));
      }
      expectClean(results, `${role}, ${theme}`);
    });
  }
}

test("sign-in and change-password pages pass axe in both themes", async ({ page, browser }, info) => {
  test.setTimeout(180_000);
  // A person whose password an admin set, so that their first sign-in leads to the change-password page.
  await signIn(page, E2E.admin);
  await page.goto("/settings/people");
  const email = `a11y-${Date.now()}@e2e.postern.local`;
  const form = page.getByRole("region", { name: "Add a person" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("developer");
  await form.getByRole("button", { name: "Add person" }).click();
  const password = (await page.getByTestId("password-once").innerText()).trim();

  const results = [];
  for (const theme of THEMES) {
    const context = await browser.newContext();
    await setTheme(context, theme, info);
    const visitor = await context.newPage();
    await visitor.goto("/sign-in");
    results.push(await audit(visitor, theme, `Sign in (${theme})`));
    // A failed attempt shows its error on the same page (an address nobody has: no lockout counts against anyone).
    await visitor.getByLabel("Email").fill(`nobody-${theme}@e2e.postern.local`);
    await visitor.getByLabel("Password").fill("not the password at all");
    await visitor.getByRole("button", { name: "Sign in" }).click();
    await expect(visitor.locator("#sign-in-error")).toBeVisible();
    results.push(await audit(visitor, theme, `Sign in, after a wrong password (${theme})`));
    await visitor.getByLabel("Email").fill(email);
    await visitor.getByLabel("Password").fill(password);
    await visitor.getByRole("button", { name: "Sign in" }).click();
    await expect(visitor.getByRole("heading", { name: "Change your password" })).toBeVisible();
    results.push(await audit(visitor, theme, `Change your password (${theme})`));
    await context.close();
  }
  expectClean(results, "sign-in and change-password");
});

test("a keyboard user reaches the Findings pager without tabbing through the rows", async ({ page }) => {
  await signIn(page, E2E.security);
  await page.goto("/findings");
  const table = page.getByRole("table", { name: "Findings", exact: true });
  await expect(table.locator("tbody tr").first()).toBeVisible();
  // The page has more than one page of findings, so the pager has somewhere to go.
  const next = page.getByRole("navigation", { name: /pages of findings/i }).getByRole("button", { name: "Next" });
  await expect(next).toBeEnabled();
  const rowLinks = await table.locator("tbody").getByRole("link").count();
  expect(rowLinks).toBeGreaterThan(40);

  // From the search box, Tab goes through the filters to the skip link before any row link.
  await page.getByLabel("Search findings").focus();
  const skip = page.getByRole("link", { name: "Skip to pagination" });
  let presses = 0;
  while (presses < 40 && !(await skip.evaluate((el) => el === document.activeElement))) {
    await page.keyboard.press("Tab");
    presses += 1;
  }
  await expect(skip).toBeFocused();
  // Visible while it has focus (it hides off-screen otherwise).
  const box = await skip.boundingBox();
  expect(box && box.width > 10 && box.height > 10 && box.x >= 0 && box.y >= 0).toBe(true);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(next).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/[?&]page=2/);
});
