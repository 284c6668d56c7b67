#!/usr/bin/env bash
# Simulator memory: a 24-hour scenario with 1,000 movers through `picket simulate`, every record
# formatted as JSON Lines but discarded (--dry-run: the output would be ~30 GB), with the peak
# resident memory measured by GNU time. The target is under 200 MB: output is streamed and
# random walks keep only the legs around the current window. Results: docs/performance.md,
# "Simulator".
# Usage: bench/sim_memory.sh [BUILD_DIR] [HOURS]
set -euo pipefail
build=${1:-build/release}
hours=${2:-24}
src=$(cd "$(dirname "$0")/.." && pwd)
picket="$build/picket"
[ -x "$picket" ] || { echo "sim_memory: no $picket (build first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "sim_memory: GNU time is missing (scripts/install-deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/day-1000.yaml" <<YAML
description: A day and a night of 1,000 movers around the demo site
site: $src/examples/demo-site.yaml
start: 2026-11-28T00:00:00Z
duration: $((hours * 3600))
truth_rate: 1
movers:
  - {id: walker, kind: walker, count: 500, random_walk: {around: {east: 0, north: 0}, radius: 1400, speed: [0.8, 1.8], pause: [0, 20]}}
  - {id: runner, kind: runner, count: 100, random_walk: {around: {east: 0, north: 0}, radius: 1400, speed: [2.5, 5]}}
  - {id: car, kind: vehicle, count: 200, random_walk: {around: {east: 0, north: 0}, radius: 1400, speed: [5, 20], pause: [0, 30]}}
  - {id: fox, kind: animal, count: 150, random_walk: {zone: south-buffer, speed: [0.5, 2], pause: [5, 60], fence_visits: 0.3}}
  - {id: drone, kind: drone, count: 50, altitude: 60, random_walk: {around: {east: 0, north: 0}, radius: 1200, speed: [5, 15]}}
nuisances:
  - {type: wind, strength: 0.5, start: $((hours * 150)), duration: $((hours * 900))}
  - {type: rain, start: $((hours * 1250)), duration: $((hours * 300)), clutter_factor: 3}
YAML

echo "sim_memory: ${hours} h, 1,000 movers, every record formatted, nothing written"
if ! /usr/bin/time -v "$picket" simulate "$tmp/day-1000.yaml" --dry-run --seed 1 \
  > "$tmp/summary.txt" 2> "$tmp/time.txt"; then
  cat "$tmp/time.txt" >&2
  exit 1
fi
grep -E "^  (movers|detections|truth|intrusions|dry run|took)" "$tmp/summary.txt"
peak_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ { print $2 }' "$tmp/time.txt")
cpu_user=$(awk -F': ' '/User time/ { print $2 }' "$tmp/time.txt")
echo "sim_memory: peak resident memory $((peak_kb / 1024)) MB, wall $wall, user CPU ${cpu_user} s"
if [ "$peak_kb" -ge $((200 * 1024)) ]; then
  echo "sim_memory: FAIL: peak resident memory is over 200 MB" >&2
  exit 1
fi
