// CellEditor is a cell's CodeMirror 6 editor: Go highlighting, bracket
// matching and closing, history, search, completion and hover docs asked
// from the kernel, and a highlighted line for the cell's last error.

import { EditorState, Compartment, StateEffect, StateField, Prec, type Extension } from '@codemirror/state';
import {
  EditorView, Decoration, keymap, drawSelection, highlightActiveLine,
  highlightSpecialChars, hoverTooltip, lineNumbers, type Tooltip,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import {
  autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, completionStatus,
  type CompletionContext, type CompletionResult,
} from '@codemirror/autocomplete';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { go } from '@codemirror/lang-go';
import { editorTheme, highlight } from './theme';
import { toCodePoints, toUTF16 } from '../util/codepoints';
import { stripAnsi } from '../outputs/ansi';
import type { CompleteReply, InspectReply } from '../kernel/kernel';

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
    return {
      from: toUTF16(code, reply.cursor_start),
      to: toUTF16(code, reply.cursor_end),
      options: reply.matches.map((m) => ({ label: m })),
      validFor: /^\w*$/,
    };
  };
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
          if (ev.key === 'Escape' && completionStatus(view.state) !== null) return false;
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
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
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
