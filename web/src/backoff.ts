// Reconnection delays for the WebSocket stream: exponential backoff with full jitter (the
// "Exponential Backoff And Jitter" scheme described by M. Brooker, AWS Architecture Blog, 2015),
// so many consoles reconnecting after a daemon restart do not arrive all at once.

export interface BackoffOptions {
  base: number; // seconds before the first retry (upper bound)
  max: number; // cap, seconds
}

export const DEFAULT_BACKOFF: BackoffOptions = { base: 0.5, max: 10 };

// Delay before retry number `attempt` (0 = first retry); `random` in [0, 1).
export function backoffDelay(attempt: number, random: number, opts = DEFAULT_BACKOFF): number {
  const cap = Math.min(opts.max, opts.base * 2 ** Math.max(0, attempt));
  // Never less than a quarter of the cap, so a broken server is not hammered.
  return cap * (0.25 + 0.75 * Math.min(Math.max(random, 0), 1));
}
