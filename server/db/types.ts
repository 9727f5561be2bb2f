import type { Prisma } from "@/generated/prisma/client";

/** A Prisma client inside `$transaction(async (tx) => …)`: what every writer takes. */
export type Tx = Prisma.TransactionClient;
