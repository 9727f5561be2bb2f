/**
 * Demo activity: a Kong gateway log and a HashiCorp Vault audit log for the demo organisation, in the real formats,
 * so that the demo shows what traffic and vault evidence produce (shadow and zombie APIs, attack signals, secret
 * hygiene). Seeded like the inventories; times are relative to `now` (whole hours) so that "the last 24 hours"
 * views have something to show. Scenarios, each a known rule of DESIGN.md §3:
 * - ordinary traffic from Kong consumers to documented endpoints of internet/partner Apis;
 * - calls to undocumented endpoints (shadow-endpoint) and to hosts no inventory knows (shadow-api);
 * - calls to deprecated endpoints (zombie);
 * - one IP failing 40 sign-ins in 5 minutes (credential-stuffing);
 * - one consumer walking 150 ids of one resource in an hour (object-enumeration);
 * - one endpoint answering 10 % 5xx (error-leakage);
 * - one consumer looking people up by phone number through a people-search endpoint (`GET /customers/search?phone=`),
 *   75 lookups an hour for the last 36 hours: under the hourly enumeration and rate-limit thresholds, over 1,000
 *   distinct numbers in a UTC day (slow-enumeration);
 * - anonymous 2xx responses on an endpoint that requires auth (unauthenticated-access);
 * - secrets read by many identities (over-shared-secret), never rotated for months (stale-secret), and a burst of
 *   permission-denied reads (secret-access-denied-burst);
 * - three weeks of each workload's routine secret reads (every six hours, from its own /24), and on the last day one
 *   workload identity reading its secret from an address outside that network (secret-access-anomaly, new-network).
 */
import { describeDemoOrganisation, demoShadowHosts, type DemoApi, type DemoOptions } from "./generate";
import { type GenEvent, kongLine } from "./kong-log";
import { createRng, type Rng } from "./prng";

export interface DemoActivityFile {
  name: string;
  content: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function concrete(template: string, pick: () => number): string {
  return template.replace(/\{[^}]+\}/g, () => String(1000 + Math.floor(pick() * 9000)));
}

function apiHost(api: DemoApi): { host: string; base: string; scheme: "http" | "https" } {
  const url = new URL(api.baseUrl);
  return { host: url.host, base: url.pathname.replace(/\/$/, ""), scheme: url.protocol === "http:" ? "http" : "https" };
}

export function generateDemoActivity(options: DemoOptions & { now?: Date } = {}): DemoActivityFile[] {
  const org = describeDemoOrganisation(options);
  const rnd = createRng((options.seed ?? 1) * 7919 + 17);
  const end = Math.floor((options.now ?? new Date()).getTime() / HOUR) * HOUR;
  const start = end - 2 * DAY;
  const consumers = org.gatewayConsumers.length ? org.gatewayConsumers : ["mobile-app", "partner-portal", "web-frontend"];
  const events: GenEvent[] = [];
  const at = () => start + Math.floor(rnd.next() * (end - start - HOUR));

  const exposed = org.apis.filter((a) => a.endpoints.length && (a.exposure === "internet" || a.exposure === "partner"));
  // Ordinary traffic, plus undocumented and deprecated endpoints being used.
  for (const api of exposed) {
    const { host, base, scheme } = apiHost(api);
    const calls = 40 + rnd.int(0, 80);
    for (let i = 0; i < calls; i++) {
      const endpoint = rnd.pick(api.endpoints);
      events.push({
        time: at(),
        host,
        scheme,
        method: endpoint.method,
        path: base + concrete(endpoint.path, () => rnd.next()),
        status: rnd.chance(0.9) ? 200 : rnd.pick([201, 204, 400, 404]),
        bytes: 300 + rnd.int(0, 4000),
        latencyMs: 10 + rnd.int(0, 200),
        consumer: rnd.pick(consumers),
        service: api.slug,
      });
    }
    for (const hidden of api.undocumentedEndpoints) {
      for (let i = 0; i < 5; i++) {
        events.push({ time: at(), host, scheme, method: hidden.method, path: base + concrete(hidden.path, () => rnd.next()), status: 200, consumer: rnd.pick(consumers), service: api.slug });
      }
    }
  }
  for (const api of org.apis.filter((a) => a.endpoints.some((e) => e.deprecated)).slice(0, 4)) {
    const { host, base, scheme } = apiHost(api);
    const endpoint = api.endpoints.find((e) => e.deprecated);
    if (!endpoint) continue;
    for (let i = 0; i < 6; i++) {
      events.push({ time: at(), host, scheme, method: endpoint.method, path: base + concrete(endpoint.path, () => rnd.next()), status: 200, consumer: rnd.pick(consumers), service: api.slug });
    }
  }
  // Hosts no inventory knows.
  for (const shadow of demoShadowHosts(options)) {
    for (let i = 0; i < 12; i++) {
      const endpoint = shadow.endpoints.length ? rnd.pick(shadow.endpoints) : { method: "GET", path: "/" };
      events.push({ time: at(), host: shadow.host, method: endpoint.method, path: shadow.basePath.replace(/\/$/, "") + concrete(endpoint.path, () => rnd.next()), status: 200, ip: `198.51.100.${rnd.int(2, 250)}` });
    }
  }
  // Attack signals in the last day.
  const login = exposed.flatMap((api) => api.endpoints.filter((e) => e.authentication && e.method === "POST").map((e) => ({ api, e })))[0];
  if (login) {
    const { host, base, scheme } = apiHost(login.api);
    const t0 = end - 3 * HOUR;
    for (let i = 0; i < 40; i++) {
      events.push({ time: t0 + i * 7_000, host, scheme, method: "POST", path: base + login.e.path, status: 401, ip: "203.0.113.66", service: login.api.slug });
    }
  }
  const byId = exposed.flatMap((api) => api.endpoints.filter((e) => e.method === "GET" && /\{[^}]+\}$/.test(e.path) && e.auth === "required").map((e) => ({ api, e })));
  const walk = byId[0];
  if (walk) {
    const { host, base, scheme } = apiHost(walk.api);
    const t0 = end - 6 * HOUR;
    for (let i = 0; i < 150; i++) {
      events.push({ time: t0 + i * 20_000, host, scheme, method: "GET", path: base + walk.e.path.replace(/\{[^}]+\}$/, String(50_000 + i)), status: 200, consumer: "partner-portal", service: walk.api.slug });
    }
  }
  const anonymous = byId[1];
  if (anonymous) {
    const { host, base, scheme } = apiHost(anonymous.api);
    for (let i = 0; i < 8; i++) {
      events.push({ time: end - 2 * HOUR + i * 60_000, host, scheme, method: "GET", path: base + concrete(anonymous.e.path, () => rnd.next()), status: 200, ip: "192.0.2.44", service: anonymous.api.slug });
    }
  }
  const flaky = exposed[2];
  const flakyEndpoint = flaky?.endpoints[0];
  if (flaky && flakyEndpoint) {
    const { host, base, scheme } = apiHost(flaky);
    const t0 = end - 20 * HOUR;
    for (let i = 0; i < 200; i++) {
      events.push({ time: t0 + i * 60_000, host, scheme, method: flakyEndpoint.method, path: base + concrete(flakyEndpoint.path, () => rnd.next()), status: i % 10 === 0 ? 500 : 200, consumer: rnd.pick(consumers), service: flaky.slug });
    }
  }
  // A slow scraper on a people search: no random draws, so the scenarios above and the vault log stay as they were.
  const search = peopleSearch(org.apis);
  if (search) {
    const { host, base, scheme } = apiHost(search.api);
    const t0 = end - 36 * HOUR;
    for (let i = 0; i < 36 * SCRAPES_PER_HOUR; i++) {
      const phone = `+4479${String(11_000_000 + ((i * 7919) % 89_000_000)).padStart(8, "0")}`;
      events.push({
        time: t0 + Math.floor((i * HOUR) / SCRAPES_PER_HOUR),
        host,
        scheme,
        method: "GET",
        path: `${base}${search.path}?phone=${encodeURIComponent(phone)}`,
        status: i % 9 === 0 ? 404 : 200,
        bytes: 1_800 + (i % 7) * 150,
        latencyMs: 40 + (i % 30),
        consumer: "leadgen-sync",
        service: search.api.slug,
      });
    }
  }
  events.sort((a, b) => a.time - b.time);

  return [
    { name: "gateway/kong-access.log", content: `${events.map(kongLine).join("\n")}\n` },
    { name: "vault/vault-audit.log", content: vaultAudit(org.apis, rnd, end) },
  ];
}

const ROUTINE_DAYS = 20;
/** A workload's reading hours (UTC): every six hours, shifted per workload. */
const routineHours = (index: number) => [0, 6, 12, 18].map((h) => h + (index % 6));

/** Lookups an hour of the demo's slow scraper: under the hourly object-enumeration threshold (100). */
const SCRAPES_PER_HOUR = 75;

/** The people search of the demo organisation (generate.ts, step 12): a search over customers or employees. */
function peopleSearch(apis: DemoApi[]): { api: DemoApi; path: string } | undefined {
  for (const api of apis) {
    const e = api.endpoints.find((x) => x.method === "GET" && /^\/(customers|employees)\/search$/.test(x.path));
    if (e) return { api, path: e.path };
  }
  return undefined;
}

/** Vault audit device JSON lines: request/response pairs on `secret/data/<api-slug>/…`, values left out. */
function vaultAudit(apis: DemoApi[], rnd: Rng, end: number): string {
  const lines: string[] = [];
  let seq = 0;
  const pair = (time: number, path: string, operation: string, identity: string, address: string, denied = false) => {
    seq += 1;
    const id = `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`;
    const auth = { display_name: identity, entity_id: `entity-${identity}`, policies: ["default"], token_type: "service" };
    const request = { id, operation, mount_type: "kv", path, remote_address: address, namespace: { id: "root" } };
    const iso = new Date(time).toISOString();
    lines.push(JSON.stringify({ time: iso, type: "request", auth, request }));
    lines.push(JSON.stringify({ time: new Date(time + 3).toISOString(), type: "response", auth, request, ...(denied ? { error: "permission denied" } : { response: { mount_type: "kv" } }) }));
  };
  const withSecrets = apis.filter((a) => a.endpoints.length).slice(0, 12);
  const startOfDay = Math.floor(end / DAY) * DAY;
  withSecrets.forEach((api, index) => {
    const path = `secret/data/${api.slug}/database`;
    const service = `${api.slug}-svc`;
    // First seen four months ago; most secrets were rotated recently, some never.
    pair(end - 120 * DAY, path, "read", service, "10.20.0.5");
    if (index % 3 !== 0) pair(end - (5 + index) * DAY, path, "update", "ci-rotation", "10.20.0.9");
    // The workload's routine, the baseline secret-access-anomaly compares with: 1–3 reads every six hours (the same
    // UTC hours each day), from its own subnet, for three weeks up to now.
    for (let d = ROUTINE_DAYS; d >= 0; d--) {
      for (const hour of routineHours(index)) {
        const t = startOfDay - d * DAY + hour * HOUR + rnd.int(0, 50) * 60_000;
        if (t > end) continue;
        const reads = rnd.int(1, 3);
        for (let i = 0; i < reads; i++) pair(t + i * 1000, path, "read", service, `10.20.${index}.${rnd.int(2, 250)}`);
      }
    }
  });
  // One workload's token used from outside its network, at one of its usual hours, on the last day: exactly one
  // access anomaly (new-network), neither a new hour nor a volume spike.
  const stolen = withSecrets[3];
  if (stolen) {
    const slots = [1, 0].flatMap((d) => routineHours(3).map((hour) => startOfDay - d * DAY + hour * HOUR + 30 * 60_000)).filter((t) => t <= end - HOUR);
    const t = Math.max(...slots);
    for (let i = 0; i < 3; i++) pair(t + i * 20_000, `secret/data/${stolen.slug}/database`, "read", `${stolen.slug}-svc`, "203.0.113.45");
  }
  const shared = withSecrets[1];
  if (shared) {
    for (let i = 0; i < 8; i++) pair(end - (i + 1) * 2 * DAY, `secret/data/${shared.slug}/database`, "read", `engineer-${i + 1}`, `10.30.0.${i + 10}`);
  }
  const probed = withSecrets[2];
  if (probed) {
    for (let i = 0; i < 12; i++) pair(end - 4 * HOUR + i * 120_000, `secret/data/${probed.slug}/database`, "read", "build-agent-7", "10.40.0.77", true);
  }
  return `${lines.join("\n")}\n`;
}
