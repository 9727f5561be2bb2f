import { apisRouter } from "./routers/apis";
import { findingsRouter } from "./routers/findings";
import { ingestRouter } from "./routers/ingest";
import { meRouter } from "./routers/me";
import { riskRouter } from "./routers/risk";
import { executiveRouter } from "./routers/executive";
import { tokensRouter } from "./routers/tokens";
import { trafficRouter } from "./routers/traffic";
import { secretsRouter } from "./routers/secrets";
import { settingsRouter } from "./routers/settings";
import { accountRouter } from "./routers/account";
import { ownershipRouter } from "./routers/ownership";
import { peopleRouter } from "./routers/people";
import { teamsRouter } from "./routers/teams";
import { slaRouter } from "./routers/sla";
import { suppressionsRouter } from "./routers/suppressions";
import { notificationsRouter } from "./routers/notifications";
import { webhooksRouter } from "./routers/webhooks";
import { auditRouter } from "./routers/audit";
import { reportSchedulesRouter } from "./routers/report-schedules";
import { reportsRouter } from "./routers/reports";
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
  executive: executiveRouter,
  account: accountRouter,
  people: peopleRouter,
  teams: teamsRouter,
  ownership: ownershipRouter,
  suppressions: suppressionsRouter,
  sla: slaRouter,
  notifications: notificationsRouter,
  webhooks: webhooksRouter,
  audit: auditRouter,
  reports: reportsRouter,
  reportSchedules: reportSchedulesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
