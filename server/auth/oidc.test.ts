/**
 * Sign-in with the organisation's identity provider (issue 13): the configuration and claim mapping, then the whole
 * authorization code flow over HTTP against a real OpenID provider on 127.0.0.1 (server/test/oidc-idp.ts), through
 * the real better-auth route (app/api/auth), with a cookie jar per side. The browser version of the same flow, with
 * the "Sign in with …" button, is e2e/sign-in.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...all]/route";
import { createCaller } from "@/server/api/root";
import { type Database, getDatabase } from "@/server/db/client";
import { deactivate, reactivate } from "@/server/people/admin";
import { createUser, ensureTeam } from "@/server/people/service";
import { startTestIdp, type TestIdp } from "@/server/test/oidc-idp";
import { mapClaims, OidcConfigError, oidcConfig } from "./oidc";
import type { Actor } from "./roles";
import { actorFromHeaders } from "./session";

const BASE = "http://localhost:3000";

describe("identity provider configuration", () => {
  const env = { POSTERN_OIDC_ISSUER: "https://idp.example.com/", POSTERN_OIDC_CLIENT_ID: "postern", POSTERN_OIDC_CLIENT_SECRET: "s3cret" };

  it("is off without an issuer, and refuses an incomplete or wrong one", () => {
    expect(oidcConfig({})).toBeNull();
    expect(() => oidcConfig({ POSTERN_OIDC_ISSUER: "https://idp.example.com" })).toThrow(OidcConfigError);
    expect(() => oidcConfig({ ...env, POSTERN_OIDC_ISSUER: "http://idp.example.com" })).toThrow(/https/);
    expect(() => oidcConfig({ ...env, POSTERN_OIDC_ROLES: "admins=root" })).toThrow(/not a role/);
    expect(() => oidcConfig({ ...env, POSTERN_OIDC_ROLES: "admins" })).toThrow(/claim-value=target/);
    expect(() => oidcConfig({ ...env, POSTERN_OIDC_DEFAULT_ROLE: "boss" })).toThrow(/not a role/);
    expect(oidcConfig(env)).toMatchObject({
      issuer: "https://idp.example.com",
      discoveryUrl: "https://idp.example.com/.well-known/openid-configuration",
      name: "single sign-on",
      scopes: ["openid", "email", "profile"],
      defaultRole: "developer",
      roleClaim: null,
      teamsClaim: null,
    });
  });

  it("maps claims to the strongest role named and to teams (by a map, or by slug), nested claims and lists too", () => {
    const config = oidcConfig({
      ...env,
      POSTERN_OIDC_ROLE_CLAIM: "realm_access.roles",
      POSTERN_OIDC_ROLES: '{"cn=admins,ou=groups":"admin","appsec":"security","eng":"developer","board":"executive"}',
      POSTERN_OIDC_DEFAULT_ROLE: "none",
      POSTERN_OIDC_TEAMS_CLAIM: "groups",
    })!;
    expect(mapClaims(config, { realm_access: { roles: ["eng", "appsec"] }, groups: ["payments", "identity", "payments"] })).toEqual({ role: "security", teams: ["identity", "payments"] });
    expect(mapClaims(config, { realm_access: { roles: ["board", "cn=admins,ou=groups"] } })).toEqual({ role: "admin", teams: [] });
    expect(mapClaims(config, { realm_access: { roles: ["visitors"] }, groups: "payments" })).toEqual({ role: null, teams: ["payments"] });
    const mapped = oidcConfig({ ...env, POSTERN_OIDC_ROLE_CLAIM: "role", POSTERN_OIDC_ROLES: "x=executive", POSTERN_OIDC_TEAMS_CLAIM: "groups", POSTERN_OIDC_TEAMS: "eng-pay=payments, eng-id=identity" })!;
    expect(mapClaims(mapped, { role: "y", groups: ["eng-pay", "payments", "other"] })).toEqual({ role: "developer", teams: ["payments"] });
    expect(mapClaims(mapped, { role: "x" })).toEqual({ role: "executive", teams: [] });
  });
});

/** Cookies by name, as a browser keeps them for one site. */
class Jar {
  private cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (!value || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

describe("sign-in with the organisation's identity provider", () => {
  let idp: TestIdp;
  let db: Database;
  let root: Actor;

  beforeAll(async () => {
    idp = await startTestIdp({ redirectUri: `${BASE}/api/auth/callback/oidc` });
    Object.assign(process.env, {
      DATABASE_URL: "pglite:memory",
      POSTERN_URL: BASE,
      BETTER_AUTH_SECRET: "test-secret-for-the-auth-route-0123456789",
      POSTERN_OIDC_ISSUER: idp.issuer,
      POSTERN_OIDC_CLIENT_ID: idp.clientId,
      POSTERN_OIDC_CLIENT_SECRET: idp.clientSecret,
      POSTERN_OIDC_NAME: "Corp IdP",
      POSTERN_OIDC_SCOPES: "openid email profile groups",
      POSTERN_OIDC_ROLE_CLAIM: "groups",
      POSTERN_OIDC_ROLES: "postern-admins=admin,postern-security=security,engineering=developer",
      POSTERN_OIDC_DEFAULT_ROLE: "none",
      POSTERN_OIDC_TEAMS_CLAIM: "groups",
      POSTERN_OIDC_TEAMS: "eng-payments=payments,eng-identity=identity,eng-ghost=ghost",
    });
    db = await getDatabase();
    await ensureTeam(db.prisma, "payments");
    await ensureTeam(db.prisma, "identity");
    const admin = await createUser(db.prisma, { email: "root@corp.example", role: "admin", password: "local-admin-password" });
    root = { type: "user", userId: admin.id, email: admin.email, role: "admin", teamIds: [] };
  });
  afterAll(async () => {
    await db?.close();
    await idp?.close();
  });

  /** The whole round trip, as a browser makes it: Postern → the provider's sign-in page → Postern's callback. */
  async function signInWithIdp(login: string) {
    const postern = new Jar();
    const atIdp = new Jar();
    const start = await authPost(
      new Request(`${BASE}/api/auth/sign-in/social`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ provider: "oidc", callbackURL: "/", errorCallbackURL: "/sign-in" }),
      }),
    );
    expect(start.status, await start.clone().text()).toBe(200);
    postern.take(start);
    let url = ((await start.json()) as { url: string }).url;
    expect(url.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
    for (let hop = 0; hop < 10 && !url.startsWith(BASE); hop++) {
      let response = await fetch(url, { redirect: "manual", headers: { cookie: atIdp.header() } });
      atIdp.take(response);
      if (response.status === 200) {
        const action = /action="([^"]+)"/.exec(await response.text())?.[1] ?? "";
        response = await fetch(new URL(action, url), {
          method: "POST",
          redirect: "manual",
          headers: { cookie: atIdp.header(), "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ login }).toString(),
        });
        atIdp.take(response);
      }
      expect([302, 303], await response.clone().text()).toContain(response.status);
      url = new URL(response.headers.get("location") ?? "", url).toString();
    }
    expect(url.startsWith(`${BASE}/api/auth/callback/oidc?`), url).toBe(true);
    const callback = await authGet(new Request(url, { headers: { cookie: postern.header() } }));
    postern.take(callback);
    return { status: callback.status, location: callback.headers.get("location") ?? "", cookie: postern.header() };
  }

  it("offers the provider on the sign-in page (me.signInOptions, public)", async () => {
    expect(await createCaller({ prisma: db.prisma, actor: null }).me.signInOptions()).toEqual({ provider: { name: "Corp IdP" } });
  });

  it("creates the person at the first sign-in with the role and teams of the claims; later sign-ins follow changed claims", async () => {
    idp.people.set("alice", { email: "Alice@Corp.example", email_verified: true, name: "Alice Liddell", groups: ["engineering", "postern-security", "eng-payments", "eng-ghost"] });
    const first = await signInWithIdp("alice");
    expect(first).toMatchObject({ status: 302, location: "/" });
    const actor = await actorFromHeaders(db.prisma, new Headers({ cookie: first.cookie }));
    const payments = await db.prisma.team.findUniqueOrThrow({ where: { slug: "payments" } });
    const identity = await db.prisma.team.findUniqueOrThrow({ where: { slug: "identity" } });
    expect(actor).toMatchObject({ type: "user", email: "alice@corp.example", role: "security", teamIds: [payments.id] });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "alice@corp.example" }, include: { accounts: true } });
    expect(user).toMatchObject({ name: "Alice Liddell", mustChangePassword: false, deactivatedAt: null });
    expect(user.accounts.map((a) => [a.providerId, a.accountId, a.password])).toEqual([["oidc", "alice", null]]);

    idp.people.set("alice", { email: "alice@corp.example", email_verified: true, name: "Alice L.", groups: ["postern-admins", "eng-identity"] });
    const second = await signInWithIdp("alice");
    expect(second).toMatchObject({ status: 302, location: "/" });
    expect(await actorFromHeaders(db.prisma, new Headers({ cookie: second.cookie }))).toMatchObject({ userId: user.id, role: "admin", teamIds: [identity.id] });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).name).toBe("Alice L.");
    const audits = await db.prisma.auditLog.findMany({ where: { action: "user.claims_applied", targetId: user.id }, orderBy: { createdAt: "asc" } });
    expect(audits.map((a) => a.details)).toEqual([
      { email: "alice@corp.example", from: "developer", to: "security", teamsAdded: ["payments"], teamsUnknown: ["ghost"] },
      { email: "alice@corp.example", from: "security", to: "admin", teamsAdded: ["identity"], teamsRemoved: ["payments"] },
    ]);
    // The same claims again: nothing to change, nothing audited.
    await signInWithIdp("alice");
    expect(await db.prisma.auditLog.count({ where: { action: "user.claims_applied", targetId: user.id } })).toBe(2);
  });

  it("refuses claims that map to no role (POSTERN_OIDC_DEFAULT_ROLE=none): no person, no session", async () => {
    idp.people.set("bob", { email: "bob@corp.example", email_verified: true, name: "Bob", groups: ["visitors"] });
    const refused = await signInWithIdp("bob");
    expect(refused.status).toBe(302);
    expect(refused.location).toMatch(/\/sign-in\?error=NOT_AUTHORIZED/);
    expect(refused.cookie).not.toContain("session_token");
    expect(await db.prisma.user.findUnique({ where: { email: "bob@corp.example" } })).toBeNull();
  });

  it("refuses a deactivated person (no session); reactivated, they sign in", async () => {
    idp.people.set("carol", { email: "carol@corp.example", email_verified: true, name: "Carol", groups: ["engineering"] });
    expect((await signInWithIdp("carol")).location).toBe("/");
    const carol = await db.prisma.user.findUniqueOrThrow({ where: { email: "carol@corp.example" } });
    await deactivate(db.prisma, root, { id: carol.id });
    const refused = await signInWithIdp("carol");
    expect(refused.location).toMatch(/\/sign-in\?error=ACCOUNT_DEACTIVATED/);
    expect(await db.prisma.session.count({ where: { userId: carol.id } })).toBe(0);
    await reactivate(db.prisma, root, { id: carol.id });
    const back = await signInWithIdp("carol");
    expect(back.location).toBe("/");
    expect(await actorFromHeaders(db.prisma, new Headers({ cookie: back.cookie }))).toMatchObject({ userId: carol.id, role: "developer" });
  });

  it("never takes over a local account with the same e-mail (the local admin keeps role and password sign-in)", async () => {
    idp.people.set("mallory", { email: "root@corp.example", email_verified: true, name: "Mallory", groups: ["engineering"] });
    const refused = await signInWithIdp("mallory");
    expect(refused.location).toMatch(/\/sign-in\?error=account_not_linked/);
    expect(refused.cookie).not.toContain("session_token");
    const rootRow = await db.prisma.user.findUniqueOrThrow({ where: { id: root.userId }, include: { accounts: true } });
    expect(rootRow.role).toBe("admin");
    expect(rootRow.accounts.map((a) => a.providerId)).toEqual(["credential"]);
    const password = await authPost(
      new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ email: "root@corp.example", password: "local-admin-password" }),
      }),
    );
    expect(password.status).toBe(200);
  });

  it("an unknown login at the provider comes back as an error on the sign-in page", async () => {
    const refused = await signInWithIdp("nobody");
    expect(refused.location).toMatch(/\/sign-in\?error=access_denied/);
  });
});
