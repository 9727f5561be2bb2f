/**
 * Api identity (DESIGN.md §2): normalised host (lower case, no scheme, no default port) + base path, and a slug.
 */
import { slugify } from "@/server/domain/slug";

export interface BaseUrlParts {
  scheme: "http" | "https" | null;
  host: string | null;
  basePath: string;
  /** "host/base" or null for a relative base URL. */
  identity: string | null;
}

export function normaliseBasePath(path: string): string {
  const trimmed = path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (!trimmed || trimmed === "/") return "";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

export function parseBaseUrl(raw: string): BaseUrlParts {
  const text = raw.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : /^[\w.-]+\.[a-z]{2,}(:\d+)?(\/|$)/i.test(text) ? `https://${text}` : null;
  if (absolute) {
    try {
      const url = new URL(absolute);
      const scheme = url.protocol === "http:" ? "http" : url.protocol === "https:" ? "https" : null;
      const defaultPort = (scheme === "http" && url.port === "80") || (scheme === "https" && url.port === "443");
      const host = (url.port && !defaultPort ? `${url.hostname}:${url.port}` : url.hostname).toLowerCase();
      const basePath = normaliseBasePath(decodeURI(url.pathname));
      return { scheme: /^[a-z]+:\/\//i.test(text) ? scheme : null, host, basePath, identity: `${host}${basePath}` };
    } catch {
      // fall through to relative
    }
  }
  return { scheme: null, host: null, basePath: normaliseBasePath(text.split(/[?#]/)[0] ?? ""), identity: null };
}

/** The first label of a host is an alias of the Api ("payments.api.example.com" → "payments"). */
export function hostAlias(host: string | null): string | null {
  if (!host || /^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(host) || host.startsWith("[")) return null;
  const label = host.split(".")[0]?.split(":")[0] ?? "";
  const alias = slugify(label);
  return alias && alias !== "api" && alias !== "www" && alias !== "localhost" ? alias : null;
}

export function apiSlug(record: { catalogName?: string; name: string }): string {
  return slugify(record.catalogName ?? record.name) || "api";
}
