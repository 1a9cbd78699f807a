import { describe, expect, it } from 'vitest';
import { Api, ApiError, readCookie } from '../api/client';
import { Saver, type SaveState } from './saver';
import { Notebook } from './model';
import { MockServer } from '../../tests/mockServer';

function setup(resolve: 'reload' | 'overwrite' | 'cancel') {
  const server = new MockServer();
  server.files.set('a.ipynb', { notebook: Notebook.newEmpty().toJSON(), etag: 1 });
  const api = new Api({ base: 'http://h/firn/', fetch: server.fetch, cookies: () => 'x=1; firn_csrf=csrf-1' });
  const nb = Notebook.newEmpty();
  const states: SaveState[] = [];
  const timers: (() => void)[] = [];
  let reloaded = 0;
  const saver = new Saver('e1', {
    write: async (etag) => (await api.saveNotebook('a.ipynb', nb.toJSON(), etag)).etag,
    resolveConflict: async () => resolve,
    reload: () => { reloaded++; },
    onState: (s) => states.push(s),
    setTimer: (fn) => { timers.push(fn); return timers.length; },
    clearTimer: () => {},
  });
  return { server, api, nb, states, timers, saver, reloaded: () => reloaded };
}

describe('Api', () => {
  it('reads cookies', () => {
    expect(readCookie('a=1; firn_csrf=abc%3D; b=2', 'firn_csrf')).toBe('abc=');
    expect(readCookie('', 'firn_csrf')).toBe('');
  });

  it('sends the CSRF header on writes, under the app base path', async () => {
    const { server, api } = setup('cancel');
    await api.saveNotebook('a.ipynb', {}, 'e1');
    const r = server.requests[0]!;
    expect(r.url).toBe('http://h/firn/api/files/content?path=a.ipynb');
    expect(r.headers['X-Firn-CSRF']).toBe('csrf-1');
    expect(api.wsURL('s 1', 5)).toBe('ws://h/firn/api/sessions/s%201/ws?since=5');
  });

  it('turns error bodies into ApiError', async () => {
    const { api } = setup('cancel');
    await expect(api.readNotebook('missing.ipynb')).rejects.toThrow('missing.ipynb: no such file');
    const bad = new Api({ base: 'http://h/', fetch: new MockServer().fetch, cookies: () => '' });
    const err = await bad.fileOp('create', 'x.ipynb').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
  });
});

describe('Saver', () => {
  it('saves once, two seconds after the first change', async () => {
    const { saver, timers, server, states } = setup('cancel');
    saver.changed();
    saver.changed();
    expect(timers.length).toBe(1);
    timers[0]!();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(server.requests.filter((r) => r.method === 'PUT').length).toBe(1);
    expect(saver.etag).toBe('e2');
    expect(states.at(-1)).toBe('saved');
  });

  it('a change on disk is a conflict; overwrite writes with the new etag', async () => {
    const { saver, server, states, nb } = setup('overwrite');
    server.files.get('a.ipynb')!.etag = 5; // someone else saved
    nb.cells[0]!.source = 'mine';
    saver.changed();
    await saver.save();
    expect(states).toContain('conflict');
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(states.at(-1)).toBe('saved');
    expect(JSON.stringify(server.files.get('a.ipynb')!.notebook)).toContain('mine');
  });

  it('reload leaves the disk alone', async () => {
    const t = setup('reload');
    t.server.files.get('a.ipynb')!.etag = 5;
    t.saver.changed();
    await t.saver.save();
    expect(t.reloaded()).toBe(1);
    expect(t.server.files.get('a.ipynb')!.etag).toBe(5);
  });
});
