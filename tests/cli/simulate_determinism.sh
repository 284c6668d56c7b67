#!/usr/bin/env bash
# picket simulate end to end: the same seed twice gives byte-identical files, another seed gives
# different detections, and a bad scenario exits with status 2 naming file, line and field.
# Usage: simulate_determinism.sh PICKET SOURCE_DIR
set -euo pipefail
picket=$1
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for name in quiet-night windy-night gate-rush; do
  scenario="$src/examples/scenarios/$name.yaml"
  "$picket" simulate "$scenario" --out "$tmp/$name-a" --seed 7 > "$tmp/$name-a.txt"
  "$picket" simulate "$scenario" --out "$tmp/$name-b" --seed 7 > /dev/null
  "$picket" simulate "$scenario" --out "$tmp/$name-c" --seed 8 > /dev/null
  for f in detections truth events; do
    [ -s "$tmp/$name-a/$f.jsonl" ] || fail "$name: $f.jsonl is empty"
    cmp -s "$tmp/$name-a/$f.jsonl" "$tmp/$name-b/$f.jsonl" ||
      fail "$name: $f.jsonl differs between two runs with seed 7"
  done
  if cmp -s "$tmp/$name-a/detections.jsonl" "$tmp/$name-c/detections.jsonl"; then
    fail "$name: seeds 7 and 8 gave the same detections"
  fi
  grep -q "inward fence crossing" "$tmp/$name-a.txt" || fail "$name: no intrusion summary"
  grep -q "intrusions   [1-9]" "$tmp/$name-a.txt" || fail "$name: no intrusion in the truth"
  # Detections are in time order.
  awk -F'[:,]' '{ if ($2 + 0 < last) { print "out of order at line " NR; exit 1 } last = $2 + 0 }' \
    "$tmp/$name-a/detections.jsonl" || fail "$name: detections out of time order"
done

# The scenario's own seed is used without --seed, and is not the same as seed 7's output.
"$picket" simulate "$src/examples/scenarios/gate-rush.yaml" --out "$tmp/own" > "$tmp/own.txt"
grep -q "seed 3" "$tmp/own.txt" || fail "the scenario's seed (3) was not used"

# A bad scenario: exit 2, every error with file:line and field.
cat > "$tmp/bad.yaml" <<YAML
site: $src/examples/demo-site.yaml
start: 2026-11-28T22:00:00Z
duration: 600
movers:
  - {id: a, kind: swimmer, path: [[52.1, -1.0], [52.101, -1.0]]}
  - id: b
    kind: walker
    random_walk: {zone: nowhere}
YAML
set +e
"$picket" simulate "$tmp/bad.yaml" --out "$tmp/bad" > "$tmp/bad.out" 2> "$tmp/bad.err"
status=$?
set -e
[ "$status" -eq 2 ] || fail "a bad scenario exited with $status, not 2"
grep -q "bad.yaml:5 movers\[0\].kind: 'swimmer' is not one of" "$tmp/bad.err" ||
  fail "no file:line message for the bad kind: $(cat "$tmp/bad.err")"
grep -q "bad.yaml:8 movers\[1\].random_walk.zone: unknown zone 'nowhere'" "$tmp/bad.err" ||
  fail "no file:line message for the unknown zone: $(cat "$tmp/bad.err")"
[ ! -e "$tmp/bad" ] || fail "a bad scenario created its output directory"

# A missing file and a missing --out are usage errors too.
set +e
"$picket" simulate "$tmp/none.yaml" --out "$tmp/x" 2> "$tmp/none.err"; s1=$?
"$picket" simulate "$src/examples/scenarios/gate-rush.yaml" 2> /dev/null; s2=$?
set -e
[ "$s1" -eq 2 ] || fail "a missing scenario file exited with $s1"
grep -q "none.yaml: cannot open file" "$tmp/none.err" || fail "no message for a missing file"
[ "$s2" -eq 2 ] || fail "a missing --out exited with $s2"
echo "simulate_determinism: ok"
