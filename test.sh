#!/usr/bin/env bash
# Runs Calc's whole test suite: proto lint, every xunit project (unit, real redis-server, real server
# process, independent gRPC clients), and prints one summary line.
# Needs: .NET 10 SDK, Node/npm (installs tests/interop's packages on first run). The external-client and
# Redis tests need Debian's redis-server, python3-grpcio and nghttp2-client (see .ci/run); without them
# those tests are skipped with a message locally and fail under CI=true.
set -euo pipefail
cd "$(dirname "$0")"

if [ -f tests/interop/package-lock.json ] && [ ! -d tests/interop/node_modules ]; then
  echo "== npm ci (tests/interop)"
  npm ci --prefix tests/interop --no-audit --no-fund
fi

BUF=tests/interop/node_modules/.bin/buf
if [ -x "$BUF" ]; then
  echo "== buf lint protos"
  (cd protos && "../$BUF" lint)
elif [ "${CI:-}" = "true" ]; then
  echo "buf is not installed (npm ci --prefix tests/interop)" >&2; exit 1
else
  echo "== buf lint skipped: buf not installed (run: npm ci --prefix tests/interop)"
fi

echo "== dotnet build"
dotnet build Calc.sln -c Release -nologo -v q

echo "== dotnet test"
log=$(mktemp)
set +e
dotnet test Calc.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/(Passed|Failed)!/ {
  for (i = 1; i <= NF; i++) {
    if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
  }
} END { gsub(",", "", p); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
