/**
 * Path matching (DESIGN.md §3): concrete request paths → the most specific endpoint template, base-path attribution
 * of a (host, path) to an Api, and template inference for traffic no inventory describes. Pure and allocation-light:
 * used for traffic events, scanner finding URLs and Postman request URLs alike.
 *
 * Normalisation (both templates and concrete paths): query string and fragment dropped, empty segments dropped
 * (so "//a//b/" ≡ "/a/b"), each segment percent-decoded *after* splitting (so "%2F" stays inside its segment).
 * Paths are case-sensitive; hosts are not.
 *
 * Specificity, compared segment by segment from the left: literal > mixed ("{name}.json") > whole `{param}` >
 * greedy `{param+}` (AWS proxy resources, matches one or more remaining segments). A concrete segment that is itself
 * a `{name}` template (AWS resourcePath / routeKey in logs) can only match a parameter; it yields no param value.
 * Path specificity decides first; among templates of the same shape, an exact method beats "ANY"/"*".
 */

export interface EndpointTemplate {
  id: string;
  method: string;
  path: string;
}

export interface PathMatch {
  id: string;
  params: Record<string, string>;
}

export interface PathMatcher {
  match(method: string, concretePath: string): PathMatch | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Segments

function stripQuery(path: string): string {
  let end = path.length;
  const q = path.indexOf("?");
  if (q !== -1) end = q;
  const h = path.indexOf("#");
  if (h !== -1 && h < end) end = h;
  return end === path.length ? path : path.slice(0, end);
}

function decode(segment: string): string {
  if (segment.indexOf("%") === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes stay literal
  }
}

/** Raw (still encoded) non-empty segments of a path, query/fragment removed. */
export function rawSegments(path: string): string[] {
  const p = stripQuery(path);
  const out: string[] = [];
  let start = 0;
  const n = p.length;
  while (start <= n) {
    let end = p.indexOf("/", start);
    if (end === -1) end = n;
    if (end > start) out.push(p.slice(start, end));
    start = end + 1;
  }
  return out;
}

/** Decoded non-empty segments. */
export function pathSegments(path: string): string[] {
  const segs = rawSegments(path);
  if (path.indexOf("%") !== -1) for (let i = 0; i < segs.length; i++) segs[i] = decode(segs[i] ?? "");
  return segs;
}

/** Normalised path: "/" + segments joined; "/" for the root. Segments stay percent-encoded. */
export function normalisePath(path: string): string {
  const segs = rawSegments(path);
  return segs.length === 0 ? "/" : `/${segs.join("/")}`;
}

function isParamSegment(s: string): boolean {
  return s.length > 2 && s.charCodeAt(0) === 123 && s.charCodeAt(s.length - 1) === 125 && s.indexOf("{", 1) === -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Matcher

interface Leaf {
  id: string;
  /** Param names in the order their segments appear. */
  names: string[];
}

interface Mixed {
  regex: RegExp;
  names: string[];
  child: TrieNode;
}

interface TrieNode {
  literal: Map<string, TrieNode> | null;
  mixed: Mixed[] | null;
  param: TrieNode | null;
  /** Greedy `{name+}` ends here: leaves keyed by method. */
  greedy: Map<string, Leaf> | null;
  /** Templates ending at this node, keyed by upper-case method ("*" for ANY). */
  leaves: Map<string, Leaf> | null;
}

function node(): TrieNode {
  return { literal: null, mixed: null, param: null, greedy: null, leaves: null };
}

const ANY = "*";

function methodKey(m: string): string {
  const u = m.toUpperCase();
  return u === "ANY" || u === "*" || u === "X-AMAZON-APIGATEWAY-ANY-METHOD" ? ANY : u;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** "{name}.{format}" → /^(.+?)\.(.+?)$/ with names, or null when the segment has no param. */
function compileMixed(seg: string): { regex: RegExp; names: string[] } | null {
  const names: string[] = [];
  let src = "";
  let i = 0;
  while (i < seg.length) {
    const open = seg.indexOf("{", i);
    if (open === -1) break;
    const close = seg.indexOf("}", open);
    if (close === -1) break;
    src += escapeRegex(decode(seg.slice(i, open)));
    names.push(seg.slice(open + 1, close));
    src += "(.+?)";
    i = close + 1;
  }
  if (names.length === 0) return null;
  src += escapeRegex(decode(seg.slice(i)));
  return { regex: new RegExp(`^${src}$`), names };
}

function isTemplateValue(s: string): boolean {
  return s.charCodeAt(0) === 123 && s.charCodeAt(s.length - 1) === 125;
}

/**
 * Builds a matcher over endpoint templates. The first template of a given (method, shape) wins; later duplicates
 * (e.g. "/a/{x}" after "/a/{y}" with the same method) are ignored.
 */
export function createMatcher(templates: readonly EndpointTemplate[]): PathMatcher {
  const root = node();
  for (const t of templates) {
    const segs = rawSegments(t.path);
    const names: string[] = [];
    let cur = root;
    let greedy = false;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] ?? "";
      if (isParamSegment(seg)) {
        const name = seg.slice(1, -1);
        if (name.endsWith("+") && i === segs.length - 1) {
          names.push(name.slice(0, -1));
          greedy = true;
          break;
        }
        names.push(name);
        cur.param ??= node();
        cur = cur.param;
        continue;
      }
      const mixed = seg.indexOf("{") !== -1 ? compileMixed(seg) : null;
      if (mixed !== null) {
        cur.mixed ??= [];
        let entry = cur.mixed.find((m) => m.regex.source === mixed.regex.source);
        if (entry === undefined) {
          entry = { ...mixed, child: node() };
          cur.mixed.push(entry);
        }
        names.push(...mixed.names);
        cur = entry.child;
        continue;
      }
      const lit = decode(seg);
      cur.literal ??= new Map();
      let next = cur.literal.get(lit);
      if (next === undefined) {
        next = node();
        cur.literal.set(lit, next);
      }
      cur = next;
    }
    const key = methodKey(t.method);
    const table = greedy ? (cur.greedy ??= new Map()) : (cur.leaves ??= new Map());
    if (!table.has(key)) table.set(key, { id: t.id, names });
  }

  // Mixed segments of one node: more literal characters first (more specific).
  const sortMixed = (n: TrieNode): void => {
    n.mixed?.sort((a, b) => b.regex.source.length - a.regex.source.length);
    n.literal?.forEach(sortMixed);
    n.mixed?.forEach((m) => sortMixed(m.child));
    if (n.param) sortMixed(n.param);
  };
  sortMixed(root);

  // Depth-first search, most specific branch first; `values` collects param values (null = template placeholder).
  const values: (string | null)[] = [];
  let found: Leaf | null = null;

  function pick(table: Map<string, Leaf> | null, method: string): Leaf | null {
    if (table === null) return null;
    return table.get(method) ?? table.get(ANY) ?? null;
  }

  function walk(n: TrieNode, segs: string[], i: number, method: string): boolean {
    if (i === segs.length) {
      const leaf = pick(n.leaves, method);
      if (leaf !== null) {
        found = leaf;
        return true;
      }
      return false;
    }
    const seg = segs[i] ?? "";
    const placeholder = isTemplateValue(seg);
    if (!placeholder && n.literal !== null) {
      const next = n.literal.get(seg);
      if (next !== undefined && walk(next, segs, i + 1, method)) return true;
    }
    if (!placeholder && n.mixed !== null) {
      for (const m of n.mixed) {
        const r = m.regex.exec(seg);
        if (r === null) continue;
        const mark = values.length;
        for (let k = 1; k < r.length; k++) values.push(r[k] ?? "");
        if (walk(m.child, segs, i + 1, method)) return true;
        values.length = mark;
      }
    }
    if (n.param !== null) {
      values.push(placeholder ? null : seg);
      if (walk(n.param, segs, i + 1, method)) return true;
      values.pop();
    }
    if (n.greedy !== null) {
      const leaf = pick(n.greedy, method);
      if (leaf !== null) {
        values.push(placeholder && i === segs.length - 1 ? null : segs.slice(i).join("/"));
        found = leaf;
        return true;
      }
    }
    return false;
  }

  return {
    match(method, concretePath) {
      const segs = pathSegments(concretePath);
      values.length = 0;
      found = null;
      if (!walk(root, segs, 0, methodKey(method))) return null;
      const leaf = found as Leaf | null;
      if (leaf === null) return null;
      const params: Record<string, string> = {};
      for (let k = 0; k < leaf.names.length; k++) {
        const v = values[k];
        const name = leaf.names[k];
        if (v !== null && v !== undefined && name !== undefined) params[name] = v;
      }
      return { id: leaf.id, params };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Template inference

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{16,}$/i;
const TOKEN = /^[A-Za-z0-9_\-+=.~]{20,}$/;
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[A-Za-z]{2,}$/;
const DIGIT = /\d/;
const LETTER = /[A-Za-z]/;

/** True when a (decoded) segment looks like an identifier rather than a word of the API's vocabulary. */
export function isIdentifierSegment(seg: string): boolean {
  if (seg.length === 0) return false;
  if (isTemplateValue(seg)) return true;
  let digits = true;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
  }
  if (digits) return true;
  if (UUID.test(seg) || HEX.test(seg) || EMAIL.test(seg)) return true;
  return TOKEN.test(seg) && DIGIT.test(seg) && LETTER.test(seg);
}

/**
 * Groups an unmatched concrete path under a template: identifier-like segments (numbers, UUIDs, hex ≥ 16, long
 * mixed letter+digit tokens ≥ 20, e-mail addresses, `{x}` placeholders) become `{id}`; words stay.
 * "/users/123/orders/9f0c…" → "/users/{id}/orders/{id}". Query strings are dropped.
 */
export function inferTemplate(concretePath: string): string {
  const segs = rawSegments(concretePath);
  if (segs.length === 0) return "/";
  let out = "";
  for (const raw of segs) out += isIdentifierSegment(decode(raw)) ? "/{id}" : `/${raw}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Base paths and Api attribution

/**
 * Normalises a base path: accepts a bare path, a path without leading slash, or a full URL (its path is taken).
 * Result starts with "/" and has no trailing slash; the root is "/".
 */
export function normaliseBasePath(basePath: string | undefined | null): string {
  if (basePath === undefined || basePath === null) return "/";
  let p = basePath.trim();
  const scheme = p.indexOf("://");
  if (scheme !== -1) {
    const slash = p.indexOf("/", scheme + 3);
    p = slash === -1 ? "/" : p.slice(slash);
  }
  return normalisePath(p);
}

/** Joins a base path and a relative path: joinPath("/api/v3/", "/pets") → "/api/v3/pets"; root-safe. */
export function joinPath(basePath: string, relativePath: string): string {
  const base = normaliseBasePath(basePath);
  const rel = normalisePath(relativePath);
  if (base === "/") return rel;
  return rel === "/" ? base : base + rel;
}

/** Lower-cased host without trailing dot, default ports (80/443) and userinfo. */
export function normaliseHost(host: string | undefined | null): string | undefined {
  if (host === undefined || host === null) return undefined;
  let h = host.trim().toLowerCase();
  const at = h.lastIndexOf("@");
  if (at !== -1) h = h.slice(at + 1);
  if (h.endsWith(":80")) h = h.slice(0, -3);
  else if (h.endsWith(":443")) h = h.slice(0, -4);
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h === "" ? undefined : h;
}

function hostWithoutPort(h: string): string {
  if (h.charCodeAt(0) === 91) {
    const end = h.indexOf("]");
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const c = h.indexOf(":");
  return c === -1 || h.indexOf(":", c + 1) !== -1 ? h : h.slice(0, c);
}

export interface ApiBase {
  id: string;
  /** Host (optionally with port); absent for Apis known only by base path. */
  host?: string | null;
  basePath: string;
}

export interface BaseMatch {
  apiId: string;
  /** The Api's normalised base path. */
  basePath: string;
  /** The rest of the path below the base path, starting with "/" (segments still encoded, query dropped). */
  relativePath: string;
}

export interface BaseMatcher {
  match(host: string | undefined | null, path: string): BaseMatch | null;
  /** match() for a host already through normaliseHost() (undefined: none), e.g. cached by the caller. */
  matchNormalised(host: string | undefined, path: string): BaseMatch | null;
}

type PrefixIndex = Map<string, string[]>; // normalised decoded base path → api ids

/**
 * Indexes Apis by host and base path. match(host, path):
 * 1. with a host: Apis of that host (exact host:port, then the host without port), longest base-path prefix on
 *    segment boundaries ("/api" never matches "/apiv2");
 * 2. otherwise (no host, or no Api of that host matches): Apis declared without a host, longest prefix;
 * 3. with no host at all: Apis of any host, longest prefix, only when exactly one Api has that base path
 *    (an ambiguous match returns null so that the caller can fall back, e.g. to the ingest `--api` option).
 */
export function createBaseMatcher(apis: readonly ApiBase[]): BaseMatcher {
  const byHost = new Map<string, PrefixIndex>();
  const hostless: PrefixIndex = new Map();
  const all: PrefixIndex = new Map();
  let maxDepth = 0;
  const add = (index: PrefixIndex, key: string, id: string) => {
    const list = index.get(key);
    if (list === undefined) index.set(key, [id]);
    else if (!list.includes(id)) list.push(id);
  };
  for (const api of apis) {
    const segs = pathSegments(normaliseBasePath(api.basePath));
    maxDepth = Math.max(maxDepth, segs.length);
    const key = segs.join("/");
    const host = normaliseHost(api.host);
    if (host === undefined) add(hostless, key, api.id);
    else {
      let index = byHost.get(host);
      if (index === undefined) byHost.set(host, (index = new Map()));
      add(index, key, api.id);
    }
    add(all, key, api.id);
  }

  function longest(index: PrefixIndex, decoded: string[], raw: string[], unique: boolean): BaseMatch | null {
    for (let depth = Math.min(maxDepth, decoded.length); depth >= 0; depth--) {
      const ids = index.get(depth === decoded.length ? decoded.join("/") : decoded.slice(0, depth).join("/"));
      if (ids === undefined) continue;
      if (unique && ids.length > 1) return null;
      const apiId = ids[0];
      if (apiId === undefined) continue;
      const rest = raw.slice(depth);
      return {
        apiId,
        basePath: depth === 0 ? "/" : `/${raw.slice(0, depth).join("/")}`,
        relativePath: rest.length === 0 ? "/" : `/${rest.join("/")}`,
      };
    }
    return null;
  }

  function matchNormalised(h: string | undefined, path: string): BaseMatch | null {
    const raw = rawSegments(path);
    const decoded = path.indexOf("%") === -1 ? raw : raw.map(decode);
    if (h !== undefined) {
      const exact = byHost.get(h);
      const r1 = exact === undefined ? null : longest(exact, decoded, raw, false);
      if (r1 !== null) return r1;
      const bare = hostWithoutPort(h);
      if (bare !== h) {
        const loose = byHost.get(bare);
        const r2 = loose === undefined ? null : longest(loose, decoded, raw, false);
        if (r2 !== null) return r2;
      }
      return longest(hostless, decoded, raw, false);
    }
    return longest(hostless, decoded, raw, false) ?? longest(all, decoded, raw, true);
  }

  return {
    match: (host, path) => matchNormalised(normaliseHost(host), path),
    matchNormalised,
  };
}

/** One-off form of createBaseMatcher(apis).match(host, path); build the matcher once for many lookups. */
export function matchBase(apis: readonly ApiBase[], host: string | undefined | null, path: string): BaseMatch | null {
  return createBaseMatcher(apis).match(host, path);
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

export interface UrlParts {
  scheme?: "http" | "https";
  host?: string;
  path: string;
  query?: string;
}

/**
 * Splits an absolute or relative URL as found in scanner reports and Postman collections: "https://h:8443/a?b",
 * "//h/a", "/a", "h.example.com/a", or "{{baseUrl}}/a" (a leading template variable is an unknown host).
 */
export function splitUrl(url: string): UrlParts {
  let rest = url.trim();
  const out: UrlParts = { path: "/" };
  const schemeEnd = rest.indexOf("://");
  if (schemeEnd !== -1 && /^[a-z][a-z0-9+.-]*$/i.test(rest.slice(0, schemeEnd))) {
    const scheme = rest.slice(0, schemeEnd).toLowerCase();
    if (scheme === "http" || scheme === "https") out.scheme = scheme;
    rest = rest.slice(schemeEnd + 1); // keep "//"
  }
  if (rest.startsWith("{{")) {
    const close = rest.indexOf("}}");
    rest = close === -1 ? "/" : rest.slice(close + 2);
  } else if (rest.startsWith("//")) {
    rest = rest.slice(2);
    let end = 0;
    while (end < rest.length && !"/?#".includes(rest.charAt(end))) end++;
    const host = normaliseHost(rest.slice(0, end));
    if (host !== undefined && !host.startsWith("{{")) out.host = host;
    rest = rest.slice(end);
  } else if (!rest.startsWith("/") && /^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(\/|$|\?)/i.test(rest)) {
    let end = 0;
    while (end < rest.length && !"/?#".includes(rest.charAt(end))) end++;
    const host = normaliseHost(rest.slice(0, end));
    if (host !== undefined) out.host = host;
    rest = rest.slice(end);
  }
  const q = rest.indexOf("?");
  const h = rest.indexOf("#");
  const pathEnd = q !== -1 ? q : h !== -1 ? h : rest.length;
  out.path = normalisePath(rest.slice(0, pathEnd));
  if (q !== -1) {
    const query = rest.slice(q + 1, h > q ? h : rest.length);
    if (query !== "") out.query = query;
  }
  return out;
}
