// Jupyter's keyboard model as a small state machine, free of the DOM:
// command mode (a cell is selected) and edit mode (typing in a cell),
// with two-key chords (D D, I I, 0 0).

export type Mode = 'command' | 'edit';

export type Action =
  | 'run-advance' | 'run' | 'run-insert-below'
  | 'enter-edit' | 'exit-edit'
  | 'insert-above' | 'insert-below' | 'delete' | 'undo-delete'
  | 'to-markdown' | 'to-code' | 'to-raw'
  | 'select-prev' | 'select-next' | 'select-first' | 'select-last'
  | 'move-up' | 'move-down'
  | 'split' | 'merge-below'
  | 'save' | 'interrupt' | 'restart'
  | 'copy' | 'cut' | 'paste'
  | 'shortcuts';

export interface Key {
  key: string;
  ctrl?: boolean;
  shift?: boolean;
  alt?: boolean;
  meta?: boolean;
}

export interface Shortcut {
  keys: string;
  mode: Mode | 'both';
  action: Action;
  help: string;
}

/** The shortcuts shown in the sheet (what KeyModel implements). */
export const shortcuts: Shortcut[] = [
  { keys: 'Shift+Enter', mode: 'both', action: 'run-advance', help: 'Run cell, select below' },
  { keys: 'Ctrl+Enter', mode: 'both', action: 'run', help: 'Run cell' },
  { keys: 'Alt+Enter', mode: 'both', action: 'run-insert-below', help: 'Run cell, insert below' },
  { keys: 'Ctrl+S', mode: 'both', action: 'save', help: 'Save' },
  { keys: 'Enter', mode: 'command', action: 'enter-edit', help: 'Edit the selected cell' },
  { keys: 'Esc', mode: 'edit', action: 'exit-edit', help: 'Leave the editor (command mode)' },
  { keys: 'Ctrl+Shift+-', mode: 'edit', action: 'split', help: 'Split cell at cursor' },
  { keys: 'Up / K', mode: 'command', action: 'select-prev', help: 'Select cell above' },
  { keys: 'Down / J', mode: 'command', action: 'select-next', help: 'Select cell below' },
  { keys: 'A', mode: 'command', action: 'insert-above', help: 'Insert cell above' },
  { keys: 'B', mode: 'command', action: 'insert-below', help: 'Insert cell below' },
  { keys: 'D D', mode: 'command', action: 'delete', help: 'Delete cell' },
  { keys: 'Z', mode: 'command', action: 'undo-delete', help: 'Undo cell deletion' },
  { keys: 'M', mode: 'command', action: 'to-markdown', help: 'Change to Markdown' },
  { keys: 'Y', mode: 'command', action: 'to-code', help: 'Change to code' },
  { keys: 'R', mode: 'command', action: 'to-raw', help: 'Change to raw' },
  { keys: 'Shift+M', mode: 'command', action: 'merge-below', help: 'Merge with cell below' },
  { keys: 'Ctrl+Shift+Up', mode: 'command', action: 'move-up', help: 'Move cell up' },
  { keys: 'Ctrl+Shift+Down', mode: 'command', action: 'move-down', help: 'Move cell down' },
  { keys: 'Home / End', mode: 'command', action: 'select-first', help: 'Select first / last cell' },
  { keys: 'C / X / V', mode: 'command', action: 'copy', help: 'Copy / cut / paste cell' },
  { keys: 'I I', mode: 'command', action: 'interrupt', help: 'Interrupt the kernel' },
  { keys: '0 0', mode: 'command', action: 'restart', help: 'Restart the kernel' },
  { keys: 'H', mode: 'command', action: 'shortcuts', help: 'Show keyboard shortcuts' },
];

/** The keys of the cell editor (CodeMirror's, see editor/editor.ts), for the sheet. */
export const editorKeys: Array<{ keys: string; help: string }> = [
  { keys: 'Tab', help: 'Complete the name (accept the completion shown); elsewhere indent' },
  { keys: 'Shift+Tab / Ctrl+I', help: 'Show the docs of the name at the cursor (Esc closes them)' },
];

const chords: Record<string, Action> = { d: 'delete', i: 'interrupt', '0': 'restart' };

const single: Record<string, Action> = {
  a: 'insert-above', b: 'insert-below', z: 'undo-delete',
  m: 'to-markdown', y: 'to-code', r: 'to-raw',
  k: 'select-prev', j: 'select-next', arrowup: 'select-prev', arrowdown: 'select-next',
  home: 'select-first', end: 'select-last',
  c: 'copy', x: 'cut', v: 'paste', h: 'shortcuts',
  enter: 'enter-edit',
};

export class KeyModel {
  mode: Mode = 'command';
  private pending = '';
  private pendingAt = 0;

  constructor(private readonly now: () => number = () => Date.now(), private readonly chordMs = 800) {}

  /**
   * handle maps a key press to an action, or null when the key is not a
   * notebook shortcut (and should go to the editor or the browser). It also
   * switches mode on enter-edit and exit-edit.
   */
  handle(k: Key): Action | null {
    const key = k.key.toLowerCase();
    const mod = !!(k.ctrl || k.meta);
    if (key === 'enter') {
      if (k.shift && !mod && !k.alt) return this.done('run-advance');
      if (mod && !k.shift && !k.alt) return this.done('run');
      if (k.alt && !mod && !k.shift) return this.done('run-insert-below');
    }
    if (mod && !k.alt && !k.shift && key === 's') return this.done('save');

    if (this.mode === 'edit') {
      if (key === 'escape') {
        this.mode = 'command';
        return this.done('exit-edit');
      }
      if (mod && k.shift && (key === '-' || key === '_')) return this.done('split');
      return null;
    }

    // Command mode.
    if (mod && k.shift && key === 'arrowup') return this.done('move-up');
    if (mod && k.shift && key === 'arrowdown') return this.done('move-down');
    if (mod || k.alt) return this.done(null);
    if (k.shift) {
      if (key === 'm') return this.done('merge-below');
      if (key === 'arrowup') return this.done('select-prev');
      if (key === 'arrowdown') return this.done('select-next');
      return this.done(null);
    }
    const chord = chords[key];
    if (chord) {
      const t = this.now();
      if (this.pending === key && t - this.pendingAt <= this.chordMs) return this.done(chord);
      this.pending = key;
      this.pendingAt = t;
      return null;
    }
    const a = single[key];
    if (a === 'enter-edit') this.mode = 'edit';
    return this.done(a ?? null);
  }

  private done(a: Action | null): Action | null {
    this.pending = '';
    return a;
  }

  /** isShortcutKey tells whether a press in command mode starts a chord (to swallow it). */
  get chordPending(): boolean {
    return this.pending !== '';
  }
}
