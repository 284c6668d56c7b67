#!/usr/bin/env bash
# picket mot and picket eval --mot end to end on MOT15 TUD-Campus (tests/data/mot):
# ByteTrack must beat the SORT baseline on HOTA, MOTA and IDF1 on the same detections, the
# published scores of the reference pair must come out, and bad input must be refused with
# file:line or skipped and counted.
set -euo pipefail
picket=$1
src=$2
data="$src/tests/data/mot/TUD-Campus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

score() {  # score RESULTS FIELD -> the field of picket eval's JSON
  "$picket" eval --mot "$data/gt.txt" "$1" 2>/dev/null | sed -n "s/^  \"$2\": \(.*\),$/\1/p"
}
better() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

"$picket" mot "$data/det.txt" --out "$work/byte.txt" --frame-rate 25 2>"$work/byte.log"
"$picket" mot "$data/det.txt" --out "$work/sort.txt" --frame-rate 25 --sort 2>"$work/sort.log"
grep -q "71 frames, 321 boxes" "$work/byte.log" || fail "summary: $(cat "$work/byte.log")"
for f in HOTA MOTA IDF1; do
  b=$(score "$work/byte.txt" $f)
  s=$(score "$work/sort.txt" $f)
  echo "$f: ByteTrack $b, SORT $s"
  better "$b" "$s" || fail "ByteTrack's $f ($b) is not above SORT's ($s)"
done
# Results are MOTChallenge text: 10 columns, frames 1..71.
awk -F, 'NF != 10 || $1 < 1 || $1 > 71 { exit 1 }' "$work/byte.txt" || fail "results format"

# The published pair: py-motmetrics MOTA 0.526462, IDF1 0.557659.
ref="$work/ref.json"
"$picket" eval --mot "$data/gt.txt" "$data/test.txt" > "$ref" 2>/dev/null
grep -q '"MOTA": 0.52646' "$ref" || fail "MOTA of the reference pair: $(grep MOTA "$ref")"
grep -q '"IDF1": 0.55765' "$ref" || fail "IDF1 of the reference pair"
grep -q '"HOTA": 0.39139' "$ref" || fail "HOTA of the reference pair"
"$picket" eval --mot "$data/gt.txt" "$data/test.txt" --plot "$work/h.svg" >/dev/null 2>&1
grep -q "<polyline" "$work/h.svg" || fail "no plot"

# Bad input: the line and column are named, exit code 2; --skip-bad counts and goes on.
{ head -3 "$data/det.txt"; echo "2,-1,10,20,nan,40,0.9,-1,-1,-1"; tail -n +4 "$data/det.txt"; } \
  > "$work/bad.txt"
set +e
"$picket" mot "$work/bad.txt" --out "$work/x.txt" --frame-rate 25 2>"$work/err.txt"
rc=$?
set -e
[ $rc -eq 2 ] || fail "exit code $rc for a bad line"
grep -q "bad.txt:4 column 5 (bb_width): not a finite number" "$work/err.txt" ||
  fail "error message: $(cat "$work/err.txt")"
"$picket" mot "$work/bad.txt" --out "$work/x.txt" --frame-rate 25 --skip-bad 2>"$work/err.txt"
grep -q "1 bad lines skipped" "$work/err.txt" || fail "skip-bad: $(cat "$work/err.txt")"
cmp -s "$work/x.txt" "$work/byte.txt" || fail "skipping the bad line changed the results"
set +e
"$picket" eval --mot "$data/gt.txt" "$data/det.txt" 2>"$work/err.txt"
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "results id -1 appears more than once" "$work/err.txt" ||
  fail "eval of a detection file: $rc $(cat "$work/err.txt")"
echo "ok"
