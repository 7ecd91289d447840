#!/usr/bin/env bash
# Calc beyond one machine, on loopback: a 6-node Redis Cluster (3 masters, 3 replicas), 3 Calc replicas
# sharing it, and HAProxy in front (gRPC h2c and JSON over HTTP/1.1). The same topology as
# deploy/compose/docker-compose.yml, without Docker. Everything listens on 127.0.0.1 only.
#
#   deploy/topology/calc-topology.sh start [--data DIR] [--upstream URL] [--no-build]   start everything, wait until ready
#   deploy/topology/calc-topology.sh status                              health of every part
#   deploy/topology/calc-topology.sh sessions                            streams and calls in flight per replica (HAProxy's view)
#   deploy/topology/calc-topology.sh kill-replica N [SIGNAL]             send SIGNAL (default KILL) to replica N
#   deploy/topology/calc-topology.sh start-replica N                     start replica N again (cold process)
#   deploy/topology/calc-topology.sh fail-over-redis [--kill]            fail over the master of slot 0 (--kill: SIGKILL it)
#   deploy/topology/calc-topology.sh stop                                stop everything, keep nothing
#
# --data DIR: every replica imports DIR's closes.csv / cbr-rates.csv at start. --upstream URL: no import; the
# replicas fetch missing closes (Binance, Coinbase) and CBR rates from URL (e.g. the load tests' upstream-fake,
# `dotnet load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll upstream-fake --port P`) and share them
# through Redis; the background sync is off, so every upstream request is one a lookup needed. Either way the
# replicas log each upstream fetch (event 3003 "Fetched … from …", category Calc.Application.MarketData).
# The environment of the shell is the replicas' (e.g. DOTNET_gcServer=0).
#
# Needs: .NET 10 SDK, redis-server/redis-cli 7 and haproxy 2.6 (Debian: apt-get install redis-server haproxy).
# Ports (override by environment): CALC_TOPOLOGY_BASE_PORT (default 15000):
#   base+80 gRPC at the balancer, base+81 JSON/HTTP/1.1 at the balancer, base+82 HAProxy stats,
#   base+111..113 the replicas' gRPC, base+211..213 their HTTP/1.1, base+701..706 Redis.
# State (pids, logs, Redis data): CALC_TOPOLOGY_DIR (default /tmp/calc-topology).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
base="${CALC_TOPOLOGY_BASE_PORT:-15000}"
state="${CALC_TOPOLOGY_DIR:-/tmp/calc-topology}"
server_dll="${CALC_SERVER_DLL:-$repo/src/Calc.Server/bin/Release/net10.0/Calc.Server.dll}"

lb_grpc=$((base + 80)); lb_http=$((base + 81)); lb_stats=$((base + 82))
grpc_port() { echo $((base + 110 + $1)); }
http_port() { echo $((base + 210 + $1)); }
redis_port() { echo $((base + 700 + $1)); }

die() { echo "calc-topology: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed (apt-get install $2)"; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.2 s
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${seconds} s (logs in $state)"
    sleep 0.2
  done
}

# alive PIDFILE: the process exists and is not a zombie
alive() {
  [ -f "$1" ] || return 1
  local pid; pid=$(cat "$1")
  [ -e "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

redis_seeds() {
  echo "127.0.0.1:$(redis_port 1),127.0.0.1:$(redis_port 2),127.0.0.1:$(redis_port 3)"
}

start_redis() {
  local ports=()
  for n in 1 2 3 4 5 6; do
    local port; port=$(redis_port "$n")
    mkdir -p "$state/redis-$n"
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$state/redis-$n" \
      --pidfile "$state/redis-$n.pid" --logfile "$state/redis-$n.log" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
      --appendonly no --save "" --maxmemory 256mb --maxmemory-policy allkeys-lru
    ports+=("127.0.0.1:$port")
  done
  for n in 1 2 3 4 5 6; do wait_for "redis-$n" 10 redis-cli -p "$(redis_port "$n")" ping; done
  redis-cli --cluster create "${ports[@]}" --cluster-replicas 1 --cluster-yes >"$state/redis-cluster-create.log"
  for n in 1 2 3 4 5 6; do
    wait_for "redis cluster (node $n)" 20 sh -c "redis-cli -p $(redis_port "$n") cluster info | grep -q cluster_state:ok"
  done
}

start_replica() {
  local n="$1"
  if alive "$state/calc-$n.pid"; then
    die "calc-$n is already running (pid $(cat "$state/calc-$n.pid"))"
  fi
  local data_args=()
  if [ -f "$state/data-dir" ]; then data_args=("--MarketData:ImportPath=$(cat "$state/data-dir")"); fi
  if [ -f "$state/upstream" ]; then
    local url; url=$(cat "$state/upstream")
    data_args+=("--MarketData:Sync:Enabled=false")
    for source in Binance Coinbase Cbr; do
      data_args+=("--MarketData:Upstreams:$source:Enabled=true" "--MarketData:Upstreams:$source:BaseUrl=$url")
    done
  fi
  # Logging: warnings and the call-completed events' level only, the replicas share two cores with the rest
  ASPNETCORE_ENVIRONMENT=Production \
  Shutdown__DrainDelaySeconds="${CALC_DRAIN_SECONDS:-3}" \
  Shutdown__GracePeriodSeconds="${CALC_GRACE_SECONDS:-30}" \
  Logging__LogLevel__Default="${CALC_LOG_LEVEL:-Warning}" \
  nohup dotnet "$server_dll" \
    "--urls=http://127.0.0.1:$(grpc_port "$n")" "--Http1Urls=http://127.0.0.1:$(http_port "$n")" \
    "--Redis:Configuration=$(redis_seeds),abortConnect=false,connectTimeout=2000,syncTimeout=1000,name=calc-$n" \
    "--Logging:LogLevel:Calc.Application.MarketData=Information" \
    "${data_args[@]}" >>"$state/calc-$n.log" 2>&1 &
  echo $! >"$state/calc-$n.pid"
  wait_for "calc-$n" 60 curl -sf "http://127.0.0.1:$(http_port "$n")/health"
}

start_balancer() {
  export CALC_LB_GRPC="127.0.0.1:$lb_grpc" CALC_LB_HTTP="127.0.0.1:$lb_http" CALC_LB_STATS="127.0.0.1:$lb_stats"
  for n in 1 2 3; do
    export "CALC_${n}_GRPC=127.0.0.1:$(grpc_port "$n")" "CALC_${n}_HTTP=127.0.0.1:$(http_port "$n")"
    export "CALC_${n}_HOST=127.0.0.1" "CALC_${n}_HEALTH_PORT=$(http_port "$n")"
  done
  haproxy -f "$repo/deploy/haproxy/haproxy.cfg" -D -p "$state/haproxy.pid" 2>>"$state/haproxy.log" \
    || die "haproxy did not start ($state/haproxy.log)"
  wait_for "balancer" 10 curl -sf "http://127.0.0.1:$lb_http/health"
}

cmd_start() {
  local build=1 data="" upstream=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --data) data="$(cd "$2" && pwd)"; shift 2 ;;
      --upstream) upstream="$2"; shift 2 ;;
      --no-build) build=0; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  need redis-server redis-server; need redis-cli redis-server; need haproxy haproxy; need curl curl; need dotnet "the .NET 10 SDK"
  [ ! -e "$state/running" ] || die "already running (state in $state); run: $0 stop"
  rm -rf "$state"; mkdir -p "$state"
  [ -z "$data" ] || echo "$data" >"$state/data-dir"
  [ -z "$upstream" ] || echo "$upstream" >"$state/upstream"
  if [ "$build" = 1 ]; then
    dotnet build "$repo/src/Calc.Server/Calc.Server.csproj" -c Release -nologo -v q >"$state/build.log" || die "build failed ($state/build.log)"
  fi
  [ -f "$server_dll" ] || die "$server_dll is missing (build it or drop --no-build)"
  touch "$state/running"
  start_redis
  for n in 1 2 3; do start_replica "$n"; done
  start_balancer
  cat <<EOF
Calc topology is up (state and logs in $state):
  gRPC (h2c) through HAProxy   127.0.0.1:$lb_grpc
  JSON / HTTP/1.1 through it   http://127.0.0.1:$lb_http   (/health)
  HAProxy stats                http://127.0.0.1:$lb_stats
  replicas (gRPC, HTTP/1.1)    $(for n in 1 2 3; do printf '127.0.0.1:%s+%s  ' "$(grpc_port "$n")" "$(http_port "$n")"; done)
  Redis Cluster seeds          $(redis_seeds)
Stop with: $0 stop
EOF
}

cmd_status() {
  [ -e "$state/running" ] || { echo "not running"; return 1; }
  for n in 1 2 3; do
    printf 'calc-%s  %s\n' "$n" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(http_port "$n")/health" || true)"
  done
  printf 'balancer %s\n' "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$lb_http/health" || true)"
  redis-cli -p "$(redis_port 1)" cluster info | grep -E 'cluster_state|cluster_known_nodes'
}

cmd_sessions() {
  # HAProxy's stats CSV: field 1 the backend, 2 the server, 5 its current sessions (calls in flight), 18 its status;
  # per replica: month-end streams in flight, other gRPC calls in flight, status
  curl -sf "http://127.0.0.1:$lb_stats/;csv" | awk -F, '
    $2 ~ /^calc-/ && $1 == "calc_grpc_stream" {streams[$2] = $5}
    $2 ~ /^calc-/ && $1 == "calc_grpc" {calls[$2] = $5; status[$2] = $18; order[++n] = $2}
    END {for (i = 1; i <= n; i++) print order[i], "streams", streams[order[i]] + 0, "calls", calls[order[i]] + 0, status[order[i]]}'
}

cmd_kill_replica() {
  local n="$1" sig="${2:-KILL}"
  kill -s "$sig" "$(cat "$state/calc-$n.pid")"
  # SIGKILL: gone when this returns (a large process takes a moment to tear down); other signals return at once
  if [ "$sig" = KILL ] || [ "$sig" = 9 ]; then
    local deadline=$((SECONDS + 20))
    while alive "$state/calc-$n.pid"; do
      [ $SECONDS -lt $deadline ] || die "calc-$n did not exit within 20 s of SIGKILL"
      sleep 0.1
    done
  fi
}

cmd_fail_over_redis() {
  # the replica of the master that holds slot 0 takes over: by CLUSTER FAILOVER on the replica (the master hands
  # over), or with --kill by SIGKILL of the master (the cluster promotes the replica after cluster-node-timeout,
  # 2 s here); the killed node is then started again and rejoins as a replica
  local mode="${1:-}" any master_id master_port replica_port
  for n in 1 2 3 4 5 6; do redis-cli -p "$(redis_port "$n")" ping >/dev/null 2>&1 && { any=$(redis_port "$n"); break; }; done
  master_id=$(redis-cli -p "$any" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ && $9 ~ /^0-/ {print $1}')
  master_port=$(redis-cli -p "$any" cluster nodes | awk -v m="$master_id" '$1 == m {split($2, a, "[:@]"); print a[2]}')
  replica_port=$(redis-cli -p "$any" cluster nodes | awk -v m="$master_id" '$4 == m && $3 !~ /fail/ {split($2, a, "[:@]"); print a[2]}')
  [ -n "$replica_port" ] || die "no replica of the slot-0 master found"
  if [ "$mode" = --kill ]; then
    local n=$((master_port - base - 700))
    kill -9 "$(cat "$state/redis-$n.pid")"
    wait_for "redis automatic failover" 30 sh -c "redis-cli -p $replica_port role | head -1 | grep -q master"
    echo "redis 127.0.0.1:$master_port killed; 127.0.0.1:$replica_port is now master of slot 0"
    redis-server --port "$master_port" --bind 127.0.0.1 --daemonize yes --dir "$state/redis-$n" \
      --pidfile "$state/redis-$n.pid" --logfile "$state/redis-$n.log" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
      --appendonly no --save "" --maxmemory 256mb --maxmemory-policy allkeys-lru
    wait_for "redis-$n rejoining as a replica" 30 sh -c "redis-cli -p $master_port role | head -1 | grep -q slave"
    echo "redis 127.0.0.1:$master_port restarted: a replica again"
  else
    [ -z "$mode" ] || die "fail-over-redis takes --kill or nothing"
    redis-cli -p "$replica_port" cluster failover >/dev/null
    wait_for "redis failover" 20 sh -c "redis-cli -p $replica_port role | head -1 | grep -q master"
    echo "redis 127.0.0.1:$replica_port is now master of slot 0 (127.0.0.1:$master_port handed over)"
  fi
}

cmd_stop() {
  for n in 1 2 3; do
    if [ -f "$state/calc-$n.pid" ]; then kill "$(cat "$state/calc-$n.pid")" 2>/dev/null || true; fi
  done
  if [ -f "$state/haproxy.pid" ]; then kill "$(cat "$state/haproxy.pid")" 2>/dev/null || true; fi
  for n in 1 2 3 4 5 6; do redis-cli -p "$(redis_port "$n")" shutdown nosave >/dev/null 2>&1 || true; done
  for n in 1 2 3; do
    if [ -f "$state/calc-$n.pid" ]; then
      local pid; pid=$(cat "$state/calc-$n.pid")
      for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$state/running"
  echo "stopped"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  status) cmd_status ;;
  sessions) cmd_sessions ;;
  kill-replica) cmd_kill_replica "${2:?replica number}" "${3:-KILL}" ;;
  start-replica) start_replica "${2:?replica number}" ;;
  fail-over-redis) cmd_fail_over_redis "${2:-}" ;;
  stop) cmd_stop ;;
  *) sed -n '2,29p' "$0"; exit 2 ;;
esac
