// The console's live picture: tracks with their trails, open alarms, sensors and the exercise,
// kept up to date from the WebSocket stream (a snapshot on connect, then deltas).
//
// `applyMessage` is the reducer. For speed with thousands of tracks it updates the state in place
// (maps keyed by id, trails as flat arrays) rather than copying it, and returns what changed, so
// the caller can redraw once per animation frame and ring the bell for new high-priority alarms.
// It touches no DOM and no clock: everything it needs comes in the message and the options.

import type { Alarm, ExerciseStatus, Sensor, StreamMessage, Track } from './types';

export interface TrailOptions {
  // A trail keeps at most this many past positions and none older than maxAge seconds (measured
  // against the track's own latest time, never the wall clock).
  maxPoints: number;
  maxAge: number;
}

export const DEFAULT_TRAIL: TrailOptions = { maxPoints: 40, maxAge: 60 };

export interface TrackEntry {
  track: Track;
  // Past positions, oldest first, as [lat, lon, t] triples in one flat array (cheap to append
  // and to draw for 5,000 tracks).
  trail: number[];
}

export interface LiveState {
  t: number; // latest stream time seen
  tracks: Map<number, TrackEntry>;
  alarms: Map<number, Alarm>; // open alarms (raised or acknowledged)
  resolved: Alarm[]; // alarms resolved while this console watched, newest first (bounded)
  sensors: Map<string, Sensor>;
  exercise: ExerciseStatus | null;
  snapshots: number; // how many snapshots were applied (1 + reconnections)
}

export interface Changes {
  tracks: boolean;
  alarms: boolean;
  sensors: boolean;
  exercise: boolean;
  // Alarms first seen in this message (not from a snapshot) with priority high.
  newHighAlarms: Alarm[];
}

export const MAX_RESOLVED_KEPT = 100;

export function emptyState(): LiveState {
  return {
    t: 0,
    tracks: new Map(),
    alarms: new Map(),
    resolved: [],
    sensors: new Map(),
    exercise: null,
    snapshots: 0,
  };
}

function noChanges(): Changes {
  return { tracks: false, alarms: false, sensors: false, exercise: false, newHighAlarms: [] };
}

export function isOpen(a: Alarm): boolean {
  return a.state === 'raised' || a.state === 'acknowledged';
}

// Appends a track's new position to its trail and drops what is too old or too many.
export function extendTrail(trail: number[], track: Track, opts: TrailOptions): number[] {
  const n = trail.length;
  // A repeated report at the same time replaces the last point rather than adding one.
  if (n >= 3 && trail[n - 1] === track.t) {
    trail[n - 3] = track.lat;
    trail[n - 2] = track.lon;
  } else if (n >= 3 && (trail[n - 1] as number) > track.t) {
    // An update older than the trail's end (reordered delivery): the trail stays as it is.
    return trail;
  } else {
    trail.push(track.lat, track.lon, track.t);
  }
  let drop = 0;
  const count = trail.length / 3;
  if (count > opts.maxPoints) drop = count - opts.maxPoints;
  const oldest = track.t - opts.maxAge;
  while (drop < count - 1 && (trail[drop * 3 + 2] as number) < oldest) drop++;
  if (drop > 0) trail.splice(0, drop * 3);
  return trail;
}

function upsertTrack(state: LiveState, track: Track, opts: TrailOptions): void {
  const entry = state.tracks.get(track.id);
  if (entry) {
    if (track.t < entry.track.t) return; // stale update, keep the newer state
    entry.track = track;
    extendTrail(entry.trail, track, opts);
  } else {
    state.tracks.set(track.id, { track, trail: [track.lat, track.lon, track.t] });
  }
}

function upsertAlarm(state: LiveState, alarm: Alarm, changes: Changes): void {
  const known = state.alarms.get(alarm.id);
  if (known && alarm.t_updated < known.t_updated) return; // an older state arriving late
  if (!known && !state.resolved.some((r) => r.id === alarm.id) && alarm.priority === 'high' &&
      alarm.state === 'raised') {
    changes.newHighAlarms.push(alarm);
  }
  if (isOpen(alarm)) {
    state.alarms.set(alarm.id, alarm);
  } else {
    state.alarms.delete(alarm.id);
    const i = state.resolved.findIndex((r) => r.id === alarm.id);
    if (i >= 0) state.resolved.splice(i, 1);
    state.resolved.unshift(alarm);
    if (state.resolved.length > MAX_RESOLVED_KEPT) state.resolved.length = MAX_RESOLVED_KEPT;
  }
  changes.alarms = true;
}

export function applyMessage(
  state: LiveState,
  msg: StreamMessage,
  opts: TrailOptions = DEFAULT_TRAIL,
): Changes {
  const changes = noChanges();
  switch (msg.type) {
    case 'snapshot': {
      // A snapshot replaces everything live. Trails of tracks that survive a reconnection are
      // kept (the snapshot has no history); tracks absent from it are gone.
      const old = state.tracks;
      state.tracks = new Map();
      for (const track of msg.tracks) {
        const entry = old.get(track.id);
        if (entry && entry.track.t <= track.t) {
          entry.track = track;
          extendTrail(entry.trail, track, opts);
          state.tracks.set(track.id, entry);
        } else {
          state.tracks.set(track.id, { track, trail: [track.lat, track.lon, track.t] });
        }
      }
      state.alarms = new Map();
      for (const a of msg.alarms) if (isOpen(a)) state.alarms.set(a.id, a);
      state.sensors = new Map(msg.sensors.map((s) => [s.id, s]));
      state.t = Math.max(state.t, msg.t);
      state.snapshots++;
      changes.tracks = changes.alarms = changes.sensors = true;
      break;
    }
    case 'tracks': {
      for (const track of msg.updated) upsertTrack(state, track, opts);
      for (const id of msg.removed) state.tracks.delete(id);
      state.t = Math.max(state.t, msg.t);
      changes.tracks = true;
      break;
    }
    case 'alarm':
      upsertAlarm(state, msg.alarm, changes);
      break;
    case 'sensor':
      state.sensors.set(msg.sensor.id, msg.sensor);
      changes.sensors = true;
      break;
    case 'sensors':
      for (const s of msg.sensors) state.sensors.set(s.id, s);
      changes.sensors = true;
      break;
    case 'exercise': {
      const { type: _type, ...status } = msg;
      state.exercise = status;
      changes.exercise = true;
      break;
    }
    default: {
      // An unknown message type from a newer daemon: ignored, nothing changes.
      break;
    }
  }
  return changes;
}

// Merges the changes of several messages applied in one animation frame.
export function mergeChanges(into: Changes, more: Changes): Changes {
  into.tracks ||= more.tracks;
  into.alarms ||= more.alarms;
  into.sensors ||= more.sensors;
  into.exercise ||= more.exercise;
  into.newHighAlarms.push(...more.newHighAlarms);
  return into;
}

export function emptyChanges(): Changes {
  return noChanges();
}

// Parses one text frame of the stream; returns null (and the reason) for anything malformed so
// a bad frame is skipped rather than breaking the console.
export function parseStreamMessage(text: string): { msg: StreamMessage | null; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { msg: null, error: `invalid JSON: ${(e as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { msg: null, error: 'not a JSON object' };
  }
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case 'snapshot':
      if (!Array.isArray(o.tracks) || !Array.isArray(o.alarms) || !Array.isArray(o.sensors)) {
        return { msg: null, error: 'snapshot: tracks, alarms and sensors must be arrays' };
      }
      break;
    case 'tracks':
      if (!Array.isArray(o.updated) || !Array.isArray(o.removed)) {
        return { msg: null, error: 'tracks: updated and removed must be arrays' };
      }
      break;
    case 'alarm':
      if (typeof o.alarm !== 'object' || o.alarm === null) {
        return { msg: null, error: 'alarm: missing alarm object' };
      }
      break;
    case 'sensor':
      if (typeof o.sensor !== 'object' || o.sensor === null) {
        return { msg: null, error: 'sensor: missing sensor object' };
      }
      break;
    case 'sensors':
      if (!Array.isArray(o.sensors)) return { msg: null, error: 'sensors: sensors must be an array' };
      break;
    case 'exercise':
      break;
    default:
      return { msg: null, error: `unknown message type ${JSON.stringify(o.type)}` };
  }
  return { msg: o as unknown as StreamMessage };
}
