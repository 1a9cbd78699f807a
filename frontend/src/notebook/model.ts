// The notebook document: cells with stable ids, nbformat 4 in and out
// (unknown fields kept), a dirty flag, and structural edits with an undo
// stack for deleted cells.

import { Emitter } from '../util/emitter';
import {
  denormalizeOutput, joinSource, normalizeOutput, splitLines,
  type CellType, type JSONObject, type NbOutput,
} from './nbformat';
import { OutputList } from './outputs';

export type RunState = 'idle' | 'queued' | 'running';

const knownCellKeys = new Set(['id', 'cell_type', 'source', 'metadata', 'outputs', 'execution_count']);
const knownNbKeys = new Set(['cells', 'metadata', 'nbformat', 'nbformat_minor']);

let idCounter = 0;
/** newCellId makes an nbformat 4.5 cell id (8 hex digits, random). */
export function newCellId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === 'function') {
    const a = new Uint8Array(4);
    c.getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return (Date.now().toString(16) + (idCounter++).toString(16)).slice(-8);
}

const validId = /^[a-zA-Z0-9_-]{1,64}$/;

export class Cell {
  id: string;
  type: CellType;
  source: string;
  metadata: JSONObject;
  outputs: OutputList;
  executionCount: number | null;
  /** Fields of the stored cell that Firn does not interpret. */
  extra: JSONObject;
  /** Whether source was stored as one string rather than a list of lines. */
  sourceAsString = false;
  /** Running state (not saved). */
  state: RunState = 'idle';
  /** msg_id of the execute request that last ran or is running this cell. */
  msgId = '';
  /** The line of the cell's last error (1-based), for highlighting. */
  errorLine = 0;
  /** The source as it last ran (null: never ran); a stored output counts as a run. */
  ranSource: string | null = null;
  /** Why the cell ran again by itself (a reactive re-run), '' if it did not. */
  reran = '';
  /** Why the cell's outputs are out of date (reactive notebooks), '' if they are not. */
  stale = '';
  /** Keep the outputs shown until the running request's first output (no flicker on re-runs). */
  pendingClear = false;

  constructor(type: CellType, source = '', id = newCellId()) {
    this.id = id;
    this.type = type;
    this.source = source;
    this.metadata = {};
    this.outputs = new OutputList();
    this.executionCount = null;
    this.extra = {};
  }

  static fromJSON(o: JSONObject): Cell {
    const t = o['cell_type'];
    const type: CellType = t === 'markdown' || t === 'raw' ? t : 'code';
    const c = new Cell(type, joinSource(o['source']), typeof o['id'] === 'string' ? o['id'] : newCellId());
    c.sourceAsString = typeof o['source'] === 'string';
    c.metadata = (o['metadata'] && typeof o['metadata'] === 'object' ? o['metadata'] : {}) as JSONObject;
    if (type === 'code') {
      const outs = Array.isArray(o['outputs']) ? (o['outputs'] as JSONObject[]) : [];
      c.outputs = new OutputList(outs.map(normalizeOutput));
      c.executionCount = typeof o['execution_count'] === 'number' ? o['execution_count'] : null;
      if (c.executionCount !== null) c.ranSource = c.source;
    }
    for (const [k, v] of Object.entries(o)) if (!knownCellKeys.has(k)) c.extra[k] = v;
    // Keep outputs of non-code cells if any tool wrote them (nbformat forbids, but keep data).
    if (type !== 'code' && 'outputs' in o) c.extra['outputs'] = o['outputs'];
    return c;
  }

  toJSON(): JSONObject {
    const o: JSONObject = {
      cell_type: this.type,
      id: this.id,
      metadata: this.metadata,
      source: this.sourceAsString ? this.source : splitLines(this.source),
    };
    if (this.type === 'code') {
      o['execution_count'] = this.executionCount;
      o['outputs'] = this.outputs.items.map((x: NbOutput) => denormalizeOutput(x));
    }
    return { ...this.extra, ...o };
  }
}

export interface NotebookEvents extends Record<string, unknown> {
  /** The list of cells changed (insert, delete, move, type change). */
  structure: void;
  /** A cell's source, type or run state changed. */
  cell: Cell;
  /** A cell's outputs changed; index set when a single output was replaced in place. */
  outputs: { cell: Cell; replaced?: number[] };
  dirty: boolean;
}

export class Notebook extends Emitter<NotebookEvents> {
  cells: Cell[] = [];
  metadata: JSONObject = {};
  nbformat = 4;
  nbformatMinor = 5;
  extra: JSONObject = {};
  dirty = false;
  private deleted: { cell: Cell; index: number }[] = [];

  static fromJSON(v: unknown): Notebook {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new Error('notebook: not a JSON object');
    }
    const o = v as JSONObject;
    const nb = new Notebook();
    if (typeof o['nbformat'] === 'number') nb.nbformat = o['nbformat'];
    if (nb.nbformat !== 4) throw new Error(`notebook: nbformat ${nb.nbformat} is not supported (want 4)`);
    if (typeof o['nbformat_minor'] === 'number') nb.nbformatMinor = o['nbformat_minor'];
    nb.metadata = (o['metadata'] && typeof o['metadata'] === 'object' ? o['metadata'] : {}) as JSONObject;
    const cells = Array.isArray(o['cells']) ? (o['cells'] as JSONObject[]) : [];
    const seen = new Set<string>();
    nb.cells = cells.map((c) => {
      const cell = Cell.fromJSON(c);
      if (!validId.test(cell.id) || seen.has(cell.id)) cell.id = newCellId();
      seen.add(cell.id);
      return cell;
    });
    // Cell ids need nbformat 4.5.
    if (nb.nbformatMinor < 5) nb.nbformatMinor = 5;
    for (const [k, val] of Object.entries(o)) if (!knownNbKeys.has(k)) nb.extra[k] = val;
    return nb;
  }

  toJSON(): JSONObject {
    return {
      ...this.extra,
      cells: this.cells.map((c) => c.toJSON()),
      metadata: this.metadata,
      nbformat: this.nbformat,
      nbformat_minor: this.nbformatMinor,
    };
  }

  /** sameCells reports whether other has the same cells, by type and source (outputs aside). */
  sameCells(other: Notebook): boolean {
    return this.cells.length === other.cells.length &&
      this.cells.every((c, i) => c.type === other.cells[i]!.type && c.source === other.cells[i]!.source);
  }

  /** sameContent reports whether other has the same cells, outputs and execution counts included. */
  sameContent(other: Notebook): boolean {
    return JSON.stringify(this.toJSON().cells) === JSON.stringify(other.toJSON().cells);
  }

  /** newEmpty is a notebook with one empty code cell and Firn's kernelspec. */
  static newEmpty(): Notebook {
    const nb = new Notebook();
    nb.metadata = {
      kernelspec: { name: 'firn', display_name: 'Firn (Go)', language: 'go' },
      language_info: { name: 'go', file_extension: '.go', mimetype: 'text/x-go' },
    };
    nb.cells = [new Cell('code')];
    return nb;
  }

  setDirty(d = true): void {
    if (this.dirty === d) {
      if (d) this.emit('dirty', true); // a new change: restart autosave wait
      return;
    }
    this.dirty = d;
    this.emit('dirty', d);
  }

  indexOf(id: string): number {
    return this.cells.findIndex((c) => c.id === id);
  }

  byId(id: string): Cell | undefined {
    return this.cells.find((c) => c.id === id);
  }

  private changed(): void {
    this.emit('structure', undefined);
    this.setDirty();
  }

  insert(index: number, type: CellType = 'code', source = ''): Cell {
    const c = new Cell(type, source);
    const i = Math.max(0, Math.min(index, this.cells.length));
    this.cells.splice(i, 0, c);
    this.changed();
    return c;
  }

  /** remove deletes the cell at index; undoDelete brings it back. */
  remove(index: number): Cell | undefined {
    const [c] = this.cells.splice(index, 1);
    if (!c) return undefined;
    this.deleted.push({ cell: c, index });
    if (this.deleted.length > 100) this.deleted.shift();
    this.changed();
    return c;
  }

  canUndoDelete(): boolean {
    return this.deleted.length > 0;
  }

  undoDelete(): Cell | undefined {
    const d = this.deleted.pop();
    if (!d) return undefined;
    this.cells.splice(Math.min(d.index, this.cells.length), 0, d.cell);
    this.changed();
    return d.cell;
  }

  /** move shifts the cell at index by delta (-1 up, +1 down); returns its new index. */
  move(index: number, delta: number): number {
    const to = index + delta;
    if (to < 0 || to >= this.cells.length || index < 0 || index >= this.cells.length) return index;
    const [c] = this.cells.splice(index, 1);
    this.cells.splice(to, 0, c!);
    this.changed();
    return to;
  }

  /** split cuts the cell at a source offset into two cells of the same type. */
  split(index: number, offset: number): Cell | undefined {
    const c = this.cells[index];
    if (!c) return undefined;
    const head = c.source.slice(0, offset).replace(/\n$/, '');
    const tail = c.source.slice(offset).replace(/^\n/, '');
    c.source = head;
    c.outputs.clear();
    c.executionCount = null;
    const n = new Cell(c.type, tail);
    this.cells.splice(index + 1, 0, n);
    this.emit('cell', c);
    this.changed();
    return n;
  }

  /** merge joins the cell at index with the next one. */
  merge(index: number): boolean {
    const a = this.cells[index];
    const b = this.cells[index + 1];
    if (!a || !b) return false;
    a.source = a.source === '' ? b.source : b.source === '' ? a.source : a.source + '\n' + b.source;
    if (a.type === 'code') {
      a.outputs.clear();
      a.executionCount = null;
    }
    this.cells.splice(index + 1, 1);
    this.deleted.push({ cell: b, index: index + 1 });
    this.emit('cell', a);
    this.changed();
    return true;
  }

  setType(index: number, type: CellType): void {
    const c = this.cells[index];
    if (!c || c.type === type) return;
    c.type = type;
    if (type !== 'code') {
      c.outputs.clear();
      c.executionCount = null;
    }
    this.changed();
  }

  setSource(cell: Cell, source: string): void {
    if (cell.source === source) return;
    cell.source = source;
    if (cell.errorLine) {
      cell.errorLine = 0;
    }
    this.setDirty();
  }

  clearOutputs(cells: Cell[] = this.cells): void {
    for (const c of cells) {
      if (c.type !== 'code') continue;
      c.outputs.clear();
      c.executionCount = null;
      c.errorLine = 0;
      this.emit('outputs', { cell: c });
    }
    this.setDirty();
  }
}
