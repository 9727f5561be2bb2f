import { type NextRequest, NextResponse } from "next/server";

/**
 * Per-request Content-Security-Policy with a fresh script nonce (Next.js adds it to its own scripts).
 * Styles allow inline attributes because charts set style attributes; scripts never run inline without the nonce.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV !== "production";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// Not the ingest uploads: for a request the proxy runs on, Next.js buffers the body in memory and cuts it at
// proxyClientMaxBodySize (10 MB), which breaks uploads of large logs. Those routes answer JSON, where a CSP is moot.
export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico|api/ingest|api/v1/ingest|api/internal).*)" }],
};
