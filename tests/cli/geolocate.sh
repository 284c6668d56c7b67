#!/usr/bin/env bash
# picket geolocate end to end: the terrain example's aerostat looking straight down
# (tests/data/geolocate/make_feed.py has the scene), with a gap and a jump in its pose feed.
set -euo pipefail
picket=$1
src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
data="$src/tests/data/geolocate"

"$picket" geolocate "$src/examples/terrain-site.yaml" "$data/poses.jsonl" "$data/pixels.jsonl" \
  --out "$out/det.jsonl" > "$out/stdout"
cat "$out/stdout"
grep -q "gaps over 0.50 s: 1, jumps: 1" "$out/stdout" || { echo "gap/jump not reported"; exit 1; }
grep -q "warning: pose feed: gap of 3.00 s before line 22" "$out/stdout" || exit 1
grep -q "warning: pose feed: jump at line 33" "$out/stdout" || exit 1
grep -Eq "good +2" "$out/stdout" || { echo "expected 2 good fixes"; exit 1; }
grep -Eq "degraded +2" "$out/stdout" || { echo "expected 2 degraded fixes"; exit 1; }
grep -Eq "no_pose +1" "$out/stdout" || { echo "expected 1 fix without pose"; exit 1; }
grep -q "in_gap: inside a 3.00 s gap" "$out/stdout" || exit 1
grep -q "across_jump" "$out/stdout" || exit 1
[ "$(wc -l < "$out/det.jsonl")" -eq 4 ] || { echo "expected 4 detections"; exit 1; }
# The centre pixel straight down lands right below the aerostat.
line=$(head -1 "$out/det.jsonl")
lat=$(echo "$line" | grep -o '"lat":[0-9.-]*' | cut -d: -f2)
lon=$(echo "$line" | grep -o '"lon":[0-9.-]*' | cut -d: -f2)
awk -v a="$lat" -v o="$lon" 'BEGIN { exit !((a - 32.796)^2 < 1e-10 && (o + 97.41)^2 < 1e-10) }' ||
  { echo "centre pixel not below the aerostat: $line"; exit 1; }
echo "$line" | grep -q '"class":"vehicle"' || exit 1
echo "$line" | grep -q '"id":"a"' || exit 1

# A feed without hfov for an aerostat whose site fov is 360 degrees: refused, with the line.
sed 's/,"hfov":20.0//' "$data/poses.jsonl" > "$out/nohfov.jsonl"
set +e
"$picket" geolocate "$src/examples/terrain-site.yaml" "$out/nohfov.jsonl" "$data/pixels.jsonl" \
  --out "$out/x.jsonl" 2> "$out/stderr"
code=$?
set -e
[ $code -eq 2 ] || { echo "expected exit 2, got $code"; exit 1; }
grep -q "nohfov.jsonl:1: no hfov" "$out/stderr" || { cat "$out/stderr"; exit 1; }
echo "geolocate CLI: ok"
