// applyFrame folds one websocket frame of a session into the notebook:
// run states ("queued", "[*]"), execution counts, outputs, in-place
// display updates, errors and their lines. Replayed frames fold the same
// way, so a reloaded page shows what ran while it was closed.

import type { ServerFrame } from '../kernel/messages';
import type { Notebook, Cell } from './model';
import { errorLine } from '../outputs/render';
import { setNotebookKernel } from '../kernel/picker';

export interface FrameEffect {
  /** The outputs or counts changed in a way worth saving. */
  changed: boolean;
  /** A message for the user (kernel died, replay gap). */
  notice?: string;
}

function startRun(nb: Notebook, c: Cell, msgId: string): void {
  if (c.msgId === msgId) return;
  c.msgId = msgId;
  c.outputs.clear();
  c.errorLine = 0;
  nb.emit('outputs', { cell: c });
}

function stopAll(nb: Notebook): void {
  for (const c of nb.cells) {
    if (c.state !== 'idle') {
      c.state = 'idle';
      nb.emit('cell', c);
    }
  }
}

export function applyFrame(nb: Notebook, f: ServerFrame): FrameEffect {
  switch (f.type) {
    case 'saved':
    case 'renamed':
      return { changed: false };
    case 'switched':
      // The server saved the choice in the file; the notebook shown here
      // keeps it too, so that its next save does not drop it.
      setNotebookKernel(nb.metadata, f.spec, f.options);
      stopAll(nb);
      return { changed: false, notice: `The kernel is now ${f.spec} (${f.transport}): its variables are gone, as after a restart. Run the cells again.` };
    case 'gap':
      return { changed: false, notice: 'Some earlier outputs are no longer kept by the server; the outputs shown are those of the last save.' };
    case 'kernel':
      if (f.state === 'dead' || f.state === 'restarting' || f.state === 'starting') stopAll(nb);
      if (f.state === 'dead') return { changed: false, notice: `The kernel died${f.cause ? ': ' + f.cause : ''}.` };
      return { changed: false };
    case 'queued': {
      const c = nb.byId(f.cell_id);
      if (!c) return { changed: false };
      startRun(nb, c, f.msg_id);
      if (c.state === 'idle') {
        c.state = 'queued';
        nb.emit('cell', c);
      }
      return { changed: false };
    }
    case 'message':
      break;
  }
  const msg = f.msg;
  const type = msg.header.msg_type;
  const parent = String(msg.parent_header.msg_id ?? '');
  const c = f.cell_id ? nb.byId(f.cell_id) : undefined;

  if (type === 'update_display_data') {
    const t = msg.content['transient'] as { display_id?: string } | undefined;
    const id = t?.display_id;
    if (!id) return { changed: false };
    const data = (msg.content['data'] ?? {}) as Record<string, unknown>;
    const meta = (msg.content['metadata'] ?? {}) as Record<string, unknown>;
    let changed = false;
    for (const cell of nb.cells) {
      const idx = cell.outputs.updateDisplay(id, data, meta);
      if (idx.length) {
        changed = true;
        nb.emit('outputs', { cell, replaced: idx });
      }
    }
    return { changed };
  }
  if (!c) return { changed: false };

  switch (type) {
    case 'execute_input': {
      if (parent) startRun(nb, c, parent);
      c.state = 'running';
      const n = msg.content['execution_count'];
      if (typeof n === 'number') c.executionCount = n;
      nb.emit('cell', c);
      return { changed: false };
    }
    case 'execute_reply': {
      const n = msg.content['execution_count'];
      if (typeof n === 'number') c.executionCount = n;
      c.state = 'idle';
      nb.emit('cell', c);
      const status = msg.content['status'];
      if (c.pendingClear && parent === c.msgId) {
        c.pendingClear = false;
        if (status === 'aborted') {
          // A re-run that did not happen: the old outputs stay, marked.
          c.stale = 'did not run: a cell it depends on failed';
          nb.emit('cell', c);
        } else {
          c.outputs.clear();
          nb.emit('outputs', { cell: c });
        }
      }
      if (status === 'error' || status === 'aborted') {
        // stop_on_error: the server drops what was queued after this cell.
        for (const other of nb.cells) {
          if (other.state === 'queued') {
            other.state = 'idle';
            nb.emit('cell', other);
          }
        }
      }
      return { changed: true };
    }
    case 'stream':
    case 'display_data':
    case 'execute_result':
    case 'error':
    case 'clear_output': {
      if (parent && c.msgId !== parent && c.state === 'idle' && c.msgId === '') c.msgId = parent;
      if (c.pendingClear && parent === c.msgId) {
        // The outputs of the run before stayed until this, its first output.
        c.pendingClear = false;
        c.outputs.clear();
      }
      if (!c.outputs.apply(msg)) return { changed: false };
      if (type === 'error') {
        const o = c.outputs.items[c.outputs.items.length - 1];
        if (o) c.errorLine = errorLine(o);
      }
      nb.emit('outputs', { cell: c });
      return { changed: true };
    }
    default:
      return { changed: false };
  }
}
