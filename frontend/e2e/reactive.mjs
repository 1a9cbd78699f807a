// End-to-end test of reactive notebooks and widgets in headless Chromium
// against the real Firn server and kernel. A reactive notebook with an
// ELA slider, a glacier grown for 300 years at that ELA, its plot and its
// volume: run all runs it in dependency order (the plot cell sits above
// the glacier it draws); dragging the slider with the mouse re-runs the
// glacier, plot and volume cells (marked "re-ran"), not the slider's cell
// or an unrelated one, and the drawn glacier changes; the value is saved
// in the file as nbformat's widget state. Editing a cell marks it and its
// dependents stale; running it runs them. A name defined by two cells is
// an error shown on both; deleting a cell that defined a name restarts
// the kernel and runs the notebook, so its users fail instead of reading
// the old value. The app view hides the code and keeps the slider
// working. Run by the Go test cmd/firn TestBrowserReactive:
// node e2e/reactive.mjs URL ARTIFACT_DIR. Prints "ok"/"FAIL" lines and
// exits 1 on a failure; prints "bench widget_step_ms N", the median time
// from one step of the slider to the glacier grown, drawn and printed
// again. It never sleeps: it waits for what the page shows.
import path from 'node:path';
import fs from 'node:fs';
import { launch, server, code, open, cells, sourceOf, until } from './lib.mjs';

const [url, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const browser = await launch();
const { ctx, errors } = browser;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });
const srv = server(url);

const name = 'ela-explorer.ipynb';
const nbCells = [
  code('plots.Glacier(g)'),
  code('ela := display.Slider("ELA (m)", 2700, 3300, 50, 3000)'),
  code('g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(ela.Value(), 4))\ng.ProgressToYear(300)'),
  code('fmt.Printf("volume after 300 years: %.4f km³\\n", g.Diagnostics().Volume/1e9)'),
  code('z := 7'),
  code('fmt.Println("z is", z)'),
];
const id = (i) => nbCells[i].id;
await srv.api('PUT', 'files/content?path=' + encodeURIComponent(name), {
  etag: '',
  notebook: {
    cells: nbCells, nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'firn', display_name: 'Firn (Go)', language: 'go' }, firn: { reactive: true } },
  },
});

const cell = (page, i) => page.locator(`[data-testid="cell"][data-cell-id="${id(i)}"]`);
const count = (page, i) => cell(page, i).locator('[data-testid="cell-prompt"]').getAttribute('data-execution-count');
const idleAll = (page) => page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="cell-prompt"]')]
  .some((p) => p.textContent === '[*]' || p.textContent === '[-]'), null, { timeout: 60_000 });
// The drawn glacier: the path data of the plot's SVG.
const drawn = (page) => cell(page, 0).locator('[data-testid="outputs"] svg path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')).join('|'));
// The printed volume, once it is shown: a cell that ran again draws its
// new outputs up to a frame after they arrive, and shows none between its
// reply and outputs that come after it.
const volume = async (page) => {
  await page.waitForFunction((i) => /volume after 300 years: [\d.]+/.test(document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`)?.textContent ?? ''), id(3)).catch(() => {});
  return Number((/volume after 300 years: ([\d.]+)/.exec(await cell(page, 3).textContent()) ?? [])[1]);
};

// pageState says what the page shows of each cell (for a failure's
// message): its prompt, state, re-ran mark, outputs and drawn paths.
const pageState = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid="cell"]')].map((c, i) => {
  const p = c.querySelector('[data-testid="cell-prompt"]');
  const outs = [...c.querySelectorAll('[data-testid="output"]')].map((o) => o.getAttribute('data-output-type') + ':' + (o.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60));
  const paths = [...c.querySelectorAll('[data-testid="outputs"] svg path')].map((x) => (x.getAttribute('d') ?? '').length);
  return `cell ${i} ${p?.textContent} (${c.getAttribute('data-reran') ?? ''}) outputs [${outs.join('; ')}] paths [${paths.join(',')}]`;
}).join(' | ') + ' | save ' + document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state'));

try {
  const page = await browser.newPage();
  await page.goto(url);
  await open(page, name);
  check(await page.locator('[data-testid="reactive-toggle"]').isChecked(), 'the reactive switch shows the notebook\'s mode');

  // Run all: in dependency order, whatever the cells' order on the page.
  await page.click('[data-testid="btn-run-all"]');
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="cell-prompt"]')]
    .filter((p) => /^\[\d+\]$/.test(p.textContent ?? '')).length === n, nbCells.length, { timeout: 60_000 });
  await idleAll(page);
  const counts = [];
  for (let i = 0; i < nbCells.length; i++) counts.push(Number(await count(page, i)));
  check(counts[1] < counts[2] && counts[2] < counts[0] && counts[2] < counts[3], `run all runs the slider, then the glacier, then its plot and volume (counts ${counts.join(', ')})`);
  // Outputs are drawn up to a frame after they arrive: wait for the slider,
  // the glacier and its volume.
  await page.waitForFunction(([w, p, v]) => {
    const c = (i) => document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`);
    return c(w)?.querySelector('[data-testid="widget"] input[type="range"]') && c(p)?.querySelector('[data-testid="outputs"] svg path') &&
      /volume after 300 years: [\d.]+/.test(c(v)?.textContent ?? '');
  }, [id(1), id(0), id(3)]).catch(() => {});
  const slider = cell(page, 1).locator('[data-testid="widget"] input[type="range"]');
  check(await slider.count() === 1, 'the slider cell shows a slider');
  const before = await drawn(page);
  const v0 = await volume(page);
  check(before.length > 100 && v0 > 0, `the glacier is drawn and its volume printed (${v0} km³)`);
  await shot(page, 'reactive-run-all');

  // Drag the slider's thumb with the mouse to the left: a lower ELA.
  const box = await slider.boundingBox();
  const y = box.y + box.height / 2;
  const t0 = Date.now();
  await page.mouse.move(box.x + box.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, y, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.05, y, { steps: 8 });
  await page.mouse.up();
  const shown = await cell(page, 1).locator('[data-testid="widget-value"]').textContent();
  check(Number(shown) < 3000 && Number(shown) >= 2700, `the slider shows the value dragged to (${shown})`);
  await page.waitForFunction(([i, v]) => {
    const el = document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`);
    return (el?.textContent ?? '').includes('volume after 300 years') && !(el?.textContent ?? '').includes(v);
  }, [id(3), `${v0.toFixed(4)} km³`], { timeout: 60_000 });
  await idleAll(page);
  // The last drag's value has run: the printed volume is the one for the value shown.
  // The plot cell's new glacier is drawn up to a frame after it arrives.
  await page.waitForFunction(([i, old]) => {
    const d = [...document.querySelectorAll(`[data-testid="cell"][data-cell-id="${i}"] [data-testid="outputs"] svg path`)].map((p) => p.getAttribute('d')).join('|');
    return d.length > 0 && d !== old;
  }, [id(0), before], { timeout: 60_000 }).catch(() => {});
  const after = await drawn(page);
  const v1 = await volume(page);
  const ms = Date.now() - t0;
  check(after !== before && after.length > 100, 'the glacier plot is drawn again, and differently' + (after !== before && after.length > 100 ? '' : ': ' + await pageState(page)));
  check(v1 > v0, `a lower ELA grows a larger glacier (${v0} → ${v1} km³)`);
  for (const i of [0, 2, 3]) {
    const reran = await cell(page, i).getAttribute('data-reran');
    check(reran === 'ran again: ELA (m) changed', `cell ${i} is marked re-ran because the slider changed (${reran})`);
    check(await cell(page, i).locator('[data-testid="cell-badge"]').textContent() === 're-ran', `cell ${i} shows its re-ran badge`);
  }
  check(Number(await count(page, 1)) === counts[1], 'the slider\'s own cell did not run again (the control stays under the pointer)');
  check(Number(await count(page, 4)) === counts[4] && Number(await count(page, 5)) === counts[5], 'unrelated cells did not run again');
  console.log(`bench widget_drag_ms ${ms}`);
  // One step of the slider (the arrow key): the time until the glacier is
  // grown again for 300 years, drawn and its volume printed, five times.
  await slider.focus();
  const steps = [];
  for (let k = 0; k < 5; k++) {
    const v = await volume(page);
    // Timed in the page: from the key's press to the new volume on screen.
    await page.evaluate(([i, old]) => {
      window.__step = new Promise((resolve) => {
        let t0 = 0;
        document.addEventListener('keydown', () => { t0 = performance.now(); }, { once: true, capture: true });
        const el = document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`);
        const seen = () => {
          const t = el?.textContent ?? '';
          if (t0 && t.includes('volume after 300 years') && !t.includes(old)) {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        };
        const obs = new MutationObserver(seen);
        obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    }, [id(3), `${v.toFixed(4)} km³`]);
    await page.keyboard.press('ArrowRight');
    steps.push(Math.round(await page.evaluate(() => window.__step)));
    await idleAll(page);
  }
  steps.sort((a, b) => a - b);
  console.log(`bench widget_step_ms ${steps[2]}`);
  console.log(`widget steps (ms): ${steps.join(', ')}`);
  await shot(page, 'reactive-slider-dragged');

  // The value is in the file: nbformat's widget state and the output.
  const current = Number(await cell(page, 1).locator('[data-testid="widget-value"]').textContent());
  check(current === Number(shown) + 5 * 50, `five steps moved the slider by 5 × 50 m (${shown} → ${current})`);
  await page.keyboard.press('Control+s');
  await page.waitForSelector('[data-testid="save-state"]:has-text("Saved")');
  const file = await srv.api('GET', 'files/content?path=' + encodeURIComponent(name));
  const state = file.notebook.metadata.widgets?.['application/vnd.jupyter.widget-state+json']?.state ?? {};
  const model = Object.values(state).find((m) => m.state?.description === 'ELA (m)');
  check(model?.model_name === 'FloatSliderModel' && model.state.value === current, `the file keeps the slider's value as widget state (${JSON.stringify(model?.state)})`);
  const out = file.notebook.cells[1].outputs[0]?.data?.['application/vnd.firn.widget+json'];
  check(out?.value === current, `the file's slider output shows the value (${out?.value})`);

  // Editing the glacier cell marks it and the cells that use g stale.
  await cell(page, 2).locator('.cm-content').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' // edited');
  await page.waitForFunction((ids) => ids.every((i) => document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`)?.classList.contains('cell-stale')),
    [id(2), id(0), id(3)]);
  check(true, 'an edited cell and its dependents are marked stale');
  check(!(await cell(page, 4).getAttribute('class')).includes('cell-stale'), 'an unrelated cell is not stale');
  const c3 = Number(await count(page, 3));
  await page.keyboard.press('Shift+Enter');
  await page.waitForFunction(([i, n]) => Number(document.querySelector(`[data-testid="cell"][data-cell-id="${i}"] [data-testid="cell-prompt"]`)?.dataset.executionCount) > n, [id(3), c3], { timeout: 60_000 });
  await idleAll(page);
  const stale = await page.locator('[data-testid="cell"].cell-stale').count();
  check(stale === 0, `running the edited cell runs its dependents and nothing is stale (${stale})`);

  // A cell that fails: the cells after it in the plan do not run, and say so.
  await cell(page, 2).locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\npanic("no glacier today")');
  await page.keyboard.press('Shift+Enter');
  await page.waitForFunction((ids) => ids.every((i) => document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`)?.dataset.stale === 'did not run: a cell it depends on failed'),
    [id(0), id(3)], { timeout: 60_000 });
  await cell(page, 2).locator('[data-testid="output"][data-output-type="error"]', { hasText: 'no glacier today' }).waitFor().catch(() => {});
  check((await cell(page, 2).textContent()).includes('no glacier today'), 'a failing cell shows its error, and the cells that use it are marked: did not run');
  await cell(page, 2).locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  for (let k = 0; k < 'panic("no glacier today")'.length + 1; k++) await page.keyboard.press('Backspace');
  await page.keyboard.press('Shift+Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="cell"].cell-stale').length === 0, null, { timeout: 60_000 });
  await idleAll(page);
  check(true, 'mended and run again, no cell is stale');

  // The imperative mode: a cell runs alone.
  await page.locator('[data-testid="reactive-toggle"]').uncheck();
  const before3 = Number(await count(page, 3));
  await cell(page, 2).click({ position: { x: 2, y: 2 } });
  await page.click('[data-testid="btn-run"]');
  await page.waitForFunction(([i, n]) => Number(document.querySelector(`[data-testid="cell"][data-cell-id="${i}"] [data-testid="cell-prompt"]`)?.dataset.executionCount) > n, [id(2), counts[2]], { timeout: 60_000 });
  await idleAll(page);
  check(Number(await count(page, 3)) === before3, 'with the reactive switch off, a cell runs alone, as in Jupyter');
  await page.locator('[data-testid="reactive-toggle"]').check();

  // A name defined by two cells: an error shown on both, neither runs.
  await cell(page, 5).click({ position: { x: 2, y: 2 } });
  await page.click('[data-testid="btn-add"]');
  const added = cells(page).nth(6);
  await added.locator('.cm-content').click();
  await page.keyboard.type('z := 8');
  await page.keyboard.press('Shift+Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="output"][data-output-type="error"]').length >= 2);
  const zErr = await cell(page, 4).locator('[data-testid="output"][data-output-type="error"]').textContent();
  const addedErr = await added.locator('[data-testid="output"][data-output-type="error"]').textContent();
  check(zErr.includes('z is also defined by cell') && addedErr.includes('z is also defined by cell'), `a name defined twice is an error on both cells (${addedErr.trim()})`);
  await shot(page, 'reactive-defined-twice');
  // Remove the second definition again, then delete the first: z is gone.
  await added.click({ position: { x: 2, y: 2 } });
  await page.click('[data-testid="btn-delete"]');
  await cell(page, 4).click({ position: { x: 2, y: 2 } });
  await page.click('[data-testid="btn-delete"]');
  await page.waitForFunction((i) => /undefined: z/.test(document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`)?.textContent ?? ''), id(5), { timeout: 60_000 });
  check(true, 'deleting the cell that defined z restarts the kernel and its user fails: undefined: z');
  await idleAll(page);

  // The app view: outputs and widgets, no code; the slider still works.
  await page.click('[data-testid="btn-app-view"]');
  check(!(await cell(page, 2).locator('.cell-input').isVisible()), 'the app view hides the code');
  check(await slider.isVisible(), 'the app view shows the slider');
  const v2 = await volume(page);
  await slider.focus();
  await page.keyboard.press('End');
  await page.waitForFunction(([i, v]) => {
    const t = document.querySelector(`[data-testid="cell"][data-cell-id="${i}"]`)?.textContent ?? '';
    return t.includes('volume after 300 years') && !t.includes(v);
  }, [id(3), `${v2.toFixed(4)} km³`], { timeout: 60_000 });
  await idleAll(page);
  const v3 = await volume(page);
  check(v3 < v2, `in the app view, the slider at its highest ELA shrinks the glacier (${v2} → ${v3} km³)`);
  await shot(page, 'reactive-app-view');
  await page.click('[data-testid="btn-app-view"]');
  check(await cell(page, 2).locator('.cell-input').isVisible(), 'the code is back');
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
  // The page saves a couple of seconds after its last change: wait for the file.
  const reactiveOnDisk = async () => {
    const saved = await srv.api('GET', 'files/content?path=' + encodeURIComponent(name));
    return saved.notebook.metadata.firn?.reactive === true && saved.notebook.cells.some((c) => sourceOf(c).includes('ela.Value()'));
  };
  await until(reactiveOnDisk, 'the reactive notebook saved').catch(() => {});
  const saveState = await page.locator('[data-testid="save-state"]').textContent();
  check(await reactiveOnDisk(), `the file is still a reactive notebook (the page: ${saveState})`);
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
  try {
    for (const [i, p] of ctx.pages().entries()) {
      console.log(`page ${i}: ${await pageState(p)}`);
      await shot(p, 'reactive-failure-' + i);
    }
  } catch { /* no page */ }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
