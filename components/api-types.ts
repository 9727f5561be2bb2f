/**
 * The router's inputs and answers as the client sees them, inferred from the procedures' `.input()` and `.output()`
 * schemas: components name these instead of writing copies of server shapes. Type-only: nothing of the server is
 * bundled.
 */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
