// A culled kernel's notebook says why (run by the Go test cmd/firn
// TestBrowserHubCulled): node e2e/hubculled.mjs HUB-URL NAME PASSWORD.
// The student runs a cell of idle.ipynb and closes her browser; she
// prints "waiting for the cull" and waits for a line on stdin, which the
// Go test writes once the hub has logged that it stopped the idle
// kernel. She logs in again and opens the notebook: it says why and when
// its kernel stopped, with the cell's output as it was saved; after a
// save the note is gone, so a later visit does not repeat it.
import readline from 'node:readline';
import { launch, open, outputsOf, idleCounted } from './lib.mjs';

const [hubURL, name, password] = process.argv.slice(2);
const origin = new URL(hubURL).origin;
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

async function login(page) {
  await page.goto(origin + '/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(origin + '/user/' + name + '/'), page.click('button[type=submit]')]);
}

try {
  let browser = await launch();
  let page = await browser.newPage();
  await login(page);
  await open(page, 'idle.ipynb');
  await page.keyboard.press('Control+Enter');
  await outputsOf(page, 0).filter({ hasText: 'kept' }).waitFor();
  await idleCounted(page, 0);
  check(browser.errors.length === 0, 'no page errors before the cull' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));
  await browser.close();
  console.log('waiting for the cull');
  await nextLine();

  browser = await launch();
  page = await browser.newPage();
  await login(page);
  await open(page, 'idle.ipynb');
  const notice = page.locator('[data-testid="kernel-stopped"]');
  await notice.waitFor();
  const said = await notice.textContent();
  check(/^This notebook's kernel was stopped after 5s idle \(outputs saved\) on .+\. The outputs below are the ones saved then; its variables are gone: run the cells again to use them\.OK$/.test(said),
    `the notebook says why its kernel stopped: ${JSON.stringify(said)}`);
  check((await outputsOf(page, 0).textContent()).includes('kept') && await page.locator('[data-testid="cell-prompt"]').first().textContent() === '[1]',
    'the output and count saved at the cull are there');
  // The note leaves the file with the next save.
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/files/content') && r.ok()),
    page.keyboard.press('Control+s'),
  ]);
  await page.click('[data-testid="kernel-stopped-ok"]');
  check(await notice.count() === 0, 'OK dismisses the note');
  await page.reload();
  await open(page, 'idle.ipynb');
  check(await page.locator('[data-testid="kernel-stopped"]').count() === 0, 'opened again, the notebook does not repeat it');
  check(browser.errors.length === 0, 'no page errors' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));
  await browser.close();
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
}
lines.close();
process.exit(failed ? 1 : 0);
