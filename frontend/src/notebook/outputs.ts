// OutputList holds a cell's outputs and applies the kernel's iopub
// messages to them the way Jupyter does: consecutive stream text is
// joined, "\r" rewrites the current line, and a display with a
// display_id can be replaced in place later.

import type { JupyterMessage } from '../kernel/messages';
import type { NbOutput } from './nbformat';

/** applyCarriageReturns resolves "\r" (rewrite line) and "\b" in stream text. */
export function applyCarriageReturns(text: string): string {
  if (!text.includes('\r') && !text.includes('\b')) return text;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  return lines.map((line) => {
    const buf: string[] = [];
    let col = 0;
    for (const ch of line) {
      if (ch === '\r') {
        col = 0;
      } else if (ch === '\b') {
        if (col > 0) col--;
      } else {
        buf[col] = ch;
        col++;
      }
    }
    // As on a terminal, shorter text after "\r" leaves the older tail visible,
    // and a trailing "\r" clears nothing.
    return buf.join('');
  }).join('\n');
}

/**
 * appendStream adds text to stream text whose "\r" are already resolved:
 * only its last line can change, so a long stream costs no more per
 * message than the message itself.
 */
export function appendStream(old: string, text: string): string {
  if (!text.includes('\r') && !text.includes('\b')) return old + text;
  const cut = old.lastIndexOf('\n') + 1;
  return old.slice(0, cut) + applyCarriageReturns(old.slice(cut) + text);
}

export class OutputList {
  items: NbOutput[] = [];
  /** displayIds[i] is the transient display_id of items[i], if any. */
  displayIds: (string | undefined)[] = [];

  constructor(items: NbOutput[] = []) {
    this.items = items;
    this.displayIds = items.map(() => undefined);
  }

  clear(): void {
    this.items = [];
    this.displayIds = [];
  }

  push(o: NbOutput, displayId?: string): void {
    this.items.push(o);
    this.displayIds.push(displayId);
  }

  /**
   * apply adds the output carried by an iopub message. It returns true if
   * the list changed. update_display_data is handled by updateDisplay.
   */
  apply(msg: JupyterMessage): boolean {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'stream': {
        const name = String(c['name'] ?? 'stdout');
        const text = String(c['text'] ?? '');
        const last = this.items[this.items.length - 1];
        if (last && last.output_type === 'stream' && last['name'] === name) {
          // A new object, so views see the change by identity.
          this.items[this.items.length - 1] = { ...last, text: appendStream(String(last['text'] ?? ''), text) };
        } else {
          this.push({ output_type: 'stream', name, text: applyCarriageReturns(text) });
        }
        return true;
      }
      case 'display_data':
      case 'execute_result': {
        const o: NbOutput = {
          output_type: msg.header.msg_type,
          data: (c['data'] ?? {}) as Record<string, unknown>,
          metadata: (c['metadata'] ?? {}) as Record<string, unknown>,
        };
        if (msg.header.msg_type === 'execute_result') o['execution_count'] = c['execution_count'] ?? null;
        const t = c['transient'] as { display_id?: string } | undefined;
        this.push(o, t?.display_id || undefined);
        return true;
      }
      case 'error':
        this.push({
          output_type: 'error',
          ename: String(c['ename'] ?? 'Error'),
          evalue: String(c['evalue'] ?? ''),
          traceback: Array.isArray(c['traceback']) ? (c['traceback'] as unknown[]).map(String) : [],
        });
        return true;
      case 'clear_output':
        this.clear();
        return true;
      default:
        return false;
    }
  }

  /** updateDisplay replaces every output with displayId; returns the indexes changed. */
  updateDisplay(displayId: string, data: Record<string, unknown>, metadata: Record<string, unknown>): number[] {
    const changed: number[] = [];
    this.displayIds.forEach((id, i) => {
      const o = this.items[i];
      if (id === displayId && o) {
        this.items[i] = { ...o, data, metadata };
        changed.push(i);
      }
    });
    return changed;
  }
}
