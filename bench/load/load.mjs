// Load benchmark of the live daemon (issue 5): N sensors each reporting R times a second over UDP
// on loopback into `picket run`, with C WebSocket clients attached to the stream.
//
// Measures: detections sent vs accepted and rejected (from /metrics: nothing may be lost), the
// time from a detection's sending to the track update it caused arriving at a WebSocket client
// (each client's samples; the sender stamps `t` with the wall clock, and the daemon's track
// update carries the `t` of its latest detection), the daemon's own histogram of arrival to
// announcement (picket_pipeline_latency_seconds), and the daemon's resident memory sampled over
// the run (growth after the warm-up).
//
//   node load.mjs --picket build/release/picket [--sensors 1000] [--rate 10] [--clients 20]
//                 [--duration 60] [--warmup 30] [--reorder-window 0.02] [--out result.json]
//
// Each sensor watches one target walking a circle of 20 m radius around a point 40 m from it, so
// the scene holds as many tracks as sensors.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';

const { values: o } = parseArgs({
  options: {
    picket: { type: 'string', default: 'build/release/picket' },
    sensors: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '10' },
    clients: { type: 'string', default: '20' },
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '30' },
    'reorder-window': { type: 'string', default: '0.02' },
    out: { type: 'string', default: '' },
  },
});
const N = Number(o.sensors);
const RATE = Number(o.rate);
const CLIENTS = Number(o.clients);
const DURATION = Number(o.duration);
const WARMUP = Number(o.warmup);
const SAMPLE_EVERY = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now() / 1000;

// --- the site: N sensors on a grid, 100 m apart ---------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'picket-load-'));
const cols = Math.ceil(Math.sqrt(N));
const sensors = [];
let yaml = 'name: Load benchmark site\norigin: {lat: 52.1, lon: -1.0, alt: 80}\nsensors:\n';
for (let i = 0; i < N; i++) {
  const east = (i % cols) * 100;
  const north = Math.floor(i / cols) * 100;
  sensors.push({ id: `s${i}`, east, north });
  yaml += `  - {id: s${i}, type: camera, position: {east: ${east}, north: ${north}, up: 5}, range: {max: 80},` +
    ` noise: {position: 1.5}, pd: 0.95, false_alarm_rate: 0, update_rate: ${RATE}}\n`;
}
yaml += `policy:\n  health:\n    min_silence: 30\nstore:\n  path: picket.db\n`;
const sitePath = join(dir, 'site.yaml');
writeFileSync(sitePath, yaml);

// --- the daemon -----------------------------------------------------------------------------------
const password = 'load-bench-password';
const daemon = spawn(o.picket, ['run', sitePath, '--listen', '127.0.0.1:0', '--udp', '127.0.0.1:0',
  '--store', join(dir, 'picket.db'), '--reorder-window', o['reorder-window']], {
  env: { ...process.env, PICKET_ADMIN_PASSWORD: password },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
daemon.stdout.on('data', (d) => (output += d));
daemon.stderr.on('data', (d) => (output += d));
let url, udpPort;
for (let i = 0; i < 300 && !(url && udpPort); i++) {
  await sleep(100);
  url = /console at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  udpPort = Number(/over UDP on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
}
if (!url) {
  console.error(`the daemon did not start:\n${output}`);
  process.exit(1);
}
const rss = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};

// The daemon's CPU time so far (user + system), seconds.
const cpu = () => {
  const f = readFileSync(`/proc/${daemon.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
};

async function metrics() {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (name) => {
    let s = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(name + '{') || line.startsWith(name + ' ')) s += Number(line.split(' ').pop());
    }
    return s;
  };
  const histogram = (name) => {
    const out = [];
    const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`);
    for (const line of text.split('\n')) {
      const m = re.exec(line);
      if (m) out.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
    }
    return out;
  };
  return { accepted: sum('picket_detections_total'), rejected: sum('picket_detections_rejected_total'),
    buckets: histogram('picket_pipeline_latency_seconds'), send: histogram('picket_ws_send_seconds') };
}

// --- the clients ----------------------------------------------------------------------------------
const login = await fetch(`${url}/api/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password }),
});
const cookie = login.headers.get('set-cookie').split(';')[0];
const HIST_BIN_S = 0.0001; // client latency histogram: 0.1 ms bins up to 2 s
const HIST_BINS = 20000;
let measuring = false;
const clients = [];
for (let c = 0; c < CLIENTS; c++) {
  const client = { messages: 0, bytes: 0, hist: new Float64Array(HIST_BINS + 1), samples: 0, max: 0, closed: null };
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/stream`, { headers: { Cookie: cookie, Origin: url } });
  ws.on('message', (data) => {
    const arrived = now();
    client.messages++;
    client.bytes += data.length;
    // Every message is read (so that the client keeps up); one in SAMPLE_EVERY is parsed for
    // latencies, the clients taking turns, to keep this one process from becoming the bottleneck.
    if (!measuring || (client.messages + c) % SAMPLE_EVERY !== 0) return;
    const msg = JSON.parse(data);
    if (msg.type !== 'tracks') return;
    for (const t of msg.updated) {
      const l = arrived - t.t;
      client.hist[Math.min(HIST_BINS, Math.max(0, Math.floor(l / HIST_BIN_S)))]++;
      client.samples++;
      if (l > client.max) client.max = l;
    }
  });
  ws.on('close', (code, reason) => (client.closed = `${code} ${reason}`));
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  client.ws = ws;
  clients.push(client);
}

// --- the sensors ----------------------------------------------------------------------------------
// The sensors run in a worker thread of their own, so that reading the WebSocket clients never
// delays the reports (nor the reverse). Paced by the clock: each wake-up sends every report that
// has fallen due, sensor i reporting at start + i/(N*RATE) + k/RATE.
const start = now();
const counter = new Int32Array(new SharedArrayBuffer(8)); // [sent, stop]
const sender = new Worker(
  `
  const { workerData: w } = require('node:worker_threads');
  const sock = require('node:dgram').createSocket('udp4');
  const counter = w.counter;
  let next = 0;
  const timer = setInterval(() => {
    if (Atomics.load(counter, 1)) { clearInterval(timer); sock.close(); return; }
    const t = Date.now() / 1000;
    const due = Math.floor((t - w.start) * w.n * w.rate);
    for (; next < due; next++) {
      const i = next % w.n;
      const s = w.sensors[i];
      const a = ((t - w.start) * 1.4) / 20 + i; // 1.4 m/s on a 20 m circle
      const line = '{"t":' + t.toFixed(6) + ',"sensor":"' + s.id + '","east":' + (s.east + 40 + 20 * Math.cos(a)).toFixed(2) +
        ',"north":' + (s.north + 20 * Math.sin(a)).toFixed(2) + ',"sigma":1.5,"class":"person","score":0.9}';
      sock.send(line, w.port, '127.0.0.1');
      Atomics.add(counter, 0, 1);
    }
  }, 5);
  `,
  { eval: true, workerData: { counter, start, n: N, rate: RATE, sensors, port: udpPort } },
);
const sentNow = () => Atomics.load(counter, 0);

const samples = [];
async function sample(label) {
  const m = await metrics();
  samples.push({ t: now() - start, label, cpu_s: cpu(), rss: rss(), sent: sentNow(), accepted: m.accepted, rejected: m.rejected });
  return m;
}
await sleep(WARMUP * 1000);
const m0 = await sample('warm');
measuring = true;
const sentAtWarm = sentNow();
const end = start + WARMUP + DURATION;
while (now() < end) {
  await sleep(Math.min(10000, Math.max(0, (end - now()) * 1000)));
  await sample('run');
}
Atomics.store(counter, 1, 1);
measuring = false;
await sleep(1000); // the sender's last wake-up and the last datagrams in flight
const sent = sentNow();
const m1 = await sample('end');

// --- results --------------------------------------------------------------------------------------
// The clients' latencies, merged from their 0.1 ms histograms (an hour holds tens of millions).
const hist = new Float64Array(HIST_BINS + 1);
for (const c of clients) c.hist.forEach((n, i) => (hist[i] += n));
const nSamples = clients.reduce((a, c) => a + c.samples, 0);
const q = (p) => {
  let acc = 0;
  for (let i = 0; i <= HIST_BINS; i++) if ((acc += hist[i]) >= p * nSamples) return (i + 1) * HIST_BIN_S;
  return NaN;
};
// The daemon's histogram over the measured period: the bucket bound under which 99% fall, and
// the 99th percentile interpolated linearly inside that bucket (as Prometheus'
// histogram_quantile does).
const quantile = (before, after, p) => {
  const delta = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)]);
  const total = delta.length ? delta[delta.length - 1][1] : 0;
  const k = delta.findIndex(([, n]) => n >= p * total);
  if (k < 0) return { total, bucket: NaN, value: NaN };
  const [hi, nHi] = delta[k];
  const [lo, nLo] = k > 0 ? delta[k - 1] : [0, 0];
  const value = !Number.isFinite(hi) || nHi === nLo ? hi : lo + ((hi - lo) * (p * total - nLo)) / (nHi - nLo);
  return { total, bucket: hi, value };
};
const pipe99 = quantile(m0.buckets, m1.buckets, 0.99);
const send99 = quantile(m0.send, m1.send, 0.99);
const runRss = samples.filter((s) => s.label !== 'warm').map((s) => s.rss);
const result = {
  workload: { sensors: N, rate_hz: RATE, detections_per_s: N * RATE, clients: CLIENTS, duration_s: DURATION, warmup_s: WARMUP,
    reorder_window_s: Number(o['reorder-window']) },
  detections: { sent, accepted: m1.accepted, rejected: m1.rejected, lost: sent - m1.accepted - m1.rejected,
    sent_measured: sent - sentAtWarm },
  client_latency_s: { samples: nSamples, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: Math.max(...clients.map((c) => c.max)) },
  // Arrival of a detection to its track update queued for every client, and queued to written.
  daemon_latency_p99_bucket_s: pipe99.bucket,
  daemon_latency_p99_s: pipe99.value,
  daemon_latency_count: pipe99.total,
  daemon_send_p99_s: send99.value,
  daemon_send_count: send99.total,
  daemon_cpu_cores: (samples[samples.length - 1].cpu_s - samples[0].cpu_s) / (samples[samples.length - 1].t - samples[0].t),
  clients: { dropped: clients.filter((c) => c.closed).map((c) => c.closed), messages: clients.map((c) => c.messages),
    mb_each: clients[0] ? clients[0].bytes / 1e6 : 0 },
  rss_mb: { at_warm: samples[0].rss / 1e6, max: Math.max(...runRss) / 1e6, last: runRss[runRss.length - 1] / 1e6,
    growth_pct: (100 * (runRss[runRss.length - 1] - samples[0].rss)) / samples[0].rss },
  samples,
};
console.log(JSON.stringify(result, null, 1));
if (o.out) writeFileSync(o.out, JSON.stringify(result, null, 1));
for (const c of clients) c.ws.close();
await sender.terminate();
daemon.kill('SIGTERM');
const code = await new Promise((r) => daemon.on('exit', (c) => r(c)));
if (code !== 0) console.error(`daemon exit ${code}\n${output.slice(-3000)}`);
rmSync(dir, { recursive: true, force: true });
