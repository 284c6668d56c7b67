#!/usr/bin/env bash
# picket track and picket eval --truth/--tracks end to end on the demo site: a walker seen by
# two radars and a camera, some clutter, a fence alarm; bad lines refused with file:line or
# skipped and counted; bad detections (unknown sensor, NaN-like values, time going backwards)
# counted as rejections; the tracks scored against the truth.
set -euo pipefail
picket=$1
src=$2
site="$src/examples/demo-site.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The walker: from (150, -330) toward the south gate at (0, -200), 1.4 m/s, 80 s. Radars at
# (-310,-210,8) and (310,210,8), Gaussian noise 2 m and 0.6 deg (Box-Muller), Pd 0.9; the south
# camera at 5 frames/s with 2.5 m noise while the walker is in its field of view; radar clutter
# as the site declares it (1,800 false plots an hour: one every other scan, uniform over the
# 1.5 km coverage); the truth at 1 Hz.
awk -v t0=1795903200 -v det="$work/det.jsonl" -v truth="$work/truth.jsonl" '
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand()) }
function deg(x) { return x * 57.29577951308232 }
function plot(sx, sy, e, n, t,    dx, dy, r, b) {
  dx = e - sx; dy = n - sy; r = sqrt(dx * dx + dy * dy + 64); b = deg(atan2(dx, dy));
  if (b < 0) b += 360;
  printf "{\"t\":%.6f,\"sensor\":\"%s\",\"range\":%.3f,\"bearing\":%.4f}\n", t + b / 360,
         (sx < 0 ? "radar-sw" : "radar-ne"), r + 2 * gauss(), b + 0.6 * gauss() >> det
}
BEGIN {
  srand(11);
  ve = -150 / sqrt(150 * 150 + 130 * 130) * 1.4; vn = 130 / sqrt(150 * 150 + 130 * 130) * 1.4;
  for (k = 0; k < 80; k++) {
    t = t0 + k; e = 150 + ve * k; n = -330 + vn * k;
    printf "{\"t\":%d,\"id\":\"walker\",\"east\":%.3f,\"north\":%.3f,\"class\":\"person\",\"ve\":%.3f,\"vn\":%.3f}\n", t, e, n, ve, vn >> truth;
    if (rand() < 0.9) plot(-310, -210, e, n, t);
    if (rand() < 0.9) plot(310, 210, e, n, t);
    if (rand() < 0.5) { r = 1500 * sqrt(rand()); a = 6.283185307179586 * rand();
                        plot(-310, -210, -310 + r * sin(a), -210 + r * cos(a), t) }
    if (rand() < 0.5) { r = 1500 * sqrt(rand()); a = 6.283185307179586 * rand();
                        plot(310, 210, 310 + r * sin(a), 210 + r * cos(a), t) }
    for (f = 0; f < 5; f++) {
      tf = t + 0.2 * f + 0.05; ef = e + ve * 0.2 * f; nf = n + vn * 0.2 * f;
      if (nf < -200 && ef > -100 && ef < 100)
        printf "{\"t\":%.3f,\"sensor\":\"cam-south\",\"east\":%.3f,\"north\":%.3f,\"class\":\"person\",\"score\":0.8}\n", tf, ef + 2.5 * gauss(), nf + 2.5 * gauss() >> det;
    }
  }
}'
sort -t: -k2 -n "$work/det.jsonl" -o "$work/det.jsonl"  # time order (t is the first field)

# 1. Tracking: one confirmed identity for the walker, from all three sensors
"$picket" track "$site" "$work/det.jsonl" --out "$work/tracks.jsonl" > "$work/track.log" 2>&1 ||
  fail "picket track: $(cat "$work/track.log")"
grep -q "tracks: .* started" "$work/track.log" || fail "no summary: $(cat "$work/track.log")"
ids=$(grep '"status":"confirmed"' "$work/tracks.jsonl" | sed 's/.*"track":\([0-9]*\),.*/\1/' | sort -u)
[ "$(echo "$ids" | wc -l)" = 1 ] || fail "confirmed identities: $ids"
for s in radar-sw radar-ne cam-south; do
  grep -q "\"det_sensor\":\"$s\"" "$work/tracks.jsonl" || fail "no update from $s"
done
grep '"status":"confirmed"' "$work/tracks.jsonl" | tail -1 | grep -q '"class":"person"' ||
  fail "class: $(tail -1 "$work/tracks.jsonl")"

# 2. Scoring: GOSPA with c = 10 m, the walker tracked within 3 s, no identity switch
"$picket" eval --truth "$work/truth.jsonl" --tracks "$work/tracks.jsonl" --plot "$work/m.svg" \
  > "$work/eval.json" || fail "picket eval"
num() { sed -n "s/^ *\"$1\": \([-0-9.e]*\).*/\1/p" "$work/eval.json" | head -1; }
mean=$(sed -n '/"gospa": {/,/}/s/^ *"mean": \([0-9.e-]*\).*/\1/p' "$work/eval.json")
echo "GOSPA mean $mean, identity switches $(num identity_switches), to confirm $(sed -n '/time_to_confirm_s/,/}/s/^ *"max": \([0-9.e-]*\).*/\1/p' "$work/eval.json") s"
awk -v m="$mean" 'BEGIN { exit !(m < 5) }' || fail "GOSPA mean $mean"
[ "$(num identity_switches)" = 0 ] || fail "identity switches"
[ "$(num targets_tracked)" = 1 ] || fail "targets tracked"
ttc=$(sed -n '/time_to_confirm_s/,/}/s/^ *"max": \([0-9.e-]*\).*/\1/p' "$work/eval.json")
awk -v x="$ttc" 'BEGIN { exit !(x <= 3) }' || fail "time to confirm $ttc"
grep -q "<polyline" "$work/m.svg" || fail "no plot"

# 3. A bad line stops the run naming file and line (exit 2); --skip-bad counts it and goes on
{ head -30 "$work/det.jsonl"; echo '{"t":"soon","sensor":"radar-sw","range":1,"bearing":2}';
  tail -n +31 "$work/det.jsonl"; } > "$work/bad.jsonl"
set +e
"$picket" track "$site" "$work/bad.jsonl" --out "$work/t2.jsonl" > /dev/null 2> "$work/err.txt"
code=$?
set -e
[ $code = 2 ] || fail "exit code $code for a bad line"
grep -q "bad.jsonl:31 t" "$work/err.txt" || fail "error message: $(cat "$work/err.txt")"
"$picket" track "$site" "$work/bad.jsonl" --out "$work/t3.jsonl" --skip-bad > "$work/skip.log" 2>&1 ||
  fail "--skip-bad"
grep -q "1 bad lines skipped" "$work/skip.log" || fail "skip count: $(cat "$work/skip.log")"

# 4. Detections that parse but are wrong are the tracker's counted rejections, never a crash
{ cat "$work/det.jsonl"
  echo '{"t":1795903290,"sensor":"radar-nowhere","range":100,"bearing":10}'
  echo '{"t":1795903210,"sensor":"radar-sw","range":100,"bearing":10}'    # 80 s late
  echo '{"t":1795903291,"sensor":"fence-a","segment":999}'                 # no such segment
  echo '{"t":1795903292,"sensor":"fence-b","status":"heartbeat"}'
} > "$work/odd.jsonl"
"$picket" track "$site" "$work/odd.jsonl" --out "$work/t4.jsonl" > "$work/odd.log" 2>&1 ||
  fail "odd input: $(cat "$work/odd.log")"
grep -q "1 status reports, 3 rejected (1 unknown_sensor, 1 late, 1 bad_geometry)" "$work/odd.log" ||
  fail "rejections: $(cat "$work/odd.log")"
grep -q "rejected detection (late).*odd.jsonl:" "$work/odd.log" || fail "rejections not logged"
echo "ok"
