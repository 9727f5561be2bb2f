/**
 * Every procedure declares the shape of its answer (`.output()`), so that database rows never reach a client by
 * accident and the client's types come from the router (components/api-types.ts).
 */
import { describe, expect, it } from "vitest";
import { appRouter } from "./root";

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { output?: unknown } }>).map(([name, procedure]) => ({
  name,
  output: procedure._def.output,
}));

describe("every procedure declares its output", () => {
  it("finds the procedures", () => {
    expect(procedures.length).toBeGreaterThan(20);
  });
  it.each(procedures)("$name", ({ name, output }) => {
    expect(output, `${name} declares no .output() schema`).toBeDefined();
  });
});
