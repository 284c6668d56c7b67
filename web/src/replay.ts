// Replay of stored history: the pure parts. The server gives frames (GET /api/history, at most
// 2,000 per request); the console loads a window of frames around the time being viewed and
// shows, at time T, the last frame at or before T with trails built from the frames before it.

import type { HistoryFrame, Track } from './types';
import type { TrackEntry } from './state';

export const MAX_FRAMES_PER_REQUEST = 2000;

// The step (seconds, at least minStep) that fits [from, to] into at most maxFrames frames.
export function chooseStep(
  from: number,
  to: number,
  maxFrames = MAX_FRAMES_PER_REQUEST,
  minStep = 1,
): number {
  const span = Math.max(0, to - from);
  const step = span / Math.max(1, maxFrames - 1);
  return Math.max(minStep, Math.ceil(step * 10) / 10);
}

// Index of the last frame with t <= time (frames sorted by t), or -1 if none.
export function frameIndexAt(frames: HistoryFrame[], time: number): number {
  let lo = 0;
  let hi = frames.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((frames[mid] as HistoryFrame).t <= time) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

// The tracks shown at `time`, each with a trail of its positions over the previous trailSeconds.
export function replayTracksAt(
  frames: HistoryFrame[],
  time: number,
  trailSeconds: number,
): Map<number, TrackEntry> {
  const out = new Map<number, TrackEntry>();
  const i = frameIndexAt(frames, time);
  if (i < 0) return out;
  const current = frames[i] as HistoryFrame;
  for (const track of current.tracks) out.set(track.id, { track, trail: [] });
  // Walk back to the first frame inside the trail window, then forward to build trails in order.
  let first = i;
  while (first > 0 && (frames[first - 1] as HistoryFrame).t >= current.t - trailSeconds) first--;
  for (let k = first; k <= i; k++) {
    const f = frames[k] as HistoryFrame;
    for (const tr of f.tracks) {
      const e = out.get(tr.id);
      if (e) e.trail.push(tr.lat, tr.lon, tr.t);
    }
  }
  return out;
}

// Whether the loaded window [loadedFrom, loadedTo] covers time with some margin ahead.
export function windowCovers(
  loadedFrom: number,
  loadedTo: number,
  time: number,
  trailSeconds: number,
): boolean {
  return time - trailSeconds >= loadedFrom && time <= loadedTo;
}

export function trackAt(frames: HistoryFrame[], time: number, id: number): Track | null {
  const i = frameIndexAt(frames, time);
  if (i < 0) return null;
  return (frames[i] as HistoryFrame).tracks.find((t) => t.id === id) ?? null;
}
