#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a Kubernetes cluster:
# - deploy/k8s/*.yaml against the Kubernetes API schemas and interfaces (validate.mjs: kubernetes-models'
#   JSON-schema validators, then TypeScript's excess-property check, so a misspelt field fails too);
# - deploy/compose/docker-compose.yml with `docker-compose config` (Debian's docker-compose validates the
#   file against the Compose schema without an engine);
# - deploy/haproxy/haproxy.cfg with `haproxy -c`, with the loopback topology's addresses.
# Tools missing: skipped with a message, but a failure under CI=true (CI installs them: see .ci/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
deploy="$(cd "$here/.." && pwd)"
missing() {
  if [ "${CI:-}" = "true" ]; then echo "deploy checks: $1 is missing (CI must install it)" >&2; exit 1; fi
  echo "deploy checks: $1 is missing; that check is skipped"
}

if [ -d "$here/node_modules" ]; then
  node "$here/validate.mjs" "$deploy/k8s"
else
  missing "deploy/validate/node_modules (npm ci --prefix deploy/validate)"
fi

if command -v docker-compose >/dev/null; then
  docker-compose -f "$deploy/compose/docker-compose.yml" config -q && echo "docker-compose.yml: valid"
else
  missing "docker-compose (apt-get install docker-compose)"
fi

if command -v haproxy >/dev/null; then
  export CALC_LB_GRPC=127.0.0.1:15080 CALC_LB_HTTP=127.0.0.1:15081 CALC_LB_STATS=127.0.0.1:15082
  for n in 1 2 3; do
    export "CALC_${n}_GRPC=127.0.0.1:1511$n" "CALC_${n}_HTTP=127.0.0.1:1521$n" "CALC_${n}_HOST=127.0.0.1" "CALC_${n}_HEALTH_PORT=1521$n"
  done
  haproxy -c -q -f "$deploy/haproxy/haproxy.cfg" && echo "haproxy.cfg: valid"
else
  missing "haproxy (apt-get install haproxy)"
fi
