// A notebook from someone else stays in its cells: run by the Go test
// cmd/firn TestBrowserHostileNotebook as
//   node e2e/contained.mjs URL NOTEBOOK EXPORTED_HTML ARTIFACT_DIR
// where URL is the one `firn serve` printed, NOTEBOOK the hostile notebook
// (e2e/hostile.ipynb: outputs and Markdown that try to cover the page
// with position:fixed and to load from remote.invalid through <img>, CSS
// url(), @import, <style>, <link>, SVG <image>/<use>/url()) and
// EXPORTED_HTML the same notebook exported by `firn export --to html`.
// In the notebook page and in the exported page:
//   1. no request leaves 127.0.0.1 while the notebook is open (every
//      request is counted with page.on('request'); any to another host
//      is also stopped before it leaves, and Chromium resolves no name);
//   2. what is at points outside the outputs (the title, the toolbar, the
//      cells' prompts, the page's corners) is the page's own, not an
//      output (document.elementFromPoint).
// Prints "ok"/"FAIL" lines and exits 1 on a failure.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, server, open } from './lib.mjs';

const [url, notebookPath, exportedPath, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const { api, base } = server(url);
// No name is resolved and nothing but loopback is reached, even if a
// request got past the route below.
const browser = await launch(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
const { ctx, errors } = browser;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };

// Every request of every page is counted; one that would leave the
// machine is aborted.
const local = (u) => /^(data|blob|about|file):/.test(u) || new URL(u).hostname === '127.0.0.1';
await ctx.route('**/*', (route) => (local(route.request().url()) ? route.continue() : route.abort()));
function watch(page) {
  const remote = [];
  page.on('request', (r) => { if (!local(r.url())) remote.push(r.url()); });
  return remote;
}

// outside lists points of the viewport that no output covers, with what
// the page has there, and what document.elementFromPoint finds at each.
async function probe(page, outputSelector, landmarks) {
  return page.evaluate(([sel, marks]) => {
    const boxes = [...document.querySelectorAll(sel)].map((o) => o.getBoundingClientRect());
    const inOutput = (x, y) => boxes.some((b) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom);
    const points = [];
    for (const m of marks) {
      for (const el of document.querySelectorAll(m)) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) points.push({ what: m, x: r.left + Math.min(r.width / 2, 20), y: r.top + r.height / 2 });
      }
    }
    points.push({ what: 'top left corner', x: 2, y: 2 }, { what: 'bottom right corner', x: innerWidth - 3, y: innerHeight - 3 });
    return points.filter((p) => !inOutput(p.x, p.y) && p.x < innerWidth && p.y < innerHeight && p.y >= 0).map((p) => {
      const el = document.elementFromPoint(p.x, p.y);
      return { ...p, found: el ? el.outerHTML.slice(0, 120) : null, inOutput: Boolean(el?.closest(sel)) };
    });
  }, [outputSelector, landmarks]);
}

function judge(where, points) {
  check(points.length >= 3, `${where}: ${points.length} points outside the outputs to look at`);
  for (const p of points) check(!p.inOutput, `${where}: at the ${p.what} (${Math.round(p.x)}, ${Math.round(p.y)}) is the page's own element, not an output: ${p.found}`);
}

try {
  // The notebook page, on a notebook as it comes from someone else (its
  // outputs stored, never run here).
  const notebook = JSON.parse(fs.readFileSync(notebookPath, 'utf8'));
  await api('PUT', 'files/content?path=hostile.ipynb', { notebook, etag: '' });
  const page = await browser.newPage();
  const remote = watch(page);
  await page.goto(url);
  await open(page, 'hostile.ipynb');
  // Everything is drawn: the outputs, and the Markdown cell rendered.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="output"]').length >= 4 &&
    [...document.querySelectorAll('.cell-rendered')].some((m) => m.querySelector('h1')) &&
    !document.querySelector('.md-pending'));
  await page.screenshot({ path: path.join(artifacts, 'hostile-notebook.png') });
  await page.waitForLoadState('networkidle');
  judge('notebook page', await probe(page, '[data-testid="output"], .cell-rendered',
    ['[data-testid="notebook-title"]', '[data-testid="kernel-status"]', '[data-testid="btn-run-all"]', '[data-testid="cell-prompt"]']));
  check(remote.length === 0, `notebook page: no request left 127.0.0.1 (${remote.length}: ${remote.join(' ')})`);
  // The page's origin is the only one asked.
  check(base.hostname === '127.0.0.1', 'the server is on 127.0.0.1');
  await page.close();

  // The exported page, opened from its file.
  const exported = await browser.newPage();
  const remoteExported = watch(exported);
  await exported.goto(pathToFileURL(exportedPath).href);
  await exported.waitForSelector('.output');
  await exported.screenshot({ path: path.join(artifacts, 'hostile-export.png') });
  await exported.waitForLoadState('networkidle');
  judge('exported page', await probe(exported, '.output .body, .markdown-cell .body', ['.prompt.in', '.source']));
  check(remoteExported.length === 0, `exported page: no request left the file (${remoteExported.length}: ${remoteExported.join(' ')})`);
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} catch (e) {
  check(false, `the run stopped: ${e.stack ?? e}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
