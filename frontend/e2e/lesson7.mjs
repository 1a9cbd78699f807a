// End-to-end test of lesson 7, "A real glacier", in headless Chromium
// against the real Firn server and kernel: the lesson is listed, opens
// with an idle kernel, and "run all" runs every code cell (Hintereisferner
// prepared from the data Firn ships, the map, the profiles, three warming
// scenarios) without an error, drawing its plots and printing the volumes
// left after 100 years. Run by the Go test cmd/firn TestBrowser:
// node e2e/lesson7.mjs URL ARTIFACT_DIR. Prints "ok"/"FAIL" lines and
// exits 1 on a failure. It never sleeps: it waits for what the page shows.
import path from 'node:path';
import fs from 'node:fs';
import { launch, server, allDrawn } from './lib.mjs';

const [url, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const { api } = server(url);
const browser = await launch();
const { ctx, errors } = browser;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });

try {
  const page = await browser.newPage();
  await page.goto(url);
  const entry = page.locator('[data-testid="lesson-entry"]', { hasText: '7. A real glacier' });
  await entry.waitFor();
  check(true, 'lesson 7 is listed');
  await entry.click();
  await page.waitForSelector('[data-testid="notebook"] [data-testid="cell"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
  check(true, 'lesson 7 opens with an idle kernel');

  await page.click('[data-testid="btn-clear"]');
  await page.click('[data-testid="btn-run-all"]');
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll('[data-testid="cell-prompt"]')].map((p) => p.textContent ?? '');
    const counted = prompts.filter((p) => /^\[\d+\]$/.test(p));
    return counted.length >= 8 && !prompts.some((p) => p === '[*]' || p === '[-]');
  }, null, { timeout: 120_000 });
  check(true, 'run all gives every code cell a count');
  // Outputs are drawn up to a frame after they arrive: wait until every
  // output the page saved is drawn before looking for what is (not) there.
  await allDrawn(page, api, await page.locator('[data-testid="notebook-title"]').textContent());
  const errorsShown = await page.locator('[data-testid="output"][data-output-type="error"]').count();
  check(errorsShown === 0, `run all shows no error (${errorsShown})`);
  const images = await page.locator('[data-testid="output"] img, [data-testid="output"] svg').count();
  check(images >= 6, `run all draws the lesson's plots (${images} images)`);
  const text = await page.locator('[data-testid="notebook"]').textContent();
  check(text.includes('Hintereisferner (RGI60-11.00897)'), 'the glacier\'s summary is shown');
  check(/\+2 °C: after 100 years 0\.0\d\d km³/.test(text), 'the volumes after 100 years are printed');
  await shot(page, 'lesson7-run-all');
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
  try {
    for (const [i, p] of ctx.pages().entries()) await shot(p, 'lesson7-failure-' + i);
  } catch { /* no page */ }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
