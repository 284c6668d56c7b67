import { describe, expect, it } from 'vitest';
import { chooseStep, frameIndexAt, replayTracksAt, trackAt, windowCovers } from '../src/replay';
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

  it('knows when the loaded window covers a time and its trail', () => {
    expect(windowCovers(100, 400, 200, 60)).toBe(true);
    expect(windowCovers(100, 400, 150, 60)).toBe(false);
    expect(windowCovers(100, 400, 401, 60)).toBe(false);
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
