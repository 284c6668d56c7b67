#!/usr/bin/env node
// Development server for the console: serves web/dist and the API of docs/api.md with synthetic
// moving tracks, so the console can be worked on before or without the C++ daemon.
//
// A development tool only: the browser tests of record run against the real `picket run`.
//
//   node dev/server.mjs [--port 8090] [--tracks 30] [--dist dist] [--sim-events FILE]
//
// --sim-events appends each fence crossing of a synthetic intruder to FILE as a truth event
// (docs/formats.md), as the real daemon's simulator is asked to do for the browser tests.
//
// The admin's password is PICKET_ADMIN_PASSWORD or a random one printed at start. Users
// "operator" and "viewer" are created with the same password for convenience.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const PORT = Number(opt('port', 8090));
const N_BACKGROUND = Number(opt('tracks', 30));
const DIST = resolve(opt('dist', join(here, '..', 'dist')));
const TICK_S = 0.25;
const SIM_EVENTS = opt('sim-events', null);

// --- site (the demo site's geometry, in a flat-earth approximation good enough here) ----------
const ORIGIN = { lat: 52.1, lon: -1.0, alt: 80 };
const MLAT = 111320;
const MLON = 111320 * Math.cos((ORIGIN.lat * Math.PI) / 180);
const ll = (e, n) => [ORIGIN.lon + e / MLON, ORIGIN.lat + n / MLAT];
const latlon = (e, n) => ({ lat: ORIGIN.lat + n / MLAT, lon: ORIGIN.lon + e / MLON });
const fenceCorners = [[-300, -200], [300, -200], [300, 200], [-300, 200], [-300, -200]];
const fencePts = [];
{
  // 40 segments of 50 m, counter-clockwise from the south-west corner
  for (let s = 0; s < fenceCorners.length - 1; s++) {
    const [e0, n0] = fenceCorners[s];
    const [e1, n1] = fenceCorners[s + 1];
    const len = Math.hypot(e1 - e0, n1 - n0);
    for (let d = 0; d < len; d += 50) fencePts.push([e0 + ((e1 - e0) * d) / len, n0 + ((n1 - n0) * d) / len]);
  }
  fencePts.push(fenceCorners[0]);
}
const segments = fencePts.slice(0, -1).map((p, i) => [p, fencePts[i + 1]]);
const sensorsDef = [
  { id: 'radar-sw', type: 'radar', e: -310, n: -210, range: 1500, fov: 360, yaw: 0 },
  { id: 'radar-ne', type: 'radar', e: 310, n: 210, range: 1500, fov: 360, yaw: 0 },
  { id: 'cam-south', type: 'camera', e: 0, n: -195, range: 400, fov: 60, yaw: 180 },
  { id: 'cam-north', type: 'camera', e: 0, n: 195, range: 400, fov: 60, yaw: 0 },
  { id: 'cam-east', type: 'camera', e: 295, n: 0, range: 300, fov: 90, yaw: 90 },
  { id: 'cam-west', type: 'camera', e: -295, n: 0, range: 300, fov: 90, yaw: 270 },
  { id: 'fence-a', type: 'fence', e: 300, n: -200, segs: [1, 20] },
  { id: 'fence-b', type: 'fence', e: -300, n: 200, segs: [21, 40] },
];
const zonesDef = [
  { id: 'inside', name: 'Inside the perimeter', kind: 'protected', poly: [[-299, -199], [299, -199], [299, 199], [-299, 199]] },
  { id: 'switchyard', name: '400 kV switchyard', kind: 'critical', poly: [[-100, -50], [100, -50], [100, 100], [-100, 100]] },
  { id: 'gate-approach', name: 'South gate approach road', kind: 'approach', poly: [[-25, -330], [25, -330], [25, -200], [-25, -200]] },
  { id: 'south-buffer', name: 'Buffer strip south of the fence', kind: 'buffer', poly: [[-300, -300], [300, -300], [300, -200], [-300, -200]] },
];
function siteGeoJson() {
  const f = (geometry, properties) => ({ type: 'Feature', geometry, properties });
  const features = [f({ type: 'LineString', coordinates: fencePts.map(([e, n]) => ll(e, n)) }, { kind: 'fence', id: 'perimeter', name: 'Perimeter fence', closed: true, length_m: 2000, segments: 40 })];
  segments.forEach(([a, b], i) => features.push(f({ type: 'LineString', coordinates: [ll(...a), ll(...b)] }, { kind: 'segment', fence: 'perimeter', segment: i + 1, start_m: i * 50, end_m: (i + 1) * 50 })));
  for (const z of zonesDef) features.push(f({ type: 'Polygon', coordinates: [[...z.poly, z.poly[0]].map(([e, n]) => ll(e, n))] }, { kind: 'zone', id: z.id, name: z.name, zone_kind: z.kind }));
  for (const s of sensorsDef) {
    features.push(f({ type: 'Point', coordinates: ll(s.e, s.n) }, { kind: 'sensor', id: s.id, type: s.type, max_range_m: s.range ?? 0, yaw_deg: s.yaw ?? 0, fov_deg: s.fov ?? 0 }));
    if (s.type === 'fence') {
      for (let k = s.segs[0]; k <= s.segs[1]; k++) {
        const [a, b] = segments[k - 1];
        features.push(f({ type: 'LineString', coordinates: [ll(...a), ll(...b)] }, { kind: 'coverage', sensor: s.id, segment: k }));
      }
    } else {
      const ring = [];
      const full = s.fov >= 360;
      const from = full ? 0 : ((s.yaw - s.fov / 2) * Math.PI) / 180;
      const span = ((full ? 360 : s.fov) * Math.PI) / 180;
      for (let i = 0; i <= 48; i++) {
        const b = from + (span * i) / 48;
        ring.push(ll(s.e + s.range * Math.sin(b), s.n + s.range * Math.cos(b)));
      }
      if (!full) ring.push(ll(s.e, s.n));
      ring.push(ring[0]);
      features.push(f({ type: 'Polygon', coordinates: [ring] }, { kind: 'coverage', sensor: s.id, type: s.type }));
    }
  }
  return { type: 'FeatureCollection', name: 'Fenwick Grid Substation (dev server)', origin: ORIGIN, features };
}
const SITE = siteGeoJson();

// --- users and sessions ---------------------------------------------------------------------
const adminPassword = process.env.PICKET_ADMIN_PASSWORD || randomBytes(9).toString('base64url');
const users = new Map([
  ['admin', { role: 'admin', password: adminPassword }],
  ['operator', { role: 'operator', password: adminPassword }],
  ['viewer', { role: 'viewer', password: adminPassword }],
]);
const sessions = new Map(); // token -> {name, csrf, expires}
const audit = []; // {t, actor, action, target, detail, client}
const auditLog = (actor, action, target = '', detail = '') => audit.push({ t: Date.now() / 1000, actor, action, target, detail, client: '127.0.0.1' });
const SESSION_S = 8 * 3600;

function sessionOf(req) {
  const m = /(?:^|;\s*)picket_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
  if (!m) return null;
  const s = sessions.get(m[1]);
  if (!s || s.expires < Date.now() / 1000 || !users.has(s.name)) return null;
  return { ...s, token: m[1], role: users.get(s.name).role };
}
const LEVEL = { viewer: 0, operator: 1, admin: 2 };

// --- world ----------------------------------------------------------------------------------
let now = Date.now() / 1000;
let nextTrackId = 1;
let nextAlarmId = 1;
const movers = new Map(); // id -> mover
const alarms = new Map();
const alarmEvents = new Map();
const history = []; // frames {t, tracks}
const trackHistory = new Map(); // id -> [{t,lat,lon,east,north}]
const sensorState = new Map(sensorsDef.map((s) => [s.id, { id: s.id, type: s.type, ...latlon(s.e, s.n), status: 'ok', last_report_t: now, detections: 0, rejected: 0 }]));
let exercise = { active: false, scenario: null, alarms: 0, report: null };
const exerciseAlarmIds = new Set();

function rnd(a, b) {
  return a + Math.random() * (b - a);
}

function spawnBackground() {
  const cls = ['person', 'vehicle', 'animal', 'animal', 'unknown'][Math.floor(Math.random() * 5)];
  const speed = cls === 'vehicle' ? rnd(5, 12) : cls === 'animal' ? rnd(0.5, 2) : rnd(1, 1.8);
  const a = rnd(0, Math.PI * 2);
  // somewhere in the open country outside the fence
  let e, n;
  do {
    e = rnd(-1200, 1200);
    n = rnd(-900, 900);
  } while (Math.abs(e) < 350 && Math.abs(n) < 250);
  addMover({ cls, e, n, ve: Math.sin(a) * speed, vn: Math.cos(a) * speed, kind: 'wander' });
}

function addMover(m) {
  const id = nextTrackId++;
  movers.set(id, { id, born: now, status: 'tentative', exercise: false, ...m });
  return id;
}

function spawnIntruder(exerciseRun = false) {
  // Walks north from the buffer strip through a south fence segment, then to the switchyard.
  const e = rnd(-250, 250);
  return addMover({ cls: 'person', e, n: -230, ve: 0, vn: 1.4, kind: 'intruder', target: [rnd(-50, 50), 0], exercise: exerciseRun });
}

function trackObj(m) {
  const speed = Math.hypot(m.ve, m.vn);
  return {
    id: m.id, t: now, ...latlon(m.e, m.n), east: round(m.e), north: round(m.n), up: null,
    ve: round(m.ve), vn: round(m.vn), speed: round(speed),
    heading: round(((Math.atan2(m.ve, m.vn) * 180) / Math.PI + 360) % 360),
    status: m.status, class: m.cls, class_p: 0.8, sensors: m.e > 0 ? ['radar-ne'] : ['radar-sw'],
    air: false, exercise: m.exercise,
  };
}
const round = (x) => Math.round(x * 100) / 100;

function raiseAlarm(m, kind, priority, extra) {
  const id = nextAlarmId++;
  const p = latlon(m.e, m.n);
  const a = {
    id, rule: kind === 'fence_crossing' ? 'perimeter-crossing' : 'switchyard-entry', kind, priority, state: 'raised',
    t_raised: now, t_updated: now, track: m.id, fence: null, segment: null, zone: null, ...p,
    east: round(m.e), north: round(m.n), class: m.cls,
    sensors: kind === 'fence_crossing' ? ['radar-sw', 'fence-a', 'cam-south'] : ['radar-ne', 'cam-north'],
    exercise: m.exercise, acknowledged_by: null, acknowledged_at: null, resolved_by: null, resolved_at: null,
    outcome: null, note: null, evidence: [], ...extra,
  };
  alarms.set(id, a);
  alarmEvents.set(id, [{ t: now, state: 'raised', actor: null, note: null }]);
  if (m.exercise) {
    exerciseAlarmIds.add(id);
    exercise.alarms++;
  }
  broadcast({ type: 'alarm', alarm: a });
  if (m.exercise) broadcast({ type: 'exercise', ...exerciseStatus() });
}

let lastIntruder = now - 45 + Number(opt('first-intruder', 15)); // the first after this many seconds
function step() {
  now = Date.now() / 1000;
  const updated = [];
  const removed = [];
  while ([...movers.values()].filter((m) => m.kind === 'wander').length < N_BACKGROUND) spawnBackground();
  if (now - lastIntruder > 45) {
    lastIntruder = now;
    spawnIntruder();
  }
  for (const m of movers.values()) {
    const prevN = m.n;
    if (m.kind === 'intruder' && m.n > -150) {
      // head for the target
      const [te, tn] = m.target;
      const d = Math.hypot(te - m.e, tn - m.n);
      if (d > 2) {
        m.ve = ((te - m.e) / d) * 1.4;
        m.vn = ((tn - m.n) / d) * 1.4;
      } else {
        m.ve = m.vn = 0;
      }
    } else if (m.kind === 'wander' && Math.random() < 0.01) {
      const a = rnd(0, Math.PI * 2);
      const s = Math.hypot(m.ve, m.vn);
      m.ve = Math.sin(a) * s;
      m.vn = Math.cos(a) * s;
    }
    m.e += m.ve * TICK_S;
    m.n += m.vn * TICK_S;
    if (m.kind === 'wander' && Math.abs(m.e) < 320 && Math.abs(m.n) < 220) {
      m.ve = -m.ve;
      m.vn = -m.vn;
      m.e += 2 * m.ve * TICK_S;
      m.n += 2 * m.vn * TICK_S;
    }
    if (m.status === 'tentative' && now - m.born > 2) m.status = 'confirmed';
    if (m.kind === 'intruder' && prevN < -200 && m.n >= -200) {
      const seg = Math.min(12, Math.max(1, Math.floor((m.e + 300) / 50) + 1));
      if (SIM_EVENTS) {
        appendFileSync(SIM_EVENTS, JSON.stringify({ t: now, id: `intruder-${m.id}`, event: 'fence_crossing', fence: 'perimeter', segment: seg, direction: 'inward', east: round(m.e), north: round(m.n), class: m.cls }) + '\n');
      }
      raiseAlarm(m, 'fence_crossing', 'high', { fence: 'perimeter', segment: seg });
    }
    if (m.kind === 'intruder' && !m.inYard && Math.abs(m.e) < 100 && m.n > -50) {
      m.inYard = true;
      raiseAlarm(m, 'zone_entry', 'medium', { zone: 'switchyard' });
    }
    if ((m.kind === 'intruder' && now - m.born > 300) || Math.abs(m.e) > 2000 || Math.abs(m.n) > 1500) {
      removed.push(m.id);
      continue;
    }
    updated.push(trackObj(m));
  }
  for (const id of removed) movers.delete(id);
  for (const tr of updated) {
    let h = trackHistory.get(tr.id);
    if (!h) trackHistory.set(tr.id, (h = []));
    if (!h.length || now - h[h.length - 1].t >= 1) h.push({ t: tr.t, lat: tr.lat, lon: tr.lon, east: tr.east, north: tr.north });
  }
  if (!history.length || now - history[history.length - 1].t >= 1) {
    history.push({ t: now, tracks: updated });
    while (history.length > 3600) history.shift();
  }
  for (const s of sensorState.values()) {
    s.last_report_t = now;
    s.detections += Math.round(rnd(0, 5));
  }
  if (Math.random() < 0.002) {
    const s = [...sensorState.values()][Math.floor(rnd(0, sensorState.size))];
    s.status = s.status === 'ok' ? 'fault' : 'ok';
    broadcast({ type: 'sensor', sensor: s });
  }
  broadcast({ type: 'tracks', t: now, updated, removed });
}

function exerciseStatus() {
  const per = [...exerciseAlarmIds].map((id) => {
    const a = alarms.get(id);
    return { id, acknowledge_s: a.acknowledged_at ? a.acknowledged_at - a.t_raised : null, resolve_s: a.resolved_at ? a.resolved_at - a.t_raised : null };
  });
  const stat = (xs) => {
    const v = xs.filter((x) => x !== null).sort((a, b) => a - b);
    return { median: v.length ? v[Math.floor(v.length / 2)] : null, max: v.length ? v[v.length - 1] : null };
  };
  return { ...exercise, report: { acknowledge_s: stat(per.map((p) => p.acknowledge_s)), resolve_s: stat(per.map((p) => p.resolve_s)), per_alarm: per } };
}

// --- HTTP -----------------------------------------------------------------------------------
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json', '.json': 'application/json' };

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const c of req) {
    size += c.length;
    if (size > 65536) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(c);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw Object.assign(new Error(`bad JSON: ${e.message}`), { status: 400 });
  }
}

function alarmAction(a, action, actor, body) {
  if (action === 'acknowledge') {
    if (a.state !== 'raised') return [409, { error: `alarm ${a.id} is ${a.state}` }];
    Object.assign(a, { state: 'acknowledged', acknowledged_by: actor, acknowledged_at: now, t_updated: Date.now() / 1000 });
  } else {
    if (a.state === 'resolved') return [409, { error: `alarm ${a.id} is already resolved` }];
    if (!['intrusion', 'nuisance', 'false', 'test'].includes(body.outcome)) return [400, { error: 'outcome: expected intrusion, nuisance, false or test' }];
    Object.assign(a, { state: 'resolved', resolved_by: actor, resolved_at: Date.now() / 1000, t_updated: Date.now() / 1000, outcome: body.outcome, note: body.note ?? null });
  }
  alarmEvents.get(a.id).push({ t: a.t_updated, state: a.state, actor, note: body.note ?? null });
  auditLog(actor, action, `alarm ${a.id}`, body.note ?? '');
  broadcast({ type: 'alarm', alarm: a });
  if (a.exercise) broadcast({ type: 'exercise', ...exerciseStatus() });
  return [200, a];
}

async function api(req, res, url) {
  const path = url.pathname;
  if (path === '/api/login' && req.method === 'POST') {
    const b = await readJson(req);
    const u = users.get(b.username);
    const ok = u && Buffer.byteLength(String(b.password)) === Buffer.byteLength(u.password) && timingSafeEqual(Buffer.from(String(b.password)), Buffer.from(u.password));
    if (!ok) {
      auditLog(String(b.username), 'login_failed');
      return send(res, 401, { error: 'bad user name or password' });
    }
    auditLog(b.username, 'login');
    const token = randomBytes(24).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    sessions.set(token, { name: b.username, csrf, expires: Date.now() / 1000 + SESSION_S });
    return send(res, 200, { user: { name: b.username, role: u.role }, csrf_token: csrf }, { 'Set-Cookie': `picket_session=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_S}` });
  }
  const s = sessionOf(req);
  if (!s) return send(res, 401, { error: 'not signed in' });
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) return send(res, 403, { error: 'missing or wrong X-CSRF-Token' });
  const need = (role) => {
    if (LEVEL[s.role] < LEVEL[role]) {
      send(res, 403, { error: `needs role ${role}` });
      return false;
    }
    return true;
  };
  let m;
  if (path === '/api/logout' && req.method === 'POST') {
    sessions.delete(s.token);
    return send(res, 200, {}, { 'Set-Cookie': 'picket_session=; Path=/; Max-Age=0' });
  }
  if (path === '/api/me') return send(res, 200, { user: { name: s.name, role: s.role }, csrf_token: s.csrf });
  if (path === '/api/site') return send(res, 200, SITE);
  if (path === '/api/sensors') return send(res, 200, [...sensorState.values()]);
  if (path === '/api/tracks') return send(res, 200, { t: now, tracks: [...movers.values()].map(trackObj) });
  if ((m = /^\/api\/tracks\/(\d+)\/history$/.exec(path))) {
    const from = Number(url.searchParams.get('from') ?? 0);
    const to = Number(url.searchParams.get('to') ?? Infinity);
    return send(res, 200, { track: Number(m[1]), points: (trackHistory.get(Number(m[1])) ?? []).filter((p) => p.t >= from && p.t <= to) });
  }
  if (path === '/api/alarms') {
    const q = url.searchParams;
    const st = q.get('state') ?? 'open';
    let list = [...alarms.values()].filter((a) => st === 'all' || (st === 'open' ? a.state !== 'resolved' : a.state === st));
    if (q.get('priority')) list = list.filter((a) => a.priority === q.get('priority'));
    if (q.get('exercise')) list = list.filter((a) => String(a.exercise) === q.get('exercise'));
    if (q.get('since')) list = list.filter((a) => a.t_raised >= Number(q.get('since')));
    if (q.get('until')) list = list.filter((a) => a.t_raised <= Number(q.get('until')));
    list.sort((a, b) => b.t_raised - a.t_raised);
    const limit = Math.min(500, Number(q.get('limit') ?? 100));
    const offset = Number(q.get('offset') ?? 0);
    return send(res, 200, { total: list.length, alarms: list.slice(offset, offset + limit) });
  }
  if ((m = /^\/api\/alarms\/(\d+)$/.exec(path))) {
    const a = alarms.get(Number(m[1]));
    if (!a) return send(res, 404, { error: `no alarm ${m[1]}` });
    return send(res, 200, { alarm: a, events: alarmEvents.get(a.id), track_history: trackHistory.get(a.track) ?? [] });
  }
  if ((m = /^\/api\/alarms\/(\d+)\/(acknowledge|resolve)$/.exec(path)) && req.method === 'POST') {
    if (!need('operator')) return;
    const a = alarms.get(Number(m[1]));
    if (!a) return send(res, 404, { error: `no alarm ${m[1]}` });
    const [status, body] = alarmAction(a, m[2], s.name, await readJson(req));
    return send(res, status, body);
  }
  if (path === '/api/history/range') return send(res, 200, { from: history[0]?.t ?? null, to: history[history.length - 1]?.t ?? null });
  if (path === '/api/history') {
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    const stepS = Math.max(1, Number(url.searchParams.get('step') ?? 1));
    const frames = [];
    let last = -Infinity;
    for (const f of history) {
      if (f.t < from || f.t > to || f.t - last < stepS - 0.01) continue;
      frames.push(f);
      last = f.t;
      if (frames.length >= 2000) break;
    }
    return send(res, 200, { frames });
  }
  if (path === '/api/users') {
    if (!need('admin')) return;
    if (req.method === 'GET') return send(res, 200, [...users].map(([name, u]) => ({ name, role: u.role })));
    if (req.method === 'POST') {
      const b = await readJson(req);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(b.name ?? '')) return send(res, 400, { error: 'name: 1 to 64 letters, digits, _ . -' });
      if (!(b.role in LEVEL)) return send(res, 400, { error: 'role: expected viewer, operator or admin' });
      if (String(b.password ?? '').length < 8) return send(res, 400, { error: 'password: at least 8 characters' });
      if (users.has(b.name)) return send(res, 409, { error: `user ${b.name} exists` });
      users.set(b.name, { role: b.role, password: String(b.password) });
      auditLog(s.name, 'create_user', b.name, b.role);
      return send(res, 200, { name: b.name, role: b.role });
    }
  }
  if ((m = /^\/api\/users\/([^/]+)$/.exec(path)) && req.method === 'DELETE') {
    if (!need('admin')) return;
    const name = decodeURIComponent(m[1]);
    if (!users.has(name)) return send(res, 404, { error: `no user ${name}` });
    if (users.get(name).role === 'admin' && [...users.values()].filter((u) => u.role === 'admin').length === 1) return send(res, 409, { error: 'cannot delete the last admin' });
    users.delete(name);
    return send(res, 200, {});
  }
  if (path === '/api/audit') {
    if (!need('admin')) return;
    return send(res, 200, audit.slice(-Number(url.searchParams.get('limit') ?? 200)).reverse());
  }
  if (path === '/api/scenarios') {
    if (!need('admin')) return;
    return send(res, 200, ['south-fence-intrusion', 'two-intruders']);
  }
  if (path === '/api/exercise') {
    if (req.method === 'GET') return send(res, 200, exerciseStatus());
    if (!need('admin')) return;
    if (req.method === 'POST') {
      const b = await readJson(req);
      if (exercise.active) return send(res, 409, { error: 'an exercise is already running' });
      exercise = { active: true, scenario: b.scenario, alarms: 0, report: null };
      exerciseAlarmIds.clear();
      spawnIntruder(true);
      if (b.scenario === 'two-intruders') spawnIntruder(true);
      broadcast({ type: 'exercise', ...exerciseStatus() });
      return send(res, 200, exerciseStatus());
    }
    if (req.method === 'DELETE') {
      const report = exerciseStatus().report;
      const gone = [];
      for (const [id, mv] of movers) if (mv.exercise) (movers.delete(id), gone.push(id));
      broadcast({ type: 'tracks', t: now, updated: [], removed: gone });
      for (const id of exerciseAlarmIds) {
        const a = alarms.get(id);
        if (a.state !== 'resolved') {
          Object.assign(a, { state: 'resolved', resolved_by: s.name, resolved_at: Date.now() / 1000, t_updated: Date.now() / 1000, outcome: 'test', note: 'exercise cleared' });
          broadcast({ type: 'alarm', alarm: a });
        }
      }
      exercise = { active: false, scenario: exercise.scenario, alarms: exercise.alarms, report };
      broadcast({ type: 'exercise', ...exercise });
      return send(res, 200, exercise);
    }
  }
  return send(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
}

function serveStatic(req, res, url) {
  let p = decodeURIComponent(url.pathname);
  if (p === '/') p = '/index.html';
  const file = normalize(join(DIST, p));
  if (!file.startsWith(DIST + '/')) return send(res, 400, { error: 'bad path' });
  if (!existsSync(file) || !statSync(file).isFile()) return send(res, 404, { error: 'not found' });
  res.writeHead(200, {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    // the same policy as the daemon's static files (src/server/server.cpp)
    'Content-Security-Policy':
      "default-src 'self'; img-src * data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; media-src 'self' data: blob:",
  });
  createReadStream(file).pipe(res);
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname.startsWith('/api/')) {
    api(req, res, url).catch((e) => send(res, e.status ?? 500, { error: e.message }));
  } else if (url.pathname === '/healthz' || url.pathname === '/readyz') {
    send(res, 200, { ok: true });
  } else {
    serveStatic(req, res, url);
  }
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (!req.url.startsWith('/api/stream') || !sessionOf(req)) {
    socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'snapshot', t: now, tracks: [...movers.values()].map(trackObj), alarms: [...alarms.values()].filter((a) => a.state !== 'resolved'), sensors: [...sensorState.values()] }));
    ws.send(JSON.stringify({ type: 'exercise', ...exerciseStatus() }));
  });
});

function broadcast(msg) {
  const text = JSON.stringify(msg);
  for (const ws of wss.clients) {
    if (ws.readyState !== 1) continue;
    if (ws.bufferedAmount > 8 << 20) {
      ws.close(1008, 'too slow');
      continue;
    }
    ws.send(text);
  }
}

setInterval(step, TICK_S * 1000);
process.on('SIGTERM', () => {
  wss.clients.forEach((ws) => ws.close(1001, 'server stopping'));
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
server.listen(PORT, '127.0.0.1', () => {
  console.log(`picket dev server: http://127.0.0.1:${server.address().port}/ (serving ${DIST})`);
  if (!process.env.PICKET_ADMIN_PASSWORD) console.log(`admin password: ${adminPassword}`);
});
