#!/usr/bin/env bash
# picket coverage end to end: the terrain example on a real DEM, then bad input.
set -euo pipefail
picket=$1
src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$picket" coverage "$src/examples/terrain-site.yaml" --out "$out/cov" --target-pd 0.9 \
  --resolution 40 > "$out/stdout"
for f in coverage.tif coverage.png coverage_contours.geojson segments.csv segments.json; do
  [ -s "$out/cov/$f" ] || { echo "missing $f"; exit 1; }
done
# 28 segments plus the header. The hills hide much of the north side from the valley radar;
# only the aerostat sees segment 12 (in the middle of the north side).
[ "$(wc -l < "$out/cov/segments.csv")" -eq 29 ] || { echo "wrong row count"; exit 1; }
grep -Eq "terrain hides part of [0-9]+ segments from radar-valley" "$out/stdout" ||
  { echo "no shadow reported"; exit 1; }
awk -F, '$2 == 12 && $10 ~ /radar-valley/ && $9 == "aerostat"' "$out/cov/segments.csv" | grep -q . ||
  { echo "segment 12 should be shadowed from the radar and seen by the aerostat only"; exit 1; }
grep -q "segment 12 (550-600 m) is seen only by aerostat sensors" "$out/stdout" ||
  { echo "no single-type warning"; exit 1; }
gdalinfo "$out/cov/coverage.tif" | grep -q "Size is" || { echo "bad GeoTIFF"; exit 1; }

# A DEM that does not cover the site: exit 2 with a message naming the problem.
sed -e 's#dem: ../tests/data/dem/dfw_crop.tif#dem: '"$src"'/tests/data/dem/luxembourg_elev.tif#' \
  "$src/examples/terrain-site.yaml" > "$out/bad.yaml"
set +e
"$picket" coverage "$out/bad.yaml" --out "$out/bad" 2> "$out/stderr"
code=$?
set -e
[ $code -eq 2 ] || { echo "expected exit 2, got $code"; exit 1; }
grep -q "does not cover the site" "$out/stderr" || { cat "$out/stderr"; exit 1; }

# A missing DEM file.
sed -e 's#dem: ../tests/data/dem/dfw_crop.tif#dem: nowhere.tif#' \
  "$src/examples/terrain-site.yaml" > "$out/missing.yaml"
set +e
"$picket" coverage "$out/missing.yaml" --out "$out/missing" 2> "$out/stderr"
code=$?
set -e
[ $code -eq 2 ] || { echo "expected exit 2, got $code"; exit 1; }
grep -q "terrain.dem: .*nowhere.tif: cannot open DEM: no such file" "$out/stderr" || { cat "$out/stderr"; exit 1; }
echo "coverage CLI: ok"
