import { expect, type Page, test } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

/** Version 1 or 2 of a small "Changelog Demo" spec: v2 removes an endpoint (breaking) and weakens auth on another. */
function spec(version: 1 | 2): Buffer {
  const doc = {
    openapi: "3.0.3",
    info: { title: "Changelog Demo", version: `${version}.0.0` },
    servers: [{ url: "https://changelog-demo.example.com/v1" }],
    paths: {
      "/orders/{id}": {
        get: {
          security: version === 1 ? [{ bearer: [] }] : [{ key: [] }],
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { id: { type: "string" } } } } } } },
        },
      },
      ...(version === 1
        ? { "/orders/{id}/invoice": { get: { security: [{ bearer: [] }], responses: { "200": { description: "the invoice" } } } } }
        : {}),
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, key: { type: "apiKey", in: "query", name: "api_key" } },
    },
  };
  return Buffer.from(JSON.stringify(doc, null, 2));
}

async function upload(page: Page, version: 1 | 2) {
  await page.goto("/ingest");
  await page.getByTestId("ingest-file-input").setInputFiles({ name: "changelog-demo.json", mimeType: "application/json", buffer: spec(version) });
  const item = page.getByTestId("upload-item").first();
  await expect(item).toContainText("succeeded");
}

test("a security admin reads a breaking change on an API's Changes tab, and the overview shows the week's changes", async ({ page }) => {
  await signIn(page, E2E.admin);
  await upload(page, 1);
  await upload(page, 2);

  await page.goto("/apis/changelog-demo");
  await page.getByRole("link", { name: "Changes", exact: true }).click();
  await expect(page).toHaveURL(/tab=changes/);
  const changelog = page.getByRole("region", { name: "Changelog" });
  const latest = changelog.getByRole("article").first();
  await expect(latest).toContainText("changelog-demo.json");
  await expect(latest).toContainText("1 breaking");
  const removed = latest.getByRole("row", { name: /Endpoint removed/ });
  await expect(removed).toContainText("breaking");
  await expect(removed).toContainText("GET /orders/{id}/invoice");
  const weakened = latest.getByRole("row", { name: /Authentication weakened/ });
  await expect(weakened).toContainText("bearer token");
  await expect(weakened).toContainText("API key in query");
  // The source's first version is listed below it, without changes.
  await expect(changelog.getByRole("article").nth(1)).toContainText("First version from this source");

  await page.goto("/overview");
  const week = page.getByRole("region", { name: "What changed this week" });
  await expect(week).toContainText("weakened auth");
  const row = week.getByRole("row", { name: /Changelog Demo/ });
  await expect(row).toContainText("1 breaking");
  await row.getByRole("link", { name: "Changelog Demo" }).click();
  await expect(page).toHaveURL(/\/apis\/changelog-demo\?tab=changes/);
  await expect(page.getByRole("region", { name: "Changelog" })).toContainText("Endpoint removed");
});
