#!/usr/bin/env bash
# Tracker memory: 100,000 simultaneous targets with 10% clutter along a border (bench/track.cpp's
# workload, IMM motion model, GNN association), the peak resident memory of the whole benchmark
# process (workload generator included) measured by GNU time. The target is under 1 GB with
# 100,000 live tracks: no step builds a tracks x detections matrix (a dense one of doubles would
# be 80 GB at this size). Results: docs/performance.md, "Tracker".
# Usage: bench/track_memory.sh [BUILD_DIR] [TARGETS]
set -euo pipefail
build=${1:-build/release}
n=${2:-100000}
bench="$build/bench/bench_track"
[ -x "$bench" ] || { echo "track_memory: no $bench (build first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "track_memory: GNU time is missing (scripts/install-deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "track_memory: $n targets, 10% clutter, IMM + GNN, 10 warm-up scans then timed scans"
if ! /usr/bin/time -v "$bench" --benchmark_filter="BM_TrackerScan/targets:$n/cv:0/" \
  --benchmark_min_time=0.01 --benchmark_format=json > "$tmp/out.json" 2> "$tmp/time.txt"; then
  cat "$tmp/time.txt" >&2
  exit 1
fi
field() { sed -n "s/^ *\"$1\": \([0-9.e+-]*\).*/\1/p" "$tmp/out.json" | head -1; }
live=$(field live_tracks)
confirmed=$(field confirmed)
ms=$(field real_time)
peak_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time.txt")
[ -n "$live" ] && [ -n "$peak_kb" ] || { echo "track_memory: no result" >&2; cat "$tmp/out.json" >&2; exit 1; }
printf 'track_memory: %.0f live tracks (%.0f confirmed), %.1f ms per scan, peak resident memory %d MB (%.0f bytes per live track)\n' \
  "$live" "$confirmed" "$ms" $((peak_kb / 1024)) "$(awk -v k="$peak_kb" -v l="$live" 'BEGIN { print k * 1024 / l }')"
if [ "$peak_kb" -ge $((1024 * 1024)) ]; then
  echo "track_memory: FAIL: peak resident memory is over 1 GB" >&2
  exit 1
fi
