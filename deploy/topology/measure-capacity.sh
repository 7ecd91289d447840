#!/usr/bin/env bash
# Throughput of the running loopback topology (calc-topology.sh start --data DIR), for docs/capacity.md: the load
# tests' batch (RecognizeIncome, 10,000 receipts a call) and stream (StreamRecognizeIncome, 1,000,000 receipts)
# scenarios through HAProxy, with the CPU seconds of every replica and of HAProxy over the measured phase (from
# /proc/PID/stat), then batch calls straight to replica 1 at 2, 8 and 32 in flight for its peak memory.
#   deploy/topology/measure-capacity.sh [REPEAT=3] [DATA_DIR]
# Environment of the replicas (e.g. DOTNET_gcServer=0) is whatever the topology was started with.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
repeat="${1:-3}"
data="$(cd "${2:-$repo/../shared/data}" && pwd)"
base="${CALC_TOPOLOGY_BASE_PORT:-15000}"
state="${CALC_TOPOLOGY_DIR:-/tmp/calc-topology}"
load_dll="$repo/load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll"
[ -e "$state/running" ] || { echo "start the topology first: $here/calc-topology.sh start --data DIR" >&2; exit 1; }

pids="calc-1=$(cat "$state/calc-1.pid"),calc-2=$(cat "$state/calc-2.pid"),calc-3=$(cat "$state/calc-3.pid"),haproxy=$(cat "$state/haproxy.pid")"
lb="http://127.0.0.1:$((base + 80))"
lb_http="http://127.0.0.1:$((base + 81))"
gc=$(tr '\0' '\n' <"/proc/$(cat "$state/calc-1.pid")/environ" | grep '^DOTNET_gcServer=' || echo "DOTNET_gcServer unset (server GC)")
echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, replicas: $gc, load average $(cut -d' ' -f1-3 /proc/loadavg)"

run() { dotnet "$load_dll" "$@" --data "$data" | grep -E '^\| [0-9]'; }

# through the balancer: every replica's and HAProxy's CPU over the phase ("CPU s by process" in the notes)
run batch --target "$lb" --target-http "$lb_http" --target-pids "$pids" --repeat "$repeat"
run stream --target "$lb" --target-http "$lb_http" --target-pids "$pids" --repeat "$repeat"
# one replica directly: its CPU and peak RSS with 2, 8 and 32 batches of 10,000 in flight
for c in 2 8 32; do
  run batch --target "http://127.0.0.1:$((base + 111))" --target-http "http://127.0.0.1:$((base + 211))" \
    --target-pids "calc-1=$(cat "$state/calc-1.pid")" --concurrency "$c" --calls 200 --warmup 1
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
