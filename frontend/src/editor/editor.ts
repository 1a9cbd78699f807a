// CellEditor is a cell's CodeMirror 6 editor: Go highlighting, bracket
// matching and closing, history, search, completion and hover docs asked
// from the kernel, and a highlighted line for the cell's last error.
//
// Keys beyond CodeMirror's: Tab accepts the open completion, or opens one
// after a name, or indents; Shift+Tab on a name (as in Jupyter) and
// Ctrl+I show the name's docs at the cursor (Esc closes them); Shift+Tab
// elsewhere indents less.

import { EditorState, Compartment, StateEffect, StateField, Prec, type Extension } from '@codemirror/state';
import {
  EditorView, Decoration, keymap, drawSelection, highlightActiveLine,
  highlightSpecialChars, hoverTooltip, lineNumbers, showTooltip, type Command, type Tooltip,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import {
  acceptCompletion, autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, completionStatus,
  startCompletion, type Completion, type CompletionContext, type CompletionResult,
} from '@codemirror/autocomplete';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { go } from '@codemirror/lang-go';
import { editorTheme, highlight } from './theme';
import { toCodePoints, toUTF16 } from '../util/codepoints';
import { stripAnsi } from '../outputs/ansi';
import type { CompleteReply, CompletionType, InspectReply } from '../kernel/kernel';

export interface EditorHooks {
  onChange: (source: string) => void;
  onFocus: () => void;
  /** onKeydown gets keys first; return true when the notebook handled one. */
  onKeydown: (ev: KeyboardEvent) => boolean;
  complete?: (code: string, cursorPos: number) => Promise<CompleteReply | null>;
  inspect?: (code: string, cursorPos: number) => Promise<InspectReply | null>;
}

const setErrorLine = StateEffect.define<number>();
// errorLineField is the highlighted line (1-based; 0: none). An edit
// clears it: the line numbers of the error no longer hold.
const errorLineField = StateField.define<number>({
  create: () => 0,
  update(line, tr) {
    for (const e of tr.effects) {
      if (e.is(setErrorLine)) return e.value >= 1 && e.value <= tr.state.doc.lines ? e.value : 0;
    }
    return tr.docChanged ? 0 : line;
  },
  provide: (f) => EditorView.decorations.compute([f], (state) => {
    const n = state.field(f);
    if (n === 0) return Decoration.none;
    return Decoration.set([Decoration.line({ class: 'cm-error-line', attributes: { 'data-testid': 'error-line' } }).range(state.doc.line(n).from)]);
  }),
});

function kernelCompletion(hooks: EditorHooks) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    if (!hooks.complete) return null;
    const word = ctx.matchBefore(/[\w.]*$/);
    if (!ctx.explicit && (!word || word.from === word.to)) return null;
    const code = ctx.state.doc.toString();
    const reply = await hooks.complete(code, toCodePoints(code, ctx.pos));
    if (!reply || reply.matches.length === 0 || ctx.aborted) return null;
    const types = new Map((reply.types ?? []).map((t) => [t.text, t]));
    return {
      from: toUTF16(code, reply.cursor_start),
      to: toUTF16(code, reply.cursor_end),
      options: reply.matches.map((m) => completionOption(m, types.get(m))),
      validFor: /^\w*$/,
    };
  };
}

// cmTypes maps the kernel's completion types to CodeMirror's (its icons).
const cmTypes: Record<string, string> = {
  function: 'function', method: 'method', type: 'type', variable: 'variable',
  constant: 'constant', field: 'property', package: 'namespace', keyword: 'keyword',
};

/** completionOption is a match as the popup shows it: its signature beside it, its doc aside. */
export function completionOption(label: string, t?: CompletionType): Completion {
  const opt: Completion = { label };
  if (!t) return opt;
  if (t.type && cmTypes[t.type]) opt.type = cmTypes[t.type];
  const sig = shortSignature(label, t.signature ?? '');
  if (sig) opt.detail = sig;
  if (t.doc || t.signature) {
    opt.info = () => {
      const dom = document.createElement('div');
      dom.className = 'cm-completion-doc';
      if (t.signature) {
        const pre = document.createElement('pre');
        pre.textContent = t.signature;
        dom.append(pre);
      }
      if (t.doc) {
        const p = document.createElement('p');
        p.textContent = t.doc;
        dom.append(p);
      }
      return dom;
    };
  }
  return opt;
}

/**
 * shortSignature is a signature without what the label already says
 * ("func (g *Glacier) ProgressToYear(year float64) error" → "(year float64) error"),
 * at most 60 characters.
 */
export function shortSignature(label: string, sig: string): string {
  let s = sig.trim();
  const decl = s.match(/^func\s+(?:\([^)]*\)\s*)?([\p{L}_][\p{L}\p{N}_]*)/u);
  if (decl && decl[1] === label) s = s.slice(decl[0].length);
  else if (s.startsWith('func(')) s = s.slice(4);
  s = s.split('\n')[0] ?? '';
  return s.length > 60 ? s.slice(0, 59) + '…' : s;
}

// The docs shown from the keyboard (Shift+Tab, Ctrl+I): a tooltip at the
// cursor until the text or the cursor changes, or Esc.
const setDocTip = StateEffect.define<Tooltip | null>();
const docTipField = StateField.define<Tooltip | null>({
  create: () => null,
  update(tip, tr) {
    for (const e of tr.effects) if (e.is(setDocTip)) return e.value;
    return tr.docChanged || tr.selection ? null : tip;
  },
  provide: (f) => showTooltip.from(f),
});

function docTooltip(pos: number, text: string): Tooltip {
  return {
    pos,
    above: true,
    create() {
      const dom = document.createElement('pre');
      dom.className = 'cm-inspect';
      dom.dataset['testid'] = 'inspect-tooltip';
      dom.textContent = text;
      return { dom };
    },
  };
}

/** showDocs asks the kernel for the docs of the name at the cursor and shows them there. */
function showDocs(hooks: EditorHooks): Command {
  return (view) => {
    if (!hooks.inspect) return false;
    const code = view.state.doc.toString();
    const pos = view.state.selection.main.head;
    void hooks.inspect(code, toCodePoints(code, pos)).then((reply) => {
      // The user moved on meanwhile: nothing to show.
      if (view.state.selection.main.head !== pos || view.state.doc.toString() !== code) return;
      const text = reply?.data['text/plain'];
      const shown = typeof text === 'string' && text.trim() ? stripAnsi(text) : 'No documentation for the name at the cursor.';
      view.dispatch({ effects: setDocTip.of(docTooltip(pos, shown)) });
    });
    return true;
  };
}

/** nameAtCursor reports whether the cursor touches a name (a letter, digit or _ beside it). */
function nameAtCursor(view: EditorView): boolean {
  const { head, empty } = view.state.selection.main;
  if (!empty) return false;
  const line = view.state.doc.lineAt(head);
  const before = line.text.slice(0, head - line.from);
  const after = line.text.slice(head - line.from);
  return /[\p{L}\p{N}_]$/u.test(before) || /^[\p{L}\p{N}_]/u.test(after);
}

/** tabKey accepts the open completion, or opens one after a name; else Tab indents. */
const tabKey: Command = (view) => {
  if (acceptCompletion(view)) return true;
  const { head, empty } = view.state.selection.main;
  const line = view.state.doc.lineAt(head);
  if (empty && /[\p{L}\p{N}_.]$/u.test(line.text.slice(0, head - line.from))) return startCompletion(view);
  return false;
};

/** docKeys: Shift+Tab on a name and Ctrl+I show its docs; Esc closes them. */
function docKeys(hooks: EditorHooks) {
  const docs = showDocs(hooks);
  return [
    { key: 'Tab', run: tabKey },
    { key: 'Shift-Tab', run: (view: EditorView) => nameAtCursor(view) && docs(view) },
    { key: 'Ctrl-i', run: docs },
    {
      key: 'Escape',
      run: (view: EditorView) => {
        if (!view.state.field(docTipField)) return false;
        view.dispatch({ effects: setDocTip.of(null) });
        return true;
      },
    },
  ];
}

function kernelHover(hooks: EditorHooks): Extension {
  return hoverTooltip(async (view, pos): Promise<Tooltip | null> => {
    if (!hooks.inspect) return null;
    const code = view.state.doc.toString();
    const reply = await hooks.inspect(code, toCodePoints(code, pos));
    if (!reply) return null;
    const text = reply.data['text/plain'];
    if (typeof text !== 'string' || !text.trim()) return null;
    return {
      pos,
      above: true,
      create() {
        const dom = document.createElement('pre');
        dom.className = 'cm-inspect';
        dom.dataset['testid'] = 'inspect-tooltip';
        dom.textContent = stripAnsi(text);
        return { dom };
      },
    };
  }, { hoverTime: 400 });
}

export class CellEditor {
  readonly view: EditorView;
  private readonly lang = new Compartment();
  private silent = false;
  private language: 'go' | 'text';

  constructor(parent: HTMLElement, source: string, language: 'go' | 'text', hooks: EditorHooks, label: string) {
    this.language = language;
    const extensions: Extension[] = [
      Prec.highest(EditorView.domEventHandlers({
        keydown: (ev, view) => {
          if (ev.key === 'Escape' && (completionStatus(view.state) !== null || view.state.field(docTipField))) return false;
          if (hooks.onKeydown(ev)) {
            ev.preventDefault();
            return true;
          }
          return false;
        },
      })),
      lineNumbers(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      indentOnInput(),
      indentUnit.of('\t'),
      EditorState.tabSize.of(4),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      autocompletion({ override: [kernelCompletion(hooks)], activateOnTyping: true }),
      kernelHover(hooks),
      docTipField,
      keymap.of([...docKeys(hooks), ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
      this.lang.of(language === 'go' ? go() : []),
      editorTheme,
      highlight,
      errorLineField,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !this.silent) hooks.onChange(u.state.doc.toString());
        if (u.focusChanged && u.view.hasFocus) hooks.onFocus();
      }),
    ];
    this.view = new EditorView({ parent, state: EditorState.create({ doc: source, extensions }) });
  }

  get value(): string {
    return this.view.state.doc.toString();
  }

  /** setValue replaces the text without reporting a change. */
  setValue(s: string): void {
    if (s === this.value) return;
    this.silent = true;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: s } });
    this.silent = false;
  }

  setLanguage(language: 'go' | 'text'): void {
    // Reconfiguring re-parses and re-highlights the whole cell: only on a change.
    if (language === this.language) return;
    this.language = language;
    this.view.dispatch({ effects: this.lang.reconfigure(language === 'go' ? go() : []) });
  }

  /** cursor is the offset of the main selection's head (UTF-16). */
  get cursor(): number {
    return this.view.state.selection.main.head;
  }

  focus(atEnd = false): void {
    this.view.focus();
    if (atEnd) this.view.dispatch({ selection: { anchor: this.view.state.doc.length } });
  }

  blur(): void {
    this.view.contentDOM.blur();
  }

  hasFocus(): boolean {
    return this.view.hasFocus;
  }

  /** showErrorLine highlights line n (1-based); 0 clears. */
  showErrorLine(n: number): void {
    const want = n >= 1 && n <= this.view.state.doc.lines ? n : 0;
    if (this.view.state.field(errorLineField) === want) return; // no transaction for nothing
    this.view.dispatch({ effects: setErrorLine.of(n) });
  }

  destroy(): void {
    this.view.destroy();
  }
}
