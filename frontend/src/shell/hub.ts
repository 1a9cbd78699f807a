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
