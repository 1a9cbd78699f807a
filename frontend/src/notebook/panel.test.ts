import { describe, expect, it } from 'vitest';
import { NotebookPanel, type PanelHost } from './panel';
import { Notebook } from './model';
import { readOnlyReason } from '../shell/app';

function notebook(): Notebook {
  return Notebook.fromJSON({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { cell_type: 'markdown', id: 'm', metadata: {}, source: '# Title' },
      { cell_type: 'code', id: 'a', metadata: {}, source: 'print(1)', execution_count: 1,
        outputs: [{ output_type: 'stream', name: 'stdout', text: ['1\n'] }] },
      { cell_type: 'code', id: 'b', metadata: {}, source: 'print(2)', execution_count: 2, outputs: [] },
    ],
  });
}

function host(over: Partial<PanelHost> = {}) {
  const writes: unknown[] = [];
  const notices: string[] = [];
  const asked: string[] = [];
  const h: PanelHost = {
    write: async (nb) => { writes.push(nb); return 'e-new'; },
    reload: async () => {},
    resolveConflict: async (current) => { asked.push(current); return 'overwrite'; },
    confirmRestart: async () => true,
    notify: (msg) => { notices.push(msg); },
    onSaveState: () => {},
    showShortcuts: () => {},
    ...over,
  };
  return { h, writes, notices, asked };
}

describe('a read-only notebook', () => {
  it('changes, runs and saves nothing, and says why', async () => {
    const nb = notebook();
    const before = JSON.stringify(nb.toJSON());
    const t = host();
    const panel = new NotebookPanel(nb, 'e1', t.h, 'This notebook is for Python 3 (kernel python3); Firn runs Go.');
    document.body.append(panel.el);
    panel.select(1, true);
    for (const a of ['delete', 'insert-below', 'to-markdown', 'cut', 'paste', 'merge-below', 'run', 'run-advance', 'move-up'] as const) {
      await panel.act(a);
    }
    panel.setType('raw');
    panel.clearOutputs(true);
    panel.runAll();
    await panel.save();
    panel.saver.changed();
    expect(JSON.stringify(nb.toJSON())).toBe(before);
    expect(t.writes).toEqual([]);
    expect(t.notices.length).toBeGreaterThan(0);
    expect(t.notices.every((n) => n === 'Read-only: This notebook is for Python 3 (kernel python3); Firn runs Go.')).toBe(true);
    // No editor: the source is plain text, the stored outputs are shown.
    expect(panel.el.querySelector('.cm-editor')).toBeNull();
    expect(panel.el.querySelectorAll('.cell-plain').length).toBe(2);
    expect(panel.el.textContent).toContain('print(1)');
    expect(panel.el.dataset['readOnly']).toBe('true');
    // Moving the selection still works.
    await panel.act('select-next');
    expect(panel.selectedIndex).toBe(2);
    panel.destroy();
  });

  it('is what a damaged file or another kernel calls for', () => {
    expect(readOnlyReason({})).toBe('');
    expect(readOnlyReason({ damage: [] })).toBe('');
    expect(readOnlyReason({ damage: ['x.ipynb: cells[5]: cell_type: unknown cell type "widget"'] })).toMatch(/damaged/);
    expect(readOnlyReason({ kernel_mismatch: 'This notebook is for R (kernel ir); Firn runs Go.' })).toMatch(/for R/);
  });
});

describe('checkDisk', () => {
  it('asks when the file on disk has other content; keep mine writes over it', async () => {
    const nb = notebook();
    const disk = notebook();
    disk.cells[1]!.source = 'print("edited elsewhere")';
    const t = host({ readDisk: async () => ({ etag: 'e-outside', notebook: disk.toJSON() }) });
    const panel = new NotebookPanel(nb, 'e1', t.h);
    await panel.checkDisk();
    expect(t.asked).toEqual(['e-outside']);
    expect(t.writes.length).toBe(1);
    expect(JSON.stringify(t.writes[0])).toContain('print(1)');
    panel.destroy();
  });

  it('takes silently a version with the same content, or the same cells saved by another tab', async () => {
    const same = host({ readDisk: async () => ({ etag: 'e-touched', notebook: notebook().toJSON() }) });
    const p1 = new NotebookPanel(notebook(), 'e1', same.h);
    await p1.checkDisk();
    expect(same.asked).toEqual([]);
    expect(p1.saver.etag).toBe('e-touched');
    p1.destroy();

    const other = notebook();
    other.cells[1]!.outputs.clear(); // the other tab's outputs differ
    const tab = host({ readDisk: async () => ({ etag: 'e-tab', notebook: other.toJSON() }), sessionETag: async () => 'e-tab' });
    const p2 = new NotebookPanel(notebook(), 'e1', tab.h);
    await p2.checkDisk();
    expect(tab.asked).toEqual([]);
    expect(p2.saver.etag).toBe('e-tab');
    p2.destroy();

    // Outputs that came after that save stay to be saved.
    const p4 = new NotebookPanel(notebook(), 'e1', tab.h);
    p4.saver.changed(true);
    await p4.checkDisk();
    expect(tab.asked).toEqual([]);
    expect(p4.saver.etag).toBe('e-tab');
    expect(p4.saver.state).toBe('dirty');
    p4.destroy();

    // The same cells with other outputs, written outside Firn: asked.
    const outside = host({ readDisk: async () => ({ etag: 'e-run', notebook: other.toJSON() }), sessionETag: async () => 'e1' });
    const p3 = new NotebookPanel(notebook(), 'e1', outside.h);
    await p3.checkDisk();
    expect(outside.asked).toEqual(['e-run']);
    p3.destroy();
  });
});

describe('a "saved" frame', () => {
  // The frame of a save (another tab's, or this tab's own arriving after a
  // later one) makes the page "saved" only if the file holds what the page
  // shows: outputs that came after that save must still be written.
  it('marks the page saved only when the file has its outputs', async () => {
    const shown = notebook();
    let disk = notebook();
    disk.cells[1]!.outputs.clear(); // saved before the cell's output came
    const t = host({ readDisk: async () => ({ etag: 'e2', notebook: disk.toJSON() }) });
    const panel = new NotebookPanel(shown, 'e1', t.h);
    panel.saver.changed(true); // the output, shared by every tab
    panel.onFrame({ seq: 1, type: 'saved', path: 'a.ipynb', etag: 'e2' });
    await new Promise((r) => setTimeout(r, 0));
    expect(panel.saver.state).toBe('dirty');
    expect(panel.saver.etag).toBe('e2'); // the next save is not a conflict

    disk = notebook(); // now the file has it
    panel.onFrame({ seq: 2, type: 'saved', path: 'a.ipynb', etag: 'e3' });
    await new Promise((r) => setTimeout(r, 0));
    expect(panel.saver.state).toBe('saved');
    expect(panel.saver.etag).toBe('e2'); // the etag read with the file
    panel.destroy();
  });
});

describe('a replay', () => {
  // The frames the session kept when the page opened it: the notebook
  // element says data-replayed="true" once they are applied and drawn, so
  // that a check that some output is absent knows the page has them all.
  it('marks the page once the replayed outputs are drawn', async () => {
    const panel = new NotebookPanel(notebook(), 'e1', host().h);
    panel.expectReplay(5);
    const m = (seq: number, text: string) => ({
      seq, type: 'message' as const, cell_id: 'b',
      msg: { header: { msg_id: 'k' + seq, msg_type: 'stream' }, parent_header: { msg_id: 'm1' }, metadata: {}, content: { name: 'stdout', text } },
    });
    // Many outputs in one frame: the later ones wait for the next animation frame.
    for (let i = 1; i <= 5; i++) {
      expect(panel.el.dataset['replayed']).toBe('false');
      panel.onFrame(m(i, `line ${i}\n`));
    }
    expect(panel.el.textContent).not.toContain('line 5'); // drawn in the next frame
    expect(panel.el.dataset['replayed']).toBe('false');
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    expect(panel.el.textContent).toContain('line 5');
    expect(panel.el.dataset['replayed']).toBe('true');
    panel.destroy();

    // The replay's last frame may be a save's, which changes no cell.
    const saved = new NotebookPanel(notebook(), 'e1', host().h);
    saved.expectReplay(2);
    saved.onFrame(m(1, 'line 1\n'));
    saved.onFrame({ seq: 2, type: 'saved', path: 'a.ipynb', etag: 'e1' });
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    expect(saved.el.dataset['replayed']).toBe('true');
    saved.destroy();

    const empty = new NotebookPanel(notebook(), 'e1', host().h);
    empty.expectReplay(0); // nothing kept: at once
    expect(empty.el.dataset['replayed']).toBe('true');
    empty.destroy();
  });
});
