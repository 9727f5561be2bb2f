import { expect, test } from "@playwright/test";
import { E2E, signIn } from "./fixtures";

test("an unauthenticated tRPC call gets 401 without internals", async ({ request }) => {
  const response = await request.get(`/api/trpc/apis.list?input=${encodeURIComponent(JSON.stringify({}))}`);
  expect(response.status()).toBe(401);
  const body = await response.text();
  expect(body).toContain("UNAUTHORIZED");
  expect(body).not.toMatch(/at .*\.ts:\d+|stack|prisma/i);
});

test("pages carry security headers", async ({ request }) => {
  const response = await request.get("/sign-in");
  const headers = response.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-powered-by"]).toBeUndefined();
});

test("signed-out visitors are sent to the sign-in page", async ({ page }) => {
  await page.goto("/apis");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("five wrong passwords lock the account, even for the right password", async ({ page }) => {
  await page.goto("/sign-in");
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel("Email").fill(E2E.victim.email);
    await page.getByLabel("Password").fill(`wrong-password-${attempt}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("#sign-in-error")).toContainText(/invalid|incorrect|locked/i);
  }
  await page.getByLabel("Email").fill(E2E.victim.email);
  await page.getByLabel("Password").fill(E2E.victim.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#sign-in-error")).toContainText(/locked/i);
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("the session cookie is httpOnly and SameSite", async ({ page, context }) => {
  await signIn(page, E2E.admin);
  const session = (await context.cookies()).find((c) => c.name.includes("session_token"));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
});

test("a developer sees only their team's APIs and may not read ingest history", async ({ page }) => {
  await signIn(page, E2E.developer);
  await page.goto("/apis");
  const rows = page.getByRole("table", { name: "APIs" }).locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const owners = await rows.getByTestId("owner-cell").allInnerTexts();
  expect(owners.length).toBeGreaterThan(0);
  for (const owner of owners) expect(owner.toLowerCase()).toContain("payments");
  const forbidden = await page.request.get(`/api/trpc/ingest.runs?input=${encodeURIComponent(JSON.stringify({}))}`);
  expect(forbidden.status()).toBe(403);
});
