#!/usr/bin/env node
// End-to-end run: a fresh embedded database with known users, a production build, then Playwright.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.join(root, ".postern", "e2e");
rmSync(dataDir, { recursive: true, force: true });

export const E2E = {
  // POSTERN_E2E_PORT lets two checkouts run their end-to-end tests side by side.
  port: process.env.POSTERN_E2E_PORT ?? "3100",
  // The first admin, made by setup on the empty database with a printed password (to be changed at first sign-in).
  firstAdmin: { email: "first-admin@e2e.postern.local", password: "" },
  admin: { email: "admin@e2e.postern.local", password: "e2e-admin-password-123" },
  victim: { email: "lockme@e2e.postern.local", password: "e2e-lockme-password-123" },
  developer: { email: "dev@e2e.postern.local", password: "e2e-developer-password-123" },
  security: { email: "security@e2e.postern.local", password: "e2e-security-password-123" },
  executive: { email: "exec@e2e.postern.local", password: "e2e-executive-password-123" },
};

const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_URL: `pglite:${path.join(dataDir, "db")}`,
  POSTERN_HOME: dataDir,
  POSTERN_ADMIN_EMAIL: E2E.firstAdmin.email,
  POSTERN_DEMO: "on",
  POSTERN_DEMO_APIS: "12",
  PORT: E2E.port,
  // Every test signs in from 127.0.0.1: more sign-ins a minute than the default limit (30) lets one client make.
  POSTERN_SIGN_IN_PER_MINUTE: "600",
  POSTERN_URL: `http://localhost:${E2E.port}`,
};
delete env.POSTERN_ADMIN_PASSWORD;

function run(command, args, input) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: input ? ["pipe", "inherit", "inherit"] : "inherit", input });
  if (result.status !== 0) {
    console.error(`e2e: ${command} ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

const tsx = path.join(root, "node_modules", ".bin", "tsx");
const setup = spawnSync(tsx, ["scripts/setup.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
process.stdout.write(setup.stdout ?? "");
const printed = /admin password \(shown once[^)]*\): (\S+)/.exec(setup.stdout ?? "");
if (setup.status !== 0 || !printed) {
  console.error("e2e: scripts/setup.ts failed or printed no first admin password");
  process.exit(setup.status || 1);
}
E2E.firstAdmin.password = printed[1];
env.E2E_CONFIG = JSON.stringify(E2E);
run("node", ["bin/postern.mjs", "user", "create", "--email", E2E.admin.email, "--role", "admin", "--password-stdin"], E2E.admin.password);
run("node", ["bin/postern.mjs", "user", "create", "--email", E2E.victim.email, "--role", "developer", "--team", "payments", "--password-stdin"], E2E.victim.password);
run("node", ["bin/postern.mjs", "user", "create", "--email", E2E.security.email, "--role", "security", "--password-stdin"], E2E.security.password);
run("node", ["bin/postern.mjs", "user", "create", "--email", E2E.developer.email, "--role", "developer", "--team", "payments", "--password-stdin"], E2E.developer.password);
run("node", ["bin/postern.mjs", "user", "create", "--email", E2E.executive.email, "--role", "executive", "--password-stdin"], E2E.executive.password);
run(path.join(root, "node_modules", ".bin", "next"), ["build"]);
run(path.join(root, "node_modules", ".bin", "playwright"), ["test", ...process.argv.slice(2)]);
