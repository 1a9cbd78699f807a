import { describe, expect, it } from 'vitest';
import { Notebook } from './model';
import { applyFrame } from './execution';
import type { JupyterMessage, ServerFrame } from '../kernel/messages';
import { CellView } from '../cell/view';
import { progressMime } from '../outputs/render';

let seq = 0;
function msg(cell: string, parent: string, type: string, content: Record<string, unknown>): ServerFrame {
  const m: JupyterMessage = { header: { msg_id: 'k' + seq, msg_type: type }, parent_header: { msg_id: parent }, metadata: {}, content };
  return { seq: ++seq, type: 'message', cell_id: cell, msg: m };
}

function progress(done: number, total: number) {
  return {
    data: { 'text/plain': `spin-up ${done}/${total}`, [progressMime]: { title: 'spin-up', done, total } },
    metadata: {},
    transient: { display_id: 'bar1' },
  };
}

function runFrames(cell: string): ServerFrame[] {
  return [
    { seq: ++seq, type: 'queued', cell_id: cell, msg_id: 'm1' },
    msg(cell, 'm1', 'execute_input', { code: 'x', execution_count: 7 }),
    msg(cell, 'm1', 'stream', { name: 'stdout', text: 'step 1\n' }),
    msg(cell, 'm1', 'stream', { name: 'stdout', text: 'step 2\n' }),
    msg(cell, 'm1', 'display_data', progress(0, 100)),
    msg(cell, 'm1', 'update_display_data', progress(40, 100)),
    msg(cell, 'm1', 'update_display_data', progress(100, 100)),
    msg(cell, 'm1', 'execute_reply', { status: 'ok', execution_count: 7 }),
  ];
}

describe('applyFrame', () => {
  it('tracks queued, running and the count', () => {
    const nb = Notebook.newEmpty();
    const id = nb.cells[0]!.id;
    const [q, input] = runFrames(id);
    applyFrame(nb, q!);
    expect(nb.cells[0]!.state).toBe('queued');
    applyFrame(nb, input!);
    expect(nb.cells[0]!.state).toBe('running');
    expect(nb.cells[0]!.executionCount).toBe(7);
  });

  it('updates a progress bar in place (one output, same DOM node)', () => {
    const nb = Notebook.newEmpty();
    const cell = nb.cells[0]!;
    const view = new CellView(cell, { onChange: () => {}, onSelect: () => {}, onKeydown: () => false });
    nb.on('outputs', ({ replaced }) => view.refreshOutputs(replaced));
    nb.on('cell', () => view.refreshPrompt());
    const frames = runFrames(cell.id);
    for (const f of frames.slice(0, 5)) applyFrame(nb, f);
    const bar = view.el.querySelector('progress')!;
    expect(bar.value).toBe(0);
    applyFrame(nb, frames[5]!);
    expect(view.el.querySelector('progress')).toBe(bar);
    expect(bar.value).toBe(40);
    applyFrame(nb, frames[6]!);
    applyFrame(nb, frames[7]!);
    expect(view.el.querySelectorAll('progress').length).toBe(1);
    expect(bar.value).toBe(100);
    expect(view.el.querySelector('.progress-pct')!.textContent).toBe('100 % (100/100)');
    expect(cell.outputs.items.length).toBe(2);
    expect(cell.outputs.items[0]!['text']).toBe('step 1\nstep 2\n');
    expect(view.el.querySelector('[data-testid="cell-prompt"]')!.textContent).toBe('[7]');
    // Saved without the transient display id.
    const saved = cell.toJSON()['outputs'] as Record<string, unknown>[];
    expect(saved[1]).toEqual({ output_type: 'display_data', data: { 'text/plain': ['spin-up 100/100'], [progressMime]: { title: 'spin-up', done: 100, total: 100 } }, metadata: {} });
    view.destroy();
  });

  it('a replay gives the same outputs as the live run', () => {
    const live = Notebook.newEmpty();
    const id = live.cells[0]!.id;
    const frames = runFrames(id);
    for (const f of frames) applyFrame(live, f);
    const reloaded = Notebook.fromJSON(live.toJSON());
    for (const f of frames) applyFrame(reloaded, f);
    expect(reloaded.toJSON()).toEqual(live.toJSON());
  });

  it('an error marks its line and cancels queued cells', () => {
    const nb = Notebook.newEmpty();
    nb.insert(1, 'code', 'y');
    const [a, b] = nb.cells;
    applyFrame(nb, { seq: ++seq, type: 'queued', cell_id: a!.id, msg_id: 'e1' });
    applyFrame(nb, { seq: ++seq, type: 'queued', cell_id: b!.id, msg_id: 'e2' });
    applyFrame(nb, msg(a!.id, 'e1', 'execute_input', { execution_count: 1 }));
    applyFrame(nb, msg(a!.id, 'e1', 'error', { ename: 'CompileError', evalue: 'undefined: x', traceback: ['CompileError: cell [1], line 3, column 5: undefined: x', '  x + 1', '  ^'] }));
    applyFrame(nb, msg(a!.id, 'e1', 'execute_reply', { status: 'error', execution_count: 1 }));
    expect(a!.errorLine).toBe(3);
    expect(b!.state).toBe('idle');
  });

  it('a dead kernel stops every running cell and says why', () => {
    const nb = Notebook.newEmpty();
    const c = nb.cells[0]!;
    applyFrame(nb, { seq: ++seq, type: 'queued', cell_id: c.id, msg_id: 'd1' });
    const eff = applyFrame(nb, { seq: ++seq, type: 'kernel', state: 'dead', cause: 'memory limit (2 GiB) exceeded' });
    expect(c.state).toBe('idle');
    expect(eff.notice).toContain('memory limit');
  });
});
