// REST client for the Firn server: authentication by cookie (or a token
// taken from the page URL), the CSRF double-submit header, and errors that
// carry the server's message.

import type { GraphAnswer } from '../notebook/reactive';
import type {
  DirListing, FileEntry, FileOp, KernelList, Lesson, NotebookFile, SaveResult, Session,
} from './types';

/** ApiError is a failed request: the HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** readCookie returns the value of cookie name in a document.cookie string. */
export function readCookie(cookies: string, name: string): string {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
}

export interface ApiOptions {
  /** Base URL of the app, ending in "/"; the API lives at base + "api/". */
  base: string;
  fetch?: typeof fetch;
  /** Returns document.cookie (injectable for tests). */
  cookies?: () => string;
  /** A token to send as "Authorization: token T" (when no cookie is set). */
  token?: string;
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class Api {
  readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly cookies: () => string;
  private readonly token: string;

  constructor(opts: ApiOptions) {
    this.base = opts.base.endsWith('/') ? opts.base : opts.base + '/';
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.cookies = opts.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
    this.token = opts.token ?? '';
  }

  url(path: string, query: Record<string, string> = {}): string {
    const u = new URL('api/' + path, this.base);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  }

  /** requestURL is where request() sends a call (the desktop app sends some elsewhere). */
  protected requestURL(_method: string, path: string, query: Record<string, string> = {}): string {
    return this.url(path, query);
  }

  /** wsURL is the websocket address of a session, replaying frames after since. */
  wsURL(sessionId: string, since: number): string {
    const u = new URL(this.url(`sessions/${encodeURIComponent(sessionId)}/ws`, { since: String(since) }));
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.toString();
  }

  headers(method: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.token) h['Authorization'] = 'token ' + this.token;
    if (unsafe.has(method)) h['X-Firn-CSRF'] = readCookie(this.cookies(), 'firn_csrf');
    return h;
  }

  async request(method: string, path: string, opts: {
    query?: Record<string, string>; json?: unknown; body?: BodyInit; headers?: Record<string, string>;
  } = {}): Promise<Response> {
    const extra: Record<string, string> = { ...opts.headers };
    let body = opts.body;
    if (opts.json !== undefined) {
      extra['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const init: RequestInit = {
      method,
      headers: this.headers(method, extra),
      credentials: 'same-origin',
    };
    if (body !== undefined) init.body = body;
    const res = await this.fetchFn(this.requestURL(method, path, opts.query), init);
    if (!res.ok) {
      let data: Record<string, unknown> = {};
      let message = `${method} ${path}: HTTP ${res.status}`;
      try {
        data = (await res.json()) as Record<string, unknown>;
        if (typeof data['error'] === 'string') message = data['error'];
      } catch {
        /* not JSON: keep the generic message */
      }
      throw new ApiError(res.status, message, data);
    }
    return res;
  }

  private async json<T>(method: string, path: string, opts: Parameters<Api['request']>[2] = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    return (await res.json()) as T;
  }

  // Files

  listFiles(dir: string): Promise<DirListing> {
    return this.json('GET', 'files', { query: { path: dir } });
  }

  readNotebook(path: string): Promise<NotebookFile> {
    return this.json('GET', 'files/content', { query: { path } });
  }

  /** readNotebookIfChanged reads the notebook unless the file on disk is still version etag. */
  async readNotebookIfChanged(path: string, etag: string): Promise<NotebookFile | 'unchanged'> {
    try {
      return await this.json<NotebookFile>('GET', 'files/content', { query: { path }, headers: { 'If-None-Match': `"${etag}"` } });
    } catch (e) {
      if (e instanceof ApiError && e.status === 304) return 'unchanged';
      throw e;
    }
  }

  /**
   * saveNotebook writes nb; a 409 ApiError carries the current etag in body.etag (and, when the
   * file on disk is damaged, what is damaged in body.damage: such a file is not replaced).
   */
  saveNotebook(path: string, notebook: unknown, etag: string): Promise<SaveResult> {
    return this.json('PUT', 'files/content', { query: { path }, json: { notebook, etag } });
  }

  fileOp(op: FileOp, path: string, to = ''): Promise<FileEntry & { trash_id?: string }> {
    return this.json('POST', 'files', { json: { op, path, to } });
  }

  async upload(dir: string, files: Iterable<File>): Promise<FileEntry[]> {
    const form = new FormData();
    for (const f of files) form.append('file', f, f.name);
    return this.json('POST', 'files/upload', { query: { path: dir }, body: form });
  }

  downloadURL(path: string): string {
    return this.url('files/download', { path });
  }

  lessons(): Promise<Lesson[]> {
    return this.json('GET', 'lessons');
  }

  openLesson(file: string): Promise<FileEntry> {
    return this.json('POST', 'lessons/open', { json: { file } });
  }

  /** resetLesson puts the bundled lesson back; the student's copy goes to the trash (trash_id). */
  resetLesson(file: string): Promise<FileEntry & { trash_id?: string }> {
    return this.json('POST', 'lessons/reset', { json: { file } });
  }

  // Sessions

  createSession(path: string): Promise<Session> {
    return this.json('POST', 'sessions', { json: { path } });
  }

  getSession(id: string): Promise<Session> {
    return this.json('GET', `sessions/${encodeURIComponent(id)}`);
  }

  listSessions(): Promise<Session[]> {
    return this.json('GET', 'sessions');
  }

  async deleteSession(id: string): Promise<void> {
    await this.request('DELETE', `sessions/${encodeURIComponent(id)}`);
  }

  async interrupt(id: string): Promise<void> {
    await this.request('POST', `sessions/${encodeURIComponent(id)}/interrupt`);
  }

  async restart(id: string): Promise<void> {
    await this.request('POST', `sessions/${encodeURIComponent(id)}/restart`);
  }

  /** listKernels returns the kernels a notebook can run on, and the default. */
  listKernels(): Promise<KernelList> {
    return this.json('GET', 'kernels');
  }

  /**
   * graph returns the def/use graph of a notebook's code cells and what to
   * run after the cells run: them and their dependents, in order (reactive
   * notebooks and widgets).
   */
  graph(cells: { id: string; source: string }[], run: string[]): Promise<GraphAnswer> {
    return this.json('POST', 'graph', { json: { cells, run } });
  }

  /** quota is the workspace's use and quota (0: none). */
  quota(): Promise<{ used_bytes: number; used_files: number; quota_bytes: number; quota_files: number }> {
    return this.json('GET', 'quota');
  }

  /** switchKernel restarts the session's kernel as the kernel name; the notebook's file remembers it. */
  switchKernel(id: string, name: string, options?: Record<string, string>): Promise<Session> {
    return this.json('POST', `sessions/${encodeURIComponent(id)}/kernel`, { json: options ? { name, options } : { name } });
  }
}

/**
 * appBase is the directory of the page (the app may be served under any
 * prefix); a "?token=" in the address is taken out of it and returned.
 */
export function appBase(loc: Location, history?: History): { base: string; token: string } {
  const u = new URL(loc.href);
  const token = u.searchParams.get('token') ?? '';
  if (token && history) {
    u.searchParams.delete('token');
    history.replaceState(history.state, '', u.toString());
  }
  u.search = '';
  u.hash = '';
  u.pathname = u.pathname.replace(/[^/]*$/, '');
  return { base: u.toString(), token };
}
