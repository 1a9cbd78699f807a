// End-to-end test of `firn serve --app NOTEBOOK` in headless Chromium: the
// URL that firn serve printed opens lesson 13 (the glacier simulator) as
// an app — the code hidden, the notebook run from the top once its kernel
// is ready — and choosing another valley shape in its dropdown runs the
// glacier, its plots and its table again (marked re-ran) and changes the
// drawn glacier. Run by the Go test cmd/firn TestBrowserAppView:
// node e2e/appview.mjs URL ARTIFACT_DIR. Prints "ok"/"FAIL" lines and
// exits 1 on a failure. It never sleeps: it waits for what the page shows.
import path from 'node:path';
import fs from 'node:fs';
import { launch } from './lib.mjs';

const [url, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const browser = await launch();
const { ctx, errors } = browser;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });

try {
  check(/[?&]app=1#lessons\/13-glacier-simulator\.ipynb$/.test(url), `firn serve --app printed the app's URL (${url.replace(/token=\w+/, 'token=…')})`);
  const page = await browser.newPage();
  // The lesson's file holds the counts 1 to 5 and the controls of its
  // last save: the app has run it only once every code cell has been
  // seen running (queued or busy) in this page, and is idle again.
  await page.addInitScript(() => {
    window.__ran = new Set();
    const look = () => {
      for (const c of document.querySelectorAll('[data-testid="cell"][data-cell-type="code"]')) {
        if (c.dataset.state && c.dataset.state !== 'idle') window.__ran.add(c.dataset.cellId);
      }
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="notebook-title"]')?.textContent === 'lessons/13-glacier-simulator.ipynb');
  check(await page.evaluate(() => document.body.classList.contains('app-view')), 'the page opens in the app view');
  // The notebook runs by itself: every code cell runs and gets a count in this kernel.
  await page.waitForFunction(() => {
    const code = [...document.querySelectorAll('[data-testid="cell"][data-cell-type="code"]')];
    return code.length === 5 && code.every((c) => /^\[\d+\]$/.test(c.querySelector('[data-testid="cell-prompt"]')?.textContent ?? '')
      && c.dataset.state === 'idle' && window.__ran.has(c.dataset.cellId));
  }, null, { timeout: 60_000 });
  const counts = await page.locator('[data-testid="cell"][data-cell-type="code"] [data-testid="cell-prompt"]').evaluateAll((ps) => ps.map((p) => Number(p.dataset.executionCount)));
  check(counts.join(',') === '1,2,3,4,5', `the app ran the notebook from the top in a new kernel (counts ${counts.join(', ')})`);
  const hidden = await page.locator('[data-testid="cell"][data-cell-type="code"] .cell-input').evaluateAll((els) => els.every((e) => e.offsetParent === null));
  check(hidden, 'the code is hidden');
  check(!(await page.locator('.toolbar').isVisible()), 'the toolbar is hidden');
  // Outputs (the controls among them) are drawn a frame after they arrive.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="widget"]').length >= 4).catch(() => {});
  const widgets = await page.locator('[data-testid="widget"]').evaluateAll((ws) => ws.map((w) => w.dataset.label));
  check(widgets.join('|') === 'ELA (m)|gradient (mm w.e. per m)|valley shape|years', `the four controls are shown (${widgets.join(', ')})`);
  const cell = (id) => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);
  const drawn = () => cell('sim-plot').locator('svg path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')).join('|'));
  // Outputs are drawn a frame after they arrive: wait for the glacier and its table.
  await page.waitForFunction(() => document.querySelector('[data-testid="cell"][data-cell-id="sim-plot"] [data-testid="output"] svg path')
    && (document.querySelector('[data-testid="cell"][data-cell-id="sim-numbers"] [data-testid="outputs"]')?.textContent ?? '').includes('rectangular'));
  const before = await drawn();
  const table = await cell('sim-numbers').locator('[data-testid="outputs"]').textContent();
  check(before.length > 100 && table.includes('rectangular'), `the glacier is drawn and its numbers shown (${before.length} characters of path; ${table.slice(0, 200)})`);
  await shot(page, 'app-view');

  await page.locator('[data-testid="widget"][data-label="valley shape"] select').selectOption('parabolic');
  await page.waitForFunction(() => (document.querySelector('[data-testid="cell"][data-cell-id="sim-numbers"]')?.textContent ?? '').includes('parabolic')
    && ![...document.querySelectorAll('[data-testid="cell"]')].some((c) => c.dataset.state !== 'idle'), null, { timeout: 60_000 });
  // The plot cell's new glacier is drawn up to a frame after it arrives.
  await page.waitForFunction((old) => {
    const d = [...document.querySelectorAll('[data-testid="cell"][data-cell-id="sim-plot"] svg path')].map((p) => p.getAttribute('d')).join('|');
    return d.length > 0 && d !== old;
  }, before).catch(() => {});
  const after = await drawn();
  check(after !== before && after.length > 100, 'the glacier in a parabolic valley is drawn differently');
  for (const id of ['sim-glacier', 'sim-plot', 'sim-history', 'sim-numbers']) {
    check(await cell(id).getAttribute('data-reran') === 'ran again: valley shape changed', `${id} ran again because the valley shape changed`);
  }
  await shot(page, 'app-view-parabolic');
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
  try {
    for (const [i, p] of ctx.pages().entries()) await shot(p, 'appview-failure-' + i);
  } catch { /* no page */ }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
