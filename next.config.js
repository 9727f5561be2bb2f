// @ts-check
/** Security headers for every response; the per-request CSP (with a script nonce) is set in proxy.ts. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // PGlite ships WASM and data files that must be loaded from node_modules, not bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    // pdfkit reads its font metrics from files beside its own code.
    "pdfkit",
    "pglite-prisma-adapter",
    "@apidevtools/swagger-parser",
    "@stoplight/spectral-core",
    "@stoplight/spectral-rulesets",
    "@stoplight/spectral-owasp-ruleset",
    "@stoplight/spectral-parsers",
    "@stoplight/spectral-ref-resolver",
  ],
  typescript: { ignoreBuildErrors: false },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
