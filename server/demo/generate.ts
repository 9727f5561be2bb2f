/**
 * Deterministic demo organisation: realistic inventory INPUT FILES for a fictional company ("Northwind Payments",
 * domains under northwind.example) that Postern ingests through its normal pipeline, like a customer's files.
 *
 *   generateDemoOrganisation(options)  → the files (OpenAPI per Api, one Backstage catalog, one CSV, one Kong decK)
 *   describeDemoOrganisation(options)  → what those files say, resolved (owner, lifecycle, exposure, endpoints…)
 *   demoShadowHosts(options)           → hosts/base paths that "traffic" may hit but no inventory knows
 *
 * All three are pure functions of the options: one organisation model is built from a seeded PRNG (./prng.ts) and
 * then rendered, so the same options give byte-identical files and matching descriptions. No clock, no
 * Math.random, no I/O.
 *
 * The organisation deliberately contains posture problems (DESIGN.md §3) in roughly realistic proportions, with a
 * guaranteed minimum of each once there are enough Apis (checked at 40; most hold from 10, retired from 20): ownerless Apis (no Backstage entity, no x-owner,
 * not in the CSV, no Kong owner tag; some with only an info.contact), deprecated and retired Apis, CSV-only Apis
 * (no spec), plain-http internal servers, HTTP Basic and query-string API keys, Apis without global security whose
 * operations are partly undeclared, explicitly public operations (`security: []`), deprecated operations,
 * documentation gaps (missing summaries, 2xx without schema), sensitive response fields (PII, financial,
 * credentials, health), authentication endpoints, Kong services without auth or rate-limit plugins, undocumented
 * endpoints under known Apis (for shadow-endpoint traffic) and unknown hosts (for shadow-API traffic).
 */
import { stringify } from "yaml";
import type { Exposure, HttpMethod, Lifecycle } from "../ingest/contract";
import { createRng, seedFrom, type Rng } from "./prng";

// ---------------------------------------------------------------------------------------------------------------
// Public types

export interface DemoOptions {
  /** Number of Apis in the organisation (including the few that exist only in the CSV). Default 40. */
  apis?: number;
  /** Number of teams. Default 6. */
  teams?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

export interface DemoFile {
  /** A relative path such as "specs/payments-api.openapi.yaml" (only a hint: Postern detects by content). */
  name: string;
  content: string;
  family: "inventory";
}

export type DemoInventorySource = "openapi" | "backstage" | "csv" | "kong";
export type DemoEndpointAuth = "required" | "public" | "undeclared";

export interface DemoEndpoint {
  method: HttpMethod;
  /** Path template relative to the Api's base path, e.g. "/customers/{customerId}/cards". */
  path: string;
  deprecated: boolean;
  /** The operation's security statement as the spec declares it (DESIGN.md "public vs undeclared"). */
  auth: DemoEndpointAuth;
  /** A login/token/signup-style authentication endpoint (credential-stuffing target). */
  authentication: boolean;
}

export interface DemoApi {
  slug: string;
  /** Display name (spec title / Backstage title), e.g. "Payments API". */
  name: string;
  /** Owning team slug as Postern should resolve it from the inventories; undefined = ownerless. */
  team?: string;
  /** Primary base URL (scheme + host + base path), e.g. "https://payments.api.northwind.example/v1". */
  baseUrl: string;
  /** Lifecycle as declared by Backstage or the CSV; "unknown" when no catalog source states one. */
  lifecycle: Lifecycle | "unknown";
  /** Exposure as declared by Backstage or the CSV; "unknown" when no catalog source states one. */
  exposure: Exposure | "unknown";
  /** Documented endpoints (empty for CSV-only Apis). */
  endpoints: DemoEndpoint[];
  /** Which generated inventories mention this Api. */
  sources: DemoInventorySource[];
  /** File name of its OpenAPI document, if it has one. */
  specFile?: string;
  /** info.contact e-mail, if the spec has one (a contact is not an owner). */
  contact?: string;
  /** Auth schemes of the spec ("bearer", "oauth2", "openIdConnect", "apiKey:header", "apiKey:query", "basic"). */
  authSchemes: string[];
  /** Kong gateway configuration for gateway-fronted Apis. */
  gateway?: { authPlugin: string | null; rateLimited: boolean };
  /** Endpoints that exist in "traffic" but in no inventory (for shadow-endpoint traffic). */
  undocumentedEndpoints: { method: HttpMethod; path: string }[];
  /** The team that really runs it, even when no inventory says so (for traffic/vault generators). */
  actualTeam: string;
  /** Its source repository as the Backstage catalog states it (code scanners' reports name it), if catalogued there. */
  repository?: string;
}

export interface DemoOrganisation {
  company: string;
  domain: string;
  apis: DemoApi[];
  teams: string[];
  /** Kong consumers declared in the decK file (usable as authenticated principals in traffic). */
  gatewayConsumers: string[];
}

export interface DemoShadowHost {
  host: string;
  /** Base path starting with "/", e.g. "/v0". */
  basePath: string;
  baseUrl: string;
  /** The team whose Api this looks like (a hint for traffic generators; no inventory says so). */
  likelyTeam: string;
  /** Paths that traffic may hit under it. */
  endpoints: { method: HttpMethod; path: string }[];
}

export const DEMO_COMPANY = "Northwind Payments";
export const DEMO_DOMAIN = "northwind.example";
export const DEMO_FILE_NAMES = {
  backstage: "catalog/catalog-info.yaml",
  csv: "inventory/api-inventory.csv",
  kong: "gateway/kong.yaml",
} as const;
export const DEMO_CSV_HEADER = "name,base_url,owner,lifecycle,exposure,repository";

export function generateDemoOrganisation(options: DemoOptions = {}): DemoFile[] {
  const org = buildOrganisation(options);
  const files: DemoFile[] = [];
  for (const api of org.apis) {
    if (api.role !== "spec") continue;
    files.push({ name: specFileName(api), content: renderOpenApi(api), family: "inventory" });
  }
  files.push({ name: DEMO_FILE_NAMES.backstage, content: renderBackstage(org), family: "inventory" });
  files.push({ name: DEMO_FILE_NAMES.csv, content: renderCsv(org), family: "inventory" });
  if (org.apis.some((a) => a.kong)) {
    files.push({ name: DEMO_FILE_NAMES.kong, content: renderKong(org), family: "inventory" });
  }
  return files;
}

export function describeDemoOrganisation(options: DemoOptions = {}): DemoOrganisation {
  const org = buildOrganisation(options);
  return {
    company: DEMO_COMPANY,
    domain: DEMO_DOMAIN,
    teams: org.teams.map((t) => t.slug),
    gatewayConsumers: org.apis.some((a) => a.kong) ? [...KONG_CONSUMERS] : [],
    apis: org.apis.map(describeApi),
  };
}

export function demoShadowHosts(options: DemoOptions = {}): DemoShadowHost[] {
  return buildOrganisation(options).shadows.map((s) => ({ ...s, endpoints: s.endpoints.map((e) => ({ ...e })) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

interface FieldDef {
  type: "string" | "integer" | "number" | "boolean" | "object" | "array";
  format?: string;
  enum?: string[];
  items?: "string";
  example: unknown;
}

const S = (example: string, format?: string): FieldDef => ({ type: "string", example, ...(format ? { format } : {}) });
const DT = S("2025-03-14T09:26:53Z", "date-time");
const MONEY: FieldDef = { type: "number", format: "double", example: 49.99 };
const STATUS: FieldDef = { type: "string", enum: ["pending", "active", "completed", "failed"], example: "active" };

const FIELDS: Record<string, FieldDef> = {
  id: S("3f6c2a9e-8b1d-4c7a-9e2f-5d8b7a6c1e40", "uuid"),
  email: S("jane.doe@example.com", "email"),
  contactEmail: S("ops@acme-travel.example", "email"),
  ownerEmail: S("sam.lee@example.com", "email"),
  phone: S("+44 20 7946 0018"),
  contactPhone: S("+44 20 7946 0321"),
  firstName: S("Jane"),
  lastName: S("Doe"),
  cardholderName: S("J DOE"),
  holderName: S("Jane Doe"),
  legalName: S("Acme Travel Ltd"),
  recipientName: S("Jane Doe"),
  displayName: S("janed"),
  username: S("jane.doe"),
  dateOfBirth: S("1988-04-12", "date"),
  iban: S("GB33BUKB20201555555555"),
  bic: S("BUKBGB22"),
  cardNumber: S("4111111111111111"),
  last4: S("1111"),
  expiryMonth: { type: "integer", example: 12 },
  expiryYear: { type: "integer", example: 2028 },
  brand: { type: "string", enum: ["visa", "mastercard", "amex"], example: "visa" },
  ssn: S("078-05-1120"),
  nationalId: S("QQ123456C"),
  passportNumber: S("925076473"),
  password: S("********", "password"),
  accessToken: S("eyJhbGciOiJSUzI1NiJ9.demo.signature"),
  refreshToken: S("rt_demo_0000000000"),
  tokenType: S("Bearer"),
  expiresIn: { type: "integer", example: 3600 },
  clientId: S("web-checkout"),
  clientSecret: S("********"),
  apiKey: S("********"),
  signingSecret: S("********"),
  pushToken: S("fcm-demo-token"),
  amount: MONEY,
  total: MONEY,
  price: MONEY,
  balance: MONEY,
  currency: S("EUR"),
  status: STATUS,
  createdAt: DT,
  updatedAt: DT,
  occurredAt: DT,
  settledAt: DT,
  expiresAt: DT,
  scheduledFor: DT,
  startedAt: DT,
  finishedAt: DT,
  generatedAt: DT,
  submittedAt: DT,
  grantedAt: DT,
  validFrom: DT,
  startsAt: DT,
  evidenceDueBy: DT,
  dueDate: S("2025-04-30", "date"),
  startDate: S("2025-05-01", "date"),
  endDate: S("2025-05-09", "date"),
  reason: S("requested_by_customer"),
  description: S("Monthly subscription"),
  name: S("Standard"),
  title: S("Spring sale"),
  sku: S("NW-10042"),
  quantity: { type: "integer", example: 2 },
  categoryId: S("c0ffee00-0000-4000-8000-000000000001", "uuid"),
  parentId: S("c0ffee00-0000-4000-8000-000000000002", "uuid"),
  merchantId: S("9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "uuid"),
  customerId: S("1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809", "uuid"),
  userId: S("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "uuid"),
  shipmentId: S("7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f", "uuid"),
  discountPercent: { type: "integer", example: 15 },
  code: S("SPRING15"),
  rating: { type: "integer", example: 4 },
  comment: S("Arrived quickly."),
  trackingNumber: S("NW123456789GB"),
  carrier: S("parcelforce"),
  weightGrams: { type: "integer", example: 1250 },
  addressLine1: S("221B Baker Street"),
  city: S("London"),
  postcode: S("NW1 6XE"),
  country: S("GB"),
  capacity: { type: "integer", example: 12000 },
  type: S("standard"),
  payload: { type: "object", example: { orderId: "ord_123" } },
  format: { type: "string", enum: ["csv", "json", "parquet"], example: "csv" },
  rowCount: { type: "integer", example: 104233 },
  downloadUrl: S("https://files.northwind.example/exports/2025-03.csv", "uri"),
  url: S("https://hooks.acme-travel.example/northwind", "uri"),
  website: S("https://acme-travel.example", "uri"),
  events: { type: "array", items: "string", example: ["payment.succeeded"] },
  redirectUris: { type: "array", items: "string", example: ["https://app.acme-travel.example/callback"] },
  medicalConditions: { type: "array", items: "string", example: ["asthma"] },
  healthPlan: S("gold"),
  plan: S("business"),
  scope: S("accounts:read"),
  locale: S("en-GB"),
  mfaEnabled: { type: "boolean", example: true },
  ipAddress: S("203.0.113.24"),
  userAgent: S("Mozilla/5.0"),
  verified: { type: "boolean", example: true },
  enabled: { type: "boolean", example: true },
  score: { type: "integer", example: 37 },
  decision: { type: "string", enum: ["approve", "review", "decline"], example: "approve" },
  value: { type: "number", example: 0.982 },
  unit: S("ratio"),
  widgets: { type: "integer", example: 8 },
  policyNumber: S("TI-2025-004211"),
  coverage: S("worldwide"),
  entryType: { type: "string", enum: ["debit", "credit"], example: "debit" },
  invoiceNumber: S("INV-2025-0042"),
  channel: { type: "string", enum: ["email", "sms", "push"], example: "email" },
  subject: S("Your receipt"),
  body: S("Thanks for your order."),
  priority: { type: "string", enum: ["low", "normal", "high"], example: "normal" },
  jobTitle: S("Analyst"),
  department: S("Finance"),
  period: S("2025-03"),
};

interface ResourceDef {
  singular: string;
  fields: string[];
  children?: string[];
}

const RESOURCES: Record<string, ResourceDef> = {
  payments: { singular: "payment", fields: ["amount", "currency", "status", "merchantId", "customerId", "description", "createdAt"], children: ["refunds"] },
  refunds: { singular: "refund", fields: ["amount", "currency", "reason", "status", "createdAt"] },
  cards: { singular: "card", fields: ["cardholderName", "cardNumber", "expiryMonth", "expiryYear", "brand", "createdAt"] },
  customers: { singular: "customer", fields: ["email", "phone", "firstName", "lastName", "dateOfBirth", "addressLine1", "postcode", "createdAt"], children: ["cards", "payments"] },
  payouts: { singular: "payout", fields: ["amount", "currency", "iban", "status", "scheduledFor"] },
  disputes: { singular: "dispute", fields: ["amount", "currency", "reason", "status", "evidenceDueBy"] },
  settlements: { singular: "settlement", fields: ["amount", "currency", "iban", "bic", "settledAt"] },
  wallets: { singular: "wallet", fields: ["balance", "currency", "ownerEmail", "createdAt"], children: ["transactions"] },
  transactions: { singular: "transaction", fields: ["amount", "currency", "description", "status", "createdAt"] },
  users: { singular: "user", fields: ["email", "username", "firstName", "lastName", "phone", "mfaEnabled", "createdAt"], children: ["sessions", "factors"] },
  sessions: { singular: "session", fields: ["userId", "ipAddress", "userAgent", "createdAt", "expiresAt"] },
  factors: { singular: "factor", fields: ["type", "phone", "verified"] },
  consents: { singular: "consent", fields: ["scope", "status", "grantedAt"] },
  profiles: { singular: "profile", fields: ["displayName", "email", "dateOfBirth", "locale"] },
  clients: { singular: "client", fields: ["name", "clientId", "clientSecret", "redirectUris"] },
  products: { singular: "product", fields: ["name", "description", "sku", "price", "currency", "categoryId"], children: ["reviews", "prices"] },
  categories: { singular: "category", fields: ["name", "parentId"], children: ["products"] },
  prices: { singular: "price", fields: ["amount", "currency", "validFrom"] },
  offers: { singular: "offer", fields: ["title", "discountPercent", "startsAt"] },
  promotions: { singular: "promotion", fields: ["code", "discountPercent", "startsAt"] },
  reviews: { singular: "review", fields: ["rating", "comment", "displayName", "createdAt"] },
  merchants: { singular: "merchant", fields: ["legalName", "email", "phone", "website", "iban", "createdAt"], children: ["payouts"] },
  shipments: { singular: "shipment", fields: ["trackingNumber", "carrier", "status", "recipientName", "addressLine1", "city", "postcode", "country"], children: ["parcels"] },
  parcels: { singular: "parcel", fields: ["trackingNumber", "weightGrams", "status"] },
  carriers: { singular: "carrier", fields: ["name", "code"] },
  warehouses: { singular: "warehouse", fields: ["name", "city", "country", "capacity"] },
  returns: { singular: "return", fields: ["reason", "status", "shipmentId", "createdAt"] },
  pickups: { singular: "pickup", fields: ["scheduledFor", "addressLine1", "contactPhone"] },
  events: { singular: "event", fields: ["type", "occurredAt", "payload"] },
  reports: { singular: "report", fields: ["name", "status", "generatedAt", "downloadUrl"] },
  exports: { singular: "export", fields: ["format", "status", "rowCount", "downloadUrl"] },
  datasets: { singular: "dataset", fields: ["name", "description", "rowCount", "updatedAt"], children: ["jobs"] },
  jobs: { singular: "job", fields: ["type", "status", "startedAt", "finishedAt"] },
  metrics: { singular: "metric", fields: ["name", "value", "unit"] },
  dashboards: { singular: "dashboard", fields: ["title", "widgets", "updatedAt"] },
  partners: { singular: "partner", fields: ["name", "contactEmail", "contactPhone", "status", "apiKey"], children: ["webhooks", "applications"] },
  webhooks: { singular: "webhook", fields: ["url", "events", "signingSecret", "createdAt"] },
  subscriptions: { singular: "subscription", fields: ["plan", "status", "startedAt"] },
  accounts: { singular: "account", fields: ["holderName", "iban", "bic", "balance", "currency"], children: ["transactions"] },
  applications: { singular: "application", fields: ["name", "status", "contactEmail", "submittedAt"] },
  assessments: { singular: "assessment", fields: ["score", "decision", "createdAt"] },
  checks: { singular: "check", fields: ["type", "status", "firstName", "lastName", "dateOfBirth", "nationalId"] },
  rules: { singular: "rule", fields: ["name", "description", "status"] },
  alerts: { singular: "alert", fields: ["type", "status", "createdAt"] },
  cases: { singular: "case", fields: ["status", "reason", "createdAt"], children: ["documents"] },
  documents: { singular: "document", fields: ["type", "status", "passportNumber", "createdAt"] },
  invoices: { singular: "invoice", fields: ["invoiceNumber", "total", "currency", "dueDate", "status", "email"] },
  plans: { singular: "plan", fields: ["name", "price", "currency"] },
  entries: { singular: "entry", fields: ["amount", "currency", "entryType", "createdAt"] },
  balances: { singular: "balance", fields: ["amount", "currency", "updatedAt"] },
  transfers: { singular: "transfer", fields: ["amount", "currency", "iban", "status"] },
  messages: { singular: "message", fields: ["channel", "subject", "email", "phone", "status"] },
  templates: { singular: "template", fields: ["name", "channel", "subject"] },
  devices: { singular: "device", fields: ["type", "pushToken", "createdAt"] },
  preferences: { singular: "preference", fields: ["channel", "enabled"] },
  tickets: { singular: "ticket", fields: ["subject", "priority", "status", "email", "createdAt"], children: ["notes"] },
  notes: { singular: "note", fields: ["body", "createdAt"] },
  employees: { singular: "employee", fields: ["firstName", "lastName", "email", "jobTitle", "department", "ssn", "dateOfBirth"], children: ["payslips"] },
  payslips: { singular: "payslip", fields: ["period", "total", "iban"] },
  benefits: { singular: "benefit", fields: ["plan", "healthPlan", "medicalConditions"] },
  absences: { singular: "absence", fields: ["type", "startDate", "endDate", "status"] },
  policies: { singular: "policy", fields: ["policyNumber", "coverage", "status", "medicalConditions"] },
  flags: { singular: "flag", fields: ["name", "enabled", "updatedAt"] },
};

interface ApiBase {
  /** Name stem: "Payments" → "Payments API". */
  stem: string;
  resources: string[];
  /** An authentication Api: login/token endpoints returning credentials. */
  auth?: boolean;
  /** Reads of the first resource are public (`security: []`). */
  publicReads?: boolean;
}

interface TeamDef {
  slug: string;
  display: string;
  weight: number;
  bases: ApiBase[];
}

const TEAM_CATALOGUE: TeamDef[] = [
  {
    slug: "payments",
    display: "Payments",
    weight: 3,
    bases: [
      { stem: "Payments", resources: ["payments", "customers", "refunds"] },
      { stem: "Card Vault", resources: ["cards", "customers"] },
      { stem: "Refunds", resources: ["refunds", "payments"] },
      { stem: "Payouts", resources: ["payouts", "merchants"] },
      { stem: "Checkout", resources: ["payments", "customers", "cards"] },
      { stem: "Disputes", resources: ["disputes", "payments"] },
      { stem: "Settlements", resources: ["settlements", "merchants"] },
      { stem: "Wallet", resources: ["wallets", "transactions"] },
    ],
  },
  {
    slug: "identity",
    display: "Identity",
    weight: 2,
    bases: [
      { stem: "Identity", resources: ["users", "sessions"], auth: true },
      { stem: "Auth", resources: ["sessions", "clients"], auth: true },
      { stem: "Customer Login", resources: ["users", "factors"], auth: true },
      { stem: "Consent", resources: ["consents", "users"] },
      { stem: "User Profile", resources: ["profiles", "users"] },
      { stem: "OAuth Clients", resources: ["clients"] },
      { stem: "MFA", resources: ["factors", "users"], auth: true },
    ],
  },
  {
    slug: "catalog",
    display: "Catalog",
    weight: 2,
    bases: [
      { stem: "Catalog", resources: ["products", "categories"], publicReads: true },
      { stem: "Product Search", resources: ["products", "offers"], publicReads: true },
      { stem: "Pricing", resources: ["prices", "products"] },
      { stem: "Promotions", resources: ["promotions", "offers"] },
      { stem: "Reviews", resources: ["reviews", "products"], publicReads: true },
      { stem: "Merchant Catalog", resources: ["merchants", "products"] },
    ],
  },
  {
    slug: "logistics",
    display: "Logistics",
    weight: 2,
    bases: [
      { stem: "Shipping", resources: ["shipments", "parcels"] },
      { stem: "Tracking", resources: ["shipments"], publicReads: true },
      { stem: "Warehouse", resources: ["warehouses", "parcels"] },
      { stem: "Returns", resources: ["returns", "shipments"] },
      { stem: "Carrier Rates", resources: ["carriers"] },
      { stem: "Pickups", resources: ["pickups", "carriers"] },
    ],
  },
  {
    slug: "data-platform",
    display: "Data Platform",
    weight: 1.5,
    bases: [
      { stem: "Events", resources: ["events"] },
      { stem: "Analytics", resources: ["reports", "dashboards"] },
      { stem: "Reporting", resources: ["reports", "exports"] },
      { stem: "Data Export", resources: ["exports", "datasets"] },
      { stem: "Metrics", resources: ["metrics", "dashboards"] },
      { stem: "Datasets", resources: ["datasets", "jobs"] },
    ],
  },
  {
    slug: "partner-integrations",
    display: "Partner Integrations",
    weight: 1.5,
    bases: [
      { stem: "Partner", resources: ["partners", "applications"] },
      { stem: "Merchant Onboarding", resources: ["merchants", "applications", "documents"] },
      { stem: "Webhooks", resources: ["webhooks", "subscriptions"] },
      { stem: "Open Banking", resources: ["accounts", "consents"] },
      { stem: "Marketplace", resources: ["partners", "products"] },
      { stem: "Travel Insurance", resources: ["policies", "customers"] },
    ],
  },
  {
    slug: "risk",
    display: "Risk",
    weight: 1.5,
    bases: [
      { stem: "Fraud Scoring", resources: ["assessments", "alerts"] },
      { stem: "KYC", resources: ["checks", "documents"] },
      { stem: "Sanctions Screening", resources: ["checks"] },
      { stem: "Risk Rules", resources: ["rules", "alerts"] },
      { stem: "Case Management", resources: ["cases", "documents"] },
    ],
  },
  {
    slug: "billing",
    display: "Billing",
    weight: 1.5,
    bases: [
      { stem: "Invoicing", resources: ["invoices", "customers"] },
      { stem: "Subscriptions", resources: ["subscriptions", "plans"] },
      { stem: "Billing", resources: ["invoices", "plans"] },
    ],
  },
  {
    slug: "ledger",
    display: "Ledger",
    weight: 1.5,
    bases: [
      { stem: "Ledger", resources: ["entries", "accounts"] },
      { stem: "Accounts", resources: ["accounts", "balances"] },
      { stem: "Balances", resources: ["balances"] },
      { stem: "Reconciliation", resources: ["entries", "settlements"] },
      { stem: "Transfers", resources: ["transfers", "accounts"] },
    ],
  },
  {
    slug: "notifications",
    display: "Notifications",
    weight: 1,
    bases: [
      { stem: "Notifications", resources: ["messages", "templates"] },
      { stem: "Email Delivery", resources: ["messages", "templates"] },
      { stem: "SMS", resources: ["messages"] },
      { stem: "Push", resources: ["devices", "messages"] },
      { stem: "Preferences", resources: ["preferences"] },
    ],
  },
  {
    slug: "customer-care",
    display: "Customer Care",
    weight: 1,
    bases: [
      { stem: "Support Tickets", resources: ["tickets", "notes"] },
      { stem: "Customer 360", resources: ["customers", "tickets"] },
      { stem: "Feedback", resources: ["reviews"] },
    ],
  },
  {
    slug: "people-ops",
    display: "People Ops",
    weight: 1,
    bases: [
      { stem: "Employee Directory", resources: ["employees"] },
      { stem: "Payroll", resources: ["payslips", "employees"] },
      { stem: "Benefits", resources: ["benefits", "employees"] },
      { stem: "Time Off", resources: ["absences", "employees"] },
    ],
  },
  {
    slug: "platform",
    display: "Platform",
    weight: 1,
    bases: [
      { stem: "Feature Flags", resources: ["flags"] },
      { stem: "Audit Log", resources: ["events"] },
      { stem: "Service Directory", resources: ["applications"] },
    ],
  },
];

/** Suffixes for teams beyond the catalogue ("payments-emea"…). */
const TEAM_VARIANTS = ["emea", "amer", "apac", "core", "labs", "growth", "enterprise", "retail"];
const NAME_QUALIFIERS = ["Admin", "Reporting", "Batch", "Events", "Internal", "Partner", "Mobile", "Web", "Sandbox", "Legacy", "Bulk", "Search", "Sync", "Ops", "Insights", "Config", "Export", "Gateway"];
const NAME_REGIONS = ["", "EU", "US", "UK", "APAC", "LATAM", "Nordics", "DACH"];
const KONG_CONSUMERS = ["web-checkout", "mobile-app-ios", "mobile-app-android", "partner-acme-travel", "partner-globex", "internal-batch", "merchant-portal"];
const UNDOCUMENTED = [
  { method: "GET" as const, path: "/internal/metrics" },
  { method: "GET" as const, path: "/debug/vars" },
  { method: "POST" as const, path: "/admin/reindex" },
  { method: "GET" as const, path: "/admin/users" },
  { method: "GET" as const, path: "/actuator/env" },
  { method: "GET" as const, path: "/export/all" },
];

// ---------------------------------------------------------------------------------------------------------------
// The model

type SchemeKind = "bearer" | "oauth2" | "openIdConnect" | "apiKeyHeader" | "apiKeyQuery" | "basic";
type OpKind = "list" | "get" | "create" | "update" | "delete" | "search" | "login" | "token" | "refresh" | "logout" | "signup" | "passwordReset" | "health";
/** absent = no `security` key on the operation; empty = `security: []`; explicit = own requirement. */
type OpSecurity = "absent" | "empty" | "explicit";

interface OperationPlan {
  method: HttpMethod;
  path: string;
  kind: OpKind;
  /** Resource whose schema the response uses (list/get/create/update/search), and its parent for sub-resources. */
  resource?: string;
  parent?: string;
  security: OpSecurity;
  deprecated: boolean;
  summary: boolean;
  description: boolean;
  operationId: boolean;
  successSchema: boolean;
  example: boolean;
  tag: string;
}

interface ApiPlan {
  index: number;
  slug: string;
  name: string;
  label: string;
  team: TeamDef;
  base: ApiBase;
  role: "spec" | "csvOnly";
  ownerless: boolean;
  exposure: Exposure;
  lifecycle: Lifecycle;
  scheme: "https" | "http";
  host: string;
  basePath: string;
  templatedServer: boolean;
  sandbox: boolean;
  inBackstage: boolean;
  inCsv: boolean;
  xOwner: boolean;
  kong?: { authPlugin: string | null; rateLimit: "rate-limiting" | "rate-limiting-advanced" | null; ownerTag: boolean; loginRoute: boolean };
  csvNameStyle: "slug" | "display";
  schemes: SchemeKind[];
  globalSecurity: boolean;
  /** Has login/token endpoints (an authentication Api). */
  authEndpoints: boolean;
  format: "json" | "yaml";
  minified: boolean;
  openapi: "3.0.3" | "3.1.0";
  version: string;
  contact?: { name: string; email: string };
  useRefs: boolean;
  description: boolean;
  operations: OperationPlan[];
  undocumented: { method: HttpMethod; path: string }[];
  repository: string;
  renderSeed: number;
}

interface OrgPlan {
  seed: number;
  teams: TeamDef[];
  apis: ApiPlan[];
  components: { name: string; team: string; lifecycle: Lifecycle; apis: string[]; repository: string }[];
  shadows: DemoShadowHost[];
}

function resolveOptions(options: DemoOptions): { apis: number; teams: number; seed: number } {
  const apis = options.apis ?? 40;
  const teams = options.teams ?? 6;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(apis) || apis < 1 || apis > 100_000) throw new RangeError(`apis must be an integer in [1, 100000], got ${apis}`);
  const maxTeams = TEAM_CATALOGUE.length * (1 + TEAM_VARIANTS.length);
  if (!Number.isInteger(teams) || teams < 1 || teams > maxTeams) throw new RangeError(`teams must be an integer in [1, ${maxTeams}], got ${teams}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return { apis, teams, seed };
}

function buildTeams(count: number): TeamDef[] {
  const teams: TeamDef[] = [];
  for (let round = 0; teams.length < count; round++) {
    for (const team of TEAM_CATALOGUE) {
      if (teams.length >= count) break;
      if (round === 0) {
        teams.push(team);
      } else {
        const variant = TEAM_VARIANTS[round - 1] ?? `x${round}`;
        teams.push({
          slug: `${team.slug}-${variant}`,
          display: `${team.display} ${variant.length <= 4 ? variant.toUpperCase() : titleCase(variant)}`,
          weight: team.weight * 0.6,
          bases: team.bases,
        });
      }
    }
  }
  return teams;
}

/** max(min, round(n × fraction)), never more than `cap`. */
function quota(n: number, fraction: number, min: number, cap: number): number {
  return Math.max(0, Math.min(cap, Math.max(min, Math.round(n * fraction))));
}

function buildOrganisation(options: DemoOptions): OrgPlan {
  const { apis: n, teams: teamCount, seed } = resolveOptions(options);
  const rng = createRng(seedFrom(seed, n, teamCount, 0x9057e7));
  const teams = buildTeams(teamCount);

  // 1. Teams and names.
  const teamOf: TeamDef[] = [];
  const teamWeights = teams.map((t) => [t, t.weight] as const);
  for (let i = 0; i < n; i++) teamOf.push(i < teams.length ? (teams[i] as TeamDef) : rng.weighted(teamWeights));
  const shuffledTeams = rng.shuffle(teamOf);

  const usedSlugs = new Set<string>();
  const usedHosts = new Set<string>();
  const nameCursor = new Map<string, number>();
  const baseOrder = new Map<string, ApiBase[]>();
  const apis: ApiPlan[] = [];
  for (let i = 0; i < n; i++) {
    const team = shuffledTeams[i] as TeamDef;
    let bases = baseOrder.get(team.slug);
    if (!bases) {
      bases = rng.shuffle(team.bases);
      baseOrder.set(team.slug, bases);
    }
    const { name, base } = nextApiName(team, bases, nameCursor, usedSlugs);
    const slug = kebab(name);
    usedSlugs.add(slug);
    apis.push({
      index: i,
      slug,
      name,
      label: slug.replace(/-api$/, ""),
      team,
      base,
      role: "spec",
      ownerless: false,
      exposure: "internal",
      lifecycle: "production",
      scheme: "https",
      host: "",
      basePath: "/v1",
      templatedServer: false,
      sandbox: false,
      inBackstage: false,
      inCsv: false,
      xOwner: false,
      csvNameStyle: "slug",
      schemes: [],
      globalSecurity: true,
      authEndpoints: false,
      format: "yaml",
      minified: false,
      openapi: "3.0.3",
      version: "1.0.0",
      useRefs: true,
      description: true,
      operations: [],
      undocumented: [],
      repository: `https://git.${DEMO_DOMAIN}/${team.slug}/${slug}`,
      renderSeed: 0,
    });
  }

  // 2. Roles: CSV-only Apis (no spec), ownerless Apis (spec only, nothing names an owner), owned Apis.
  const order = rng.shuffle(apis);
  const csvOnlyCount = n >= 8 ? quota(n, 0.05, 1, n) : 0;
  const ownerlessCount = n >= 4 ? quota(n, 0.07, 1, n - csvOnlyCount) : 0;
  order.slice(0, csvOnlyCount).forEach((a) => (a.role = "csvOnly"));
  order.slice(csvOnlyCount, csvOnlyCount + ownerlessCount).forEach((a) => (a.ownerless = true));
  const specApis = apis.filter((a) => a.role === "spec");

  // Authentication endpoints (login/token): identity's auth Apis, some partner-facing ones, and at least one.
  for (const api of specApis) api.authEndpoints = api.base.auth === true;
  if (n >= 10 && !specApis.some((a) => a.authEndpoints)) {
    const candidates = specApis.filter((a) => !a.ownerless);
    const chosen = candidates.find((a) => a.team.slug.startsWith("identity")) ?? candidates[0];
    if (chosen) chosen.authEndpoints = true;
  }

  // 3. Exposure (fixed proportions: 45 % internet, 20 % partner, 35 % internal), transport, hosts.
  const exposureOrder = rng.shuffle(apis);
  const internetCount = Math.round(n * 0.45);
  const partnerCount = Math.round(n * 0.2);
  exposureOrder.forEach((api, i) => {
    api.exposure = i < internetCount ? "internet" : i < internetCount + partnerCount ? "partner" : "internal";
  });
  for (const api of specApis) if (!api.authEndpoints && api.exposure === "partner" && rng.chance(0.1)) api.authEndpoints = true;
  const internalSpecs = rng.shuffle(specApis.filter((a) => a.exposure === "internal"));
  const cleartext = n >= 10 ? quota(n, 0.04, 1, internalSpecs.length) : 0;
  internalSpecs.slice(0, cleartext).forEach((a) => (a.scheme = "http"));
  for (const api of apis) {
    const versionPath = rng.weighted([
      ["/v1", 70],
      ["/v2", 20],
      ["/v3", 5],
      ["", 5],
    ] as const);
    const shared = api.exposure === "internet" && rng.chance(0.1);
    const zone = api.exposure === "internet" ? "api" : api.exposure === "partner" ? "partners" : "internal";
    api.host = shared ? `api.${DEMO_DOMAIN}` : `${api.label}.${zone}.${DEMO_DOMAIN}`;
    api.basePath = shared ? `/${api.label}${versionPath || "/v1"}` : versionPath;
    if (!shared) usedHosts.add(api.host);
    api.templatedServer = api.role === "spec" && !shared && versionPath !== "" && rng.chance(0.05);
    api.sandbox = api.role === "spec" && api.exposure !== "internal" && rng.chance(0.15);
  }
  usedHosts.add(`api.${DEMO_DOMAIN}`);

  // 4. Lifecycle (truth). Retired Apis are declared only in the CSV (Backstage has no "retired").
  const lifecycleOrder = rng.shuffle(apis.filter((a) => !a.ownerless));
  const deprecatedCount = n >= 6 ? quota(n, 0.07, 1, lifecycleOrder.length) : 0;
  const retiredCount = n >= 20 ? quota(n, 0.02, 1, lifecycleOrder.length - deprecatedCount) : 0;
  const experimentalCount = Math.round(n * 0.12);
  lifecycleOrder.forEach((a, i) => {
    a.lifecycle =
      i < deprecatedCount
        ? "deprecated"
        : i < deprecatedCount + retiredCount
          ? "retired"
          : i < deprecatedCount + retiredCount + experimentalCount
            ? "experimental"
            : "production";
  });
  for (const api of apis) if (api.ownerless) api.lifecycle = rng.chance(0.8) ? "production" : "experimental";

  // 5. Owner sources for owned spec Apis. Most are in Backstage; some only carry x-owner, some only a CSV row,
  //    a few only a Kong owner tag. Deprecated/retired ones are always in a catalog (so their lifecycle is known).
  const owned = rng.shuffle(specApis.filter((a) => !a.ownerless));
  const flexible = owned.filter((a) => a.lifecycle !== "deprecated" && a.lifecycle !== "retired");
  const xOwnerOnly = new Set(flexible.slice(0, n >= 10 ? quota(n, 0.05, 1, flexible.length) : 0));
  const afterX = flexible.filter((a) => !xOwnerOnly.has(a));
  const csvOwnerOnly = new Set(afterX.slice(0, n >= 10 ? quota(n, 0.05, 1, afterX.length) : 0));
  const kongOwnerOnly = new Set(
    afterX.filter((a) => !csvOwnerOnly.has(a) && a.exposure === "internet").slice(0, n >= 20 ? quota(n, 0.02, 1, n) : 0),
  );
  for (const api of owned) {
    if (xOwnerOnly.has(api)) {
      api.xOwner = true;
    } else if (csvOwnerOnly.has(api) || api.lifecycle === "retired") {
      api.inCsv = true;
    } else if (kongOwnerOnly.has(api)) {
      // owner only from the gateway tag (set below)
    } else {
      api.inBackstage = true;
      api.xOwner = rng.chance(0.3);
      api.inCsv = rng.chance(0.3);
    }
  }
  for (const api of apis) {
    if (api.role === "csvOnly") api.inCsv = true;
    api.csvNameStyle = rng.chance(0.7) ? "slug" : "display";
  }

  // 6. Kong: a subset of the internet-facing Apis with specs (always those whose owner only Kong names).
  for (const api of specApis) {
    if (api.exposure !== "internet") continue;
    if (!(kongOwnerOnly.has(api) || rng.chance(0.6))) continue;
    api.kong = { authPlugin: null, rateLimit: null, ownerTag: kongOwnerOnly.has(api) || (!api.ownerless && rng.chance(0.5)), loginRoute: false };
  }

  // 7. Authentication schemes (quotas guarantee the weak ones appear), global security.
  // Weak schemes go to Apis without login endpoints first (those keep bearer tokens).
  const authOrder = [...rng.shuffle(specApis.filter((a) => !a.authEndpoints)), ...rng.shuffle(specApis.filter((a) => a.authEndpoints))];
  const m = authOrder.length;
  const bigEnough = n >= 10;
  const counts: [SchemeKind, number][] = [
    ["apiKeyQuery", bigEnough ? quota(m, 0.05, 1, m) : 0],
    ["basic", bigEnough ? quota(m, 0.05, 1, m) : 0],
    ["oauth2", Math.round(m * 0.15)],
    ["openIdConnect", Math.round(m * 0.03)],
    ["apiKeyHeader", Math.round(m * 0.12)],
  ];
  let cursor = 0;
  for (const [kind, count] of counts) {
    for (let k = 0; k < count && cursor < m; k++, cursor++) (authOrder[cursor] as ApiPlan).schemes = [kind];
  }
  for (; cursor < m; cursor++) (authOrder[cursor] as ApiPlan).schemes = ["bearer"];
  for (const api of specApis) {
    if (api.authEndpoints && api.schemes[0] === "apiKeyHeader") api.schemes = ["bearer"];
    if (api.schemes[0] === "bearer" && rng.chance(0.12)) api.schemes.push("apiKeyHeader");
  }
  const noGlobal = rng.shuffle(specApis.filter((a) => !a.authEndpoints));
  noGlobal.slice(0, bigEnough ? quota(m, 0.08, 1, noGlobal.length) : 0).forEach((a) => (a.globalSecurity = false));

  // 8. Kong plugins (at least one gateway-fronted service without auth, some without rate limits).
  const kongApis = rng.shuffle(specApis.filter((a) => a.kong));
  kongApis.forEach((api, i) => {
    const kong = api.kong;
    if (!kong) return;
    const noAuth = i < (kongApis.length >= 3 ? Math.max(1, Math.round(kongApis.length * 0.1)) : 0);
    kong.authPlugin = noAuth ? null : kongAuthPlugin(api.schemes[0] ?? "bearer");
    // At least one rate-limited and one unlimited service once there are two.
    kong.rateLimit =
      i === 0 && kongApis.length >= 2
        ? null
        : i === 1
          ? "rate-limiting"
          : rng.weighted([
              ["rate-limiting", 50],
              ["rate-limiting-advanced", 10],
              [null, 40],
            ] as const);
    kong.loginRoute = api.authEndpoints;
  });

  // 9. Document details and operations.
  for (const api of specApis) {
    api.format = rng.chance(0.5) ? "json" : "yaml";
    api.minified = api.format === "json" && rng.chance(0.3);
    api.openapi = rng.chance(0.35) ? "3.1.0" : "3.0.3";
    api.version = `${rng.int(1, 4)}.${rng.int(0, 12)}.${rng.int(0, 9)}`;
    api.useRefs = rng.chance(0.9);
    api.description = rng.chance(0.7);
    if (rng.chance(api.ownerless ? 0.6 : 0.5)) {
      api.contact = api.ownerless
        ? rng.pick([
            { name: "Priya Raman", email: "priya.raman@northwind.example" },
            { name: "Tomás Herrera", email: "tomas.herrera@northwind.example" },
            { name: "Legacy Integrations", email: "legacy-integrations@northwind.example" },
          ])
        : { name: `${api.team.display} team`, email: `${api.team.slug}-team@${DEMO_DOMAIN}` };
    }
    api.operations = planOperations(rng, api);
    if (rng.chance(0.15)) {
      const documented = new Set(api.operations.map((o) => `${o.method} ${o.path}`));
      api.undocumented = rng
        .shuffle(UNDOCUMENTED)
        .slice(0, rng.int(1, 2))
        .filter((e) => !documented.has(`${e.method} ${e.path}`));
    }
    api.renderSeed = rng.uint32();
  }

  // 10. Backstage components: each groups 1–3 catalogued Apis of one team.
  const components: OrgPlan["components"] = [];
  const usedComponents = new Set<string>();
  for (const team of teams) {
    const mine = apis.filter((a) => a.inBackstage && a.team === team);
    for (let i = 0; i < mine.length; ) {
      const size = Math.min(mine.length - i, rng.int(1, 3));
      const group = mine.slice(i, i + size);
      i += size;
      const first = group[0] as ApiPlan;
      let name = `${first.label}-service`;
      for (let k = 2; usedComponents.has(name); k++) name = `${first.label}-service-${k}`;
      usedComponents.add(name);
      const lifecycle = group.every((a) => a.lifecycle === "deprecated") ? "deprecated" : first.lifecycle === "experimental" ? "experimental" : "production";
      components.push({ name, team: team.slug, lifecycle, apis: group.map((a) => a.slug), repository: `https://git.${DEMO_DOMAIN}/${team.slug}/${name}` });
    }
  }

  // 11. Shadow hosts: old versions, staging copies and forgotten pilots that traffic hits but no inventory lists.
  const shadows: DemoShadowHost[] = [];
  const shadowCount = Math.max(2, Math.round(n * 0.05));
  const patterns = ["legacy", "staging", "old", "beta", "pilot", "v0", "canary", "test"];
  for (let attempt = 0; shadows.length < shadowCount && attempt < shadowCount * 10; attempt++) {
    const source = rng.pick(specApis.length > 0 ? specApis : apis);
    const pattern = rng.pick(patterns);
    const host = pattern === "staging" || pattern === "test" ? `${source.label}.${pattern}.${DEMO_DOMAIN}` : `${source.label}-${pattern}.api.${DEMO_DOMAIN}`;
    if (usedHosts.has(host)) continue;
    usedHosts.add(host);
    const basePath = pattern === "v0" || pattern === "legacy" || pattern === "old" ? "/v0" : source.basePath || "/v1";
    const endpoints = source.operations.length > 0 ? source.operations.slice(0, 6).map((o) => ({ method: o.method, path: o.path })) : [{ method: "GET" as const, path: "/health" }];
    shadows.push({ host, basePath, baseUrl: `https://${host}${basePath}`, likelyTeam: source.team.slug, endpoints });
  }

  // 12. A people search (`GET /customers/search?phone=…`) on an internet-facing Api that holds customers or
  //     employees: the demo's slow scraper walks it (activity.ts). Added last and without random draws, so that
  //     everything above stays as it was.
  const people = specApis.find(
    (a) => a.exposure === "internet" && a.lifecycle === "production" && a.base.resources.some((r) => r === "customers" || r === "employees"),
  );
  const resource = people?.base.resources.find((r) => r === "customers" || r === "employees");
  if (people && resource && !people.operations.some((o) => o.method === "GET" && o.path === `/${resource}/search`)) {
    people.operations.push({
      kind: "search",
      method: "GET",
      path: `/${resource}/search`,
      resource,
      security: "absent",
      deprecated: false,
      summary: true,
      description: true,
      operationId: true,
      successSchema: true,
      example: false,
      tag: resource,
    });
  }

  return { seed, teams, apis, components, shadows };
}

function nextApiName(team: TeamDef, bases: ApiBase[], cursor: Map<string, number>, used: Set<string>): { name: string; base: ApiBase } {
  const b = bases.length;
  const perRegion = b * (1 + NAME_QUALIFIERS.length);
  for (let k = cursor.get(team.slug) ?? 0; ; k++) {
    const base = bases[k % b] as ApiBase;
    const q = Math.floor(k / b) % (1 + NAME_QUALIFIERS.length);
    const r = Math.floor(k / perRegion);
    const qualifier = q === 0 ? "" : ` ${NAME_QUALIFIERS[q - 1] ?? ""}`;
    const region = r < NAME_REGIONS.length ? (NAME_REGIONS[r] ?? "") : `Zone ${r}`;
    const regionPrefix = region ? `${region} ` : "";
    // Team variants (payments-emea) get the team's region word so that names stay unique and readable.
    const teamSuffix = TEAM_CATALOGUE.includes(team) ? "" : ` ${team.display.split(" ").pop() ?? ""}`;
    const name = `${regionPrefix}${base.stem}${qualifier}${teamSuffix} API`;
    if (!used.has(kebab(name))) {
      cursor.set(team.slug, k + 1);
      return { name, base };
    }
  }
}

function kongAuthPlugin(scheme: SchemeKind): string {
  switch (scheme) {
    case "apiKeyHeader":
    case "apiKeyQuery":
      return "key-auth";
    case "basic":
      return "basic-auth";
    case "oauth2":
    case "openIdConnect":
      return "openid-connect";
    case "bearer":
      return "jwt";
  }
}

function planOperations(rng: Rng, api: ApiPlan): OperationPlan[] {
  const target = 4 + Math.floor(21 * Math.pow(rng.next(), 1.6));
  const ops: OperationPlan[] = [];
  const seen = new Set<string>();
  const add = (op: Omit<OperationPlan, "security" | "deprecated" | "summary" | "description" | "operationId" | "successSchema" | "example">) => {
    const key = `${op.method} ${op.path}`;
    if (seen.has(key)) return;
    seen.add(key);
    ops.push({ ...op, security: "absent", deprecated: false, summary: true, description: false, operationId: true, successSchema: true, example: false });
  };

  if (api.authEndpoints) {
    const authOps: [OpKind, HttpMethod, string][] = [
      ["login", "POST", "/login"],
      ["token", "POST", "/oauth/token"],
      ["refresh", "POST", "/token/refresh"],
      ["logout", "POST", "/logout"],
      ["signup", "POST", "/signup"],
      ["passwordReset", "POST", "/password/reset"],
    ];
    const first = rng.chance(0.5) ? 0 : 1;
    const picked = [authOps[first], ...rng.shuffle(authOps.filter((_, i) => i !== first)).slice(0, rng.int(1, 4))];
    for (const entry of picked) if (entry) add({ kind: entry[0], method: entry[1], path: entry[2], tag: "auth" });
  }
  if (rng.chance(0.4)) add({ kind: "health", method: "GET", path: "/health", tag: "health" });

  const goal = Math.max(target, ops.length + 2);
  // CRUD candidates per resource, taken round-robin so every resource gets its basic operations first.
  const queues: Omit<OperationPlan, "security" | "deprecated" | "summary" | "description" | "operationId" | "successSchema" | "example">[][] = [];
  for (const resource of api.base.resources) {
    const def = RESOURCES[resource];
    if (!def) continue;
    const idParam = `{${def.singular}Id}`;
    const q: (typeof queues)[number] = [
      { kind: "list", method: "GET", path: `/${resource}`, resource, tag: resource },
      { kind: "get", method: "GET", path: `/${resource}/${idParam}`, resource, tag: resource },
      { kind: "create", method: "POST", path: `/${resource}`, resource, tag: resource },
      { kind: "update", method: rng.chance(0.6) ? "PATCH" : "PUT", path: `/${resource}/${idParam}`, resource, tag: resource },
      { kind: "delete", method: "DELETE", path: `/${resource}/${idParam}`, resource, tag: resource },
    ];
    if (rng.chance(0.3)) q.push({ kind: "search", method: "GET", path: `/${resource}/search`, resource, tag: resource });
    for (const child of def.children ?? []) {
      const childDef = RESOURCES[child];
      if (!childDef) continue;
      const childId = `{${childDef.singular}Id}`;
      q.push(
        { kind: "list", method: "GET", path: `/${resource}/${idParam}/${child}`, resource: child, parent: resource, tag: resource },
        { kind: "create", method: "POST", path: `/${resource}/${idParam}/${child}`, resource: child, parent: resource, tag: resource },
        { kind: "get", method: "GET", path: `/${resource}/${idParam}/${child}/${childId}`, resource: child, parent: resource, tag: resource },
        { kind: "delete", method: "DELETE", path: `/${resource}/${idParam}/${child}/${childId}`, resource: child, parent: resource, tag: resource },
      );
    }
    queues.push(q);
  }
  for (let round = 0; ops.length < goal; round++) {
    let any = false;
    for (const q of queues) {
      const op = q[round];
      if (!op) continue;
      any = true;
      if (ops.length < goal) add(op);
    }
    if (!any) break;
  }

  // Per-operation details.
  const deprecatedApi = api.lifecycle === "deprecated" || api.lifecycle === "retired";
  let undeclaredForced = false;
  for (const op of ops) {
    const authFlow = op.kind === "login" || op.kind === "token" || op.kind === "signup" || op.kind === "passwordReset" || op.kind === "refresh";
    const isPublic = authFlow || op.kind === "health" || (api.base.publicReads === true && (op.kind === "list" || op.kind === "get" || op.kind === "search") && op.resource === api.base.resources[0] && !op.parent);
    if (api.globalSecurity) {
      op.security = isPublic ? "empty" : rng.chance(0.05) ? "explicit" : "absent";
    } else if (isPublic) {
      op.security = rng.chance(0.5) ? "empty" : "absent";
    } else if (!undeclaredForced) {
      op.security = "absent";
      undeclaredForced = true;
    } else {
      op.security = rng.chance(0.5) ? "explicit" : "absent";
    }
    op.deprecated = deprecatedApi ? rng.chance(0.5) : rng.chance(0.04);
    op.summary = rng.chance(0.85);
    op.description = rng.chance(0.2);
    op.operationId = rng.chance(0.9);
    op.successSchema = op.kind === "delete" || op.kind === "logout" || op.kind === "passwordReset" ? false : rng.chance(0.92);
    op.example = op.successSchema && rng.chance(0.3);
  }
  return ops;
}

function endpointAuth(api: ApiPlan, op: OperationPlan): DemoEndpointAuth {
  if (op.security === "explicit") return "required";
  if (op.security === "empty") return "public";
  return api.globalSecurity ? "required" : "undeclared";
}

function describeApi(api: ApiPlan): DemoApi {
  const catalogued = api.inBackstage || api.inCsv;
  const owned = !api.ownerless && (api.inBackstage || api.inCsv || api.xOwner || api.kong?.ownerTag === true);
  const sources: DemoInventorySource[] = [];
  if (api.role === "spec") sources.push("openapi");
  if (api.inBackstage) sources.push("backstage");
  if (api.inCsv) sources.push("csv");
  if (api.kong) sources.push("kong");
  return {
    slug: api.slug,
    name: api.name,
    ...(owned ? { team: api.team.slug } : {}),
    baseUrl: baseUrlOf(api),
    lifecycle: catalogued ? api.lifecycle : "unknown",
    exposure: catalogued ? api.exposure : "unknown",
    endpoints: api.operations.map((op) => ({
      method: op.method,
      path: op.path,
      deprecated: op.deprecated,
      auth: endpointAuth(api, op),
      authentication: op.tag === "auth" && op.kind !== "logout",
    })),
    sources,
    ...(api.role === "spec" ? { specFile: specFileName(api) } : {}),
    ...(api.contact ? { contact: api.contact.email } : {}),
    authSchemes: api.schemes.map(schemeLabel),
    ...(api.kong ? { gateway: { authPlugin: api.kong.authPlugin, rateLimited: api.kong.rateLimit !== null } } : {}),
    undocumentedEndpoints: api.undocumented.map((e) => ({ ...e })),
    actualTeam: api.team.slug,
    ...(api.inBackstage ? { repository: api.repository } : {}),
  };
}

function schemeLabel(kind: SchemeKind): string {
  return kind === "apiKeyHeader" ? "apiKey:header" : kind === "apiKeyQuery" ? "apiKey:query" : kind;
}

function baseUrlOf(api: ApiPlan): string {
  return `${api.scheme}://${api.host}${api.basePath}`;
}

function specFileName(api: ApiPlan): string {
  return `specs/${api.slug}.openapi.${api.format}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering: OpenAPI

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SCHEME_NAMES: Record<SchemeKind, string> = {
  bearer: "bearerAuth",
  oauth2: "oauth2",
  openIdConnect: "openId",
  apiKeyHeader: "apiKeyAuth",
  apiKeyQuery: "apiKeyQuery",
  basic: "basicAuth",
};

function securitySchemeObject(kind: SchemeKind, api: ApiPlan): Json {
  const scopes: { [k: string]: Json } = {};
  for (const r of api.base.resources) {
    scopes[`${r}:read`] = `Read ${r}`;
    scopes[`${r}:write`] = `Create and change ${r}`;
  }
  switch (kind) {
    case "bearer":
      return { type: "http", scheme: "bearer", bearerFormat: "JWT" };
    case "basic":
      return { type: "http", scheme: "basic" };
    case "apiKeyHeader":
      return { type: "apiKey", in: "header", name: "X-API-Key" };
    case "apiKeyQuery":
      return { type: "apiKey", in: "query", name: "api_key" };
    case "openIdConnect":
      return { type: "openIdConnect", openIdConnectUrl: `https://auth.${DEMO_DOMAIN}/.well-known/openid-configuration` };
    case "oauth2":
      return {
        type: "oauth2",
        flows: {
          clientCredentials: { tokenUrl: `https://auth.${DEMO_DOMAIN}/oauth/token`, scopes },
          authorizationCode: {
            authorizationUrl: `https://auth.${DEMO_DOMAIN}/oauth/authorize`,
            tokenUrl: `https://auth.${DEMO_DOMAIN}/oauth/token`,
            scopes,
          },
        },
      };
  }
}

function requirement(kind: SchemeKind, scope: string): { [k: string]: Json } {
  return { [SCHEME_NAMES[kind]]: kind === "oauth2" || kind === "openIdConnect" ? [scope] : [] };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function titleCase(text: string): string {
  return text.split(/\s+/).map(capitalise).join(" ");
}

function schemaName(resource: string): string {
  return capitalise(RESOURCES[resource]?.singular ?? resource);
}

function fieldSchema(name: string, v31: boolean, nullable: boolean): { [k: string]: Json } {
  const def = FIELDS[name] ?? S(name);
  const out: { [k: string]: Json } = {};
  out.type = nullable && v31 ? [def.type, "null"] : def.type;
  if (def.format) out.format = def.format;
  if (def.enum) out.enum = def.enum;
  if (def.items) out.items = { type: def.items };
  if (nullable && !v31) out.nullable = true;
  return out;
}

function objectSchema(fields: string[], v31: boolean, rng: Rng): { [k: string]: Json } {
  const properties: { [k: string]: Json } = {};
  for (const f of fields) properties[f] = fieldSchema(f, v31, f !== "id" && rng.chance(0.1));
  return { type: "object", required: [fields[0] ?? "id"], properties };
}

function exampleOf(fields: string[]): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const f of fields) out[f] = (FIELDS[f]?.example ?? "string") as Json;
  return out;
}

function renderOpenApi(api: ApiPlan): string {
  const rng = createRng(api.renderSeed);
  const v31 = api.openapi === "3.1.0";
  const schemas: { [k: string]: Json } = {};
  const schemaFields = (resource: string): string[] => ["id", ...(RESOURCES[resource]?.fields ?? [])];
  const refOrInline = (component: string, make: () => { [k: string]: Json }): Json => {
    if (!api.useRefs) return make();
    if (!(component in schemas)) schemas[component] = make();
    return { $ref: `#/components/schemas/${component}` };
  };
  const resourceSchema = (resource: string): Json => refOrInline(schemaName(resource), () => objectSchema(schemaFields(resource), v31, rng));
  const listSchema = (resource: string): Json =>
    refOrInline(`${schemaName(resource)}List`, () => ({
      type: "object",
      properties: { items: { type: "array", items: resourceSchema(resource) }, nextCursor: fieldSchema("code", v31, true) },
    }));
  const tokenSchema = (): Json => refOrInline("TokenResponse", () => objectSchema(["accessToken", "refreshToken", "tokenType", "expiresIn"], v31, rng));
  const credentialsSchema = (): Json => refOrInline("LoginRequest", () => ({ type: "object", required: ["email", "password"], properties: { email: fieldSchema("email", v31, false), password: fieldSchema("password", v31, false) } }));
  const errorSchema = (): Json => refOrInline("Error", () => ({ type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" } } }));

  const primary = api.schemes[0] ?? "bearer";
  const firstResource = api.base.resources[0] ?? "items";
  const globalSecurity: Json[] = api.schemes.map((k) => requirement(k, `${firstResource}:read`));

  const paths: { [path: string]: { [method: string]: Json } } = {};
  let usesPaging = false;
  // Style choices of the spec's authors: path parameters on the path item, shared responses in components.
  const pathParamsOnItem = rng.chance(0.6);
  const responseComponents: { [name: string]: Json } = {};
  const sharedResponse = (name: keyof typeof SHARED_RESPONSES): Json => {
    const response = { description: SHARED_RESPONSES[name] };
    if (!api.useRefs) return response;
    responseComponents[name] = response;
    return { $ref: `#/components/responses/${name}` };
  };
  for (const op of api.operations) {
    const def = op.resource ? RESOURCES[op.resource] : undefined;
    const singular = def?.singular ?? "item";
    const plural = op.resource ?? "items";
    const parentSingular = op.parent ? (RESOURCES[op.parent]?.singular ?? op.parent) : undefined;
    const of = parentSingular ? ` of a ${parentSingular}` : "";
    const operation: { [k: string]: Json } = { tags: [op.tag] };
    if (op.summary) operation.summary = summaryOf(op, singular, plural, of);
    if (op.description) operation.description = `${summaryOf(op, singular, plural, of)}.`;
    if (op.operationId) operation.operationId = operationIdOf(op, singular, plural, parentSingular);
    if (op.deprecated) operation.deprecated = true;

    const parameters: Json[] = [];
    const pathParameters: Json[] = [];
    for (const match of op.path.matchAll(/\{([^}]+)\}/g)) {
      pathParameters.push({ name: match[1] ?? "id", in: "path", required: true, schema: { type: "string", format: "uuid" } });
    }
    const pathItem = paths[op.path] ?? (paths[op.path] = {});
    if (pathParamsOnItem) {
      if (pathParameters.length > 0 && !("parameters" in pathItem)) pathItem.parameters = pathParameters;
    } else {
      parameters.push(...pathParameters);
    }
    if (op.kind === "list") {
      if (api.useRefs) {
        parameters.push({ $ref: "#/components/parameters/Limit" }, { $ref: "#/components/parameters/Cursor" });
        usesPaging = true;
      } else {
        parameters.push(LIMIT_PARAMETER(), CURSOR_PARAMETER());
      }
    }
    if (op.kind === "search") parameters.push({ name: "q", in: "query", required: true, schema: { type: "string" } });
    // People are looked up by phone number too (the demo's scraper walks it).
    if (op.kind === "search" && (op.resource === "customers" || op.resource === "employees")) {
      parameters.push({ name: "phone", in: "query", required: false, schema: { type: "string" } });
    }
    if (parameters.length > 0) operation.parameters = parameters;

    if (op.kind === "create" || op.kind === "update") {
      operation.requestBody = { required: true, content: { "application/json": { schema: resourceSchema(plural) } } };
    } else if (op.kind === "login" || op.kind === "signup") {
      operation.requestBody = { required: true, content: { "application/json": { schema: credentialsSchema() } } };
    } else if (op.kind === "token") {
      operation.requestBody = {
        required: true,
        content: {
          "application/x-www-form-urlencoded": {
            schema: { type: "object", required: ["grant_type"], properties: { grant_type: { type: "string" }, client_id: { type: "string" }, client_secret: { type: "string" }, scope: { type: "string" } } },
          },
        },
      };
    }

    const responses: { [code: string]: Json } = {};
    const success = (code: string, description: string, schema: () => Json, example: () => Json) => {
      if (!op.successSchema) {
        responses[code] = { description };
        return;
      }
      const media: { [k: string]: Json } = { schema: schema() };
      if (op.example) media.example = example();
      responses[code] = { description, content: { "application/json": media } };
    };
    const fields = op.resource ? schemaFields(op.resource) : ["id"];
    switch (op.kind) {
      case "list":
      case "search":
        success("200", `A page of ${plural}`, () => listSchema(plural), () => ({ items: [exampleOf(fields)], nextCursor: null }));
        break;
      case "get":
        success("200", `The ${singular}`, () => resourceSchema(plural), () => exampleOf(fields));
        break;
      case "create":
        success("201", `The created ${singular}`, () => resourceSchema(plural), () => exampleOf(fields));
        break;
      case "update":
        success("200", `The updated ${singular}`, () => resourceSchema(plural), () => exampleOf(fields));
        break;
      case "delete":
      case "logout":
        responses["204"] = { description: op.kind === "delete" ? "Deleted" : "Signed out" };
        break;
      case "passwordReset":
        responses["202"] = { description: "Reset e-mail sent if the account exists" };
        break;
      case "login":
      case "token":
      case "refresh":
        success("200", "Tokens", tokenSchema, () => exampleOf(["accessToken", "refreshToken", "tokenType", "expiresIn"]));
        break;
      case "signup":
        success("201", "The new account", () => resourceSchema("users"), () => exampleOf(schemaFields("users")));
        break;
      case "health":
        success("200", "Service is healthy", () => ({ type: "object", properties: { status: { type: "string" } } }), () => ({ status: "ok" }));
        break;
    }
    if (op.kind === "create" || op.kind === "update" || op.kind === "login" || op.kind === "signup") responses["400"] = sharedResponse("BadRequest");
    if (op.security !== "empty" && (api.globalSecurity || op.security === "explicit")) responses["401"] = sharedResponse("Unauthorized");
    if (op.kind === "login" || op.kind === "token") responses["401"] = { description: "Invalid credentials" };
    if (op.path.includes("{")) responses["404"] = sharedResponse("NotFound");
    if (rng.chance(0.3)) responses.default = { description: "Unexpected error", content: { "application/json": { schema: errorSchema() } } };
    operation.responses = responses;

    if (op.security === "empty") operation.security = [];
    else if (op.security === "explicit") {
      const writeScope = `${op.parent ?? op.resource ?? firstResource}:${op.method === "GET" ? "read" : "write"}`;
      operation.security = [requirement(primary, writeScope)];
    }

    pathItem[op.method.toLowerCase()] = operation;
  }

  const info: { [k: string]: Json } = { title: api.name };
  if (v31 && rng.chance(0.5)) info.summary = `${api.name} of ${DEMO_COMPANY}`;
  if (api.description) {
    info.description =
      api.lifecycle === "deprecated" || api.lifecycle === "retired"
        ? `Deprecated: being replaced; do not build new integrations on the ${api.name}.`
        : `${api.base.stem} for ${DEMO_COMPANY} (${api.exposure} use).`;
  }
  info.version = api.version;
  if (api.contact) info.contact = { name: api.contact.name, email: api.contact.email };

  const servers: Json[] = [];
  if (api.templatedServer) {
    servers.push({
      url: `${api.scheme}://${api.host}/{version}`,
      description: "Production",
      variables: { version: { default: api.basePath.replace(/^\//, ""), enum: [api.basePath.replace(/^\//, "")] } },
    });
  } else {
    servers.push({ url: baseUrlOf(api), description: "Production" });
  }
  if (api.sandbox) {
    const sandboxPath = api.basePath.startsWith(`/${api.label}/`) ? api.basePath.slice(api.label.length + 1) : api.basePath;
    servers.push({ url: `https://${api.label}.sandbox.${DEMO_DOMAIN}${sandboxPath}`, description: "Sandbox" });
  }

  const securitySchemes: { [k: string]: Json } = {};
  for (const kind of api.schemes) securitySchemes[SCHEME_NAMES[kind]] = securitySchemeObject(kind, api);

  const tags: Json[] = [...new Set(api.operations.map((o) => o.tag))].map((name) => ({ name, description: `Operations on ${name}` }));
  const doc: { [k: string]: Json } = { openapi: api.openapi, info };
  if (api.xOwner) doc["x-owner"] = api.team.slug;
  doc.servers = servers;
  if (api.globalSecurity) doc.security = globalSecurity;
  doc.tags = tags;
  doc.paths = paths;
  const components: { [k: string]: Json } = { securitySchemes };
  if (usesPaging) components.parameters = { Limit: LIMIT_PARAMETER(), Cursor: CURSOR_PARAMETER() };
  if (Object.keys(responseComponents).length > 0) components.responses = responseComponents;
  if (Object.keys(schemas).length > 0) components.schemas = schemas;
  doc.components = components;

  if (api.format === "yaml") return toYaml(doc);
  // Exported specs are often minified; hand-maintained ones are pretty-printed.
  return api.minified ? JSON.stringify(doc) : `${JSON.stringify(doc, null, 2)}\n`;
}

const SHARED_RESPONSES = { BadRequest: "Invalid request", Unauthorized: "Unauthorized", NotFound: "Not found" } as const;
const LIMIT_PARAMETER = (): Json => ({ name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } });
const CURSOR_PARAMETER = (): Json => ({ name: "cursor", in: "query", required: false, schema: { type: "string" } });

function summaryOf(op: OperationPlan, singular: string, plural: string, of: string): string {
  switch (op.kind) {
    case "list":
      return `List ${plural}${of}`;
    case "get":
      return `Get a ${singular}${of}`;
    case "create":
      return `Create a ${singular}${of}`;
    case "update":
      return `Update a ${singular}`;
    case "delete":
      return `Delete a ${singular}${of}`;
    case "search":
      return `Search ${plural}`;
    case "login":
      return "Sign in with e-mail and password";
    case "token":
      return "Issue an access token (OAuth 2.0 token endpoint)";
    case "refresh":
      return "Refresh an access token";
    case "logout":
      return "Sign out";
    case "signup":
      return "Create an account";
    case "passwordReset":
      return "Request a password reset";
    case "health":
      return "Health check";
  }
}

function operationIdOf(op: OperationPlan, singular: string, plural: string, parentSingular: string | undefined): string {
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const prefix = parentSingular ? capitalise(camel(parentSingular)) : "";
  switch (op.kind) {
    case "list":
      return `list${prefix}${capitalise(camel(plural))}`;
    case "search":
      return `search${capitalise(camel(plural))}`;
    case "get":
    case "create":
    case "update":
    case "delete":
      return `${op.kind}${prefix}${capitalise(camel(singular))}`;
    default:
      return op.kind;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering: Backstage, CSV, Kong

function toYaml(value: unknown): string {
  // YAML 1.1 quoting rules keep values such as "2025-04-30", "yes" or "1.0" strings for every YAML reader.
  return stringify(value, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}

function renderBackstage(org: OrgPlan): string {
  const docs: string[] = [];
  for (const api of org.apis) {
    if (!api.inBackstage) continue;
    const entity = {
      apiVersion: "backstage.io/v1alpha1",
      kind: "API",
      metadata: {
        name: api.slug,
        title: api.name,
        description: `${api.base.stem} API of ${DEMO_COMPANY}`,
        tags: [api.team.slug, api.exposure],
        annotations: {
          "backstage.io/source-location": `url:${api.repository}`,
          "postern.io/exposure": api.exposure,
        },
        links: [{ url: `https://docs.${DEMO_DOMAIN}/apis/${api.slug}`, title: "Documentation" }],
      },
      spec: {
        type: "openapi",
        lifecycle: api.lifecycle,
        owner: `group:${api.team.slug}`,
        system: api.team.slug,
        definition: { $text: `${api.repository}/raw/main/${specFileName(api).replace(/^specs\//, "")}` },
      },
    };
    docs.push(toYaml(entity));
  }
  for (const component of org.components) {
    docs.push(
      toYaml({
        apiVersion: "backstage.io/v1alpha1",
        kind: "Component",
        metadata: {
          name: component.name,
          annotations: { "backstage.io/source-location": `url:${component.repository}` },
        },
        spec: {
          type: "service",
          lifecycle: component.lifecycle,
          owner: `group:${component.team}`,
          system: component.team,
          providesApis: component.apis,
        },
      }),
    );
  }
  return docs.map((d) => `---\n${d}`).join("");
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function renderCsv(org: OrgPlan): string {
  const lines = [DEMO_CSV_HEADER];
  for (const api of org.apis) {
    if (!api.inCsv) continue;
    const row = [
      api.csvNameStyle === "slug" ? api.slug : api.name,
      baseUrlOf(api),
      api.team.slug,
      api.lifecycle,
      api.exposure,
      api.role === "csvOnly" && api.index % 2 === 0 ? "" : api.repository,
    ];
    lines.push(row.map(csvCell).join(","));
  }
  return `${lines.join("\n")}\n`;
}

function renderKong(org: OrgPlan): string {
  const services: unknown[] = [];
  for (const api of org.apis) {
    const kong = api.kong;
    if (!kong) continue;
    const tags = [`api:${api.slug}`];
    if (kong.ownerTag) tags.push(`owner:${api.team.slug}`);
    const plugins: unknown[] = [];
    if (kong.authPlugin === "key-auth") {
      // Kong reads keys from the query string too unless told not to; only query-key Apis leave it on.
      const inQuery = api.schemes.includes("apiKeyQuery");
      plugins.push({ name: "key-auth", config: { key_names: inQuery ? ["api_key"] : ["X-API-Key"], key_in_query: inQuery, hide_credentials: true } });
    }
    if (kong.authPlugin === "jwt") plugins.push({ name: "jwt", config: { claims_to_verify: ["exp"] } });
    if (kong.authPlugin === "basic-auth") plugins.push({ name: "basic-auth", config: { hide_credentials: true } });
    if (kong.authPlugin === "openid-connect") {
      plugins.push({ name: "openid-connect", config: { issuer: `https://auth.${DEMO_DOMAIN}/.well-known/openid-configuration`, auth_methods: ["bearer"] } });
    }
    if (kong.rateLimit === "rate-limiting") plugins.push({ name: "rate-limiting", config: { minute: 600, policy: "local" } });
    if (kong.rateLimit === "rate-limiting-advanced") plugins.push({ name: "rate-limiting-advanced", config: { limit: [1000], window_size: [60], sync_rate: -1 } });
    const routePath = api.basePath || "/";
    const routes: unknown[] = [
      { name: `${api.slug}-route`, hosts: [api.host], paths: [routePath], protocols: ["https"], strip_path: false },
    ];
    if (kong.loginRoute) {
      const login = api.operations.find((o) => o.kind === "login" || o.kind === "token");
      if (login) {
        routes.push({
          name: `${api.slug}-${login.kind}`,
          hosts: [api.host],
          paths: [`${api.basePath}${login.path}`],
          methods: ["POST"],
          protocols: ["https"],
          strip_path: false,
          plugins: [{ name: "rate-limiting", config: { minute: 20, policy: "local" } }],
        });
      }
    }
    services.push({
      name: api.slug,
      protocol: "https",
      host: `${api.label}.${api.team.slug}.svc.${DEMO_DOMAIN}`,
      port: 443,
      tags,
      routes,
      ...(plugins.length > 0 ? { plugins } : {}),
    });
  }
  return toYaml({
    _format_version: "3.0",
    services,
    consumers: KONG_CONSUMERS.map((username) => ({ username, tags: ["demo"] })),
    plugins: [
      { name: "correlation-id", config: { header_name: "X-Request-ID", generator: "uuid" } },
      { name: "prometheus", config: { per_consumer: true } },
    ],
  });
}

function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
