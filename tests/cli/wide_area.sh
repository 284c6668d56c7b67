#!/usr/bin/env bash
# The wide-area chain end to end on examples/scenarios/wide-area.yaml (the locate example site:
# four microphones 300 m apart, two cameras, the aerostat 500 m up in a 7 m/s westerly):
#   picket simulate  -> detections.jsonl (aerostat among them), reports.jsonl, point_truth.jsonl
#   picket locate    -> each simulated event located, its truth inside its ellipse
#   picket track     -> the aerostat's detections of the four field workers make tracks on them
# and the same reports from a single sensor give a marked degraded result.
set -euo pipefail
picket=$1
src=$2
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$picket" simulate "$src/examples/scenarios/wide-area.yaml" --out "$w/sim" > "$w/sim.txt"
grep -q "point events 3 " "$w/sim.txt" || { cat "$w/sim.txt"; fail "three point events"; }
[ "$(wc -l < "$w/sim/point_truth.jsonl")" -eq 3 ] || fail "point_truth.jsonl: 3 lines"
grep -q '"sensor":"aero-1","east"' "$w/sim/detections.jsonl" || fail "no aerostat detections"
grep -q '"sensor":"aero-1".*"east":.*"up":' "$w/sim/reports.jsonl" ||
  fail "aerostat flash reports carry the platform's position"

# --- Located events -----------------------------------------------------------------------------
"$picket" locate "$src/examples/locate-site.yaml" "$w/sim/reports.jsonl" --out "$w/located.jsonl" \
  > "$w/locate.txt"
[ "$(wc -l < "$w/located.jsonl")" -eq 3 ] || { cat "$w/locate.txt"; fail "expected 3 events"; }
num() {  # num LINE-TEXT NAME: a number field of a JSON line
  grep -o "\"$2\":-\?[0-9.e+-]*" <<< "$1" | head -1 | cut -d: -f2
}
i=0
while IFS= read -r truth; do
  i=$((i + 1))
  ev=$(sed -n "${i}p" "$w/located.jsonl")
  grep -q '"quality":"located"' <<< "$ev" || fail "event $i not located: $ev"
  cov=$(grep -o '"cov":\[[^]]*\]' <<< "$ev" | tr -d '"cov:[]')
  # Squared Mahalanobis distance of the truth from the estimate; 13.8 is chi2(2) at 0.999.
  awk -v i="$i" -v te="$(num "$truth" east)" -v tn="$(num "$truth" north)" -v tt="$(num "$truth" t)" \
      -v e="$(num "$ev" east)" -v n="$(num "$ev" north)" -v t="$(num "$ev" t)" -v c="$cov" '
    BEGIN { split(c, v, ","); de = te - e; dn = tn - n; det = v[1] * v[3] - v[2] * v[2];
            if (det <= 0) exit 1;
            m = (v[3] * de * de - 2 * v[2] * de * dn + v[1] * dn * dn) / det;
            printf "event %s: error %.2f m, Mahalanobis^2 %.2f, time error %.4f s\n",
                   i, sqrt(de * de + dn * dn), m, t - tt;
            exit !(m <= 13.8 && (t - tt) < 0.05 && (tt - t) < 0.05) }' ||
    fail "event $i: truth outside its ellipse: $ev / $truth"
done < "$w/sim/point_truth.jsonl"
# The launch inside the array: microphones timed to 1 ms put it within a metre.
awk -v e="$(num "$(head -1 "$w/located.jsonl")" east)" -v n="$(num "$(head -1 "$w/located.jsonl")" north)" \
  'BEGIN { exit !((e - 120) ^ 2 + (n - 180) ^ 2 < 1) }' || fail "launch-1 more than 1 m off"

# One sensor only: the event is reported as near it, not located.
grep '"sensor":"mic-sw"' "$w/sim/reports.jsonl" | head -1 > "$w/single.jsonl"
"$picket" locate "$src/examples/locate-site.yaml" "$w/single.jsonl" --out "$w/single-ev.jsonl" \
  > "$w/single.txt"
grep -q '"quality":"single_sensor","located":false' "$w/single-ev.jsonl" || fail "single sensor"
grep -q "reported by mic-sw only" "$w/single.txt" || fail "single-sensor message"

# --- Tracks from the aerostat -------------------------------------------------------------------
grep '"sensor":"aero-1"' "$w/sim/detections.jsonl" > "$w/aero.jsonl"
"$picket" track "$src/examples/locate-site.yaml" "$w/aero.jsonl" --out "$w/tracks.jsonl" \
  --confirmed-only > "$w/track.txt"
# Each of the four workers (random walks within 100 m of (150, 150)) has a confirmed track within
# 15 m of it at the end of the run.
tend=$(tail -1 "$w/sim/truth.jsonl" | grep -o '"t":[0-9.]*' | cut -d: -f2)
awk -v tend="$tend" '
  FNR == 1 { file++ }
  file == 1 && /"id":"worker/ && $0 ~ "\"t\":" int(tend) "[,.]" {
    match($0, /"id":"[^"]*"/); id = substr($0, RSTART + 6, RLENGTH - 7);
    match($0, /"east":-?[0-9.]+/); we[id] = substr($0, RSTART + 7, RLENGTH - 7) + 0;
    match($0, /"north":-?[0-9.]+/); wn[id] = substr($0, RSTART + 8, RLENGTH - 8) + 0 }
  file == 2 && /"status":"confirmed"/ {
    match($0, /"t":[0-9.]+/); t = substr($0, RSTART + 4, RLENGTH - 4) + 0;
    if (t < tend - 2) next;
    match($0, /"track":[0-9]+/); k = substr($0, RSTART + 8, RLENGTH - 8);
    match($0, /"east":-?[0-9.]+/); te[k] = substr($0, RSTART + 7, RLENGTH - 7) + 0;
    match($0, /"north":-?[0-9.]+/); tn[k] = substr($0, RSTART + 8, RLENGTH - 8) + 0 }
  END {
    n = 0; bad = 0;
    for (id in we) {
      n++; best = 1e9;
      for (k in te) { d = sqrt((te[k] - we[id]) ^ 2 + (tn[k] - wn[id]) ^ 2); if (d < best) best = d }
      printf "%s at (%.1f, %.1f): nearest confirmed track %.1f m\n", id, we[id], wn[id], best;
      if (best > 15) bad++ }
    exit !(n == 4 && bad == 0) }' "$w/sim/truth.jsonl" "$w/tracks.jsonl" ||
  fail "the aerostat's tracks do not follow the workers"
echo "wide-area CLI: ok"
