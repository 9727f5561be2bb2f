/**
 * The remediation workflow as people use it (issue 14): a developer lands on My findings, sees only their team's
 * findings, starts one with a click and comments on it from the keyboard; a security person accepts the risk of a
 * filtered set of findings in one bulk action with an expiry; the finding's history shows both, with who and when.
 * The security person is made here with the CLI, which the running server executes (scripts/e2e.mjs set the
 * database and POSTERN_HOME for this process).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { E2E } from "./fixtures";

const ROOT = path.resolve(import.meta.dirname, "..");
const SECURITY = { email: "security-workflow@e2e.postern.local", password: "e2e-security-password-123" };
const COMMENT = "Looking into it **now**, see <script>alert(1)</script>";

function cli(args: string[], stdin: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("node", [path.join(ROOT, "bin/postern.mjs"), ...args], { cwd: ROOT, env: process.env }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

async function signIn(page: Page, who: { email: string; password: string }, landing: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: landing, level: 1 })).toBeVisible();
}

test.describe.serial("remediation workflow", () => {
  let finding: { id: string; title: string; api: string };

  test.beforeAll(async () => {
    const made = await cli(["user", "create", "--email", SECURITY.email, "--role", "security", "--password-stdin"], `${SECURITY.password}\n`);
    if (made.code !== 0) expect(made.stderr).toMatch(/already exists/);
  });

  test("a developer lands on My findings, sees only their team's, starts one and comments on it", async ({ page }) => {
    await signIn(page, E2E.developer, "My findings");
    await expect(page).toHaveURL(/\/my$/);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link").first()).toContainText("My findings");
    await expect(nav.getByRole("link", { name: /Triage queue/ })).toHaveCount(0);

    const table = page.getByRole("table", { name: "My findings" });
    const rows = table.locator("tbody tr[data-finding]");
    await expect(rows.first()).toBeVisible();
    const teams = await table.getByTestId("row-team").allInnerTexts();
    expect(teams.length).toBe(await rows.count());
    for (const team of teams) expect(team.toLowerCase()).toContain("payments");

    // One that can be started (open or triaged), from the first page.
    const row = rows.filter({ has: page.getByRole("button", { name: /^Start: / }) }).first();
    await expect(row).toBeVisible();
    const id = await row.getAttribute("data-finding");
    const title = await row.locator("td").nth(1).getByRole("link").innerText();
    const api = (await row.locator("td").nth(2).getByRole("link").getAttribute("href"))!.replace("/apis/", "");
    finding = { id: id!, title, api };

    await row.getByRole("button", { name: /^Start: / }).click();
    await expect(page.getByRole("status").filter({ hasText: "Moved" })).toContainText(`Moved “${title}” to in progress.`);
    const moved = table.locator(`tbody tr[data-finding="${finding.id}"]`);
    await expect(moved).toContainText("in progress");

    // The keyboard: ? lists the shortcuts; c on the current row opens its comment box.
    await page.getByRole("heading", { name: "My findings", level: 1 }).click();
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toContainText("assign to me");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toHaveCount(0);
    await moved.click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("c");
    const box = moved.getByLabel("Comment (markdown)");
    await expect(box).toBeFocused();
    await box.fill(COMMENT);
    await page.keyboard.press("Control+Enter");
    await expect(page.getByRole("status").filter({ hasText: "Commented" })).toContainText(`Commented on “${title}”.`);
  });

  test("a security person accepts the risk of a filtered set in one action, with an expiry", async ({ page }) => {
    await signIn(page, SECURITY, "Overview");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Triage queue/ })).toBeVisible();
    await page.goto(`/findings?api=${encodeURIComponent(finding.api)}&status=active`);
    const table = page.getByRole("table", { name: "Findings" });
    await expect(table.getByRole("link", { name: finding.title }).first()).toBeVisible();
    const match = page.getByTestId("match-count");
    await expect(match).toHaveText(/^\d+ findings? match$/);
    const count = Number((await match.innerText()).split(" ")[0]);
    expect(count).toBeGreaterThan(0);

    const bulk = page.getByRole("region", { name: "Bulk actions" });
    await bulk.getByRole("button", { name: "Accept risk…" }).click();
    await bulk.getByLabel("Reason (required)").fill("Compensating WAF rule until the vendor fix");
    const until = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    await bulk.getByLabel("Accepted until").fill(until);
    await bulk.getByRole("button", { name: `Accept risk for ${count} finding${count === 1 ? "" : "s"}` }).click();
    await expect(page.getByTestId("bulk-result")).toHaveText(`Changed ${count} of ${count} finding${count === 1 ? "" : "s"}.`);
    // None of them is active any more.
    await expect(match).toHaveText("0 findings match");

    await page.goto(`/findings/${finding.id}`);
    await expect(page.getByTestId("acceptance")).toContainText(`until ${until} by ${SECURITY.email}: Compensating WAF rule`);
    const history = page.getByRole("table", { name: "History" });
    const started = history.locator("tr[data-type=status]").filter({ hasText: "in progress" }).first();
    await expect(started).toContainText(E2E.developer.email);
    const comment = history.locator("tr[data-type=comment]").last();
    await expect(comment).toContainText(E2E.developer.email);
    await expect(comment.locator("strong")).toHaveText("now");
    await expect(comment).toContainText("<script>alert(1)</script>");
    await expect(comment.locator("script")).toHaveCount(0);
    const accepted = history.locator("tr[data-type=status]").filter({ hasText: "risk accepted" });
    await expect(accepted).toContainText(SECURITY.email);
    await expect(accepted).toContainText(`accepted until ${until}`);
  });

  test("the developer sees the decision on the finding and it left My findings", async ({ page }) => {
    await signIn(page, E2E.developer, "My findings");
    await expect(page.locator(`tbody tr[data-finding="${finding.id}"]`)).toHaveCount(0);
    await page.goto(`/findings/${finding.id}`);
    await expect(page.getByTestId("acceptance")).toContainText(SECURITY.email);
    const actions = page.getByRole("region", { name: "Actions" });
    await expect(actions).toContainText("No moves from risk accepted for your role.");
    await expect(actions.getByRole("button", { name: "Propose false positive…" })).toBeVisible();
  });
});
