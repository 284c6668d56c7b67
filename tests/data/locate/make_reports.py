#!/usr/bin/env python3
"""Writes reports.jsonl for examples/locate-site.yaml: three events with known truth.

ev A at (120, 180) t0 = 1795903200.0: heard by the four microphones, seen by both cameras.
ev B at (40, 260)  t0 = 1795903230.0: heard by the four microphones and seen by cam-w; mic-ne
                   hears an echo 40 ms late (an outlier to reject).
ev C far outside    t0 = 1795903260.0: only mic-sw hears it (a single-sensor event).
Timing errors are fixed pseudo-random numbers (seeded), so the file is reproducible.
"""
import json, math, random

random.seed(8)
c = 331.3 * math.sqrt(1 + 15 / 273.15)
mics = {"mic-sw": (0, 0, 2), "mic-se": (300, 0, 2), "mic-nw": (0, 300, 2), "mic-ne": (300, 300, 2)}
cams = {"cam-w": (-100, 150, 10), "cam-s": (150, -100, 10)}
out = []
def event(p, t0, mic_ids, cam_ids, late=None):
    for m in mic_ids:
        s = mics[m]
        d = math.dist(p, s)
        t = t0 + d / c + random.gauss(0, 0.001) + (0.040 if m == late else 0)
        out.append({"t": round(t, 6), "sensor": m, "kind": "blast"})
    for k in cam_ids:
        s = cams[k]
        b = math.degrees(math.atan2(p[0] - s[0], p[1] - s[1])) + random.gauss(0, 0.3)
        out.append({"t": round(t0 + random.gauss(0, 0.02), 6), "sensor": k,
                    "bearing": round(b % 360, 4), "kind": "flash"})
event((120, 180, 0), 1795903200.0, mics, cams)
event((40, 260, 0), 1795903230.0, mics, ["cam-w"], late="mic-ne")
event((-900, -700, 0), 1795903260.0, ["mic-sw"], [])
out.sort(key=lambda r: r["t"])
with open("reports.jsonl", "w") as f:
    for r in out:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
