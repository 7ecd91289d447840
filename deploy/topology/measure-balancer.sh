#!/usr/bin/env bash
# The balancer's cost per call, against calling one replica directly, on the running loopback topology
# (calc-topology.sh start). h2load sends the same prepared GetCbrRate call (a cached lookup: what is measured
# is the transport and the balancer, not the valuation) alternately
#   direct:   to replica 1's gRPC port,
#   balanced: to HAProxy, which spreads the calls over the 3 replicas,
# ROUNDS times each, and reports for every run the calls/s, the CPU seconds each process used (from
# /proc/PID/stat) and from them the CPU per call of the replicas and of HAProxy.
#   deploy/topology/measure-balancer.sh [ROUNDS=5] [CALLS=200000]
# With replicas 2 and 3 stopped (calc-topology.sh kill-replica 2; … 3), "balanced" goes through HAProxy to replica 1
# alone: the same replica both ways, so the difference is HAProxy's own cost, not the spreading over replicas.
# Needs h2load (apt-get install nghttp2-client) and python3 (writes the gRPC request frame).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${1:-5}"; calls="${2:-200000}"
base="${CALC_TOPOLOGY_BASE_PORT:-15000}"
state="${CALC_TOPOLOGY_DIR:-/tmp/calc-topology}"
[ -e "$state/running" ] || { echo "start the topology first: $here/calc-topology.sh start --data DIR" >&2; exit 1; }
command -v h2load >/dev/null || { echo "h2load is missing (apt-get install nghttp2-client)" >&2; exit 1; }

body="$state/getcbrrate.grpc"
# calc.v1.GetCbrRateRequest{currency:"USD", date:"2025-01-05"} in a gRPC frame (uncompressed, 5-byte prefix)
python3 - "$body" <<'EOF'
import struct, sys
def field(n, s): b = s.encode(); return bytes([n << 3 | 2, len(b)]) + b
m = field(1, "USD") + field(2, "2025-01-05")
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(m)) + m)
EOF

# CPU ticks of a process (0 for one that is not running: a replica stopped to put HAProxy in front of one replica only)
ticks() { if [ -e "/proc/$1/stat" ]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
hz=$(getconf CLK_TCK)
pids=("$(cat "$state/calc-1.pid")" "$(cat "$state/calc-2.pid")" "$(cat "$state/calc-3.pid")" "$(cat "$state/haproxy.pid")")

run() {
  local name="$1" port="$2"
  local before=() after=()
  for p in "${pids[@]}"; do before+=("$(ticks "$p")"); done
  local out; out=$(h2load -n "$calls" -c 8 -m 32 -t 1 -d "$body" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$port/calc.v1.QuoteService/GetCbrRate")
  for p in "${pids[@]}"; do after+=("$(ticks "$p")"); done
  local rps ok
  rps=$(echo "$out" | awk '/^finished in/ {print $4}')
  ok=$(echo "$out" | awk '/^requests:/ {print $8}')
  local cpu=() i
  for i in 0 1 2 3; do cpu+=("$(echo "${after[$i]} ${before[$i]} $hz" | awk '{printf "%.2f", ($1 - $2) / $3}')"); done
  echo "$name $rps $ok ${cpu[*]}" | awk -v calls="$calls" '{
    replicas = $4 + $5 + $6; printf "%-8s %10s calls/s  succeeded %s  CPU s: calc-1 %s calc-2 %s calc-3 %s haproxy %s  µs/call: replicas %.1f haproxy %.1f\n",
      $1, $2, $3, $4, $5, $6, $7, replicas * 1e6 / calls, $7 * 1e6 / calls }'
}

run warmup "$((base + 111))" >/dev/null
run warmup "$((base + 80))" >/dev/null
for r in $(seq 1 "$rounds"); do
  run direct "$((base + 111))"
  run balanced "$((base + 80))"
done
