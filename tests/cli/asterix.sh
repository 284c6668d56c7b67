#!/usr/bin/env bash
# picket asterix decode end to end: the real recordings (raw, pcap, GPS-wrapped) decode with
# exit 0 and the expected counts; editions are chosen per category; bad input gives exit 2,
# errors with byte offsets, and the rest of the stream still decoded.
set -euo pipefail
picket=$1
src=$2
data="$src/tests/data/asterix/croatiacontrol"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$picket" asterix decode "$data/cat_034_048.pcap" > "$work/out.jsonl" 2> "$work/err" ||
  fail "pcap: exit $? $(cat "$work/err")"
grep -q "120 blocks, 162 records decoded (CAT034 34 CAT048 128), 0 rejected" "$work/err" ||
  fail "pcap summary: $(cat "$work/err")"
[ "$(wc -l < "$work/out.jsonl")" = 162 ] || fail "162 JSON lines expected"
head -1 "$work/out.jsonl" | grep -q '"I040":{"RHO":197.68359375,"THETA":340.13671875}' ||
  fail "first record: $(head -1 "$work/out.jsonl")"
head -1 "$work/out.jsonl" | grep -q '"capture_time":1462433756.5' || fail "capture time"

# --raw prints raw integers; --edition picks the edition.
"$picket" asterix decode --raw --edition 48=1.27 "$data/cat048.raw" 2>/dev/null |
  grep -q '"edition":"1.27".*"I040":{"RHO":50607,"THETA":61920}' || fail "raw values"
"$picket" asterix decode --format gps --summary "$data/parsegps.gps" 2> "$work/err"
grep -q "15 blocks, 18 records decoded" "$work/err" || fail "gps: $(cat "$work/err")"
"$picket" asterix decode --list-editions | grep -q "CAT062: 1.16 1.17 1.18 1.19 1.20 1.21 (default)" ||
  fail "editions list"

# A usage error: an edition that does not exist.
set +e
"$picket" asterix decode --edition 48=9.9 "$data/cat048.raw" > /dev/null 2> "$work/err"
code=$?
set -e
[ $code = 2 ] || fail "unknown edition: exit $code"
grep -q "CAT048 has no edition 9.9 here (known: 1.27 1.28 1.29 1.30 1.31 1.32)" "$work/err" ||
  fail "unknown edition message: $(cat "$work/err")"

# Bad input: a block whose LEN claims 200 octets of the next one, a truncated block at the end.
python3 - "$data/cat048.raw" "$work/bad.ast" <<'PY'
import sys
good = open(sys.argv[1], 'rb').read()
bad = bytearray(good); bad[2] = 58
open(sys.argv[2], 'wb').write(bytes(bad) + good + good + good[:20])
PY
set +e
"$picket" asterix decode "$work/bad.ast" > "$work/out.jsonl" 2> "$work/err"
code=$?
set -e
[ $code = 2 ] || fail "bad input: exit $code"
grep -q "byte 0: CAT048 block: LEN 58 is too long: another block starts at byte 48" "$work/err" ||
  fail "lying length: $(cat "$work/err")"
grep -q "byte 144: block: CAT048 block LEN 48 runs past the end of the data (20 octets left)" "$work/err" ||
  fail "truncated block: $(cat "$work/err")"
[ "$(wc -l < "$work/out.jsonl")" = 3 ] || fail "the three good records must still be decoded"

# A file that does not exist: exit 2.
set +e
"$picket" asterix decode "$work/none.ast" > /dev/null 2>&1
code=$?
set -e
[ $code = 2 ] || fail "missing file: exit $code"
echo "asterix: ok"
