// Browser tests of the operator console against the real daemon (`picket run` with the built-in
// simulator), in Debian's chromium driven by playwright-core. The acceptance points of issue 5:
// log in; simulated tracks move; a high-priority alarm appears within 2 s of the simulated fence
// crossing; acknowledge and resolve it with a note; reload and the state is kept; a viewer cannot
// acknowledge (403 from the API, no button); logged-out requests get 401. Screenshots of the main
// views go to tests/browser/screenshots/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startDaemon } from './daemon.mjs';
import { launchBrowser, screenshots, sleep, waitFor } from './lib.mjs';

const CROSSING_TIMEOUT_MS = Number(process.env.PICKET_BROWSER_CROSSING_TIMEOUT ?? 240) * 1000;

let daemon;
const browsers = [];

async function openAs(name, password) {
  const b = await launchBrowser();
  browsers.push(b);
  const page = b.context.pages()[0] ?? (await b.context.newPage());
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    // a Content-Security-Policy violation would break the console silently
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) page.errors.push(m.text());
  });
  await page.goto(daemon.url + '/');
  await page.waitForSelector('[data-testid=login-form]');
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=connection].live', { timeout: 15000 });
  return page;
}

// An API call from inside a signed-in page, with its cookie and CSRF token.
function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await fetch('/api/me');
      const csrf = me.ok ? (await me.json()).csrf_token : '';
      const res = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: res.status, json };
    },
    { method, path, body },
  );
}

const shot = (page, name) => page.screenshot({ path: join(screenshots, `${name}.png`) });

function liveTracks(page) {
  return page.evaluate(() =>
    [...window.picket.state.tracks.values()].map((e) => ({ id: e.track.id, east: e.track.east, north: e.track.north, t: e.track.t })),
  );
}

function readEvents() {
  if (!existsSync(daemon.eventsFile)) return [];
  return readFileSync(daemon.eventsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

describe('operator console against picket run', { timeout: 600000 }, () => {
  let admin;
  let operator;
  let viewer;
  let crossingAlarmId;
  const userPassword = 'correct horse battery staple 42';
  const note = 'Checked on camera: one person climbed the fence; patrol sent, police informed.';

  before(async () => {
    daemon = await startDaemon();
  });

  after(async () => {
    for (const b of browsers) await b.close();
    const exit = await daemon?.stop();
    // a graceful shutdown on SIGTERM: exit code 0
    assert.deepEqual(exit, { code: 0, signal: null }, `daemon exit ${JSON.stringify(exit)}\n${daemon?.output().slice(-2000)}`);
  });

  test('logged-out requests get 401', async () => {
    assert.equal((await fetch(`${daemon.url}/healthz`)).status, 200);
    for (const path of ['/api/me', '/api/site', '/api/tracks', '/api/alarms', '/api/sensors', '/api/users', '/api/history/range']) {
      const r = await fetch(daemon.url + path);
      assert.equal(r.status, 401, `GET ${path}`);
    }
    const post = await fetch(`${daemon.url}/api/alarms/1/acknowledge`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"note":"x"}',
    });
    assert.equal(post.status, 401, 'POST acknowledge without a session');
    const forged = await fetch(`${daemon.url}/api/tracks`, { headers: { Cookie: 'picket_session=forged0123456789' } });
    assert.equal(forged.status, 401, 'a forged session cookie');
    // the WebSocket stream refuses the upgrade
    const status = await new Promise((resolve, reject) => {
      const u = new URL(`${daemon.url}/api/stream`);
      const req = httpRequest({
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 401, 'WebSocket upgrade without a session');
  });

  test('log in (a wrong password is refused), and the admin creates an operator and a viewer', async () => {
    const b = await launchBrowser();
    browsers.push(b);
    const page = b.context.pages()[0] ?? (await b.context.newPage());
    await page.goto(daemon.url + '/');
    await page.waitForSelector('[data-testid=login-form]');
    await shot(page, '01-login');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=login-error]')?.textContent?.includes('Wrong'));

    admin = await openAs('admin', daemon.password);
    assert.match(await admin.textContent('[data-testid=user]'), /admin/);
    await admin.click('[data-testid=tab-users]');
    for (const [name, role] of [['op1', 'operator'], ['view1', 'viewer']]) {
      await admin.waitForSelector('[data-testid=user-form]');
      await admin.fill('[data-testid=user-form] input[name=name]', name);
      await admin.selectOption('[data-testid=user-form] select[name=role]', role);
      await admin.fill('[data-testid=user-form] input[name=password]', userPassword);
      await admin.click('[data-testid=user-form] button[type=submit]');
      await admin.waitForSelector(`[data-testid=users-table] tr[data-user="${name}"]`);
    }
    // the audit trail names the new users
    await admin.click('[data-testid=tab-alarms]');
    await admin.click('[data-testid=tab-users]');
    await admin.waitForFunction(() => /view1/.test(document.querySelector('[data-testid=audit-log] table')?.textContent ?? ''));
    await shot(admin, '02-users');
    const users = await api(admin, 'GET', '/api/users');
    assert.equal(users.status, 200);
    const roles = Object.fromEntries(users.json.map((u) => [u.name, u.role]));
    assert.equal(roles.admin, 'admin');
    assert.equal(roles.op1, 'operator');
    assert.equal(roles.view1, 'viewer');
    await admin.click('[data-testid=tab-alarms]');
    operator = await openAs('op1', userPassword);
    viewer = await openAs('view1', userPassword);
  });

  test('the site is drawn and simulated tracks move', async () => {
    await operator.waitForFunction(() => window.picket.state.tracks.size > 0, null, { timeout: 30000 });
    const first = await liveTracks(operator);
    await sleep(3000);
    const later = await liveTracks(operator);
    const moved = later.filter((b) => {
      const a = first.find((x) => x.id === b.id);
      return a && b.t > a.t && Math.hypot(b.east - a.east, b.north - a.north) > 0.5;
    });
    assert.ok(moved.length > 0, `no track moved in 3 s: ${JSON.stringify({ first, later }).slice(0, 800)}`);
    // the canvas layer drew them: its status line counts the tracks
    const status = await operator.textContent('[data-testid=map-status]');
    assert.match(status, /\d+ tracks/);
    // the site: fence segments numbered, sensors labelled
    assert.ok((await operator.$$('.segment-label')).length >= 40, 'segment numbers');
    assert.ok((await operator.$$('.sensor-label')).length >= 8, 'sensor labels');
    await shot(operator, '03-live-map');
  });

  test('a high-priority alarm appears within 2 s of the simulated fence crossing', { timeout: CROSSING_TIMEOUT_MS + 30000 }, async () => {
    // Watch the simulator's truth events for the first fence crossing, noting when it appeared.
    const known = new Set(await operator.evaluate(() => [...window.picket.state.alarms.keys()]));
    const tonesBefore = await operator.evaluate(() => window.picket.sound.played);
    const crossing = await waitFor(
      () => {
        const ev = readEvents().find((e) => e.event === 'fence_crossing');
        return ev ? { ev, seenAt: Date.now() } : null;
      },
      { timeout: CROSSING_TIMEOUT_MS, interval: 20, what: `a fence_crossing truth event in ${daemon.eventsFile}` },
    );
    // The alarm for it: high priority, a fence crossing on that fence, new, and shown in the queue.
    const handle = await operator.waitForFunction(
      ({ known, fence }) => {
        for (const a of window.picket.state.alarms.values()) {
          if (known.includes(a.id) || a.priority !== 'high' || a.kind !== 'fence_crossing') continue;
          if (fence && a.fence !== fence) continue;
          if (document.querySelector(`[data-testid=alarm-queue] [data-alarm-id="${a.id}"][data-priority=high]`)) return a.id;
        }
        return null;
      },
      { known: [...known], fence: crossing.ev.fence ?? null },
      { timeout: 10000, polling: 'raf' },
    );
    const appearedAt = Date.now();
    const latency = (appearedAt - crossing.seenAt) / 1000;
    crossingAlarmId = await handle.jsonValue();
    console.log(`alarm #${crossingAlarmId} shown ${latency.toFixed(2)} s after the crossing of ${JSON.stringify(crossing.ev)}`);
    assert.ok(latency <= 2, `the alarm took ${latency.toFixed(2)} s to appear`);
    // and the new high-priority alarm sounded the tone
    await operator.waitForFunction((n) => window.picket.sound.played > n, tonesBefore, { timeout: 2000 });
    const detail = await api(operator, 'GET', `/api/alarms/${crossingAlarmId}`);
    assert.equal(detail.json.alarm.kind, 'fence_crossing');
    assert.equal(detail.json.alarm.fence, crossing.ev.fence);
    await shot(operator, '04-alarm-queue');
  });

  test('a viewer cannot acknowledge: no button, and the API answers 403', async () => {
    await viewer.waitForSelector(`[data-testid=alarm-row][data-alarm-id="${crossingAlarmId}"]`);
    await viewer.click(`[data-testid=alarm-row][data-alarm-id="${crossingAlarmId}"]`);
    await viewer.waitForSelector(`[data-testid=alarm-detail][data-alarm-id="${crossingAlarmId}"]`);
    assert.equal(await viewer.$('[data-testid=ack-button]'), null, 'acknowledge button shown to a viewer');
    assert.equal(await viewer.$('[data-testid=resolve-button]'), null, 'resolve button shown to a viewer');
    const r = await api(viewer, 'POST', `/api/alarms/${crossingAlarmId}/acknowledge`, { note: 'viewer tries' });
    assert.equal(r.status, 403);
    const r2 = await api(viewer, 'POST', `/api/alarms/${crossingAlarmId}/resolve`, { outcome: 'false', note: 'viewer tries' });
    assert.equal(r2.status, 403);
    // a state change without the CSRF header is refused too, even for the operator
    const noCsrf = await operator.evaluate(async (id) => {
      const res = await fetch(`/api/alarms/${id}/acknowledge`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"note":""}' });
      return res.status;
    }, crossingAlarmId);
    assert.equal(noCsrf, 403);
    const still = await api(viewer, 'GET', `/api/alarms/${crossingAlarmId}`);
    assert.equal(still.json.alarm.state, 'raised');
    await shot(viewer, '05-viewer-detail');
  });

  test('the operator acknowledges and resolves it with a note', async () => {
    await operator.click(`[data-testid=alarm-row][data-alarm-id="${crossingAlarmId}"]`);
    await operator.waitForSelector(`[data-testid=alarm-detail][data-alarm-id="${crossingAlarmId}"]`);
    // the detail shows contributing sensors and the map zoomed to the alarm
    assert.notEqual((await operator.textContent('[data-testid=detail-sensors]')).trim(), '—');
    await shot(operator, '06-alarm-detail');
    await operator.fill('[data-testid=ack-note]', 'On it.');
    await operator.click('[data-testid=ack-button]');
    await operator.waitForSelector('[data-testid=alarm-detail][data-state=acknowledged]');
    await operator.selectOption('[data-testid=resolve-outcome]', 'intrusion');
    await operator.fill('[data-testid=resolve-note]', note);
    await operator.click('[data-testid=resolve-button]');
    await operator.waitForSelector('[data-testid=alarm-detail][data-state=resolved]');
    assert.equal((await operator.textContent('[data-testid=detail-note]')).trim(), note);
    assert.equal(await operator.$('[data-testid=resolve-button]'), null);
    const r = await api(operator, 'GET', `/api/alarms/${crossingAlarmId}`);
    assert.equal(r.json.alarm.state, 'resolved');
    assert.equal(r.json.alarm.outcome, 'intrusion');
    assert.equal(r.json.alarm.note, note);
    assert.equal(r.json.alarm.acknowledged_by, 'op1');
    assert.equal(r.json.alarm.resolved_by, 'op1');
    // the other consoles see it leave the queue through the stream
    await viewer.waitForSelector(`[data-testid=alarm-detail][data-alarm-id="${crossingAlarmId}"][data-state=resolved]`, { timeout: 5000 });
    await admin.waitForFunction((id) => !window.picket.state.alarms.has(id), crossingAlarmId, { timeout: 5000 });
    await shot(operator, '07-alarm-resolved');
  });

  test('after a reload the session and the alarm state are kept', async () => {
    await operator.reload();
    await operator.waitForSelector('[data-testid=connection].live', { timeout: 15000 });
    assert.equal(await operator.$('[data-testid=login-form]'), null, 'the reload asked to sign in again');
    assert.equal(await operator.$(`[data-testid=alarm-queue] [data-alarm-id="${crossingAlarmId}"]`), null);
    const row = await operator.waitForSelector(`[data-testid=resolved-list] [data-alarm-id="${crossingAlarmId}"]`);
    assert.equal(await row.getAttribute('data-state'), 'resolved');
    await row.click();
    await operator.waitForSelector(`[data-testid=alarm-detail][data-alarm-id="${crossingAlarmId}"][data-state=resolved]`);
    assert.equal((await operator.textContent('[data-testid=detail-note]')).trim(), note);
    assert.equal((await operator.textContent('[data-testid=detail-outcome]')).trim(), 'intrusion');
    const events = await operator.textContent('[data-testid=detail-events]');
    assert.match(events, /acknowledged by op1/);
    assert.match(events, /resolved by op1/);
  });

  test('the console reconnects with a fresh snapshot when the stream drops', async () => {
    const before = await operator.evaluate(() => window.picket.state.snapshots);
    await operator.evaluate(() => window.picket.stream.drop());
    await operator.waitForFunction((n) => window.picket.state.snapshots > n, before, { timeout: 15000 });
    await operator.waitForSelector('[data-testid=connection].live');
    await operator.waitForFunction(() => window.picket.state.tracks.size > 0, null, { timeout: 10000 });
  });

  test('sensor health, replay and exercise views', async () => {
    await operator.click('[data-testid=tab-sensors]');
    await operator.waitForSelector('[data-testid=sensor-table] tr[data-sensor-id="radar-sw"]');
    await shot(operator, '08-sensors');
    const range = await api(operator, 'GET', '/api/history/range');
    assert.equal(range.status, 200);
    await operator.click('[data-testid=mode-toggle]');
    await operator.waitForSelector('[data-testid=replay-bar]:not(.hidden)');
    await operator.waitForFunction(() => window.picket.app.mode === 'replay');
    await operator.waitForFunction(() => /\d{4}-\d\d-\d\d/.test(document.querySelector('[data-testid=replay-time]')?.textContent ?? ''));
    // scrubbing the timeline (to its end) moves the time shown, and stored tracks are shown
    const shownBefore = await operator.textContent('[data-testid=replay-time]');
    await operator.evaluate(() => {
      const s = document.querySelector('[data-testid=replay-slider]');
      s.value = '1000';
      s.dispatchEvent(new Event('input'));
    });
    await operator.waitForFunction((t) => document.querySelector('[data-testid=replay-time]')?.textContent !== t, shownBefore);
    await operator.waitForFunction(() => /^replay · [1-9]\d* tracks/.test(document.querySelector('[data-testid=map-status]')?.textContent ?? ''), null, { timeout: 10000 });
    await shot(operator, '09-replay');
    await operator.click('[data-testid=mode-toggle]');
    await operator.waitForFunction(() => window.picket.app.mode === 'live');
    // exercise: viewers and operators have no panel; the admin has
    assert.equal(await operator.$('[data-testid=tab-exercise]'), null);
    await admin.click('[data-testid=tab-exercise]');
    await admin.waitForSelector('[data-testid=exercise-panel]');
    await shot(admin, '10-exercise');
    assert.deepEqual(operator.errors, []);
    assert.deepEqual(admin.errors, []);
    assert.deepEqual(viewer.errors, []);
  });

  test('an admin starts an exercise, everyone sees it marked, and it is cleared in one action', async () => {
    const scenarios = await api(admin, 'GET', '/api/scenarios');
    assert.equal(scenarios.status, 200);
    const names = Array.isArray(scenarios.json) ? scenarios.json : scenarios.json?.scenarios;
    assert.ok(Array.isArray(names) && names.length > 0, `GET /api/scenarios offers no scenario: ${JSON.stringify(scenarios.json)}`);
    assert.equal((await api(operator, 'POST', '/api/exercise', { scenario: names[0] })).status, 403, 'an operator may not start one');
    await admin.click('[data-testid=tab-exercise]');
    await admin.waitForSelector(`[data-testid=exercise-scenario] option[value="${names[0]}"]`, { state: 'attached' });
    await admin.selectOption('[data-testid=exercise-scenario]', names[0]);
    await admin.click('[data-testid=exercise-start]');
    // the operator's console shows the exercise banner, from the stream
    await operator.waitForSelector('[data-testid=exercise-banner]:not(.hidden)', { timeout: 10000 });
    assert.match(await operator.textContent('[data-testid=exercise-banner]'), /EXERCISE/);
    // exercise alarms, if the scenario raised any yet, are marked as such in the queue
    await sleep(3000);
    await operator.click('[data-testid=tab-alarms]');
    const marked = await operator.$$eval('[data-testid=alarm-queue] [data-exercise=true]', (rows) =>
      rows.map((r) => r.textContent.includes('EXERCISE')),
    );
    assert.ok(marked.every(Boolean));
    await shot(operator, '11-exercise-running');
    await admin.waitForSelector('[data-testid=exercise-clear]:not([disabled])');
    await admin.click('[data-testid=exercise-clear]');
    await operator.waitForSelector('[data-testid=exercise-banner].hidden', { state: 'attached', timeout: 10000 });
    // cleared: no open exercise alarm and no exercise track left
    await operator.waitForFunction(
      () => ![...window.picket.state.alarms.values()].some((a) => a.exercise) &&
        ![...window.picket.state.tracks.values()].some((e) => e.track.exercise),
      null,
      { timeout: 10000 },
    );
    const status = await api(admin, 'GET', '/api/exercise');
    assert.equal(status.json.active, false);
    await shot(admin, '12-exercise-report');
  });

  test('signing out ends the session', async () => {
    await viewer.click('[data-testid=logout]');
    await viewer.waitForSelector('[data-testid=login-form]');
    const r = await viewer.evaluate(async () => (await fetch('/api/tracks')).status);
    assert.equal(r, 401);
  });
});
