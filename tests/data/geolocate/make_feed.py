#!/usr/bin/env python3
"""Writes poses.jsonl and pixels.jsonl for examples/terrain-site.yaml's aerostat.

The aerostat hangs at lat 32.7960, lon -97.4100, 800 m above the ellipsoid, heading north,
camera straight down (tilt -90) with a 20 degree field of view; samples at 10 Hz.
  t 0.0 - 2.0   samples every 0.1 s
  t 2.0 - 5.0   silence: a 3 s gap
  t 5.0 - 6.0   samples every 0.1 s
  t 6.1         the position jumps 200 m east (a GNSS glitch), then stays there to t 7.0
Pixels: the image centre (640, 360) at t 0.55 (good: the ground right below), 3.5 (inside
the gap: degraded), 6.05 (across the jump: degraded), 100 (no pose), and a pixel far above the
horizon is impossible straight down, so the last one at t 0.75 is a corner pixel (good).
"""
import json

lat0, lon0 = 32.7960, -97.4100
poses = []
def pose(t, dlon=0.0):
    poses.append({"t": round(1795903200 + t, 3), "lat": lat0, "lon": round(lon0 + dlon, 7),
                  "alt": 800.0, "yaw": 0.0, "pitch": 0.0, "roll": 0.0, "pan": 0.0, "tilt": -90.0,
                  "hfov": 20.0, "sigma_h": 1.5, "sigma_v": 3.0, "sigma_att": 0.1,
                  "sigma_gimbal": 0.05})
for i in range(21):
    pose(i * 0.1)
for i in range(11):
    pose(5 + i * 0.1)
for i in range(10):
    pose(6.1 + i * 0.1, dlon=200 / 93700)  # ~200 m east at this latitude
with open("poses.jsonl", "w") as f:
    for p in poses:
        f.write(json.dumps(p, separators=(",", ":")) + "\n")
pixels = [(0.55, 640, 360, "a"), (0.75, 0, 0, "b"), (3.5, 640, 360, "c"),
          (6.05, 640, 360, "d"), (100, 640, 360, "e")]
with open("pixels.jsonl", "w") as f:
    for t, u, v, i in pixels:
        f.write(json.dumps({"t": 1795903200 + t, "sensor": "aero-1", "u": u, "v": v,
                            "class": "vehicle", "id": i}, separators=(",", ":")) + "\n")
