import { describe, expect, it } from 'vitest';
import {
  applyMessage,
  emptyState,
  extendTrail,
  MAX_RESOLVED_KEPT,
  mergeChanges,
  emptyChanges,
  parseStreamMessage,
} from '../src/state';
import { alarm, sensor, track } from './fixtures';

const opts = { maxPoints: 5, maxAge: 10 };

describe('snapshot', () => {
  it('replaces tracks, open alarms and sensors', () => {
    const s = emptyState();
    applyMessage(s, { type: 'snapshot', t: 100, tracks: [track(1, 100), track(2, 100)], alarms: [alarm(1)], sensors: [sensor('a')] });
    expect([...s.tracks.keys()]).toEqual([1, 2]);
    expect(s.alarms.size).toBe(1);
    expect(s.sensors.get('a')?.status).toBe('ok');
    expect(s.t).toBe(100);
    expect(s.snapshots).toBe(1);
    // a second snapshot (after a reconnection) drops what is gone
    applyMessage(s, { type: 'snapshot', t: 105, tracks: [track(2, 105)], alarms: [], sensors: [] });
    expect([...s.tracks.keys()]).toEqual([2]);
    expect(s.alarms.size).toBe(0);
    expect(s.sensors.size).toBe(0);
    expect(s.snapshots).toBe(2);
  });

  it('keeps the trail of a track that survives a reconnection', () => {
    const s = emptyState();
    applyMessage(s, { type: 'snapshot', t: 100, tracks: [track(2, 100)], alarms: [], sensors: [] }, opts);
    applyMessage(s, { type: 'tracks', t: 101, updated: [track(2, 101)], removed: [] }, opts);
    applyMessage(s, { type: 'snapshot', t: 103, tracks: [track(2, 103)], alarms: [], sensors: [] }, opts);
    expect(s.tracks.get(2)?.trail.filter((_, i) => i % 3 === 2)).toEqual([100, 101, 103]);
  });

  it('does not ring for alarms already open at connection', () => {
    const s = emptyState();
    const c = applyMessage(s, { type: 'snapshot', t: 1, tracks: [], alarms: [alarm(1)], sensors: [] });
    expect(c.newHighAlarms).toEqual([]);
    expect(c.alarms && c.tracks && c.sensors).toBe(true);
  });

  it('leaves resolved alarms out of the open set', () => {
    const s = emptyState();
    applyMessage(s, { type: 'snapshot', t: 1, tracks: [], alarms: [alarm(1, { state: 'resolved' }), alarm(2)], sensors: [] });
    expect([...s.alarms.keys()]).toEqual([2]);
  });
});

describe('track deltas', () => {
  it('adds, moves and removes tracks and extends trails', () => {
    const s = emptyState();
    const c = applyMessage(s, { type: 'tracks', t: 10, updated: [track(1, 10)], removed: [] }, opts);
    expect(c.tracks).toBe(true);
    applyMessage(s, { type: 'tracks', t: 11, updated: [track(1, 11, { lat: 52.2 })], removed: [] }, opts);
    const e = s.tracks.get(1);
    expect(e?.track.lat).toBe(52.2);
    expect(e?.trail.length).toBe(6);
    expect(e?.trail.slice(3)).toEqual([52.2, track(1, 11).lon, 11]);
    applyMessage(s, { type: 'tracks', t: 12, updated: [], removed: [1] }, opts);
    expect(s.tracks.size).toBe(0);
    expect(s.t).toBe(12);
  });

  it('ignores an update older than the state it has', () => {
    const s = emptyState();
    applyMessage(s, { type: 'tracks', t: 11, updated: [track(1, 11, { lat: 1 })], removed: [] }, opts);
    applyMessage(s, { type: 'tracks', t: 10, updated: [track(1, 10, { lat: 2 })], removed: [] }, opts);
    expect(s.tracks.get(1)?.track.lat).toBe(1);
    expect(s.t).toBe(11);
  });

  it('removing an unknown track is harmless', () => {
    const s = emptyState();
    applyMessage(s, { type: 'tracks', t: 1, updated: [], removed: [99] });
    expect(s.tracks.size).toBe(0);
  });
});

describe('trails', () => {
  it('are bounded in points', () => {
    const trail: number[] = [];
    for (let t = 0; t < 20; t++) extendTrail(trail, track(1, t), { maxPoints: 5, maxAge: 1000 });
    expect(trail.length).toBe(15);
    expect(trail.filter((_, i) => i % 3 === 2)).toEqual([15, 16, 17, 18, 19]);
  });

  it('are bounded in age, measured on the track time', () => {
    const trail: number[] = [];
    for (const t of [0, 1, 2, 8, 12]) extendTrail(trail, track(1, t), { maxPoints: 100, maxAge: 10 });
    expect(trail.filter((_, i) => i % 3 === 2)).toEqual([2, 8, 12]);
  });

  it('keep at least the newest point even after a long gap', () => {
    const trail: number[] = [];
    extendTrail(trail, track(1, 0), opts);
    extendTrail(trail, track(1, 1000), opts);
    expect(trail.filter((_, i) => i % 3 === 2)).toEqual([1000]);
  });

  it('replace the last point on a repeated time rather than grow', () => {
    const trail: number[] = [];
    extendTrail(trail, track(1, 5, { lat: 1 }), opts);
    extendTrail(trail, track(1, 5, { lat: 2 }), opts);
    expect(trail).toEqual([2, track(1, 5).lon, 5]);
  });
});

describe('alarms', () => {
  it('flags a new raised high-priority alarm once', () => {
    const s = emptyState();
    const c1 = applyMessage(s, { type: 'alarm', alarm: alarm(5) });
    expect(c1.newHighAlarms.map((a) => a.id)).toEqual([5]);
    const c2 = applyMessage(s, { type: 'alarm', alarm: alarm(5, { state: 'acknowledged', t_updated: 2000 }) });
    expect(c2.newHighAlarms).toEqual([]);
    expect(s.alarms.get(5)?.state).toBe('acknowledged');
  });

  it('does not flag medium or low alarms', () => {
    const s = emptyState();
    expect(applyMessage(s, { type: 'alarm', alarm: alarm(1, { priority: 'medium' }) }).newHighAlarms).toEqual([]);
    expect(applyMessage(s, { type: 'alarm', alarm: alarm(2, { priority: 'low' }) }).newHighAlarms).toEqual([]);
  });

  it('moves a resolved alarm out of the queue into the resolved list', () => {
    const s = emptyState();
    applyMessage(s, { type: 'alarm', alarm: alarm(5) });
    applyMessage(s, { type: 'alarm', alarm: alarm(5, { state: 'resolved', outcome: 'nuisance', t_updated: 3000 }) });
    expect(s.alarms.has(5)).toBe(false);
    expect(s.resolved.map((a) => [a.id, a.outcome])).toEqual([[5, 'nuisance']]);
    // and a late, older "acknowledged" does not bring it back... nor ring again
    const c = applyMessage(s, { type: 'alarm', alarm: alarm(5, { t_updated: 2000 }) });
    expect(c.newHighAlarms).toEqual([]);
  });

  it('ignores an older state of a known alarm', () => {
    const s = emptyState();
    applyMessage(s, { type: 'alarm', alarm: alarm(5, { state: 'acknowledged', t_updated: 2000 }) });
    applyMessage(s, { type: 'alarm', alarm: alarm(5, { state: 'raised', t_updated: 1500 }) });
    expect(s.alarms.get(5)?.state).toBe('acknowledged');
  });

  it('keeps a bounded list of resolved alarms, newest first', () => {
    const s = emptyState();
    for (let i = 1; i <= MAX_RESOLVED_KEPT + 10; i++) applyMessage(s, { type: 'alarm', alarm: alarm(i, { state: 'resolved' }) });
    expect(s.resolved.length).toBe(MAX_RESOLVED_KEPT);
    expect(s.resolved[0]?.id).toBe(MAX_RESOLVED_KEPT + 10);
  });
});

describe('sensors and exercise', () => {
  it('updates a sensor status', () => {
    const s = emptyState();
    applyMessage(s, { type: 'snapshot', t: 1, tracks: [], alarms: [], sensors: [sensor('a')] });
    const c = applyMessage(s, { type: 'sensor', sensor: sensor('a', { status: 'fault' }) });
    expect(c.sensors).toBe(true);
    expect(s.sensors.get('a')?.status).toBe('fault');
  });

  it('keeps the exercise status without the message type', () => {
    const s = emptyState();
    const c = applyMessage(s, { type: 'exercise', active: true, scenario: 'drill', alarms: 2, report: null });
    expect(c.exercise).toBe(true);
    expect(s.exercise).toEqual({ active: true, scenario: 'drill', alarms: 2, report: null });
  });
});

describe('merging changes', () => {
  it('ors the flags and concatenates new alarms', () => {
    const a = emptyChanges();
    mergeChanges(a, { ...emptyChanges(), tracks: true, newHighAlarms: [alarm(1)] });
    mergeChanges(a, { ...emptyChanges(), alarms: true, newHighAlarms: [alarm(2)] });
    expect(a.tracks && a.alarms).toBe(true);
    expect(a.sensors || a.exercise).toBe(false);
    expect(a.newHighAlarms.map((x) => x.id)).toEqual([1, 2]);
  });
});

describe('parsing stream frames', () => {
  it('accepts each message type', () => {
    for (const m of [
      { type: 'snapshot', t: 1, tracks: [], alarms: [], sensors: [] },
      { type: 'tracks', t: 1, updated: [], removed: [] },
      { type: 'alarm', alarm: alarm(1) },
      { type: 'sensor', sensor: sensor('a') },
      { type: 'exercise', active: false, scenario: null, alarms: 0, report: null },
    ]) {
      expect(parseStreamMessage(JSON.stringify(m)).msg).toEqual(m);
    }
  });

  it.each([
    ['{', /invalid JSON/],
    ['[1]', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"type":"nope"}', /unknown message type "nope"/],
    ['{"t":1}', /unknown message type undefined/],
    ['{"type":"tracks","updated":{}}', /updated and removed must be arrays/],
    ['{"type":"snapshot","tracks":[]}', /snapshot: tracks, alarms and sensors must be arrays/],
    ['{"type":"alarm"}', /missing alarm object/],
    ['{"type":"sensor","sensor":null}', /missing sensor object/],
  ])('rejects %s with a reason', (text, reason) => {
    const r = parseStreamMessage(text);
    expect(r.msg).toBeNull();
    expect(r.error).toMatch(reason);
  });
});
