// Rendering benchmark of the console: N synthetic live tracks (default 5,000) moving around the
// demo site, fed through the same path as the WebSocket stream (a JSON text message parsed and
// applied by the reducer) at `rate` cycles per second, drawn by the same TrackLayer on a Leaflet
// map. With redraw=1 every frame is a full redraw (the worst case); otherwise the layer redraws on
// each update and at the end of each map move, as in the console, while the test drags the map.
// It measures frame intervals (requestAnimationFrame), draw time and parse+apply time, and puts
// the result in window.__bench (read by tests/browser/bench.test.mjs).
//
// Parameters (query string): n=5000, rate=2, seconds=10, redraw=0, trail=40.

import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { TrackLayer } from './map/trackLayer';
import { applyMessage, emptyState, parseStreamMessage } from './state';
import type { TargetClass, Track } from './types';

interface BenchResult {
  tracks: number;
  rate_hz: number;
  redraw_every_frame: boolean;
  draws: number;
  seconds: number;
  frames: number;
  fps: number;
  frame_ms: { median: number; p95: number; p99: number; max: number };
  draw_ms: { median: number; p95: number; max: number };
  update_ms: { median: number; p95: number; max: number }; // JSON.parse + reducer per message
  message_bytes: number;
  long_frames_over_50ms: number;
  user_agent: string;
}

declare global {
  interface Window {
    __bench?: BenchResult;
  }
}

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') ?? 5000);
const RATE = Number(params.get('rate') ?? 2);
const SECONDS = Number(params.get('seconds') ?? 10);
const REDRAW_EVERY_FRAME = params.get('redraw') === '1';
const TRAIL = Number(params.get('trail') ?? 40);

const ORIGIN = { lat: 52.1, lon: -1.0 };
const M_PER_DEG_LAT = 111_320;
const M_PER_DEG_LON = 111_320 * Math.cos((ORIGIN.lat * Math.PI) / 180);
const CLASSES: TargetClass[] = ['person', 'vehicle', 'animal', 'aircraft', 'drone', 'unknown'];

// A deterministic generator (mulberry32) so every run draws the same scene.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Mover {
  e: number;
  n: number;
  ve: number;
  vn: number;
  cls: TargetClass;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

async function main(): Promise<void> {
  const out = document.getElementById('out') as HTMLElement;
  const map = L.map('map', { preferCanvas: true, fadeAnimation: false, attributionControl: false });
  map.setView([ORIGIN.lat, ORIGIN.lon], 15);
  const layer = new TrackLayer(map);
  const state = emptyState();
  const rand = rng(42);
  const movers: Mover[] = [];
  for (let i = 0; i < N; i++) {
    const cls = CLASSES[Math.floor(rand() * CLASSES.length)] as TargetClass;
    const speed = cls === 'vehicle' ? 8 : cls === 'aircraft' || cls === 'drone' ? 15 : 1.5;
    const a = rand() * Math.PI * 2;
    movers.push({
      e: (rand() - 0.5) * 3000,
      n: (rand() - 0.5) * 2000,
      ve: Math.sin(a) * speed,
      vn: Math.cos(a) * speed,
      cls,
    });
  }
  let simT = 1795903200;
  const opts = { maxPoints: TRAIL, maxAge: 60 };
  const makeMessage = (dt: number): string => {
    simT += dt;
    const updated: Track[] = movers.map((m, i) => {
      m.e += m.ve * dt;
      m.n += m.vn * dt;
      if (Math.abs(m.e) > 1500) m.ve = -m.ve;
      if (Math.abs(m.n) > 1000) m.vn = -m.vn;
      const speed = Math.hypot(m.ve, m.vn);
      return {
        id: i + 1,
        t: simT,
        lat: ORIGIN.lat + m.n / M_PER_DEG_LAT,
        lon: ORIGIN.lon + m.e / M_PER_DEG_LON,
        east: m.e,
        north: m.n,
        up: null,
        ve: m.ve,
        vn: m.vn,
        speed,
        heading: ((Math.atan2(m.ve, m.vn) * 180) / Math.PI + 360) % 360,
        status: i % 17 === 0 ? 'tentative' : i % 23 === 0 ? 'coasting' : 'confirmed',
        class: m.cls,
        class_p: 0.8,
        sensors: ['radar-sw', 'radar-ne'],
        air: m.cls === 'aircraft',
        exercise: i % 50 === 0,
      };
    });
    return JSON.stringify({ type: 'tracks', t: simT, updated, removed: [] });
  };
  // Warm-up: build a full trail history before measuring (as after a minute of live data).
  for (let k = 0; k < TRAIL; k++) {
    const { msg } = parseStreamMessage(makeMessage(1 / RATE));
    if (msg) applyMessage(state, msg, opts);
  }
  layer.setTracks(state.tracks);
  // The stream's messages are made before measuring: making them is the server's work.
  const messages: string[] = [];
  for (let k = 0; k < Math.ceil(SECONDS * RATE) + 2; k++) messages.push(makeMessage(1 / RATE));
  await new Promise((r) => setTimeout(r, 200));
  (window as unknown as { __benchReady: boolean }).__benchReady = true;

  const frameMs: number[] = [];
  const drawMs: number[] = [];
  const updateMs: number[] = [];
  let bytes = 0;
  layer.onDraw = (s) => drawMs.push(s.ms);
  let last = performance.now();
  const start = last;
  let nextUpdate = start;
  await new Promise<void>((done) => {
    const frame = (now: number) => {
      frameMs.push(now - last);
      last = now;
      if (now >= nextUpdate) {
        // A stream message arrives: parse, apply, ask for a redraw (as the console does).
        nextUpdate += 1000 / RATE;
        const text = messages.shift() ?? makeMessage(1 / RATE);
        bytes = text.length;
        const t0 = performance.now();
        const { msg } = parseStreamMessage(text);
        if (msg) applyMessage(state, msg, opts);
        updateMs.push(performance.now() - t0);
        layer.setTracks(state.tracks);
      }
      if (REDRAW_EVERY_FRAME) layer.requestDraw();
      if (now - start < SECONDS * 1000) requestAnimationFrame(frame);
      else done();
    };
    requestAnimationFrame(frame);
  });
  frameMs.shift(); // the first interval includes set-up
  const total = frameMs.reduce((a, b) => a + b, 0);
  const r: BenchResult = {
    tracks: N,
    rate_hz: RATE,
    redraw_every_frame: REDRAW_EVERY_FRAME,
    draws: drawMs.length,
    seconds: SECONDS,
    frames: frameMs.length,
    fps: round((frameMs.length / total) * 1000),
    frame_ms: {
      median: round(quantile(frameMs, 0.5)),
      p95: round(quantile(frameMs, 0.95)),
      p99: round(quantile(frameMs, 0.99)),
      max: round(Math.max(...frameMs)),
    },
    draw_ms: {
      median: round(quantile(drawMs, 0.5)),
      p95: round(quantile(drawMs, 0.95)),
      max: round(Math.max(...drawMs)),
    },
    update_ms: {
      median: round(quantile(updateMs, 0.5)),
      p95: round(quantile(updateMs, 0.95)),
      max: round(Math.max(...updateMs)),
    },
    message_bytes: bytes,
    long_frames_over_50ms: frameMs.filter((x) => x > 50).length,
    user_agent: navigator.userAgent,
  };
  window.__bench = r;
  out.textContent = JSON.stringify(r, null, 2);
}

main().catch((e: unknown) => {
  (document.getElementById('out') as HTMLElement).textContent = `failed: ${(e as Error).stack ?? e}`;
});
