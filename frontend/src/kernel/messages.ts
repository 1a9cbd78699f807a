// Frames of the session websocket and the Jupyter messages they carry.

import type { KernelState } from '../api/types';

export interface JupyterHeader {
  msg_id: string;
  msg_type: string;
  session?: string;
  date?: string;
  [k: string]: unknown;
}

export interface JupyterMessage {
  header: JupyterHeader;
  parent_header: Partial<JupyterHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  channel?: string;
}

export type ServerFrame =
  | { seq: number; type: 'message'; cell_id: string; msg: JupyterMessage }
  | { seq: number; type: 'kernel'; state: KernelState; cause?: string; ended?: boolean }
  | { seq: number; type: 'queued'; cell_id: string; msg_id: string }
  | { seq: number; type: 'saved'; path: string; etag: string }
  | { seq: number; type: 'renamed'; path: string }
  | { seq: number; type: 'switched'; spec: string; options?: Record<string, string>; name: string; transport: string }
  | { seq: number; type: 'gap' };

export type ClientFrame =
  | { type: 'execute'; msg_id: string; cell_id: string; code: string; widgets?: Record<string, unknown>; live?: boolean }
  | { type: 'complete'; msg_id: string; code: string; cursor_pos: number }
  | { type: 'inspect'; msg_id: string; code: string; cursor_pos: number }
  | { type: 'interrupt' }
  | { type: 'restart' };

/** newMsgId returns a random message id. */
export function newMsgId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return 'm' + Math.random().toString(36).slice(2) + Date.now().toString(36);
}

/** isServerFrame checks the shape of a parsed frame. */
export function isServerFrame(v: unknown): v is ServerFrame {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f['seq'] === 'number' && typeof f['type'] === 'string';
}
