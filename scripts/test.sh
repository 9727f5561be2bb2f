#!/usr/bin/env bash
# The whole test suite: lint, typecheck, unit + integration (PGlite in memory, and PostgreSQL when reachable),
# then Playwright end-to-end tests in Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

echo "== lint"
npm run --silent lint
echo "== typecheck"
npm run --silent typecheck
echo "== unit and integration tests"
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export POSTERN_TEST_POSTGRES_URL="${POSTERN_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
  echo "   (PostgreSQL reachable: integration tests also run against $POSTERN_TEST_POSTGRES_URL)"
else
  echo "   (PostgreSQL not reachable on 127.0.0.1:5432: integration tests run on PGlite only)"
fi
# Vitest's output also goes to a log so that, on failure, the errors are repeated at the end where CI shows them.
vitest_log="$(mktemp)"
if ! npx vitest run 2>&1 | tee "$vitest_log"; then
  echo "== vitest failed; its errors again:"
  grep -a -E -A25 "Unhandled (Error|Rejection)|FAIL " "$vitest_log" | head -120 || true
  exit 1
fi
echo "== end-to-end tests"
if [ ! -x /usr/bin/chromium ]; then
  echo "   installing Debian chromium"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
fi
node scripts/e2e.mjs
