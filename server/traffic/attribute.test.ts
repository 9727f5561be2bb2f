// The Attributor keeps answers for paths without parameters (AnswerCache): a kept answer must be the one it would
// compute afresh, also when the same host and path come with or without gateway ids that name an Api.
import { describe, expect, it } from "vitest";
import type { TrafficEvent } from "@/server/domain/records";
import { type ApiRef, Attributor, type EndpointRef } from "./attribute";

const apis: ApiRef[] = [
  { id: "shop", slug: "shop", name: "Shop", catalogName: null, aliases: [], host: "shop.example.com", basePath: "/v1" },
  { id: "billing", slug: "billing", name: "Billing", catalogName: null, aliases: ["billing-svc"], host: "billing.example.com", basePath: "/" },
  { id: "legacy", slug: "legacy", name: "Legacy", catalogName: null, aliases: [], host: null, basePath: "/legacy" },
];
const endpoints: EndpointRef[] = [
  { id: "orders", apiId: "shop", method: "GET", path: "/orders" },
  { id: "user", apiId: "shop", method: "GET", path: "/users/{id}" },
  { id: "invoices", apiId: "billing", method: "GET", path: "/invoices" },
  { id: "items", apiId: "legacy", method: "GET", path: "/legacy/items" },
];

const e = (method: string, host: string | undefined, path: string, ids: Partial<Pick<TrafficEvent, "service" | "route" | "apiId">> = {}): TrafficEvent => ({
  time: 0,
  method,
  path,
  status: 200,
  ...(host === undefined ? {} : { host }),
  ...ids,
});

describe("Attributor answers kept for repeated paths", () => {
  const events: TrafficEvent[] = [
    e("GET", "shop.example.com", "/v1/orders"),
    e("POST", "shop.example.com", "/v1/orders"),
    e("GET", "shop.example.com", "/v1/users/7"),
    e("GET", "SHOP.example.com:443", "/v1/orders"),
    e("GET", "unknown.example.net", "/invoices"),
    // The same unknown host and path, now with a gateway service naming Billing: not the id-less answer.
    e("GET", "unknown.example.net", "/invoices", { service: "billing-svc" }),
    e("GET", "unknown.example.net", "/invoices"),
    e("GET", undefined, "/legacy/items"),
    e("GET", undefined, "/invoices", { service: "billing-svc" }),
    e("GET", undefined, "/invoices"),
    e("GET", undefined, "/invoices", { route: "nothing-known" }),
  ];

  it("are the answers it computes afresh, in any order and any number of times", () => {
    const fresh = (ev: TrafficEvent) => new Attributor(apis, endpoints, undefined).attribute(ev);
    const expected = events.map(fresh);
    expect(expected[5]?.apiId).toBe("billing");
    expect(expected[4]?.apiId).toBeNull();
    const kept = new Attributor(apis, endpoints, undefined);
    for (const order of [events, [...events].reverse(), events]) {
      expect(order.map((ev) => kept.attribute(ev))).toEqual(order.map(fresh));
    }
    expect(expected).toEqual(events.map(fresh));
  });

  it("answer a repeated path without parameters from memory, and one with parameters afresh", () => {
    const a = new Attributor(apis, endpoints, undefined);
    const first = a.attribute(e("GET", "shop.example.com", "/v1/orders"));
    expect(a.attribute(e("GET", "shop.example.com", "/v1/orders"))).toBe(first);
    const u7 = a.attribute(e("GET", "shop.example.com", "/v1/users/7"));
    expect(u7.params).toEqual({ id: "7" });
    expect(a.attribute(e("GET", "shop.example.com", "/v1/users/7"))).not.toBe(u7);
  });
});
