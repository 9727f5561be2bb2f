// The SLA and suppression-rule sections of Settings render what the server answers (server-side render with the
// answers in the query cache; no request is made).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { RouterOutputs } from "@/components/api-types";
import type { AppRouter } from "@/server/api/root";
import { SlaSettings } from "./sla-settings";
import { SuppressionRules } from "./suppression-rules";
import { TRPCProvider } from "@/components/trpc";

function renderWith(seed: (trpc: ReturnType<typeof createTRPCOptionsProxy<AppRouter>>, queryClient: QueryClient) => void, element: ReactElement): string {
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const trpcClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: "http://127.0.0.1:9/api/trpc" })] });
  seed(createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient }), queryClient);
  return renderToStaticMarkup(
    createElement(QueryClientProvider, { client: queryClient }, createElement(TRPCProvider, { trpcClient, queryClient, children: element })),
  );
}

const sla: RouterOutputs["sla"]["settings"] = {
  values: { critical: 5, high: 30, medium: 90, low: 120, maxAcceptanceDays: 180, reminderDays: 14 },
  defaults: { critical: 7, high: 30, medium: 90, low: 120, maxAcceptanceDays: 365, reminderDays: 14 },
};

const rules: RouterOutputs["suppressions"]["list"] = {
  maxAcceptanceDays: 180,
  rules: [
    {
      id: "r1", tool: "zap", ruleId: "10016", apiPattern: "payments-*", pathPattern: "/internal/**", state: "risk_accepted", reason: "internal network only",
      expiresAt: "2027-01-31T23:59:59.999Z", status: "active", createdBy: { id: "u1", email: "sec@example.com" }, createdAt: "2026-12-01T00:00:00.000Z",
      revokedBy: null, revokedAt: null, covers: 12,
    },
    {
      id: "r2", tool: null, ruleId: "missing-auth", apiPattern: null, pathPattern: null, state: "false_positive", reason: "gateway auth",
      expiresAt: null, status: "revoked", createdBy: null, createdAt: "2026-11-01T00:00:00.000Z", revokedBy: { id: "u1", email: "sec@example.com" },
      revokedAt: "2026-11-02T00:00:00.000Z", covers: 0,
    },
  ],
};

describe("remediation settings sections", () => {
  it("SLA: the values, which differ from the defaults, editable only by admins", () => {
    const seed = (trpc: Parameters<Parameters<typeof renderWith>[0]>[0], qc: QueryClient) => qc.setQueryData(trpc.sla.settings.queryKey(), sla);
    const admin = renderWith(seed, createElement(SlaSettings, { canEdit: true }));
    expect(admin).toContain("Remediation SLA");
    expect(admin).toMatch(/name="critical"[^>]*value="5"/);
    expect(admin).toContain("default 7");
    expect(admin).toContain("default 365");
    expect(admin).toContain("Save SLA");
    const security = renderWith(seed, createElement(SlaSettings, { canEdit: false }));
    expect(security).not.toContain("Save SLA");
    expect(security).toContain("Only admins change the SLA.");
  });

  it("Suppression rules: the form and each rule with what it covers; revoked rules offer no actions", () => {
    const html = renderWith((trpc, qc) => qc.setQueryData(trpc.suppressions.list.queryKey(), rules), createElement(SuppressionRules));
    expect(html).toContain("Suppression rules");
    expect(html).toContain("Create rule");
    expect(html).toContain("within 180 days");
    expect(html).toContain(">zap 10016<");
    expect(html).toContain('name="tool"');
    expect(html).toContain("payments-*");
    expect(html).toContain("/internal/**");
    expect(html).toContain("accepted risk");
    expect(html).toContain("2027-01-31");
    expect(html).toContain(">12<");
    expect(html.match(/>Revoke</g)).toHaveLength(1);
    expect(html).toContain(">revoked<");
  });
});
