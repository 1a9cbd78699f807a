// End-to-end test of the real Firn server and kernels in headless
// Chromium (Debian's), driven by playwright-core. Run by the Go test
// cmd/firn TestBrowser: node e2e/browser.mjs URL ARTIFACT_DIR, where URL
// is the one `firn serve` printed (token included). Prints "ok"/"FAIL"
// lines, saves screenshots of the main states and exits 1 on a failure.
// Speed figures are measured by speed.mjs (BenchmarkBrowser), a long run
// with the tab closed by longrun.mjs (TestBrowserLongRun).
//
// Scenarios: the lessons listed and run; an edit saved and reloaded; an
// endless loop interrupted (its error shown once); the kernel process
// killed, the death shown with its cause and a cell run again after the
// restart; the tab closed mid-run and every line there once after
// reopening; the connection cut mid-run in an open page (it says it is
// reconnecting, then shows every line once, without a reload); one
// notebook in two tabs (outputs in both, no conflicting saves, replay is
// not a change); a keyboard-only session; completion and docs with Tab
// and Shift+Tab; an open notebook renamed;
// the kernel picker (the notebook's kernel shown, switched to
// local-tcp, a cell run there, the choice in the file on disk);
// a 100-cell notebook; 100,000
// lines cut with "show all"; tablet size and dark theme. The test never
// sleeps: it waits for what the page shows.
import path from 'node:path';
import fs from 'node:fs';
import {
  launch, server, bigNotebook, code, markdown, sourceOf, open, cells, outputsOf, idleCounted, record, recorded, proxy, until, allDrawn,
} from './lib.mjs';

const [url, artifacts, workspace] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const { token, origin, api, writeNotebook } = server(url);
const browser = await launch();
const { ctx, errors } = browser;
const newPage = () => browser.newPage();
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png') });
const started = Date.now();

try {
  // The start page: the files and the lessons.
  const page = await newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid="lesson-entry"]');
  check((await page.locator('[data-testid="lesson-entry"]').count()) === 13, 'the thirteen lessons are listed');
  await shot(page, '01-start');

  // The lessons are one click away: the start page offers the first.
  check(/^Start with lesson 1. Getting started/.test(await page.locator('[data-testid="btn-first-lesson"]').textContent()), 'the start page offers the first lesson');
  await page.click('[data-testid="btn-first-lesson"]');
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
  // Outputs are drawn up to a frame after they arrive: wait for the plots.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="output"] img, [data-testid="output"] svg').length >= 2).catch(() => {});
  const images = await page.locator('[data-testid="output"] img, [data-testid="output"] svg').count();
  check(images >= 2, `run all draws the lesson's plots (${images} images)`);
  // No error: once every output the page saved is drawn.
  await allDrawn(page, api, await page.locator('[data-testid="notebook-title"]').textContent());
  const errorsShown = await page.locator('[data-testid="output"][data-output-type="error"]').count();
  check(errorsShown === 0, `run all shows no error (${errorsShown})`);
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

  // Math is typeset with KaTeX's own fonts (woff2, the only form the
  // build ships): they load, and no font request fails.
  const fontFailures = [];
  page.on('response', (r) => { if (/\.(woff2?|ttf)$/.test(r.url()) && r.status() >= 400) fontFailures.push(r.url()); });
  page.on('requestfailed', (r) => { if (/\.(woff2?|ttf)$/.test(r.url())) fontFailures.push(r.url()); });
  await writeNotebook('math.ipynb', [markdown('Glen\'s law: $\\dot\\varepsilon = A\\,\\tau^n$ and $$Q = \\frac{2A}{n+2}(\\rho g \\sin\\alpha)^n H^{n+2}$$')]);
  await open(page, 'math.ipynb');
  await page.waitForSelector('.katex');
  const katexFonts = await page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].filter((f) => f.family.replace(/"/g, '').startsWith('KaTeX') && f.status === 'loaded').length;
  });
  check(katexFonts >= 2 && fontFailures.length === 0, `math typeset with KaTeX's fonts (${katexFonts} loaded, failed: ${JSON.stringify(fontFailures)})`);

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
  await outputsOf(page, 1).filter({ hasText: 'KernelDied' }).waitFor().catch(() => {});
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
  // The replayed lines are drawn up to a frame after they arrive.
  await outputsOf(p2, 0).filter({ hasText: 'line 29' }).waitFor().catch(() => {});
  const lines = (await outputsOf(p2, 0).textContent()).match(/line \d+/g) ?? [];
  const want = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  check(JSON.stringify(lines) === JSON.stringify(want), `after reopening, the 30 lines once and in order (${lines.length} lines${lines.length !== 30 ? ': ' + lines.join(',') : ''})`);
  // The lines that ran with no tab open were only in the server's memory:
  // the reopened tab saves them. Wait for the file to have them, not for
  // the save state, which is "saved" from the load until the replay marks
  // the notebook changed (after a read of the file).
  let streamDisk = '';
  await until(async () => {
    streamDisk = JSON.stringify((await api('GET', 'files/content?path=stream.ipynb')).notebook.cells[0].outputs);
    return streamDisk.includes('line 29');
  }, 'the replayed lines in the file').catch(() => {});
  check(streamDisk.includes('line 29'), 'the reopened tab saved the replayed lines to the file');
  await p2.close();

  // Cut the connection mid-run in an open page (through a proxy that
  // drops it, as a network does): the page says it is reconnecting, comes
  // back by itself (no reload) and shows every line once, in order.
  await writeNotebook('drop.ipynb', [code('import "time"\n\nfor i := range 30 {\n\tfmt.Println("tick", i)\n\ttime.Sleep(40 * time.Millisecond)\n}')]);
  const net = await proxy(Number(new URL(origin).port));
  const p3 = await newPage();
  await p3.goto(`http://127.0.0.1:${net.port}/?token=${encodeURIComponent(token)}`);
  await open(p3, 'drop.ipynb');
  await p3.evaluate(() => { window.__samePage = true; });
  await record(p3, 'kdrop', '[data-testid="kernel-status"]', 'data-state');
  await p3.keyboard.press('Control+Enter');
  await outputsOf(p3, 0).filter({ hasText: 'tick 1' }).waitFor();
  net.refuse = true;
  net.drop();
  await p3.waitForSelector('[data-testid="kernel-status"][data-state="reconnecting"]');
  await shot(p3, '04b-reconnecting');
  net.refuse = false;
  await idleCounted(p3, 0);
  await outputsOf(p3, 0).filter({ hasText: 'tick 29' }).waitFor().catch(() => {});
  const ticks = (await outputsOf(p3, 0).textContent()).match(/tick \d+/g) ?? [];
  const wantTicks = Array.from({ length: 30 }, (_, i) => `tick ${i}`);
  check(JSON.stringify(ticks) === JSON.stringify(wantTicks), `after the connection came back, the 30 lines once and in order (${ticks.length} lines${ticks.length !== 30 ? ': ' + ticks.join(',') : ''})`);
  const kdrop = await recorded(p3, 'kdrop');
  check(kdrop.includes('reconnecting') && await p3.evaluate(() => window.__samePage === true),
    `the page said it was reconnecting and came back without a reload (${kdrop.join(' → ')}; ${net.drops} connections cut)`);
  await p3.close();
  await net.close();

  // Two tabs of one notebook: outputs in both, no conflicting saves, and
  // opening a notebook with history is not a change.
  await writeNotebook('tabs.ipynb', [code('fmt.Println("from tab A")'), code('fmt.Println("from tab B")'), code('')]);
  const tabA = await newPage();
  await tabA.goto(origin + '/');
  await open(tabA, 'tabs.ipynb');
  await record(tabA, 'saveA', '[data-testid="save-state"]', 'data-state');
  await tabA.keyboard.press('Control+Enter');
  await idleCounted(tabA, 0);
  // A saves the output; B, opened then, replays it and finds the file has
  // it: no change (a tab saves replayed outputs only when the file lacks them).
  const savedOutputs = (i) => async () => (await api('GET', 'files/content?path=tabs.ipynb')).notebook.cells[i].outputs.length > 0;
  await until(savedOutputs(0), "tab A's output saved");
  const tabB = await newPage();
  await tabB.goto(origin + '/');
  await record(tabB, 'saveB', '[data-testid="save-state"]', 'data-state');
  await open(tabB, 'tabs.ipynb');
  await outputsOf(tabB, 0).filter({ hasText: 'from tab A' }).waitFor();
  check(true, 'tab B opened later shows what ran in tab A');
  await tabB.waitForSelector('[data-testid="notebook"][data-replayed="true"]');
  check(!(await recorded(tabB, 'saveB')).includes('dirty'), 'replayed outputs are not a change in tab B');
  await tabB.keyboard.press('j');
  await tabB.keyboard.press('Control+Enter');
  await outputsOf(tabA, 1).filter({ hasText: 'from tab B' }).waitFor();
  check(true, 'a cell run in tab B shows its output in tab A');
  // Both tabs autosave the same outputs: both end "saved", no conflict.
  const bothSaved = () => Promise.all([tabA, tabB].map((p) => p.waitForFunction(() =>
    document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved' &&
    !document.querySelector('[data-testid="cell-prompt"]')?.textContent?.includes('*'))));
  await until(savedOutputs(1), "tab B's output saved");
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
  check(sourceOf(disk.notebook.cells[2]).includes('edited in B') && JSON.stringify(disk.notebook.cells[1].outputs).includes('from tab B'),
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
  const summary = keysNb.cells.map((c) => c.cell_type[0] + ':' + sourceOf(c));
  const wantCells = ['c:a := 2', 'm:# Keys', 'c:a * 21 + 0', 'c:fmt.Println("typed", a)', 'm:## Typed *without* a mouse'];
  check(JSON.stringify(summary.slice(0, 5)) === JSON.stringify(wantCells) && summary.length >= 6,
    `the keyboard-only session is saved: ${JSON.stringify(summary)}`);
  // Markdown is rendered once its renderer has loaded (fillMarkdown, a promise).
  await page.waitForFunction(() => {
    const md = [...document.querySelectorAll('[data-testid="cell"]')].map((c) => c.querySelector('[data-testid="markdown-rendered"]'));
    return md[1]?.querySelector('h1') && md[4]?.querySelector('em');
  }).catch(() => {});
  check((await cells(page).nth(1).locator('[data-testid="markdown-rendered"] h1').count()) === 1 &&
    (await cells(page).nth(4).locator('[data-testid="markdown-rendered"] em').count()) === 1, 'the Markdown cells are rendered');
  await shot(page, '06-keyboard');

  // Completion and docs from the keyboard: Tab shows the kernel's
  // completions with their signatures and accepts one; Shift+Tab on a
  // name shows its docs.
  await writeNotebook('docs.ipynb', [code('')]);
  await open(page, 'docs.ipynb');
  await page.keyboard.press('Enter');
  await page.keyboard.type('fmt.Printl');
  await page.keyboard.press('Tab');
  const row = page.locator('.cm-tooltip-autocomplete li', { hasText: 'Println' });
  await row.waitFor();
  check((await row.locator('.cm-completionDetail').textContent()) === '(a ...any) (n int, err error)', 'the completion shows the signature of fmt.Println');
  await page.locator('.cm-completionInfo', { hasText: 'Println formats using the default formats' }).waitFor();
  await shot(page, '06b-completion');
  // (CodeMirror takes no accept within 75 ms of opening the list)
  await until(async () => {
    await page.keyboard.press('Tab');
    return (await cells(page).first().locator('.cm-content').textContent()) === 'fmt.Println';
  }, 'Tab to accept the completion');
  check(true, 'Tab accepts the completion');
  await page.keyboard.press('Shift+Tab');
  const tip = page.locator('[data-testid="inspect-tooltip"]', { hasText: 'Println formats using the default formats' });
  await tip.waitFor();
  check(true, 'Shift+Tab shows the docs of the name at the cursor');
  await shot(page, '06c-docs');
  await page.keyboard.press('Escape');
  await tip.waitFor({ state: 'detached' });
  check(true, 'Esc closes the docs');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');

  // Rename the open notebook (through the API, as another tab would): the
  // page follows without reopening, the kernel keeps its variables and
  // saves go to the new name.
  await writeNotebook('before.ipynb', [code('kept := 7'), code('kept * 6')]);
  await open(page, 'before.ipynb');
  await page.keyboard.press('Shift+Enter');
  await idleCounted(page, 0);
  await api('POST', 'files', { op: 'rename', path: 'before.ipynb', to: 'after.ipynb' });
  await page.waitForFunction(() => document.querySelector('[data-testid="notebook-title"]')?.textContent === 'after.ipynb' &&
    location.hash === '#after.ipynb');
  await page.keyboard.press('Shift+Enter');
  await outputsOf(page, 1).filter({ hasText: '42' }).waitFor();
  await page.keyboard.press('Control+s');
  await until(async () => JSON.stringify((await api('GET', 'files/content?path=after.ipynb')).notebook.cells[1].outputs).includes('42'), 'the save under the new name');
  const names = (await api('GET', 'files?path=')).entries.map((e) => e.name);
  check(!names.includes('before.ipynb'), `a renamed open notebook keeps its kernel and saves under its new name (${names.filter((n) => /before|after/.test(n))})`);

  // A 100-cell notebook opens whole (speed: speed.mjs).
  await writeNotebook('big.ipynb', bigNotebook());
  await open(page, 'big.ipynb');
  check((await cells(page).count()) === 100, 'a 100-cell notebook shows its 100 cells');
  await shot(page, '07-big-notebook');

  // 100,000 lines of output are cut with "show all", which shows them all.
  await writeNotebook('flood.ipynb', [code('for i := range 100000 {\n\tfmt.Println(i)\n}')]);
  await open(page, 'flood.ipynb');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => document.querySelector('.output-truncated')?.textContent.includes('99,000 more lines'), null, { timeout: 60_000 });
  await idleCounted(page, 0, { timeout: 60_000 });
  const shownChars = await page.evaluate(() => document.querySelector('[data-testid="outputs"]').textContent.length);
  check((await page.locator('[data-testid="show-all"]').count()) === 1, `100,000 lines are cut with "show all" (${shownChars} characters shown)`);
  await shot(page, '08-flood');
  await page.click('[data-testid="show-all"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="outputs"]').textContent.includes('99999'));
  check(true, '"show all" shows the last line');

  // The kernel picker: the page shows the notebook's kernel; switching
  // to local-tcp restarts it (the variables are gone), a cell runs on
  // it, the page shows the new kernel and the file on disk records it.
  await writeNotebook('picker.ipynb', [code('y := 7\ny'), code('y'), code('fmt.Println("on", 6*7)')]);
  await open(page, 'picker.ipynb');
  const status = page.locator('[data-testid="kernel-status"]');
  const picker = page.locator('[data-testid="kernel-picker"]');
  await page.waitForSelector('[data-testid="kernel-picker"]:not([disabled])');
  check(await picker.inputValue() === 'local' && (await status.textContent()) === 'Kernel: local · Idle' && (await status.getAttribute('title')).includes('transport: pipe'),
    `the picker and the status show the kernel: ${await picker.inputValue()}, "${await status.textContent()}" (${await status.getAttribute('title')})`);
  await page.keyboard.press('Shift+Enter');
  await idleCounted(page, 0);
  await picker.selectOption('local-tcp');
  await page.click('[data-testid="switch-kernel-dialog-yes"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-kernel="local-tcp"][data-state="idle"]');
  const tcpTitle = await status.getAttribute('title');
  check((await status.textContent()) === 'Kernel: local-tcp · Idle' && tcpTitle.includes('transport: tcp') && await picker.inputValue() === 'local-tcp',
    `after the switch the page shows "${await status.textContent()}" (${tcpTitle})`);
  await shot(page, '05b-kernel-switched');
  const sessions = await api('GET', 'sessions');
  const k = sessions.find((x) => x.path === 'picker.ipynb')?.kernel;
  check(k?.spec === 'local-tcp' && k?.transport === 'tcp', `the session runs on local-tcp: ${JSON.stringify(k)}`);
  const onDisk = () => JSON.parse(fs.readFileSync(path.join(workspace, 'picker.ipynb'), 'utf8'));
  check(onDisk().metadata?.firn?.kernel === 'local-tcp', `the file on disk records the kernel: metadata.firn = ${JSON.stringify(onDisk().metadata?.firn)}`);
  await cells(page).nth(1).click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Enter'); // y: gone with the old kernel
  await outputsOf(page, 1).filter({ hasText: 'undefined: y' }).waitFor();
  await page.keyboard.press('Shift+Enter');
  await outputsOf(page, 2).filter({ hasText: 'on 42' }).waitFor();
  check(true, 'after the switch the variables are gone and a cell runs on local-tcp');
  // The page's next save keeps the choice.
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');
  await until(() => sourceOf(onDisk().cells[2]) && (onDisk().cells[2].outputs ?? []).length > 0, 'the outputs saved');
  check(onDisk().metadata?.firn?.kernel === 'local-tcp', 'a save from the page keeps metadata.firn.kernel');

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
  await browser.close();
}
console.log(`suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
