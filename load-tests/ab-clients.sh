#!/bin/sh
# A/B of the load-test CLIENTS: the driver of a baseline build (A) and this tree's driver (B), run alternately
# (A, B, A, B, ...) against ONE server dll, so the only difference is the client. Medians per side and the B/A
# ratio of receipts/s. Usage:
#   load-tests/ab-clients.sh BASELINE_REPO [RUNS] [SERVER_DLL]
#   e.g. load-tests/ab-clients.sh /work/baseline 3 /work/baseline/src/Calc.Server/bin/Release/net10.0/Calc.Server.dll
# Both drivers must be built (dotnet build -c Release load-tests/Calc.LoadTests). Scenarios: AB_SCENARIOS,
# default "batch|batch --client lean|stream|stream --client lean". Raw rows: $AB_OUT (default /tmp/ab-clients.jsonl).
set -eu
BASE=${1:?baseline repository}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SERVER=${3:-$HERE/src/Calc.Server/bin/Release/net10.0/Calc.Server.dll}
A=$BASE/load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll
B=$HERE/load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll
OUT=${AB_OUT:-/tmp/ab-clients.jsonl}
SCENARIOS=${AB_SCENARIOS:-"batch|batch --client lean|stream|stream --client lean"}
: > "$OUT"
echo "$SCENARIOS" | tr '|' '\n' | while read -r scenario; do
  run=1
  while [ "$run" -le "$RUNS" ]; do
    for side in A B; do
      eval "dll=\$$side"
      echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) | $side run $run: $scenario" >&2
      # shellcheck disable=SC2086
      dotnet "$dll" $scenario --server-dll "$SERVER" --json /tmp/ab-one.jsonl > /dev/null
      python3 -c 'import json,sys; [print(json.dumps(dict(json.loads(l), side=sys.argv[1], cmd=sys.argv[2]))) for l in open("/tmp/ab-one.jsonl")]' "$side" "$scenario" >> "$OUT"
      rm -f /tmp/ab-one.jsonl
    done
    run=$((run + 1))
  done
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for cmd in dict.fromkeys(r["cmd"] for r in rows):
    med = {}
    for side in "AB":
        rs = [r for r in rows if r["cmd"] == cmd and r["side"] == side]
        ips = sorted(r["ItemsPerSecond"] for r in rs)
        med[side] = statistics.median(ips)
        print(f"{cmd:24} {side}: median {med[side]:>12,.0f} receipts/s  runs {' / '.join(f'{x:,.0f}' for x in ips)}  "
              f"errors {sum(r['Errors'] for r in rs)}  client CPU s {statistics.median(r['ClientCpuSeconds'] for r in rs):.2f}  "
              f"client alloc B/call {statistics.median(r['ClientAllocBytesPerCall'] for r in rs):,.0f}  "
              f"wall s {statistics.median(r['Seconds'] for r in rs):.2f}  server CPU s {statistics.median(r['ServerCpuSeconds'] for r in rs):.2f}")
    print(f"{cmd:24} B/A receipts/s {med['B'] / med['A']:.2f}")
PY
