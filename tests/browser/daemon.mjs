// Starts the real live daemon (`picket run`) for the browser tests and stops it afterwards.
//
// Command (the daemon's flags are the integrator's; adjust here, in one place):
//   picket run SITE --listen 127.0.0.1:0 --simulate SCENARIO --store DIR/picket.db
//              --sim-events DIR/events.jsonl [PICKET_RUN_EXTRA...]
// with PICKET_ADMIN_PASSWORD set, so the admin's password is known. The daemon prints the URL
// it listens on; the tests wait for /readyz. `--sim-events` asks the simulator to append each
// truth event (docs/formats.md, events.jsonl) as it happens, so a test can time the alarm against
// the real crossing.
//
// Environment: PICKET_BINARY (default build/release/picket), PICKET_BROWSER_SITE,
// PICKET_BROWSER_SCENARIO, PICKET_RUN_EXTRA (more arguments, split on spaces).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { repo, sleep, waitFor } from './lib.mjs';

export const PICKET = resolve(repo, process.env.PICKET_BINARY ?? 'build/release/picket');
export const SITE = resolve(repo, process.env.PICKET_BROWSER_SITE ?? 'examples/demo-site.yaml');
export const SCENARIO = resolve(
  repo,
  process.env.PICKET_BROWSER_SCENARIO ?? 'examples/scenarios/south-climb.yaml',
);

export async function startDaemon() {
  const dir = mkdtempSync(join(tmpdir(), 'picket-browser-'));
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const eventsFile = join(dir, 'events.jsonl');
  const args = [
    'run',
    SITE,
    '--listen',
    '127.0.0.1:0',
    '--simulate',
    SCENARIO,
    '--store',
    join(dir, 'picket.db'),
    '--sim-events',
    eventsFile,
    ...(process.env.PICKET_RUN_EXTRA ?? '').split(' ').filter(Boolean),
  ];
  const child = spawn(PICKET, args, {
    cwd: repo,
    env: { ...process.env, PICKET_ADMIN_PASSWORD: password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const describe = () => `${PICKET} ${args.join(' ')}\n--- its output ---\n${output.slice(-4000)}`;
  let url;
  try {
    url = await waitFor(
      () => {
        if (exited) throw new Error(`the daemon exited (${JSON.stringify(exited)}):\n${describe()}`);
        const m = /(https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+)/.exec(output);
        return m?.[1];
      },
      { timeout: 30000, what: 'the daemon to print its URL' },
    );
    await waitFor(
      async () => {
        try {
          return (await fetch(`${url}/readyz`)).status === 200;
        } catch {
          return false;
        }
      },
      { timeout: 30000, what: `${url}/readyz to answer 200` },
    );
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    password,
    eventsFile,
    dir,
    output: () => output,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && !exited; i++) await sleep(100);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
}
