#!/usr/bin/env bash
# Whole-command measurements of `picket mot` (docs/performance.md, "Camera-plane tracking";
# docs/imagetrack.md): ByteTrack and SORT on every shipped MOT15 sequence (frames per second as
# the command reports them), the TUD-Campus scores against its ground truth, and the peak
# memory of the command on a synthetic sequence of 5,000 boxes a frame.
set -euo pipefail
build=${1:-build/release}
picket="$build/picket"
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${PICKET_SHARED_DIR:-$src/../shared}
det_root="$shared/data/mot/abewley_sort_MOT15_det/data/train"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A rate=([ADL-Rundle-6]=30 [ADL-Rundle-8]=30 [ETH-Bahnhof]=14 [ETH-Pedcross2]=14
  [ETH-Sunnyday]=14 [KITTI-13]=10 [KITTI-17]=10 [PETS09-S2L1]=7 [TUD-Campus]=25 [Venice-2]=30)
printf "%-14s %-9s %7s %7s %7s %12s\n" sequence method frames boxes tracks frames/s
for seq in $(ls "$det_root"); do
  for method in bytetrack sort; do
    flag=$([ $method = sort ] && echo --sort || true)
    summary=$("$picket" mot "$det_root/$seq/det/det.txt" --out "$work/$seq.$method.txt" \
      --frame-rate "${rate[$seq]}" $flag 2>&1)
    frames=$(sed -E 's/.*: ([0-9]+) frames.*/\1/' <<<"$summary")
    boxes=$(sed -E 's/.* frames, ([0-9]+) boxes.*/\1/' <<<"$summary")
    tracks=$(sed -E 's/.* ([0-9]+) tracks reported.*/\1/' <<<"$summary")
    fps=$(sed -E 's/.*; ([0-9]+) frames\/s.*/\1/' <<<"$summary")
    printf "%-14s %-9s %7s %7s %7s %12s\n" "$seq" "$method" "$frames" "$boxes" "$tracks" "$fps"
  done
done
gt="$shared/data/mot/py-motmetrics/TUD-Campus/gt.txt"
echo
echo "TUD-Campus against its ground truth:"
for method in bytetrack sort; do
  printf "  %-9s " $method
  "$picket" eval --mot "$gt" "$work/TUD-Campus.$method.txt" 2>&1 >/dev/null | sed -E 's/.*: HOTA/HOTA/'
done
# Peak memory of the whole command on 200 frames of 5,000 moving boxes (a 4K crowd).
awk 'BEGIN { srand(3); n = 5000;
  for (i = 0; i < n; i++) { x[i] = rand() * 3800; y[i] = rand() * 2100;
    vx[i] = rand() * 6 - 3; vy[i] = rand() * 6 - 3 }
  for (f = 1; f <= 200; f++) for (i = 0; i < n; i++)
    printf "%d,-1,%.2f,%.2f,12,30,0.9,-1,-1,-1\n", f, x[i] + vx[i] * f, y[i] + vy[i] * f }' \
  > "$work/crowd.txt"
echo
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "crowd (200 frames x 5,000 boxes): %e s wall, %M KiB peak resident" \
    "$picket" mot "$work/crowd.txt" --out "$work/crowd.res.txt" --frame-rate 30 2>&1 | tail -2
else
  "$picket" mot "$work/crowd.txt" --out "$work/crowd.res.txt" --frame-rate 30
fi
