#!/usr/bin/env bash
# The full measurement run behind the README table: every scenario (medians of 3 runs), the in-process
# ceiling, and the A/B comparisons. Takes ~15 minutes; run it on an otherwise idle machine
# (check `uptime`: load average < 1.5). Usage: load-tests/measure.sh [OUT_DIR] [BASELINE_SERVER_DLL]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/calc-measure}
baseline=${2:-}
mkdir -p "$out"
for p in src/Calc.Server load-tests/Calc.LoadTests tests/Calc.Benchmarks; do dotnet build -c Release "$p" -v q -nologo; done
L=load-tests/Calc.LoadTests/bin/Release/net10.0/Calc.LoadTests.dll
{ date -u; nproc; grep -m1 'model name' /proc/cpuinfo; uptime; } > "$out/machine.txt"
for s in unary unary-h2load batch stream connect cold; do
  dotnet $L $s --repeat 3 --json "$out/reports.jsonl" | tee "$out/$s.md"
  uptime >> "$out/machine.txt"
done
dotnet $L batch --client lean --repeat 3 --json "$out/reports.jsonl" | tee "$out/batch-lean.md"
dotnet $L stream --client lean --repeat 3 --json "$out/reports.jsonl" | tee "$out/stream-lean.md"
dotnet $L compare batch --runs 5 --a-env "DOTNET_gcServer=1" --b-env "DOTNET_gcServer=0" | tee "$out/compare-gc.md"
if [ -n "$baseline" ]; then
  dotnet $L compare batch --runs 5 --a-dll "$baseline" | tee "$out/compare-baseline-batch.md"
  dotnet $L compare batch --client lean --runs 5 --a-dll "$baseline" | tee "$out/compare-baseline-batch-lean.md"
  dotnet $L compare stream --runs 5 --a-dll "$baseline" | tee "$out/compare-baseline-stream.md"
  dotnet $L compare stream --client lean --runs 5 --a-dll "$baseline" | tee "$out/compare-baseline-stream-lean.md"
fi
dotnet tests/Calc.Benchmarks/bin/Release/net10.0/Calc.Benchmarks.dll --filter '*Api*' --artifacts "$out/bdn" | grep -E '^\|' | tee "$out/ceiling.md"
uptime >> "$out/machine.txt"
