import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E, SAMPLES, signIn } from "./fixtures";

test("upload the crAPI spec through the UI and see its endpoints", async ({ page }) => {
  await signIn(page, E2E.admin);
  await page.getByRole("link", { name: "Ingest" }).click();
  await page.getByTestId("ingest-file-input").setInputFiles(`${SAMPLES}api-inventory/crapi-openapi-spec.json`);
  const item = page.getByTestId("upload-item").first();
  await expect(item).toContainText("succeeded");
  await expect(item).toContainText("format: openapi");

  // Identical content again: a no-op that says so.
  await page.getByTestId("ingest-file-input").setInputFiles(`${SAMPLES}api-inventory/crapi-openapi-spec.json`);
  await expect(page.getByTestId("upload-item").first()).toContainText("duplicate");

  await page.getByRole("link", { name: "APIs" }).click();
  await page.getByLabel("Search APIs").fill("crapi");
  // The search box is debounced into the URL; click only once the filtered list is there.
  await expect(page).toHaveURL(/q=crapi/);
  await expect(page.getByRole("table", { name: "APIs" }).locator("tbody tr")).toHaveCount(1);
  await page.getByRole("link", { name: /crAPI/ }).first().click();
  const endpoints = page.getByRole("table", { name: "Endpoints" });
  await expect(endpoints).toContainText("/identity/api/auth/signup");
  await expect(endpoints.locator("tbody tr").first()).toBeVisible();
});

test("a file in no known format is rejected and nothing is written", async ({ page }) => {
  await signIn(page, E2E.admin);
  await page.goto("/ingest");
  await page.getByTestId("ingest-file-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just some notes\nnothing here") });
  const item = page.getByTestId("upload-item").first();
  await expect(item).toContainText("failed");
  await expect(item).toContainText(/not a format Postern reads/);
});

test("POST /api/v1/ingest needs an ingest token; a token created in Settings works once shown", async ({ page, request }) => {
  const body = readFileSync(`${SAMPLES}api-inventory/swagger2-petstore.json`);
  const anonymous = await request.post("/api/v1/ingest?filename=petstore.json", { data: body });
  expect(anonymous.status()).toBe(401);

  await signIn(page, E2E.admin);
  await page.goto("/settings");
  await page.getByLabel("Name").fill("e2e-ci");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.locator(".token-once").innerText()).trim();
  expect(token).toMatch(/^pst_[A-Za-z0-9_-]{43}$/);

  const accepted = await request.post("/api/v1/ingest?filename=petstore.json", {
    data: body,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream" },
  });
  expect(accepted.status()).toBe(200);
  const result = (await accepted.json()) as { runs: { status: string; format: string }[] };
  expect(result.runs[0]).toMatchObject({ status: "succeeded", format: "swagger2" });

  await page.getByRole("button", { name: "Revoke token e2e-ci" }).click();
  await expect(page.getByRole("table", { name: "Tokens" })).toContainText("revoked");
  const revoked = await request.post("/api/v1/ingest?filename=petstore.json", {
    data: body,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(revoked.status()).toBe(401);
});

test("the REST API is described by an OpenAPI 3.1 document", async ({ request }) => {
  const response = await request.get("/api/v1/openapi.json");
  expect(response.status()).toBe(200);
  const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/ingest");
});
