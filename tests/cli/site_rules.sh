#!/usr/bin/env bash
# The alarm rules of a site file are checked with it: a rule naming an unknown zone or fence, or
# an impossible schedule, refuses the whole site with file, line and field.
set -euo pipefail
picket=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$picket" site "$src/examples/demo-site.yaml" > "$work/out.txt"
grep -q "rules    fence_crossing          1" "$work/out.txt"
grep -q "policy   time zone Europe/London" "$work/out.txt"

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

sed 's/    zone: switchyard/    zone: switchyrd/' "$src/examples/demo-site.yaml" > "$work/zone.yaml"
expect_refusal "$work/zone.yaml" "rules[1].zone: unknown zone 'switchyrd' (zones of this site: inside, switchyard, gate-approach, south-buffer)"
grep -n "zone: switchyrd" "$work/zone.yaml" | cut -d: -f1 > "$work/line"
expect_refusal "$work/zone.yaml" "zone.yaml:$(cat "$work/line") rules[1].zone"

sed '/type: fence_crossing/{n;s/fence: perimeter/fence: perimiter/}' "$src/examples/demo-site.yaml" > "$work/fence.yaml"
expect_refusal "$work/fence.yaml" "rules[0].fence: unknown fence 'perimiter'"

sed 's/from: "18:00", to: "07:00"/from: "18:00", to: "18:00"/' "$src/examples/demo-site.yaml" > "$work/sched.yaml"
expect_refusal "$work/sched.yaml" "rules[3].schedule[0].to: an empty window (from equals to)"

sed 's/from: "18:00"/from: "26:00"/' "$src/examples/demo-site.yaml" > "$work/hour.yaml"
expect_refusal "$work/hour.yaml" "hours run from 00 to 23"

sed 's/timezone: Europe\/London/timezone: Europe\/Lodnon/' "$src/examples/demo-site.yaml" > "$work/tz.yaml"
expect_refusal "$work/tz.yaml" "policy.timezone: unknown time zone 'Europe/Lodnon'"
echo "site_rules: ok"
