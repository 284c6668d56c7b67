// The WebSocket stream GET /api/stream: connects, hands every parsed message to the caller, and
// when the connection drops (network, daemon restart, or close 1008 "too slow") reconnects with
// backoff; the daemon then sends a fresh snapshot, which replaces the console's state.

import { backoffDelay } from './backoff';
import { parseStreamMessage } from './state';
import type { StreamMessage } from './types';

export type StreamStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'waiting'; retryAt: number; reason: string }
  | { kind: 'stopped' };

export interface StreamHandlers {
  onMessage(msg: StreamMessage): void;
  onStatus(s: StreamStatus): void;
  // Asked after a failed connection: resolves false if the session is gone (stop retrying).
  checkSession(): Promise<boolean>;
}

export class Stream {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;
  badFrames = 0;
  messages = 0;

  constructor(
    private readonly url: string,
    private readonly h: StreamHandlers,
  ) {}

  static urlFor(loc: Location): string {
    const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${loc.host}/api/stream`;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, 'logout');
      this.ws = null;
    }
    this.h.onStatus({ kind: 'stopped' });
  }

  // Drops the connection as a network failure would (used by tests and the "reconnect" button).
  drop(): void {
    this.ws?.close(4000, 'dropped by the console');
  }

  private connect(): void {
    if (this.stopped) return;
    this.h.onStatus({ kind: 'connecting' });
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.h.onStatus({ kind: 'live' });
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') {
        this.badFrames++;
        return;
      }
      const { msg, error } = parseStreamMessage(ev.data);
      if (!msg) {
        this.badFrames++;
        console.warn(`stream: skipped a bad message: ${error}`);
        return;
      }
      this.messages++;
      this.h.onMessage(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      const reason = ev.reason || (opened ? `closed (${ev.code})` : 'cannot connect');
      void this.retry(reason, opened);
    };
  }

  private async retry(reason: string, wasOpen: boolean): Promise<void> {
    if (!wasOpen) {
      // The handshake failed: maybe the session expired (401), maybe the daemon is down.
      const ok = await this.h.checkSession().catch(() => true);
      if (!ok) {
        this.stopped = true;
        this.h.onStatus({ kind: 'stopped' });
        return;
      }
    }
    const delay = backoffDelay(this.attempt++, Math.random());
    this.h.onStatus({ kind: 'waiting', retryAt: Date.now() + delay * 1000, reason });
    this.timer = window.setTimeout(() => this.connect(), delay * 1000);
  }
}
