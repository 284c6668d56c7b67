#!/usr/bin/env bash
# The airspace rules of a site file (docs/rules.md "Airspace") are checked with it: the airport
# example is accepted with its three kinds of airspace rule; a below_floor rule over a zone with
# no floor and no `floor` of its own, an airspace rule given `air`, or an unknown `cooperative`
# value refuses the whole site with file, line and field.
set -euo pipefail
picket=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
site="$src/examples/airport-site.yaml"

"$picket" site "$site" > "$work/out.txt"
grep -Eq "rules +airspace_intrusion +1$" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
grep -Eq "rules +below_floor +2$" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
grep -Eq "rules +airspace_approach +1$" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
grep -q "sensors  adsb" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }

# The GeoJSON the console draws carries each volume's band.
"$picket" site "$site" --geojson "$work/site.geojson" > /dev/null
grep -Eq '"floor_m": ?0(\.0)?[,}]' "$work/site.geojson" || { echo "no floor_m in the GeoJSON"; exit 1; }
grep -Eq '"ceiling_m": ?150(\.0)?[,}]' "$work/site.geojson" || { echo "no ceiling_m in the GeoJSON"; exit 1; }

expect_refusal() {  # file, expected text
  local status=0
  "$picket" site "$1" > "$work/stdout" 2> "$work/stderr" || status=$?
  if [ "$status" -ne 2 ]; then
    echo "expected exit 2 for $1, got $status"; cat "$work/stderr"; exit 1
  fi
  if ! grep -qF "$2" "$work/stderr"; then
    echo "expected '$2' in:"; cat "$work/stderr"; exit 1
  fi
}

# low-09 without its floor: final-09 has none.
sed '/zone: final-09/{n;d}' "$site" > "$work/floor.yaml"
expect_refusal "$work/floor.yaml" "a below_floor rule needs a \`floor\`"
line=$(grep -n "id: low-09" "$work/floor.yaml" | cut -d: -f1)
expect_refusal "$work/floor.yaml" "floor.yaml:$line rules[1]"

sed 's/    cooperative: non/    cooperative: maybe/' "$site" > "$work/coop.yaml"
expect_refusal "$work/coop.yaml" "rules[3].cooperative"

sed 's/    priority: critical/    priority: critical\n    air: false/' "$site" > "$work/air.yaml"
expect_refusal "$work/air.yaml" "rules[0].air"
echo "site_airspace: ok"
