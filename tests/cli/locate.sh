#!/usr/bin/env bash
# picket locate end to end: three events from tests/data/locate/reports.jsonl (see
# make_reports.py there for the truth), then bad input.
set -euo pipefail
picket=$1
src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$picket" locate "$src/examples/locate-site.yaml" "$src/tests/data/locate/reports.jsonl" \
  --out "$out/events.jsonl" > "$out/stdout"
[ "$(wc -l < "$out/events.jsonl")" -eq 3 ] || { echo "expected 3 events"; exit 1; }
field() {  # field LINE NAME: a number from a JSON line
  sed -n "${1}p" "$out/events.jsonl" | grep -o "\"$2\":-\?[0-9.]*" | head -1 | cut -d: -f2
}
near() {  # near VALUE EXPECTED TOLERANCE
  awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(d <= t) }'
}
# ev-1 at (120, 180), ev-2 at (40, 260) with mic-ne's echo rejected, ev-3 heard by mic-sw only.
near "$(field 1 east)" 120 2 && near "$(field 1 north)" 180 2 || { echo "ev-1 misplaced"; exit 1; }
near "$(field 2 east)" 40 2 && near "$(field 2 north)" 260 2 || { echo "ev-2 misplaced"; exit 1; }
sed -n 2p "$out/events.jsonl" | grep -q '"rejected":\[{"sensor":"mic-ne"' || { echo "echo kept"; exit 1; }
sed -n 3p "$out/events.jsonl" | grep -q '"quality":"single_sensor","located":false' || exit 1
grep -q "reported by mic-sw only" "$out/stdout" || exit 1
# The ellipse of ev-1 is under a metre: microphones time to 1 ms.
near "$(field 1 semi_major)" 0.5 0.5 || { echo "ev-1 ellipse too large"; exit 1; }

# Bad input: an unknown sensor stops with its line number, or is skipped with --skip-bad.
{ head -2 "$src/tests/data/locate/reports.jsonl"; echo '{"t":1795903200.6,"sensor":"mic-x"}'; \
  tail -n +3 "$src/tests/data/locate/reports.jsonl"; } > "$out/bad.jsonl"
set +e
"$picket" locate "$src/examples/locate-site.yaml" "$out/bad.jsonl" --out "$out/e2.jsonl" 2> "$out/stderr"
code=$?
set -e
[ $code -eq 2 ] || { echo "expected exit 2, got $code"; exit 1; }
grep -q "bad.jsonl:3 sensor: unknown sensor 'mic-x'" "$out/stderr" || { cat "$out/stderr"; exit 1; }
"$picket" locate "$src/examples/locate-site.yaml" "$out/bad.jsonl" --out "$out/e3.jsonl" \
  --skip-bad > /dev/null 2> "$out/stderr"
grep -q "skipped 1 bad line" "$out/stderr" || { cat "$out/stderr"; exit 1; }
[ "$(wc -l < "$out/e3.jsonl")" -eq 3 ] || { echo "expected 3 events after skipping"; exit 1; }
echo "locate CLI: ok"
