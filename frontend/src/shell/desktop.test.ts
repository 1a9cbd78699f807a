import { describe, expect, it } from 'vitest';
import { DesktopApi, hashPath, runCommand, wailsRuntime } from './desktop';

describe('desktop glue', () => {
  it('sends the websockets to the loopback listener with the token', () => {
    const api = new DesktopApi({ base: 'wails://wails/' }, { websocket: 'ws://127.0.0.1:4321/', token: 't k' });
    expect(api.wsURL('abc/1', 7)).toBe('ws://127.0.0.1:4321/api/sessions/abc%2F1/ws?since=7&token=t+k');
    // Reads and downloads stay on the page's origin (the AssetServer).
    expect(api.url('files')).toBe('wails://wails/api/files');
  });

  it('sends reads through the AssetServer and calls with a body to the loopback listener, with the token', async () => {
    const seen: [string, string, string][] = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      seen.push([String(init.method), url, String((init.headers as Record<string, string>)['Authorization'])]);
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    const api = new DesktopApi({ base: 'wails://wails/', fetch: fetchFn }, { websocket: 'ws://127.0.0.1:4321/', token: 'tk' });
    await api.listFiles('');
    await api.saveNotebook('a b.ipynb', {}, 'e1');
    await api.fileOp('create', 'n.ipynb');
    expect(seen).toEqual([
      ['GET', 'wails://wails/api/files?path=', 'token tk'],
      ['PUT', 'http://127.0.0.1:4321/api/files/content?path=a+b.ipynb', 'token tk'],
      ['POST', 'http://127.0.0.1:4321/api/files', 'token tk'],
    ]);
  });

  it('lists kernels through the AssetServer and switches one through the loopback listener', async () => {
    const seen: [string, string, string][] = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      seen.push([String(init.method), url, String(init.body ?? '')]);
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    const api = new DesktopApi({ base: 'wails://wails/', fetch: fetchFn }, { websocket: 'ws://127.0.0.1:4321/', token: 'tk' });
    await api.listKernels();
    await api.switchKernel('s/1', 'local-tcp');
    expect(seen).toEqual([
      ['GET', 'wails://wails/api/kernels', ''],
      ['POST', 'http://127.0.0.1:4321/api/sessions/s%2F1/kernel', '{"name":"local-tcp"}'],
    ]);
  });

  it.each([
    ['#lessons/01-getting-started.ipynb', 'lessons/01-getting-started.ipynb'],
    ['#my%20notes/a.ipynb', 'my notes/a.ipynb'],
    ['', ''],
  ])('reads the notebook path from %j', (hash, want) => {
    expect(hashPath(hash)).toBe(want);
  });

  it('finds Wails runtime only when it has events', () => {
    expect(wailsRuntime({})).toBeNull();
    expect(wailsRuntime({ runtime: { EventsOn: 1 } })).toBeNull();
    const rt = { EventsOn: () => () => {}, EventsEmit: () => {} };
    expect(wailsRuntime({ runtime: rt })).toBe(rt);
  });

  it.each([
    [{ id: 1, cmd: 'open', path: 'a b.ipynb' }, { id: 1, path: 'a b.ipynb', error: '' }, '#a%20b.ipynb'],
    [{ id: 2, cmd: 'current' }, { id: 2, path: 'x.ipynb', error: '' }, '#x.ipynb'],
    [{ id: 3, cmd: 'save' }, { id: 3, path: 'x.ipynb', error: '' }, '#x.ipynb'],
    [{ id: 4, cmd: 'fly' }, { id: 4, path: 'x.ipynb', error: 'unknown command fly' }, '#x.ipynb'],
  ])('carries out %j', async (cmd, want, hashAfter) => {
    const loc = { hash: '#x.ipynb' } as Location;
    expect(await runCommand(cmd, document, loc)).toEqual(want);
    expect(loc.hash).toBe(hashAfter);
  });
});
