import path from "node:path";

/**
 * The project directory: where prisma/migrations lives and where relative data paths (./.postern) resolve.
 * The CLI sets POSTERN_ROOT so that `npx postern` works from any directory; the server and scripts run from it.
 */
export function projectRoot(): string {
  return process.env.POSTERN_ROOT ?? process.cwd();
}

export function fromRoot(...segments: string[]): string {
  return path.resolve(/*turbopackIgnore: true*/ projectRoot(), ...segments);
}
