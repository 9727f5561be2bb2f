import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Spectral's 3 s budget per spec is for production; on a loaded 2-core CI machine tests must see real results.
    env: { POSTERN_SPEC_LINT_TIMEOUT_MS: "60000" },
  },
});
