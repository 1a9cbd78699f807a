// End-to-end test of the real Firn server and kernels in headless
// Chromium (Debian's), driven by playwright-core. Run by the Go test
// cmd/firn TestBrowser: node e2e/browser.mjs URL ARTIFACT_DIR, where URL
// is the one `firn serve` printed (token included). Prints "ok"/"FAIL"
// lines and speed figures ("bench NAME VALUE UNIT"), saves screenshots of
// the main states and exits 1 on a failure.
//
// Scenarios: the lessons listed and run; an edit saved and reloaded; an
// endless loop interrupted (its error shown once); the kernel process
// killed, the death shown with its cause and a cell run again after the
// restart; the websocket dropped mid-run and every line there once after
// reopening; one notebook in two tabs (outputs in both, no conflicting
// saves, replay is not a change); a keyboard-only session; speed figures
// (cold load, 100-cell open, round trip, 100,000 lines); tablet size and
// dark theme. The test never sleeps: it waits for what the page shows.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const base = new URL(url);
const token = base.searchParams.get('token');
const origin = base.origin;
const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-udd-'));
const ctx = await chromium.launchPersistentContext(udd, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const bench = (name, value, unit) => console.log(`bench ${name} ${Math.round(value * 10) / 10} ${unit}`);
// goal reports a speed goal met or missed; a miss is printed, not failed
// (timings depend on the machine's load).
const goal = (ok, what) => console.log(`${ok ? 'goal met   ' : 'goal MISSED'} ${what}`);
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png') });
const timeout = 20_000;
const started = Date.now();

// api calls the server as a program does (token header, no CSRF).
async function api(method, p, body) {
  const r = await fetch(origin + '/api/' + p, {
    method, headers: { Authorization: 'token ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
let cellN = 0;
const code = (source) => ({ cell_type: 'code', id: 'c' + (++cellN), metadata: {}, source, outputs: [], execution_count: null });
const markdown = (source) => ({ cell_type: 'markdown', id: 'c' + (++cellN), metadata: {}, source });
async function writeNotebook(name, cells) {
  const notebook = {
    cells, nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'firn', display_name: 'Firn (Go)', language: 'go' } },
  };
  await api('PUT', 'files/content?path=' + encodeURIComponent(name), { notebook, etag: '' });
}

async function newPage() {
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => errors.push(String(e)));
  // A 409 is how a save learns that another tab saved first; the page
  // resolves it (silently when only outputs differ), so it is no error.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 409/.test(m.text())) errors.push(m.text()); });
  return page;
}
// open shows a notebook in page (already on the app) and waits for an idle kernel.
async function open(page, name) {
  await page.evaluate((n) => { location.hash = '#' + encodeURI(n); }, name);
  await page.waitForFunction((n) => document.querySelector('[data-testid="notebook-title"]')?.textContent === n, name);
  await page.waitForSelector('[data-testid="notebook"] [data-testid="cell"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
}
const cells = (page) => page.locator('[data-testid="cell"]');
const outputsOf = (page, i) => cells(page).nth(i).locator('[data-testid="outputs"]');
// record keeps every value an attribute of the selector takes (in window.__rec[key]).
const record = (page, key, selector, attr) => page.evaluate(([k, sel, a]) => {
  window.__rec = window.__rec ?? {};
  const list = (window.__rec[k] = [document.querySelector(sel)?.getAttribute(a)]);
  new MutationObserver(() => list.push(document.querySelector(sel)?.getAttribute(a)))
    .observe(document.body, { subtree: true, attributes: true, attributeFilter: [a], childList: true, characterData: true });
}, [key, selector, attr]);
// recorded is what record kept, repeats dropped.
const recorded = (page, key) => page.evaluate((k) => window.__rec[k].filter((v, i, a) => v && v !== a[i - 1]), key);
const idleCounted = (page, i) => page.waitForFunction((j) => {
  const p = document.querySelectorAll('[data-testid="cell-prompt"]')[j]?.textContent ?? '';
  return /^\[\d+\]$/.test(p);
}, i);

try {
  // Cold start: a fresh profile (empty cache) to the file list shown.
  const page = await newPage();
  let t0 = Date.now();
  await page.goto(url);
  // In the page: from the start of the navigation (the token's redirect
  // included) to the first frame with the file list.
  const loadMs = await (await page.waitForFunction(() =>
    document.querySelector('[data-testid="file-list"] [data-testid="file-entry"], [data-testid="lesson-entry"]') && performance.now(),
  null, { polling: 'raf' })).jsonValue();
  bench('cold_load_to_file_list', loadMs, 'ms');
  bench('cold_load_wall_incl_browser_tab', Date.now() - t0, 'ms');
  goal(loadMs < 1000, `a cold first load shows the files in ${loadMs.toFixed(0)} ms (goal < 1 s)`);
  await page.waitForSelector('[data-testid="lesson-entry"]');
  check((await page.locator('[data-testid="lesson-entry"]').count()) === 6, 'the six lessons are listed');
  await shot(page, '01-start');

  // The lessons are one click away; the first opens.
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
  await shot(page, '02-lesson-run-all');

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

  // An endless loop stops on interrupt; the kernel keeps its variables;
  // the error's first line shows once.
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
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
  await loopCell.locator('[data-testid="output"]').first().waitFor();
  const loopOut = await loopCell.locator('[data-testid="outputs"]').textContent();
  check(/interrupt/i.test(loopOut), 'the loop cell says it was interrupted');
  const firstLine = loopOut.trim().split('\n')[0].trim();
  const times = loopOut.split(firstLine).length - 1;
  check(times === 1, `the interrupt error shows its first line once (${times}×: ${JSON.stringify(firstLine)})`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  await page.keyboard.press('Enter');
  await page.keyboard.type('g.Year()');
  await page.keyboard.press('Shift+Enter');
  const yearCell = page.locator('[data-testid="cell"]', { hasText: 'g.Year()' }).last();
  await yearCell.locator('[data-testid="output"]').first().waitFor();
  check(/\d/.test(await yearCell.locator('[data-testid="outputs"]').textContent()), 'the glacier survived the interrupt');
  await shot(page, '03-after-interrupt');

  // Kill the kernel process: the UI says so with the cause, the kernel
  // comes back and a cell runs again.
  await writeNotebook('kill.ipynb', [code('x := 1\nx'), code('fmt.Println("started")\n<-make(chan int)'), code('1 + 2')]);
  await open(page, 'kill.ipynb');
  await page.keyboard.press('Shift+Enter');
  await idleCounted(page, 0);
  await record(page, 'kstate', '[data-testid="kernel-status"]', 'data-state');
  await page.keyboard.press('Shift+Enter');
  await outputsOf(page, 1).filter({ hasText: 'started' }).waitFor();
  const sess = (await api('GET', 'sessions')).find((x) => x.path === 'kill.ipynb');
  check(sess && sess.kernel.pid > 0, `the session JSON has the kernel's pid (${sess?.kernel.pid})`);
  process.kill(sess.kernel.pid, 'SIGKILL');
  await page.waitForFunction(() => window.__rec.kstate.includes('restarting') || window.__rec.kstate.includes('dead'));
  const banner = await page.locator('[data-testid="banner"]').textContent();
  check(/died/.test(banner) && /kill/.test(banner), `the banner tells the death and its cause: ${JSON.stringify(banner)}`);
  await shot(page, '04-kernel-died');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
  const states = await recorded(page, 'kstate');
  check(states.includes('dead') || states.includes('restarting'), `the kernel status went ${[...new Set(states)].join(' → ')}`);
  check(/KernelDied/.test(await outputsOf(page, 1).textContent()), 'the running cell ends with KernelDied');
  await page.keyboard.press('Shift+Enter');
  await outputsOf(page, 2).filter({ hasText: '3' }).waitFor();
  check(true, 'a cell runs again after the restart');
  const sess2 = (await api('GET', 'sessions')).find((x) => x.path === 'kill.ipynb');
  check(sess2.kernel.pid > 0 && sess2.kernel.pid !== sess.kernel.pid, 'a fresh kernel process');

  // Drop the websocket mid-run (close the page), open the notebook again:
  // every line there once, in order.
  await writeNotebook('stream.ipynb', [code('import "time"\n\nfor i := range 30 {\n\tfmt.Println("line", i)\n\ttime.Sleep(40 * time.Millisecond)\n}')]);
  const p1 = await newPage();
  await p1.goto(origin + '/');
  await open(p1, 'stream.ipynb');
  await p1.keyboard.press('Control+Enter');
  await outputsOf(p1, 0).filter({ hasText: 'line 0' }).waitFor();
  await p1.close();
  const p2 = await newPage();
  await p2.goto(origin + '/#stream.ipynb');
  await p2.waitForSelector('[data-testid="notebook"] [data-testid="cell"]');
  await idleCounted(p2, 0);
  const lines = (await outputsOf(p2, 0).textContent()).match(/line \d+/g) ?? [];
  const want = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  check(JSON.stringify(lines) === JSON.stringify(want), `after reconnecting, the 30 lines once and in order (${lines.length} lines${lines.length !== 30 ? ': ' + lines.join(',') : ''})`);
  await p2.close();

  // Two tabs of one notebook: outputs in both, no conflicting saves, and
  // opening a notebook with history is not a change.
  await writeNotebook('tabs.ipynb', [code('fmt.Println("from tab A")'), code('fmt.Println("from tab B")'), code('')]);
  const tabA = await newPage();
  await tabA.goto(origin + '/');
  await open(tabA, 'tabs.ipynb');
  await record(tabA, 'saveA', '[data-testid="save-state"]', 'data-state');
  await tabA.keyboard.press('Control+Enter');
  await idleCounted(tabA, 0);
  const tabB = await newPage();
  await tabB.goto(origin + '/');
  await record(tabB, 'saveB', '[data-testid="save-state"]', 'data-state');
  await open(tabB, 'tabs.ipynb');
  await outputsOf(tabB, 0).filter({ hasText: 'from tab A' }).waitFor();
  check(true, 'tab B opened later shows what ran in tab A');
  check(!(await recorded(tabB, 'saveB')).includes('dirty'), 'replayed outputs are not a change in tab B');
  await tabB.keyboard.press('j');
  await tabB.keyboard.press('Control+Enter');
  await outputsOf(tabA, 1).filter({ hasText: 'from tab B' }).waitFor();
  check(true, 'a cell run in tab B shows its output in tab A');
  // Both tabs autosave the same outputs: both end "saved", no conflict.
  const bothSaved = () => Promise.all([tabA, tabB].map((p) => p.waitForFunction(() =>
    document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved' &&
    !document.querySelector('[data-testid="cell-prompt"]')?.textContent?.includes('*'))));
  await tabA.waitForFunction(async () => (await (await fetch('/api/files/content?path=tabs.ipynb')).text()).includes('from tab B'), null, { polling: 100 });
  await bothSaved();
  // An edit in B, saved at once: B has A's etag.
  await tabB.keyboard.press('j');
  await tabB.keyboard.press('Enter');
  await tabB.keyboard.type('fmt.Println("edited in B")');
  await tabB.keyboard.press('Escape');
  await tabB.keyboard.press('Control+s');
  await tabB.waitForFunction(() => ['saved', 'conflict'].includes(document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state')) &&
    window.__rec.saveB.at(-1) !== 'dirty');
  await tabA.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');
  const sa = await recorded(tabA, 'saveA'), sb = await recorded(tabB, 'saveB');
  check(!sa.includes('conflict') && !sb.includes('conflict') && (await tabA.locator('[data-testid="conflict-dialog"]').count()) + (await tabB.locator('[data-testid="conflict-dialog"]').count()) === 0,
    `two tabs save without a conflict (A: ${sa.filter(Boolean).join(',')}; B: ${sb.filter(Boolean).join(',')})`);
  const disk = await api('GET', 'files/content?path=tabs.ipynb');
  const src = (c) => (Array.isArray(c.source) ? c.source.join('') : c.source);
  check(src(disk.notebook.cells[2]).includes('edited in B') && JSON.stringify(disk.notebook.cells[1].outputs).includes('from tab B'),
    `the file has B's edit and both outputs: ${JSON.stringify(disk.notebook.cells.map((c) => [c.source, c.outputs]))}`);
  await shot(tabB, '05-two-tabs');
  await tabA.close();
  await tabB.close();

  // Keyboard only: arrows and J/K, Enter, typing, Shift+Enter, Esc, A/B,
  // M, Ctrl+S.
  await writeNotebook('keys.ipynb', [code('a := 2'), markdown('# Keys'), code('a * 21')]);
  await open(page, 'keys.ipynb');
  const selected = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="cell"]')].findIndex((c) => c.getAttribute('aria-selected') === 'true'));
  const seq = [];
  for (const k of ['j', 'j', 'k', 'ArrowUp', 'ArrowDown', 'ArrowDown']) {
    await page.keyboard.press(k);
    seq.push(await selected());
  }
  check(JSON.stringify(seq) === '[1,2,1,0,1,2]', `J/K and arrows move the selection (${seq})`);
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  await page.keyboard.press('Shift+Enter'); // a := 2, to the Markdown cell
  await page.keyboard.press('Shift+Enter'); // renders it, to a * 21
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' + 0');
  await page.keyboard.press('Shift+Enter'); // runs; a new cell below in edit mode
  await outputsOf(page, 2).filter({ hasText: '42' }).waitFor();
  await page.keyboard.type('fmt.Println("typed", a)');
  await page.keyboard.press('Shift+Enter');
  await outputsOf(page, 3).filter({ hasText: 'typed 2' }).waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('a'); // above the new empty cell 4
  await page.keyboard.press('m');
  await page.keyboard.press('Enter');
  await page.keyboard.type('## Typed *without* a mouse');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');
  const keysNb = (await api('GET', 'files/content?path=keys.ipynb')).notebook;
  const summary = keysNb.cells.map((c) => c.cell_type[0] + ':' + (Array.isArray(c.source) ? c.source.join('') : c.source));
  const wantCells = ['c:a := 2', 'm:# Keys', 'c:a * 21 + 0', 'c:fmt.Println("typed", a)', 'm:## Typed *without* a mouse'];
  check(JSON.stringify(summary.slice(0, 5)) === JSON.stringify(wantCells) && summary.length >= 6,
    `the keyboard-only session is saved: ${JSON.stringify(summary)}`);
  check((await cells(page).nth(1).locator('[data-testid="markdown-rendered"] h1').count()) === 1 &&
    (await cells(page).nth(4).locator('[data-testid="markdown-rendered"] em').count()) === 1, 'the Markdown cells are rendered');
  await shot(page, '06-keyboard');

  // Speed: open a 100-cell notebook.
  const big = [];
  for (let i = 0; i < 100; i++) {
    big.push(i % 4 === 3 ? markdown(`## Section ${i}\n\nSome *text* with $x^${i % 9}$ and a list:\n\n- one\n- two`) :
      code(`// cell ${i}\nv${i} := ${i}\nfor j := range 3 {\n\tv${i} += j\n}\nfmt.Println(v${i})`));
  }
  await writeNotebook('big.ipynb', big);
  await api('POST', 'sessions', { path: 'big.ipynb' }); // its kernel is started, as for a notebook opened before
  const openMs = [];
  for (let r = 0; r < 3; r++) {
    await open(page, 'keys.ipynb');
    openMs.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      location.hash = '#big.ipynb';
      const done = () => {
        const cs = document.querySelectorAll('[data-testid="notebook"] [data-testid="cell"]');
        const title = document.querySelector('[data-testid="notebook-title"]')?.textContent;
        if (title === 'big.ipynb' && cs.length === 100) requestAnimationFrame(() => resolve(performance.now() - t0));
        else requestAnimationFrame(done);
      };
      done();
    })));
  }
  openMs.sort((a, b) => a - b);
  bench('open_100_cells', openMs[1], 'ms');
  goal(openMs[1] < 300, `a 100-cell notebook opens in ${openMs[1].toFixed(0)} ms (goal < 300 ms)`);
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
  await shot(page, '07-big-notebook');

  // Speed: round trip of 1+1 (Shift+Enter to the output shown), p50 of 30.
  await writeNotebook('rt.ipynb', Array.from({ length: 31 }, () => code('1+1')));
  await open(page, 'rt.ipynb');
  await page.keyboard.press('Shift+Enter'); // warm up (the kernel's first run)
  await outputsOf(page, 0).filter({ hasText: '2' }).waitFor();
  const rts = [];
  for (let i = 1; i <= 30; i++) {
    await page.evaluate((j) => {
      window.__rt = new Promise((resolve) => {
        let t0 = 0;
        document.addEventListener('keydown', () => { t0 = performance.now(); }, { capture: true, once: true });
        const out = document.querySelectorAll('[data-testid="cell"]')[j].querySelector('[data-testid="outputs"]');
        const obs = new MutationObserver(() => {
          if (t0 && out.textContent.includes('2')) {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        });
        obs.observe(out, { subtree: true, childList: true, characterData: true });
      });
    }, i);
    await page.keyboard.press('Shift+Enter');
    rts.push(await page.evaluate(() => window.__rt));
  }
  rts.sort((a, b) => a - b);
  bench('round_trip_p50', rts[14], 'ms');
  bench('round_trip_p90', rts[26], 'ms');
  goal(rts[14] < 30, `a 1+1 round trip takes ${rts[14].toFixed(1)} ms at p50 (goal < 30 ms)`);

  // Speed: 100,000 lines of output; the page stays responsive and shows
  // the head with "show all".
  await writeNotebook('flood.ipynb', [code('for i := range 100000 {\n\tfmt.Println(i)\n}')]);
  await open(page, 'flood.ipynb');
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
  });
  t0 = Date.now();
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="busy"]');
  let worst = 0, probes = 0;
  for (;;) {
    const t = Date.now();
    const prompt = await page.evaluate(() => document.querySelector('[data-testid="cell-prompt"]')?.textContent ?? '');
    worst = Math.max(worst, Date.now() - t);
    probes++;
    if (/^\[\d+\]$/.test(prompt)) break;
    if (Date.now() - t0 > 45_000) throw new Error('100,000 lines did not finish in 45 s');
  }
  await page.waitForFunction(() => document.querySelector('.output-truncated')?.textContent.includes('99,000 more lines'));
  const floodMs = Date.now() - t0;
  const longest = await page.evaluate(() => Math.max(0, ...window.__long));
  bench('flood_longest_task', longest, 'ms');
  bench('flood_100k_lines', floodMs, 'ms');
  bench('flood_worst_evaluate', worst, 'ms');
  const showAll = await page.locator('[data-testid="show-all"]').count();
  const tail = await page.evaluate(() => document.querySelector('[data-testid="outputs"]').textContent.length);
  check(showAll === 1, `100,000 lines are cut with "show all" (${tail} characters shown)`);
  // Responsiveness is a figure, not a pass/fail check: timings depend on
  // the machine's load (speed lives in benchmarks, not in timed tests).
  goal(longest < 200, `the longest blocking task while 100,000 lines stream is ${longest.toFixed(0)} ms (${probes} probes answered; goal < 200 ms)`);
  let t = Date.now();
  await page.evaluate(() => 1);
  bench('page_answer_after_flood', Date.now() - t, 'ms');
  await shot(page, '08-flood');
  t = Date.now();
  await page.click('[data-testid="show-all"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="outputs"]').textContent.includes('99999'));
  bench('flood_show_all', Date.now() - t, 'ms');

  // Tablet size and dark theme.
  await page.setViewportSize({ width: 820, height: 1180 });
  await open(page, 'lessons/' + (await api('GET', 'files?path=lessons')).entries.find((e) => e.type === 'notebook').name);
  check(!(await page.locator('.sidebar').isVisible()), 'on a tablet the files drawer closes when a notebook opens');
  await shot(page, '09-tablet');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('[data-testid="btn-theme"]');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark' || document.documentElement.classList.contains('dark') || getComputedStyle(document.body).colorScheme.includes('dark'));
  await shot(page, '10-dark');
  await page.click('[data-testid="btn-theme"]');

  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
  try {
    for (const [i, p] of ctx.pages().entries()) await shot(p, 'failure-' + i);
  } catch { /* no page */ }
} finally {
  await ctx.close();
  fs.rmSync(udd, { recursive: true, force: true });
}
console.log(`suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
