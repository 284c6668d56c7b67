// The HTTP client of the console: JSON in and out, the session cookie sent by the browser, and the
// CSRF token (from login or GET /api/me) sent as X-CSRF-Token on every state-changing request.

import type {
  Alarm,
  AuditEntry,
  AlarmDetail,
  ExerciseStatus,
  HistoryFrame,
  Outcome,
  Role,
  Sensor,
  Session,
  SiteGeoJson,
  Track,
  User,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;

export class Api {
  private csrf = '';
  private unauthorizedListeners: Listener[] = [];

  constructor(private readonly base = '') {}

  setCsrf(token: string): void {
    this.csrf = token;
  }

  // Called whenever a request gets 401 (session expired or logged out elsewhere).
  onUnauthorized(fn: Listener): void {
    this.unauthorizedListeners.push(fn);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new ApiError(0, `cannot reach the server: ${(e as Error).message}`);
    }
    const text = await res.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const msg =
        data && typeof data === 'object' && 'error' in data
          ? String((data as { error: unknown }).error)
          : `${res.status} ${res.statusText}`;
      if (res.status === 401 && path !== '/api/login') {
        for (const fn of this.unauthorizedListeners) fn();
      }
      throw new ApiError(res.status, msg);
    }
    return data as T;
  }

  async login(username: string, password: string): Promise<Session> {
    const s = await this.request<Session>('POST', '/api/login', { username, password });
    this.csrf = s.csrf_token;
    return s;
  }

  async logout(): Promise<void> {
    await this.request<unknown>('POST', '/api/logout');
    this.csrf = '';
  }

  async me(): Promise<Session> {
    const s = await this.request<Session>('GET', '/api/me');
    this.csrf = s.csrf_token;
    return s;
  }

  site(): Promise<SiteGeoJson> {
    return this.request('GET', '/api/site');
  }

  sensors(): Promise<Sensor[]> {
    return this.request('GET', '/api/sensors');
  }

  tracks(): Promise<{ t: number; tracks: Track[] }> {
    return this.request('GET', '/api/tracks');
  }

  trackHistory(id: number, from?: number, to?: number): Promise<{ track: number; points: AlarmDetail['track_history'] }> {
    const q = new URLSearchParams();
    if (from !== undefined) q.set('from', String(from));
    if (to !== undefined) q.set('to', String(to));
    return this.request('GET', `/api/tracks/${id}/history?${q}`);
  }

  alarms(params: Record<string, string | number | boolean>): Promise<{ total: number; alarms: Alarm[] }> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) q.set(k, String(v));
    return this.request('GET', `/api/alarms?${q}`);
  }

  alarm(id: number): Promise<AlarmDetail> {
    return this.request('GET', `/api/alarms/${id}`);
  }

  acknowledge(id: number, note: string): Promise<Alarm> {
    return this.request('POST', `/api/alarms/${id}/acknowledge`, { note });
  }

  resolve(id: number, outcome: Outcome, note: string): Promise<Alarm> {
    return this.request('POST', `/api/alarms/${id}/resolve`, { outcome, note });
  }

  historyRange(): Promise<{ from: number | null; to: number | null }> {
    return this.request('GET', '/api/history/range');
  }

  history(from: number, to: number, step: number): Promise<{ frames: HistoryFrame[] }> {
    return this.request('GET', `/api/history?from=${from}&to=${to}&step=${step}`);
  }

  users(): Promise<User[]> {
    return this.request('GET', '/api/users');
  }

  createUser(name: string, role: Role, password: string): Promise<unknown> {
    return this.request('POST', '/api/users', { name, role, password });
  }

  deleteUser(name: string): Promise<unknown> {
    return this.request('DELETE', `/api/users/${encodeURIComponent(name)}`);
  }

  // The audit trail of logins and alarm and user actions (admin; newest first).
  audit(limit: number): Promise<AuditEntry[]> {
    return this.request('GET', `/api/audit?limit=${limit}`);
  }

  async scenarios(): Promise<string[]> {
    // docs/api.md: "names of scenarios"; accepted as a plain array or {"scenarios": [...]}.
    const r = await this.request<unknown>('GET', '/api/scenarios');
    if (Array.isArray(r)) return r.map(String);
    if (r && typeof r === 'object' && Array.isArray((r as { scenarios?: unknown }).scenarios)) {
      return ((r as { scenarios: unknown[] }).scenarios).map(String);
    }
    return [];
  }

  exercise(): Promise<ExerciseStatus> {
    return this.request('GET', '/api/exercise');
  }

  startExercise(scenario: string): Promise<unknown> {
    return this.request('POST', '/api/exercise', { scenario });
  }

  stopExercise(): Promise<unknown> {
    return this.request('DELETE', '/api/exercise');
  }
}
