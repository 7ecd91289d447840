#!/usr/bin/env bash
# Redis operations and bytes per RecognizeIncome batch of 10,000 receipts (the load tests' batch workload: binance
# BTC/USDT + ETH/USDT over 2025-08, 62 (asset, day) price points and the CBR USD rates), on the running loopback
# topology started with --upstream (calc-topology.sh start --upstream URL: the replicas hold nothing of their own).
# One call straight to replica 1 in three states, Redis counters read from every node before and after
# (INFO commandstats: calls per command on the primaries; INFO stats: client bytes = total_net_* minus the
# replication part), with an idle window of the same length for the background (health checks, pub/sub pings):
#   cold    Redis flushed, replica 1 restarted: everything comes from the upstream and is written to Redis
#   redis   replica 1 restarted, Redis warm: everything comes from Redis
#   warm    the same call again on the same process: the in-process tier answers
#   deploy/topology/measure-redis.sh [DATA_DIR]
# Needs the topology's ports and state (CALC_TOPOLOGY_BASE_PORT, CALC_TOPOLOGY_DIR) and the Release build of
# load-tests/Calc.LoadTests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data="$(cd "${1:-$repo/../shared/data}" && pwd)"
base="${CALC_TOPOLOGY_BASE_PORT:-15000}"
state="${CALC_TOPOLOGY_DIR:-/tmp/calc-topology}"
topo="$here/calc-topology.sh"
load_dll="$repo/load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll"
[ -e "$state/running" ] && [ -f "$state/upstream" ] || { echo "start the topology with --upstream first" >&2; exit 1; }

ports() { for n in 1 2 3 4 5 6; do echo $((base + 700 + n)); done; }

# snapshot FILE: "port command calls" and "port bytes_in bytes_out" lines of every node
snapshot() {
  : >"$1"
  for p in $(ports); do
    redis-cli -p "$p" info commandstats | tr -d '\r' | awk -F'[:=,]' -v p="$p" '/^cmdstat_/ {sub("cmdstat_", "", $1); print p, $1, $3}' >>"$1"
    redis-cli -p "$p" info stats | tr -d '\r' | awk -F: -v p="$p" '
      $1 == "total_net_input_bytes" {i = $2} $1 == "total_net_output_bytes" {o = $2}
      $1 == "total_net_repl_input_bytes" {ri = $2} $1 == "total_net_repl_output_bytes" {ro = $2}
      END {print p, "_bytes", i - ri, o - ro}' >>"$1"
  done
}

# delta BEFORE AFTER LABEL: commands (calls summed over nodes, without the INFO calls of the snapshots) and client bytes
delta() {
  awk -v label="$3" '
    FNR == NR {if ($2 == "_bytes") {bi[$1] = $3; bo[$1] = $4} else c[$1 " " $2] = $3; next}
    $2 == "_bytes" {in_ += $3 - bi[$1]; out += $4 - bo[$1]; next}
    $2 != "info" {d = $3 - c[$1 " " $2]; if (d > 0) cmd[$2] += d}
    END {
      s = ""; total = 0
      for (k in cmd) {s = s sprintf("%s %d, ", k, cmd[k]); total += cmd[k]}
      printf "%-6s %5d commands (%s) client bytes in %d out %d\n", label, total, substr(s, 1, length(s) - 2), in_, out
    }' "$1" "$2"
}

call() { dotnet "$load_dll" batch --target "http://127.0.0.1:$((base + 111))" --calls 1 --warmup 0 --data "$data" --json "$state/redis-batch.jsonl" >/dev/null; }

measure() {
  local label="$1" t0 t1
  snapshot "$state/redis-a"; t0=$(date +%s.%N)
  call
  t1=$(date +%s.%N); snapshot "$state/redis-b"
  delta "$state/redis-a" "$state/redis-b" "$label"
  # the background over the same length of time
  snapshot "$state/redis-c"; sleep "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"; snapshot "$state/redis-d"
  delta "$state/redis-c" "$state/redis-d" "idle"
}

restart_replica_1() { "$topo" kill-replica 1 KILL; "$topo" start-replica 1; sleep 2; }

for p in $(ports); do
  if redis-cli -p "$p" role | head -1 | grep -q master; then redis-cli -p "$p" flushall >/dev/null; fi
done
restart_replica_1
measure cold
restart_replica_1
measure redis
measure warm
python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print("batch calls:", len(r), "errors:", sum(x["Errors"] for x in r), "receipts:", sum(x["Items"] for x in r))' "$state/redis-batch.jsonl"
rm -f "$state/redis-batch.jsonl"
