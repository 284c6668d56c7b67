// Formatting of times, durations, speeds and directions for the console. Times are shown in UTC
// (a control room's logs and the store are in UTC); pure functions, no clock inside.

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

// 1795903201.25 -> "2026-11-28 22:00:01Z"
export function formatDateTime(t: number | null | undefined): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return '—';
  const d = new Date(t * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  );
}

// 1795903201.25 -> "22:00:01"
export function formatClock(t: number | null | undefined): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return '—';
  const d = new Date(t * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// A duration in seconds, compactly: "0.4 s", "12 s", "3 min 05 s", "2 h 07 min".
export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  const neg = s < 0;
  let v = Math.abs(s);
  let out: string;
  if (v < 10) out = `${v.toFixed(1)} s`;
  else if (v < 60) out = `${Math.round(v)} s`;
  else if (v < 3600) {
    v = Math.round(v);
    out = `${Math.floor(v / 60)} min ${pad(v % 60)} s`;
  } else {
    v = Math.round(v / 60);
    out = `${Math.floor(v / 60)} h ${pad(v % 60)} min`;
  }
  return neg ? `−${out}` : out;
}

// How long ago `t` was at time `now`: "just now", "12 s ago", "3 min 05 s ago".
export function formatAge(t: number | null | undefined, now: number): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return 'never';
  const age = now - t;
  if (age < 1) return 'just now';
  return `${formatDuration(age)} ago`;
}

export function formatSpeed(mps: number | null | undefined): string {
  if (mps === null || mps === undefined || !Number.isFinite(mps)) return '—';
  return mps < 10 ? `${mps.toFixed(1)} m/s` : `${Math.round(mps)} m/s`;
}

const COMPASS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];

// Degrees clockwise from north -> "045° NE".
export function formatHeading(deg: number | null | undefined): string {
  if (deg === null || deg === undefined || !Number.isFinite(deg)) return '—';
  const d = ((Math.round(deg) % 360) + 360) % 360;
  return `${pad(d, 3)}° ${COMPASS[Math.round(d / 45) % 8]}`;
}

export function formatLatLon(lat: number, lon: number): string {
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(5)}° ${ns} ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

export function formatPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return `${Math.round(p * 100)} %`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}

// Label drawn beside a track on the map: "17 person" for ground tracks; for air tracks the
// identity when a cooperative sensor (ADS-B) confirms it — callsign, else ICAO address — and the
// height: "BAW12 aircraft 950 m", "4CA123 aircraft 950 m", "17 drone 60 m" (no identity).
export function trackLabel(t: {
  id: number;
  class: string;
  callsign?: string | null;
  icao?: string | null;
  air?: boolean;
  up?: number | null;
  exercise: boolean;
}): string {
  const name = t.callsign?.trim() || t.icao || String(t.id);
  const up = t.air && t.up !== undefined && t.up !== null && Number.isFinite(t.up) ? ` ${Math.round(t.up)} m` : '';
  return `${t.exercise ? 'EX ' : ''}${name} ${t.class}${up}`;
}

// The identity line of an air track's detail: "BAW12 · ICAO 4CA123", "ICAO 4CA123",
// "no identity (non-cooperative)"; empty for ground tracks.
export function trackIdentity(t: { air?: boolean; callsign?: string | null; icao?: string | null }): string {
  if (!t.air && !t.icao) return '';
  const cs = t.callsign?.trim();
  if (t.icao) return cs ? `${cs} · ICAO ${t.icao}` : `ICAO ${t.icao}`;
  return 'no identity (non-cooperative)';
}

// "0–150 m", "above 300 m", "below 120 m" for a zone with a floor and/or ceiling (metres above the
// site origin); null for a ground zone.
export function volumeBand(p: Record<string, unknown> | undefined): string | null {
  const floor = typeof p?.floor_m === 'number' ? p.floor_m : null;
  const ceiling = typeof p?.ceiling_m === 'number' ? p.ceiling_m : null;
  if (floor === null && ceiling === null) return null;
  if (floor !== null && ceiling !== null) return `${Math.round(floor)}–${Math.round(ceiling)} m`;
  return floor !== null ? `above ${Math.round(floor)} m` : `below ${Math.round(ceiling!)} m`;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
