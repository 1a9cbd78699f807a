// CellView is one cell on the page: its prompt ("[3]", "[*]" while running,
// "[-]" queued), its editor (or rendered Markdown) and its outputs.
//
// A lazy view (a cell far down a long notebook) shows its source as plain
// text until reveal() — when it scrolls near the viewport, or is edited —
// builds the editor or renders the Markdown: opening a notebook of
// hundreds of cells builds only the editors on screen. A read-only view
// never gets an editor: its source stays plain text (Markdown rendered).

import type { Cell } from '../notebook/model';
import type { NbOutput } from '../notebook/nbformat';
import { CellEditor, type EditorHooks } from '../editor/editor';
import { growStream, renderOutput, updateOutput, type RenderOptions } from '../outputs/render';
import type { WidgetDesc } from '../notebook/reactive';
import { fillMarkdown } from '../markdown/lazy';

export interface CellHooks extends Omit<EditorHooks, 'onChange' | 'onFocus'> {
  onChange: (cell: Cell, source: string) => void;
  /** onSelect: the cell was clicked or its editor focused. */
  onSelect: (cell: Cell, edit: boolean) => void;
  /** onWidget: the reader moved a widget of the cell's outputs; resolves when the cells that read it ran. */
  onWidget?: (cell: Cell, d: WidgetDesc, value: number | string | boolean) => Promise<void>;
}

export class CellView {
  readonly el: HTMLElement;
  private readonly prompt: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly renderOpts: RenderOptions;
  private readonly input: HTMLElement;
  private readonly rendered: HTMLElement;
  private readonly outputsEl: HTMLElement;
  private editor: CellEditor | null = null;
  private shown: NbOutput[] = [];
  private shownEls: HTMLElement[] = [];
  private editing = false;
  private renderedSource: string | null = null;
  private revealed: boolean;
  private plain: HTMLElement | null = null;

  constructor(readonly cell: Cell, private readonly hooks: CellHooks, lazy = false, private readonly readOnly = false) {
    this.revealed = !lazy;
    this.el = document.createElement('section');
    this.el.className = 'cell';
    this.el.dataset['testid'] = 'cell';
    this.el.dataset['cellId'] = cell.id;
    this.el.tabIndex = -1;
    this.el.setAttribute('aria-selected', 'false');

    const gutter = document.createElement('div');
    gutter.className = 'cell-gutter';
    this.prompt = document.createElement('span');
    this.prompt.className = 'cell-prompt';
    this.prompt.dataset['testid'] = 'cell-prompt';
    this.badge = document.createElement('span');
    this.badge.className = 'cell-badge';
    this.badge.dataset['testid'] = 'cell-badge';
    this.badge.hidden = true;
    gutter.append(this.prompt, this.badge);
    const onWidget = hooks.onWidget;
    this.renderOpts = onWidget && !readOnly ? { onWidget: (d, v) => onWidget(this.cell, d, v) } : {};

    const body = document.createElement('div');
    body.className = 'cell-body';
    this.input = document.createElement('div');
    this.input.className = 'cell-input';
    this.rendered = document.createElement('div');
    this.rendered.className = 'markdown-body cell-rendered';
    this.rendered.dataset['testid'] = 'markdown-rendered';
    this.rendered.addEventListener('dblclick', () => this.hooks.onSelect(this.cell, true));
    this.outputsEl = document.createElement('div');
    this.outputsEl.className = 'cell-outputs';
    this.outputsEl.dataset['testid'] = 'outputs';
    this.outputsEl.setAttribute('aria-live', 'polite');
    body.append(this.input, this.rendered, this.outputsEl);
    this.el.append(gutter, body);

    this.el.addEventListener('mousedown', (ev) => {
      const inEditor = (ev.target as HTMLElement).closest('.cm-editor') !== null;
      if (!inEditor) this.hooks.onSelect(this.cell, false);
    });
    this.refresh();
  }

  /** reveal builds what a lazy view left out (the editor, rendered Markdown). */
  reveal(): void {
    if (this.revealed) return;
    this.revealed = true;
    this.plain?.remove();
    this.plain = null;
    this.refresh();
  }

  get isRevealed(): boolean {
    return this.revealed;
  }

  private ensureEditor(): CellEditor {
    if (!this.editor) {
      this.revealed = true;
      this.plain?.remove();
      this.plain = null;
      this.editor = new CellEditor(this.input, this.cell.source, this.cell.type === 'code' ? 'go' : 'text', {
        onChange: (s) => this.hooks.onChange(this.cell, s),
        onFocus: () => this.hooks.onSelect(this.cell, true),
        onKeydown: this.hooks.onKeydown,
        ...(this.hooks.complete ? { complete: this.hooks.complete } : {}),
        ...(this.hooks.inspect ? { inspect: this.hooks.inspect } : {}),
      }, `${this.cell.type} cell editor`);
      this.editor.showErrorLine(this.cell.errorLine);
    }
    return this.editor;
  }

  /** refresh brings type, prompt, source and outputs in line with the model. */
  refresh(): void {
    const c = this.cell;
    this.el.dataset['cellType'] = c.type;
    this.el.dataset['state'] = c.state;
    this.el.classList.toggle('cell-code', c.type === 'code');
    this.el.classList.toggle('cell-markdown', c.type === 'markdown');
    this.el.classList.toggle('cell-raw', c.type === 'raw');
    this.el.setAttribute('aria-label', `${c.type === 'code' ? 'Code' : c.type === 'markdown' ? 'Markdown' : 'Raw'} cell`);
    this.refreshPrompt();
    const showRendered = c.type === 'markdown' && !this.editing;
    this.rendered.hidden = !showRendered;
    this.input.hidden = showRendered;
    if (!this.revealed || (this.readOnly && !showRendered)) {
      // Plain source until reveal() (or for good, read-only): cheap to build, same text and font.
      if (!this.plain) {
        this.plain = document.createElement('pre');
        this.plain.className = 'cell-plain';
      }
      this.plain.textContent = c.source;
      (showRendered ? this.rendered : this.input).replaceChildren(this.plain);
      this.renderedSource = null;
    } else if (showRendered) {
      if (this.renderedSource !== c.source) {
        this.renderedSource = c.source;
        if (c.source.trim() === '') {
          this.rendered.textContent = 'Empty Markdown cell: double-click or press Enter to edit.';
          this.rendered.classList.add('md-empty');
        } else {
          this.rendered.classList.remove('md-empty');
          void fillMarkdown(this.rendered, c.source);
        }
      }
    } else {
      const ed = this.ensureEditor();
      ed.setValue(c.source);
      ed.setLanguage(c.type === 'code' ? 'go' : 'text');
    }
    this.outputsEl.hidden = c.type !== 'code';
    this.refreshOutputs();
  }

  refreshPrompt(): void {
    const c = this.cell;
    this.el.dataset['state'] = c.state;
    let text = '';
    if (c.type === 'code') {
      if (c.state === 'running') text = '[*]';
      else if (c.state === 'queued') text = '[-]';
      else text = c.executionCount === null ? '[ ]' : `[${c.executionCount}]`;
    }
    this.prompt.textContent = text;
    this.prompt.title = c.state === 'running' ? 'running' : c.state === 'queued' ? 'queued' : '';
    this.prompt.dataset['executionCount'] = c.executionCount === null ? '' : String(c.executionCount);
    // A reactive notebook marks cells that are out of date, and cells
    // that ran again by themselves (after a cell or a widget they use).
    this.el.classList.toggle('cell-stale', c.stale !== '');
    this.el.classList.toggle('cell-reran', c.reran !== '' && c.stale === '');
    this.el.dataset['stale'] = c.stale;
    this.el.dataset['reran'] = c.reran;
    if (c.stale) {
      this.badge.hidden = false;
      this.badge.textContent = 'stale';
      this.badge.title = c.stale;
    } else if (c.reran) {
      this.badge.hidden = false;
      this.badge.textContent = 're-ran';
      this.badge.title = c.reran;
    } else {
      this.badge.hidden = true;
      this.badge.textContent = '';
      this.badge.title = '';
    }
  }

  /** refreshOutputs renders what changed since the last call (by identity). */
  refreshOutputs(replaced: number[] = []): void {
    const items = this.cell.outputs.items;
    for (let i = 0; i < items.length; i++) {
      const o = items[i]!;
      const el = this.shownEls[i];
      if (el && this.shown[i] === o) continue;
      if (el) {
        if (replaced.includes(i)) this.shownEls[i] = updateOutput(el, o, this.renderOpts);
        else if (!growStream(el, o)) this.shownEls[i] = replaceWith(el, renderOutput(o, this.renderOpts));
      } else {
        const n = renderOutput(o, this.renderOpts);
        this.outputsEl.append(n);
        this.shownEls[i] = n;
      }
      this.shown[i] = o;
    }
    for (const el of this.shownEls.splice(items.length)) el.remove();
    this.shown.length = items.length;
    this.editor?.showErrorLine(this.cell.errorLine);
  }

  setSelected(sel: boolean): void {
    this.el.classList.toggle('selected', sel);
    this.el.setAttribute('aria-selected', String(sel));
  }

  /** edit switches the cell to its editor and focuses it. */
  edit(): void {
    if (this.readOnly) return;
    this.editing = true;
    this.refresh();
    this.ensureEditor().focus();
  }

  /** leaveEdit blurs the editor; Markdown cells show rendered again when render is set. */
  leaveEdit(render: boolean): void {
    this.editor?.blur();
    if (render || this.cell.type !== 'markdown') {
      this.editing = false;
      this.refresh();
    }
    this.el.focus({ preventScroll: true });
  }

  get isEditing(): boolean {
    return this.editing || (this.editor?.hasFocus() ?? false);
  }

  get cursor(): number {
    return this.editor?.cursor ?? this.cell.source.length;
  }

  destroy(): void {
    this.editor?.destroy();
    this.el.remove();
  }
}

function replaceWith(old: HTMLElement, n: HTMLElement): HTMLElement {
  old.replaceWith(n);
  return n;
}
