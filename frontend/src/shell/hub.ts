// Under firn hub, each person's notebooks are served at /user/NAME/: the
// page then offers to log out (the hub's /logout page, which asks once
// more and says that the kernels keep running). Elsewhere (firn serve,
// the desktop app) there is nothing to log out of.

const hubPath = /^\/user\/([a-z][a-z0-9_-]{0,31})\//;

/** hubUser is the hub user whose notebooks pathname is, or null outside a hub. */
export function hubUser(pathname: string): string | null {
  const m = hubPath.exec(pathname);
  return m ? m[1]! : null;
}

/** logoutLink is the top bar's "Log out" link for the hub user name. */
export function logoutLink(name: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.className = 'btn btn-ghost logout';
  a.href = '/logout';
  a.textContent = 'Log out';
  a.title = `Logged in to the hub as ${name}; your kernels keep running after you log out`;
  a.dataset['testid'] = 'logout';
  return a;
}

/** HubMe is who is logged in to the hub (GET /hub/me). */
export interface HubMe {
  name: string;
  role: 'admin' | 'teacher' | 'student';
}

function csrf(): string {
  const m = /(?:^|;\s*)firn_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : '';
}

/** hubMe asks the hub who is logged in (null if it cannot say). */
export async function hubMe(): Promise<HubMe | null> {
  try {
    const r = await fetch('/hub/me', { credentials: 'same-origin' });
    return r.ok ? ((await r.json()) as HubMe) : null;
  } catch {
    return null;
  }
}

/**
 * handInButton hands in the open notebook (POST /hub/handin): a copy goes
 * to the teacher, replacing an earlier hand-in of the same file. say
 * shows the hub's answer.
 */
export function handInButton(path: () => string, save: () => Promise<void>, say: (msg: string, error: boolean) => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'btn btn-ghost';
  b.textContent = 'Hand in';
  b.title = 'Hand in this notebook to your teacher (a copy; you can hand in again)';
  b.dataset['testid'] = 'btn-hand-in';
  b.addEventListener('click', async () => {
    const p = path();
    if (!p) {
      say('Open the notebook to hand in first.', true);
      return;
    }
    await save();
    const r = await fetch('/hub/handin', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Firn-CSRF': csrf() },
      body: JSON.stringify({ path: p }),
    });
    const body = (await r.json().catch(() => ({}))) as { error?: string; handed_in?: string };
    if (r.ok) say(`Handed in ${p} to your teacher.`, false);
    else say(body.error ?? `Hand-in failed (${r.status}).`, true);
  });
  return b;
}

/** handinsLink is a teacher's link to the hand-ins page. */
export function handinsLink(): HTMLAnchorElement {
  const a = document.createElement('a');
  a.className = 'btn btn-ghost';
  a.href = '/hub/handins';
  a.target = '_blank';
  a.textContent = 'Classes';
  a.title = 'Publish a folder to a class, and see what was handed in';
  a.dataset['testid'] = 'handins';
  return a;
}

/** adminLink is an admin's link to the hub's admin page. */
export function adminLink(): HTMLAnchorElement {
  const a = handinsLink();
  a.href = '/hub/admin';
  a.textContent = 'Admin';
  a.dataset['testid'] = 'admin';
  return a;
}

/**
 * shareButton makes a read-only link to the open notebook (POST
 * /hub/share): anyone logged in to the hub who opens it sees the notebook
 * as it is on disk then, outputs included. show presents the link
 * (absolute) and a way to stop sharing (DELETE /hub/share).
 */
export function shareButton(path: () => string, save: () => Promise<void>, show: (url: string, stop: () => Promise<string | null>) => void,
  say: (msg: string, error: boolean) => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'btn btn-ghost';
  b.textContent = 'Share';
  b.title = 'A read-only link to this notebook, for anyone who can log in to this hub';
  b.dataset['testid'] = 'btn-share';
  b.addEventListener('click', async () => {
    const p = path();
    if (!p) {
      say('Open the notebook to share first.', true);
      return;
    }
    await save();
    const r = await fetch('/hub/share', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Firn-CSRF': csrf() },
      body: JSON.stringify({ path: p }),
    });
    const body = (await r.json().catch(() => ({}))) as { error?: string; url?: string };
    if (!r.ok || !body.url) {
      say(body.error ?? `Share failed (${r.status}).`, true);
      return;
    }
    show(location.origin + body.url, async () => {
      const d = await fetch('/hub/share?path=' + encodeURIComponent(p), {
        method: 'DELETE', credentials: 'same-origin', headers: { 'X-Firn-CSRF': csrf() },
      });
      if (d.ok) return null;
      const e = (await d.json().catch(() => ({}))) as { error?: string };
      return e.error ?? `Stop sharing failed (${d.status}).`;
    });
  });
  return b;
}
