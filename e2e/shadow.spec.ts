import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

test("a security user opens a shadow API from the inventory, sees it is observed only, and downloads its draft spec", async ({ page }) => {
  await signIn(page, E2E.security);
  await page.goto("/apis");
  const table = page.getByRole("table", { name: "APIs" });
  await expect(table).toBeVisible();

  // The demo's gateway log calls hosts no inventory lists: they are in the inventory, observed only.
  // A controlled checkbox: its state follows the URL, which the click changes.
  await page.getByLabel("Observed only").click();
  await expect(page).toHaveURL(/source=traffic/);
  await expect(page.getByLabel("Observed only")).toBeChecked();
  const row = table.locator("tbody tr").filter({ hasText: "observed only" }).first();
  await expect(row).toBeVisible();
  await expect(row).toContainText("traffic");
  const link = row.getByRole("link").first();
  const name = (await link.textContent())?.trim() ?? "";
  expect(name).not.toBe("");
  await link.click();

  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("observed only");
  // Ownable like any other Api.
  await expect(page.getByText("ownerless").first()).toBeVisible();

  const draft = page.getByRole("region", { name: "Draft spec from traffic" });
  await expect(draft).toContainText("knows it from gateway traffic only");
  const [download] = await Promise.all([page.waitForEvent("download"), draft.getByRole("link", { name: /Download draft spec/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/-draft-openapi\.json$/);
  const text = await readFile((await download.path())!, "utf8");
  const doc = JSON.parse(text) as { openapi: string; info: { title: string }; servers: { url: string }[]; paths: Record<string, unknown> };
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  expect(doc.info.title).toContain("draft from traffic");
  expect(doc.servers[0]?.url).toMatch(/^https?:\/\//);
  expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
});
