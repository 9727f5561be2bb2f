import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

test("Reports: an admin picks a framework, sees its controls and downloads the PDF and the CSV", async ({ page }) => {
  await signIn(page, E2E.admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reports" })).toBeVisible();

  // The five frameworks' scorecards.
  const cards = page.getByRole("list", { name: "Framework scorecards" }).getByRole("listitem");
  await expect(cards).toHaveCount(5);
  await expect(cards.first()).toContainText(/\d+ passing/);

  // PCI DSS over every Api: its controls, each with a status.
  await page.locator('select[name="framework"]').selectOption("pci-dss-4.0");
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page).toHaveURL(/framework=pci-dss-4\.0/);
  await expect(page.getByRole("heading", { level: 2, name: "PCI DSS 4.0" })).toBeVisible();
  const controls = page.getByTestId("report-controls");
  await expect(controls.locator("tbody tr")).toHaveCount(18);
  await expect(controls.locator('tr[data-control="8.3.2"]')).toContainText(/passing|failing|not assessed/);
  await expect(controls.locator('tr[data-control="8.3.2"]')).toContainText("Strong cryptography");

  // The PDF, made on the server.
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-pdf").click()]);
  expect(pdf.suggestedFilename()).toMatch(/^postern-pci-dss-4\.0-all-\d{4}-\d{2}-\d{2}\.pdf$/);
  const bytes = await readFile((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");

  // The CSV of the findings under the controls.
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
  const text = await readFile((await csv.path())!, "utf8");
  expect(text.split("\r\n")[0]).toBe("control,finding_id,rule,severity,status,api,due,overdue"); // RFC 4180 line ends
  expect(text.trim().split("\r\n").length).toBeGreaterThan(1);
});

test("Reports: a developer's report covers their team's Apis, and another team answers as missing", async ({ page }) => {
  await signIn(page, E2E.developer);
  await page.goto("/reports?framework=owasp-api-2023&scope=team&team=payments");
  await expect(page.getByRole("heading", { level: 2, name: "OWASP API Security Top 10 2023" })).toBeVisible();
  await expect(page.getByText(/Team .* \(payments\)/).first()).toBeVisible();
  const response = await page.request.get("/api/reports/export?framework=soc2&team=no-such-team&format=json");
  expect(response.status()).toBe(404);
});
