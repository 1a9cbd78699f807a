// Smoke test of the built UI (frontend/dist) in headless Chromium, with the
// server's API and session websocket faked in the page's network layer
// (page.route / page.routeWebSocket). It checks that the bundle loads, a
// notebook renders (Go highlighting, Markdown with KaTeX), Shift+Enter
// sends an execute, and replies show as outputs with the count.
// Run: npm run build && node e2e/smoke.mjs  (needs /usr/bin/chromium)

import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf' };
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  let p = path.join(dist, decodeURIComponent(u.pathname.replace(/^\/prefix\//, '/')));
  if (p.endsWith('/')) p += 'index.html';
  if (!p.startsWith(dist) || !fs.existsSync(p)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'Content-Type': types[path.extname(p)] ?? 'application/octet-stream' });
  fs.createReadStream(p).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const notebook = {
  nbformat: 4, nbformat_minor: 5, metadata: {},
  cells: [
    { cell_type: 'markdown', id: 'md1', metadata: {}, source: '# Mass balance\n\nThe ELA is where $b(z) = 0$.' },
    { cell_type: 'code', id: 'c1', metadata: {}, source: 'x := 40 + 2\nfmt.Println(x)', outputs: [], execution_count: null },
  ],
};

const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-udd-'));
const ctx = await chromium.launchPersistentContext(udd, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
try {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const saved = [];
  await page.route('**/api/**', async (route) => {
    const req = route.request();
    const u = new URL(req.url());
    const r = u.pathname.replace(/^.*\/api\//, '');
    const json = (body, status = 200) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (r === 'files') return json({ path: '', entries: [{ name: 'glacier.ipynb', path: 'glacier.ipynb', type: 'notebook', size: 10, modified: '2025-01-01T00:00:00Z' }] });
    if (r === 'lessons') return json([{ file: '01-getting-started.ipynb', title: 'Getting started' }]);
    if (r === 'files/content' && req.method() === 'GET') return json({ path: 'glacier.ipynb', modified: '', etag: 'e1', notebook });
    if (r === 'files/content' && req.method() === 'PUT') { saved.push(req.headers()['x-firn-csrf']); return json({ path: 'glacier.ipynb', modified: '', etag: 'e' + (saved.length + 1) }); }
    if (r === 'sessions') return json({ id: 's1', path: 'glacier.ipynb', kernel: { state: 'idle', execution_count: 0 } });
    return json({ error: 'not faked: ' + r }, 404);
  });
  const executes = [];
  await page.routeWebSocket(/\/api\/sessions\/s1\/ws/, (ws) => {
    let seq = 0;
    const send = (f) => ws.send(JSON.stringify({ seq: ++seq, ...f }));
    send({ type: 'kernel', state: 'idle' });
    ws.onMessage((data) => {
      const f = JSON.parse(String(data));
      if (f.type !== 'execute') return;
      executes.push(f);
      const m = (type, content) => send({ type: 'message', cell_id: f.cell_id, msg: { header: { msg_id: 'k' + seq, msg_type: type }, parent_header: { msg_id: f.msg_id }, metadata: {}, content } });
      send({ type: 'queued', cell_id: f.cell_id, msg_id: f.msg_id });
      m('execute_input', { code: f.code, execution_count: 1 });
      m('stream', { name: 'stdout', text: '42\n' });
      m('execute_reply', { status: 'ok', execution_count: 1 });
    });
  });
  await page.context().addCookies([{ name: 'firn_csrf', value: 'tok123', url: origin }]);
  await page.goto(`${origin}/prefix/#glacier.ipynb`);
  await page.waitForSelector('[data-testid="cell"][data-cell-id="c1"] .cm-content');
  // The file list and the lessons come from requests of their own, not the notebook's.
  await page.waitForSelector('[data-testid="file-entry"]').catch(() => {});
  await page.waitForSelector('[data-testid="lesson-entry"]').catch(() => {});
  check((await page.locator('[data-testid="file-entry"]').count()) === 1, 'file browser lists the workspace');
  check((await page.locator('[data-testid="lesson-entry"]').count()) === 1, 'lessons listed');
  await page.waitForSelector('[data-testid="markdown-rendered"] .katex');
  check(true, 'markdown cell rendered with KaTeX');
  await page.waitForSelector('.cm-content span').catch(() => {});
  check((await page.locator('.cm-content span').count()) > 0, 'Go code highlighted');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
  check(true, 'kernel status idle');

  await page.click('[data-testid="cell"][data-cell-id="c1"] .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' // the answer');
  await page.keyboard.press('Shift+Enter');
  await page.waitForSelector('[data-cell-id="c1"] [data-testid="output"]');
  check((await page.textContent('[data-cell-id="c1"] [data-testid="output"]')).trim() === '42', 'stdout shown');
  // The count comes with the reply, a websocket message after the output's.
  await page.waitForFunction(() => /^\[\d+\]$/.test(document.querySelector('[data-cell-id="c1"] [data-testid="cell-prompt"]')?.textContent ?? '')).catch(() => {});
  check((await page.textContent('[data-cell-id="c1"] [data-testid="cell-prompt"]')) === '[1]', 'execution count shown');
  check(executes[0]?.code.endsWith('// the answer'), 'execute carries the edited code');
  check((await page.locator('[data-testid="cell"]').count()) === 3, 'Shift+Enter on the last cell added a cell');

  // Command mode: Esc, then D D deletes, Z brings it back.
  await page.keyboard.press('Escape');
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  check((await page.locator('[data-testid="cell"]').count()) === 2, 'D D deletes a cell');
  await page.keyboard.press('z');
  check((await page.locator('[data-testid="cell"]').count()) === 3, 'Z undoes the delete');

  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');
  check(saved[0] === 'tok123', 'Ctrl+S saved with the CSRF header');

  await page.click('[data-testid="btn-theme"]');
  check((await page.getAttribute('html', 'data-theme')) !== null, 'theme toggle');
  await page.screenshot({ path: path.join(os.tmpdir(), 'firn-smoke.png') });
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} finally {
  await ctx.close();
  server.close();
  fs.rmSync(udd, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
