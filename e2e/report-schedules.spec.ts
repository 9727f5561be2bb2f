import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

test("Report schedules: security schedules a weekly report, runs it now, finds it in the history and downloads its PDF", async ({ page }) => {
  await signIn(page, E2E.security);
  await page.goto("/reports");
  await page.getByRole("link", { name: "Report history and scheduled reports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Report history" })).toBeVisible();

  const name = `E2E weekly SOC 2 ${Date.now()}`;
  const form = page.getByRole("form", { name: "New scheduled report" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Framework").selectOption("soc2");
  await form.getByLabel("Cadence").selectOption("weekly");
  await form.getByRole("button", { name: "Add schedule" }).click();
  const row = page.getByRole("table", { name: "Report schedules" }).locator(`tr[data-schedule="${name}"]`);
  await expect(row).toBeVisible();
  // The next run is the next Monday, 00:00 UTC.
  await expect(row).toContainText(/\d{4}-\d{2}-\d{2} 00:00 UTC/);

  await page.getByRole("button", { name: `Run now: ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Report made for All Apis" })).toBeVisible();
  const run = page.getByRole("table", { name: "Report history" }).locator("tbody tr").filter({ hasText: name }).first();
  await expect(run).toContainText("SOC 2");
  await expect(run).toContainText(/\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);

  await run.getByRole("link", { name: "View" }).click();
  await expect(page).toHaveURL(/\/reports\/runs\/[^/?#]+$/);
  await expect(page.getByRole("heading", { level: 1, name: `Stored report: ${name}` })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /^SOC 2/ })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Changes since the previous run" })).toBeVisible();

  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByTestId("run-pdf").click()]);
  expect(pdf.suggestedFilename()).toMatch(/^postern-soc2-all-\d{4}-\d{2}-\d{2}-run-\w+\.pdf$/);
  const bytes = await readFile((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
});

test("Report schedules: an executive reads the history and what changed, without schedule controls", async ({ page }) => {
  await signIn(page, E2E.executive);
  await page.goto("/reports/history");
  await expect(page.getByRole("heading", { level: 1, name: "Report history" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Scheduled reports" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Run now/ })).toHaveCount(0);
  // The demo's weekly OWASP report, two weeks of it.
  const demo = page.getByRole("table", { name: "Report history" }).locator("tbody tr").filter({ hasText: "Weekly OWASP API Top 10" });
  await expect(demo).toHaveCount(2);
  await demo.first().getByRole("link", { name: "View" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Changes since the previous run" })).toBeVisible();
  await expect(page.getByRole("link", { name: /the report of \d{4}-\d{2}-\d{2}/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "Open findings by severity, before and now" })).toBeVisible();
  // Schedules are for the security team.
  expect((await page.request.get("/api/trpc/reportSchedules.list")).status()).toBe(403);
});

test("Report schedules: a developer cannot open an organisation-wide run by its address", async ({ page, browser }) => {
  const executive = await browser.newPage();
  await signIn(executive, E2E.executive);
  await executive.goto("/reports/history");
  const link = executive.getByRole("table", { name: "Report history" }).locator("tbody tr").filter({ hasText: "All Apis" }).first().getByRole("link", { name: "View" });
  const href = await link.getAttribute("href");
  expect(href).toMatch(/^\/reports\/runs\/\w+$/);
  await executive.close();

  await signIn(page, E2E.developer);
  const answer = await page.goto(href!);
  expect(answer?.status()).toBe(404);
  const id = href!.split("/").pop()!;
  expect((await page.request.get(`/api/reports/runs/${id}?format=pdf`)).status()).toBe(404);
  await page.goto("/reports/history");
  const history = page.getByRole("table", { name: "Report history" });
  await expect(history.locator("tbody tr").first()).toBeVisible();
  await expect(history).not.toContainText("Weekly OWASP API Top 10");
});
