import { expect, test } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

test("the overview ranks the demo organisation's riskiest API and its page explains the score factor by factor", async ({ page }) => {
  await signIn(page, E2E.admin);

  // The server's own ranking (same session) names the top API; the dashboard shows it first.
  const response = await page.request.get("/api/trpc/risk.overview");
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { result: { data: { top: { name: string; slug: string; score: number }[] } } };
  const top = body.result.data.top;
  expect(top.length).toBeGreaterThan(0);
  expect(top[0]!.score).toBeGreaterThan(0);
  for (const next of top.slice(1)) expect(next.score).toBeLessThanOrEqual(top[0]!.score);

  const riskiest = page.getByRole("table", { name: "Riskiest APIs" });
  await expect(riskiest).toBeVisible();
  const first = riskiest.getByTestId("risky-api").first();
  await expect(first).toContainText(top[0]!.name);
  await expect(first).toContainText(top[0]!.score.toFixed(1));
  await expect(page.getByRole("region", { name: "Risk trend" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Ownerless APIs: \d+/ })).toHaveAttribute("href", "/apis?ownerless=1");

  await first.getByRole("link", { name: top[0]!.name }).click();
  await expect(page).toHaveURL(new RegExp(`/apis/${top[0]!.slug}`));
  await expect(page.getByRole("heading", { level: 1, name: top[0]!.name })).toBeVisible();
  await expect(page.getByTestId("risk-score")).toHaveText(top[0]!.score.toFixed(1));
  const factors = page.getByRole("table", { name: "Risk factors" });
  await expect(factors).toBeVisible();
  // Eight factors, plus the floor's contribution when the API's profile sets a minimum.
  await expect(factors.getByTestId("risk-factor").nth(7)).toBeVisible();
  expect(await factors.getByTestId("risk-factor").count()).toBeLessThanOrEqual(9);
  for (const label of ["Exposure", "Data sensitivity", "Authentication strength", "Open findings", "Ownership"]) {
    await expect(factors).toContainText(label);
  }
});
