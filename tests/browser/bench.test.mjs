// The console stays fluid with 5,000 live tracks: the rendering benchmark page (web/bench.html)
// runs in Debian's chromium (headless, software rendering, no GPU) for 10 s with 5,000 tracks
// updated twice a second and the map panning every frame (a full redraw each frame). The figures
// go to screenshots/bench-5000.json and docs/console.md.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, repo, screenshots, waitFor } from './lib.mjs';
import { serveStatic } from './static.mjs';

const dist = join(repo, 'web', 'dist');

async function runBench(t, query, drag) {
  const server = await serveStatic(dist);
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    server.close();
  });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/bench.html?${query}`);
  await waitFor(() => page.evaluate(() => window.__benchReady === true), { timeout: 60000, what: 'the benchmark set-up' });
  let dragging = drag;
  const dragger = (async () => {
    // An operator dragging the map back and forth the whole time.
    while (dragging) {
      await page.mouse.move(500, 430);
      await page.mouse.down();
      for (let i = 0; i < 30 && dragging; i++) await page.mouse.move(500 + (i % 15) * 8 * (i < 15 ? 1 : -1), 430 + i * 2);
      await page.mouse.up();
    }
  })();
  const result = await waitFor(() => page.evaluate(() => window.__bench ?? null), {
    timeout: 90000,
    interval: 500,
    what: 'the benchmark result',
  });
  dragging = false;
  await dragger;
  assert.deepEqual(errors, []);
  return { page, result };
}

test('5,000 live tracks stay fluid while the map is dragged', { timeout: 120000 }, async (t) => {
  if (!existsSync(join(dist, 'bench.html'))) {
    assert.fail(`${dist}/bench.html is missing: build the console first (scripts/build-web)`);
  }
  const { page, result } = await runBench(t, 'n=5000&rate=2&seconds=10', true);
  await page.screenshot({ path: join(screenshots, 'bench-5000.png') });
  writeFileSync(join(screenshots, 'bench-5000.json'), JSON.stringify(result, null, 2));
  console.log(`bench 5,000 tracks, 2 updates/s, map dragged: ${JSON.stringify(result)}`);
  assert.equal(result.tracks, 5000);
  assert.ok(result.draws >= 15, `only ${result.draws} redraws: the updates did not reach the layer`);
  // Fluid: at least 20 frames per second on average, median frame under 50 ms, and an update
  // (parse + apply of a 5,000-track message) well within a frame budget of a 10 Hz display.
  assert.ok(result.fps >= 20, `only ${result.fps} frames per second`);
  assert.ok(result.frame_ms.median < 50, `median frame ${result.frame_ms.median} ms`);
  assert.ok(result.update_ms.median < 100, `median update ${result.update_ms.median} ms`);
});

test('worst case: 5,000 tracks fully redrawn every frame (figure only)', { timeout: 120000 }, async (t) => {
  const { result } = await runBench(t, 'n=5000&rate=2&seconds=10&redraw=1', false);
  writeFileSync(join(screenshots, 'bench-5000-redraw.json'), JSON.stringify(result, null, 2));
  console.log(`bench 5,000 tracks, full redraw every frame: ${JSON.stringify(result)}`);
  assert.ok(result.draws >= result.frames * 0.5, `${result.draws} draws in ${result.frames} frames`);
  assert.ok(result.fps >= 2, `only ${result.fps} frames per second`);
});
