#!/usr/bin/env bash
# Whole-command ASTERIX throughput and memory: `picket asterix decode --summary` on a large raw
# file made of the real CAT048 recording's blocks replicated (default 1 GiB), timed, with the
# peak resident memory, which must not grow with the file (the decoder streams).
#   bash bench/asterix.sh [BUILD_DIR] [MEGABYTES]
set -euo pipefail
build=${1:-build/release}
mb=${2:-1024}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$src/tests/data/asterix/croatiacontrol/cat_034_048.pcap" "$work/unit.ast" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read(); o = 24; out = b''
while o + 16 <= len(d):
    incl = struct.unpack('<I', d[o+8:o+12])[0]; pkt = d[o+16:o+16+incl]; o += 16 + incl
    ihl = (pkt[14] & 15) * 4; p = pkt[14+ihl+8:]; i = 0
    while i + 3 <= len(p):
        n = (p[i+1] << 8) | p[i+2]
        if p[i] == 48: out += p[i:i+n]
        i += n
open(sys.argv[2], 'wb').write(out)
PY
unit=$(stat -c %s "$work/unit.ast")
reps=$(( mb * 1048576 / unit ))
python3 -c "
import sys
u = open('$work/unit.ast','rb').read()
with open('$work/big.ast','wb') as f:
    chunk = u * 1000
    for _ in range($reps // 1000): f.write(chunk)
"
size=$(stat -c %s "$work/big.ast")
/usr/bin/time -v "$build/picket" asterix decode --summary "$work/big.ast" 2> "$work/log" || true
records=$(sed -n 's/.* blocks, \([0-9]*\) records decoded.*/\1/p' "$work/log")
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/log" |
       awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
user=$(sed -n 's/.*User time (seconds): //p' "$work/log")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/log")
awk -v r="$records" -v s="$secs" -v u="$user" -v b="$size" -v m="$rss" 'BEGIN {
  printf "picket asterix decode --summary, %.0f MB of CAT048 (%d records): %.2f s wall, %.2f s user, %.2f M records/s, %.0f MB/s (user time), peak RSS %.1f MB\n",
         b/1e6, r, s, u, r/u/1e6, b/u/1e6, m/1024 }'
