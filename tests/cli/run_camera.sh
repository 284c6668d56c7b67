#!/usr/bin/env bash
# `picket run` with a camera: the site's camera plays the public test video vtest.avi (people
# walking across a forecourt) as a live stream; people entering the forecourt zone raise alarms,
# and each alarm gets the camera's evidence (crop, snapshot and clip), kept in the store and
# served by the API as JPEG. SIGTERM keeps it all.
# ctest-labels: slow
set -u
picket=$1
src=$2
video="$src/../shared/data/video/debian_opencv-doc/vtest.avi"
[[ -f $video ]] || { echo "FAIL: no test video at $video"; exit 1; }
dir=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  cat "$dir/out.log" "$dir/err.log" >&2 || true
  exit 1
}

PICKET_ADMIN_PASSWORD=s3cret-pass "$picket" --log-format json run "$src/examples/video-site.yaml" \
  --listen 127.0.0.1:0 --store "$dir/picket.db" > "$dir/out.log" 2> "$dir/err.log" &
pid=$!
for _ in $(seq 100); do
  grep -q "console at http" "$dir/out.log" && break
  kill -0 $pid 2>/dev/null || fail "the daemon exited early"
  sleep 0.1
done
grep -q "camera cam-forecourt analysing" "$dir/out.log" || fail "the camera did not start"
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out.log" | head -1)
curl -sf -c "$dir/cookies" -X POST "$url/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"s3cret-pass"}' > /dev/null || fail "login"

# Wait for an alarm whose evidence is complete (the clip ends 4 s after the alarm).
alarm=
for _ in $(seq 90); do
  alarm=$(curl -sf -b "$dir/cookies" "$url/api/alarms?state=all" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["alarms"]:
    print(a["id"])' | while read -r id; do
    if curl -sf -b "$dir/cookies" "$url/api/alarms/$id" | python3 -c '
import json, sys
a = json.load(sys.stdin)["alarm"]
sys.exit(0 if len(a["evidence"]) >= 2 and len(a["evidence_clip"]) >= 10 else 1)'; then
      echo "$id"
      break
    fi
  done)
  [[ -n $alarm ]] && break
  sleep 0.5
done
[[ -n $alarm ]] || fail "no alarm with complete evidence in 45 s"

curl -sf -b "$dir/cookies" "$url/api/alarms/$alarm" > "$dir/alarm.json"
python3 - "$dir/alarm.json" <<'PY' || fail "alarm detail"
import json, sys
a = json.load(open(sys.argv[1]))["alarm"]
assert a["kind"] == "zone_entry" and a["zone"] == "forecourt", a
assert any("/crop/" in u for u in a["evidence"]) and any("/snapshot/" in u for u in a["evidence"]), a["evidence"]
ts = [c["t"] for c in a["evidence_clip"]]
assert ts == sorted(ts), "clip frames out of order"
PY
for u in $(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["alarm"]; print(" ".join(a["evidence"] + [a["evidence_clip"][0]["url"]]))' "$dir/alarm.json"); do
  code=$(curl -s -b "$dir/cookies" -o "$dir/img.jpg" -w '%{http_code} %{content_type}' "$url$u")
  [[ $code == "200 image/jpeg" ]] || fail "$u: $code"
  [[ $(head -c 2 "$dir/img.jpg" | od -An -tx1 | tr -d ' ') == ffd8 ]] || fail "$u is not a JPEG"
done
snap=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["alarm"]["evidence"][-1])' "$dir/alarm.json")
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url$snap") == 401 ]] || fail "evidence without a session"
[[ $(curl -s -b "$dir/cookies" -o /dev/null -w '%{http_code}' "$url/api/alarms/$alarm/evidence/cam-forecourt/clip/99999") == 404 ]] ||
  fail "missing evidence is not 404"
curl -s "$url/metrics" | grep -q '^picket_camera_frames_total{camera="cam-forecourt"}' || fail "no camera metrics"

kill -TERM $pid
wait $pid
code=$?
pid=
[[ $code == 0 ]] || fail "exit code $code after SIGTERM"
"$picket" store check "$dir/picket.db" > /dev/null || fail "store check after stop"
grep -q '"event":"evidence"' "$dir/err.log" || fail "evidence not logged"

# A camera whose stream never answers: a camera fault alarm after its bounded outage (3 s here).
sed 's|^    source: .*|    source: rtsp://127.0.0.1:9/nothing\n    stream: {open_timeout: 1, reconnect_min: 0.5, reconnect_max: 1, fault_after: 3}|' \
  "$src/examples/video-site.yaml" > "$dir/dead.yaml"
PICKET_ADMIN_PASSWORD=s3cret-pass "$picket" run "$dir/dead.yaml" --listen 127.0.0.1:0 \
  --store "$dir/dead.db" > "$dir/out.log" 2> "$dir/err.log" &
pid=$!
for _ in $(seq 100); do grep -q "console at http" "$dir/out.log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out.log" | head -1)
curl -sf -c "$dir/cookies" -X POST "$url/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"s3cret-pass"}' > /dev/null || fail "login (dead camera)"
fault=
for _ in $(seq 100); do
  fault=$(curl -sf -b "$dir/cookies" "$url/api/alarms" | python3 -c '
import json, sys
print(any(a["kind"] == "sensor_fault" and a["sensor"] == "cam-forecourt" for a in json.load(sys.stdin)["alarms"]))')
  [[ $fault == True ]] && break
  sleep 0.1
done
[[ $fault == True ]] || fail "no camera fault alarm 10 s into an outage"
grep -q "kind=fault" "$dir/err.log" || fail "the outage was not logged"
kill -TERM $pid
wait $pid
pid=
echo "run_camera: ok"
