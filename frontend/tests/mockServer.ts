// A tiny in-memory stand-in for the Go server, for unit tests only: the
// REST endpoints the UI uses (as fetch) and session websockets (as
// FakeSocket) with seq numbers, replay after ?since= and drops.

import type { SocketLike } from '../src/kernel/connection';

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  sent: unknown[] = [];
  constructor(readonly url: string, private readonly server: MockServer) {}
  send(data: string): void { this.sent.push(JSON.parse(data)); this.server.clientFrame(this, JSON.parse(data)); }
  close(): void { this.drop(); }
  open(): void { this.readyState = 1; this.onopen?.(new Event('open')); }
  deliver(frame: unknown): void { this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) })); }
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.(new Event('close') as CloseEvent);
  }
}

interface Stored { notebook: unknown; etag: number; damage?: string[] }

export class MockServer {
  files = new Map<string, Stored>();
  frames: Record<string, unknown>[] = [];
  sockets: FakeSocket[] = [];
  requests: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  received: unknown[] = [];
  private seq = 0;

  /** publish sends a frame (with the next seq) to every open socket and keeps it for replay. */
  publish(frame: Record<string, unknown>): Record<string, unknown> {
    const f = { seq: ++this.seq, ...frame };
    this.frames.push(f);
    for (const s of this.sockets) if (s.readyState === 1) s.deliver(f);
    return f;
  }

  newSocket = (url: string): FakeSocket => {
    const s = new FakeSocket(url, this);
    this.sockets.push(s);
    queueMicrotask(() => {
      s.open();
      const since = Number(new URL(url).searchParams.get('since') ?? 0);
      for (const f of this.frames) if ((f['seq'] as number) > since) s.deliver(f);
    });
    return s;
  };

  clientFrame(_s: FakeSocket, f: unknown): void {
    this.received.push(f);
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    this.requests.push({ method, url: url.toString(), headers, body });
    const json = (status: number, v: unknown) => new Response(JSON.stringify(v), { status, headers: { 'Content-Type': 'application/json' } });
    if (method !== 'GET' && headers['X-Firn-CSRF'] !== 'csrf-1') return json(403, { error: 'CSRF token missing or wrong' });
    const path = url.searchParams.get('path') ?? '';
    const route = url.pathname.replace(/^.*\/api\//, '');
    if (route === 'files/content' && method === 'GET') {
      const f = this.files.get(path);
      if (!f) return json(404, { error: `${path}: no such file` });
      if (headers['If-None-Match'] === `"e${f.etag}"`) return new Response(null, { status: 304 });
      return json(200, { path, modified: '2025-01-01T00:00:00Z', etag: 'e' + f.etag, notebook: f.notebook, ...(f.damage ? { damage: f.damage } : {}) });
    }
    if (route === 'files/content' && method === 'PUT') {
      const b = body as { notebook: unknown; etag: string };
      const f = this.files.get(path);
      if (f && b.etag !== 'e' + f.etag) return json(409, { error: `${path} changed on disk`, etag: 'e' + f.etag });
      if (f?.damage) return json(409, { error: `${path} is damaged`, etag: 'e' + f.etag, damage: f.damage });
      const n = { notebook: b.notebook, etag: (f?.etag ?? 0) + 1 };
      this.files.set(path, n);
      return json(200, { path, modified: '2025-01-01T00:00:01Z', etag: 'e' + n.etag });
    }
    if (route === 'sessions' && method === 'POST') {
      return json(200, { id: 's1', path: (body as { path: string }).path, kernel: { state: 'idle', execution_count: 0 } });
    }
    return json(404, { error: `no route ${method} ${route}` });
  };
}
