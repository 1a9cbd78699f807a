// NotebookPanel is an open notebook: the cell views, the selection and the
// keyboard model, the kernel of its session, and autosave. A read-only
// panel (a damaged notebook, or one for another language) shows the
// notebook as it is and changes, runs and saves nothing.

import { Notebook, Cell } from './model';
import { KeyModel, type Action } from './keyboard';
import { applyFrame } from './execution';
import { Saver, type SaveState } from './saver';
import { CellView } from '../cell/view';
import { ApiError } from '../api/client';
import type { KernelClient } from '../kernel/kernel';
import type { ConnStatus } from '../kernel/connection';
import type { ServerFrame } from '../kernel/messages';
import type { CellType, NbOutput } from './nbformat';
import {
  dependents, isReactive, setReactive, setWidgetOutput, setWidgetValue, staleCells, vanished, widgetValues,
  type GraphAnswer, type WidgetDesc,
} from './reactive';

export interface PanelHost {
  /** write saves the notebook JSON with the etag last seen; returns the new etag. */
  write: (nb: unknown, etag: string) => Promise<string>;
  /** reload reads the file from disk again (conflict: "reload"). */
  reload: () => Promise<void>;
  /** readDisk reads the file again: its etag and notebook. */
  readDisk?: () => Promise<{ etag: string; notebook: unknown }>;
  /** readDiskIfChanged is readDisk that answers "unchanged" while the file is still version etag. */
  readDiskIfChanged?: (etag: string) => Promise<{ etag: string; notebook: unknown } | 'unchanged'>;
  /** resolveConflict asks what to do about the file on disk (etag current, "" if gone): reload or keep mine. */
  resolveConflict: (current: string) => Promise<'reload' | 'overwrite' | 'cancel'>;
  /** sessionETag is the etag of the file's last save through Firn (any tab), null if unknown. */
  sessionETag?: () => Promise<string | null>;
  confirmRestart: () => Promise<boolean>;
  notify: (msg: string, opts?: { undo?: () => void; error?: boolean }) => void;
  onSaveState: (s: SaveState, detail?: string) => void;
  onSelection?: () => void;
  showShortcuts: () => void;
  /** graph asks the server for the notebook's def/use graph and what to run after the cells run (POST /api/graph). */
  graph?: (cells: { id: string; source: string }[], run: string[]) => Promise<GraphAnswer>;
}

/** What a read-only notebook still does: move the selection, copy, show help. */
const viewing = new Set<Action>([
  'select-prev', 'select-next', 'select-first', 'select-last', 'exit-edit', 'copy', 'shortcuts', 'interrupt',
]);

/** The first cells of a notebook get their editors at once; the others when they come near the viewport. */
const eagerCells = 12;
/** How many output changes are drawn at once in one animation frame before the rest wait for the next. */
const drawsPerFrame = 3;

export class NotebookPanel {
  readonly el: HTMLElement;
  readonly keys = new KeyModel();
  readonly saver: Saver;
  private views = new Map<string, CellView>();
  private selected = 0;
  /** The id of the cell whose view shows it is selected. */
  private shownSelected = '';
  private clipboard: Cell[] = [];
  private kernel: KernelClient | null = null;
  private offs: (() => void)[] = [];
  private waiters: ((s: ConnStatus) => void)[] = [];
  kernelStatus: ConnStatus = 'connecting';
  /** Frames up to this seq replay what ran before the notebook was opened here. */
  replayEnd = 0;
  private sharedChange = false;
  /** The last def/use graph of the notebook (reactive notebooks and widgets). */
  private graph: GraphAnswer | null = null;
  /** The names each cell defined when it last ran here: what the kernel holds. */
  private ranNames = new Map<string, string[]>();
  /** The widgets' values by label, as the reader set them. */
  private widgets: Record<string, unknown>;
  /** The cells a widget's last change is running, and what to run when they are done. */
  private widgetRun: { cells: Set<string>; done: () => void } | null = null;
  private widgetNext: { cell: Cell; d: WidgetDesc; resolve: () => void } | null = null;
  private staleTimer: ReturnType<typeof setTimeout> | null = null;
  /** The cells a widget's cell runs, for the code as it was: a slider's steps need not ask the server again. */
  private widgetPlan: { key: string; run: string[] } | null = null;
  /** A replayed frame changed the notebook: compare with the file once the replay ends. */
  private replayChanged = false;
  /** reveals lazy cell views as they come near the viewport. */
  private readonly nearView: IntersectionObserver | null = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        this.nearView?.unobserve(e.target);
        const id = (e.target as HTMLElement).dataset['cellId'];
        if (id) this.views.get(id)?.reveal();
      }
    }, { rootMargin: '600px 0px' })
    : null;

  /**
   * readOnly, when not "", is why the notebook is shown read-only (its
   * cells cannot be edited, run or saved).
   */
  constructor(readonly nb: Notebook, etag: string, private readonly host: PanelHost, readonly readOnly = '') {
    this.el = document.createElement('div');
    this.el.className = readOnly ? 'notebook read-only' : 'notebook';
    this.el.dataset['testid'] = 'notebook';
    if (readOnly) this.el.dataset['readOnly'] = 'true';
    this.el.setAttribute('role', 'list');
    this.el.setAttribute('aria-label', 'Notebook cells');
    this.widgets = widgetValues(nb);
    this.saver = new Saver(etag, {
      write: (e) => this.host.write(this.nb.toJSON(), e),
      resolveConflict: (current) => this.host.resolveConflict(current),
      reload: () => this.host.reload(),
      sameOnDisk: () => this.sameOnDisk(),
      onState: (s, d) => {
        if (s === 'saved') this.nb.dirty = false;
        this.host.onSaveState(s, d);
      },
    });
    this.offs.push(
      nb.on('structure', () => this.renderStructure()),
      nb.on('cell', (c) => {
        const v = this.views.get(c.id);
        if (!v) return;
        v.refreshPrompt();
        if (!v.isEditing) v.refresh();
      }),
      nb.on('outputs', ({ cell, replaced }) => this.outputsChanged(cell, replaced)),
      nb.on('dirty', (d) => { if (d && !this.readOnly) this.saver.changed(this.sharedChange); }),
    );
    if (readOnly) this.saver.stop();
    this.el.addEventListener('keydown', (ev) => this.onCommandKey(ev));
    this.renderStructure();
  }

  // ---- outputs

  /** Outputs changed since the last frame was drawn, by cell id (replaced indexes merged). */
  private pendingOutputs = new Map<string, Set<number> | null>();
  private outputsFrame: number | null = null;
  private drawnThisFrame = 0;
  /** replay: frames up to replayEnd still to come, their outputs still to be drawn, or all shown (see expectReplay). */
  private replay: 'replaying' | 'drawing' | 'done' = 'done';

  /**
   * outputsChanged draws a cell's new outputs at once for the first few
   * changes of an animation frame (a cell's result shows without waiting
   * for a frame), the rest once in the next frame: a fast stream of output
   * (thousands of messages) is drawn once per frame, not per message.
   */
  private outputsChanged(cell: Cell, replaced?: number[]): void {
    if (typeof requestAnimationFrame !== 'function') {
      this.views.get(cell.id)?.refreshOutputs(replaced);
      return;
    }
    if (this.drawnThisFrame < drawsPerFrame && !this.pendingOutputs.has(cell.id)) {
      this.drawnThisFrame++;
      this.views.get(cell.id)?.refreshOutputs(replaced);
      this.outputsFrame ??= requestAnimationFrame(() => this.flushOutputs());
      return;
    }
    const had = this.pendingOutputs.get(cell.id);
    if (had === undefined) this.pendingOutputs.set(cell.id, replaced ? new Set(replaced) : null);
    else if (had && replaced) for (const i of replaced) had.add(i);
  }

  private flushOutputs(): void {
    this.outputsFrame = null;
    this.drawnThisFrame = 0;
    if (this.pendingOutputs.size === 0) return;
    const pending = this.pendingOutputs;
    this.pendingOutputs = new Map();
    for (const [id, replaced] of pending) this.views.get(id)?.refreshOutputs(replaced ? [...replaced] : []);
    if (this.replay === 'drawing') this.markReplayed();
    this.outputsFrame = requestAnimationFrame(() => this.flushOutputs());
  }

  /**
   * expectReplay is told the number of the session's last frame when the page opened it: the
   * frames up to it are a replay of what the session kept (its cells' outputs while no tab was
   * open). Once they are drawn, the notebook element has data-replayed="true" (for tests and
   * tools that must know the page shows all the session had).
   */
  expectReplay(seq: number): void {
    this.replayEnd = seq;
    this.replay = 'replaying';
    this.el.dataset['replayed'] = 'false';
    if (seq === 0) this.markReplayed();
  }

  /** replayProgress notes a frame applied: the replay is over with its last frame. */
  private replayProgress(seq: number): void {
    if (seq >= this.replayEnd && this.replay === 'replaying') this.markReplayed();
  }

  /** markReplayed sets data-replayed once the replayed outputs waiting for a frame are drawn. */
  private markReplayed(): void {
    this.replay = this.pendingOutputs.size > 0 ? 'drawing' : 'done';
    if (this.replay === 'done') this.el.dataset['replayed'] = 'true';
  }

  // ---- kernel

  attachKernel(k: KernelClient): void {
    this.kernel = k;
  }

  /** onFrame is called for every frame of the session's websocket. */
  onFrame(f: ServerFrame): void {
    if (f.type === 'saved') {
      // A save through this session (another tab's, the server's, or this
      // tab's own arriving after a later one): the page counts as saved
      // only if the file holds what it shows, outputs included; with the
      // same cells and other outputs it takes the etag, and outputs that
      // came after that save are still to be written.
      if (f.etag !== this.saver.etag) void this.followDisk();
      this.replayProgress(f.seq);
      return;
    }
    const eff = applyFrame(this.nb, f);
    if (this.widgetRun && (f.type === 'message' || f.type === 'kernel')) this.widgetFrame();
    const replay = f.seq <= this.replayEnd;
    this.replayProgress(f.seq);
    if (eff.changed && !replay) this.sharedDirty(); // outputs come to every tab of the notebook
    if (eff.changed && replay) this.replayChanged = true;
    if (this.replayChanged && f.seq >= this.replayEnd) {
      this.replayChanged = false;
      void this.saveReplayed();
    }
    if (eff.notice && !(replay && (f.type === 'kernel' || f.type === 'switched'))) this.host.notify(eff.notice, { error: f.type === 'kernel' });
  }

  /** sharedDirty marks a change every tab of the notebook makes alike (outputs). */
  private sharedDirty(): void {
    this.sharedChange = true;
    try {
      this.nb.setDirty();
    } finally {
      this.sharedChange = false;
    }
  }

  /**
   * saveReplayed saves outputs that cells produced while no tab showed the
   * notebook (the server keeps them only in memory) unless the file
   * already has them, as it does when another tab saved them.
   */
  private async saveReplayed(): Promise<void> {
    const disk = await this.onDisk();
    if (disk && !this.nb.sameContent(disk.nb)) this.sharedDirty();
  }

  /** onDisk reads the notebook's file: null if the host cannot or the read fails (the next save finds out). */
  private async onDisk(): Promise<{ etag: string; nb: Notebook } | null> {
    if (!this.host.readDisk) return null;
    try {
      const file = await this.host.readDisk();
      return { etag: file.etag, nb: Notebook.fromJSON(file.notebook) };
    } catch {
      return null;
    }
  }

  /**
   * followDisk takes the file's etag after a save through the session: as saved if the file holds
   * what the page shows, outputs included, or only the etag if it has the same cells.
   */
  private async followDisk(): Promise<void> {
    const disk = await this.onDisk();
    if (disk && this.nb.sameContent(disk.nb)) this.saver.adopt(disk.etag);
    else if (disk && this.nb.sameCells(disk.nb)) this.saver.follow(disk.etag);
  }

  /** sameOnDisk returns the file's etag if it has the cells shown here, else null. */
  private async sameOnDisk(): Promise<string | null> {
    const disk = await this.onDisk();
    return disk && this.nb.sameCells(disk.nb) ? disk.etag : null;
  }

  onStatus(s: ConnStatus): void {
    this.kernelStatus = s;
    for (const w of this.waiters.splice(0)) w(s);
  }

  private waitIdle(timeoutMs = 60000): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      const check = (s: ConnStatus) => {
        if (s === 'idle') {
          clearTimeout(t);
          resolve(true);
        } else if (s === 'dead') {
          clearTimeout(t);
          resolve(false);
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  // ---- rendering and selection

  private renderStructure(): void {
    const alive = new Set(this.nb.cells.map((c) => c.id));
    for (const [id, v] of this.views) {
      if (!alive.has(id)) {
        this.nearView?.unobserve(v.el);
        v.destroy();
        this.views.delete(id);
        if (id === this.shownSelected) this.shownSelected = '';
      }
    }
    this.nb.cells.forEach((c, i) => {
      let v = this.views.get(c.id);
      if (!v) {
        v = new CellView(c, {
          onChange: (cell, s) => {
            this.nb.setSource(cell, s);
            if (this.reactive) this.scheduleStale();
          },
          // A click selects without scrolling: the page must not move under the pointer.
          onSelect: (cell, edit) => this.select(this.nb.indexOf(cell.id), edit, true, false),
          onKeydown: (ev) => this.onEditKey(ev),
          complete: (code, pos) => this.kernel?.complete(code, pos) ?? Promise.resolve(null),
          inspect: (code, pos) => this.kernel?.inspect(code, pos) ?? Promise.resolve(null),
          onWidget: (cell, d, value) => this.widgetChanged(cell, d, value),
        }, this.nearView !== null && i >= eagerCells, this.readOnly !== '');
        if (!v.isRevealed) this.nearView?.observe(v.el);
        v.el.setAttribute('role', 'listitem');
        this.views.set(c.id, v);
      } else {
        v.refresh();
      }
      if (this.el.children[i] !== v.el) this.el.insertBefore(v.el, this.el.children[i] ?? null);
    });
    if (this.nb.cells.length === 0) {
      if (!this.readOnly) this.nb.insert(0, 'code');
      return;
    }
    this.select(Math.min(this.selected, this.nb.cells.length - 1), false, false);
  }

  get selectedIndex(): number {
    return this.selected;
  }

  get selectedCell(): Cell | undefined {
    return this.nb.cells[this.selected];
  }

  view(cell: Cell): CellView | undefined {
    return this.views.get(cell.id);
  }

  select(i: number, edit = false, focus = true, scroll = true): void {
    if (i < 0 || i >= this.nb.cells.length) return;
    if (this.readOnly) edit = false;
    const prev = this.nb.cells[this.selected];
    this.selected = i;
    // Only the views whose selection changes are touched (each touch costs style work).
    const id = this.nb.cells[i]!.id;
    if (this.shownSelected !== id) {
      if (this.shownSelected) this.views.get(this.shownSelected)?.setSelected(false);
      this.views.get(id)?.setSelected(true);
      this.shownSelected = id;
    }
    const v = this.views.get(this.nb.cells[i]!.id)!;
    if (edit) {
      this.keys.mode = 'edit';
      if (!v.isEditing || prev !== this.nb.cells[i]) v.edit();
    } else if (focus) {
      this.keys.mode = 'command';
      if (prev && prev !== this.nb.cells[i]) this.views.get(prev.id)?.leaveEdit(false);
      v.el.focus({ preventScroll: true });
      if (scroll) v.el.scrollIntoView?.({ block: 'nearest' });
    }
    this.host.onSelection?.();
  }

  commandMode(): void {
    this.keys.mode = 'command';
    const c = this.selectedCell;
    if (c) this.views.get(c.id)?.leaveEdit(false);
  }

  // ---- keyboard

  private onEditKey(ev: KeyboardEvent): boolean {
    this.keys.mode = 'edit';
    const a = this.keys.handle({ key: ev.key, ctrl: ev.ctrlKey, shift: ev.shiftKey, alt: ev.altKey, meta: ev.metaKey });
    if (!a) return false;
    void this.act(a);
    return true;
  }

  private onCommandKey(ev: KeyboardEvent): void {
    const t = ev.target as HTMLElement;
    if (t.closest('.cm-editor') || t.closest('input, textarea, select, button, a, dialog')) return;
    this.keys.mode = 'command';
    const a = this.keys.handle({ key: ev.key, ctrl: ev.ctrlKey, shift: ev.shiftKey, alt: ev.altKey, meta: ev.metaKey });
    if (a) {
      ev.preventDefault();
      void this.act(a);
    } else if (this.keys.chordPending) {
      ev.preventDefault();
    }
  }

  /** refused tells the user that a read-only notebook does not do that; it says whether it is read-only. */
  private refused(): boolean {
    if (this.readOnly) this.host.notify(`Read-only: ${this.readOnly}`, { error: true });
    return this.readOnly !== '';
  }

  /** act performs one notebook action on the selection. */
  async act(a: Action): Promise<void> {
    if (!viewing.has(a) && this.refused()) return;
    const i = this.selected;
    const cell = this.nb.cells[i];
    switch (a) {
      case 'run': if (cell) this.run([cell]); this.commandModeIfMarkdown(cell); break;
      case 'run-advance':
        if (cell) this.run([cell]);
        if (i + 1 >= this.nb.cells.length) {
          this.nb.insert(i + 1, 'code');
          this.select(i + 1, true);
        } else this.select(i + 1);
        break;
      case 'run-insert-below':
        if (cell) this.run([cell]);
        this.nb.insert(i + 1, 'code');
        this.select(i + 1, true);
        break;
      case 'enter-edit': this.select(i, true); break;
      case 'exit-edit': this.commandMode(); break;
      case 'insert-above': this.nb.insert(i, 'code'); this.select(i); break;
      case 'insert-below': this.nb.insert(i + 1, 'code'); this.select(i + 1); break;
      case 'delete': this.deleteSelected(); break;
      case 'undo-delete': this.undoDelete(); break;
      case 'to-markdown': this.setType('markdown'); break;
      case 'to-code': this.setType('code'); break;
      case 'to-raw': this.setType('raw'); break;
      case 'select-prev': this.select(Math.max(0, i - 1)); break;
      case 'select-next': this.select(Math.min(this.nb.cells.length - 1, i + 1)); break;
      case 'select-first': this.select(0); break;
      case 'select-last': this.select(this.nb.cells.length - 1); break;
      case 'move-up': this.select(this.nb.move(i, -1)); break;
      case 'move-down': this.select(this.nb.move(i, 1)); break;
      case 'split': this.split(); break;
      case 'merge-below': this.nb.merge(i); this.select(i); break;
      case 'save': await this.save(); break;
      case 'interrupt': this.interrupt(); break;
      case 'restart': await this.restart(false); break;
      case 'copy': if (cell) this.clipboard = [Cell.fromJSON(cell.toJSON())]; break;
      case 'cut': if (cell) { this.clipboard = [Cell.fromJSON(cell.toJSON())]; this.deleteSelected(); } break;
      case 'paste': this.paste(); break;
      case 'shortcuts': this.host.showShortcuts(); break;
    }
  }

  private commandModeIfMarkdown(cell: Cell | undefined): void {
    if (cell && cell.type !== 'code') this.commandMode();
  }

  /** setType changes the selected cell's type. */
  setType(t: CellType): void {
    if (this.refused()) return;
    this.nb.setType(this.selected, t);
    this.select(this.selected);
  }

  deleteSelected(): void {
    const i = this.selected;
    const c = this.nb.remove(i);
    if (!c) return;
    // A reactive notebook's deleted cell takes its names with it.
    if (this.reactive && this.ranNames.get(c.id)?.length) void this.runReactive([]);
    this.selected = Math.min(i, this.nb.cells.length - 1);
    this.select(this.selected);
    this.host.notify('Cell deleted.', { undo: () => this.undoDelete() });
  }

  undoDelete(): void {
    const c = this.nb.undoDelete();
    if (c) this.select(this.nb.indexOf(c.id));
  }

  split(): void {
    if (this.refused()) return;
    const c = this.selectedCell;
    if (!c) return;
    const v = this.views.get(c.id);
    const n = this.nb.split(this.selected, v?.cursor ?? c.source.length);
    if (n) this.select(this.nb.indexOf(n.id), true);
  }

  private paste(): void {
    let at = this.selected + 1;
    for (const c of this.clipboard) {
      const copy = this.nb.insert(at, c.type, c.source);
      copy.metadata = structuredClone(c.metadata);
      at++;
    }
    this.select(at - 1);
  }

  // ---- running

  /**
   * run executes code cells in order and renders Markdown cells; in a
   * reactive notebook it runs them with the cells that depend on them, in
   * dependency order (runReactive).
   */
  run(cells: Cell[]): void {
    if (this.refused()) return;
    if (isReactive(this.nb) && this.host.graph && cells.some((c) => c.type === 'code')) {
      for (const c of cells) if (c.type === 'markdown') this.views.get(c.id)?.leaveEdit(true);
      void this.runReactive(cells.filter((c) => c.type === 'code').map((c) => c.id));
      return;
    }
    this.send(cells, '');
  }

  /**
   * send queues code cells on the kernel; reason, when set, says why they
   * run by themselves (they keep their outputs until new ones come).
   */
  private send(cells: Cell[], reason: string, live = false): void {
    for (const c of cells) {
      if (c.type === 'markdown') {
        this.views.get(c.id)?.leaveEdit(true);
        continue;
      }
      if (c.type !== 'code') continue;
      if (!this.kernel) {
        this.host.notify('No kernel is connected.', { error: true });
        return;
      }
      // The request goes first: the page's work below overlaps the kernel's.
      const empty = c.source.trim() === '';
      if (!empty) c.msgId = this.kernel.execute(c.id, c.source, this.widgets, live);
      c.ranSource = c.source;
      c.reran = reason;
      c.stale = '';
      const names = this.graph?.cells.find((n) => n.id === c.id)?.defines;
      if (names) this.ranNames.set(c.id, names);
      if (reason && !empty) {
        c.pendingClear = true;
      } else {
        c.pendingClear = false;
        c.outputs.clear();
        c.errorLine = 0;
        this.nb.emit('outputs', { cell: c });
      }
      if (empty) {
        c.executionCount = null;
        this.nb.emit('cell', c);
        continue;
      }
      c.state = 'queued';
      this.nb.emit('cell', c);
    }
    this.nb.setDirty();
  }

  runAll(): void { this.run(this.nb.cells); }

  // ---- reactive notebooks and widgets

  /** reactive reports whether the notebook runs reactively. */
  get reactive(): boolean {
    return isReactive(this.nb);
  }

  /** setReactive switches the notebook's mode, recorded in its metadata. */
  setReactive(on: boolean): void {
    if (this.refused() || on === this.reactive) return;
    setReactive(this.nb, on);
    if (!on) {
      for (const c of this.nb.cells) {
        if (c.stale || c.reran) {
          c.stale = '';
          c.reran = '';
          this.nb.emit('cell', c);
        }
      }
      return;
    }
    // What ran before holds the names of the cells as they ran.
    void this.fetchGraph([]).then((g) => {
      if (!g) return;
      for (const n of g.cells) {
        const c = this.nb.byId(n.id);
        if (c && c.ranSource !== null && !this.ranNames.has(n.id)) this.ranNames.set(n.id, n.defines);
      }
      this.markStale(g);
    });
  }

  private codeCells(): { id: string; source: string }[] {
    return this.nb.cells.filter((c) => c.type === 'code').map((c) => ({ id: c.id, source: c.source }));
  }

  private async fetchGraph(run: string[]): Promise<GraphAnswer | null> {
    if (!this.host.graph) return null;
    try {
      this.graph = await this.host.graph(this.codeCells(), run);
      return this.graph;
    } catch (e) {
      this.host.notify(`Cannot work out which cells depend on which: ${e instanceof Error ? e.message : e}`, { error: true });
      return null;
    }
  }

  /**
   * runReactive runs the cells ids and every cell that uses their names,
   * in dependency order. A cell that cannot run (a name another cell
   * defines too, a cycle, a syntax error, or a use of such a cell's
   * names) shows why instead. When a name that cells defined is no longer
   * defined by any cell (a cell deleted or changed), the kernel restarts
   * and the whole notebook runs, so that no cell sees its old value.
   */
  async runReactive(ids: string[], reason = ''): Promise<Cell[]> {
    const g = await this.fetchGraph(ids);
    if (!g || !this.kernel) return [];
    const gone = vanished(this.ranNames, g);
    if (gone.length > 0) {
      await this.restartAndRunAll(`${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} no longer defined by any cell`);
      return [];
    }
    this.showBlocked(g);
    const asked = new Set(ids);
    const cells = g.run.map((id) => this.nb.byId(id)).filter((c): c is Cell => c !== undefined);
    for (const c of cells) {
      const why = asked.has(c.id) ? reason : this.reason(g, c.id, ids);
      this.send([c], why);
    }
    this.nb.setDirty();
    return cells;
  }

  /** reason says why cell id runs after the cells ran: the names it uses of them. */
  private reason(g: GraphAnswer, id: string, ran: string[]): string {
    const node = g.cells.find((n) => n.id === id);
    const upstream = new Set(ran);
    for (const d of dependents(g, ran)) upstream.add(d);
    const names = g.cells.filter((n) => upstream.has(n.id) && n.id !== id).flatMap((n) => n.defines).filter((x) => node?.uses.includes(x));
    return names.length ? `ran again: it uses ${[...new Set(names)].join(', ')}` : 'ran again: it depends on a cell that ran';
  }

  /** showBlocked shows each cell that cannot run why, as its error. */
  private showBlocked(g: GraphAnswer): void {
    const why = new Map<string, string[]>();
    for (const p of [...g.problems, ...g.blocked]) {
      const l = why.get(p.cell) ?? [];
      if (!l.includes(p.message)) l.push(p.message);
      why.set(p.cell, l);
    }
    for (const [id, msgs] of why) {
      const c = this.nb.byId(id);
      if (!c) continue;
      const o: NbOutput = {
        output_type: 'error', ename: 'ReactiveError', evalue: msgs.join('; '),
        traceback: msgs.map((m) => `ReactiveError: this cell ${m}`),
      };
      c.outputs.clear();
      c.outputs.items.push(o);
      c.stale = 'not run: ' + msgs.join('; ');
      c.pendingClear = false;
      this.nb.emit('outputs', { cell: c });
      this.nb.emit('cell', c);
    }
  }

  private async restartAndRunAll(why: string): Promise<void> {
    if (!this.kernel) return;
    this.host.notify(`${why}: the kernel restarts and runs the notebook again, so that no cell sees an old value.`);
    const idle = this.waitIdleAfterRestart();
    this.kernel.restart();
    this.ranNames.clear();
    if (!(await idle)) return;
    await this.runReactive(this.codeCells().map((c) => c.id));
  }

  /** scheduleStale works out the stale cells a moment after the typing stops. */
  private scheduleStale(): void {
    if (this.staleTimer !== null) clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      void this.fetchGraph([]).then((g) => { if (g) this.markStale(g); });
    }, 300);
  }

  private markStale(g: GraphAnswer): void {
    const stale = staleCells(this.nb, g);
    for (const c of this.nb.cells) {
      if (c.type !== 'code' || c.state !== 'idle') continue;
      const why = stale.get(c.id) ?? (c.stale.startsWith('not run') || c.stale.startsWith('did not run') ? c.stale : '');
      if (why !== c.stale) {
        c.stale = why;
        this.nb.emit('cell', c);
      }
    }
  }

  /**
   * widgetChanged takes a widget's new value: kept in the notebook (its
   * widget state and the output), then the cells that read it run with it
   * (the widget's own cell does not: the control stays under the
   * pointer). While they run, later moves wait; only the last one runs
   * next. It resolves when the cells that read this value have run.
   */
  widgetChanged(cell: Cell, d: WidgetDesc, value: number | string | boolean): Promise<void> {
    this.widgets[d.label] = value;
    setWidgetValue(this.nb, d, value);
    setWidgetOutput(cell, d.label, value);
    this.nb.setDirty();
    return new Promise((resolve) => {
      if (this.widgetRun) {
        this.widgetNext?.resolve();
        this.widgetNext = { cell, d, resolve };
        return;
      }
      void this.runWidget(cell, d, resolve);
    });
  }

  private async runWidget(cell: Cell, d: WidgetDesc, resolve: () => void): Promise<void> {
    const key = cell.id + '\n' + this.codeCells().map((c) => c.id + '\0' + c.source).join('\0');
    let after: string[] | null = this.widgetPlan?.key === key ? this.widgetPlan.run : null;
    if (!after) {
      const g = await this.fetchGraph([cell.id]);
      after = g ? g.run.filter((id) => id !== cell.id) : [];
      if (g) this.widgetPlan = { key, run: after };
    }
    if (after.length === 0 || !this.kernel) {
      resolve();
      this.nextWidget();
      return;
    }
    const reason = `ran again: ${d.label} changed`;
    const cells = after.map((id) => this.nb.byId(id)).filter((c): c is Cell => c !== undefined);
    this.widgetRun = { cells: new Set(cells.map((c) => c.id)), done: resolve };
    this.send(cells, reason, true);
  }

  private nextWidget(): void {
    const n = this.widgetNext;
    this.widgetNext = null;
    if (n) void this.runWidget(n.cell, n.d, n.resolve);
  }

  /** widgetFrame notes the end of a widget's run: its cells are all idle again. */
  private widgetFrame(): void {
    const r = this.widgetRun;
    if (!r) return;
    for (const id of r.cells) {
      const c = this.nb.byId(id);
      if (c && c.state !== 'idle') return;
    }
    this.widgetRun = null;
    r.done();
    this.nextWidget();
  }
  runAbove(): void { this.run(this.nb.cells.slice(0, this.selected)); }
  runBelow(): void { this.run(this.nb.cells.slice(this.selected)); }

  interrupt(): void {
    this.kernel?.interrupt();
  }

  /** restart restarts the kernel (after asking), then runs all cells if asked. */
  async restart(runAll: boolean): Promise<void> {
    if (this.refused() || !this.kernel) return;
    if (!(await this.host.confirmRestart())) return;
    const idle = this.waitIdleAfterRestart();
    this.kernel.restart();
    if (runAll && (await idle)) this.runAll();
  }

  private async waitIdleAfterRestart(): Promise<boolean> {
    // Wait until the kernel leaves "idle" (restarting), then until it is idle again.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000);
      const check = (s: ConnStatus) => {
        if (s !== 'idle' && s !== 'busy') {
          clearTimeout(t);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
    return this.kernelStatus === 'idle' ? true : this.waitIdle();
  }

  clearOutputs(all: boolean): void {
    if (this.refused()) return;
    const c = this.selectedCell;
    this.nb.clearOutputs(all ? this.nb.cells : c ? [c] : []);
  }

  save(): Promise<void> {
    if (this.refused()) return Promise.resolve();
    return this.saver.save();
  }

  private checking = false;

  /**
   * checkDisk looks whether the file on disk is still the version this
   * page last loaded or saved (the page got focus): a version with other
   * content (an editor, git, another program) or a deleted file is the
   * user's choice, reload or keep mine; another tab's save of the same
   * cells is taken silently, as its "saved" frame would be.
   */
  async checkDisk(): Promise<void> {
    if (this.readOnly || !this.host.readDisk || this.checking) return;
    if (this.saver.state === 'saving' || this.saver.state === 'conflict') return;
    this.checking = true;
    try {
      const etag = this.saver.etag;
      let file: { etag: string; notebook: unknown } | null;
      try {
        const f = this.host.readDiskIfChanged ? await this.host.readDiskIfChanged(etag) : await this.host.readDisk();
        if (f === 'unchanged') return;
        file = f;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) return;
        file = null;
      }
      if (this.saver.etag !== etag || file?.etag === etag) return;
      if (file) {
        const disk = Notebook.fromJSON(file.notebook);
        if (this.nb.sameContent(disk)) {
          this.saver.adopt(file.etag);
          return;
        }
        if (this.nb.sameCells(disk) && (await this.host.sessionETag?.().catch(() => null)) === file.etag) {
          this.saver.follow(file.etag); // another tab saved other outputs of the shared kernel: write these over them
          return;
        }
      }
      await this.saver.diskChanged(file?.etag ?? '', file ? 'The file changed on disk.' : 'The file was deleted or moved on disk.');
    } finally {
      this.checking = false;
    }
  }

  destroy(): void {
    this.saver.stop();
    this.nearView?.disconnect();
    if (this.outputsFrame !== null) cancelAnimationFrame(this.outputsFrame);
    for (const off of this.offs) off();
    for (const v of this.views.values()) v.destroy();
    this.views.clear();
    this.el.remove();
  }
}
