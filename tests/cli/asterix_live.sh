#!/usr/bin/env bash
# picket simulate --asterix-udp into picket run: a radar's CAT048 plots and CAT034 service
# messages over UDP on loopback reach the daemon's ASTERIX input (server.inputs in the site
# file), become detections of the right radar and a confirmed track; the radar is alive from its
# north markers; a garbage datagram is rejected, counted, logged with its byte offset, and the
# daemon goes on. Also: --asterix FILE writes blocks that `picket asterix decode` reads cleanly,
# and a bad inputs section is refused with its line.
set -u  # no -e: every check says which one failed
picket=$1
src=$2
dir=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- daemon output ---" >&2; cat "$dir/out.log" >&2 2>/dev/null; exit 1; }

# The demo site with ASTERIX inputs for its two radars (port 0: any free port).
sed "s|^name:.*|name: asterix live test|" "$src/examples/demo-site.yaml" > "$dir/site.yaml"
cat >> "$dir/site.yaml" <<'YAML'
server:
  inputs:
    radar-sw:
      asterix: {listen: 127.0.0.1:0, category: 48, source: {sac: 3, sic: 1}}
    radar-ne:
      asterix: {listen: 127.0.0.1:0, category: 10, source: {sac: 3, sic: 2}}
YAML
grep -q "^server:" "$src/examples/demo-site.yaml" && fail "the demo site has a server section: adapt this test"
cat > "$dir/scenario.yaml" <<'YAML'
site: site.yaml
start: 2026-11-28T12:00:00Z
duration: 14
seed: 5
movers:
  - id: car
    kind: vehicle
    path:
      - {east: -900, north: -500}
      - {at: {east: -500, north: -500}, speed: 12}
YAML

# --asterix FILE: raw blocks that decode cleanly, both categories and CAT034.
"$picket" simulate "$dir/scenario.yaml" --asterix "$dir/out.ast" > "$dir/sim.log" 2>&1 || fail "simulate --asterix: $(cat "$dir/sim.log")"
grep -q "asterix .* plots and .* CAT034 service messages" "$dir/sim.log" || fail "no asterix summary: $(cat "$dir/sim.log")"
"$picket" asterix decode "$dir/out.ast" > "$dir/decoded.jsonl" 2> "$dir/decode.err" || fail "decode: $(cat "$dir/decode.err")"
grep -q " 0 rejected" "$dir/decode.err" || fail "decode of the simulator's blocks: $(cat "$dir/decode.err")"
for cat in 10 34 48; do
  grep -q "\"cat\":$cat," "$dir/decoded.jsonl" || fail "no CAT0$cat record in the simulator's file"
done

# A bad inputs section: refused with exit 2 and the line.
sed 's/category: 48, source/category: 62, source/' "$dir/site.yaml" > "$dir/bad.yaml"
"$picket" run "$dir/bad.yaml" --store "$dir/bad.db" > "$dir/bad.log" 2>&1
code=$?
[[ $code == 2 ]] || fail "bad inputs section: exit $code, not 2: $(cat "$dir/bad.log")"
grep -q "bad.yaml:[0-9]* .*category" "$dir/bad.log" || fail "bad inputs: no file:line: $(cat "$dir/bad.log")"

PICKET_ADMIN_PASSWORD=s3cret-pass "$picket" run "$dir/site.yaml" --listen 127.0.0.1:0 \
  --store "$dir/picket.db" > "$dir/out.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  grep -q "console at http" "$dir/out.log" && break
  kill -0 $pid 2>/dev/null || fail "the daemon exited early"
  sleep 0.1
done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out.log" | head -1)
sw=$(grep -o 'ASTERIX for radar-sw over UDP on 127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$')
ne=$(grep -o 'ASTERIX for radar-ne over UDP on 127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$')
[[ -n $url && -n $sw && -n $ne ]] || fail "no URL or ASTERIX ports printed"
metric() { curl -s "$url/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { print s + 0 }'; }

# Garbage first: a block whose length lies. Rejected, counted, logged with its offset.
printf '\x30\x40\x00garbage' > /dev/udp/127.0.0.1/$sw
"$picket" simulate "$dir/scenario.yaml" --asterix-udp "radar-sw=127.0.0.1:$sw" \
  --asterix-udp "radar-ne=127.0.0.1:$ne" --out "$dir/sim" > "$dir/simlive.log" 2>&1 ||
  fail "simulate --asterix-udp: $(cat "$dir/simlive.log")"
grep -q "datagrams sent" "$dir/simlive.log" || fail "no datagrams sent: $(cat "$dir/simlive.log")"
json_sw=$(grep -c '"sensor":"radar-sw","range"' "$dir/sim/detections.jsonl")
json_ne=$(grep -c '"sensor":"radar-ne","range"' "$dir/sim/detections.jsonl")
# Plots = detections accepted minus the heartbeats that CAT034 gave.
counts() {
  sw_beats=$(metric 'picket_asterix_health_reports_total{sensor="radar-sw"}')
  ne_beats=$(metric 'picket_asterix_health_reports_total{sensor="radar-ne"}')
  sw_det=$(( $(metric 'picket_detections_total{sensor="radar-sw"}') - sw_beats ))
  ne_det=$(( $(metric 'picket_detections_total{sensor="radar-ne"}') - ne_beats ))
}
for _ in $(seq 50); do
  counts
  (( sw_det == json_sw && ne_det == json_ne )) && break
  sleep 0.1
done
(( sw_det > 0 && ne_det > 0 )) || fail "detections: radar-sw $sw_det, radar-ne $ne_det"
(( sw_det == json_sw && ne_det == json_ne )) ||
  fail "plots: received $sw_det + $ne_det, the simulator made $json_sw + $json_ne"
(( sw_beats >= 10 && ne_beats >= 10 )) || fail "heartbeats from CAT034: radar-sw $sw_beats, radar-ne $ne_beats"
[[ $(metric 'picket_tracks ') -ge 1 ]] || fail "no confirmed track from the ASTERIX plots"
[[ $(metric 'picket_asterix_rejected_total') -ge 1 ]] || fail "the garbage datagram was not counted"
grep -q "asterix input radar-sw: rejected: byte 0" "$dir/out.log" || fail "no log line with the byte offset"

kill -TERM $pid
wait $pid
code=$?
pid=
[[ $code == 0 ]] || fail "exit code $code after SIGTERM"
echo "asterix_live: ok ($sw_det + $ne_det detections from ASTERIX; the simulator made $json_sw + $json_ne plots)"
