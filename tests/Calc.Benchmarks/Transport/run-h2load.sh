#!/usr/bin/env bash
# Transport benchmark: unary throughput of a trivial method (grpc.testing.TestService/EmptyCall) through
# Calc's gRPC transport, as a ratio to a bare Kestrel endpoint doing the same gRPC framing by hand
# (/bare.Bench/EmptyCall, see tests/Calc.Interop.Server/BenchEndpoints.cs); bytes allocated per call; and
# p99 latency at 50 % of the measured peak. Both endpoints live in one server process (Release build),
# so routing, Kestrel and HTTP/2 costs are identical; runs alternate and medians are reported.
#
# Needs h2load (Debian nghttp2-client), curl and python3. Loopback only, bounded: RUNS x 2 x SECONDS.
# Usage: tests/Calc.Benchmarks/Transport/run-h2load.sh [RUNS=7] [SECONDS=5] [CLIENTS=8] [STREAMS=32]
set -euo pipefail

RUNS="${1:-7}"; SECONDS_PER_RUN="${2:-5}"; CLIENTS="${3:-8}"; STREAMS="${4:-32}"
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
WORK="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT="$(free_port)"; HTTP1_PORT="$(free_port)"

dotnet build -c Release "$REPO/tests/Calc.Interop.Server" -v quiet -nologo >/dev/null
dotnet "$REPO/tests/Calc.Interop.Server/bin/Release/net10.0/Calc.Interop.Server.dll" --port "$PORT" --http1-port "$HTTP1_PORT" --bench >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP1_PORT/bench/allocated" >/dev/null && break; sleep 0.2; done

printf '\x00\x00\x00\x00\x00' >"$WORK/empty.grpc"   # one empty grpc.testing.Empty message
TRANSPORT="http://127.0.0.1:$PORT/grpc.testing.TestService/EmptyCall"
BARE="http://127.0.0.1:$PORT/bare.Bench/EmptyCall"
load() { h2load -c "$CLIENTS" -m "$STREAMS" -d "$WORK/empty.grpc" -H 'content-type: application/grpc' -H 'te: trailers' "$@"; }
rps_of() { sed -n 's/^finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p'; }
allocated() { curl -sf "http://127.0.0.1:$HTTP1_PORT/bench/allocated"; }
# server CPU time (user+system) in microseconds: robust against other load on a shared machine
cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000000 / hz}' "/proc/$SERVER_PID/stat"; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

echo "warm-up..."
load -n 100000 "$TRANSPORT" >/dev/null; load -n 100000 "$BARE" >/dev/null

: >"$WORK/t.rps"; : >"$WORK/b.rps"; : >"$WORK/t.alloc"; : >"$WORK/b.alloc"; : >"$WORK/t.cpu"; : >"$WORK/b.cpu"
for i in $(seq 1 "$RUNS"); do
  for kind in t b; do
    url="$TRANSPORT"; [ "$kind" = b ] && url="$BARE"
    before="$(allocated)"; cpu_before="$(cpu_us)"
    out="$(load -D "$SECONDS_PER_RUN" "$url")"
    cpu_after="$(cpu_us)"; after="$(allocated)"
    rps="$(rps_of <<<"$out")"
    done_count="$(sed -n 's/^requests: [0-9]* total, [0-9]* started, \([0-9]*\) done.*/\1/p' <<<"$out")"
    failed="$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$out")"
    echo "$rps" >>"$WORK/$kind.rps"
    echo $(( (after - before) / done_count )) >>"$WORK/$kind.alloc"
    cpu_per_call="$(awk "BEGIN {printf \"%.2f\", ($cpu_after - $cpu_before) / $done_count}")"
    echo "$cpu_per_call" >>"$WORK/$kind.cpu"
    echo "run $i $([ "$kind" = t ] && echo transport || echo bare): $rps req/s, $(( (after - before) / done_count )) B/call, server CPU $cpu_per_call us/call, failed $failed"
  done
done

T_RPS="$(median <"$WORK/t.rps")"; B_RPS="$(median <"$WORK/b.rps")"
T_ALLOC="$(median <"$WORK/t.alloc")"; B_ALLOC="$(median <"$WORK/b.alloc")"
T_CPU="$(median <"$WORK/t.cpu")"; B_CPU="$(median <"$WORK/b.cpu")"

# p99 at 50 % of the transport's peak: the same open load on both endpoints, latencies from h2load's per-request log
HALF="$(awk "BEGIN {printf \"%d\", $T_RPS / 2}")"; PER_CLIENT=$(( HALF / CLIENTS ))
p99() { sort -n -k3 "$1" | awk '{v[NR]=$3} END {i=int(NR*0.99); if (i<1) i=1; printf "%.0f", v[i]}'; }
p50() { sort -n -k3 "$1" | awk '{v[NR]=$3} END {i=int(NR*0.50); if (i<1) i=1; printf "%.0f", v[i]}'; }
load -D "$SECONDS_PER_RUN" --rps "$PER_CLIENT" --log-file "$WORK/t.log" "$TRANSPORT" >/dev/null
load -D "$SECONDS_PER_RUN" --rps "$PER_CLIENT" --log-file "$WORK/b.log" "$BARE" >/dev/null

echo
echo "== Calc gRPC transport vs bare Kestrel framing (h2load -c $CLIENTS -m $STREAMS, $RUNS alternating runs of ${SECONDS_PER_RUN}s, medians)"
echo "throughput  transport $T_RPS req/s, bare $B_RPS req/s, ratio $(awk "BEGIN {printf \"%.3f\", $T_RPS / $B_RPS}")"
echo "server CPU  transport $T_CPU us/call, bare $B_CPU us/call, bare/transport $(awk "BEGIN {printf \"%.3f\", $B_CPU / $T_CPU}") (the throughput ratio a CPU-bound server would reach)"
echo "allocated   transport $T_ALLOC B/call, bare $B_ALLOC B/call, transport overhead $(awk "BEGIN {printf \"%.0f\", $T_ALLOC - $B_ALLOC}") B/call"
echo "latency at $HALF req/s (50 % of peak): transport p50 $(p50 "$WORK/t.log") us p99 $(p99 "$WORK/t.log") us; bare p50 $(p50 "$WORK/b.log") us p99 $(p99 "$WORK/b.log") us"
