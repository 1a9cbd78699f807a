// firn hub in the browser (run by the Go test cmd/firn TestBrowserHub):
// node e2e/hub.mjs HUB-URL NAME PASSWORD WORKSPACE [INVITEE LINK [TEACHER PASSWORD]].
// The teacher, in a browser of her own, publishes her folder week1 to
// the class from her Classes page. A student logs in on the login page,
// runs a cell of long.ipynb (already in WORKSPACE, her folder) that
// prints "started" and then waits for a file go-on; she logs out while
// it runs; go-on is written only then, so the cell finishes while she is
// logged out; she logs in again, opens the notebook and must see
// "started" once and "finished"; she runs the published lesson and
// hands it in. INVITEE follows her invitation link, and then tries every
// URL of the first student's files, kernels and websocket: all refused.
// The teacher reads the hand-in, read-only.
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

// The teacher's browser, and her Classes page: she publishes week1.
const tb = teacher ? await launch() : null;
let tp = null;
try {
  if (tb) {
    tp = await tb.newPage();
    await tp.goto(origin + '/login');
    await tp.fill('#name', teacher);
    await tp.fill('#password', teacherPassword);
    await Promise.all([tp.waitForURL(origin + '/user/' + teacher + '/'), tp.click('button[type=submit]')]);
    const link = tp.locator('[data-testid="handins"]');
    await link.waitFor();
    check(await link.textContent() === 'Classes' && await tp.locator('[data-testid="btn-hand-in"]').count() === 0, 'a teacher gets the Classes link, not a hand-in button');
    await tp.goto(origin + '/hub/handins');
    await tp.selectOption('[data-testid="publish-folder"]', 'week1');
    await tp.selectOption('[data-testid="publish-class"]', 'glac101');
    await Promise.all([tp.waitForURL(/\/hub\/handins\?published=/), tp.click('[data-testid="publish"]')]);
    const said = await tp.textContent('[data-testid="published"]');
    check(said.startsWith('Published week1 to glac101 (version 1)'), `the teacher publishes week1 from her page: ${JSON.stringify(said)}`);
  }

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
  const sessions = await page.evaluate(async (u) => (await fetch(u)).json(), origin + '/user/' + name + '/api/sessions');
  const mine = sessions.find((x) => x.path === 'long.ipynb');
  check(Boolean(mine && mine.id), `her notebook's session is listed (${JSON.stringify(sessions)})`);
  const sessionID = mine ? mine.id : 'none';

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
  // She shares the notebook read-only: a link for anyone logged in.
  let shareLink = '';
  if (invite) {
    await page.click('[data-testid="btn-share"]');
    shareLink = await page.locator('[data-testid="share-link"]').inputValue();
    check(/^http:\/\/127\.0\.0\.1:\d+\/share\/[0-9a-f]{48}$/.test(shareLink), `the Share button gives a read-only link (${shareLink})`);
    await page.keyboard.press('Escape');
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
    await again.close();

    // Logged in as the invitee, every URL of the first student's files,
    // kernels and websocket is refused: under her URL, and her names and
    // ids under the invitee's own.
    const table = await p2.evaluate(async ({ name, invitee, id }) => {
      const csrf = decodeURIComponent((/(?:^|;\s*)firn_csrf=([^;]*)/.exec(document.cookie) ?? [])[1] ?? '');
      const tries = [
        ['GET', `/user/${name}/`], ['GET', `/user/${name}/api/files`], ['GET', `/user/${name}/api/files/content?path=long.ipynb`],
        ['GET', `/user/${name}/api/files/download?path=long.ipynb`], ['GET', `/user/${name}/api/sessions`],
        ['GET', `/user/${name}/api/sessions/${id}`], ['GET', `/user/${name}/api/kernels`],
        ['POST', `/user/${name}/api/sessions/${id}/interrupt`], ['POST', `/user/${name}/api/sessions/${id}/restart`],
        ['DELETE', `/user/${name}/api/sessions/${id}`], ['PUT', `/user/${name}/api/files/content?path=long.ipynb`],
        ['GET', `/user/${invitee}/api/sessions/${id}`], ['POST', `/user/${invitee}/api/sessions/${id}/interrupt`],
        ['GET', `/user/${invitee}/api/files/content?path=../${name}/long.ipynb`],
        ['GET', `/user/${invitee}/api/files/content?path=%2e%2e/${name}/long.ipynb`],
      ];
      const out = [];
      for (const [method, url] of tries) {
        const r = await fetch(url, { method, redirect: 'manual', headers: method === 'GET' ? {} : { 'X-Firn-CSRF': csrf, 'Content-Type': 'application/json' }, body: method === 'PUT' ? '{}' : undefined });
        out.push([method, url, r.status, r.type]);
      }
      const ws = await new Promise((resolve) => {
        const w = new WebSocket(`ws://${location.host}/user/${name}/api/sessions/${id}/ws`);
        w.onopen = () => { w.close(); resolve('opened'); };
        w.onerror = () => resolve('refused');
      });
      out.push(['WS', `/user/${name}/api/sessions/${id}/ws`, ws, '']);
      return out;
    }, { name, invitee, id: sessionID });
    const let_in = table.filter(([, , st]) => !(st === 'refused' || (typeof st === 'number' && st >= 400)));
    console.log(table.map((r) => r.join(' ')).join('\n'));
    check(let_in.length === 0 && table.length === 16, `${invitee} reaches none of ${name}'s ${table.length} URLs (let in: ${JSON.stringify(let_in)})`);
    // alice's share link, though, shows him her notebook, read-only.
    await p2.goto(shareLink);
    const shared = await p2.textContent('body');
    const editors = await p2.locator('textarea, [contenteditable="true"], .cm-editor, button').count();
    check(shared.includes('ELA 3225 m') && (await p2.title()).includes(name + ': week1/ela.ipynb (read-only)') && editors === 0,
      `${invitee} reads the notebook ${name} shared, with its output, read-only (${editors} controls)`);
    // Those refusals are logged by Chromium as failed resources.
    for (let i = browser.errors.length - 1; i >= 0; i--) if (/status of 40[34]|WebSocket connection to .* failed/.test(browser.errors[i])) browser.errors.splice(i, 1);
    // That 404 is expected.
    for (let i = browser.errors.length - 1; i >= 0; i--) if (/status of 404/.test(browser.errors[i])) browser.errors.splice(i, 1);
  }
  check(browser.errors.length === 0, 'no page errors' + (browser.errors.length ? ': ' + browser.errors.join(' | ') : ''));

  // The teacher sees who handed in what and reads alice's notebook,
  // with its output, read-only.
  if (tp) {
    await tp.goto(origin + '/hub/handins');
    const row = tp.locator('tr[data-student="' + name + '"]');
    check((await row.textContent()).includes('week1/ela.ipynb'), 'the hand-ins list alice\'s notebook');
    // The hand-in's own page, not the list still shown while it loads.
    await Promise.all([tp.waitForURL(/\/hub\/handins\/[^/?#]+$/), row.locator('a').click()]);
    const view = await tp.textContent('body');
    check(view.includes('ELA 3225 m') && await tp.locator('textarea, [contenteditable="true"], .cm-editor').count() === 0,
      'the teacher reads alice\'s notebook with its output, read-only');
    check(tb.errors.length === 0, 'no page errors as the teacher' + (tb.errors.length ? ': ' + tb.errors.join(' | ') : ''));
  }
} catch (e) {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  failed = true;
} finally {
  await browser.close();
  if (tb) await tb.close();
}
process.exit(failed ? 1 : 0);
