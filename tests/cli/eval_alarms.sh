#!/usr/bin/env bash
# picket eval --events --alarms: a hand-worked case (two intrusions both detected, a nuisance
# alarm from an animal, a false alarm with no cause), the plot, and bad input.
set -euo pipefail
picket=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/events.jsonl" <<'JSONL'
{"t":1795903300,"id":"walker-1","event":"fence_crossing","fence":"perimeter","segment":3,"direction":"inward","east":-150,"north":-200,"class":"person"}
{"t":1795903400,"id":"walker-1","event":"zone_entry","zone":"switchyard","east":-60,"north":-50,"class":"person"}
{"t":1795903500,"id":"fox-1","event":"fence_crossing","fence":"perimeter","segment":8,"direction":"inward","east":100,"north":-200,"class":"animal"}
JSONL
cat > "$work/alarms.jsonl" <<'JSONL'
{"t":1795903301.2,"alarm":1,"seq":1,"event":"raised","actor":"rules","kind":"fence_crossing","rule":"perimeter-inward","priority":"high","state":"raised","active":true,"confirmed":true,"score":0.75,"confirmations":2,"track":4,"fence":"perimeter","segment":3,"direction":"inward","east":-150,"north":-200,"class":"person","class_p":0.9,"sensors":["cam-south","radar-sw"],"value":0,"raised_t":1795903301.2,"trigger_t":1795903301.2,"count":1,"text":"x"}
{"t":1795903401.5,"alarm":2,"seq":1,"event":"raised","actor":"rules","kind":"zone_entry","rule":"switchyard-entry","priority":"critical","state":"raised","active":true,"confirmed":true,"score":0.75,"confirmations":2,"track":4,"zone":"switchyard","east":-60,"north":-49,"class":"person","class_p":0.9,"sensors":["radar-sw"],"value":0,"raised_t":1795903401.5,"trigger_t":1795903401.5,"count":1,"text":"x"}
{"t":1795903501,"alarm":3,"seq":1,"event":"raised","actor":"policy","kind":"fence_alarm","rule":"policy.fence","priority":"high","state":"raised","active":true,"confirmed":true,"score":0.5,"confirmations":2,"fence":"perimeter","segment":8,"sensor":"fence-a","east":100,"north":-200,"value":0,"raised_t":1795903501,"trigger_t":1795903501,"count":1,"text":"x"}
{"t":1795903600,"alarm":4,"seq":1,"event":"raised","actor":"policy","kind":"fence_alarm","rule":"policy.fence","priority":"high","state":"raised","active":true,"confirmed":false,"score":0.25,"confirmations":1,"fence":"perimeter","segment":30,"sensor":"fence-b","east":-300,"north":25,"value":0,"raised_t":1795903600,"trigger_t":1795903600,"count":1,"text":"x"}
JSONL

"$picket" eval --events "$work/events.jsonl" --alarms "$work/alarms.jsonl" \
  --site "$src/examples/demo-site.yaml" --duration 86400 --plot "$work/sweep.svg" > "$work/score.json"
grep -q '"intrusions": 2' "$work/score.json"
grep -q '"detected": 2' "$work/score.json"
grep -q '"pd": 1.0' "$work/score.json"
grep -q '"nuisance": 1' "$work/score.json"
grep -q '"false": 1' "$work/score.json"
grep -q '"high_priority_nuisance": 1' "$work/score.json"
grep -q '"median": 1.35' "$work/score.json"  # time to alarm 1.2 s and 1.5 s
grep -q '"km": 1.9999' "$work/score.json"  # the 2 km perimeter
grep -q '"protected_zones": \[' "$work/score.json"
head -c 4 "$work/sweep.svg" | grep -q "<svg"

# At a confirmation threshold of 0.8 nothing counts.
"$picket" eval --events "$work/events.jsonl" --alarms "$work/alarms.jsonl" --threshold 0.8 \
  > "$work/score2.json"
grep -q '"detected": 0' "$work/score2.json"

# Bad input: a broken alarm line is named by file and line; exit 2.
cp "$work/alarms.jsonl" "$work/bad.jsonl"
echo '{"t":1795903700,"alarm":5,"seq":1,"event":"exploded"}' >> "$work/bad.jsonl"
status=0
"$picket" eval --events "$work/events.jsonl" --alarms "$work/bad.jsonl" > /dev/null 2> "$work/err" || status=$?
[ "$status" -eq 2 ] || { echo "expected exit 2, got $status"; exit 1; }
grep -q "bad.jsonl:5 event: 'exploded' is not one of" "$work/err" || { cat "$work/err"; exit 1; }
status=0
"$picket" eval --events "$work/events.jsonl" --alarms "$work/alarms.jsonl" --plot "$work/x.png" \
  > /dev/null 2> "$work/err" || status=$?
[ "$status" -eq 2 ] || { echo "expected exit 2 for a .png plot, got $status"; exit 1; }
echo "eval_alarms: ok"
