import { expect, type Page } from "@playwright/test";

interface Credentials {
  email: string;
  password: string;
}

export const E2E = JSON.parse(process.env.E2E_CONFIG ?? "{}") as {
  /** Made by setup on the empty database; its password was printed and must be changed at first sign-in. */
  firstAdmin: Credentials;
  admin: Credentials;
  victim: Credentials;
  developer: Credentials;
  security: Credentials;
  executive: Credentials;
};

export const SAMPLES = new URL("../fixtures/samples/", import.meta.url).pathname;

export async function signIn(page: Page, who: Credentials) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Developers land on My findings, everyone else on the overview (app/(app)/page.tsx).
  await expect(page.getByRole("heading", { name: /^(Overview|My findings)$/, level: 1 })).toBeVisible();
}
