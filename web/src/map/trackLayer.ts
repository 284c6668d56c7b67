// Live (or replayed) tracks on one canvas: trails, class symbols, heading leaders and labels.
//
// With thousands of tracks, per-track DOM or SVG elements are far too slow, so every track is
// drawn on a single <canvas> in its own map pane. Drawing happens at most once per animation
// frame (`requestDraw` coalesces), paths are batched by style (one fill or stroke per colour, not
// per track), tracks outside the view are culled, and labels are drawn only when few tracks are
// in view (or for the selected one). Screen positions of the last draw are kept for hit-testing.
// As Leaflet's own canvas renderer does, the canvas is larger than the view by a margin and moves
// with the map pane while the map is dragged: a drag costs no redraw, only the end of a move, a
// zoom or new data does.

import L from 'leaflet';
import type { TrackEntry } from '../state';
import type { TargetClass } from '../types';
import { trackLabel } from '../format';
import { metresPerPixel, worldX, worldY } from './projection';

export const CLASS_COLOURS: Record<TargetClass, string> = {
  person: '#ffb000',
  vehicle: '#3ea6ff',
  animal: '#7bd88f',
  aircraft: '#f4f4f4',
  drone: '#ff5c8a',
  unknown: '#b8b8b8',
};
export const EXERCISE_COLOUR = '#e040fb';

export interface DrawStats {
  drawn: number; // tracks in view and drawn
  ms: number; // time spent drawing the last frame
}

export class TrackLayer {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private tracks: Map<number, TrackEntry> = new Map();
  private pending = false;
  private hidden = false;
  // Screen positions of the last draw, for hit-testing.
  private hitIds = new Float64Array(0);
  private hitX = new Float32Array(0);
  private hitY = new Float32Array(0);
  private hitCount = 0;
  private canvasOffset = L.point(0, 0); // container point of the canvas's top-left corner, at the last draw
  private panAtDraw = L.point(0, 0); // map pane position at the last draw
  selected: number | null = null;
  highlighted = new Set<number>(); // tracks with an open alarm: always labelled
  labelLimit = 300; // label every track when at most this many are in view
  padding = 0.15; // the canvas extends this fraction of the view beyond each edge
  trailSeconds = 60;
  stats: DrawStats = { drawn: 0, ms: 0 };
  onDraw: ((s: DrawStats) => void) | null = null;

  constructor(private readonly map: L.Map) {
    const pane = map.createPane('tracks');
    pane.style.zIndex = '450';
    pane.style.pointerEvents = 'none';
    this.canvas = L.DomUtil.create('canvas', 'track-canvas', pane) as HTMLCanvasElement;
    this.canvas.dataset.testid = 'track-canvas';
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('the browser gives no 2-D canvas context');
    this.ctx = ctx;
    map.on('moveend resize zoomend viewreset', () => this.requestDraw());
    map.on('zoomstart', () => {
      this.hidden = true;
      this.canvas.style.visibility = 'hidden';
    });
    map.on('zoomend', () => {
      this.hidden = false;
      this.canvas.style.visibility = '';
    });
    this.requestDraw();
  }

  setTracks(tracks: Map<number, TrackEntry>): void {
    this.tracks = tracks;
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  // The id of the track drawn nearest to a container point, within `radius` pixels.
  hitTest(container: L.Point, radius = 10): number | null {
    const p = this.toCanvas(container);
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.hitCount; i++) {
      const dx = (this.hitX[i] as number) - p.x;
      const dy = (this.hitY[i] as number) - p.y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best >= 0 ? (this.hitIds[best] as number) : null;
  }

  // Screen position of a drawn track (for tests and popups).
  screenPosition(id: number): L.Point | null {
    for (let i = 0; i < this.hitCount; i++) {
      if (this.hitIds[i] === id) return this.toContainer(L.point(this.hitX[i] as number, this.hitY[i] as number));
    }
    return null;
  }

  // Canvas pixel <-> container point, allowing for panning since the last draw.
  private panShift(): L.Point {
    return this.map.layerPointToContainerPoint([0, 0]).subtract(this.panAtDraw);
  }
  private toCanvas(p: L.Point): L.Point {
    return p.subtract(this.canvasOffset).subtract(this.panShift());
  }
  private toContainer(p: L.Point): L.Point {
    return p.add(this.canvasOffset).add(this.panShift());
  }

  draw(): void {
    if (this.hidden) return;
    const t0 = performance.now();
    const map = this.map;
    const view = map.getSize();
    const pad = view.multiplyBy(this.padding).round();
    const size = view.add(pad.multiplyBy(2));
    const dpr = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    // Place the canvas over the view and its margin; the pane moves with the map while panning.
    const topLeftLayer = map.containerPointToLayerPoint(pad.multiplyBy(-1));
    L.DomUtil.setPosition(canvas, topLeftLayer);
    if (canvas.width !== Math.round(size.x * dpr) || canvas.height !== Math.round(size.y * dpr)) {
      canvas.width = Math.round(size.x * dpr);
      canvas.height = Math.round(size.y * dpr);
      canvas.style.width = `${size.x}px`;
      canvas.style.height = `${size.y}px`;
    }
    this.canvasOffset = pad.multiplyBy(-1);
    this.panAtDraw = map.layerPointToContainerPoint([0, 0]);
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);

    const zoom = map.getZoom();
    const origin = map.getPixelOrigin().add(topLeftLayer); // world pixel of the canvas's (0,0)
    const ox = origin.x;
    const oy = origin.y;
    const margin = 40;
    const n = this.tracks.size;
    if (this.hitIds.length < n) {
      this.hitIds = new Float64Array(n * 2);
      this.hitX = new Float32Array(n * 2);
      this.hitY = new Float32Array(n * 2);
    }
    const mpp = metresPerPixel(map.getCenter().lat, zoom);

    // Pass 1: project, cull, and collect visible entries.
    const visible: TrackEntry[] = [];
    const xs: number[] = [];
    const ys: number[] = [];
    let h = 0;
    for (const e of this.tracks.values()) {
      const x = worldX(e.track.lon, zoom) - ox;
      const y = worldY(e.track.lat, zoom) - oy;
      if (x < -margin || y < -margin || x > size.x + margin || y > size.y + margin) continue;
      visible.push(e);
      xs.push(x);
      ys.push(y);
      this.hitIds[h] = e.track.id;
      this.hitX[h] = x;
      this.hitY[h] = y;
      h++;
    }
    this.hitCount = h;

    // Pass 2: trails, two batched strokes (live and exercise). With many tracks in view, only
    // the newest part of each trail is drawn to bound the work per frame.
    // Dense pictures get thinner, mitred trails: much cheaper to rasterise without a GPU.
    const dense = visible.length > 1000;
    const maxTrailPts = visible.length > 2000 ? 8 : visible.length > 500 ? 20 : 1000;
    ctx.lineWidth = dense ? 1 : 1.5;
    ctx.lineJoin = dense ? 'miter' : 'round';
    for (const exercise of [false, true]) {
      ctx.beginPath();
      for (let i = 0; i < visible.length; i++) {
        const e = visible[i] as TrackEntry;
        if (e.track.exercise !== exercise) continue;
        const tr = e.trail;
        const pts = tr.length / 3;
        if (pts < 2) continue;
        const first = Math.max(0, pts - maxTrailPts);
        const tmin = e.track.t - this.trailSeconds;
        let started = false;
        for (let k = first; k < pts; k++) {
          if ((tr[k * 3 + 2] as number) < tmin) continue;
          const x = worldX(tr[k * 3 + 1] as number, zoom) - ox;
          const y = worldY(tr[k * 3] as number, zoom) - oy;
          if (started) ctx.lineTo(x, y);
          else {
            ctx.moveTo(x, y);
            started = true;
          }
        }
      }
      ctx.strokeStyle = exercise ? 'rgba(224,64,251,0.55)' : 'rgba(120,200,255,0.45)';
      ctx.stroke();
    }

    // Pass 3: heading leaders (where the track will be in 10 s), one stroke.
    ctx.beginPath();
    for (let i = 0; i < visible.length; i++) {
      const tr = (visible[i] as TrackEntry).track;
      if (!(tr.speed > 0.2)) continue;
      const len = Math.min(60, (tr.speed * 10) / mpp);
      if (len < 3) continue;
      const a = (tr.heading * Math.PI) / 180;
      const x = xs[i] as number;
      const y = ys[i] as number;
      ctx.moveTo(x, y);
      ctx.lineTo(x + Math.sin(a) * len, y - Math.cos(a) * len);
    }
    ctx.strokeStyle = 'rgba(255,255,255,0.6)';
    ctx.lineWidth = 1;
    ctx.stroke();

    // Pass 4: symbols, batched by (class, status, exercise).
    const groups = new Map<string, number[]>();
    for (let i = 0; i < visible.length; i++) {
      const tr = (visible[i] as TrackEntry).track;
      const key = `${tr.class}|${tr.status}|${tr.exercise ? 1 : 0}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(i);
    }
    for (const [key, idx] of groups) {
      const [cls, status, ex] = key.split('|') as [TargetClass, string, string];
      const colour = CLASS_COLOURS[cls] ?? CLASS_COLOURS.unknown;
      const r = status === 'tentative' ? 3.5 : 5;
      ctx.beginPath();
      for (const i of idx) {
        const tr = (visible[i] as TrackEntry).track;
        symbolPath(ctx, cls, xs[i] as number, ys[i] as number, r, tr.heading);
      }
      ctx.globalAlpha = status === 'tentative' ? 0.6 : 1;
      if (status === 'coasting') {
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = colour;
        ctx.stroke();
      } else {
        ctx.fillStyle = colour;
        ctx.fill();
      }
      if (ex === '1') {
        ctx.lineWidth = 2;
        ctx.strokeStyle = EXERCISE_COLOUR;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }

    // Pass 5: labels.
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(0,0,0,0.75)';
    const labelAll = visible.length <= this.labelLimit;
    for (let i = 0; i < visible.length; i++) {
      const tr = (visible[i] as TrackEntry).track;
      if (!labelAll && tr.id !== this.selected && !this.highlighted.has(tr.id)) continue;
      const text = trackLabel(tr);
      const x = (xs[i] as number) + 8;
      const y = (ys[i] as number) - 8;
      ctx.strokeText(text, x, y);
      ctx.fillStyle = tr.exercise ? EXERCISE_COLOUR : '#ffffff';
      ctx.fillText(text, x, y);
    }

    // The selected track: a ring.
    if (this.selected !== null) {
      const sp = this.screenPosition(this.selected);
      if (sp) {
        const p = sp.subtract(this.canvasOffset);
        ctx.beginPath();
        ctx.arc(p.x, p.y, 11, 0, Math.PI * 2);
        ctx.lineWidth = 2;
        ctx.strokeStyle = '#00e5ff';
        ctx.stroke();
      }
    }
    this.stats = { drawn: visible.length, ms: performance.now() - t0 };
    this.onDraw?.(this.stats);
  }
}

// Adds the outline of a class symbol centred on (x, y) to the current path.
function symbolPath(
  ctx: CanvasRenderingContext2D,
  cls: TargetClass,
  x: number,
  y: number,
  r: number,
  headingDeg: number,
): void {
  switch (cls) {
    case 'person': // circle
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
      break;
    case 'vehicle': // square
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
      break;
    case 'animal': // triangle pointing down
      ctx.moveTo(x - r, y - r * 0.8);
      ctx.lineTo(x + r, y - r * 0.8);
      ctx.lineTo(x, y + r);
      ctx.closePath();
      break;
    case 'aircraft': {
      // arrowhead along the heading
      const a = (headingDeg * Math.PI) / 180;
      const s = Math.sin(a);
      const c = Math.cos(a);
      const R = r * 1.6;
      const pt = (dx: number, dy: number): [number, number] => [x + dx * c - dy * s, y + dx * s + dy * c];
      const [x0, y0] = pt(0, -R);
      const [x1, y1] = pt(R * 0.7, R);
      const [x2, y2] = pt(0, R * 0.4);
      const [x3, y3] = pt(-R * 0.7, R);
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.lineTo(x2, y2);
      ctx.lineTo(x3, y3);
      ctx.closePath();
      break;
    }
    case 'drone': // diamond
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r * 1.2, y);
      ctx.lineTo(x, y + r * 1.2);
      ctx.lineTo(x - r * 1.2, y);
      ctx.closePath();
      break;
    default: // unknown: small hexagon
      for (let k = 0; k < 6; k++) {
        const a = (k * Math.PI) / 3;
        const px = x + r * 0.9 * Math.cos(a);
        const py = y + r * 0.9 * Math.sin(a);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.closePath();
  }
}
