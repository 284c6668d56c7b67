// Builders of API objects for the unit tests, with every field docs/api.md lists.
import type { Alarm, Sensor, Track } from '../src/types';

export function track(id: number, t: number, over: Partial<Track> = {}): Track {
  return {
    id, t, lat: 52.1 + id * 1e-4, lon: -1.0 + t * 1e-5, east: 0, north: 0, up: null, ve: 0, vn: 1.4,
    speed: 1.4, heading: 0, status: 'confirmed', class: 'person', class_p: 0.8, sensors: ['radar-sw'],
    air: false, exercise: false, ...over,
  };
}

export function alarm(id: number, over: Partial<Alarm> = {}): Alarm {
  return {
    id, rule: 'perimeter-crossing', kind: 'fence_crossing', priority: 'high', state: 'raised',
    t_raised: 1000 + id, t_updated: 1000 + id, track: 17, fence: 'perimeter', segment: 7, zone: null,
    lat: 52.0982, lon: -1.0001, east: 12.1, north: -200, class: 'person', sensors: ['radar-sw', 'fence-a'],
    exercise: false, acknowledged_by: null, acknowledged_at: null, resolved_by: null, resolved_at: null,
    outcome: null, note: null, evidence: [], ...over,
  };
}

export function sensor(id: string, over: Partial<Sensor> = {}): Sensor {
  return { id, type: 'radar', lat: 52.1, lon: -1, status: 'ok', last_report_t: 1000, detections: 0, rejected: 0, ...over };
}
