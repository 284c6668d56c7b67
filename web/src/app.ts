// The console after login: header, map with site, tracks and alarms, and the side panel with the
// alarm queue, alarm detail, sensor health, exercise and user administration; plus replay mode.
//
// Data flow: WebSocket messages go through the reducer (state.ts) as they arrive; the screen is
// refreshed at most once per animation frame from the accumulated changes (`scheduleRender`).

import L from 'leaflet';
import { Api, ApiError } from './api';
import { alarmPlace, alarmTitle, countByPriority, neighbourAlarm, sortAlarms } from './alarms';
import {
  escapeHtml,
  formatAge,
  formatClock,
  formatDateTime,
  formatDuration,
  formatHeading,
  formatPercent,
  formatSpeed,
  trackIdentity,
} from './format';
import { AlarmLayer } from './map/alarmLayer';
import { SiteLayers } from './map/siteLayers';
import { CLASS_COLOURS, TrackLayer } from './map/trackLayer';
import { replayTracksAt, replayWindow, windowCovers } from './replay';
import { AlarmSound } from './sound';
import { applyMessage, emptyChanges, emptyState, isOpen, mergeChanges, type Changes, type LiveState } from './state';
import { Stream, type StreamStatus } from './stream';
import {
  OUTCOMES,
  ROLES,
  TARGET_CLASSES,
  type Alarm,
  type AlarmDetail,
  type ExerciseStatus,
  type HistoryFrame,
  type Outcome,
  type Role,
  type Session,
  type StreamMessage,
} from './types';

type Tab = 'alarms' | 'sensors' | 'exercise' | 'users';

export interface AppHooks {
  onLogout(message?: string): void;
}

const ROLE_LEVEL: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export class ConsoleApp {
  private readonly el: HTMLElement;
  private readonly state: LiveState = emptyState();
  private readonly sound = new AlarmSound();
  private stream: Stream | null = null;
  private map!: L.Map;
  private site: SiteLayers | null = null;
  private tracks!: TrackLayer;
  private alarmLayer!: AlarmLayer;
  private historyLayer!: L.LayerGroup;
  private tab: Tab = 'alarms';
  private selectedAlarm: number | null = null;
  private detail: AlarmDetail | null = null;
  private clipTimer: number | undefined;
  private detailRequest = 0;
  private pending: Changes = emptyChanges();
  private renderScheduled = false;
  private resolvedHistory: Alarm[] = [];
  private mode: 'live' | 'replay' = 'live';
  private replay = {
    from: 0,
    to: 0,
    time: 0,
    frames: [] as HistoryFrame[],
    validFrom: 0,
    validTo: -1,
    loading: false,
    playing: false,
    speed: 4,
    lastTick: 0,
    alarms: [] as Alarm[],
  };
  private timers: number[] = [];
  private destroyed = false;
  private readonly keyHandler = (ev: KeyboardEvent) => this.onKey(ev);

  constructor(
    root: HTMLElement,
    private readonly api: Api,
    private readonly session: Session,
    private readonly hooks: AppHooks,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'console';
    root.appendChild(this.el);
    this.el.innerHTML = this.skeleton();
  }

  get role(): Role {
    return this.session.user.role;
  }

  can(role: Role): boolean {
    return (ROLE_LEVEL[this.role] ?? 0) >= ROLE_LEVEL[role];
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    const e = this.el.querySelector(sel);
    if (!e) throw new Error(`console: no element ${sel}`);
    return e as T;
  }

  private skeleton(): string {
    const u = this.session.user;
    return `
      <header class="top">
        <span class="brand">PICKET</span>
        <span class="site-name" data-testid="site-name"></span>
        <span class="conn connecting" data-testid="connection">connecting</span>
        <span class="clock" data-testid="clock" title="Time of the latest data (UTC)">—</span>
        <span class="counts" data-testid="alarm-counts"></span>
        <span class="exercise-banner hidden" data-testid="exercise-banner">EXERCISE</span>
        <span class="spacer"></span>
        <button data-testid="mode-toggle" title="Switch between the live picture and replay (R)">Replay</button>
        <button data-testid="sound-toggle" title="Alarm sound (M)">Sound</button>
        <span data-testid="user">${escapeHtml(u.name)} <span class="muted">(${escapeHtml(u.role)})</span></span>
        <button data-testid="logout">Sign out</button>
      </header>
      <div class="body">
        <div class="map-wrap">
          <div id="map" data-testid="map"></div>
          <div class="map-overlay" data-testid="map-status"></div>
          <div class="legend">${TARGET_CLASSES.map(
            (c) => `<i style="background:${CLASS_COLOURS[c]}"></i>${c}`,
          ).join('')}<i style="background:var(--exercise)"></i>exercise</div>
          <div class="replay-bar hidden" data-testid="replay-bar">
            <button data-testid="replay-play">▶</button>
            <select data-testid="replay-speed" title="Replay speed">
              <option value="1">1×</option><option value="4" selected>4×</option>
              <option value="16">16×</option><option value="60">60×</option>
            </select>
            <input type="range" min="0" max="1000" step="1" value="0" data-testid="replay-slider" />
            <span class="time" data-testid="replay-time">—</span>
          </div>
        </div>
        <aside class="side">
          <nav class="tabs">
            <button data-tab="alarms" class="active" data-testid="tab-alarms">Alarms</button>
            <button data-tab="sensors" data-testid="tab-sensors">Sensors</button>
            ${this.can('admin') ? '<button data-tab="exercise" data-testid="tab-exercise">Exercise</button>' : ''}
            ${this.can('admin') ? '<button data-tab="users" data-testid="tab-users">Users</button>' : ''}
          </nav>
          <div class="tab-body" data-testid="panel"></div>
        </aside>
      </div>`;
  }

  async start(fromGesture: boolean): Promise<void> {
    if (fromGesture) this.sound.unlock();
    this.updateSoundButton();
    this.wireHeader();
    this.map = L.map(this.q('#map'), {
      zoomControl: true,
      attributionControl: false,
      preferCanvas: true,
      zoomSnap: 0.25,
      maxZoom: 21,
      minZoom: 3,
      fadeAnimation: false,
    });
    this.map.setView([0, 0], 3);
    const renderer = L.canvas({ padding: 0.5 });
    this.tracks = new TrackLayer(this.map);
    this.alarmLayer = new AlarmLayer(this.map);
    this.alarmLayer.onSelect = (id) => void this.openAlarm(id);
    this.historyLayer = L.layerGroup().addTo(this.map);
    this.tracks.onDraw = (s) => {
      this.q('[data-testid=map-status]').textContent =
        `${this.mode === 'replay' ? 'replay · ' : ''}${this.currentTracks().size} tracks, ${s.drawn} in view · draw ${s.ms.toFixed(1)} ms`;
    };
    this.map.on('click', (ev: L.LeafletMouseEvent) => {
      const id = this.tracks.hitTest(ev.containerPoint);
      this.tracks.selected = id;
      this.tracks.requestDraw();
      if (id !== null) this.showTrackPopup(id, ev.latlng);
    });
    try {
      const site = await this.api.site();
      if (this.destroyed) return;
      this.q('[data-testid=site-name]').textContent = site.name ?? '';
      document.title = `Picket — ${site.name ?? 'console'}`;
      this.site = new SiteLayers(this.map, site, renderer);
      L.control
        .layers(undefined, {
          Zones: this.site.zones,
          'Sensor coverage': this.site.coverage,
          Fences: this.site.fences,
          'Segment numbers': this.site.segmentLabels,
          Sensors: this.site.sensors,
        }, { position: 'topleft' })
        .addTo(this.map);
      if (this.site.bounds) this.site.fit();
      else if (site.origin) this.map.setView([site.origin.lat, site.origin.lon], 16);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      this.toast(`Cannot load the site: ${(e as Error).message}`);
    }
    this.stream = new Stream(Stream.urlFor(window.location), {
      onMessage: (m) => this.onMessage(m),
      onStatus: (s) => this.onStreamStatus(s),
      checkSession: async () => {
        try {
          await this.api.me();
          return true;
        } catch (e) {
          return !(e instanceof ApiError && e.status === 401);
        }
      },
    });
    this.stream.start();
    document.addEventListener('keydown', this.keyHandler);
    this.timers.push(window.setInterval(() => this.tick(), 1000));
    this.timers.push(window.setInterval(() => void this.refreshSensors(), 10000));
    void this.refreshExercise();
    void this.loadResolvedHistory();
    this.renderPanel();
    // For the browser tests and for debugging from the developer tools: read-only use.
    (window as unknown as { picket: unknown }).picket = {
      state: this.state,
      sound: this.sound,
      stream: this.stream,
      tracks: this.tracks,
      map: this.map,
      app: this,
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.stream?.stop();
    for (const t of this.timers) window.clearInterval(t);
    document.removeEventListener('keydown', this.keyHandler);
    this.map?.remove();
    this.el.remove();
  }

  // --- live data -------------------------------------------------------------------------------

  private onMessage(msg: StreamMessage): void {
    // A camera's evidence for an alarm is stored: show it if that alarm is open in the detail.
    if (msg.type === 'evidence') {
      if (this.selectedAlarm === msg.alarm && this.mode === 'live') void this.openAlarm(msg.alarm, false);
      return;
    }
    mergeChanges(this.pending, applyMessage(this.state, msg));
    this.scheduleRender();
  }

  private scheduleRender(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      const c = this.pending;
      this.pending = emptyChanges();
      this.render(c);
    });
  }

  private render(c: Changes): void {
    if (c.newHighAlarms.length > 0) {
      this.sound.play();
      this.updateSoundButton();
    }
    if (c.tracks && this.mode === 'live') this.tracks.setTracks(this.state.tracks);
    if (c.alarms) {
      this.tracks.highlighted = new Set(
        [...this.state.alarms.values()].map((a) => a.track).filter((t): t is number => t !== null),
      );
      if (this.mode === 'live') this.alarmLayer.update(this.state.alarms.values(), this.selectedAlarm);
      this.renderCounts();
      if (this.selectedAlarm !== null && this.detail) {
        const a = this.state.alarms.get(this.selectedAlarm) ?? this.state.resolved.find((r) => r.id === this.selectedAlarm);
        if (a && a.t_updated > this.detail.alarm.t_updated) void this.openAlarm(a.id, false);
      }
      if (this.tab === 'alarms' && this.selectedAlarm === null) this.renderPanel();
    }
    if (c.sensors) {
      this.site?.setSensorStatus(this.state.sensors.values());
      if (this.tab === 'sensors' && this.selectedAlarm === null) this.renderPanel();
    }
    if (c.exercise) {
      this.renderExerciseBanner();
      if (this.tab === 'exercise' && this.selectedAlarm === null) this.renderPanel();
    }
    this.q('[data-testid=clock]').textContent = `${formatClock(this.state.t)} UTC`;
  }

  private onStreamStatus(s: StreamStatus): void {
    const el = this.q('[data-testid=connection]');
    el.className = `conn ${s.kind}`;
    switch (s.kind) {
      case 'live':
        el.textContent = 'live';
        break;
      case 'connecting':
        el.textContent = 'connecting…';
        break;
      case 'waiting':
        el.textContent = `reconnecting in ${Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000))} s`;
        el.title = s.reason;
        break;
      case 'stopped':
        el.textContent = 'disconnected';
        if (!this.destroyed) this.hooks.onLogout('Your session has ended: sign in again.');
        break;
    }
  }

  private tick(): void {
    if (this.tab === 'sensors' && this.selectedAlarm === null) this.renderPanel();
  }

  private currentTracks() {
    return this.mode === 'live' ? this.state.tracks : this.replayTracks;
  }
  private replayTracks = new Map<number, import('./state').TrackEntry>();

  // --- header ----------------------------------------------------------------------------------

  private wireHeader(): void {
    this.q('[data-testid=logout]').addEventListener('click', () => {
      void this.api.logout().finally(() => this.hooks.onLogout());
    });
    this.q('[data-testid=sound-toggle]').addEventListener('click', () => {
      if (this.sound.blocked) this.sound.unlock();
      else this.sound.muted = !this.sound.muted;
      this.updateSoundButton();
    });
    this.q('[data-testid=mode-toggle]').addEventListener('click', () => void this.toggleMode());
    this.el.querySelectorAll<HTMLButtonElement>('.tabs button').forEach((b) =>
      b.addEventListener('click', () => this.setTab(b.dataset.tab as Tab)),
    );
  }

  private updateSoundButton(): void {
    const b = this.q<HTMLButtonElement>('[data-testid=sound-toggle]');
    if (this.sound.blocked) {
      b.textContent = 'Enable sound';
      b.title = 'The browser blocks sound until you click: click to enable alarm sounds';
    } else {
      b.textContent = this.sound.muted ? 'Sound off' : 'Sound on';
      b.classList.toggle('danger', this.sound.muted);
      b.title = this.sound.muted ? 'Alarm sound muted (M)' : 'Alarm sound on (M)';
    }
  }

  private renderCounts(): void {
    const c = countByPriority(this.state.alarms.values());
    this.q('[data-testid=alarm-counts]').innerHTML =
      (c.high ? `<span class="c-high" title="open high-priority alarms">${c.high}</span>` : '') +
      (c.medium ? `<span class="c-medium" title="open medium-priority alarms">${c.medium}</span>` : '') +
      (c.low ? `<span class="c-low" title="open low-priority alarms">${c.low}</span>` : '');
  }

  private renderExerciseBanner(): void {
    const ex = this.state.exercise;
    const b = this.q('[data-testid=exercise-banner]');
    b.classList.toggle('hidden', !ex?.active);
    if (ex?.active) b.textContent = `EXERCISE: ${ex.scenario ?? ''}`;
  }

  private toast(text: string, kind: 'error' | 'info' = 'error'): void {
    const t = document.createElement('div');
    t.className = `toast ${kind}`;
    t.dataset.testid = 'toast';
    t.textContent = text;
    document.body.appendChild(t);
    window.setTimeout(() => t.remove(), 5000);
  }

  // --- side panel ------------------------------------------------------------------------------

  private setTab(tab: Tab): void {
    this.tab = tab;
    this.closeAlarm();
    this.el.querySelectorAll<HTMLButtonElement>('.tabs button').forEach((b) =>
      b.classList.toggle('active', b.dataset.tab === tab),
    );
    if (tab === 'sensors') void this.refreshSensors();
    if (tab === 'exercise') void this.refreshExercise();
    this.renderPanel();
  }

  private panel(): HTMLElement {
    return this.q('[data-testid=panel]');
  }

  private renderPanel(): void {
    if (this.selectedAlarm !== null) return; // the detail view owns the panel
    switch (this.tab) {
      case 'alarms':
        return this.renderQueue();
      case 'sensors':
        return this.renderSensors();
      case 'exercise':
        return this.renderExercise();
      case 'users':
        return void this.renderUsers();
    }
  }

  private alarmRow(a: Alarm): string {
    return `
      <div class="alarm-row p-${escapeHtml(a.priority)} s-${escapeHtml(a.state)}${a.id === this.selectedAlarm ? ' selected' : ''}"
           data-alarm-id="${a.id}" data-testid="alarm-row" data-priority="${escapeHtml(a.priority)}"
           data-state="${escapeHtml(a.state)}" data-exercise="${a.exercise}">
        <div class="bar"></div>
        <div>
          <div class="title">#${a.id} ${escapeHtml(alarmTitle(a))}${a.exercise ? '<span class="badge exercise">EXERCISE</span>' : ''}</div>
          <div class="meta">${escapeHtml(a.priority)} · ${escapeHtml(a.rule)} · ${a.class ? escapeHtml(a.class) + ' · ' : ''}${formatClock(a.t_raised)}
            ${a.outcome ? ' · ' + escapeHtml(a.outcome) : ''}</div>
        </div>
        <span class="badge state-${escapeHtml(a.state)}">${escapeHtml(a.state)}</span>
      </div>`;
  }

  private renderQueue(): void {
    const open = sortAlarms(this.state.alarms.values());
    const resolved = mergeResolved(this.state.resolved, this.resolvedHistory).slice(0, 30);
    this.panel().innerHTML = `
      <div class="section-title">Open alarms (${open.length})</div>
      <div data-testid="alarm-queue">${open.map((a) => this.alarmRow(a)).join('') || '<div class="muted">No open alarm.</div>'}</div>
      <div class="section-title">Recently resolved</div>
      <div data-testid="resolved-list">${resolved.map((a) => this.alarmRow(a)).join('') || '<div class="muted">None.</div>'}</div>`;
    this.panel().querySelectorAll<HTMLElement>('[data-alarm-id]').forEach((row) =>
      row.addEventListener('click', () => void this.openAlarm(Number(row.dataset.alarmId))),
    );
  }

  private async loadResolvedHistory(): Promise<void> {
    try {
      const r = await this.api.alarms({ state: 'resolved', limit: 30 });
      this.resolvedHistory = r.alarms;
      if (this.tab === 'alarms') this.renderPanel();
    } catch {
      /* the queue still works without it */
    }
  }

  // --- alarm detail ----------------------------------------------------------------------------

  async openAlarm(id: number, moveMap = true): Promise<void> {
    this.selectedAlarm = id;
    if (this.tab !== 'alarms') {
      this.tab = 'alarms';
      this.el.querySelectorAll<HTMLButtonElement>('.tabs button').forEach((b) =>
        b.classList.toggle('active', b.dataset.tab === 'alarms'),
      );
    }
    // Several loads may be in flight (an action's answer, a stream change): only the newest
    // request may render, so an older answer arriving late never replaces a newer state.
    const request = ++this.detailRequest;
    let d: AlarmDetail;
    try {
      d = await this.api.alarm(id);
    } catch (e) {
      if (request === this.detailRequest) this.toast(`Cannot load alarm ${id}: ${(e as Error).message}`);
      return;
    }
    if (this.selectedAlarm !== id || request !== this.detailRequest) return;
    if (this.detail && this.detail.alarm.id === id && d.alarm.t_updated < this.detail.alarm.t_updated) return;
    this.detail = d;
    this.renderDetail(d);
    this.alarmLayer.update(this.mode === 'live' ? this.state.alarms.values() : [], id);
    const a = d.alarm;
    this.site?.highlightAlarm(a.sensors, a.fence, a.segment);
    this.historyLayer.clearLayers();
    const pts = d.track_history.map((p) => L.latLng(p.lat, p.lon));
    if (pts.length > 1) {
      L.polyline(pts, { color: '#00e5ff', weight: 3, opacity: 0.9, dashArray: '6 4' }).addTo(this.historyLayer);
      L.circleMarker(pts[0] as L.LatLng, { radius: 4, color: '#00e5ff', fillOpacity: 1 })
        .bindTooltip(`track ${a.track} first seen ${formatClock(d.track_history[0]?.t)}`)
        .addTo(this.historyLayer);
    }
    if (!isOpen(a)) {
      // a resolved alarm has no live marker: show where it was
      L.circleMarker([a.lat, a.lon], { radius: 9, color: '#ffffff', weight: 2, fill: false }).addTo(this.historyLayer);
    }
    if (a.track !== null) {
      this.tracks.selected = a.track;
      this.tracks.requestDraw();
    }
    if (moveMap) {
      const b = L.latLngBounds([L.latLng(a.lat, a.lon), ...pts]);
      this.map.fitBounds(b.pad(0.3), { maxZoom: 18 });
    }
  }

  private closeAlarm(): void {
    this.selectedAlarm = null;
    this.detail = null;
    this.historyLayer?.clearLayers();
    this.site?.highlightAlarm([], null, null);
    if (this.alarmLayer && this.mode === 'live') this.alarmLayer.update(this.state.alarms.values(), null);
  }

  private renderDetail(d: AlarmDetail): void {
    const a = d.alarm;
    const canAct = this.can('operator') && this.mode === 'live';
    const hist = d.track_history;
    const dur = hist.length > 1 ? (hist[hist.length - 1]!.t - hist[0]!.t) : 0;
    this.panel().innerHTML = `
      <div class="detail" data-testid="alarm-detail" data-alarm-id="${a.id}" data-state="${escapeHtml(a.state)}">
        <button data-testid="detail-back" title="Back to the queue (Esc)">← Queue</button>
        <h2>#${a.id} ${escapeHtml(alarmTitle(a))}${a.exercise ? '<span class="badge exercise">EXERCISE</span>' : ''}</h2>
        <dl>
          <dt>State</dt><dd data-testid="detail-state"><span class="badge state-${escapeHtml(a.state)}">${escapeHtml(a.state)}</span></dd>
          <dt>Priority</dt><dd>${escapeHtml(a.priority)}</dd>
          <dt>Rule</dt><dd>${escapeHtml(a.rule)} (${escapeHtml(a.kind)})</dd>
          <dt>Where</dt><dd>${escapeHtml(alarmPlace(a))}</dd>
          <dt>Raised</dt><dd>${formatDateTime(a.t_raised)}</dd>
          <dt>Track</dt><dd>${a.track ?? '—'}${a.class ? ' · ' + escapeHtml(a.class) : ''}</dd>
          <dt>Sensors</dt><dd data-testid="detail-sensors">${a.sensors.map((s) => escapeHtml(s)).join(', ') || '—'}</dd>
          <dt>Track history</dt><dd>${hist.length} points over ${formatDuration(dur)}</dd>
          ${a.acknowledged_by ? `<dt>Acknowledged</dt><dd>${escapeHtml(a.acknowledged_by)}, ${formatDateTime(a.acknowledged_at)}</dd>` : ''}
          ${a.resolved_by ? `<dt>Resolved</dt><dd>${escapeHtml(a.resolved_by)}, ${formatDateTime(a.resolved_at)}</dd>` : ''}
          ${a.outcome ? `<dt>Outcome</dt><dd data-testid="detail-outcome">${escapeHtml(a.outcome)}</dd>` : ''}
          ${a.note ? `<dt>Note</dt><dd data-testid="detail-note">${escapeHtml(a.note)}</dd>` : ''}
        </dl>
        ${
          canAct && a.state === 'raised'
            ? `<div class="actions">
                 <textarea data-testid="ack-note" placeholder="Note (optional)"></textarea>
                 <div class="row"><button class="primary" data-testid="ack-button" title="Acknowledge (A)">Acknowledge</button></div>
               </div>`
            : ''
        }
        ${
          canAct && isOpen(a)
            ? `<div class="actions">
                 <div class="row">Outcome
                   <select data-testid="resolve-outcome">${OUTCOMES.map((o) => `<option value="${o}">${o}</option>`).join('')}</select>
                 </div>
                 <textarea data-testid="resolve-note" placeholder="What was found (note)"></textarea>
                 <div class="row"><button class="primary" data-testid="resolve-button">Resolve</button></div>
               </div>`
            : ''
        }
        <div class="error" data-testid="detail-error"></div>
        ${
          a.evidence.length
            ? `<div class="section-title">Evidence</div><div class="evidence">${a.evidence
                .map((u) => `<a href="${escapeHtml(u)}" target="_blank" rel="noopener"><img src="${escapeHtml(u)}" alt="evidence image" /></a>`)
                .join('')}</div>`
            : ''
        }
        ${
          a.evidence_clip?.length
            ? `<div class="section-title">Clip <span data-testid="clip-time"></span></div>
               <div class="evidence"><img data-testid="evidence-clip" alt="evidence clip" /></div>`
            : ''
        }
        <div class="section-title">Events</div>
        <ul class="events" data-testid="detail-events">${d.events
          .map(
            (e) =>
              `<li>${formatClock(e.t)} ${escapeHtml(String(e.state))}${e.actor ? ' by ' + escapeHtml(e.actor) : ''}${e.note ? ' — ' + escapeHtml(e.note) : ''}</li>`,
          )
          .join('')}</ul>
      </div>`;
    this.q('[data-testid=detail-back]').addEventListener('click', () => {
      this.closeAlarm();
      this.renderPanel();
    });
    this.panel().querySelector('[data-testid=ack-button]')?.addEventListener('click', () => void this.acknowledge());
    this.panel().querySelector('[data-testid=resolve-button]')?.addEventListener('click', () => void this.resolve());
    this.playClip(a.evidence_clip ?? []);
  }

  /** Plays an alarm's evidence clip in a loop, at the pace its frames were captured. */
  private playClip(frames: { url: string; t: number }[]): void {
    window.clearTimeout(this.clipTimer);
    const img = this.panel().querySelector<HTMLImageElement>('[data-testid=evidence-clip]');
    const label = this.panel().querySelector<HTMLElement>('[data-testid=clip-time]');
    if (!img || !frames.length) return;
    // Fetch every frame once; the browser's cache serves the loop.
    for (const f of frames) new Image().src = f.url;
    let i = 0;
    const show = (): void => {
      if (!img.isConnected) return; // the detail was closed or re-rendered
      const f = frames[i]!;
      img.src = f.url;
      if (label) label.textContent = formatClock(f.t);
      const next = frames[(i + 1) % frames.length]!;
      const wait = i + 1 < frames.length ? Math.min(1000, Math.max(50, (next.t - f.t) * 1000)) : 1500;
      i = (i + 1) % frames.length;
      this.clipTimer = window.setTimeout(show, wait);
    };
    show();
  }

  private async acknowledge(): Promise<void> {
    const id = this.selectedAlarm;
    if (id === null || !this.can('operator')) return;
    const note = this.panel().querySelector<HTMLTextAreaElement>('[data-testid=ack-note]')?.value ?? '';
    await this.act(id, () => this.api.acknowledge(id, note));
  }

  private async resolve(): Promise<void> {
    const id = this.selectedAlarm;
    if (id === null || !this.can('operator')) return;
    const outcome = (this.panel().querySelector<HTMLSelectElement>('[data-testid=resolve-outcome]')?.value ??
      'false') as Outcome;
    const note = this.panel().querySelector<HTMLTextAreaElement>('[data-testid=resolve-note]')?.value ?? '';
    await this.act(id, () => this.api.resolve(id, outcome, note));
  }

  private async act(id: number, call: () => Promise<Alarm>): Promise<void> {
    this.panel().querySelectorAll<HTMLButtonElement>('.actions button').forEach((b) => (b.disabled = true));
    try {
      const alarm = await call();
      // Apply the answer at once; the stream will confirm it.
      this.onMessage({ type: 'alarm', alarm });
      if (!isOpen(alarm)) void this.loadResolvedHistory();
      await this.openAlarm(id, false);
    } catch (e) {
      const msg = e instanceof ApiError && e.status === 409 ? `Already done by someone else: ${e.message}` : (e as Error).message;
      const err = this.panel().querySelector('[data-testid=detail-error]');
      if (err) err.textContent = msg;
      this.panel().querySelectorAll<HTMLButtonElement>('.actions button').forEach((b) => (b.disabled = false));
      if (e instanceof ApiError && e.status === 409) await this.openAlarm(id, false);
    }
  }

  // --- sensors ---------------------------------------------------------------------------------

  private async refreshSensors(): Promise<void> {
    try {
      const list = await this.api.sensors();
      for (const s of list) this.state.sensors.set(s.id, s);
      mergeChanges(this.pending, { ...emptyChanges(), sensors: true });
      this.scheduleRender();
    } catch {
      /* shown as stale ages */
    }
  }

  private renderSensors(): void {
    const now = this.state.t || Date.now() / 1000;
    const list = [...this.state.sensors.values()].sort(
      (a, b) => Number(a.status === 'ok') - Number(b.status === 'ok') || a.id.localeCompare(b.id),
    );
    const bad = list.filter((s) => s.status !== 'ok').length;
    this.panel().innerHTML = `
      <div class="section-title">Sensors (${list.length}, ${bad} not ok)</div>
      <table data-testid="sensor-table">
        <tr><th>sensor</th><th>type</th><th>status</th><th>last report</th><th title="detections / rejected">det. / rej.</th></tr>
        ${list
          .map(
            (s) => `<tr class="${s.status === 'ok' ? '' : 'sensor-bad'}" data-sensor-id="${escapeHtml(s.id)}">
              <td>${escapeHtml(s.id)}</td><td>${escapeHtml(s.type)}</td>
              <td><span class="status-dot st-${escapeHtml(s.status)}"></span>${escapeHtml(s.status)}</td>
              <td>${formatAge(s.last_report_t, now)}</td>
              <td>${s.detections.toLocaleString('en-GB')} / ${s.rejected.toLocaleString('en-GB')}</td></tr>`,
          )
          .join('')}
      </table>`;
  }

  // --- exercise --------------------------------------------------------------------------------

  private async refreshExercise(): Promise<void> {
    try {
      const ex = await this.api.exercise();
      this.state.exercise = ex;
      mergeChanges(this.pending, { ...emptyChanges(), exercise: true });
      this.scheduleRender();
    } catch {
      /* no exercise information */
    }
  }

  private renderExercise(): void {
    const ex: ExerciseStatus | null = this.state.exercise;
    const r = ex?.report;
    this.panel().innerHTML = `
      <div data-testid="exercise-panel">
        <div class="section-title">Exercise</div>
        <p data-testid="exercise-status">${
          ex?.active
            ? `Running: <b>${escapeHtml(ex.scenario ?? '')}</b>, ${ex.alarms} alarms so far. Its tracks and alarms are marked EXERCISE.`
            : 'No exercise running.'
        }</p>
        <div class="row">
          <select data-testid="exercise-scenario"><option>loading…</option></select>
          <button class="primary" data-testid="exercise-start" ${ex?.active ? 'disabled' : ''}>Start</button>
          <button class="danger" data-testid="exercise-clear" ${ex?.active ? '' : 'disabled'}>Stop and clear</button>
        </div>
        <div class="error" data-testid="exercise-error"></div>
        <div class="section-title">Operators' times</div>
        ${
          r
            ? `<table data-testid="exercise-report">
                <tr><th></th><th>median</th><th>max</th></tr>
                <tr><td>to acknowledge</td><td>${formatDuration(r.acknowledge_s.median)}</td><td>${formatDuration(r.acknowledge_s.max)}</td></tr>
                <tr><td>to resolve</td><td>${formatDuration(r.resolve_s.median)}</td><td>${formatDuration(r.resolve_s.max)}</td></tr>
              </table>
              <table><tr><th>alarm</th><th>acknowledged after</th><th>resolved after</th></tr>
              ${r.per_alarm
                .map((p) => `<tr><td>#${p.id}</td><td>${formatDuration(p.acknowledge_s ?? null)}</td><td>${formatDuration(p.resolve_s ?? null)}</td></tr>`)
                .join('')}</table>`
            : '<div class="muted">No report yet.</div>'
        }
      </div>`;
    const sel = this.q<HTMLSelectElement>('[data-testid=exercise-scenario]');
    this.api
      .scenarios()
      .then((names) => {
        sel.innerHTML = names.map((n) => `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join('');
      })
      .catch((e: unknown) => {
        sel.innerHTML = '<option value="">(none)</option>';
        this.q('[data-testid=exercise-error]').textContent = (e as Error).message;
      });
    this.q('[data-testid=exercise-start]').addEventListener('click', () => {
      const name = sel.value;
      if (!name) return;
      this.api
        .startExercise(name)
        .then(() => this.refreshExercise())
        .catch((e: unknown) => (this.q('[data-testid=exercise-error]').textContent = (e as Error).message));
    });
    this.q('[data-testid=exercise-clear]').addEventListener('click', () => {
      this.api
        .stopExercise()
        .then(() => this.refreshExercise())
        .catch((e: unknown) => (this.q('[data-testid=exercise-error]').textContent = (e as Error).message));
    });
  }

  // --- users -----------------------------------------------------------------------------------

  private async renderUsers(): Promise<void> {
    const panel = this.panel();
    panel.innerHTML = `<div data-testid="users-panel"><div class="section-title">Users</div><div class="muted">loading…</div></div>`;
    let users;
    try {
      users = await this.api.users();
    } catch (e) {
      panel.innerHTML = `<div class="error">${escapeHtml((e as Error).message)}</div>`;
      return;
    }
    if (this.tab !== 'users' || this.selectedAlarm !== null) return;
    panel.innerHTML = `
      <div data-testid="users-panel">
        <div class="section-title">Users (${users.length})</div>
        <table data-testid="users-table">
          <tr><th>name</th><th>role</th><th></th></tr>
          ${users
            .map(
              (u) => `<tr data-user="${escapeHtml(u.name)}"><td>${escapeHtml(u.name)}</td><td>${escapeHtml(u.role)}</td>
                <td>${u.name === this.session.user.name ? '<span class="muted">you</span>' : `<button class="danger" data-delete-user="${escapeHtml(u.name)}">Delete</button>`}</td></tr>`,
            )
            .join('')}
        </table>
        <div class="section-title">New user</div>
        <form data-testid="user-form" style="display:flex;flex-direction:column;gap:6px">
          <input name="name" placeholder="name" required pattern="[A-Za-z0-9_.\\-]{1,64}" />
          <select name="role">${ROLES.map((r) => `<option value="${r}">${r}</option>`).join('')}</select>
          <input name="password" type="password" placeholder="password (8 characters or more)" required minlength="8" autocomplete="new-password" />
          <button class="primary" type="submit">Create</button>
          <div class="error" data-testid="user-error"></div>
        </form>
        <div class="section-title">Audit trail (latest 100)</div>
        <div data-testid="audit-log" class="muted">loading…</div>
      </div>`;
    void this.renderAudit();
    panel.querySelectorAll<HTMLButtonElement>('[data-delete-user]').forEach((b) =>
      b.addEventListener('click', () => {
        const name = b.dataset.deleteUser ?? '';
        if (!window.confirm(`Delete the user ${name}?`)) return;
        this.api
          .deleteUser(name)
          .then(() => this.renderUsers())
          .catch((e: unknown) => (this.q('[data-testid=user-error]').textContent = (e as Error).message));
      }),
    );
    const form = panel.querySelector('form') as HTMLFormElement;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      this.api
        .createUser(String(f.get('name')), String(f.get('role')) as Role, String(f.get('password')))
        .then(() => this.renderUsers())
        .catch((e: unknown) => (this.q('[data-testid=user-error]').textContent = (e as Error).message));
    });
  }

  private async renderAudit(): Promise<void> {
    let entries;
    try {
      entries = await this.api.audit(100);
    } catch (e) {
      const el = this.panel().querySelector('[data-testid=audit-log]');
      if (el) el.textContent = `No audit trail: ${(e as Error).message}`;
      return;
    }
    const el = this.panel().querySelector('[data-testid=audit-log]');
    if (!el) return;
    el.classList.remove('muted');
    el.innerHTML = `<table><tr><th>time (UTC)</th><th>who</th><th>action</th><th>on</th><th>detail</th></tr>${entries
      .map(
        (e) =>
          `<tr><td>${formatDateTime(e.t)}</td><td>${escapeHtml(e.actor)}</td><td>${escapeHtml(e.action)}</td><td>${escapeHtml(e.target)}</td><td title="${escapeHtml(e.client)}">${escapeHtml(e.detail)}</td></tr>`,
      )
      .join('')}</table>`;
  }

  // --- tracks ----------------------------------------------------------------------------------

  private showTrackPopup(id: number, at: L.LatLng): void {
    const e = this.currentTracks().get(id);
    if (!e) return;
    const t = e.track;
    L.popup({ className: 'track-popup' })
      .setLatLng(at)
      .setContent(
        `<b>Track ${t.id}</b>${t.exercise ? ' <span class="badge exercise">EXERCISE</span>' : ''}<br/>
         ${escapeHtml(t.class)} (${formatPercent(t.class_p)}) · ${escapeHtml(t.status)}<br/>
         ${formatSpeed(t.speed)} · ${formatHeading(t.heading)}<br/>
         ${trackIdentity(t) ? escapeHtml(trackIdentity(t)) + '<br/>' : ''}${t.air && t.up !== null && t.up !== undefined ? 'height ' + Math.round(t.up) + ' m' + (t.vu !== null && t.vu !== undefined ? ' · ' + (t.vu >= 0 ? '+' : '') + t.vu.toFixed(1) + ' m/s vertical' : '') + '<br/>' : ''}
         sensors: ${t.sensors.map((s) => escapeHtml(s)).join(', ')}<br/>
         at ${formatClock(t.t)} UTC`,
      )
      .openOn(this.map);
  }

  // --- replay ----------------------------------------------------------------------------------

  private async toggleMode(): Promise<void> {
    const button = this.q('[data-testid=mode-toggle]');
    if (this.mode === 'live') {
      let range;
      try {
        range = await this.api.historyRange();
      } catch (e) {
        this.toast(`No history to replay: ${(e as Error).message}`);
        return;
      }
      if (range.from === null || range.to === null || !(range.to > range.from)) {
        this.toast('No stored history yet.', 'info');
        return;
      }
      this.mode = 'replay';
      this.closeAlarm();
      this.renderPanel();
      this.el.classList.add('replay');
      button.textContent = 'Live';
      this.q('[data-testid=replay-bar]').classList.remove('hidden');
      Object.assign(this.replay, {
        from: range.from,
        to: range.to,
        time: range.to - Math.min(300, (range.to - range.from) / 2),
        frames: [],
        validFrom: 0,
        validTo: -1,
        playing: false,
      });
      this.alarmLayer.update([], null);
      this.wireReplay();
      void this.loadReplayAlarms();
      await this.showReplayAt(this.replay.time);
    } else {
      this.mode = 'live';
      this.replay.playing = false;
      this.el.classList.remove('replay');
      button.textContent = 'Replay';
      this.q('[data-testid=replay-bar]').classList.add('hidden');
      this.tracks.setTracks(this.state.tracks);
      this.alarmLayer.update(this.state.alarms.values(), this.selectedAlarm);
    }
  }

  private replayWired = false;
  private wireReplay(): void {
    const slider = this.q<HTMLInputElement>('[data-testid=replay-slider]');
    const r = this.replay;
    slider.value = String(Math.round(((r.time - r.from) / (r.to - r.from)) * 1000));
    if (this.replayWired) return;
    this.replayWired = true;
    slider.addEventListener('input', () => {
      const rr = this.replay;
      rr.time = rr.from + (Number(slider.value) / 1000) * (rr.to - rr.from);
      void this.showReplayAt(rr.time);
    });
    this.q('[data-testid=replay-play]').addEventListener('click', () => this.setReplayPlaying(!this.replay.playing));
    this.q<HTMLSelectElement>('[data-testid=replay-speed]').addEventListener('change', (ev) => {
      this.replay.speed = Number((ev.target as HTMLSelectElement).value);
    });
  }

  private setReplayPlaying(on: boolean): void {
    const r = this.replay;
    r.playing = on;
    this.q('[data-testid=replay-play]').textContent = on ? '❚❚' : '▶';
    if (!on) return;
    r.lastTick = performance.now();
    const step = (now: number) => {
      if (!r.playing || this.mode !== 'replay' || this.destroyed) return;
      const dt = (now - r.lastTick) / 1000;
      r.lastTick = now;
      r.time = Math.min(r.to, r.time + dt * r.speed);
      const slider = this.q<HTMLInputElement>('[data-testid=replay-slider]');
      slider.value = String(Math.round(((r.time - r.from) / (r.to - r.from)) * 1000));
      void this.showReplayAt(r.time);
      if (r.time >= r.to) this.setReplayPlaying(false);
      else requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  private async loadReplayAlarms(): Promise<void> {
    const r = this.replay;
    try {
      const res = await this.api.alarms({ state: 'all', since: r.from, until: r.to, limit: 500 });
      r.alarms = res.alarms;
    } catch {
      r.alarms = [];
    }
  }

  private async showReplayAt(time: number): Promise<void> {
    const r = this.replay;
    const trail = this.tracks.trailSeconds;
    if (!windowCovers(r.validFrom, r.validTo, time) && !r.loading) {
      // Load a window around the time: the trail behind it, and ahead as much as fits a budget
      // of track samples (estimated from the frames loaded last, else the live picture).
      const last = r.frames[r.frames.length - 1];
      const perFrame = last ? last.tracks.length : this.state.tracks.size;
      const w = replayWindow(time, r, perFrame, trail);
      r.loading = true;
      try {
        const res = await this.api.history(w.from, w.to, w.step);
        r.frames = res.frames.sort((a, b) => a.t - b.t);
        r.validFrom = w.validFrom;
        r.validTo = w.validTo;
      } catch (e) {
        this.toast(`Cannot load history: ${(e as Error).message}`);
      } finally {
        r.loading = false;
      }
    }
    if (this.mode !== 'replay') return;
    this.replayTracks = replayTracksAt(r.frames, r.time, trail);
    this.tracks.setTracks(this.replayTracks);
    this.q('[data-testid=replay-time]').textContent = `${formatDateTime(r.time)}`;
    const shown = r.alarms.filter((a) => a.t_raised <= r.time && (a.resolved_at === null || a.resolved_at > r.time));
    this.alarmLayer.update(shown, this.selectedAlarm);
  }

  // --- keyboard --------------------------------------------------------------------------------

  private onKey(ev: KeyboardEvent): void {
    const target = ev.target as HTMLElement | null;
    if (target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const sorted = sortAlarms(this.state.alarms.values());
    switch (ev.key) {
      case 'j':
      case 'k': {
        const next = neighbourAlarm(sorted, this.selectedAlarm, ev.key === 'j' ? 1 : -1);
        if (next) void this.openAlarm(next.id);
        break;
      }
      case 'a':
        if (this.selectedAlarm !== null && this.detail?.alarm.state === 'raised') void this.acknowledge();
        break;
      case 'Escape':
        if (this.selectedAlarm !== null) {
          this.closeAlarm();
          this.renderPanel();
        }
        break;
      case 'f':
        this.site?.fit();
        break;
      case 'm':
        this.sound.muted = !this.sound.muted;
        this.updateSoundButton();
        break;
      case 'r':
        void this.toggleMode();
        break;
      case ' ':
        if (this.mode === 'replay') {
          ev.preventDefault();
          this.setReplayPlaying(!this.replay.playing);
        }
        break;
      case '?':
        this.showHelp();
        break;
    }
  }

  private showHelp(): void {
    const d = document.createElement('div');
    d.className = 'help';
    d.innerHTML = `<div><h3>Keyboard</h3><table>
      <tr><td><kbd>j</kbd> / <kbd>k</kbd></td><td>next / previous alarm in the queue</td></tr>
      <tr><td><kbd>a</kbd></td><td>acknowledge the open alarm</td></tr>
      <tr><td><kbd>Esc</kbd></td><td>back to the queue</td></tr>
      <tr><td><kbd>f</kbd></td><td>fit the map to the site</td></tr>
      <tr><td><kbd>m</kbd></td><td>mute or unmute the alarm sound</td></tr>
      <tr><td><kbd>r</kbd></td><td>replay / live</td></tr>
      <tr><td><kbd>space</kbd></td><td>play / pause the replay</td></tr>
      <tr><td><kbd>?</kbd></td><td>this help</td></tr></table>
      <p class="muted">Click anywhere to close.</p></div>`;
    d.addEventListener('click', () => d.remove());
    document.body.appendChild(d);
  }
}

// Resolved alarms seen live first, then those loaded from the server, without duplicates.
function mergeResolved(live: Alarm[], loaded: Alarm[]): Alarm[] {
  const seen = new Set<number>();
  const out: Alarm[] = [];
  for (const a of [...live, ...loaded]) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    out.push(a);
  }
  return out.sort((x, y) => (y.resolved_at ?? y.t_updated) - (x.resolved_at ?? x.t_updated));
}
