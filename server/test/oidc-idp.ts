/**
 * A real OpenID Connect provider on 127.0.0.1 for tests (the `oidc-provider` package, certified by the OpenID
 * Foundation): discovery, JWKS, authorization code flow with PKCE, ID tokens signed with a key made at start,
 * userinfo. Its sign-in page is ours and minimal (a login field and "Continue"; consent is given with the login), so
 * that a browser or an HTTP client goes through it the same way. People are the test's: `people.set(login, claims)`,
 * changeable between sign-ins.
 */
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** login → claims (email, name, groups …; `sub` is the login). */
  people: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Test IdP</title></head><body><main><h1>Test IdP</h1>${body}</main></body></html>`;

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

/** Starts the provider; `redirectUri` is the relying party's callback (Postern's /api/auth/callback/oidc). */
export async function startTestIdp(options: { redirectUri: string; port?: number }): Promise<TestIdp> {
  const people = new Map<string, Record<string, unknown>>();
  const clientId = "postern-test";
  const clientSecret = "postern-test-secret-0123456789-abcdefghij";
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri], token_endpoint_auth_method: "client_secret_basic" }],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), alg: "RS256", use: "sig", kid: "test-key" }] },
    cookies: { keys: ["test-idp-cookie-key-0123456789abcdef"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const claims = people.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: () => ({ ...claims, sub }) };
    },
  });
  const callback = provider.callback();

  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const match = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (!match) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(
          page(
            `<form method="post" action="/interaction/${details.uid}"><label>Login <input name="login" autocomplete="off" required></label>` +
              `<button type="submit">Continue</button></form>`,
          ),
        );
        return;
      }
      const login = (await formBody(req)).get("login") ?? "";
      if (!people.has(login)) {
        await provider.interactionFinished(req, res, { error: "access_denied", error_description: "unknown login" }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: login, clientId });
      grant.addOIDCScope(String(details.params.scope ?? "openid"));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`test IdP: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    people,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
