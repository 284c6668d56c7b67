import { describe, expect, it } from 'vitest';
import { chooseStep, frameIndexAt, REPLAY_SAMPLE_BUDGET, replayTracksAt, replayWindow, trackAt, windowCovers } from '../src/replay';
import { backoffDelay } from '../src/backoff';
import type { HistoryFrame } from '../src/types';
import { track } from './fixtures';

const frames: HistoryFrame[] = [10, 11, 12, 13, 14].map((t) => ({
  t,
  tracks: t < 13 ? [track(1, t), track(2, t)] : [track(2, t)],
}));

describe('replay frames', () => {
  it('finds the last frame at or before a time', () => {
    expect(frameIndexAt(frames, 9.9)).toBe(-1);
    expect(frameIndexAt(frames, 10)).toBe(0);
    expect(frameIndexAt(frames, 12.5)).toBe(2);
    expect(frameIndexAt(frames, 100)).toBe(4);
    expect(frameIndexAt([], 5)).toBe(-1);
  });

  it('shows the tracks of that frame with trails from the frames before', () => {
    const at12 = replayTracksAt(frames, 12.5, 60);
    expect([...at12.keys()]).toEqual([1, 2]);
    expect(at12.get(1)?.trail.filter((_, i) => i % 3 === 2)).toEqual([10, 11, 12]);
    const at14 = replayTracksAt(frames, 14, 1);
    expect([...at14.keys()]).toEqual([2]); // track 1 ended at 12
    expect(at14.get(2)?.trail.filter((_, i) => i % 3 === 2)).toEqual([13, 14]);
    expect(replayTracksAt(frames, 0, 60).size).toBe(0);
  });

  it('finds one track at a time', () => {
    expect(trackAt(frames, 11, 1)?.t).toBe(11);
    expect(trackAt(frames, 14, 1)).toBeNull();
  });

  it('chooses a step that keeps a request within 2,000 frames', () => {
    expect(chooseStep(0, 300)).toBe(1);
    const step = chooseStep(0, 86400);
    expect(86400 / step + 1).toBeLessThanOrEqual(2000);
    expect(chooseStep(5, 5)).toBe(1);
  });

  it('knows when a loaded window serves a time', () => {
    expect(windowCovers(160, 400, 200)).toBe(true);
    expect(windowCovers(160, 400, 150)).toBe(false);
    expect(windowCovers(160, 400, 401)).toBe(false);
  });

  it('sizes the window to a budget of track samples', () => {
    const range = { from: 0, to: 100000 };
    // few tracks: the most frames a request allows, a minute of trail behind
    const w1 = replayWindow(5000, range, 10, 60);
    expect(w1).toEqual({ from: 4940, to: 6939, step: 1, validFrom: 5000, validTo: 6939 });
    // 5,000 tracks: 40 frames (200,000 samples), the trail shortened to half the window
    const w2 = replayWindow(5000, range, 5000, 60);
    expect(w2).toEqual({ from: 4980, to: 5019, step: 1, validFrom: 5000, validTo: 5019 });
    expect(((w2.to - w2.from) / w2.step + 1) * 5000).toBeLessThanOrEqual(REPLAY_SAMPLE_BUDGET);
    // at the start of the history every time is served; at its end the window stops there
    const w3 = replayWindow(10, range, 10, 60);
    expect(w3.from).toBe(0);
    expect(windowCovers(w3.validFrom, w3.validTo, 10)).toBe(true);
    const w4 = replayWindow(99990, range, 10, 60);
    expect(w4.to).toBe(100000);
    expect(windowCovers(w4.validFrom, w4.validTo, 99990)).toBe(true);
    // an empty-ish budget still loads a few frames
    expect(replayWindow(5000, range, 1e9, 60).to - 5000).toBeGreaterThan(0);
  });
});

describe('reconnection backoff', () => {
  it('grows exponentially to a cap, with jitter within [cap/4, cap]', () => {
    expect(backoffDelay(0, 0)).toBeCloseTo(0.125);
    expect(backoffDelay(0, 1)).toBeCloseTo(0.5);
    expect(backoffDelay(3, 1)).toBeCloseTo(4);
    expect(backoffDelay(10, 1)).toBeCloseTo(10);
    expect(backoffDelay(10, 0)).toBeCloseTo(2.5);
    expect(backoffDelay(-1, 2)).toBeCloseTo(0.5);
  });
});
