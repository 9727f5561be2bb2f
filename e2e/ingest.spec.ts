import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { kongLine } from "../server/demo/kong-log";
import { E2E, SAMPLES, signIn } from "./fixtures";

const generated: string[] = [];
test.afterAll(() => {
  for (const dir of generated) rmSync(dir, { recursive: true, force: true });
});

/** A generated Kong file-log of `lines` lines (~1.8 KB each) on disk: big enough for the ingest to take a while. */
function kongLogFile(name: string, lines: number, day: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "postern-e2e-"));
  generated.push(dir);
  const file = path.join(dir, name);
  const start = Date.UTC(2026, 0, day, 8);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(kongLine({ time: start + i * 50, host: "bulk.e2e.example.com", path: `/v1/items/${i % 500}`, consumer: `c${i % 40}`, status: i % 50 ? 200 : 404 }));
  }
  writeFileSync(file, `${out.join("\n")}\n`);
  return file;
}

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

/** Signs in, uploads a generated Kong log on the Ingest page and returns its upload item. */
async function uploadKongLog(page: Page, name: string, day: number) {
  const log = kongLogFile(name, 60_000, day);
  await signIn(page, E2E.admin);
  await page.goto("/ingest");
  await page.getByTestId("ingest-file-input").setInputFiles(log);
  return page.getByTestId("upload-item").first();
}

test("a large gateway log is ingested in the background with live progress, then its result", async ({ page }) => {
  const item = await uploadKongLog(page, "gateway-bulk.jsonl", 5);
  await expect(item).toContainText("gateway-bulk.jsonl");
  const bar = item.getByRole("progressbar");
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("aria-valuenow", /^\d+(\.\d+)?$/);
  await expect(item).toContainText(/lines\/s/);
  await expect(item).toContainText(/elapsed \d+/);
  await expect(item.getByRole("button", { name: /Cancel ingest of gateway-bulk.jsonl/ })).toBeVisible();

  await expect(item).toContainText("succeeded", { timeout: 50_000 });
  await expect(item).toContainText("format: kong-log");
  await expect(item).toContainText("records 60,000");
  await expect(bar).toHaveCount(0);
  await expect(item.getByRole("button", { name: /Cancel/ })).toHaveCount(0);
  // The run history refreshes when the job ends.
  await expect(page.getByRole("table", { name: "Ingest runs" }).locator("tbody tr").first()).toContainText("gateway-bulk.jsonl");
});

test("cancelling a background ingest writes nothing", async ({ page }) => {
  const item = await uploadKongLog(page, "gateway-cancel.jsonl", 6);
  await expect(item.getByRole("progressbar")).toBeVisible();
  await item.getByRole("button", { name: /Cancel ingest of gateway-cancel.jsonl/ }).click();
  await expect(item).toContainText("cancelled", { timeout: 50_000 });
  await expect(item).toContainText(/nothing was written/);
  await expect(item.getByRole("progressbar")).toHaveCount(0);
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
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/ingest/jobs/{id}", "/ingest/jobs/{id}/cancel"]));
});
