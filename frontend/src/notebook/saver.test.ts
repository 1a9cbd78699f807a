import { describe, expect, it } from 'vitest';
import { Api, ApiError, readCookie } from '../api/client';
import { Saver, type SaveState } from './saver';
import { Notebook } from './model';
import { MockServer } from '../../tests/mockServer';

function setup(resolve: 'reload' | 'overwrite' | 'cancel', sameOnDisk?: (api: Api, nb: Notebook) => Promise<string | null>) {
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
    ...(sameOnDisk ? { sameOnDisk: () => sameOnDisk(api, nb) } : {}),
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

  it('reads a notebook only if it changed since the etag given', async () => {
    const { api, server } = setup('cancel');
    expect(await api.readNotebookIfChanged('a.ipynb', 'e1')).toBe('unchanged');
    server.files.get('a.ipynb')!.etag = 2;
    const f = await api.readNotebookIfChanged('a.ipynb', 'e1');
    expect(f !== 'unchanged' && f.etag).toBe('e2');
    await expect(api.readNotebookIfChanged('gone.ipynb', 'e1')).rejects.toThrow('no such file');
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

  it('another tab saving the same cells is no conflict', async () => {
    const same = async (api: Api, nb: Notebook) => {
      const f = await api.readNotebook('a.ipynb');
      return nb.sameCells(Notebook.fromJSON(f.notebook)) ? f.etag : null;
    };
    const t = setup('cancel', same);
    t.server.files.get('a.ipynb')!.notebook = t.nb.toJSON();
    t.server.files.get('a.ipynb')!.etag = 5; // the other tab saved the same cells
    t.saver.changed(true);
    await t.saver.save();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(t.states).not.toContain('conflict');
    expect(t.states.at(-1)).toBe('saved');
    expect(t.server.files.get('a.ipynb')!.etag).toBe(6);

    // Different cells on disk: the user decides.
    const u = setup('cancel', same);
    u.server.files.get('a.ipynb')!.etag = 5;
    u.nb.cells[0]!.source = 'mine';
    u.saver.changed();
    await u.saver.save();
    expect(u.states).toContain('conflict');
  });

  it('a damaged file on disk is kept: the save fails with the reason, once, and asks nothing', async () => {
    const t = setup('overwrite', async (api, nb) => {
      const f = await api.readNotebook('a.ipynb');
      return nb.sameCells(Notebook.fromJSON(f.notebook)) ? f.etag : null;
    });
    const f = t.server.files.get('a.ipynb')!;
    f.damage = ['a.ipynb: line 9, column 3: cells[1]: cell_type: unknown cell type "widget"'];
    f.notebook = t.nb.toJSON(); // the readable part is what the page shows
    t.saver.changed();
    await t.saver.save();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.states.at(-1)).toBe('error');
    expect(t.states).not.toContain('conflict');
    expect(t.server.requests.filter((r) => r.method === 'PUT').length).toBe(1);
    expect(f.etag).toBe(1);
  });

  it('a change on disk found between saves: keep mine writes over it, reload leaves it', async () => {
    const keep = setup('overwrite');
    keep.server.files.get('a.ipynb')!.etag = 5; // written by another program
    keep.nb.cells[0]!.source = 'mine';
    await keep.saver.diskChanged('e5', 'The file changed on disk.');
    expect(keep.states).toContain('conflict');
    expect(keep.states.at(-1)).toBe('saved');
    expect(JSON.stringify(keep.server.files.get('a.ipynb')!.notebook)).toContain('mine');
    expect(keep.server.files.get('a.ipynb')!.etag).toBe(6);

    const reload = setup('reload');
    reload.server.files.get('a.ipynb')!.etag = 5;
    await reload.saver.diskChanged('e5', 'The file changed on disk.');
    expect(reload.reloaded()).toBe(1);
    expect(reload.server.requests.filter((r) => r.method === 'PUT').length).toBe(0);

    // Gone from disk: keep mine writes it there again (as a new file).
    const gone = setup('overwrite');
    gone.server.files.delete('a.ipynb');
    await gone.saver.diskChanged('', 'The file was deleted or moved on disk.');
    expect(gone.server.files.has('a.ipynb')).toBe(true);
    expect(gone.states.at(-1)).toBe('saved');
  });

  it("adopt takes the etag and drops shared changes, not the user's own", () => {
    const t = setup('cancel');
    t.saver.changed(true);
    t.saver.adopt('e7');
    expect(t.saver.etag).toBe('e7');
    expect(t.saver.dirty).toBe(false);
    expect(t.states.at(-1)).toBe('saved');
    t.saver.changed();
    t.saver.changed(true);
    t.saver.adopt('e8');
    expect(t.saver.etag).toBe('e8');
    expect(t.saver.dirty).toBe(true);
  });
});
