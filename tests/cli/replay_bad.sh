#!/usr/bin/env bash
# picket replay refuses bad input with exit 2 and a message naming the file, line and field:
# a rule naming an unknown zone or fence, an impossible schedule, a bad detection line, a
# corrupt or foreign database file, a store of other input. A write failure (the file size
# limit standing in for a full disk) ends with exit 1 and a message, and loses no announced
# alarm.
set -euo pipefail
picket=$1
src=$2
site="$src/examples/demo-site.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$picket" simulate "$src/examples/scenarios/gate-rush.yaml" --out "$work/sim" > /dev/null
det="$work/sim/detections.jsonl"

expect_refusal() {  # expected exit, expected text, replay arguments...
  local code=$1 text=$2 status=0
  shift 2
  "$picket" replay "$@" > "$work/stdout" 2> "$work/stderr" || status=$?
  [ "$status" -eq "$code" ] || { cat "$work/stderr"; fail "expected exit $code, got $status: $*"; }
  grep -qF -- "$text" "$work/stderr" || { cat "$work/stderr"; fail "expected '$text'"; }
}

# Rules: unknown zone (with its line), unknown fence, impossible schedule. No output is made.
sed 's/    zone: switchyard/    zone: switchyrd/' "$site" > "$work/zone.yaml"
line=$(grep -n "zone: switchyrd" "$work/zone.yaml" | cut -d: -f1)
expect_refusal 2 "zone.yaml:$line rules[1].zone: unknown zone 'switchyrd'" \
  "$work/zone.yaml" "$det" --out "$work/o1"
[ ! -e "$work/o1/picket.db" ] || fail "a refused site created a store"
sed '/type: fence_crossing/{n;s/fence: perimeter/fence: perimiter/}' "$site" > "$work/fence.yaml"
expect_refusal 2 "rules[0].fence: unknown fence 'perimiter'" "$work/fence.yaml" "$det" --out "$work/o2"
sed 's/from: "18:00", to: "07:00"/from: "18:00", to: "18:00"/' "$site" > "$work/sched.yaml"
expect_refusal 2 "rules[3].schedule[0].to: an empty window (from equals to)" \
  "$work/sched.yaml" "$det" --out "$work/o3"

# A bad detection line: named by file and line; --skip-bad skips and counts it.
{ head -n 100 "$det"; echo '{"t": 1796008600, "sensor": "radar-sw", "range": "far"}'; tail -n +101 "$det"; } > "$work/bad.jsonl"
expect_refusal 2 "bad.jsonl:101" "$site" "$work/bad.jsonl" --out "$work/o4"
"$picket" replay "$site" "$work/bad.jsonl" --out "$work/o5" --skip-bad > "$work/stdout"
grep -q "1 bad lines skipped" "$work/stdout" || fail "the bad line was not counted"

# Database files that are not a Picket store of this replay.
mkdir -p "$work/o6" "$work/o7" "$work/o8"
echo "meeting notes" > "$work/o6/picket.db"
expect_refusal 2 "picket.db: not a Picket store: not an SQLite database" "$site" "$det" --out "$work/o6"
grep -q "meeting notes" "$work/o6/picket.db" || fail "the foreign file was changed"
# A real SQLite database of another application (sqlite3 is installed by scripts/install-deps).
sqlite3 "$work/o7/picket.db" "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
expect_refusal 2 "it is an SQLite database of another application (tables: customers)" \
  "$site" "$det" --out "$work/o7"
# A damaged store: a page of ours overwritten.
"$picket" replay "$site" "$det" --out "$work/o8" > /dev/null
head -c 4096 /dev/urandom | dd of="$work/o8/picket.db" bs=4096 seek=2 conv=notrunc status=none
status=0
"$picket" replay "$site" "$det" --out "$work/o8" > /dev/null 2> "$work/stderr" || status=$?
[ "$status" -eq 2 ] || { cat "$work/stderr"; fail "a damaged store: expected exit 2, got $status"; }
grep -q "picket.db: the store is damaged" "$work/stderr" || { cat "$work/stderr"; fail "the damaged store is not named"; }
# A store of other input (the first half of the detections) is not mixed with this one.
head -n 2000 "$det" > "$work/half.jsonl"
expect_refusal 2 "holds the replay of other input" "$site" "$work/half.jsonl" --out "$work/o5"

# A write failure: every file limited to 96 KiB (RLIMIT_FSIZE; SIGXFSZ ignored, so writes fail
# with EFBIG as on a full disk). Exit 1, a message, and every announced alarm stored.
status=0
( ulimit -f 96; trap '' XFSZ; exec "$picket" replay "$site" "$det" --out "$work/o9" \
  --store-timeout 2 ) \
  > /dev/null 2> "$work/stderr" || status=$?
[ "$status" -eq 1 ] || { cat "$work/stderr"; fail "write failure: expected exit 1, got $status"; }
grep -Eq "too large|full|write failed" "$work/stderr" || { cat "$work/stderr"; fail "no clear message"; }
"$picket" store check "$work/o9/picket.db" --announced "$work/o9/alarms.jsonl" > "$work/check" \
  || { cat "$work/check"; fail "store check after the write failure"; }
grep -q " 0 lost" "$work/check" || { cat "$work/check"; fail "announced alarms lost"; }
echo "replay_bad: ok"
