#!/usr/bin/env bash
# picket run end to end: starts on a free port, takes detections over UDP and TCP, answers
# /healthz, /readyz and /metrics, refuses the API without a session, stops on SIGTERM with exit
# code 0 and leaves a store that passes `picket store check`; a bad site is refused with exit 2.
set -u  # no -e: every check below fails with its own message
picket=$1
src=$2
dir=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- daemon output ---" >&2
  cat "$dir/out.log" "$dir/err.log" >&2 || true
  exit 1
}

# A site file that does not load: exit code 2 and the file named.
printf 'name: x\n' > "$dir/bad.yaml"

"$picket" run "$dir/bad.yaml" --store "$dir/x.db" > "$dir/bad.log" 2>&1
code=$?

[[ $code == 2 ]] || { cat "$dir/bad.log"; echo "FAIL: bad site gave exit $code, not 2"; exit 1; }
grep -q "bad.yaml" "$dir/bad.log" || { cat "$dir/bad.log"; echo "FAIL: the error does not name the file"; exit 1; }

# Structured logs: with --log-format json every line on stderr is one JSON object.
PICKET_ADMIN_PASSWORD=s3cret-pass "$picket" --log-format json run "$src/examples/demo-site.yaml" \
  --listen 127.0.0.1:0 --udp 127.0.0.1:0 --tcp 127.0.0.1:0 --store "$dir/picket.db" \
  > "$dir/out.log" 2> "$dir/err.log" &
pid=$!
for _ in $(seq 100); do
  grep -q "console at http" "$dir/out.log" && break
  kill -0 $pid 2>/dev/null || fail "the daemon exited early"
  sleep 0.1
done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out.log" | head -1)
udp=$(grep -o 'over UDP on 127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$')
tcp=$(grep -o 'over TCP on 127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$')
[[ -n $url && -n $udp && -n $tcp ]] || fail "no URL or input ports printed"
grep -q "created user 'admin'" "$dir/out.log" || fail "no admin created on first start"

for _ in $(seq 50); do curl -sf "$url/readyz" > /dev/null && break; sleep 0.1; done
curl -sf "$url/healthz" > /dev/null || fail "/healthz"
curl -sf "$url/readyz" > /dev/null || fail "/readyz"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/api/tracks") == 401 ]] || fail "/api/tracks without a session is not 401"

# Detections: two good ones over UDP, one over TCP, one for an unknown sensor, one bad line.
now=$(date +%s.%N)
printf '{"t":%s,"sensor":"radar-sw","range":412.37,"bearing":33.5,"sigma_range":2,"sigma_bearing":0.6}\n{"t":%s,"sensor":"radar-ne","range":300,"bearing":200,"sigma_range":2,"sigma_bearing":0.6}\n' "$now" "$now" > /dev/udp/127.0.0.1/$udp
printf '{"t":%s,"sensor":"nobody","east":1,"north":2,"sigma":1}\nnot json\n' "$now" > /dev/udp/127.0.0.1/$udp
exec 3<>/dev/tcp/127.0.0.1/$tcp
printf '{"t":%s,"sensor":"cam-south","east":12.5,"north":-260.25,"sigma":2.5,"class":"person","score":0.8}\n' "$now" >&3
exec 3>&-
metric() { curl -s "$url/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { print s + 0 }'; }
for _ in $(seq 50); do
  [[ $(metric 'picket_detections_total') -ge 3 && $(metric 'picket_detections_rejected_total') -ge 2 ]] && break
  sleep 0.1
done
[[ $(metric 'picket_detections_total') -ge 3 ]] || fail "accepted detections: $(metric picket_detections_total), want 3"
[[ $(metric 'picket_detections_rejected_total') -ge 2 ]] || fail "rejected: $(metric picket_detections_rejected_total), want 2"
curl -s "$url/metrics" | grep -q '^picket_pipeline_latency_seconds_bucket' || fail "no latency histogram"

# Log in and read the API.
curl -sf -c "$dir/cookies" -X POST "$url/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"s3cret-pass"}' > /dev/null || fail "login"
curl -sf -b "$dir/cookies" "$url/api/sensors" | grep -q '"radar-sw"' || fail "/api/sensors"
curl -sf -b "$dir/cookies" "$url/api/site" | grep -q '"FeatureCollection"' || fail "/api/site"
curl -sf -b "$dir/cookies" "$url/api/alarms?state=all" | grep -q '"total"' || fail "/api/alarms"
curl -s -o /dev/null -X POST "$url/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"wrong-password"}'

# The log: JSON objects only, with the rejections (reason, sender, what was wrong) and the audit
# of the logins among them.
for _ in $(seq 50); do grep -q '"action":"login_failed"' "$dir/err.log" && break; sleep 0.1; done
python3 - "$dir/err.log" <<'PY' || fail "structured log"
import json, sys
events = []
for n, line in enumerate(open(sys.argv[1]), 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        sys.exit(f"err.log:{n}: not JSON ({e}): {line!r}")
    if not {"time", "level"} <= obj.keys():
        sys.exit(f"err.log:{n}: no time or level: {line!r}")
    events.append(obj)
def has(**want):
    return any(all(e.get(k) == v for k, v in want.items()) for e in events)
checks = {
    "unknown sensor rejected": has(event="detections_rejected", reason="unknown_sensor", sensor="nobody"),
    "malformed line rejected": has(event="detections_rejected", reason="malformed", sender="127.0.0.1"),
    "login audited": has(event="audit", action="login", actor="admin"),
    "failed login audited": has(event="audit", action="login_failed", actor="admin"),
}
bad = [k for k, ok in checks.items() if not ok]
if bad:
    sys.exit("missing in the log: " + ", ".join(bad))
malformed = next(e for e in events if e.get("reason") == "malformed")
if not malformed.get("detail"):
    sys.exit("the malformed line's rejection does not say what was wrong")
PY

kill -TERM $pid
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "still running 10 s after SIGTERM"

wait $pid
code=$?

pid=
[[ $code == 0 ]] || fail "exit code $code after SIGTERM"
"$picket" store check "$dir/picket.db" > /dev/null || fail "store check after stop"
# A second start keeps the users: no new admin.
PICKET_ADMIN_PASSWORD=other "$picket" run "$src/examples/demo-site.yaml" --listen 127.0.0.1:0 --store "$dir/picket.db" > "$dir/out.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "console at http" "$dir/out.log" && break; sleep 0.1; done
grep -q "created user" "$dir/out.log" && fail "a second admin was created on restart"
kill -TERM $pid
wait $pid
pid=
echo "run: ok"
