#!/usr/bin/env bash
# Slew to cue in `picket run`: the demo site's south camera gets a PTZ head (an ONVIF device on
# loopback, tests/cli/lib/onvif_device.py, that checks every request's WS-Security digest and
# AbsoluteMove fields). The south-climb scenario's intruder raises an alarm; the camera must be
# sent where the alarm's track is, follow it, and be let go once the alarm is resolved.
# ctest-labels: slow
set -u
picket=$1
src=$2
dir=$(mktemp -d)
pid=
dev=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; [[ -n $dev ]] && kill $dev 2>/dev/null; rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  cat "$dir/out.log" "$dir/err.log" "$dir/moves.jsonl" >&2 2>/dev/null || true
  exit 1
}

python3 "$src/tests/cli/lib/onvif_device.py" "$dir/port" "$dir/moves.jsonl" operator ptz-secret \
  profile-1 &
dev=$!
for _ in $(seq 50); do [[ -s $dir/port ]] && break; sleep 0.1; done
[[ -s $dir/port ]] || fail "the ONVIF test device did not start"
port=$(cat "$dir/port")

# The demo site with a PTZ head on cam-south (pan over the full circle around the camera's yaw).
cp "$src/examples/demo-site.yaml" "$dir/site.yaml"
cat >> "$dir/site.yaml" <<YAML

cameras:
  cam-south:
    ptz:
      onvif: http://127.0.0.1:$port/onvif/ptz_service
      profile: profile-1
      username: operator
      password: ptz-secret
      min_interval: 0.5
YAML
mkdir -p "$dir/scenarios"
sed 's|^site: .*|site: ../site.yaml|' "$src/examples/scenarios/south-climb.yaml" > "$dir/scenarios/south-climb.yaml"

PICKET_ADMIN_PASSWORD=s3cret-pass "$picket" --log-format json run "$dir/site.yaml" \
  --listen 127.0.0.1:0 --store "$dir/picket.db" --simulate "$dir/scenarios/south-climb.yaml" \
  --speed 4 --no-loop > "$dir/out.log" 2> "$dir/err.log" &
pid=$!
for _ in $(seq 100); do
  grep -q "console at http" "$dir/out.log" && break
  kill -0 $pid 2>/dev/null || fail "the daemon exited early"
  sleep 0.1
done
grep -q "PTZ camera cam-south ready" "$dir/out.log" || fail "the PTZ camera is not set up"
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out.log" | head -1)
login=$(curl -sf -c "$dir/cookies" -X POST "$url/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"s3cret-pass"}') || fail "login"
csrf=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$login")

# The first alarm with a track, and the camera's first move.
alarm=
for _ in $(seq 150); do
  alarm=$(curl -sf -b "$dir/cookies" "$url/api/alarms?state=all" | python3 -c '
import json, sys
alarms = [a for a in json.load(sys.stdin)["alarms"] if a["track"]]
print(min(alarms, key=lambda a: a["id"])["id"] if alarms else "")')
  [[ -n $alarm && -s $dir/moves.jsonl ]] && break
  sleep 0.2
done
[[ -n $alarm ]] || fail "no alarm with a track in 30 s"
[[ -s $dir/moves.jsonl ]] || fail "the PTZ camera was never moved"
curl -sf -b "$dir/cookies" "$url/api/alarms/$alarm" > "$dir/alarm.json" || fail "alarm $alarm"

# Every request was a valid AbsoluteMove, and the first points the camera at the alarm: pan
# (relative to the camera's yaw of 180 degrees, generic x = pan / 180 degrees) towards the
# alarm's position seen from the camera at (0, -195).
python3 - "$dir/moves.jsonl" "$dir/alarm.json" <<'PY' || fail "PTZ requests"
import json, math, sys
moves = [json.loads(l) for l in open(sys.argv[1])]
bad = [m for m in moves if "error" in m]
if bad:
    sys.exit(f"refused requests: {bad}")
a = json.load(open(sys.argv[2]))["alarm"]
bearing = math.degrees(math.atan2(a["east"] - 0.0, a["north"] - (-195.0)))
pan = (bearing - 180 + 540) % 360 - 180
x = moves[0]["x"]
if abs(x * 180 - pan) > 15:
    sys.exit(f"first move pans to {x * 180:.1f} deg, the alarm is at {pan:.1f} deg from the camera's axis")
# Generic y maps tilt -90..+30 degrees (the default range) onto -1..1.
tilt = -90 + (moves[0]["y"] + 1) / 2 * 120
if not -60 < tilt < 0:
    sys.exit(f"tilt {tilt:.1f} deg: the camera (8 m up) should look down at a person on the ground")
PY

# Resolve it: the camera is let go, and no more moves follow for that alarm.
curl -sf -b "$dir/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -X POST "$url/api/alarms/$alarm/resolve" -d '{"outcome":"test","note":"ptz test"}' > /dev/null ||
  fail "resolve"
sleep 1
n1=$(wc -l < "$dir/moves.jsonl")
sleep 3
n2=$(wc -l < "$dir/moves.jsonl")
# Another alarm may take the camera again; then the log says so.
if [[ $n2 != "$n1" ]] && ! grep -q '"action":"cue"' <(tail -n +2 <(grep '"event":"ptz"' "$dir/err.log")); then
  fail "the camera kept moving after its alarm was resolved ($n1 -> $n2 requests)"
fi
grep -q '"event":"ptz","camera":"cam-south","action":"cue"' "$dir/err.log" || fail "the cue was not logged"
curl -s "$url/metrics" | grep -q '^picket_ptz_requests_total{camera="cam-south",result="moved"}' ||
  fail "no PTZ metrics"

kill -TERM $pid
wait $pid
code=$?
pid=
[[ $code == 0 ]] || fail "exit code $code after SIGTERM"
echo "run_ptz: ok ($(wc -l < "$dir/moves.jsonl") AbsoluteMove requests)"
