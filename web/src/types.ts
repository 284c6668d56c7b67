// The objects of the HTTP and WebSocket API of `picket run`, as docs/api.md defines them. Times
// `t` are Unix seconds (UTC); positions are WGS84 lat/lon plus site-frame east/north metres.

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface User {
  name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrf_token: string;
}

export type TrackStatus = 'tentative' | 'confirmed' | 'coasting';
export type TargetClass = 'person' | 'vehicle' | 'animal' | 'aircraft' | 'drone' | 'unknown';
export const TARGET_CLASSES: readonly TargetClass[] = [
  'person',
  'vehicle',
  'animal',
  'aircraft',
  'drone',
  'unknown',
];

export interface Track {
  id: number;
  t: number;
  lat: number;
  lon: number;
  east: number;
  north: number;
  up: number | null;
  ve: number;
  vn: number;
  speed: number;
  heading: number; // degrees clockwise from north
  status: TrackStatus;
  class: TargetClass;
  class_p: number;
  sensors: string[];
  air: boolean; // followed in 3-D: `up` is its height above the site origin (m)
  vu?: number | null; // vertical speed of an air track, m/s (positive climbing)
  exercise: boolean;
  icao?: string | null; // ICAO 24-bit address (6 hex digits) while ADS-B confirms the track
  callsign?: string | null;
}

export type Priority = 'high' | 'medium' | 'low';
export type AlarmState = 'raised' | 'acknowledged' | 'resolved';
export type Outcome = 'intrusion' | 'nuisance' | 'false' | 'test';
export const OUTCOMES: readonly Outcome[] = ['intrusion', 'nuisance', 'false', 'test'];

export interface Alarm {
  id: number;
  rule: string;
  kind: string;
  priority: Priority;
  state: AlarmState;
  t_raised: number;
  t_updated: number;
  track: number | null;
  fence: string | null;
  segment: number | null;
  zone: string | null;
  lat: number;
  lon: number;
  east: number;
  north: number;
  class: TargetClass | null;
  sensors: string[];
  exercise: boolean;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  outcome: Outcome | null;
  note: string | null;
  evidence: string[];
  /** In an alarm's detail only: the frames of each camera's clip around the alarm. */
  evidence_clip?: { url: string; t: number; camera: string }[];
}

export interface AlarmEvent {
  t: number;
  state: AlarmState | string;
  actor: string | null;
  note: string | null;
}

export interface HistoryPoint {
  t: number;
  lat: number;
  lon: number;
  east: number;
  north: number;
}

export interface AlarmDetail {
  alarm: Alarm;
  events: AlarmEvent[];
  track_history: HistoryPoint[];
}

export type SensorStatus = 'ok' | 'fault' | 'tamper' | 'unknown';

export interface Sensor {
  id: string;
  type: string;
  lat: number;
  lon: number;
  status: SensorStatus;
  last_report_t: number | null;
  detections: number;
  rejected: number;
}

export interface TimeStats {
  median: number | null;
  max: number | null;
}

export interface ExerciseAlarmTimes {
  id: number;
  acknowledge_s?: number | null;
  resolve_s?: number | null;
  [key: string]: unknown;
}

export interface ExerciseStatus {
  active: boolean;
  scenario: string | null;
  alarms: number;
  report: {
    acknowledge_s: TimeStats;
    resolve_s: TimeStats;
    per_alarm: ExerciseAlarmTimes[];
  } | null;
}

// GET /api/audit (admin).
export interface AuditEntry {
  t: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
  client: string;
}

export interface HistoryFrame {
  t: number;
  tracks: Track[];
}

// GeoJSON of the site (GET /api/site), as src/formats/geojson.cpp writes it.
export interface SiteFeature {
  type: 'Feature';
  geometry:
    | { type: 'Point'; coordinates: [number, number] }
    | { type: 'LineString'; coordinates: [number, number][] }
    | { type: 'Polygon'; coordinates: [number, number][][] };
  properties: { kind: 'fence' | 'segment' | 'zone' | 'sensor' | 'coverage'; [key: string]: unknown };
}

export interface TileSource {
  url: string;
  attribution?: string;
  max_zoom?: number;
}

export interface SiteGeoJson {
  type: 'FeatureCollection';
  name?: string;
  origin?: { lat: number; lon: number; alt?: number };
  features: SiteFeature[];
  // Optional background tiles from the site configuration (a URL template, or an object).
  tiles?: string | TileSource | null;
}

// Messages on the WebSocket stream GET /api/stream.
export type StreamMessage =
  | { type: 'snapshot'; t: number; tracks: Track[]; alarms: Alarm[]; sensors: Sensor[] }
  | { type: 'tracks'; t: number; updated: Track[]; removed: number[] }
  | { type: 'alarm'; alarm: Alarm }
  | { type: 'sensor'; sensor: Sensor }
  | { type: 'sensors'; sensors: Sensor[] }
  | ({ type: 'exercise' } & ExerciseStatus)
  | { type: 'evidence'; alarm: number };
