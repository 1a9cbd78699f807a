// Speed of the notebook in a real browser, against a real `firn serve`:
// node e2e/speed.mjs URL prints "bench NAME VALUE UNIT" lines, which the Go
// benchmark cmd/firn BenchmarkBrowser reports. Figures, not checks: the
// goals are in issue #6 and the README.
//
//	cold_load_ms          a fresh profile (empty cache) from navigation start
//	                      (the token's redirect included) to the first frame
//	                      with the file list (goal < 1000)
//	open_100_cells_ms     a 100-cell notebook whose kernel runs, from the
//	                      click (hash change) to the frame with all cells (goal < 300)
//	round_trip_p50_ms     Shift+Enter on `1+1` to "2" in the page, over 30 runs
//	round_trip_p90_ms     (goal p50 < 30)
//	flood_100k_lines_ms   100,000 printed lines, Ctrl+Enter to the count shown
//	flood_longest_task_ms the longest main-thread task meanwhile (responsiveness)
import { launch, server, bigNotebook, code, open, outputsOf } from './lib.mjs';

const [url] = process.argv.slice(2);
const { api, writeNotebook } = server(url);
const browser = await launch();
// Each run writes its own notebooks (a benchmark runs the script repeatedly).
const run = Date.now().toString(36);
const nb = (name) => `${name}-${run}.ipynb`;
const bench = (name, value) => console.log(`bench ${name} ${Math.round(value * 10) / 10}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

try {
  const page = await browser.newPage();
  await page.goto(url);
  const loadMs = await (await page.waitForFunction(() =>
    document.querySelector('[data-testid="file-list"] [data-testid="file-entry"], [data-testid="lesson-entry"]') && performance.now(),
  null, { polling: 'raf' })).jsonValue();
  bench('cold_load_ms', loadMs);

  await writeNotebook(nb('big'), bigNotebook());
  await writeNotebook(nb('small'), [code('1')]);
  await api('POST', 'sessions', { path: nb('big') }); // its kernel runs, as for a notebook opened before
  const openMs = [];
  for (let r = 0; r < 5; r++) {
    await open(page, nb('small'));
    openMs.push(await page.evaluate((big) => new Promise((resolve) => {
      const t0 = performance.now();
      location.hash = '#' + big;
      const done = () => {
        const cs = document.querySelectorAll('[data-testid="notebook"] [data-testid="cell"]');
        const title = document.querySelector('[data-testid="notebook-title"]')?.textContent;
        if (title === big && cs.length === 100) requestAnimationFrame(() => resolve(performance.now() - t0));
        else requestAnimationFrame(done);
      };
      done();
    }), nb('big')));
  }
  bench('open_100_cells_ms', median(openMs));

  await writeNotebook(nb('rt'), Array.from({ length: 31 }, () => code('1+1')));
  await open(page, nb('rt'));
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
  bench('round_trip_p50_ms', quantile(rts, 0.5));
  bench('round_trip_p90_ms', quantile(rts, 0.9));

  await writeNotebook(nb('flood'), [code('for i := range 100000 {\n\tfmt.Println(i)\n}')]);
  await open(page, nb('flood'));
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
  });
  const t0 = Date.now();
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => /^\[\d+\]$/.test(document.querySelector('[data-testid="cell-prompt"]')?.textContent ?? '') &&
    document.querySelector('.output-truncated'), null, { timeout: 120_000 });
  bench('flood_100k_lines_ms', Date.now() - t0);
  bench('flood_longest_task_ms', await page.evaluate(() => Math.max(0, ...window.__long)));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
