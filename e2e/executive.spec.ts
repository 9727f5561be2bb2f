import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { BANDS } from "../server/domain/risk";
import { E2E, signIn } from "./fixtures";

test("an executive lands on the summary, sees the trend and SLA per team, and cannot open a finding's evidence", async ({ page, browser }) => {
  // A finding's id, as the security side sees it.
  const admin = await browser.newPage();
  await signIn(admin, E2E.admin);
  await admin.goto("/findings");
  const firstFinding = admin.getByRole("table", { name: "Findings" }).locator("tbody a[href^='/findings/']").first();
  const href = await firstFinding.getAttribute("href");
  expect(href).toMatch(/^\/findings\/[^/]+$/);
  await admin.close();

  await signIn(page, E2E.executive);
  await expect(page).toHaveURL(/\/executive$/);
  await expect(page.getByRole("heading", { level: 1, name: "Executive summary" })).toBeVisible();
  // The demo loads a risk history: the trend covers 90 days.
  const trend = page.getByRole("region", { name: "Organisation risk, last 90 days" });
  await expect(trend.locator("figcaption")).toContainText(/From \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(\d+ daily snapshots\) the average risk score went from/);
  await expect(trend.getByRole("table", { name: "Risk trend, weekly" }).locator("tbody tr")).toHaveCount(13);
  const sla = page.getByRole("table", { name: "SLA compliance per team" });
  await expect(sla).toBeVisible();
  await expect(sla.locator("tbody tr").first()).toContainText(/\d/);
  // The newest stored report (the demo's weekly schedule keeps two), and what changed since the one before it.
  const since = page.getByRole("region", { name: "Since the last report" });
  await expect(since).toContainText(/\d+ failing, \d+ passing, \d+ not assessed/);
  await expect(since.getByRole("link", { name: /\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/ })).toHaveAttribute("href", /^\/reports\/runs\/[^/]+$/);
  await expect(page.getByTestId("top-risks").locator("li").first()).toContainText(/internet-facing|internal|open to partners|exposure unknown/);
  // The five framework scorecards; one opens its report, whose PDF the executive downloads.
  const cards = page.getByRole("list", { name: "Framework scorecards" }).getByRole("listitem");
  await expect(cards).toHaveCount(5);
  await cards.first().getByRole("link").click();
  await expect(page).toHaveURL(/\/reports\?framework=/);
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-pdf").click()]);
  expect((await readFile((await pdf.path())!)).subarray(0, 5).toString("latin1")).toBe("%PDF-");

  // The finding's page and its procedure refuse: executives see aggregates only.
  await page.goto(href!);
  await expect(page.locator("p[role=alert]")).toContainText("Individual findings and their evidence are for the security team");
  await expect(page.getByTestId("finding-evidence")).toHaveCount(0);
  const id = href!.split("/").at(-1)!;
  const direct = await page.request.get(`/api/trpc/findings.get?input=${encodeURIComponent(JSON.stringify({ id }))}`);
  expect([403, 404]).toContain(direct.status());
  expect(await direct.text()).not.toMatch(/"evidence"/);
});

test("a band card on the overview opens the inventory filtered to that band, riskiest first", async ({ page }) => {
  await signIn(page, E2E.admin);
  const cards = page.getByRole("region", { name: "Risk distribution" });
  let band: string | null = null;
  for (const b of BANDS) {
    const label = await cards.getByRole("link", { name: new RegExp(`^${b} risk APIs: \\d+$`) }).getAttribute("aria-label");
    if (label && !label.endsWith(": 0")) {
      band = b;
      break;
    }
  }
  expect(band).not.toBeNull();
  await cards.getByRole("link", { name: new RegExp(`^${band} risk APIs: `) }).click();
  await expect(page).toHaveURL(new RegExp(`/apis\\?band=${band}&sort=riskScore&dir=desc`));
  const table = page.getByRole("table", { name: "APIs" });
  await expect(table.getByRole("columnheader", { name: /Risk/ })).toHaveAttribute("aria-sort", "descending");
  await expect(table.getByTestId("api-risk").first()).toContainText(band!);
  const scores = (await table.getByTestId("api-risk").locator(".mono").allTextContents()).map(Number);
  expect(scores.length).toBeGreaterThan(0);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  for (const cell of await table.getByTestId("api-risk").all()) await expect(cell).toContainText(band!);
});
