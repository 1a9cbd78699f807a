// KernelClient speaks to the kernel of one session over a Connection:
// executes cells, asks for completions and docs, interrupts and restarts,
// and hands every frame to the notebook that listens.

import { Connection, type ConnStatus, type ConnectionOptions } from './connection';
import { newMsgId, type ClientFrame, type JupyterMessage, type ServerFrame } from './messages';

export interface CompleteReply {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  /** types describe the matches (the reply's metadata._jupyter_types_experimental). */
  types?: CompletionType[];
}

/** CompletionType is what the kernel says of one match. */
export interface CompletionType {
  text: string;
  /** function, method, type, variable, constant, field, package or keyword */
  type?: string;
  signature?: string;
  /** doc is the first sentence of the doc comment (Firn's own key). */
  doc?: string;
}

/** completionTypes reads metadata._jupyter_types_experimental of a complete_reply. */
export function completionTypes(metadata: unknown): CompletionType[] {
  const list = (metadata as Record<string, unknown> | null)?.['_jupyter_types_experimental'];
  if (!Array.isArray(list)) return [];
  const out: CompletionType[] = [];
  for (const v of list) {
    if (typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    if (typeof o['text'] !== 'string') continue;
    out.push({
      text: o['text'],
      type: typeof o['type'] === 'string' ? o['type'] : undefined,
      signature: typeof o['signature'] === 'string' ? o['signature'] : undefined,
      doc: typeof o['doc'] === 'string' ? o['doc'] : undefined,
    });
  }
  return out;
}

export interface InspectReply {
  found: boolean;
  data: Record<string, unknown>;
}

interface Pending {
  resolve: (m: JupyterMessage) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface KernelClientOptions extends Omit<ConnectionOptions, 'onFrame' | 'onStatus'> {
  onFrame: (f: ServerFrame) => void;
  onStatus: (s: ConnStatus, cause?: string) => void;
}

export class KernelClient {
  readonly conn: Connection;
  private pending = new Map<string, Pending>();

  constructor(opts: KernelClientOptions) {
    this.conn = new Connection({
      ...opts,
      onFrame: (f) => {
        if (f.type === 'message') {
          const parent = f.msg.parent_header.msg_id;
          const t = f.msg.header.msg_type;
          if (parent && (t === 'complete_reply' || t === 'inspect_reply')) {
            const p = this.pending.get(parent);
            if (p) {
              this.pending.delete(parent);
              clearTimeout(p.timer);
              p.resolve(f.msg);
            }
            return;
          }
        }
        opts.onFrame(f);
      },
      onStatus: opts.onStatus,
    });
  }

  connect(): void { this.conn.connect(); }
  close(): void {
    this.conn.close();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  /**
   * execute sends code of a cell to run, with the values of the
   * notebook's widgets by label (the kernel takes them before the cell
   * runs), and returns the request's msg_id. live marks a run made while
   * a widget moves: the kernel draws figures for the page only (no PNG).
   */
  execute(cellId: string, code: string, widgets?: Record<string, unknown>, live = false): string {
    const msgId = newMsgId();
    const f: Extract<ClientFrame, { type: 'execute' }> = { type: 'execute', msg_id: msgId, cell_id: cellId, code };
    if (widgets && Object.keys(widgets).length > 0) f.widgets = widgets;
    if (live) f.live = true;
    this.conn.send(f);
    return msgId;
  }

  interrupt(): void { this.conn.send({ type: 'interrupt' }); }
  restart(): void { this.conn.send({ type: 'restart' }); }

  /** complete asks for completions at cursor (in code points); null on timeout. */
  async complete(code: string, cursorPos: number, timeoutMs = 3000): Promise<CompleteReply | null> {
    const m = await this.request('complete', code, cursorPos, timeoutMs);
    if (!m || m.content['status'] !== 'ok') return null;
    const c = m.content;
    return {
      matches: Array.isArray(c['matches']) ? (c['matches'] as unknown[]).map(String) : [],
      cursor_start: Number(c['cursor_start'] ?? cursorPos),
      cursor_end: Number(c['cursor_end'] ?? cursorPos),
      types: completionTypes(c['metadata']),
    };
  }

  /** inspect asks for the docs of the name at cursor; null when none. */
  async inspect(code: string, cursorPos: number, timeoutMs = 3000): Promise<InspectReply | null> {
    const m = await this.request('inspect', code, cursorPos, timeoutMs);
    if (!m || m.content['status'] !== 'ok' || !m.content['found']) return null;
    return { found: true, data: (m.content['data'] ?? {}) as Record<string, unknown> };
  }

  private request(type: 'complete' | 'inspect', code: string, cursorPos: number, timeoutMs: number): Promise<JupyterMessage | null> {
    const msgId = newMsgId();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        resolve(null);
      }, timeoutMs);
      this.pending.set(msgId, { resolve, timer });
      this.conn.send({ type, msg_id: msgId, code, cursor_pos: cursorPos });
    });
  }
}
