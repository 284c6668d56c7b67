#!/usr/bin/env bash
# SIGKILL during picket replay, at random moments, again and again into the same directory:
# after each kill the store passes PRAGMA integrity_check and holds every alarm event that had
# been announced (written to alarms.jsonl); each restart resumes; the replay finally completes
# with the same alarms.jsonl, byte for byte, as a run never interrupted.
# PICKET_SEED=N repeats a sequence of kill moments. About 8 s in the release build; several
# minutes under ASan, hence:
# ctest-labels: slow
set -euo pipefail
picket=$1
src=$2
site="$src/examples/demo-site.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
seed=${PICKET_SEED:-$$}
RANDOM=$seed
echo "replay_crash: seed $seed"

"$picket" simulate "$src/examples/scenarios/windy-night.yaml" --out "$work/sim" > /dev/null
det="$work/sim/detections.jsonl"

# The uninterrupted reference, and how long a run takes on this machine (and build).
t0=$(date +%s%N)
"$picket" replay "$site" "$det" --out "$work/ref" > /dev/null
run_ms=$((($(date +%s%N) - t0) / 1000000))
[ -s "$work/ref/alarms.jsonl" ] || fail "the reference run announced no alarm"

out="$work/crash"
kills=0
mid_run=0
for i in $(seq 1 10); do
  "$picket" replay "$site" "$det" --out "$out" > /dev/null 2>&1 &
  pid=$!
  # A random moment within a run (each run starts over, so later moments reach further).
  delay_ms=$((RANDOM % (run_ms + 1)))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -KILL "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
  status=0
  wait "$pid" || status=$?
  [ "$status" -eq 137 ] || [ "$status" -eq 0 ] || fail "run $i ended with $status, not by the kill"
  [ -e "$out/alarms.jsonl" ] || continue  # killed before the store was set up
  cp "$out/alarms.jsonl" "$work/announced.$i"
  lines=$(wc -l < "$work/announced.$i")
  [ "$lines" -gt 0 ] && [ "$status" -eq 137 ] && mid_run=$((mid_run + 1))
  "$picket" store check "$out/picket.db" --announced "$work/announced.$i" > "$work/check" 2>&1 \
    || { cat "$work/check"; fail "run $i (killed after ${delay_ms} ms): store check failed"; }
  grep -q "integrity ok" "$work/check" || { cat "$work/check"; fail "integrity"; }
  grep -q " 0 lost" "$work/check" || { cat "$work/check"; fail "run $i: announced alarm lost"; }
done
echo "replay_crash: $kills kills, $mid_run after some alarms were announced (one run: ${run_ms} ms)"
[ "$mid_run" -ge 3 ] || fail "too few kills hit a run in progress ($mid_run): the test tested little"

# The last run completes: everything announced by any run is stored, and the alarms are those
# of the uninterrupted run.
"$picket" replay "$site" "$det" --out "$out" > "$work/final.log"
grep -q "resumed" "$work/final.log" || { cat "$work/final.log"; fail "the final run did not resume"; }
cmp "$out/alarms.jsonl" "$work/ref/alarms.jsonl" || fail "alarms differ from the uninterrupted run"
cat "$work"/announced.* > "$work/all_announced"
"$picket" store check "$out/picket.db" --announced "$work/all_announced" > "$work/check" \
  || { cat "$work/check"; fail "final store check"; }
grep -q " 0 lost" "$work/check" || { cat "$work/check"; fail "announced alarm lost"; }
echo "replay_crash: ok"
