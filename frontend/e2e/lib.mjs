// Shared by the end-to-end scripts (browser.mjs, longrun.mjs, speed.mjs):
// a fresh headless Chromium (Debian's) driven by playwright-core, the
// server's API called as a program does, and waits on what the page shows.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const timeout = 20_000;

// launch starts Chromium with a fresh profile (an empty cache) and the
// extra command-line arguments given; close() ends it and removes the
// profile. errors collects page errors.
export async function launch(extraArgs = []) {
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-udd-'));
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  const late = Number(process.env.FIRN_E2E_LATE_OUTPUTS ?? 0);
  if (late > 0) await ctx.routeWebSocket(/\/api\/sessions\/[^/]+\/ws/, (ws) => lateOutputs(ws, late));
  const errors = [];
  return {
    ctx, errors,
    async newPage() {
      const page = await ctx.newPage();
      page.setDefaultTimeout(timeout);
      page.on('pageerror', (e) => errors.push(String(e)));
      // A 409 is how a save learns that another tab saved first; the page
      // resolves it (silently when only outputs differ), so it is no error.
      // A refused websocket is how a dropped connection looks while it is down.
      page.on('console', (m) => {
        if (m.type() === 'error' && !/status of 409|WebSocket connection to .* failed/.test(m.text())) errors.push(`${m.text()} (${m.location()?.url ?? ''})`);
      });
      return page;
    },
    async close() {
      await ctx.close();
      fs.rmSync(udd, { recursive: true, force: true });
    },
  };
}

// lateOutputs is a check of the scripts themselves, with
// FIRN_E2E_LATE_OUTPUTS=MS in the environment: the page gets the outputs
// of a cell that were not sent yet when its execute_reply came MS after
// the reply (as it gets the output of a cell's goroutines, app/doc.go),
// and draws them up to a frame later still. A script that reads outputs
// once a cell is idle, without waiting for them, then reads too early.
// A reconnect while outputs are held back replays from the page's last
// seq, which then lags the server's: not for the scripts that cut the
// connection.
const outputTypes = new Set(['stream', 'display_data', 'execute_result', 'error', 'update_display_data', 'clear_output', 'status']);
function lateOutputs(ws, ms) {
  const srv = ws.connectToServer();
  ws.onMessage((m) => srv.send(m));
  // The frames are numbered anew, in the order sent, from the seq asked for.
  let seq = Number(new URL(ws.url()).searchParams.get('since') ?? 0);
  const queue = []; // [frame, pause after it]
  let timer = null;
  const flush = () => {
    timer = null;
    while (queue.length) {
      const [f, pause] = queue.shift();
      if (f.type === 'gap') seq = f.seq - 1;
      ws.send(JSON.stringify({ ...f, seq: ++seq }));
      if (pause && queue.length) {
        timer = setTimeout(flush, ms);
        return;
      }
    }
  };
  const output = (f) => f.type === 'message' && outputTypes.has(f.msg?.header?.msg_type);
  srv.onMessage((m) => {
    const f = JSON.parse(String(m));
    let at = queue.length;
    if (f.type === 'message' && f.msg?.header?.msg_type === 'execute_reply') {
      // Ahead of the outputs of its cell not sent yet, which follow it MS later.
      while (at > 0 && queue[at - 1][0].cell_id === f.cell_id && output(queue[at - 1][0])) at--;
    }
    queue.splice(at, 0, [f, at < queue.length]);
    timer ??= setTimeout(flush, ms);
  });
}

// server is the firn server at url (the one `firn serve` printed).
export function server(url) {
  const base = new URL(url);
  const token = base.searchParams.get('token');
  const origin = base.origin;
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
  async function writeNotebook(name, cells) {
    const notebook = {
      cells, nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: 'firn', display_name: 'Firn (Go)', language: 'go' } },
    };
    await api('PUT', 'files/content?path=' + encodeURIComponent(name), { notebook, etag: '' });
  }
  return { base, token, origin, api, writeNotebook };
}

let cellN = 0;
export const code = (source) => ({ cell_type: 'code', id: 'c' + (++cellN), metadata: {}, source, outputs: [], execution_count: null });
export const markdown = (source) => ({ cell_type: 'markdown', id: 'c' + (++cellN), metadata: {}, source });
export const sourceOf = (c) => (Array.isArray(c.source) ? c.source.join('') : c.source);

// open shows a notebook in page (already on the app) and waits for an idle kernel.
export async function open(page, name) {
  await page.evaluate((n) => { location.hash = '#' + encodeURI(n); }, name);
  await page.waitForFunction((n) => document.querySelector('[data-testid="notebook-title"]')?.textContent === n, name);
  await page.waitForSelector('[data-testid="notebook"] [data-testid="cell"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-state="idle"]');
}
export const cells = (page) => page.locator('[data-testid="cell"]');
export const outputsOf = (page, i) => cells(page).nth(i).locator('[data-testid="outputs"]');
// idleCounted waits until cell i shows an execution count ("[3]").
export const idleCounted = (page, i, opts) => page.waitForFunction((j) => {
  const p = document.querySelectorAll('[data-testid="cell-prompt"]')[j]?.textContent ?? '';
  return /^\[\d+\]$/.test(p);
}, i, opts);
// allDrawn waits until the page has saved the notebook at path and draws
// every output the saved file holds, cell by cell. A cell's outputs are
// drawn up to an animation frame after they arrive (panel.ts,
// flushOutputs), so a check that something is absent (no error) waits
// for this first: what the kernel sent is on the page. The page's save
// state is read with the counts: "saved" means the page's outputs are the
// ones in the file. At least as many, not as many: a page can say
// "saved" with outputs newer than the file (panel.ts takes a "saved" frame
// whose etag is not its own for another tab's save of the same outputs,
// and marks its newer outputs saved; its own save's frame, coming after
// a later save, does that too).
export async function allDrawn(page, api, path, ms = timeout) {
  let seen = '';
  await until(async () => {
    const nb = (await api('GET', 'files/content?path=' + encodeURIComponent(path))).notebook;
    const want = nb.cells.map((c) => (c.outputs ?? []).length);
    const shown = await page.evaluate(() => ({
      state: document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state'),
      drawn: [...document.querySelectorAll('[data-testid="notebook"] [data-testid="cell"]')]
        .map((c) => c.querySelectorAll('[data-testid="outputs"] > [data-testid="output"]').length),
    }));
    seen = `save state ${shown.state}; outputs per cell in the file ${want.join(',')}, drawn ${shown.drawn.join(',')}`;
    return shown.state === 'saved' && shown.drawn.length === want.length && want.every((n, i) => shown.drawn[i] >= n);
  }, `every output of ${path} drawn as saved`, ms).catch((e) => { throw new Error(`${e.message} (${seen})`); });
}
// record keeps every value an attribute of the selector takes (in window.__rec[key]).
export const record = (page, key, selector, attr) => page.evaluate(([k, sel, a]) => {
  window.__rec = window.__rec ?? {};
  const list = (window.__rec[k] = [document.querySelector(sel)?.getAttribute(a)]);
  new MutationObserver(() => list.push(document.querySelector(sel)?.getAttribute(a)))
    .observe(document.body, { subtree: true, attributes: true, attributeFilter: [a], childList: true, characterData: true });
}, [key, selector, attr]);
// recorded is what record kept, repeats dropped.
export const recorded = (page, key) => page.evaluate((k) => window.__rec[k].filter((v, i, a) => v && v !== a[i - 1]), key);

// proxy forwards a loopback port to the server's, so that a test can cut
// the page's connections as a network does: drop() ends every connection
// open now, and while refuse is set new ones are closed at once.
export async function proxy(targetPort) {
  const socks = new Set();
  const p = { port: 0, refuse: false, drops: 0 };
  const srv = net.createServer((c) => {
    if (p.refuse) {
      c.destroy();
      return;
    }
    const up = net.connect(targetPort, '127.0.0.1');
    socks.add(c);
    socks.add(up);
    const end = () => { c.destroy(); up.destroy(); socks.delete(c); socks.delete(up); };
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    c.pipe(up);
    up.pipe(c);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  p.port = srv.address().port;
  p.drop = () => {
    p.drops += socks.size;
    for (const s of socks) s.destroy();
    socks.clear();
  };
  p.close = () => new Promise((resolve) => { p.drop(); srv.close(resolve); });
  return p;
}

// bigNotebook is 100 cells: code with loops and output, and every fourth
// a Markdown cell with math and a list.
export function bigNotebook() {
  const big = [];
  for (let i = 0; i < 100; i++) {
    big.push(i % 4 === 3 ? markdown(`## Section ${i}\n\nSome *text* with $x^${i % 9}$ and a list:\n\n- one\n- two`) :
      code(`// cell ${i}\nv${i} := ${i}\nfor j := range 3 {\n\tv${i} += j\n}\nfmt.Println(v${i})`));
  }
  return big;
}

// until asks cond (async) every 100 ms until it is true, for a state
// only the server knows (a file's content); it fails after ms.
export async function until(cond, what, ms = timeout) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
