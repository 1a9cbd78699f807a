// Desktop glue: inside Firn's desktop app (Wails, app/desktop) the page
// reads its settings from /firn-desktop.json, opens the session
// websockets on the app's loopback listener, opens the first notebook,
// and carries out the menu's commands, which come as Wails events.
// Outside the app (a browser on `firn serve`) boot only starts the App.

import { Api, type ApiOptions } from '../api/client';
import { toast } from './toast';

/** The part of Wails' window.runtime used here. */
export interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
  EventsEmit(name: string, ...data: unknown[]): void;
}

/** DesktopConfig is /firn-desktop.json (app/desktop.PageConfig). */
export interface DesktopConfig {
  websocket: string;
  token: string;
  open: string;
  notice: string;
}

/** A command of the Go side (app/desktop.Command) and the reply to it. */
export interface DesktopCommand {
  id: number;
  cmd: string;
  path?: string;
  text?: string;
}
export interface DesktopReply {
  id: number;
  path: string;
  error: string;
}

/** Events shared with app/desktop/bridge.go. */
export const events = {
  command: 'firn:command',
  reply: 'firn:reply',
  opened: 'firn:opened',
  ready: 'firn:ready',
  pageError: 'firn:page-error',
} as const;

/** wailsRuntime is Wails' runtime when the page runs in the desktop app. */
export function wailsRuntime(g: unknown = globalThis): WailsRuntime | null {
  const r = (g as { runtime?: Partial<WailsRuntime> }).runtime;
  return r && typeof r.EventsOn === 'function' && typeof r.EventsEmit === 'function' ? (r as WailsRuntime) : null;
}

/**
 * DesktopApi is the Api of the desktop app's page: its websockets, and its
 * calls that carry a body, go to the app's loopback listener (the same
 * handler) with the token. Wails' AssetServer carries no websockets, and
 * on WebKitGTK a custom-scheme request with a body sometimes never gets
 * its response; reads stay on the AssetServer.
 */
export class DesktopApi extends Api {
  constructor(opts: ApiOptions, private readonly ws: { websocket: string; token: string }) {
    super({ ...opts, token: ws.token });
  }

  protected override requestURL(method: string, path: string, query: Record<string, string> = {}): string {
    if (method === 'GET' || method === 'HEAD') return super.requestURL(method, path, query);
    const u = new URL('api/' + path, this.ws.websocket);
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  }

  override wsURL(sessionId: string, since: number): string {
    const u = new URL(`api/sessions/${encodeURIComponent(sessionId)}/ws`, this.ws.websocket);
    u.searchParams.set('since', String(since));
    u.searchParams.set('token', this.ws.token);
    return u.toString();
  }
}

/** hashPath is the notebook path in a location hash ("#lessons/a.ipynb"). */
export function hashPath(hash: string): string {
  return decodeURI(hash.replace(/^#/, ''));
}

/**
 * saved dispatches Ctrl+S (the App saves on it) and resolves when the top
 * bar's save state shows the write done; it rejects on a failed save.
 */
function saveOpen(doc: Document, timeoutMs = 30000): Promise<void> {
  const state = doc.querySelector<HTMLElement>('[data-testid="save-state"]');
  doc.dispatchEvent(new KeyboardEvent('keydown', { key: 's', ctrlKey: true, bubbles: true, cancelable: true }));
  if (!state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const s = state.dataset['state'];
      if (s === 'saving') return false;
      obs.disconnect();
      clearTimeout(timer);
      if (s === 'error' || s === 'conflict') reject(new Error(state.textContent ?? 'the save failed'));
      else resolve();
      return true;
    };
    const obs = new MutationObserver(() => void check());
    const timer = setTimeout(() => { obs.disconnect(); reject(new Error('the save did not finish')); }, timeoutMs);
    obs.observe(state, { attributes: true, attributeFilter: ['data-state'] });
    check();
  });
}

/** run carries out one command of the Go side. */
export async function runCommand(c: DesktopCommand, doc: Document = document, loc: Location = location): Promise<DesktopReply> {
  const reply: DesktopReply = { id: c.id, path: hashPath(loc.hash), error: '' };
  try {
    switch (c.cmd) {
      case 'open':
        loc.hash = '#' + encodeURI(c.path ?? '');
        reply.path = c.path ?? '';
        break;
      case 'save':
        if (reply.path) await saveOpen(doc);
        break;
      case 'current':
        break;
      case 'notify':
        toast(c.text ?? '', { kind: 'info' });
        break;
      default:
        reply.error = `unknown command ${c.cmd}`;
    }
  } catch (e) {
    reply.error = e instanceof Error ? e.message : String(e);
  }
  return reply;
}

/**
 * boot starts the page: in the desktop app with a DesktopApi, the first
 * notebook and the menu's commands; elsewhere just start(new Api(opts)).
 */
export async function boot(opts: ApiOptions, start: (api: Api) => { start(): Promise<void> }): Promise<void> {
  const rt = wailsRuntime();
  if (!rt) {
    await start(new Api(opts)).start();
    return;
  }
  let cfg: DesktopConfig;
  try {
    const res = await fetch(new URL('firn-desktop.json', opts.base), { cache: 'no-store' });
    cfg = (await res.json()) as DesktopConfig;
  } catch (e) {
    await start(new Api(opts)).start();
    toast(`The desktop settings could not be read (${e instanceof Error ? e.message : e}); notebooks cannot run.`, { kind: 'error' });
    return;
  }
  // Errors of the page go to the app's log (a WebView has no console to look at).
  window.addEventListener('error', (e) => rt.EventsEmit(events.pageError, String(e.message)));
  window.addEventListener('unhandledrejection', (e) => rt.EventsEmit(events.pageError, String(e.reason)));
  if (cfg.open && !location.hash) history.replaceState(null, '', '#' + encodeURI(cfg.open));
  rt.EventsOn(events.command, (data) => {
    void runCommand(data as DesktopCommand).then((r) => rt.EventsEmit(events.reply, r));
  });
  window.addEventListener('hashchange', () => rt.EventsEmit(events.opened, hashPath(location.hash)));
  try {
    await start(new DesktopApi(opts, cfg)).start();
  } catch (e) {
    rt.EventsEmit(events.pageError, `start: ${e instanceof Error ? e.message : e}`);
  }
  if (cfg.notice) toast(cfg.notice, { kind: 'info' });
  rt.EventsEmit(events.opened, hashPath(location.hash));
  rt.EventsEmit(events.ready, hashPath(location.hash));
}
