// A long run with the tab closed, as a student leaves a run going and
// comes back: node e2e/longrun.mjs URL SECONDS (run by the Go test cmd/firn
// TestBrowserLongRun, 300 s). A cell prints one line a second; the tab is
// closed after the first line; once the server says the kernel is idle
// again, a new tab opens the notebook and must show every line once, in
// order, and save them to the file (they were only in the server's memory).
import { launch, server, code, open, outputsOf, idleCounted, until } from './lib.mjs';

const [url, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const { origin, api, writeNotebook } = server(url);
const browser = await launch();
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };

try {
  await writeNotebook('long.ipynb', [code(`import "time"\n\nfor i := range ${seconds} {\n\tfmt.Println("second", i)\n\ttime.Sleep(time.Second)\n}\n"done"`)]);
  const first = await browser.newPage();
  await first.goto(url);
  await open(first, 'long.ipynb');
  await first.keyboard.press('Control+Enter');
  await outputsOf(first, 0).filter({ hasText: 'second 0' }).waitFor();
  const started = Date.now();
  await first.close();
  console.log(`tab closed; the cell runs ${seconds} s with no tab open`);

  // Wait for the server to say the run ended (its session's kernel is idle
  // with a count), asked ten times a second, with a deadline.
  const session = (await api('GET', 'sessions')).find((x) => x.path === 'long.ipynb');
  await until(async () => {
    const s = await api('GET', 'sessions/' + session.id);
    return s.kernel.state === 'idle' && s.kernel.execution_count >= 1;
  }, 'the end of the run', (seconds + 120) * 1000);
  console.log(`the run ended ${((Date.now() - started) / 1000).toFixed(0)} s after the tab closed`);

  const again = await browser.newPage();
  await again.goto(origin + '/');
  await open(again, 'long.ipynb');
  await idleCounted(again, 0);
  // The replayed outputs are drawn up to a frame after they arrive; the
  // result comes last, after every line.
  await outputsOf(again, 0).filter({ hasText: '"done"' }).waitFor().catch(() => {});
  const text = await outputsOf(again, 0).textContent();
  const lines = text.match(/second \d+/g) ?? [];
  const want = Array.from({ length: seconds }, (_, i) => `second ${i}`);
  check(JSON.stringify(lines) === JSON.stringify(want), `the reopened tab shows the ${seconds} lines once and in order (${lines.length} lines)`);
  check(text.includes('"done"'), 'and the cell\'s result');
  // The page saves the replayed outputs (autosave): wait for the file to
  // have them, not for the save state, which is "saved" from the load
  // until the replay marks the notebook changed.
  let disk = '';
  await until(async () => {
    disk = JSON.stringify((await api('GET', 'files/content?path=long.ipynb')).notebook.cells[0].outputs);
    return disk.includes(`second ${seconds - 1}`) && disk.includes('done');
  }, 'the replayed outputs in the file', 60_000).catch(() => undefined);
  check(disk.includes(`second ${seconds - 1}`) && disk.includes('done'), 'the reopened tab saved them to the file');
  check(browser.errors.length === 0, 'no page errors' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
