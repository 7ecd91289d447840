#!/usr/bin/env bash
# Runs Calc's whole test suite: proto lint, every xunit project (unit, real redis-server, real server
# process, independent gRPC clients), and prints one summary line.
# Needs: .NET 10 SDK, Node/npm (installs tests/interop's packages on first run). The external-client and
# Redis tests need Debian's redis-server, python3-grpcio and nghttp2-client (see .ci/run); without them
# those tests are skipped with a message locally and fail under CI=true.
set -euo pipefail
cd "$(dirname "$0")"

for dir in protos tests/interop deploy/validate; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "== npm ci ($dir)"
    npm ci --prefix "$dir" --no-audit --no-fund
  fi
done

echo "== buf lint protos"
protos/buf lint protos

echo "== deployment files (Kubernetes schemas, docker-compose, haproxy)"
deploy/validate/validate.sh

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
