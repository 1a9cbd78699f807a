// A kernel profile with options (run by the Go test cmd/firn
// TestBrowserKernelProfile): node e2e/profiles.mjs URL. firn serve has a
// kernels file with "hpc", a Slurm kernel whose time limit the user
// chooses (10 or 20 minutes). The page switches a notebook to it: the
// switch dialog offers the time, the user picks 20, the kernel starts
// as a Slurm job and runs a cell, which prints the job's id (the Go
// test then asks squeue for that job's time limit). The page's own save
// of that output keeps the profile and the time in the file.
import { launch, open, server, code, outputsOf, idleCounted, until } from './lib.mjs';

const [url] = process.argv.slice(2);
const srv = server(url);
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const browser = await launch();
try {
  await srv.writeNotebook('hpc.ipynb', [code('import "os"\nfmt.Println("JOB", os.Getenv("SLURM_JOB_ID"))')]);
  const page = await browser.newPage();
  await page.goto(url);
  await open(page, 'hpc.ipynb');
  const picker = page.locator('[data-testid="kernel-picker"]');
  await page.waitForSelector('[data-testid="kernel-picker"]:not([disabled])');
  await picker.selectOption('hpc');
  const time = page.locator('[data-testid="switch-kernel-dialog-time"]');
  await time.waitFor();
  const values = await time.locator('option').allTextContents();
  check(JSON.stringify(values) === '["10","20"]' && await time.inputValue() === '10', `the switch dialog offers the profile's times, the first chosen: ${JSON.stringify(values)}`);
  await time.selectOption('20');
  await page.click('[data-testid="switch-kernel-dialog-yes"]');
  await page.waitForSelector('[data-testid="kernel-status"][data-kernel="hpc"][data-state="idle"]', { timeout: 60_000 });
  await page.keyboard.press('Shift+Enter');
  await idleCounted(page, 0);
  // Outputs are drawn up to a frame after they arrive.
  await outputsOf(page, 0).filter({ hasText: 'JOB' }).waitFor().catch(() => {});
  const out = await outputsOf(page, 0).textContent();
  check(/^JOB \d+\s*$/.test(out), `the cell runs in a Slurm job: ${JSON.stringify(out)}`);
  console.log(out.trim());
  // The page saves the output itself, and its save keeps the profile and
  // the time chosen, which the server wrote into the file at the switch
  // (the Go test reads the file again after this script).
  let firn = null;
  await until(async () => {
    const nb = (await srv.api('GET', 'files/content?path=hpc.ipynb')).notebook;
    firn = nb.metadata?.firn ?? null;
    return (nb.cells[0].outputs ?? []).some((o) => /JOB \d+/.test([].concat(o.text ?? []).join('')));
  }, 'the page to save the cell\'s output');
  check(firn?.kernel === 'hpc' && JSON.stringify(firn?.kernel_options) === '{"time":"20"}', `the page's save keeps the kernel and its options: ${JSON.stringify(firn)}`);
  check(browser.errors.length === 0, 'no page errors' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
