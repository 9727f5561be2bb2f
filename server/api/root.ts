import { apisRouter } from "./routers/apis";
import { findingsRouter } from "./routers/findings";
import { ingestRouter } from "./routers/ingest";
import { meRouter } from "./routers/me";
import { riskRouter } from "./routers/risk";
import { tokensRouter } from "./routers/tokens";
import { trafficRouter } from "./routers/traffic";
import { secretsRouter } from "./routers/secrets";
import { settingsRouter } from "./routers/settings";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  settings: settingsRouter,
  secrets: secretsRouter,
  me: meRouter,
  apis: apisRouter,
  findings: findingsRouter,
  ingest: ingestRouter,
  tokens: tokensRouter,
  traffic: trafficRouter,
  risk: riskRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
