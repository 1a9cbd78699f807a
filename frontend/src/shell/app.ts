// App is the page: top bar (files toggle, notebook name with its save
// state, kernel status, theme, shortcuts), toolbar, file browser and the
// open notebook. The open notebook's path is the URL's hash.

import { Api, ApiError } from '../api/client';
import { FileBrowser } from '../files/browser';
import { Notebook } from '../notebook/model';
import type { NotebookPanel } from '../notebook/panel';
import { editorKeys, shortcuts } from '../notebook/keyboard';
import type { SaveState } from '../notebook/saver';
import { KernelClient } from '../kernel/kernel';
import { KernelStatus } from './status';
import { toolbar } from './toolbar';
import { choose, prompt, sheet } from './dialog';
import { toast } from './toast';
import { initTheme, toggleTheme, currentTheme } from './theme';
import type { CellType } from '../notebook/nbformat';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/**
 * loadPanel loads the notebook view (with CodeMirror and the output
 * renderers) on demand: the start page, a file list, needs none of it and
 * shows sooner; start() fetches it in the background once the list is shown.
 */
let panelModule: Promise<typeof import('../notebook/panel')> | null = null;
const loadPanel = () => (panelModule ??= import('../notebook/panel'));

export class App {
  private readonly files: FileBrowser;
  private readonly status = new KernelStatus();
  private readonly main: HTMLElement;
  private readonly title: HTMLElement;
  private readonly saveState: HTMLElement;
  private readonly typeSelect: HTMLSelectElement;
  private readonly banner: HTMLElement;
  private panel: NotebookPanel | null = null;
  private kernel: KernelClient | null = null;
  private path = '';
  /** Where the open panel saves: its path, which follows renames. */
  private at = { path: '' };
  private readonly hideFilesIfNarrow: () => void;

  constructor(root: HTMLElement, private readonly api: Api) {
    initTheme();
    const notify = (msg: string, o: { undo?: () => void; error?: boolean } = {}) =>
      toast(msg, { kind: o.error ? 'error' : 'info', ...(o.undo ? { action: { label: 'Undo', run: o.undo } } : {}) });

    this.files = new FileBrowser(api, {
      open: (p) => { location.hash = '#' + encodeURI(p); },
      notify,
      prompt: (t, l, v) => prompt(t, l, v),
      renamed: (from, to) => {
        if (from === this.path) this.followRename(to);
        else if (this.path.startsWith(from + '/')) this.followRename(to + this.path.slice(from.length));
      },
      deleted: (p) => { if (p === this.path) this.close(); },
    });

    // Top bar.
    const top = el('header', 'topbar');
    const toggleFiles = el('button', 'btn btn-ghost', { type: 'button', 'aria-label': 'Show or hide files', 'aria-expanded': 'true', 'data-testid': 'btn-toggle-files' });
    toggleFiles.textContent = '☰';
    toggleFiles.addEventListener('click', () => {
      const hidden = root.classList.toggle('files-hidden');
      toggleFiles.setAttribute('aria-expanded', String(!hidden));
    });
    // On a narrow screen (a tablet) the files are a drawer over the
    // notebook: an opened notebook closes it.
    this.hideFilesIfNarrow = () => {
      if (typeof matchMedia === 'function' && matchMedia('(max-width: 900px)').matches) {
        root.classList.add('files-hidden');
        toggleFiles.setAttribute('aria-expanded', 'false');
      }
    };
    const brand = el('span', 'brand');
    brand.textContent = 'Firn';
    this.title = el('h1', 'nb-title', { 'data-testid': 'notebook-title' });
    this.saveState = el('span', 'save-state', { 'data-testid': 'save-state', 'aria-live': 'polite' });
    const theme = el('button', 'btn btn-ghost', { type: 'button', 'data-testid': 'btn-theme' });
    const setThemeLabel = () => {
      const next = currentTheme() === 'dark' ? 'light' : 'dark';
      theme.textContent = next === 'dark' ? '☾' : '☀';
      theme.setAttribute('aria-label', `Switch to ${next} theme`);
      theme.title = `Switch to ${next} theme`;
    };
    setThemeLabel();
    theme.addEventListener('click', () => { toggleTheme(); setThemeLabel(); });
    const help = el('button', 'btn btn-ghost', { type: 'button', 'aria-label': 'Keyboard shortcuts', title: 'Keyboard shortcuts (H)', 'data-testid': 'btn-shortcuts' });
    help.textContent = '⌨';
    help.addEventListener('click', () => this.showShortcuts());
    const spacer = el('span', 'spacer');
    top.append(toggleFiles, brand, this.title, this.saveState, spacer, this.status.el, theme, help);

    // Toolbar.
    const p = () => this.panel;
    this.typeSelect = el('select', 'cell-type', { 'aria-label': 'Cell type', 'data-testid': 'cell-type' });
    for (const t of ['code', 'markdown', 'raw']) {
      const o = document.createElement('option');
      o.value = t;
      o.textContent = t[0]!.toUpperCase() + t.slice(1);
      this.typeSelect.append(o);
    }
    this.typeSelect.addEventListener('change', () => {
      const panel = p();
      if (!panel) return;
      panel.nb.setType(panel.selectedIndex, this.typeSelect.value as CellType);
      panel.select(panel.selectedIndex);
    });
    const bar = toolbar([
      [{ id: 'save', label: 'Save (Ctrl+S)', icon: 'Save', run: () => void p()?.save() }],
      [
        { id: 'add', label: 'Insert cell below (B)', icon: '+', run: () => void p()?.act('insert-below') },
        { id: 'delete', label: 'Delete cell (D D)', icon: '✕', run: () => void p()?.act('delete') },
        { id: 'undo-delete', label: 'Undo cell deletion (Z)', icon: '↶', run: () => void p()?.act('undo-delete') },
        { id: 'move-up', label: 'Move cell up', icon: '↑', run: () => void p()?.act('move-up') },
        { id: 'move-down', label: 'Move cell down', icon: '↓', run: () => void p()?.act('move-down') },
        { id: 'split', label: 'Split cell at cursor (Ctrl+Shift+-)', icon: '÷', run: () => p()?.split() },
        { id: 'merge', label: 'Merge with cell below (Shift+M)', icon: '⊕', run: () => void p()?.act('merge-below') },
      ],
      [
        { id: 'run', label: 'Run cell and select below (Shift+Enter)', icon: '▶', run: () => void p()?.act('run-advance') },
        { id: 'run-all', label: 'Run all cells', icon: '▶▶', run: () => p()?.runAll() },
        { id: 'run-above', label: 'Run cells above', icon: '⤒', run: () => p()?.runAbove() },
        { id: 'run-below', label: 'Run this cell and below', icon: '⤓', run: () => p()?.runBelow() },
        { id: 'interrupt', label: 'Interrupt the kernel (I I)', icon: '■', run: () => p()?.interrupt() },
        { id: 'restart', label: 'Restart the kernel (0 0)', icon: '↻', run: () => void p()?.restart(false) },
        { id: 'restart-run-all', label: 'Restart the kernel and run all cells', icon: '↻▶', run: () => void p()?.restart(true) },
        { id: 'clear', label: 'Clear all outputs', icon: '⌫', run: () => p()?.clearOutputs(true) },
      ],
    ], [this.typeSelect]);

    this.banner = el('div', 'banner', { role: 'alert', 'data-testid': 'banner' });
    this.banner.hidden = true;

    const layout = el('div', 'layout');
    const side = el('aside', 'sidebar');
    side.append(this.files.el);
    this.main = el('main', 'main', { 'aria-label': 'Notebook' });
    layout.append(side, this.main);
    root.append(top, bar, this.banner, layout);

    window.addEventListener('hashchange', () => void this.route());
    window.addEventListener('beforeunload', (ev) => {
      if (this.panel?.saver.dirty) {
        void this.panel.save();
        ev.preventDefault();
      }
    });
    // Ctrl+S anywhere saves instead of opening the browser's dialog.
    document.addEventListener('keydown', (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 's' && this.panel) {
        ev.preventDefault();
        void this.panel.save();
      }
    });
    this.welcome();
  }

  async start(): Promise<void> {
    await Promise.all([this.files.refresh(''), this.files.loadLessons()]);
    if (!this.panel && !location.hash) this.welcome(); // now with the first lesson
    await this.route();
    void loadPanel();
  }

  private welcome(): void {
    const w = el('div', 'welcome', { 'data-testid': 'welcome' });
    const h = el('h2', '');
    h.textContent = 'Welcome to Firn';
    const para = el('p', '');
    para.textContent = 'Open a notebook from the files on the left, start a lesson, or create a new notebook.';
    const actions = el('div', 'welcome-actions');
    const first = this.files.lessons[0];
    if (first) {
      const l = el('button', 'btn btn-primary', { type: 'button', 'data-testid': 'btn-first-lesson' });
      l.textContent = `Start with lesson ${first.title || first.file}`;
      l.addEventListener('click', () => void this.files.openLesson(first));
      actions.append(l);
    }
    const b = el('button', first ? 'btn' : 'btn btn-primary', { type: 'button', 'data-testid': 'btn-new-notebook' });
    b.textContent = 'New notebook';
    b.addEventListener('click', () => void this.files.newNotebook());
    actions.append(b);
    w.append(h, para, actions);
    this.main.replaceChildren(w);
    this.title.textContent = '';
    this.saveState.textContent = '';
    this.status.set('none');
  }

  private async route(): Promise<void> {
    const path = decodeURI(location.hash.replace(/^#/, ''));
    if (path === this.path) return;
    if (!path) {
      this.close();
      return;
    }
    await this.open(path);
  }

  close(): void {
    if (this.panel?.saver.dirty) void this.panel.save();
    this.panel?.destroy();
    this.panel = null;
    this.kernel?.close();
    this.kernel = null;
    this.path = '';
    this.banner.hidden = true;
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    this.welcome();
  }

  /**
   * followRename shows the open notebook under its new path (renamed here,
   * in another tab or with its folder): the session, its kernel and a run
   * under way go on, so nothing is reopened.
   */
  private followRename(to: string): void {
    if (!this.panel || to === this.path) return;
    this.path = to;
    this.at.path = to;
    this.title.textContent = to;
    document.title = `${to.split('/').pop()} — Firn`;
    history.replaceState(null, '', '#' + encodeURI(to));
  }

  async open(path: string): Promise<void> {
    if (this.panel) {
      if (this.panel.saver.dirty) await this.panel.save();
      this.panel.destroy();
      this.kernel?.close();
      this.panel = null;
      this.kernel = null;
    }
    this.path = path;
    this.title.textContent = path;
    document.title = `${path.split('/').pop()} — Firn`;
    this.main.replaceChildren();
    let file, NotebookPanelClass;
    try {
      [file, { NotebookPanel: NotebookPanelClass }] = await Promise.all([this.api.readNotebook(path), loadPanel()]);
    } catch (e) {
      toast(`Cannot open ${path}: ${e instanceof Error ? e.message : e}`, { kind: 'error' });
      this.path = '';
      this.welcome();
      return;
    }
    let nb: Notebook;
    try {
      nb = Notebook.fromJSON(file.notebook);
    } catch (e) {
      toast(`${path}: ${e instanceof Error ? e.message : e}`, { kind: 'error' });
      this.welcome();
      return;
    }
    const at = { path };
    this.at = at;
    const panel = new NotebookPanelClass(nb, file.etag, {
      // at.path, not path: the notebook may be renamed while open.
      write: async (json, etag) => (await this.api.saveNotebook(at.path, json, etag)).etag,
      reload: async () => {
        this.path = '';
        await this.open(at.path);
      },
      readDisk: () => this.api.readNotebook(at.path),
      resolveConflict: () => choose('The file changed on disk',
        `${path} was changed on disk since it was opened here (another tab or program wrote it). ` +
        'Reload it from disk (your changes here are lost), or overwrite it with the version shown here?',
        [
          { value: 'reload', label: 'Reload from disk' },
          { value: 'overwrite', label: 'Overwrite', danger: true },
          { value: 'cancel', label: 'Decide later', primary: true },
        ], 'cancel', 'conflict-dialog'),
      confirmRestart: () => choose('Restart the kernel?', 'All variables are lost. Outputs stay.',
        [{ value: 'yes', label: 'Restart', primary: true }, { value: 'no', label: 'Cancel' }], 'no', 'restart-dialog').then((v) => v === 'yes'),
      notify: (msg, o = {}) => {
        toast(msg, { kind: o.error ? 'error' : 'info', ...(o.undo ? { action: { label: 'Undo', run: o.undo } } : {}) });
      },
      onSaveState: (s) => this.showSaveState(s),
      onSelection: () => {
        const c = this.panel?.selectedCell;
        if (c) this.typeSelect.value = c.type;
      },
      showShortcuts: () => this.showShortcuts(),
    });
    this.panel = panel;
    this.main.replaceChildren(panel.el);
    this.hideFilesIfNarrow();
    this.showSaveState('saved');
    panel.select(0);
    await this.connect(path, panel);
  }

  private async connect(path: string, panel: NotebookPanel): Promise<void> {
    this.status.set('connecting');
    let session;
    try {
      session = await this.api.createSession(path);
    } catch (e) {
      this.status.set('dead', e instanceof Error ? e.message : String(e));
      this.showBanner(`No kernel: ${e instanceof ApiError ? e.message : e}`);
      return;
    }
    if (this.panel !== panel) return;
    panel.replayEnd = session.seq ?? 0;
    const k = new KernelClient({
      url: (since) => this.api.wsURL(session.id, since),
      onFrame: (f) => {
        if (f.type === 'renamed' && this.panel === panel) this.followRename(f.path);
        panel.onFrame(f);
      },
      onStatus: (s, cause) => {
        this.status.set(s, cause);
        panel.onStatus(s);
        const died = cause && cause !== 'restarted by the user' ? cause : '';
        if (s === 'dead') this.showBanner(`The kernel died${cause ? ': ' + cause : ''}.`, true);
        else if (s === 'restarting' && died) this.showBanner(`The kernel died: ${died}. Restarting it…`);
        // After a restart the kernel may be busy at once, with a cell queued meanwhile.
        else if ((s === 'idle' || s === 'busy') && died) this.showBanner(`The kernel was restarted after it died (${died}): its variables are gone, run the cells again.`);
        else if (s === 'idle' || s === 'busy') this.banner.hidden = true;
      },
    });
    this.kernel = k;
    panel.attachKernel(k);
    k.connect();
  }

  private showBanner(msg: string, restart = false): void {
    this.banner.replaceChildren(document.createTextNode(msg + ' '));
    if (restart) {
      const b = el('button', 'btn btn-small', { type: 'button', 'data-testid': 'btn-banner-restart' });
      b.textContent = 'Restart kernel';
      b.addEventListener('click', () => this.kernel?.restart());
      this.banner.append(b);
    }
    this.banner.hidden = false;
  }

  private showSaveState(s: SaveState): void {
    const text: Record<SaveState, string> = {
      saved: 'Saved', dirty: '● Unsaved changes', saving: 'Saving…', error: 'Save failed — will retry on the next change (Ctrl+S to retry now)', conflict: 'Not saved: changed on disk',
    };
    this.saveState.textContent = text[s];
    this.saveState.dataset['state'] = s;
    this.title.classList.toggle('dirty', s !== 'saved');
  }

  showShortcuts(): void {
    const table = document.createElement('table');
    table.className = 'shortcuts';
    const head = table.createTHead().insertRow();
    for (const t of ['Keys', 'Mode', 'Action']) {
      const th = document.createElement('th');
      th.textContent = t;
      head.append(th);
    }
    const body = table.createTBody();
    for (const s of shortcuts) {
      const r = body.insertRow();
      const k = r.insertCell();
      const kbd = document.createElement('kbd');
      kbd.textContent = s.keys;
      k.append(kbd);
      r.insertCell().textContent = s.mode === 'both' ? 'any' : s.mode;
      r.insertCell().textContent = s.help;
    }
    for (const s of editorKeys) {
      const r = body.insertRow();
      const kbd = document.createElement('kbd');
      kbd.textContent = s.keys;
      r.insertCell().append(kbd);
      r.insertCell().textContent = 'edit';
      r.insertCell().textContent = s.help;
    }
    sheet('Keyboard shortcuts', table, 'shortcut-sheet');
  }
}
