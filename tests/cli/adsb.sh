#!/usr/bin/env bash
# picket adsb decode end to end: the real Beast capture (23 DF17 with valid parity), SBS-1
# text and hex frames; bad input gives exit 2 with byte offsets or line numbers.
set -euo pipefail
picket=$1
src=$2
data="$src/tests/data/adsb"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$picket" adsb decode "$data/sample_dump1090.bin" > "$work/out.jsonl" 2> "$work/err" ||
  fail "beast: exit $? $(cat "$work/err")"
grep -q "beast: 239 Mode S frames (239 decoded, 0 undecodable" "$work/err" ||
  fail "beast summary: $(cat "$work/err")"
[ "$(grep -c '"df":17,.*"crc_ok":true' "$work/out.jsonl")" = 23 ] || fail "23 valid DF17 expected"
grep -q '"position":"global"' "$work/out.jsonl" || fail "no position decoded"

"$picket" adsb decode "$data/sbs_woodair_sample.txt" > "$work/sbs.jsonl" 2> "$work/err"
grep -q "SBS: 12 messages, 0 lines rejected" "$work/err" || fail "sbs: $(cat "$work/err")"
grep -q '"icao":"4CA2D6","time":1227884030.594,"altitude_ft":37000,"lat":51.45735,"lon":-1.02826' \
  "$work/sbs.jsonl" || fail "sbs values: $(sed -n 5p "$work/sbs.jsonl")"

printf '*8D406B902015A678D4D220AA4BDA;\n*8D406B902015A678D4D220AA4BD;\n\n# comment\n' > "$work/frames.txt"
set +e
"$picket" adsb decode "$work/frames.txt" > "$work/hex.jsonl" 2> "$work/err"
code=$?
set -e
[ $code = 2 ] || fail "hex: exit $code"
grep -q '"callsign":"EZY85MH "' "$work/hex.jsonl" || fail "callsign: $(cat "$work/hex.jsonl")"
grep -q "line 2: 27 hex digits; a Mode S frame has 14 or 28" "$work/err" || fail "hex error: $(cat "$work/err")"

# A Beast stream cut in the middle of a frame.
head -c 4000 "$data/sample_dump1090.bin" > "$work/cut.bin"
set +e
"$picket" adsb decode --summary "$work/cut.bin" 2> "$work/err"
code=$?
set -e
[ $code = 2 ] || fail "cut beast: exit $code"
grep -q "Beast frame cut short by the end of the data" "$work/err" || fail "cut: $(cat "$work/err")"
echo "adsb: ok"
