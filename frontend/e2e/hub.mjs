// firn hub in the browser (run by the Go test cmd/firn TestBrowserHub):
// node e2e/hub.mjs HUB-URL NAME PASSWORD WORKSPACE. A student logs in on
// the login page, runs a cell of long.ipynb (already in WORKSPACE, her
// folder) that prints "started" and then waits for a file go-on; she logs
// out while it runs; go-on is written only then, so the cell finishes
// while she is logged out; she logs in again, opens the notebook and
// must see "started" once and "finished".
import fs from 'node:fs';
import path from 'node:path';
import { launch, open, outputsOf, idleCounted } from './lib.mjs';

const [hubURL, name, password, workspace] = process.argv.slice(2);
const origin = new URL(hubURL).origin;
const browser = await launch();
let failed = false;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed = true; };

async function login(page) {
  await page.goto(origin + '/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(origin + '/user/' + name + '/'), page.click('button[type=submit]')]);
}

try {
  const page = await browser.newPage();
  await page.goto(origin + '/user/' + name + '/');
  check(page.url() === origin + '/login', `before login the notebooks redirect to the login page (${page.url()})`);
  await page.fill('#name', name);
  await page.fill('#password', 'not-her-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  check((await page.textContent('.error')).includes('Wrong name or password'), 'a wrong password is refused on the page');
  // The refused login's page comes with status 401, which Chromium logs
  // as a failed resource: that one is expected.
  check(browser.errors.length === 1 && /status of 401/.test(browser.errors[0]), `the refused login is the only error so far (${browser.errors.join(' | ')})`);
  browser.errors.length = 0;

  await login(page);
  check(page.url() === origin + '/user/' + name + '/', 'logged in, her notebooks at /user/NAME/');
  await open(page, 'long.ipynb');
  await page.keyboard.press('Control+Enter');
  await outputsOf(page, 0).filter({ hasText: 'started' }).waitFor();
  console.log('the cell runs; logging out');

  await page.goto(origin + '/logout');
  await Promise.all([page.waitForURL(origin + '/login'), page.click('button[type=submit]')]);
  await page.goto(origin + '/user/' + name + '/');
  check(page.url() === origin + '/login', 'after logout the notebooks redirect to the login page');
  fs.writeFileSync(path.join(workspace, 'go-on'), '');

  await login(page);
  await open(page, 'long.ipynb');
  await outputsOf(page, 0).filter({ hasText: 'finished' }).waitFor();
  await idleCounted(page, 0);
  const text = await outputsOf(page, 0).textContent();
  check((text.match(/started/g) ?? []).length === 1 && text.includes('finished'), `logged in again, the cell's outputs are there once: ${JSON.stringify(text)}`);
  check(browser.errors.length === 0, 'no page errors' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
