#!/usr/bin/env bash
# Runs the gRPC interop cases against tests/Calc.Interop.Server (started as its own process, h2c on
# 127.0.0.1) with two independent clients, Python grpcio and Node @grpc/grpc-js, and checks server
# reflection, a gRPC call and health with buf curl (gRPC protocol: the Connect protocol is not served).
#
# Needs: /usr/bin/python3 with grpc + grpc_tools (Debian python3-grpcio python3-grpc-tools), node + npm,
# `npm ci --prefix tests/interop` (grpc-js, proto-loader) and `npm ci --prefix protos` (buf).
# Usage: tests/interop/run-interop.sh      (exit 0 = every case passed)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BUF="$HERE/../../protos/buf"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

PORT="$(free_port)"
dotnet build "$REPO/tests/Calc.Interop.Server" -v quiet -nologo >/dev/null
dotnet run --no-build --project "$REPO/tests/Calc.Interop.Server" -- --port "$PORT" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.2
done

failures=0
run() { echo "== $*"; if ! "$@"; then failures=$((failures + 1)); fi; }
expect_output() {
  local expected="$1"; shift
  echo "== $* (expecting: $expected)"
  local out
  if ! out="$("$@" 2>&1)"; then echo "$out"; echo "FAIL buf: command failed"; failures=$((failures + 1)); return; fi
  if grep -qF -- "$expected" <<<"$out"; then echo "PASS buf"; else echo "$out"; echo "FAIL buf: output lacks '$expected'"; failures=$((failures + 1)); fi
}

run timeout 300 /usr/bin/python3 "$HERE/interop_client.py" --port "$PORT"
run timeout 300 node "$HERE/interop-client.js" --port "$PORT"

URL="http://127.0.0.1:$PORT"
expect_output "grpc.testing.TestService" timeout 60 "$BUF" curl --protocol grpc --http2-prior-knowledge --list-services "$URL"
expect_output "grpc.testing.TestService/UnaryCall" timeout 60 "$BUF" curl --protocol grpc --http2-prior-knowledge --reflect-protocol grpc-v1alpha --list-methods "$URL"
expect_output '"body": "AAAA"' timeout 60 "$BUF" curl --http2-prior-knowledge --protocol grpc -d '{"responseSize": 3}' "$URL/grpc.testing.TestService/UnaryCall"
expect_output '"status": "SERVING"' timeout 60 "$BUF" curl --protocol grpc --http2-prior-knowledge -d '{}' "$URL/grpc.health.v1.Health/Check"

if [ "$failures" -ne 0 ]; then echo "interop: $failures check(s) failed"; exit 1; fi
echo "interop: all checks passed"
