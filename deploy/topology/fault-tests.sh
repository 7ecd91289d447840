#!/usr/bin/env bash
# Fault drills on the loopback topology (calc-topology.sh): 3 replicas behind HAProxy on a 6-node Redis Cluster,
# market data fetched from a loopback upstream fake (the load tests' upstream-fake, serving the workspace's real
# closes and CBR rates) and shared through Redis. Heavy (a 1,000,000-receipt month-end run several times, ~5–15
# minutes on 2 cores); not run by CI on every push (see deploy/README.md).
#
#   deploy/topology/fault-tests.sh [--rows N] [--only kill,kill-early,term,redis,cold,overwrite] [--no-build] [--keep]
#
# Drills (each prints PASS/FAIL with its figures; the summary goes to $CALC_FAULT_DIR/results.md):
#   baseline   the run through HAProxy, values from the upstream via Redis, equals `calc --embedded` over the files
#   kill       a replica SIGKILLed mid-run: the run resumes, every receipt once, outputs identical to the baseline
#   kill-early the same before the replica answered anything (HAProxy resets the stream; nothing to retry there)
#   term       a replica SIGTERMed mid-run under unary load: it drains, the stream finishes, no call fails
#   redis      the Redis master of slot 0 handed over, then the new one SIGKILLed (automatic fail-over), under
#              GetQuote load on cold replicas: no failed or wrong answer, every replica's Redis tier connected again
#   cold       a replica started cold during a batch load (after the fail-over) is served from Redis: 0 upstream requests
#   overwrite  an overwrite import on replica 1 is seen by replicas 2 and 3 (Redis pub/sub), and its undo too
#
# Needs what calc-topology.sh needs (redis-server, haproxy, .NET 10 SDK) and python3. Exit code 0 when every drill passed.
# Ports: CALC_TOPOLOGY_BASE_PORT (default 16000 here, so a topology of your own on 15000 is left alone); the
# upstream fake on base+90. State: CALC_TOPOLOGY_DIR (default /tmp/calc-fault-topology), work files and results:
# CALC_FAULT_DIR (default /tmp/calc-fault-tests). Market data: CALC_SHARED_DATA (default ../shared/data beside the repo).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rows=1000000
only="kill,kill-early,term,redis,cold,overwrite"
build=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
  esac
done

export CALC_TOPOLOGY_BASE_PORT="${CALC_TOPOLOGY_BASE_PORT:-16000}"
export CALC_TOPOLOGY_DIR="${CALC_TOPOLOGY_DIR:-/tmp/calc-fault-topology}"
base="$CALC_TOPOLOGY_BASE_PORT"
state="$CALC_TOPOLOGY_DIR"
work="${CALC_FAULT_DIR:-/tmp/calc-fault-tests}"
data="$(cd "${CALC_SHARED_DATA:-$repo/../shared/data}" && pwd)"
topo="$here/calc-topology.sh"
calc_dll="$repo/src/Calc.Cli/bin/Release/net10.0/calc.dll"
load_dll="$repo/load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll"
lb="http://127.0.0.1:$((base + 80))"
fake_port=$((base + 90))
fake="http://127.0.0.1:$fake_port"
replica_grpc() { echo "http://127.0.0.1:$((base + 110 + $1))"; }
replica_http() { echo "http://127.0.0.1:$((base + 210 + $1))"; }

mkdir -p "$work"
results="$work/results.md"
failures=0
fake_pid=""

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

record() {
  # record NAME PASS|FAIL DETAILS
  local name="$1" verdict="$2" details="$3"
  [ "$verdict" = PASS ] || failures=$((failures + 1))
  printf '| %s | %s | %s |\n' "$name" "$verdict" "$details" >>"$results"
  log "$verdict $name: $details"
}

cleanup() {
  if [ "$keep" = 0 ]; then
    "$topo" stop >/dev/null 2>&1 || true
    if [ -n "$fake_pid" ]; then
      kill "$fake_pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$fake_pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$fake_pid" 2>/dev/null || true
    fi
  else
    log "kept running: topology in $state (stop: CALC_TOPOLOGY_BASE_PORT=$base CALC_TOPOLOGY_DIR=$state $topo stop), upstream fake pid $fake_pid"
  fi
}
trap cleanup EXIT

calc() { dotnet "$calc_dll" "$@"; }

fake_requests() { curl -sf "$fake/_fake/requests" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_calc NAME SERVER: a month-end run in the background; its pid in $work/NAME.pid
run_calc() {
  local name="$1" server="$2"
  rm -f "$work/$name-income.csv" "$work/$name-report.csv" "$work/$name-lines.csv" "$work/$name.code"
  ( set +e
    calc --server "$server" income recognize --in "$work/receipts.csv" --out "$work/$name-income.csv" \
      --report "$work/$name-report.csv" --report-detail "$work/$name-lines.csv" --quiet >"$work/$name.out" 2>"$work/$name.err"
    echo $? >"$work/$name.code" ) &
  echo $! >"$work/$name.pid"
}

wait_calc() {
  local name="$1"
  while kill -0 "$(cat "$work/$name.pid")" 2>/dev/null; do sleep 0.2; done
  cat "$work/$name.code"
}

# wait_progress NAME FRACTION: until NAME's output holds FRACTION of the baseline's bytes (or the run ended)
wait_progress() {
  local name="$1" fraction="$2" target
  target=$(awk -v s="$(stat -c %s "$work/base-income.csv")" -v f="$fraction" 'BEGIN {printf "%d", s * f}')
  while kill -0 "$(cat "$work/$name.pid")" 2>/dev/null; do
    [ "$(stat -c %s "$work/$name-income.csv" 2>/dev/null || echo 0)" -lt "$target" ] || return 0
    sleep 0.05
  done
  return 1
}

# the replica HAProxy has the month-end stream on
serving_replica() {
  local n=""
  for _ in $(seq 1 50); do
    n=$("$topo" sessions | awk '$3 > 0 {sub("calc-", "", $1); print $1; exit}')
    [ -z "$n" ] || { echo "$n"; return 0; }
    sleep 0.1
  done
  return 1
}

# same_as NAME OTHER: the three output files byte for byte
same_as() {
  local name="$1" other="$2" f
  for f in income report lines; do cmp -s "$work/$name-$f.csv" "$work/$other-$f.csv" || { echo "$name-$f.csv differs from $other-$f.csv"; return 1; }
  done
}

# once NAME: every receipt id of the input has exactly one row in NAME's output
once() {
  local name="$1" lines dups
  lines=$(($(wc -l <"$work/$name-income.csv") - 1))
  dups=$(awk -F, 'NR > 1 {print $1}' "$work/$name-income.csv" | sort | uniq -d | wc -l)
  [ "$lines" = "$rows" ] && [ "$dups" = 0 ] || { echo "$lines rows for $rows receipts, $dups ids twice"; return 1; }
}

started_at() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }

# ---------------------------------------------------------------------------------------------------------------
printf '# Fault drills %s UTC, %s receipts, load average %s\n\n| drill | result | figures |\n|---|---|---|\n' \
  "$(date -u '+%Y-%m-%d %H:%M')" "$rows" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$results"

if [ "$build" = 1 ]; then
  log "building (Release): Calc.Server, Calc.Cli, Calc.LoadTests"
  for p in src/Calc.Server src/Calc.Cli load-tests/Calc.LoadTests; do
    dotnet build "$repo/$p" -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  done
fi

log "writing $rows receipts (2025-08, binance BTC/USDT and ETH/USDT, wallets and pools)"
python3 - "$work/receipts.csv" "$rows" <<'EOF'
import random, sys
random.seed(17)
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, 'w') as f:
    f.write('id,received_at,asset,amount,wallet_address,pool,tx_id\n')
    for i in range(rows):
        day = 1 + i % 31
        asset = 'ETH' if i % 3 == 0 else 'BTC'
        pool = ('ViaBTC', 'F2Pool', '')[i % 3]
        f.write(f"m{i:07d},2025-08-{day:02d}T{(i // 31) % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z,{asset},0.{random.randint(1, 99999):05d},bc1q{i % 500:05d},{pool},{i:016x}\n")
EOF

log "starting the upstream fake on $fake and the topology (ports from $base, no import: values come from upstream via Redis)"
"$topo" stop >/dev/null 2>&1 || true
! fake_requests >/dev/null 2>&1 || { echo "port $fake_port already answers (a fake left running?): stop it first" >&2; exit 1; }
dotnet "$load_dll" upstream-fake --data "$data" --port "$fake_port" >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 100); do fake_requests >/dev/null 2>&1 && break; sleep 0.2; done
kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake.log" >&2; exit 1; }
"$topo" start --upstream "$fake/" --no-build >"$work/topology.log"

# ---- baseline -------------------------------------------------------------------------------------------------
log "reference: calc --embedded over the files"
t=$(started_at)
set +e; calc --embedded --data "$data" income recognize --in "$work/receipts.csv" --out "$work/ref-income.csv" --report "$work/ref-report.csv" \
  --report-detail "$work/ref-lines.csv" --quiet >"$work/ref.out" 2>"$work/ref.err"; ref_code=$?; set -e
ref_s=$(since "$t")
log "baseline: the same run through HAProxy"
up0=$(fake_requests)
t=$(started_at)
run_calc base "$lb"; base_code=$(wait_calc base)
base_s=$(since "$t")
up1=$(fake_requests)
if [ "$base_code" = "$ref_code" ] && same_as base ref >"$work/base.diff" && once base >>"$work/base.diff"; then
  record baseline PASS "exit $base_code; outputs identical to the embedded run over the files (${ref_s} s); through HAProxy ${base_s} s; $((up1 - up0)) upstream requests to fill the caches"
else
  record baseline FAIL "exit $base_code (embedded $ref_code): $(cat "$work/base.diff")"
fi

# ---- kill -----------------------------------------------------------------------------------------------------
if [[ ",$only," == *,kill,* ]]; then
  log "kill: SIGKILL the replica serving a run at 30 %"
  t=$(started_at)
  run_calc kill "$lb"
  if wait_progress kill 0.3 && n=$(serving_replica); then
    at=$(($(stat -c %s "$work/kill-income.csv") * 100 / $(stat -c %s "$work/base-income.csv")))
    "$topo" kill-replica "$n" KILL
    code=$(wait_calc kill)
    resumes=$(grep -c "resuming from chunk" "$work/kill.err" || true)
    if [ "$code" = "$base_code" ] && [ "$resumes" -ge 1 ] && same_as kill base >"$work/kill.diff" && once kill >>"$work/kill.diff"; then
      record kill PASS "calc-$n killed at ${at} % of the output; resumed $resumes time(s) ($(grep -o 'resuming from chunk [0-9]*' "$work/kill.err" | head -1)); run $(since "$t") s (baseline ${base_s} s); every receipt once; 3 outputs identical to the baseline"
    else
      record kill FAIL "exit $code, resumes $resumes: $(cat "$work/kill.diff" 2>/dev/null) $(tail -n 3 "$work/kill.err")"
    fi
    "$topo" start-replica "$n"
  else
    record kill FAIL "the run ended before 30 % or no replica had it in flight"
  fi
fi

# ---- kill-early -----------------------------------------------------------------------------------------------
if [[ ",$only," == *,kill-early,* ]]; then
  log "kill-early: SIGKILL the replica serving a run as soon as HAProxy has the stream on it (before its first result)"
  t=$(started_at)
  run_calc early "$lb"
  if n=$(serving_replica); then
    at=$(stat -c %s "$work/early-income.csv" 2>/dev/null || echo 0)
    "$topo" kill-replica "$n" KILL
    code=$(wait_calc early)
    resumes=$(grep -c "resuming from chunk" "$work/early.err" || true)
    if [ "$code" = "$base_code" ] && [ "$resumes" -ge 1 ] && same_as early base >"$work/early.diff" && once early >>"$work/early.diff"; then
      record kill-early PASS "calc-$n killed with ${at} bytes of output written; $(grep -o 'broke ([A-Z_]*: [^)]*)' "$work/early.err" | head -1 | cut -c1-80); $(grep -o 'resuming from chunk [0-9]*' "$work/early.err" | head -1); run $(since "$t") s; every receipt once; 3 outputs identical to the baseline"
    else
      record kill-early FAIL "exit $code, resumes $resumes: $(cat "$work/early.diff" 2>/dev/null) $(tail -n 3 "$work/early.err")"
    fi
    "$topo" start-replica "$n"
  else
    record kill-early FAIL "no replica had the run in flight"
  fi
fi

# ---- term -----------------------------------------------------------------------------------------------------
if [[ ",$only," == *,term,* ]]; then
  log "term: SIGTERM the replica serving a run at 30 %, under unary load through HAProxy"
  rm -f "$work/term-unary.jsonl"
  run_calc term "$lb"
  # the stream's replica, while it is the only call in flight
  if wait_progress term 0.02 && n=$(serving_replica); then
    ( set +e; dotnet "$load_dll" unary --target "$lb" --target-http "http://127.0.0.1:$((base + 81))" --duration 10 --data "$data" \
        --json "$work/term-unary.jsonl" >"$work/term-unary.log" 2>&1; echo $? >"$work/term-unary.code" ) &
    unary_pid=$!
  else
    n=""
    unary_pid=""
  fi
  if [ -n "$n" ] && wait_progress term 0.3; then
    pid=$(cat "$state/calc-$n.pid")
    t=$(started_at)
    "$topo" kill-replica "$n" TERM
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    drained=$(since "$t")
    code=$(wait_calc term)
    wait "$unary_pid" || true
    unary_errors=$(python3 -c 'import json,sys; print(sum(json.loads(l)["Errors"] for l in open(sys.argv[1])))' "$work/term-unary.jsonl")
    unary_calls=$(python3 -c 'import json,sys; print(sum(json.loads(l)["Calls"] for l in open(sys.argv[1])))' "$work/term-unary.jsonl")
    resumes=$(grep -c "resuming from chunk" "$work/term.err" || true)
    if [ "$code" = "$base_code" ] && [ "$unary_errors" = 0 ] && [ "$resumes" = 0 ] && same_as term base >"$work/term.diff" && once term >>"$work/term.diff"; then
      record term PASS "calc-$n exited ${drained} s after SIGTERM (drain 3 s + the stream's end); the run finished on it, not resumed; 3 outputs identical; unary load through HAProxy meanwhile: $unary_calls calls, 0 failed"
    else
      record term FAIL "exit $code, resumes $resumes, unary errors $unary_errors of $unary_calls: $(cat "$work/term.diff" 2>/dev/null)"
    fi
    "$topo" start-replica "$n"
  else
    record term FAIL "the run ended before 30 % or no replica had it in flight"
    [ -z "$unary_pid" ] || wait "$unary_pid" || true
  fi
fi

# ---- redis ----------------------------------------------------------------------------------------------------
if [[ ",$only," == *,redis,* ]]; then
  log "redis: restart every replica cold, GetQuote load over 3.5 years of days, fail over the slot-0 master"
  for n in 1 2 3; do "$topo" kill-replica "$n" KILL; sleep 0.5; "$topo" start-replica "$n"; done
  up0=$(fake_requests)
  ( set +e; dotnet "$load_dll" verify-quotes --target "$lb" --duration 45 --concurrency 8 --data "$data" >"$work/redis-verify.log" 2>&1
    echo $? >"$work/redis-verify.code" ) &
  verify_pid=$!
  sleep 8
  t=$(started_at)
  "$topo" fail-over-redis >"$work/redis-failover.log"
  failover_s=$(since "$t")
  sleep 10
  t=$(started_at)
  "$topo" fail-over-redis --kill >>"$work/redis-failover.log"
  killover_s=$(since "$t")
  wait "$verify_pid" || true
  up1=$(fake_requests)
  # every replica's Redis tier connected again (health: quote-cache Healthy), within 30 s
  recovered=""
  for n in 1 2 3; do
    t=$(started_at)
    until curl -sf "$(replica_http "$n")/health" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["checks"]["quote-cache"]["status"] == "Healthy" else 1)' 2>/dev/null; do
      [ "$(since "$t" | cut -d. -f1)" -lt 30 ] || break
      sleep 0.5
    done
    curl -sf "$(replica_http "$n")/health" | grep -q '"quote-cache":{"status":"Healthy"' && recovered="$recovered calc-$n"
  done
  state_ok=$(redis-cli -p $((base + 701)) cluster info | grep -c 'cluster_state:ok' || true)
  if [ "$(cat "$work/redis-verify.code")" = 0 ] && [ "$recovered" = " calc-1 calc-2 calc-3" ] && [ "$state_ok" = 1 ]; then
    record redis PASS "$(head -1 "$work/redis-verify.log"); a hand-over (CLUSTER FAILOVER) at 8 s took ${failover_s} s, then SIGKILL of the new master at ~18 s: promotion and rejoin ${killover_s} s ($(tr '\n' ';' <"$work/redis-failover.log")); $((up1 - up0)) upstream requests meanwhile; cluster_state ok; quote-cache Healthy on every replica"
  else
    record redis FAIL "$(head -3 "$work/redis-verify.log" | tr '\n' ' '); recovered:$recovered; cluster ok: $state_ok"
  fi
fi

# ---- cold -----------------------------------------------------------------------------------------------------
if [[ ",$only," == *,cold,* ]]; then
  log "cold: start replica 3 cold during a batch load through HAProxy; it must read 2025-08 from Redis"
  # the batch workload's two policies (binance, coinbase) over 2025-08 are in Redis before the replica goes
  dotnet "$load_dll" batch --target "$lb" --calls 4 --warmup 1 --data "$data" >"$work/cold-prewarm.log" 2>&1
  "$topo" kill-replica 3 KILL
  sleep 3 # HAProxy takes it out of the rotation (inter 1 s, fall 2)
  rm -f "$work/cold-batch.jsonl"
  ( set +e; dotnet "$load_dll" batch --target "$lb" --target-http "http://127.0.0.1:$((base + 81))" --calls 600 --warmup 1 --data "$data" \
      --json "$work/cold-batch.jsonl" >"$work/cold-batch.log" 2>&1; echo $? >"$work/cold-batch.code" ) &
  batch_pid=$!
  sleep 3
  up0=$(fake_requests)
  fetched0=$(grep -cE '"EventId":300[23],' "$state/calc-3.log" || true)
  stot0=$(curl -sf "http://127.0.0.1:$((base + 82))/;csv" | awk -F, '$1 == "calc_grpc" && $2 == "calc-3" {print $8}')
  t=$(started_at)
  "$topo" start-replica 3
  ready_s=$(since "$t")
  wait "$batch_pid" || true
  up1=$(fake_requests)
  fetched1=$(grep -cE '"EventId":300[23],' "$state/calc-3.log" || true)
  stot1=$(curl -sf "http://127.0.0.1:$((base + 82))/;csv" | awk -F, '$1 == "calc_grpc" && $2 == "calc-3" {print $8}')
  batch_errors=$(python3 -c 'import json,sys; print(sum(json.loads(l)["Errors"] for l in open(sys.argv[1])))' "$work/cold-batch.jsonl" 2>/dev/null || echo missing)
  served=$((stot1 - stot0))
  if [ "$up1" = "$up0" ] && [ "$fetched1" = "$fetched0" ] && [ "$served" -gt 0 ] && [ "$batch_errors" = 0 ]; then
    record cold PASS "calc-3 started cold in ${ready_s} s during the load, served $served of its RecognizeIncome calls (10,000 receipts each) with 0 upstream requests (fake: $up0 → $up1; calc-3 logged no upstream fetch); batch load 0 errors"
  else
    record cold FAIL "upstream $up0 → $up1, calc-3 fetches $fetched0 → $fetched1, calls served $served, batch errors $batch_errors"
  fi
fi

# ---- overwrite ------------------------------------------------------------------------------------------------
if [[ ",$only," == *,overwrite,* ]]; then
  log "overwrite: import a corrected close on replica 1; replicas 2 and 3 must answer it, then the undo"
  day=2025-08-15
  original=$(awk -F, -v d="$day" '$1 == "binance" && $2 == "BTC" && $3 == "USDT" && $4 == d {print $5}' "$data/closes.csv")
  changed=$(awk -v c="$original" 'BEGIN {printf "%.2f", c + 1000.01}')
  # GetQuote over JSON on the replica's HTTP/1.1 port (curl: polls every 50 ms without a process start each)
  close_on() { curl -sf "$(replica_http "$1")/v1/quotes/BTC/$day?venue=binance&quoteCurrency=USDT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["close"])'; }
  # wait_close N VALUE: seconds until replica N answers VALUE (at most 10 s)
  wait_close() {
    local t; t=$(started_at)
    until [ "$(python3 -c 'import sys; print(float(sys.argv[1]) == float(sys.argv[2]))' "$(close_on "$1")" "$2")" = True ]; do
      [ "$(since "$t" | cut -d. -f1)" -lt 10 ] || { echo never; return 1; }
      sleep 0.05
    done
    since "$t"
  }
  before2=$(close_on 2); before3=$(close_on 3) # both hold the original in memory now
  printf 'venue,base,quote,date,close\nbinance,BTC,USDT,%s,%s\n' "$day" "$changed" >"$work/overwrite.csv"
  printf 'venue,base,quote,date,close\nbinance,BTC,USDT,%s,%s\n' "$day" "$original" >"$work/undo.csv"
  calc --server "$(replica_grpc 1)" import closes --in "$work/overwrite.csv" --overwrite >"$work/overwrite.out" 2>&1
  seen2=$(wait_close 2 "$changed" || true); seen3=$(wait_close 3 "$changed" || true)
  calc --server "$(replica_grpc 1)" import closes --in "$work/undo.csv" --overwrite >>"$work/overwrite.out" 2>&1
  undo2=$(wait_close 2 "$original" || true); undo3=$(wait_close 3 "$original" || true)
  if [ "$seen2" != never ] && [ "$seen3" != never ] && [ "$undo2" != never ] && [ "$undo3" != never ] \
     && [ "$(python3 -c 'import sys; print(float(sys.argv[1]) == float(sys.argv[2]) == float(sys.argv[3]))' "$before2" "$before3" "$original")" = True ]; then
    record overwrite PASS "binance BTC/USDT $day: $original → $changed on calc-1; calc-2 answered it within ${seen2} s, calc-3 within ${seen3} s of the import command returning (curl polls, each ~0.1–0.2 s itself); the undo after ${undo2} / ${undo3} s"
  else
    record overwrite FAIL "before $before2/$before3 (file $original); changed seen $seen2/$seen3, undo $undo2/$undo3; $(tail -n 2 "$work/overwrite.out")"
  fi
fi

printf '\nload average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results"
cat "$results"
exit $((failures > 0))
