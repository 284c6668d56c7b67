#!/usr/bin/env bash
# picket video end to end: vtest.avi (people walking, from Debian's opencv-doc) through the
# example site's calibrated camera; then the refusals of bad input.
set -euo pipefail
picket=$1
src=$2
shared=${PICKET_SHARED_DIR:-$src/../shared}
video=$shared/data/video/debian_opencv-doc/vtest.avi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 15 s of the video (150 frames at 10 fps) from a given start time.
"$picket" video "$video" --camera cam-forecourt --site "$src/examples/video-site.yaml" \
  --out "$out/run" --max-frames 150 --start 2026-11-28T22:00:00Z > "$out/stdout"
grep -q "150 frames" "$out/stdout" || fail "not 150 frames: $(cat "$out/stdout")"
det=$out/run/detections.jsonl
[ -s "$det" ] || fail "no detections"
# People found by the HOG detector, placed on the ground in the detections format.
people=$(grep -c '"class":"person"' "$det" || true)
[ "$people" -ge 150 ] || fail "only $people person detections"
head -1 "$det" | grep -q '"sensor":"cam-forecourt"' || fail "wrong sensor: $(head -1 "$det")"
head -1 "$det" | grep -Eq '"east":-?[0-9.]+,"north":-?[0-9.]+' || fail "no ground position"
head -1 "$det" | grep -q '"sigma":' || fail "no sigma"
# Times run from the start given, 0.1 s apart per frame.
first_t=$(head -1 "$det" | sed -E 's/.*"t":([0-9.]+).*/\1/')
last_t=$(tail -1 "$det" | sed -E 's/.*"t":([0-9.]+).*/\1/')
awk -v a="$first_t" -v b="$last_t" 'BEGIN { exit !(a >= 1795903200 && b <= 1795903215 && b > a) }' \
  || fail "times $first_t .. $last_t outside the 15 s from the start"
# Everyone is on the forecourt in front of the camera (within 60 m of the site origin).
awk -F'"east":|,"north":|,"up"' '{ e = $2; n = $3; if (e*e + n*n > 3600) bad++ } END { exit bad > 0 }' "$det" \
  || fail "detections far from the forecourt"
[ -s "$out/run/annotated.avi" ] || fail "no annotated video"
[ "$(stat -c %s "$out/run/annotated.avi")" -gt 500000 ] || fail "annotated video too small"
grep -q '"frames": 150' "$out/run/summary.json" || fail "summary"
# Image-plane tracks: MOTChallenge rows (frame, id, box, score, -1, -1, -1) that the MOT reader
# accepts, and the detections carry their track ids.
mot=$out/run/tracks.txt
[ "$(wc -l < "$mot")" -ge 200 ] || fail "only $(wc -l < "$mot") track rows"
awk -F, 'NF != 10 || $1 < 1 || $1 > 150 || $2 < 1 || $5 <= 0 || $6 <= 0 { bad++ } END { exit bad > 0 }' "$mot" \
  || fail "malformed MOTChallenge rows: $(head -2 "$mot")"
"$picket" eval --mot "$mot" "$mot" --mot-preprocess none > "$out/self.json" 2> /dev/null || fail "picket eval cannot read tracks.txt"
grep -Eq '"MOTA": ?1(\.0)?[,}]' "$out/self.json" || fail "tracks.txt against itself: $(cat "$out/self.json")"
grep -q '"id":"' "$det" || fail "no track ids in the detections"
# The longest track follows one person for at least 5 s.
longest=$(cut -d, -f2 "$mot" | sort | uniq -c | sort -rn | head -1 | awk '{ print $1 }')
[ "$longest" -ge 50 ] || fail "longest track only $longest frames"

# Bad input: a clear message and exit code 2, never a crash.
expect_usage() {
  local what=$1 pattern=$2
  shift 2
  set +e
  "$@" > "$out/err.out" 2> "$out/err"
  local code=$?
  set -e
  [ "$code" -eq 2 ] || fail "$what: exit code $code, not 2 ($(cat "$out/err"))"
  grep -q "$pattern" "$out/err" || fail "$what: message '$(cat "$out/err")' lacks '$pattern'"
}
expect_usage "missing file" "no such video file" \
  "$picket" video "$out/none.avi" --camera cam-forecourt --site "$src/examples/video-site.yaml" --out "$out/x"
echo "not a video" > "$out/text.avi"
expect_usage "not a video" "cannot read this file as video" \
  "$picket" video "$out/text.avi" --camera cam-forecourt --site "$src/examples/video-site.yaml" --out "$out/x"
head -c 200000 "$video" > "$out/head.avi"
"$picket" video "$out/head.avi" --camera cam-forecourt --site "$src/examples/video-site.yaml" \
  --out "$out/trunc" --no-video > "$out/trunc.out" 2> "$out/trunc.err" || fail "truncated file failed"
grep -q "truncated or corrupt" "$out/trunc.err" || fail "truncation not reported: $(cat "$out/trunc.err")"
expect_usage "unknown camera" "no sensor 'cam-nope'" \
  "$picket" video "$video" --camera cam-nope --site "$src/examples/video-site.yaml" --out "$out/x"
sed 's/kind: visible/kind: visable/' "$src/examples/video-site.yaml" > "$out/bad-site.yaml"
# The copied site's relative paths no longer resolve, which is fine: the kind error comes first.
expect_usage "bad kind" "cameras.cam-forecourt.kind" \
  "$picket" video "$video" --camera cam-forecourt --site "$out/bad-site.yaml" --out "$out/x"
python3 - "$src/examples/video-site.yaml" "$out/line-site.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# Survey points along one line: the calibration must be refused.
pts = "\n".join(f"        - {{pixel: [{100 + 80 * i}, {400 - 30 * i}], at: {{east: {2 * i}, north: {4 * i}}}}}" for i in range(5))
text = re.sub(r"(      points:\n)(        - .*\n)+", lambda m: m.group(1) + pts + "\n", text)
open(sys.argv[2], "w").write(text)
PY
expect_usage "collinear calibration" "lie on one line" \
  "$picket" video "$video" --camera cam-forecourt --site "$out/line-site.yaml" --out "$out/x"
echo "video: ok"
