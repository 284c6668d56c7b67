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

// Whether a loaded window serves `time`: [validFrom, validTo] is the part of it where every
// time shown has its full trail loaded (see replayWindow).
export function windowCovers(validFrom: number, validTo: number, time: number): boolean {
  return time >= validFrom && time <= validTo;
}

export function trackAt(frames: HistoryFrame[], time: number, id: number): Track | null {
  const i = frameIndexAt(frames, time);
  if (i < 0) return null;
  return (frames[i] as HistoryFrame).tracks.find((t) => t.id === id) ?? null;
}

// The window of history to load around `time`: `behind` seconds before it (for trails) and as
// far ahead as fits a budget of track samples (frames x tracks per frame), so that a site with
// thousands of tracks does not ask for hundreds of megabytes at once. Clamped to [from, to].
export const REPLAY_SAMPLE_BUDGET = 200_000;

export function replayWindow(
  time: number,
  range: { from: number; to: number },
  tracksPerFrame: number,
  behind: number,
  budget = REPLAY_SAMPLE_BUDGET,
): { from: number; to: number; step: number; validFrom: number; validTo: number } {
  const frames = Math.max(
    30,
    Math.min(MAX_FRAMES_PER_REQUEST, Math.floor(budget / Math.max(1, tracksPerFrame))),
  );
  const back = Math.min(behind, frames / 2);
  const from = Math.max(range.from, time - back);
  const to = Math.min(range.to, Math.max(time, from + frames - 1));
  // Times within `back` of the window's start lack part of their trail, unless the window starts
  // where the history does (there is nothing earlier to load).
  const validFrom = from <= range.from ? from : from + back;
  return { from, to, step: chooseStep(from, to, frames), validFrom, validTo: to };
}
