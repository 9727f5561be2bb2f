import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// The import rules of ARCHITECTURE.md. Type-only imports are erased from bundles, so they are always allowed
// across these walls; values are not.
const only = (allowed, message) => ({ regex: `^@/server/(?!(${allowed.join("|")}))`, allowTypeImports: true, message });

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "generated/", "next-env.d.ts", "test-results/", "playwright-report/", ".postern/", "bench/.data/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
      // No two modules import each other, directly or around a loop. The rule passes over `import type`; keep type
      // loops out by hand (server/traffic/attribute.ts AttributorSetup opened the last one).
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    // Client and server components: the server only as types, except the pure modules (no database there): the
    // ground floor and the roles and permissions of the ladder.
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            only(
              ["domain/", "auth/roles$", "auth/permissions$"],
              "components import server code as types only (import type), or the pure @/server/domain, auth/roles and auth/permissions; data comes through tRPC (components/trpc.ts) or a page's props",
            ),
          ],
        },
      ],
    },
  },
  {
    // Pages and layouts: data through the router (server/api/server-caller.ts), never services or the database.
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/api/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            only(
              ["domain/", "api/server-caller$", "auth/permissions$", "auth/roles$"],
              "pages call the router through @/server/api/server-caller (serverCaller, pageData), not services or the database",
            ),
          ],
        },
      ],
    },
  },
  {
    // Routers and services take the database from their caller's context; only route handlers under app/api and
    // server/api/server-caller.ts open it.
    files: ["server/api/routers/**/*.ts", "server/**/service.ts", "server/**/*-service.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { paths: [{ name: "@/server/db/client", importNames: ["getPrisma"], message: "take the database from the tRPC context or the caller (ctx.prisma)" }] },
      ],
    },
  },
  {
    // The ground floor imports nothing of the house above it, not even types.
    files: ["server/domain/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(@/server/(?!domain/)|@/generated/|\\.\\./)", message: "server/domain is the ground floor: it imports only itself and libraries" }] },
      ],
    },
  },
  {
    // The ladder's roles and permissions stay pure (pages and components use them): the ground floor and each other.
    files: ["server/auth/roles.ts", "server/auth/permissions.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(@/server/(?!domain/)|@/generated/|\\.\\./|\\./(?!(roles|permissions)$))", message: "roles and permissions are pure: they import only server/domain and each other" }] },
      ],
    },
  },
  {
    files: ["scripts/**", "bench/**", "bin/**", "server/cli/**", "e2e/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly" } },
  },
);
