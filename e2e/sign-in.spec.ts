/**
 * Sign-in (issue 13) in Chromium, against a server of its own (`npm start` on the e2e build, a fresh embedded
 * database) configured with the organisation's identity provider: a real OpenID provider this spec starts on
 * 127.0.0.1 (server/test/oidc-idp.ts). The "Sign in with …" button goes through the provider's sign-in page and
 * back, creating the person with the role of the claims; password sign-in stays for the local admin; and through
 * scripts/serve.mjs, wrong passwords from another address (127.0.0.2) lock out and rate-limit only that address.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startTestIdp, type TestIdp } from "../server/test/oidc-idp";

const ROOT = path.resolve(import.meta.dirname, "..");
const ADMIN = { email: "local-admin@sign-in.example", password: "local-admin-password-123" };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A sign-in POST from a given local address (Chromium always comes from 127.0.0.1 or ::1). */
function signInFrom(port: number, origin: string, from: string, email: string, password: string) {
  return new Promise<number>((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: "/api/auth/sign-in/email", method: "POST", localAddress: from, agent: false, headers: { "content-type": "application/json", origin } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.once("error", reject);
    req.end(JSON.stringify({ email, password }));
  });
}

test.describe("sign-in", () => {
  test.describe.configure({ timeout: 300_000, mode: "serial" });
  let dir: string;
  let idp: TestIdp;
  let server: ChildProcess | null = null;
  let output = "";
  let port = 0;
  let url = "";

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    dir = mkdtempSync(path.join(tmpdir(), "postern-sign-in-"));
    port = await freePort();
    url = `http://localhost:${port}`;
    idp = await startTestIdp({ redirectUri: `${url}/api/auth/callback/oidc` });
    const env = {
      ...process.env,
      PORT: String(port),
      POSTERN_URL: url,
      DATABASE_URL: `pglite:${path.join(dir, "db")}`,
      POSTERN_HOME: dir,
      POSTERN_DEMO: "off",
      // This test checks the default limit (the rest of the suite raises it).
      POSTERN_SIGN_IN_PER_MINUTE: "30",
      POSTERN_ADMIN_EMAIL: ADMIN.email,
      POSTERN_ADMIN_PASSWORD: ADMIN.password,
      POSTERN_REBUILD: "0",
      POSTERN_OIDC_ISSUER: idp.issuer,
      POSTERN_OIDC_CLIENT_ID: idp.clientId,
      POSTERN_OIDC_CLIENT_SECRET: idp.clientSecret,
      POSTERN_OIDC_NAME: "Corp IdP",
      POSTERN_OIDC_SCOPES: "openid email profile groups",
      POSTERN_OIDC_ROLE_CLAIM: "groups",
      POSTERN_OIDC_ROLES: "postern-security=security,engineering=developer",
      POSTERN_OIDC_DEFAULT_ROLE: "none",
    };
    delete (env as Record<string, string | undefined>).E2E_CONFIG;
    server = spawn("npm", ["start"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const end = Date.now() + 240_000;
    while (Date.now() < end && server.exitCode === null && !output.includes("postern: serving on")) await new Promise((r) => setTimeout(r, 250));
    expect(output, output).toContain("postern: serving on");
  });

  test.afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      process.kill(-server.pid, "SIGTERM");
      const end = Date.now() + 30_000;
      while (server.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
      if (server.exitCode === null) process.kill(-server.pid, "SIGKILL");
    }
    await idp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the identity provider's button signs in a person it creates, with the role of the claims", async ({ page }) => {
    idp.people.set("dana", { email: "dana@corp.example", email_verified: true, name: "Dana Scully", groups: ["postern-security"] });
    await page.goto(`${url}/sign-in`);
    await page.getByRole("button", { name: "Sign in with Corp IdP" }).click();
    await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
    await page.getByLabel("Login").fill("dana");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(url);
    const me = (await (await page.request.get(`${url}/api/trpc/me.get`)).json()) as { result: { data: { email: string; role: string; name: string } } };
    expect(me.result.data).toMatchObject({ email: "dana@corp.example", role: "security", name: "Dana Scully" });
  });

  test("claims without a role come back to the sign-in page with the reason, signed out", async ({ page }) => {
    idp.people.set("eve", { email: "eve@corp.example", email_verified: true, name: "Eve", groups: ["visitors"] });
    await page.goto(`${url}/sign-in`);
    await page.getByRole("button", { name: "Sign in with Corp IdP" }).click();
    await page.getByLabel("Login").fill("eve");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(/\/sign-in\?error=NOT_AUTHORIZED/);
    await expect(page.locator("#sign-in-error")).toContainText("no role in Postern");
  });

  test("password sign-in stays for the local admin; wrong passwords from another address lock out and limit only that address", async ({ page }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push(await signInFrom(port, url, "127.0.0.2", ADMIN.email, `wrong-password-${i}`));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(403);
    expect(statuses[30]).toBe(429);
    expect(await signInFrom(port, url, "127.0.0.2", ADMIN.email, ADMIN.password)).toBe(429);

    await page.goto(`${url}/sign-in`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });
});
