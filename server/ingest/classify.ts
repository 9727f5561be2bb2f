/**
 * Data classification of schema field names (DESIGN.md §2 "data classes", §3 sensitive-data-exposure).
 *
 * A field name is normalised into lower-case word tokens (camelCase, snake_case, kebab-case, dots and spaces all
 * split the same way: `accessToken`, `access_token`, `access-token` → `access_token`) and matched against a small
 * vocabulary of whole-word patterns. Decisions worth knowing:
 *
 * - The *last* matching term wins (English compounds put the head noun last): `reset_password_email` is PII,
 *   `email_token` is a credential.
 * - Metadata about a value is not the value: a term followed by a word such as `verified`, `type`, `expires`,
 *   `count`, `url`, `at`, `updated`… is not classified (`email_verified`, `token_type`, `refresh_token_expires_in`,
 *   `password_changed_at`, `token_url`), nor is a boolean prefix (`is_`, `has_`: `hasPassword`).
 * - Tokens are whole words, so `tokenizer`, `tokenized` or `passwordless` are not credentials; usage counters of
 *   LLM APIs (`max_tokens`, `prompt_tokens`, `total_tokens`) are not credentials either.
 * - `username` / `login` / `user_id` are identifiers, not PII by themselves (they are chosen handles, and flagging
 *   every `username` would drown the signal); `display_name` and `nickname` likewise.
 * - A bare `name` is ambiguous (a pet, a product, a tag): it is PII only when its parent object is a person
 *   (user, owner, customer, person, profile, member, employee, contact, patient, applicant, cardholder…).
 *   The parent is the enclosing property name, else the component schema name, else the schema `title`.
 *   Likewise a bare `number` is financial only under a card parent (`card.number`).
 * - `health` on its own is not classified (it is usually a service health check); `health_record`,
 *   `health_condition`, `medical_*`, `diagnosis`, `prescription`, `blood_type`, `medication`, `allergies` are.
 * - `address` is PII except network/crypto addresses (`ip_address`, `mac_address`, `remote_address`,
 *   `wallet_address`…).
 */
import type { DataClass, ResponseField } from "./contract";

/** Splits a field name into lower-case word tokens. */
export function fieldTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

interface Rule {
  dataClass: DataClass;
  /** Matched against the tokens joined with "_"; must be bounded by (^|_) … (?=_|$). */
  pattern: RegExp;
  /** The match does not count when the token just before it is one of these. */
  notAfter?: ReadonlySet<string>;
}

const w = (body: string) => new RegExp(`(?:^|_)(?:${body})(?=_|$)`, "g");

const NETWORK_WORDS = new Set([
  "ip",
  "ipv4",
  "ipv6",
  "mac",
  "remote",
  "local",
  "server",
  "host",
  "wallet",
  "contract",
  "network",
  "bind",
  "listen",
  "web",
  "url",
  "peer",
  "client",
  "forwarded",
  "proxy",
  "ethernet",
  "bluetooth",
  "memory",
]);
const COUNT_WORDS = new Set([
  "max",
  "min",
  "total",
  "num",
  "number",
  "count",
  "prompt",
  "completion",
  "input",
  "output",
  "remaining",
  "used",
  "cached",
  "reasoning",
]);

const RULES: Rule[] = [
  // credentials
  { dataClass: "credentials", pattern: w("pass_?words?|passwd|pwd|passphrase|pass_?code") },
  { dataClass: "credentials", pattern: w("(?:client_?)?secrets?") },
  {
    dataClass: "credentials",
    pattern: w("(?:access|refresh|id|auth|bearer|session|api|csrf|xsrf|reset|verification|oauth)?_?tokens?"),
    notAfter: COUNT_WORDS,
  },
  { dataClass: "credentials", pattern: w("jwt|otp|pin|pin_?code|credentials?|private_?key|secret_?key|signing_?key") },
  { dataClass: "credentials", pattern: w("api_?keys?|access_?keys?|client_?key|auth_?key|encryption_?key") },
  // financial
  { dataClass: "financial", pattern: w("(?:credit_?|debit_?|payment_?)?card_?(?:number|num|no)|cc_?(?:number|num|no)|pan") },
  { dataClass: "financial", pattern: w("cvv2?|cvc2?|csc|card_?verification_?(?:code|value)|card_?security_?code") },
  { dataClass: "financial", pattern: w("iban|bic|swift_?(?:code|bic)?|sort_?code|bsb") },
  {
    dataClass: "financial",
    pattern: w("(?:bank_?)?account_?(?:number|num|no)|routing_?(?:number|num|no)|aba_?routing(?:_?(?:number|num|no))?"),
  },
  // health
  {
    dataClass: "health",
    pattern: w(
      "diagnos[ie]s|diagnosis_?codes?|medical(?:_?[a-z]+)?|health_?(?:records?|conditions?|data|insurance|history|plan|info)|prescriptions?|blood_?(?:type|group)|medications?|allerg(?:y|ies)|icd_?codes?",
    ),
  },
  // pii
  { dataClass: "pii", pattern: w("e_?mails?(?:_?address(?:es)?)?") },
  {
    dataClass: "pii",
    pattern: w("phone(?:_?(?:number|num|no))?|mobile(?:_?(?:number|num|no|phone))?|telephone|msisdn|(?:tel|cell|fax)_?(?:phone|number|num|no)"),
  },
  {
    dataClass: "pii",
    pattern: w("(?:first|last|full|given|family|middle|maiden|legal|fore|sur)_?names?|surname|(?:card_?|account_?)holder(?:_?name)?"),
  },
  {
    dataClass: "pii",
    pattern: w("(?:street|home|billing|shipping|postal|mailing|residential)?_?address(?:_?line_?[0-9]*)?|street|post_?code|postal_?code|zip(?:_?code)?"),
    notAfter: NETWORK_WORDS,
  },
  { dataClass: "pii", pattern: w("date_of_birth|birth_?date|birth_?day|dob|born_on") },
  {
    dataClass: "pii",
    pattern: w(
      "ssn|social_?security(?:_?(?:number|num|no))?|national_?(?:id|identifier|insurance)(?:_?(?:number|num|no))?|passport(?:_?(?:number|num|no|id))?|tax_?(?:id|number|identifier|code)|nino|driver_?s?_?licen[cs]e(?:_?(?:number|num|no))?|id_?card_?(?:number|num|no)",
    ),
  },
];

/** A word after the matched term that makes the field describe the value rather than hold it. */
const META_AFTER = new Set([
  "at",
  "on",
  "date",
  "time",
  "timestamp",
  "expiry",
  "expires",
  "expire",
  "expiration",
  "exp",
  "ttl",
  "in",
  "type",
  "types",
  "kind",
  "policy",
  "length",
  "count",
  "required",
  "enabled",
  "disabled",
  "changed",
  "updated",
  "created",
  "reset",
  "verified",
  "confirmed",
  "valid",
  "validated",
  "status",
  "strength",
  "format",
  "url",
  "uri",
  "endpoint",
  "name",
  "label",
  "hint",
  "rotation",
  "rotated",
  "version",
  "scheme",
  "location",
  "path",
  "ref",
  "hash",
  "hashed",
  "masked",
  "last4",
  "last",
  "mask",
  "prefix",
  "suffix",
  "fingerprint",
  "present",
  "set",
  "visible",
  "visibility",
  "allowed",
  "mode",
]);
const BOOLEAN_PREFIX = new Set(["is", "has", "can", "should", "allow", "allows", "needs", "requires", "use", "uses"]);

const PERSON_PARENTS = new Set([
  "user",
  "users",
  "owner",
  "owners",
  "customer",
  "customers",
  "person",
  "persons",
  "people",
  "profile",
  "profiles",
  "member",
  "members",
  "employee",
  "employees",
  "contact",
  "contacts",
  "patient",
  "patients",
  "applicant",
  "applicants",
  "cardholder",
  "holder",
  "author",
  "recipient",
  "sender",
  "beneficiary",
  "driver",
  "passenger",
  "student",
  "guardian",
  "buyer",
  "seller",
  "mechanic",
]);
const CARD_PARENTS = new Set(["card", "cards", "credit_card", "debit_card", "payment_card", "creditcard", "debitcard"]);

/** A parent name reads as a person when its last word (singular) is a person noun: `owner`, `CustomerProfile`, `users`. */
function isPersonParent(parent: string | undefined): boolean {
  if (!parent) return false;
  const tokens = fieldTokens(parent);
  const last = tokens[tokens.length - 1];
  return last !== undefined && PERSON_PARENTS.has(last);
}

function isCardParent(parent: string | undefined): boolean {
  if (!parent) return false;
  const tokens = fieldTokens(parent);
  const last = tokens[tokens.length - 1];
  return (last !== undefined && CARD_PARENTS.has(last)) || CARD_PARENTS.has(tokens.join("_"));
}

/**
 * The data class a field name holds, or undefined. `parent` is the enclosing object's name (property name, schema
 * name or title); it only matters for the ambiguous bare words `name` (person parents) and `number` (card parents).
 */
export function classifyField(name: string, parent?: string): DataClass | undefined {
  const tokens = fieldTokens(name);
  if (tokens.length === 0) return undefined;
  const joined = tokens.join("_");
  if (joined === "name" || joined === "names") return isPersonParent(parent) ? "pii" : undefined;
  if (joined === "number" && isCardParent(parent)) return "financial";
  if (tokens[0] !== undefined && BOOLEAN_PREFIX.has(tokens[0]) && tokens.length > 1) return undefined;

  let best: { dataClass: DataClass; end: number } | undefined;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(joined); m !== null; m = rule.pattern.exec(joined)) {
      if (m[0].length === 0 || m[0] === "_") {
        rule.pattern.lastIndex++;
        continue;
      }
      const start = m.index + (m[0].startsWith("_") ? 1 : 0);
      const end = m.index + m[0].length;
      if (rule.notAfter) {
        const before = joined.slice(0, start).split("_").filter(Boolean);
        const prev = before[before.length - 1];
        if (prev !== undefined && rule.notAfter.has(prev)) continue;
      }
      if (!best || end > best.end) best = { dataClass: rule.dataClass, end };
    }
  }
  if (!best) return undefined;
  const after = joined.slice(best.end).split("_").filter(Boolean);
  if (after.some((t) => META_AFTER.has(t))) return undefined;
  return best.dataClass;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema walking

type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface SchemaWalkOptions {
  /**
   * Resolves a `{ $ref }` node left in place (circular refs kept by the dereferencer, or a document that could not
   * be dereferenced). Returns undefined when the reference cannot be followed (external, missing).
   */
  resolveRef?: (node: JsonObject) => unknown;
  /** Names of schema objects (e.g. component schema name), used as the parent name at the root of a schema. */
  schemaName?: (schema: JsonObject) => string | undefined;
  /** Maximum nesting depth (default 20). */
  maxDepth?: number;
  /** Maximum schema nodes visited per walk, against combinatorial blow-up of shared sub-schemas (default 20,000). */
  maxNodes?: number;
}

export const MAX_SCHEMA_DEPTH = 20;
/** Property paths kept per schema walk for the response shape (versions compare them). */
export const MAX_SHAPE_PATHS = 500;
const DEFAULT_MAX_NODES = 20_000;
const COMBINATORS = ["allOf", "anyOf", "oneOf"] as const;

export interface SchemaWalkResult {
  fields: ResponseField[];
  /** Every property path met, classified or not (at most MAX_SHAPE_PATHS), in walk order. */
  paths: string[];
  /** The walk stopped somewhere because of the depth or node limit. */
  truncated: boolean;
}

/**
 * Classified fields of a (dereferenced) JSON schema: dotted paths, array items as `name[]` (a root array gives
 * `[].field`), map values (`additionalProperties`) as `name.*`. allOf/anyOf/oneOf members share their parent's path.
 * Cycles (object cycles or `$ref` cycles) are cut on the ancestor chain; depth and node count are bounded.
 */
export function classifySchema(schema: unknown, options: SchemaWalkOptions = {}): SchemaWalkResult {
  const maxDepth = options.maxDepth ?? MAX_SCHEMA_DEPTH;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const fields = new Map<string, ResponseField>();
  const paths = new Set<string>();
  const ancestors = new Set<object>();
  let visited = 0;
  let truncated = false;

  const resolve = (node: unknown): JsonObject | undefined => {
    let current = node;
    for (let hops = 0; hops < 32; hops++) {
      if (!isObject(current)) return undefined;
      if (typeof current.$ref !== "string") return current;
      if (!options.resolveRef) return undefined;
      current = options.resolveRef(current);
    }
    return undefined;
  };

  const add = (path: string, dataClass: DataClass) => {
    if (!fields.has(path)) fields.set(path, { path, dataClass });
  };

  const walk = (node: unknown, path: string, parentName: string | undefined, depth: number): void => {
    const schema = resolve(node);
    if (!schema) return;
    if (depth > maxDepth || visited >= maxNodes) {
      truncated = true;
      return;
    }
    if (ancestors.has(schema)) return;
    visited++;
    ancestors.add(schema);
    try {
      const ownName = options.schemaName?.(schema) ?? (typeof schema.title === "string" ? schema.title : undefined);
      // The name of a property beats the name of its schema as context ("owner": {$ref: Pet}... keeps "owner").
      const context = parentName ?? ownName;
      const properties = schema.properties;
      if (isObject(properties)) {
        for (const [key, child] of Object.entries(properties)) {
          const childPath = path === "" ? key : `${path}.${key}`;
          const dataClass = classifyField(key, context);
          if (dataClass) add(childPath, dataClass);
          if (paths.size < MAX_SHAPE_PATHS) paths.add(childPath);
          walk(child, childPath, key, depth + 1);
        }
      }
      const items = schema.items;
      const itemsPath = `${path}[]`;
      if (Array.isArray(items)) for (const item of items) walk(item, itemsPath, parentName, depth + 1);
      else if (items !== undefined) walk(items, itemsPath, parentName, depth + 1);
      if (Array.isArray(schema.prefixItems)) {
        for (const item of schema.prefixItems) walk(item, itemsPath, parentName, depth + 1);
      }
      if (isObject(schema.additionalProperties)) {
        walk(schema.additionalProperties, path === "" ? "*" : `${path}.*`, parentName, depth + 1);
      }
      for (const key of COMBINATORS) {
        const members = schema[key];
        if (Array.isArray(members)) for (const member of members) walk(member, path, context, depth + 1);
      }
    } finally {
      ancestors.delete(schema);
    }
  };

  walk(schema, "", undefined, 0);
  return { fields: [...fields.values()], paths: [...paths], truncated };
}

/** Whether a schema tree carries `example` / `examples` (not counting properties that happen to be named so). */
export function schemaHasExamples(schema: unknown, options: SchemaWalkOptions = {}): boolean {
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const seen = new Set<object>();
  const stack: { node: unknown; depth: number }[] = [{ node: schema, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    let node = top.node;
    for (let hops = 0; hops < 32 && isObject(node) && typeof node.$ref === "string"; hops++) {
      node = options.resolveRef?.(node);
    }
    if (!isObject(node) || seen.has(node) || top.depth > (options.maxDepth ?? MAX_SCHEMA_DEPTH)) continue;
    if (seen.size >= maxNodes) return false;
    seen.add(node);
    if (node.example !== undefined || node.examples !== undefined) return true;
    const next = (child: unknown) => stack.push({ node: child, depth: top.depth + 1 });
    if (isObject(node.properties)) Object.values(node.properties).forEach(next);
    if (Array.isArray(node.items)) node.items.forEach(next);
    else if (node.items !== undefined) next(node.items);
    if (Array.isArray(node.prefixItems)) node.prefixItems.forEach(next);
    if (isObject(node.additionalProperties)) next(node.additionalProperties);
    for (const key of COMBINATORS) {
      const members = node[key];
      if (Array.isArray(members)) members.forEach(next);
    }
  }
  return false;
}
