/**
 * `npm start` as an operator runs it, on the build scripts/e2e.mjs made (start.mjs builds only when .next has
 * none): the CLI works beside the server on the embedded database, its effects show in the app, and SIGTERM to the
 * npm process stops everything it started, frees the port and removes server.json.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";

const ROOT = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);

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

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Every process below `pid` now, with its process group (from /proc). */
function descendants(pid: number): { pid: number; pgid: number; name: string }[] {
  const table = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const close = stat.lastIndexOf(")");
        const fields = stat.slice(close + 2).split(" ");
        return [{ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), name: stat.slice(stat.indexOf("(") + 1, close) }];
      } catch {
        return [];
      }
    });
  const found: { pid: number; pgid: number; name: string }[] = [];
  const walk = (parent: number) => {
    for (const p of table.filter((row) => row.ppid === parent)) {
      found.push({ pid: p.pid, pgid: p.pgid, name: p.name });
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test.describe("npm start", () => {
  test.describe.configure({ timeout: 300_000 });
  let dir: string;
  let npm: ChildProcess | null = null;
  let output = "";

  test.afterAll(async () => {
    if (npm?.pid && npm.exitCode === null) process.kill(-npm.pid, "SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("serves while the CLI works beside it on the embedded database, and stops cleanly on SIGTERM", async ({ page }) => {
    dir = mkdtempSync(path.join(tmpdir(), "postern-npm-start-"));
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const env = {
      ...process.env,
      PORT: String(port),
      POSTERN_URL: url,
      DATABASE_URL: `pglite:${path.join(dir, "db")}`,
      POSTERN_HOME: dir,
      POSTERN_DEMO: "off",
      POSTERN_ADMIN_EMAIL: "admin@npm-start.local",
      POSTERN_ADMIN_PASSWORD: "npm-start-admin-password",
      POSTERN_REBUILD: "0",
    };
    // Its own process group, as a terminal would start it.
    npm = spawn("npm", ["start"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    npm.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const npmPid = npm.pid!;
    const serverFile = path.join(dir, "server.json");
    await until("the server to register in server.json", () => existsSync(serverFile) || npm?.exitCode !== null, 240_000);
    expect(npm.exitCode, output).toBeNull();
    const registered = JSON.parse(readFileSync(serverFile, "utf8")) as { pid: number; port: number; dataDir: string };
    expect(registered).toMatchObject({ port, dataDir: path.join(dir, "db") });
    expect(statSync(serverFile).mode & 0o777).toBe(0o600);

    // The CLI, run from the repository with a relative path, goes through the server.
    const cli = (args: string[], input?: string) => {
      const child = run(process.execPath, [path.join(ROOT, "bin/postern.mjs"), ...args], { cwd: ROOT, env });
      if (input !== undefined) child.child.stdin?.end(input);
      return child;
    };
    const created = await cli(["user", "create", "--email", "cli@npm-start.local", "--role", "security", "--password-stdin"], "first-password-123\n");
    expect(created.stderr).toContain("Created user cli@npm-start.local (security).");
    const passwd = await cli(["user", "passwd", "cli@npm-start.local", "--password-stdin"], "second-password-456\n");
    expect(passwd.stderr).toBe("Changed the password of cli@npm-start.local; ended 0 sessions.\n");
    const ingested = await cli(["ingest", "fixtures/samples/api-inventory/crapi-openapi-spec.json"]);
    expect(ingested.stdout).toMatch(/^fixtures\/samples\/api-inventory\/crapi-openapi-spec\.json: succeeded openapi /);
    const findings = await cli(["export", "findings", "--format", "json"]);
    const rows = JSON.parse(findings.stdout) as { api: { name: string } | null }[];
    expect(rows.some((r) => r.api?.name.includes("crAPI"))).toBe(true);
    // The embedded database stayed the server's: the CLI never took its lock.
    expect(readFileSync(path.join(dir, "db.lock"), "utf8").trim()).toBe(String(registered.pid));

    // What the CLI did is in the app: the new password signs in, the ingested Api is listed.
    await page.goto(`${url}/sign-in`);
    await page.getByLabel("Email").fill("cli@npm-start.local");
    await page.getByLabel("Password").fill("second-password-456");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await page.goto(`${url}/apis?q=crapi`);
    await expect(page.getByRole("table", { name: "APIs" })).toContainText("crAPI");

    // SIGTERM to the process `npm start` created: everything below it ends, the port is free, server.json is gone.
    const below = descendants(npmPid);
    expect(below.map((p) => p.pid)).toContain(registered.pid);
    const exited = new Promise<number | null>((resolve) => npm!.once("exit", (code) => resolve(code)));
    process.kill(npmPid, "SIGTERM");
    expect(await exited).toBe(0);
    await until("every process npm start created to end", () => below.every((p) => !alive(p.pid)), 30_000);
    for (const group of new Set([npmPid, ...below.map((p) => p.pgid)])) expect(groupAlive(group), `process group ${group}`).toBe(false);
    expect(await portOpen(port)).toBe(false);
    expect(existsSync(serverFile)).toBe(false);
    expect(existsSync(path.join(dir, "db.lock"))).toBe(false);
    expect(output).toContain("postern: SIGTERM: stopping");
    expect(output).toContain("postern: stopped");

    // With no server, the CLI opens the database itself again.
    const direct = await cli(["export", "apis"]);
    expect((JSON.parse(direct.stdout) as { name: string }[]).some((a) => a.name.includes("crAPI"))).toBe(true);
  });
});
