#!/usr/bin/env bash
# The live daemon's load benchmark (docs/performance.md, "Live daemon"): 1,000 sensors at 10
# reports per second over UDP on loopback, 20 WebSocket clients, for DURATION seconds.
#
#   bench/load.sh [PICKET_BINARY] [DURATION_S]      e.g. bench/load.sh build/release/picket 3600
#
# Extra options go to bench/load/load.mjs through LOAD_ARGS (--sensors, --rate, --clients, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
picket=$(realpath "${1:-$here/../build/release/picket}")
duration=${2:-120}
(cd "$here/load" && { [[ -d node_modules/ws ]] || npm ci --no-audit --no-fund; })
node "$here/load/load.mjs" --picket "$picket" --duration "$duration" ${LOAD_ARGS:-}
