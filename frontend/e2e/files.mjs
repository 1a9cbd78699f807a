// End-to-end test of what happens to the user's files, in headless
// Chromium against a real `firn serve` (run by the Go test cmd/firn
// TestBrowser after browser.mjs): node e2e/files.mjs URL ARTIFACT_DIR
// WORKSPACE, where WORKSPACE is the server's folder, which the script
// changes as another program would. Prints "ok"/"FAIL" lines, saves
// screenshots and exits 1 on a failure.
//
// Scenarios: a damaged notebook (its sixth cell of ten has an unknown
// cell type) shows the damage, opens read-only, and no edit or save loses
// the cell; a Python notebook says which kernel it wants, starts none and
// keeps its stored outputs; a lesson deleted and opened again has a fresh
// kernel and none of the old outputs; a notebook changed on disk while
// open asks "reload / keep mine" when the page gets focus, and each does
// what it says, with no outputs of the old code shown under the new; a
// lesson reset is the bundled file again, byte for byte. Each scenario
// runs in a page of its own and a failure does not stop the others; a
// fifth argument runs only the scenarios whose names it matches
// (damaged, python, deleted, outside, reset). The test never sleeps: it
// waits for what the page shows.
import path from 'node:path';
import fs from 'node:fs';
import { launch, server, code, open, cells, outputsOf, idleCounted, record, until } from './lib.mjs';

const [url, artifacts, workspace, only] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const { api, writeNotebook } = server(url);
const browser = await launch();
const { errors } = browser;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png') });
const onDisk = (name) => fs.readFileSync(path.join(workspace, name), 'utf8');
// onDiskNow is onDisk, or null while the file is not there (a reset moves it to the trash first).
const onDiskNow = (name) => (fs.existsSync(path.join(workspace, name)) ? onDisk(name) : null);
const started = Date.now();
const examples = path.resolve(import.meta.dirname, '..', '..', 'notebooks', 'examples');

// jupyter is a notebook as Jupyter writes it (one-space indent, final newline).
const jupyter = (nb) => JSON.stringify(nb, null, 1) + '\n';

// showRead opens a notebook that gets no kernel and waits until it is shown.
async function showRead(page, name) {
  await page.evaluate((n) => { location.hash = '#' + encodeURI(n); }, name);
  await page.waitForFunction((n) => document.querySelector('[data-testid="notebook-title"]')?.textContent === n, name);
  await page.waitForSelector('[data-testid="notebook"] [data-testid="cell"]');
}

// tryToChange types into the first code cell, deletes a cell, runs one and
// saves, as a user would; it returns when the page has either saved or
// said that it does not (a "Read-only" message).
async function tryToChange(page) {
  await record(page, 'save', '[data-testid="save-state"]', 'data-state');
  await cells(page).nth(1).click();
  await page.keyboard.press('Enter');
  await page.keyboard.type(' // edit');
  await page.keyboard.press('Escape');
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="toast"]')].some((t) => t.textContent.includes('Read-only:')) ||
    (window.__rec.save.includes('saving') && document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') !== 'saving'));
}

// scenario runs fn with a fresh page on the app; a failure is reported
// with a screenshot and the next scenario runs.
async function scenario(name, fn) {
  if (only && !new RegExp(only).test(name)) return;
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForSelector('[data-testid="lesson-entry"]');
    await fn(page);
  } catch (e) {
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    failed = true;
    await shot(page, `files-failure-${name}`).catch(() => {});
  } finally {
    await page.close();
  }
}

try {
  // 7. A damaged notebook: ten cells, the sixth of a type Firn does not know.
  await scenario('damaged', async (page) => {
    const damagedCells = Array.from({ length: 10 }, (_, i) => i === 5
      ? { cell_type: 'widget', id: 'c5', metadata: { w: true }, source: ['a cell of a future nbformat'] }
      : { cell_type: 'code', execution_count: null, id: 'c' + i, metadata: {}, outputs: [], source: [`x${i} := ${i}`] });
    const damaged = jupyter({ cells: damagedCells, metadata: { kernelspec: { display_name: 'Go (Firn)', language: 'go', name: 'firn' } }, nbformat: 4, nbformat_minor: 5 });
    fs.writeFileSync(path.join(workspace, 'damaged.ipynb'), damaged);
    await showRead(page, 'damaged.ipynb');
    await tryToChange(page);
    const afterEdit = JSON.parse(onDisk('damaged.ipynb'));
    check(afterEdit.cells.length === 10 && JSON.stringify(afterEdit.cells[5]) === JSON.stringify(damagedCells[5]) && onDisk('damaged.ipynb') === damaged,
      `an edit of a damaged notebook loses nothing: the file still has 10 cells, the sixth as it was (${afterEdit.cells.length} cells)`);
    const notice = page.locator('[data-testid="notebook-notice"]');
    check(await notice.isVisible(), 'the damaged notebook shows a warning');
    const damageList = await page.locator('[data-testid="damage-list"]').textContent().catch(() => '');
    check(/cells\[5\]/.test(damageList) && /unknown cell type "widget"/.test(damageList), `the warning lists the server's damage: ${JSON.stringify(damageList)}`);
    check((await cells(page).count()) === 9 && (await page.locator('[data-testid="save-state"]').getAttribute('data-state')) === 'read-only',
      'the readable nine cells are shown, read-only');
    await page.locator('[data-testid="toast"]').first().waitFor();
    await shot(page, 'files-01-damaged');
    // Its readable part can be saved as a copy, which opens for work.
    await page.click('[data-testid="btn-save-copy"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="notebook-title"]')?.textContent === 'damaged-readable.ipynb');
    await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
    check(JSON.parse(onDisk('damaged-readable.ipynb')).cells.length === 9 && onDisk('damaged.ipynb') === damaged,
      'the readable part is saved as a copy that opens with a kernel; the damaged file is unchanged');
  });

  // 8. A notebook for Python: said so, no kernel, its outputs kept.
  await scenario('python', async (page) => {
    const py = jupyter({
      cells: [
        { cell_type: 'markdown', id: 'p0', metadata: {}, source: ['# Python'] },
        { cell_type: 'code', execution_count: 1, id: 'p1', metadata: {}, outputs: [{ name: 'stdout', output_type: 'stream', text: ['hello from Python\n'] }], source: ['print("hello from Python")'] },
        { cell_type: 'code', execution_count: 2, id: 'p2', metadata: {}, outputs: [{ data: { 'text/plain': ['42'] }, execution_count: 2, metadata: {}, output_type: 'execute_result' }], source: ['6 * 7'] },
      ],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
      nbformat: 4, nbformat_minor: 5,
    });
    fs.writeFileSync(path.join(workspace, 'py.ipynb'), py);
    await showRead(page, 'py.ipynb');
    await tryToChange(page);
    check(onDisk('py.ipynb') === py, 'an edit, a run and a save of a Python notebook leave its file (and outputs) as they were');
    const said = await page.locator('[data-testid="kernel-mismatch"]').textContent().catch(() => '');
    check(said.includes('This notebook is for Python 3 (kernel python3); Firn runs Go.'), `the page says which kernel it wants: ${JSON.stringify(said)}`);
    check(/hello from Python/.test(await outputsOf(page, 1).textContent()) && /42/.test(await outputsOf(page, 2).textContent()),
      'its stored outputs are shown');
    const pySessions = (await api('GET', 'sessions')).filter((x) => x.path === 'py.ipynb');
    check(pySessions.length === 0 && (await page.locator('[data-testid="kernel-status"]').getAttribute('data-state')) === 'none',
      `no kernel is started for it (${pySessions.length} sessions)`);
    await shot(page, 'files-02-python');
  });

  // 9. A lesson deleted and opened again: a fresh kernel, nothing of the
  // old session replayed under the bundled cells.
  await scenario('deleted', async (page) => {
    const lessonFile = '02-mass-balance.ipynb';
    const lessonPath = 'lessons/' + lessonFile;
    await page.locator('[data-testid="lesson-entry"]').nth(1).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="notebook-title"]')?.textContent === n, lessonPath);
    await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
    const firstCode = await page.evaluate(() => [...document.querySelectorAll('[data-testid="cell"]')].findIndex((c) => c.dataset.cellType === 'code'));
    await cells(page).nth(firstCode).locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nfmt.Println("OLD RUN")');
    await page.keyboard.press('Control+Enter');
    await outputsOf(page, firstCode).filter({ hasText: 'OLD RUN' }).waitFor();
    const oldSession = (await api('GET', 'sessions')).find((x) => x.path === lessonPath);
    await page.click('[data-testid="crumb"]');
    await page.locator('[data-testid="file-entry"][data-path="lessons"] [data-testid="file-open"]').click();
    await page.locator(`[data-testid="file-entry"][data-path="${lessonPath}"] [data-testid="file-delete"]`).click();
    await page.waitForSelector('[data-testid="welcome"]');
    await page.locator('[data-testid="lesson-entry"]').nth(1).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="notebook-title"]')?.textContent === n, lessonPath);
    await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
    const newSession = (await api('GET', 'sessions')).find((x) => x.path === lessonPath);
    check(newSession && oldSession && newSession.id !== oldSession.id && newSession.kernel.pid !== oldSession.kernel.pid,
      `the lesson opened again has a fresh session and kernel (${oldSession?.id}/${oldSession?.kernel.pid} → ${newSession?.id}/${newSession?.kernel.pid})`);
    await page.waitForSelector('[data-testid="save-state"][data-state="saved"]');
    await page.waitForSelector('[data-testid="notebook"][data-replayed="true"]'); // all the session kept is shown
    const reopened = await outputsOf(page, firstCode).textContent();
    check(!reopened.includes('OLD RUN') && !onDisk(lessonPath).includes('OLD RUN'), 'none of the deleted copy\'s outputs come back, on the page or in the file');
  });

  // 9. Changed on disk while open: the page asks when it gets focus;
  // "keep mine" writes its version, "reload" shows the disk's, without
  // the old code's outputs.
  await scenario('outside', async (page) => {
    await writeNotebook('outside.ipynb', [code('fmt.Println("from the old code")'), code('b := 2')]);
    await open(page, 'outside.ipynb');
    await page.keyboard.press('Shift+Enter');
    await idleCounted(page, 0);
    await until(async () => onDisk('outside.ipynb').includes('from the old code\\n'), 'the output saved');
    await page.waitForSelector('[data-testid="save-state"][data-state="saved"]');
    const outside = (src) => jupyter({
      cells: [{ cell_type: 'code', execution_count: null, id: 'c-new', metadata: {}, outputs: [], source: [src] }],
      metadata: { kernelspec: { display_name: 'Go (Firn)', language: 'go', name: 'firn' } }, nbformat: 4, nbformat_minor: 5,
    });
    // Focus with the file as it was: the page asks whether it changed (304) and stays as it is.
    const asked = page.waitForResponse((r) => r.url().includes('/api/files/content') && r.request().method() === 'GET');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    check((await asked).status() === 304 && (await page.locator('[data-testid="conflict-dialog"]').count()) === 0 &&
      (await page.locator('[data-testid="save-state"]').getAttribute('data-state')) === 'saved', 'focus with the file unchanged on disk: a 304, nothing asked');
    // Another program rewrites it, keeping the first cell's id.
    const firstID = JSON.parse(onDisk('outside.ipynb')).cells[0].id;
    const rewrite = (src) => fs.writeFileSync(path.join(workspace, 'outside.ipynb'), outside(src).replace('"c-new"', JSON.stringify(firstID)));
    rewrite('fmt.Println("written elsewhere")');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.waitForSelector('[data-testid="conflict-dialog"]');
    check((await page.locator('[data-testid="save-state"]').getAttribute('data-state')) === 'conflict' &&
      /changed on disk/.test(await page.locator('[data-testid="conflict-dialog"]').textContent()), 'a change on disk is found when the page gets focus');
    await shot(page, 'files-03-changed-on-disk');
    await page.click('[data-testid="conflict-dialog-overwrite"]');
    await until(async () => onDisk('outside.ipynb').includes('from the old code'), '"keep mine" to save');
    await page.waitForSelector('[data-testid="save-state"][data-state="saved"]');
    check(JSON.parse(onDisk('outside.ipynb')).cells.length === 2, '"keep mine" writes the version shown over the one on disk');
    rewrite('fmt.Println("written elsewhere again")');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.click('[data-testid="conflict-dialog-reload"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="cell"] .cm-content')?.textContent.includes('written elsewhere again'));
    await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
    await page.waitForSelector('[data-testid="save-state"][data-state="saved"]');
    await page.waitForSelector('[data-testid="notebook"][data-replayed="true"]'); // all the session kept is shown
    const shown = await outputsOf(page, 0).textContent();
    check((await cells(page).count()) === 1 && !shown.includes('from the old code'),
      `"reload" shows the version on disk, without the old code's outputs (${JSON.stringify(shown)})`);
    check(onDisk('outside.ipynb') === outside('fmt.Println("written elsewhere again")').replace('"c-new"', JSON.stringify(firstID)), 'the reloaded version is left as it is on disk');
  });

  // 9. Reset a lesson: after confirmation it is the bundled file again,
  // byte for byte, and the page shows it.
  await scenario('reset', async (page) => {
    const resetFile = '03-ice-flow.ipynb';
    await page.locator('[data-testid="lesson-entry"]').nth(2).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="notebook-title"]')?.textContent === n, 'lessons/' + resetFile);
    await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
    const resetCode = await page.evaluate(() => [...document.querySelectorAll('[data-testid="cell"]')].findIndex((c) => c.dataset.cellType === 'code'));
    await cells(page).nth(resetCode).locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' // my change');
    await page.keyboard.press('Control+s');
    await until(async () => onDisk('lessons/' + resetFile).includes('my change'), 'the change saved');
    await page.locator(`[data-testid="lesson-list"] li[data-file="${resetFile}"] [data-testid="lesson-reset"]`).click();
    await page.waitForSelector('[data-testid="confirm-dialog"]');
    await shot(page, 'files-04-reset-lesson');
    await page.click('[data-testid="confirm-dialog-yes"]');
    await until(async () => onDiskNow('lessons/' + resetFile)?.includes('my change') === false, 'the reset');
    const bundled = fs.readFileSync(path.join(examples, resetFile), 'utf8');
    check(onDisk('lessons/' + resetFile) === bundled, 'a reset lesson is the bundled file byte for byte');
    await page.waitForFunction(() => !document.querySelector('[data-testid="notebook"]')?.textContent.includes('my change'));
    await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
    check(!(await page.locator('[data-testid="notebook"]').textContent()).includes('my change') && onDisk('lessons/' + resetFile) === bundled,
      'the page shows the reset lesson and saves nothing of the old one over it');
  });

  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
} finally {
  await browser.close();
}
console.log(`suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
