import { expect, test } from "@playwright/test";
import { E2E, SAMPLES, signIn } from "./fixtures";

/** An inventory the real ZAP petstore scan maps onto: its host and the /v2 base path. */
const inventory = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Petstore ZAP target", version: "1.0.0" },
  "x-owner": "team-pets",
  servers: [{ url: "http://swagger-petstore.demo-targets.svc/v2" }],
  paths: Object.fromEntries(
    [
      ["/pet", ["post", "put"]],
      ["/pet/findByStatus", ["get"]],
      ["/pet/{petId}", ["get", "post", "delete"]],
      ["/store/inventory", ["get"]],
      ["/store/order", ["post"]],
      ["/store/order/{orderId}", ["get", "delete"]],
      ["/user/login", ["get"]],
      ["/user/{username}", ["get", "put", "delete"]],
    ].map(([path, methods]) => [path, Object.fromEntries((methods as string[]).map((m) => [m, { responses: { "200": { description: "ok" } } }]))]),
  ),
});

test("a ZAP report uploaded after its inventory becomes findings of that API, with evidence", async ({ page }) => {
  await signIn(page, E2E.admin);
  await page.getByRole("link", { name: "Ingest" }).click();
  const input = page.getByTestId("ingest-file-input");
  await input.setInputFiles({ name: "petstore-zap-target.json", mimeType: "application/json", buffer: Buffer.from(inventory) });
  await expect(page.getByTestId("upload-item").first()).toContainText(/succeeded|duplicate/);
  await input.setInputFiles(`${SAMPLES}scan-results/zap-petstore-api-scan.json`);
  const scan = page.getByTestId("upload-item").first();
  await expect(scan).toContainText("zap-petstore-api-scan.json");
  await expect(scan).toContainText(/succeeded|duplicate/);

  await page.getByRole("link", { name: "Findings", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Findings" })).toBeVisible();
  await page.getByLabel("API slug").fill("petstore-zap-target");
  // The slug box is debounced into the URL: wait for it before the next filter so one does not undo the other.
  await expect(page).toHaveURL(/api=petstore-zap-target/);
  await page.getByRole("combobox", { name: "Severity", exact: true }).selectOption("medium");
  await expect(page).toHaveURL(/severity=medium/);
  const table = page.getByRole("table", { name: "Findings" });
  await expect(table).toContainText("Cross-Domain Misconfiguration");
  await expect(table).toContainText("Petstore ZAP target");
  await expect(table.locator("tbody tr").filter({ hasText: /\blow\b|\bhigh\b|\binfo\b/ })).toHaveCount(0);

  await table.getByRole("link", { name: "Cross-Domain Misconfiguration" }).first().click();
  await expect(page.getByRole("heading", { name: /Cross-Domain Misconfiguration/ })).toBeVisible();
  const where = page.getByRole("region", { name: "Where" });
  await expect(where).toContainText("Petstore ZAP target");
  await expect(where).toContainText("swagger-petstore.demo-targets.svc");
  const evidence = page.getByTestId("finding-evidence");
  await expect(evidence).toBeVisible();
  await expect(evidence).not.toContainText("The scanner reported no evidence");
  await expect(page.getByRole("link", { name: /CWE-\d+/ })).toHaveAttribute("href", /cwe\.mitre\.org\/data\/definitions\/\d+\.html/);
  await expect(page.getByRole("table", { name: "History" })).toContainText("first seen");
});
