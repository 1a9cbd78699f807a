// Remote compute from the browser notebook, in headless Chromium against
// a real `firn serve` (its broker given to the kernel) with real workers:
// a notebook attaches two workers (local `firn worker` processes, or a
// Slurm job array on the test's Slurm), maps 1,000 experiments of an ELA
// grid with a progress bar that moves while they run (done counts rising
// to 1000 of 1000; for Slurm, the job id and the pending worker with
// Slurm's reason), plots the ensemble as its 5th, 50th and 95th
// percentiles, and detaches. Run by the Go test cmd/firn
// TestBrowserCompute: node e2e/compute.mjs URL ARTIFACT_DIR local|slurm.
// Prints "ok"/"FAIL" lines and exits 1 on a failure. It never sleeps: it
// waits for what the page shows.
import path from 'node:path';
import fs from 'node:fs';
import { launch, server, code, open, cells, outputsOf, idleCounted, allDrawn } from './lib.mjs';

const [url, artifacts, mode] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const { api, writeNotebook } = server(url);
const browser = await launch();
const { ctx, errors } = browser;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });

const launcher = mode === 'slurm'
  ? 'compute.Slurm{Workers: 3, Partition: "debug", Time: "10", Mem: "300M"}'
  : 'compute.Local{Workers: 2}';
const base = `{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 60}, "width_m": 300}],
 "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3}, "years": {"end": 300, "every": 5}}`;

try {
  await writeNotebook('ensemble.ipynb', [
    code(`import "firn/compute"\n\npool, err := compute.Attach(ctx, ${launcher})\nif err != nil {\n\tpanic(err)\n}\nfmt.Println("the server's broker:", strings.HasPrefix(os.Getenv("FIRN_COMPUTE_URL"), "nats://127.0.0.1:"))`),
    code(`base := compute.Task{Name: "base.json", Data: []byte(\`${base}\`)}\ntasks, err := compute.Vary(base, "mass_balance.ela_m", compute.Steps(2000, 2999, 1)...)\nif err != nil {\n\tpanic(err)\n}\nlen(tasks)`),
    code(`runs, err := pool.Map(ctx, tasks)\nif err != nil {\n\tpanic(err)\n}\nfmt.Println(runs)`),
    code(`hs, labels, err := runs.Percentiles(5, 50, 95)\nif err != nil {\n\tpanic(err)\n}\nfig, err := plots.TimeSeries(hs, labels, plots.TimeSeriesOptions{Quantity: plots.Length, Title: "1,000 glaciers, ELA 2000 to 2999 m"})\nif err != nil {\n\tpanic(err)\n}\nfig`),
    code(`pool.Close()`),
  ]);
  const page = await browser.newPage();
  await page.goto(url);
  await open(page, 'ensemble.ipynb');

  // Attach, then the grid.
  for (const i of [0, 1]) {
    await cells(page).nth(i).click();
    await page.keyboard.press('Control+Enter');
    await idleCounted(page, i, { timeout: 60_000 });
  }
  // Outputs are drawn up to a frame after they arrive.
  await outputsOf(page, 0).filter({ hasText: "the server's broker:" }).waitFor().catch(() => {});
  await outputsOf(page, 1).locator('[data-testid="output"]').first().waitFor().catch(() => {});
  check((await outputsOf(page, 0).textContent()).trim() === "the server's broker: true", 'attached, to the broker firn serve gave the kernel');
  check((await outputsOf(page, 1).textContent()).includes('1000'), '1,000 experiments');

  // Every state the progress bar shows while the map runs.
  await page.evaluate(() => {
    window.__bar = [];
    const seen = () => {
      const el = document.querySelectorAll('[data-testid="cell"]')[2]?.querySelector('.output-progress');
      if (!el) return;
      const s = `${el.querySelector('.progress-title')?.textContent} | ${el.querySelector('.progress-pct')?.textContent} | ${el.querySelector('progress')?.value}`;
      if (window.__bar[window.__bar.length - 1] !== s) window.__bar.push(s);
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await cells(page).nth(2).click();
  await page.keyboard.press('Control+Enter');
  await idleCounted(page, 2, { timeout: 180_000 });
  // The ensemble, printed after the bar's last update, is drawn up to a
  // frame after it arrives, and with it the bar's last state.
  await outputsOf(page, 2).filter({ hasText: '1000 runs, ' }).waitFor().catch(() => {});
  const states = await page.evaluate(() => window.__bar);
  console.log(`the progress bar showed ${states.length} states; first ${JSON.stringify(states[0])}, last ${JSON.stringify(states[states.length - 1])}`);
  const done = states.map((s) => Number(/\((\d+)\/1000\)/.exec(s)?.[1] ?? -1));
  const rising = done.filter((d, i) => i > 0 && d > done[i - 1]).length;
  check(done.every((d, i) => d >= 0 && (i === 0 || d >= done[i - 1])), 'the bar counts runs done, never going back');
  check(rising >= 3, `the bar moved while the runs ran (${rising} rises)`);
  const last = states[states.length - 1] ?? '';
  check(last.includes('done, 1000 of 1000, 0 failed') && last.includes('100 % (1000/1000)'), `the bar ends with all 1,000 done: ${last}`);
  const bars = await outputsOf(page, 2).locator('.output-progress').count();
  check(bars === 1, `one progress bar, updated in place (${bars})`);
  check((await outputsOf(page, 2).textContent()).includes('1000 runs, 1000 done, 0 failed'), 'the ensemble is printed');
  if (mode === 'slurm') {
    check(states.every((s) => /^Slurm job \d+/.test(s)), 'the bar names the Slurm job');
    // Three workers on the node's two CPUs: at every look of squeue at
    // least one waits (one, once two run).
    check(states.some((s) => /\d workers? running, [123] pending \([A-Za-z]+, start [^)]+\)/.test(s)), 'the bar showed the pending worker with Slurm\'s reason and start estimate');
  } else {
    check(states.every((s) => s.startsWith('2 local workers')), 'the bar names the workers');
  }
  await shot(page, `compute-${mode}-map`);

  // The ensemble as three lines: 5th, 50th and 95th percentiles.
  await cells(page).nth(3).click();
  await page.keyboard.press('Control+Enter');
  await idleCounted(page, 3, { timeout: 60_000 });
  const svg = outputsOf(page, 3).locator('.output-svg svg');
  await svg.waitFor();
  const drawn = await svg.evaluate((s) => ({
    lines: [...s.querySelectorAll('path')].map((p) => (p.getAttribute('d') ?? '').split('L').length).filter((n) => n >= 50).length,
    text: s.textContent,
  }));
  check(drawn.lines >= 3, `the plot draws the percentile lines of 61 records (${drawn.lines} long paths)`);
  check(['5th percentile', 'median', '95th percentile', '1,000 glaciers'].every((t) => drawn.text.includes(t)), 'with their legend and title');
  await outputsOf(page, 3).screenshot({ path: path.join(artifacts, `compute-${mode}-plot.png`) });

  await cells(page).nth(4).click();
  await page.keyboard.press('Control+Enter');
  await idleCounted(page, 4, { timeout: 60_000 });
  await allDrawn(page, api, 'ensemble.ipynb');
  const errorsShown = await page.locator('[data-testid="output"][data-output-type="error"]').count();
  check(errorsShown === 0, `no cell shows an error (${errorsShown})`);
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
  try {
    for (const [i, p] of ctx.pages().entries()) await shot(p, `compute-${mode}-failure-${i}`);
  } catch { /* no page */ }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
