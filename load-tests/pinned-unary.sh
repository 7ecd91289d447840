#!/usr/bin/env bash
# Server CPU per unary call, the steady way: the server pinned to CPU 1 and h2load to CPU 0, the JIT optimizing
# fully from the first call (no tiering, no ReadyToRun code), so that a build's cost per call does not depend on how
# far tiered compilation got. Builds alternate round by round; medians are printed.
#
#   load-tests/pinned-unary.sh ROUNDS NAME=path/to/Calc.Server.dll [NAME=…]   (METHOD=GetQuote for GetQuote)
#
# Needs: h2load (nghttp2-client), taskset (util-linux), curl, ../shared/data (or DATA=dir) with the market data.
set -euo pipefail
rounds=${1:?usage: pinned-unary.sh ROUNDS NAME=DLL [NAME=DLL …]}; shift
method=${METHOD:-GetCbrRate}
root=$(cd "$(dirname "$0")/.." && pwd)
data=${DATA:-$root/../shared/data}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# the request bodies: GetCbrRate (USD, 2025-08-15) and GetQuote (BTC/USDT on binance, 2025-08-15)
python3 - "$work" <<'PY'
import sys, struct
def s(field, text): b = text.encode(); return bytes([field << 3 | 2, len(b)]) + b
def frame(msg): return b"\0" + struct.pack(">I", len(msg)) + msg
open(sys.argv[1] + "/GetCbrRate.bin", "wb").write(frame(s(1, "USD") + s(2, "2025-08-15")))
open(sys.argv[1] + "/GetQuote.bin", "wb").write(frame(s(1, "BTC") + s(2, "USDT") + s(3, "binance") + s(4, "2025-08-15")))
PY
port=17900
for r in $(seq "$rounds"); do
  for side in "$@"; do
    name=${side%%=*}; dll=${side#*=}; port=$((port + 2))
    DOTNET_TieredCompilation=0 DOTNET_ReadyToRun=0 Logging__LogLevel__Default=Warning taskset -c 1 dotnet "$dll" \
      --urls=http://127.0.0.1:$port --Http1Urls=http://127.0.0.1:$((port + 1)) --MarketData:ImportPath="$data" >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:$((port + 1))/health && break; sleep 0.2; done
    load=(taskset -c 0 h2load -c 8 -m 32 -t 1 -d "$work/$method.bin" -H content-type:application/grpc -H te:trailers
          "http://127.0.0.1:$port/calc.v1.QuoteService/$method")
    "${load[@]}" -n 50000 >/dev/null
    t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
    out=$("${load[@]}" -n 300000)
    t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
    kill $pid; wait $pid 2>/dev/null || true
    grep -q "300000 succeeded" <<<"$out" || { echo "$name: not every call succeeded"; grep "requests:" <<<"$out"; exit 1; }
    echo "$name $(awk -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", t * 10000 / 300000 }') $(grep -o '[0-9.]* req/s' <<<"$out" | cut -d' ' -f1)" | tee -a "$work/results"
  done
done
echo "median server CPU µs per $method call (calls/s), $rounds rounds:"
sort -k1,1 -k2,2n "$work/results" | awk '{ n[$1]++; c[$1, n[$1]] = $2; q[$1, n[$1]] = $3 }
  END { for (k in n) { m = int((n[k] + 1) / 2); printf "  %s: %s µs (%s calls/s)\n", k, c[k, m], q[k, m] } }'
