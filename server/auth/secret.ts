import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fromRoot } from "@/server/db/root";

/**
 * The key that signs session cookies. From BETTER_AUTH_SECRET, else generated once and kept (mode 600) next to
 * the embedded database so that restarts keep people signed in.
 */
export function serverSecret(): string {
  const fromEnv = process.env.BETTER_AUTH_SECRET ?? process.env.POSTERN_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error("BETTER_AUTH_SECRET must be at least 32 characters");
    return fromEnv;
  }
  const file = path.join(process.env.POSTERN_HOME ? fromRoot(process.env.POSTERN_HOME) : fromRoot(".postern"), "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
