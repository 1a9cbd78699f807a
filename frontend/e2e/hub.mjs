// firn hub in the browser (run by the Go test cmd/firn TestBrowserHub):
// node e2e/hub.mjs HUB-URL NAME PASSWORD WORKSPACE [INVITEE LINK]. A student logs in on
// the login page, runs a cell of long.ipynb (already in WORKSPACE, her
// folder) that prints "started" and then waits for a file go-on; she logs
// out while it runs; go-on is written only then, so the cell finishes
// while she is logged out; she logs in again, opens the notebook and
// must see "started" once and "finished"; she logs out with the page's
// own link. With INVITEE and LINK, that student follows her invitation.
import fs from 'node:fs';
import path from 'node:path';
import { launch, open, outputsOf, idleCounted } from './lib.mjs';

const [hubURL, name, password, workspace, invitee, invite, teacher, teacherPassword] = process.argv.slice(2);
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
  const quota = page.locator('[data-testid="quota"]');
  await quota.waitFor();
  check(/^Used: [\d.]+ (bytes|KiB|MiB) of 1\.0 GiB, \d+ of 10,000 files$/.test(await quota.textContent()), `the file browser shows her quota (${await quota.textContent()})`);
  await open(page, 'long.ipynb');
  await page.keyboard.press('Control+Enter');
  await outputsOf(page, 0).filter({ hasText: 'started' }).waitFor();
  console.log('the cell runs; logging out');

  const logout = page.locator('[data-testid="logout"]');
  check((await logout.textContent()) === 'Log out' && (await logout.getAttribute('title')).includes('as ' + name), 'the notebook page offers to log out');
  await Promise.all([page.waitForURL(origin + '/logout'), logout.click()]);
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

  // The folder the teacher published to her class is in her workspace:
  // she runs its lesson and hands it in.
  if (teacher) {
    await open(page, 'week1/ela.ipynb');
    await page.keyboard.press('Control+Enter');
    await outputsOf(page, 0).filter({ hasText: 'ELA 3225 m' }).waitFor();
    await idleCounted(page, 0);
    await page.click('[data-testid="btn-hand-in"]');
    await page.locator('.toast', { hasText: 'Handed in week1/ela.ipynb' }).waitFor();
    check(true, 'the published lesson is in her workspace; she runs it and hands it in');
  }

  // A student of a class added with firn hub class add follows her
  // invitation link, chooses a password and lands in her notebooks; the
  // link then no longer works.
  if (invite) {
    // The pages share one cookie jar: alice's page goes first, or its
    // requests would carry ben's login (and be refused).
    check(browser.errors.length === 0, 'no page errors as alice' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));
    await page.close();
    const p2 = await browser.newPage();
    await p2.goto(invite);
    check((await p2.textContent('body')).includes('Welcome, ' + invitee), `the invitation greets ${invitee}`);
    await p2.fill('#password', 'crevasse-field-9');
    await p2.fill('#again', 'crevasse-field-9');
    await Promise.all([p2.waitForURL(origin + '/user/' + invitee + '/'), p2.click('button[type=submit]')]);
    await p2.waitForSelector('[data-testid="logout"]');
    check(p2.url() === origin + '/user/' + invitee + '/', `after choosing a password ${invitee} is in her notebooks`);
    const again = await browser.newPage();
    const resp = await again.goto(invite);
    check(resp.status() === 404 && (await again.textContent('body')).includes('unknown, used or expired'), 'the link works once');
    // That 404 is expected.
    for (let i = browser.errors.length - 1; i >= 0; i--) if (/status of 404/.test(browser.errors[i])) browser.errors.splice(i, 1);
  }
  check(browser.errors.length === 0, 'no page errors' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));

  // The teacher, in a browser of her own, sees who handed in what and
  // reads alice's notebook, with its output, read-only.
  if (teacher) {
    const tb = await launch();
    try {
      const tp = await tb.newPage();
      await tp.goto(origin + '/login');
      await tp.fill('#name', teacher);
      await tp.fill('#password', teacherPassword);
      await Promise.all([tp.waitForURL(origin + '/user/' + teacher + '/'), tp.click('button[type=submit]')]);
      const link = tp.locator('[data-testid="handins"]');
      await link.waitFor();
      check(await tp.locator('[data-testid="btn-hand-in"]').count() === 0, 'a teacher gets the hand-ins link, not a hand-in button');
      await tp.goto(origin + '/hub/handins');
      const row = tp.locator('tr[data-student="' + name + '"]');
      check((await row.textContent()).includes('week1/ela.ipynb'), 'the hand-ins page lists alice\'s notebook');
      await Promise.all([tp.waitForLoadState(), row.locator('a').click()]);
      const view = await tp.textContent('body');
      check(view.includes('ELA 3225 m') && await tp.locator('textarea, [contenteditable="true"], .cm-editor').count() === 0,
        'the teacher reads alice\'s notebook with its output, read-only');
      check(tb.errors.length === 0, 'no page errors as the teacher' + (tb.errors.length ? ': ' + tb.errors.join(' | ') : ''));
    } finally {
      await tb.close();
    }
  }
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
