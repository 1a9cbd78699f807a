// End-to-end test of the real Firn server and kernels in headless
// Chromium (Debian's), driven by playwright-core. Run by the Go test
// cmd/firn TestBrowser: node e2e/browser.mjs URL ARTIFACT_DIR, where URL
// is the one `firn serve` printed (token included). Prints "ok"/"FAIL"
// lines, saves screenshots of the main states and exits 1 on a failure.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-udd-'));
const ctx = await chromium.launchPersistentContext(udd, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png') });
const timeout = 60_000;
try {
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  // The lessons are one click away; the first opens.
  await page.goto(url);
  await page.waitForSelector('[data-testid="lesson-entry"]');
  check((await page.locator('[data-testid="lesson-entry"]').count()) === 6, 'the six lessons are listed');
  await shot(page, '1-start');
  await page.locator('[data-testid="lesson-entry"]').first().click();
  await page.waitForSelector('[data-testid="notebook"] [data-testid="cell"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
  check(true, 'lesson 1 opens with an idle kernel');

  // Run all: every code cell gets a count, the plots are drawn.
  await page.click('[data-testid="btn-clear"]');
  await page.click('[data-testid="btn-run-all"]');
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll('[data-testid="cell-prompt"]')].map((p) => p.textContent ?? '');
    const counted = prompts.filter((p) => /^\[\d+\]$/.test(p));
    return counted.length > 5 && !prompts.some((p) => p === '[*]' || p === '[-]');
  });
  const images = await page.locator('[data-testid="output"] img, [data-testid="output"] svg').count();
  check(images >= 2, `run all draws the lesson's plots (${images} images)`);
  const errorsShown = await page.locator('[data-testid="output"].error, [data-testid="output"][data-type="error"]').count();
  check(errorsShown === 0, 'run all shows no error');
  await shot(page, '2-lesson-run-all');

  // Edit, save, reload: the edit is there.
  const firstCode = page.locator('[data-testid="cell"] .cm-content').first();
  await firstCode.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' // edited in the browser');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');
  await page.reload();
  await page.waitForSelector('[data-testid="notebook"] [data-testid="cell"] .cm-content');
  const text = await page.locator('[data-testid="cell"] .cm-content').first().textContent();
  check(text.includes('// edited in the browser'), 'an edit survives save and reload');

  // An endless loop stops on interrupt; the kernel keeps its variables.
  await page.locator('[data-testid="cell"] .cm-content').last().click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  await page.keyboard.press('Enter');
  await page.keyboard.type('for {}');
  await page.keyboard.press('Shift+Enter');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="busy"]');
  await page.click('[data-testid="btn-interrupt"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
  const loopCell = page.locator('[data-testid="cell"]', { hasText: 'for {}' }).last();
  check(/interrupt/i.test(await loopCell.locator('[data-testid="outputs"]').textContent()), 'the loop cell says it was interrupted');
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  await page.keyboard.press('Enter');
  await page.keyboard.type('g.Year()');
  await page.keyboard.press('Shift+Enter');
  const yearCell = page.locator('[data-testid="cell"]', { hasText: 'g.Year()' }).last();
  await yearCell.locator('[data-testid="output"]').first().waitFor();
  check(/\d/.test(await yearCell.locator('[data-testid="outputs"]').textContent()), 'the glacier survived the interrupt');
  await shot(page, '3-after-interrupt');
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
  try { await shot(ctx.pages()[0], 'failure'); } catch { /* no page */ }
} finally {
  await ctx.close();
  fs.rmSync(udd, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
