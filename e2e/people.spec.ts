import { type Browser, expect, type Page, test } from "@playwright/test";
import { E2E } from "./fixtures";

/** A procedure's answer as the page's own session gets it (the same door the UI uses). */
async function query<T>(page: Page, path: string, input?: unknown): Promise<{ status: number; data?: T }> {
  const url = `/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
  const response = await page.request.get(url);
  if (!response.ok()) return { status: response.status() };
  return { status: response.status(), data: ((await response.json()) as { result: { data: T } }).result.data };
}

/** Signs in with a password someone else set: every page leads to the change-password screen until it is changed. */
async function signInAndChangePassword(page: Page, email: string, given: string, chosen: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(given);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Change your password" })).toBeVisible();
  await page.goto("/apis");
  await expect(page).toHaveURL(/\/change-password$/);
  expect((await query(page, "apis.list", {})).status).toBe(403);
  await page.getByLabel("Current password").fill(given);
  await page.getByLabel("New password", { exact: true }).fill(chosen);
  await page.getByLabel("Repeat the new password").fill(chosen);
  await page.getByRole("button", { name: "Change password" }).click();
  // Developers land on My findings, everyone else on the overview.
  await expect(page.getByRole("heading", { name: /^(Overview|My findings)$/, level: 1 })).toBeVisible();
}

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("the first admin changes the printed password, adds a developer to a team, and moving an Api to another team takes it and its findings out of the developer's view", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // 1. The first admin signs in with the password setup printed and is made to change it.
  const admin = await newPage(browser);
  await signInAndChangePassword(admin, E2E.firstAdmin.email, E2E.firstAdmin.password, "first-admin-chosen-password-1");

  // Team A: a demo team (not the other specs' payments) owning an Api with active findings; team B: another one.
  const active = await query<{ rows: { id: string; title: string; api: { slug: string; name: string } | null; team: { slug: string; name: string } | null }[] }>(
    admin,
    "findings.list",
    { status: "active", pageSize: 200 },
  );
  const finding = active.data?.rows.find((r) => r.api && r.team && r.team.slug !== "payments");
  expect(finding, "a demo finding of a team other than payments").toBeDefined();
  const api = finding!.api!;
  const teamA = finding!.team!;
  expect((await query<{ ownerTeam: { slug: string } | null }>(admin, "apis.get", { slug: api.slug })).data?.ownerTeam?.slug).toBe(teamA.slug);
  const teams = (await query<{ slug: string; name: string }[]>(admin, "apis.teams")).data ?? [];
  const teamB = teams.find((t) => t.slug !== teamA.slug && t.slug !== "payments")!;
  expect(teamB).toBeDefined();

  // 2. Settings → People: a developer in team A, with a generated password shown once.
  await admin.getByRole("link", { name: "Settings" }).click();
  await admin.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "People" }).click();
  await expect(admin.getByRole("heading", { name: "People", level: 1 })).toBeVisible();
  const email = "people-dev@e2e.postern.local";
  const form = admin.getByRole("region", { name: "Add a person" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("developer");
  await form.getByRole("checkbox", { name: teamA.name, exact: true }).check();
  await form.getByRole("button", { name: "Add person" }).click();
  const once = admin.getByTestId("password-once");
  await expect(once).toBeVisible();
  const generated = (await once.innerText()).trim();
  expect(generated.length).toBeGreaterThanOrEqual(20);
  const people = admin.getByRole("table", { name: "People" });
  const row = people.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText(teamA.name);
  await expect(row).toContainText("must change password");
  await admin.getByRole("button", { name: "Done" }).click();
  await expect(once).toHaveCount(0);
  await admin.reload();
  await expect(people.getByRole("row").filter({ hasText: email })).toBeVisible();
  expect(await admin.content()).not.toContain(generated);

  // 3. The developer signs in, changes the password, and sees only team A's Apis, the Api and its finding among them.
  const developer = await newPage(browser);
  await signInAndChangePassword(developer, email, generated, "developer-chosen-password-1");
  await developer.goto("/apis");
  const rows = developer.getByRole("table", { name: "APIs" }).locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const owners = await rows.getByTestId("owner-cell").allInnerTexts();
  expect(owners.length).toBeGreaterThan(0);
  for (const owner of owners) expect(owner).toBe(teamA.name);
  await expect(developer.getByRole("table", { name: "APIs" })).toContainText(api.name);
  await developer.goto(`/findings/${finding!.id}`);
  await expect(developer.getByRole("heading", { name: finding!.title })).toBeVisible();

  // 4. The admin moves the Api to team B on its page; the claims say where each owner came from.
  await admin.goto(`/apis/${api.slug}`);
  const ownership = admin.getByRole("region", { name: "Ownership" });
  await expect(ownership.getByTestId("api-owner")).toHaveText(teamA.name);
  await ownership.getByLabel("Owning team").selectOption(teamB.slug);
  await ownership.getByRole("button", { name: "Set owner" }).click();
  await expect(ownership.getByTestId("api-owner")).toHaveText(teamB.name);
  const claims = ownership.getByRole("table", { name: "Owner claims" });
  await expect(claims.getByRole("row").filter({ hasText: "set manually" })).toContainText(teamB.name);
  await expect(claims.getByRole("row").filter({ hasText: "set manually" })).toContainText("decides");
  await expect(admin.getByRole("region", { name: "About this API" })).toContainText(teamB.name);
  // The finding's work moved with it.
  await admin.goto(`/findings/${finding!.id}`);
  await expect(admin.getByRole("table", { name: "History" })).toContainText(new RegExp(`team\\S* .*${teamB.slug}`));

  // 5. The developer no longer sees the Api or its findings.
  await developer.goto("/apis");
  await expect(rows.first()).toBeVisible();
  await expect(developer.getByRole("table", { name: "APIs" })).not.toContainText(api.name);
  const apiPage = await developer.goto(`/apis/${api.slug}`);
  expect(apiPage?.status()).toBe(404);
  const findingPage = await developer.goto(`/findings/${finding!.id}`);
  expect(findingPage?.status()).toBe(404);
  expect((await query(developer, "apis.get", { slug: api.slug })).status).toBe(404);
  expect((await query(developer, "findings.get", { id: finding!.id })).status).toBe(404);
  expect((await query<{ total: number }>(developer, "findings.list", { api: api.slug })).data?.total).toBe(0);
});
