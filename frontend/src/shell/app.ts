// App is the page: top bar (files toggle, notebook name with its save
// state, kernel status, theme, shortcuts), toolbar, file browser and the
// open notebook. The open notebook's path is the URL's hash.
//
// A notebook that Firn must not change opens read-only, with a notice
// that says why: a damaged file (the server's "damage" list; saving the
// readable part would lose the rest) or a notebook for another kernel
// (its outputs stay as stored). When the page gets focus it checks the
// file on disk, and a version changed elsewhere is the user's choice:
// reload it or keep the one shown here.

import { Api, ApiError } from '../api/client';
import { FileBrowser } from '../files/browser';
import { Notebook } from '../notebook/model';
import type { NotebookPanel } from '../notebook/panel';
import type { KernelChoice, KernelList, NotebookFile, SessionKernel } from '../api/types';
import { editorKeys, shortcuts } from '../notebook/keyboard';
import type { SaveState } from '../notebook/saver';
import { KernelClient } from '../kernel/kernel';
import { KernelStatus } from './status';
import { KernelPicker, byUser, kernelName, kernelTitle, setNotebookKernel, switchMessage } from '../kernel/picker';
import { toolbar } from './toolbar';
import { stoppedMessage, takeKernelStopped, type KernelStopped } from '../notebook/stopped';
import { adminLink, handInButton, handinsLink, hubMe, hubUser, logoutLink, shareButton } from './hub';
import { choose, chooseOptions, prompt, sheet } from './dialog';
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
  private readonly picker = new KernelPicker({ pick: (to) => this.switchKernel(to) });
  /** The server's kernels, asked for once. */
  private kernels: Promise<KernelList | null> | null = null;
  /** The id of the open notebook's session ("" when none). */
  private sessionId = '';
  private readonly main: HTMLElement;
  private readonly title: HTMLElement;
  private readonly saveState: HTMLElement;
  private readonly typeSelect: HTMLSelectElement;
  private readonly reactiveBox: HTMLInputElement;
  /** firn serve --app: the page shows the notebook as an app and runs it once its kernel is ready. */
  private appRun = typeof location !== 'undefined' && new URLSearchParams(location.search).get('app') === '1';
  private readonly appViewButton: HTMLButtonElement;
  private readonly banner: HTMLElement;
  private readonly bar: HTMLElement;
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
      // The open notebook (or its folder) went to the trash: its version here is not saved back.
      deleted: (p) => { if (this.path && (p === this.path || this.path.startsWith(p + '/'))) this.close(true); },
      confirm: (title, message, ok) => choose(title, message,
        [{ value: 'yes', label: ok, danger: true }, { value: 'no', label: 'Cancel', primary: true }], 'no', 'confirm-dialog').then((v) => v === 'yes'),
      replaced: (p) => { if (p === this.path) void this.reopen(); },
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
    // The app view shows outputs and widgets with the code hidden (a projector, a demo).
    this.appViewButton = el('button', 'btn btn-ghost', { type: 'button', 'data-testid': 'btn-app-view', 'aria-pressed': 'false' });
    this.appViewButton.textContent = 'App view';
    this.appViewButton.title = 'Show outputs and widgets only, with the code hidden';
    this.appViewButton.addEventListener('click', () => this.setAppView(!document.body.classList.contains('app-view')));
    top.append(toggleFiles, brand, this.title, this.saveState, spacer, this.appViewButton, this.status.el, this.picker.el, theme, help);
    const user = hubUser(location.pathname);
    if (user) {
      const logout = logoutLink(user);
      top.append(logout);
      // A student hands in the open notebook; a teacher sees the hand-ins.
      void hubMe().then((me) => {
        if (!me) return;
        logout.before(shareButton(() => this.path, () => this.panel?.save() ?? Promise.resolve(),
          (url, stop) => this.showShareLink(url, stop), (msg, error) => toast(msg, { kind: error ? 'error' : 'info' })));
        if (me.role === 'student') {
          logout.before(handInButton(() => this.path, () => this.panel?.save() ?? Promise.resolve(),
            (msg, error) => toast(msg, { kind: error ? 'error' : 'info' })));
          return;
        }
        logout.before(handinsLink());
        if (me.role === 'admin') logout.before(adminLink());
      });
    }

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
      p()?.setType(this.typeSelect.value as CellType);
    });
    // Reactive: running a cell runs the cells that use its names (metadata.firn.reactive).
    this.reactiveBox = el('input', '', { type: 'checkbox', 'data-testid': 'reactive-toggle' });
    this.reactiveBox.addEventListener('change', () => p()?.setReactive(this.reactiveBox.checked));
    const reactiveLabel = el('label', 'reactive-toggle', { title: 'Reactive: running a cell runs the cells that use its names, and marks out-of-date cells stale' });
    reactiveLabel.append(this.reactiveBox, document.createTextNode(' Reactive'));
    const bar = this.bar = toolbar([
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
    ], [this.typeSelect, reactiveLabel]);

    this.banner = el('div', 'banner', { role: 'alert', 'data-testid': 'banner' });
    this.banner.hidden = true;

    const layout = el('div', 'layout');
    const side = el('aside', 'sidebar');
    side.append(this.files.el);
    this.main = el('main', 'main', { 'aria-label': 'Notebook' });
    layout.append(side, this.main);
    root.append(top, bar, this.banner, layout);
    if (this.appRun) this.setAppView(true);

    window.addEventListener('hashchange', () => void this.route());
    window.addEventListener('beforeunload', (ev) => {
      if (this.panel?.saver.dirty) {
        void this.panel.save();
        ev.preventDefault();
      }
    });
    // Ctrl+S anywhere saves instead of opening the browser's dialog.
    document.addEventListener('keydown', (ev) => {
      // (The notebook's own keys have saved already when it prevented the default.)
      if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 's' && this.panel && !ev.defaultPrevented) {
        ev.preventDefault();
        void this.panel.save();
      }
    });
    // Coming back to the page: has the file changed on disk meanwhile?
    window.addEventListener('focus', () => void this.panel?.checkDisk());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.panel?.checkDisk();
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
    this.showKernel(undefined);
  }

  /** setAppView shows the notebook as an app (outputs and widgets, no code) or as a notebook. */
  setAppView(on: boolean): void {
    document.body.classList.toggle('app-view', on);
    this.appViewButton.setAttribute('aria-pressed', String(on));
    this.appViewButton.textContent = on ? 'Show code' : 'App view';
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

  /** close closes the open notebook, saving it first unless discard is set (its file is gone). */
  close(discard = false): void {
    if (!discard && this.panel?.saver.dirty) void this.panel.save();
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

  /** reopen shows the open notebook's file again as it is on disk, without saving the version shown. */
  private async reopen(): Promise<void> {
    const path = this.path;
    this.panel?.saver.stop();
    this.panel?.destroy();
    this.panel = null;
    this.kernel?.close();
    this.kernel = null;
    this.path = '';
    await this.open(path);
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
    const readOnly = readOnlyReason(file);
    let sessionId = '';
    this.sessionId = '';
    this.showKernel(undefined);
    const panel = new NotebookPanelClass(nb, file.etag, {
      // at.path, not path: the notebook may be renamed while open.
      write: async (json, etag) => (await this.api.saveNotebook(at.path, json, etag)).etag,
      reload: () => this.reopen(),
      readDisk: () => this.api.readNotebook(at.path),
      readDiskIfChanged: (etag) => this.api.readNotebookIfChanged(at.path, etag),
      sessionETag: async () => (sessionId ? (await this.api.getSession(sessionId)).etag ?? null : null),
      resolveConflict: (current) => choose(current ? 'The file changed on disk' : 'The file is gone from disk',
        current
          ? `${at.path} was changed on disk since this page loaded or saved it (another program or tab wrote it). ` +
            'Reload it from disk (the version shown here is lost), or keep yours (it is written over the one on disk)?'
          : `${at.path} was deleted or moved on disk since this page loaded or saved it. ` +
            'Close it, or keep yours (it is written there again)?',
        [
          { value: 'reload', label: current ? 'Reload from disk' : 'Close it' },
          { value: 'overwrite', label: 'Keep mine', danger: true },
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
      graph: (cells, run) => this.api.graph(cells, run),
    }, readOnly);
    this.panel = panel;
    this.reactiveBox.checked = panel.reactive;
    this.main.replaceChildren(panel.el);
    this.hideFilesIfNarrow();
    panel.select(0);
    // A read-only notebook has nothing to edit, run or save.
    for (const c of this.bar.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('button, select')) c.disabled = readOnly !== '';
    if (readOnly) {
      this.main.prepend(this.readOnlyNotice(file));
      this.showSaveState('read-only');
      this.status.set('none');
      this.status.el.title = 'No kernel: the notebook is open read-only';
      return;
    }
    this.showSaveState('saved');
    // Its kernel was stopped by the server since it was last open: say
    // why, once (the note leaves the notebook with the next save).
    const stopped = takeKernelStopped(panel.nb);
    if (stopped) this.main.prepend(this.stoppedNotice(stopped));
    await this.connect(path, panel, file.etag, (id) => { sessionId = id; this.sessionId = id; });
  }

  /** showShareLink shows a notebook's read-only link, to copy, and a way to stop sharing it. */
  private showShareLink(url: string, stop: () => Promise<string | null>): void {
    const box = el('div', 'share');
    const p = el('p', '');
    p.textContent = 'Anyone who can log in to this hub can read this notebook at this link, as it is when they open it (outputs included); they cannot run or change it.';
    const input = el('input', '', { type: 'text', readonly: '', 'data-testid': 'share-link', 'aria-label': 'Share link' });
    input.value = url;
    input.size = Math.min(80, url.length);
    const copy = el('button', 'btn btn-small', { type: 'button' });
    copy.textContent = 'Copy';
    copy.addEventListener('click', () => {
      input.select();
      void navigator.clipboard?.writeText(url).then(() => toast('Link copied.'), () => undefined);
    });
    const stopBtn = el('button', 'btn btn-small btn-danger', { type: 'button', 'data-testid': 'share-stop' });
    stopBtn.textContent = 'Stop sharing';
    stopBtn.addEventListener('click', async () => {
      const err = await stop();
      if (err) toast(err, { kind: 'error' });
      else {
        toast('The link no longer works.');
        input.value = '';
        stopBtn.disabled = copy.disabled = true;
      }
    });
    box.append(p, input, copy, stopBtn);
    sheet('Share read-only', box, 'share-dialog');
    input.select();
  }

  /** stoppedNotice says why and when the server stopped the notebook's kernel, until dismissed. */
  private stoppedNotice(s: KernelStopped): HTMLElement {
    const box = el('div', 'notice', { role: 'status', 'data-testid': 'kernel-stopped' });
    const p = el('p', '');
    p.textContent = stoppedMessage(s);
    const ok = el('button', 'btn btn-small', { type: 'button', 'data-testid': 'kernel-stopped-ok' });
    ok.textContent = 'OK';
    ok.addEventListener('click', () => box.remove());
    box.append(p, ok);
    return box;
  }

  /** readOnlyNotice says why the notebook is read-only: its kernel, its damage (listed). */
  private readOnlyNotice(file: NotebookFile): HTMLElement {
    const box = el('div', 'notice', { role: 'alert', 'data-testid': 'notebook-notice' });
    if (file.kernel_mismatch) {
      const p = el('p', '', { 'data-testid': 'kernel-mismatch' });
      p.textContent = `${file.kernel_mismatch} It is shown read-only, with its stored outputs: Firn does not run it and saves nothing over it.`;
      box.append(p);
    }
    const damage = file.damage ?? [];
    if (damage.length) {
      const p = el('p', '', { 'data-testid': 'damage-summary' });
      p.textContent = `This notebook is damaged: Firn could not read ${damage.length === 1 ? 'one part' : damage.length + ' parts'} of it, ` +
        'listed below, and shows the rest. It is open read-only, so that no save can lose what could not be read. ' +
        'Repair the file (in a text editor, or with Jupyter), or work on a copy of the readable part.';
      const list = el('ul', 'damage-list', { 'data-testid': 'damage-list' });
      for (const d of damage) {
        const li = el('li', '');
        li.textContent = d;
        list.append(li);
      }
      const copy = el('button', 'btn btn-small', { type: 'button', 'data-testid': 'btn-save-copy' });
      copy.textContent = 'Save the readable part as a copy';
      copy.addEventListener('click', () => void this.saveReadableCopy(file));
      box.append(p, list, copy);
    }
    return box;
  }

  /** saveReadableCopy writes the readable part of a damaged notebook to a new file and opens it. */
  private async saveReadableCopy(file: NotebookFile): Promise<void> {
    const dot = file.path.lastIndexOf('.');
    const stem = dot > file.path.lastIndexOf('/') ? file.path.slice(0, dot) : file.path;
    const ext = dot > file.path.lastIndexOf('/') ? file.path.slice(dot) : '';
    for (let i = 1; i < 100; i++) {
      const to = `${stem}-readable${i > 1 ? i : ''}${ext}`;
      try {
        await this.api.saveNotebook(to, file.notebook, '');
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) continue;
        toast(`Cannot save a copy: ${e instanceof Error ? e.message : e}`, { kind: 'error' });
        return;
      }
      toast(`The readable part of ${file.path} is saved as ${to}; the damaged file is unchanged.`);
      void this.files.refresh();
      location.hash = '#' + encodeURI(to);
      return;
    }
  }

  private async connect(path: string, panel: NotebookPanel, fileETag: string, onSession: (id: string) => void): Promise<void> {
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
    onSession(session.id);
    void this.showKernel(session.kernel);
    if (session.kernel_note) {
      toast(session.kernel_note, { kind: 'error' });
      this.showBanner(session.kernel_note);
    }
    panel.expectReplay(session.seq ?? 0);
    const k = new KernelClient({
      url: (since) => this.api.wsURL(session.id, since),
      onFrame: (f) => {
        if (f.type === 'renamed' && this.panel === panel) this.followRename(f.path);
        if (f.type === 'switched' && this.panel === panel) void this.showKernel({ spec: f.spec, name: f.name, transport: f.transport });
        if (f.type === 'kernel' && f.ended) {
          // The session is over (its notebook deleted or replaced): no kernel comes back.
          k.close();
          if (this.panel === panel) {
            this.status.set('dead', f.cause);
            this.showBanner(`This notebook's kernel was shut down${f.cause ? ': ' + f.cause : ''}. Open the notebook again to run it.`);
          }
          return;
        }
        panel.onFrame(f);
      },
      onStatus: (s, cause) => {
        this.status.set(s, cause);
        panel.onStatus(s);
        if (this.appRun && s === 'idle' && this.panel === panel) {
          this.appRun = false;
          panel.runAll();
        }
        const died = cause && !byUser(cause) ? cause : '';
        if (s === 'dead') this.showBanner(`The kernel died${cause ? ': ' + cause : ''}.`, true);
        else if (s === 'restarting' && died) this.showBanner(`The kernel died: ${died}. Restarting it…`);
        // After a restart the kernel may be busy at once, with a cell queued meanwhile.
        else if ((s === 'idle' || s === 'busy') && died) this.showBanner(`The kernel was restarted after it died (${died}): its variables are gone, run the cells again.`);
        else if (s === 'idle' || s === 'busy') this.banner.hidden = true;
      },
    });
    // The session's frames so far belong to another version of the file
    // (changed outside Firn since the kernel's last save): they are not
    // replayed onto this one; the kernel and its variables stay.
    if (session.etag && session.etag !== fileETag) {
      k.conn.seen.last = session.seq ?? 0;
      k.conn.kernelState = session.kernel.state;
      panel.expectReplay(0); // nothing to replay
    }
    this.kernel = k;
    panel.attachKernel(k);
    k.connect();
  }

  /** showKernel shows which kernel the open notebook runs on, in the status and the picker (none: undefined). */
  private async showKernel(k: Partial<SessionKernel> | undefined): Promise<void> {
    const name = kernelName(k);
    this.picker.setCurrent(name);
    this.status.setKernel(name, kernelTitle(k));
    if (!k) return;
    this.kernels ??= this.api.listKernels().catch(() => null);
    const list = await this.kernels;
    if (!list || this.picker.value !== name) return;
    this.picker.setChoices(list.kernels);
    this.status.setKernel(name, kernelTitle(k, this.picker.choice(name)));
  }

  /** switchKernel restarts the open notebook's kernel as another (after asking); it reports whether it did. */
  private async switchKernel(to: KernelChoice): Promise<boolean> {
    const panel = this.panel;
    const id = this.sessionId;
    if (!panel || !id) return false;
    // A kernel with options (a Slurm profile's time, CPUs…) asks for them
    // in the same dialog.
    let options: Record<string, string> | undefined;
    if (to.options && Object.keys(to.options).length > 0) {
      const chosen = await chooseOptions(`Switch the kernel to ${to.name}?`, switchMessage(to), to.options, 'Switch', 'switch-kernel-dialog');
      if (!chosen || this.panel !== panel) return false;
      options = chosen;
    } else {
      const yes = await choose(`Switch the kernel to ${to.name}?`, switchMessage(to),
        [{ value: 'yes', label: 'Switch', primary: true }, { value: 'no', label: 'Cancel' }], 'no', 'switch-kernel-dialog');
      if (yes !== 'yes' || this.panel !== panel) return false;
    }
    try {
      // The server writes the choice into the file: this page's edits go first.
      if (panel.saver.dirty) await panel.save();
      const s = await this.api.switchKernel(id, to.name, options);
      setNotebookKernel(panel.nb.metadata, to.name, options);
      if (this.panel === panel) void this.showKernel(s.kernel);
      return true;
    } catch (e) {
      toast(`Cannot switch the kernel to ${to.name}: ${e instanceof Error ? e.message : e}`, { kind: 'error' });
      return false;
    }
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

  private showSaveState(s: SaveState | 'read-only'): void {
    const text: Record<SaveState | 'read-only', string> = {
      saved: 'Saved', dirty: '● Unsaved changes', saving: 'Saving…', error: 'Save failed — will retry on the next change (Ctrl+S to retry now)', conflict: 'Not saved: changed on disk',
      'read-only': 'Read-only',
    };
    this.saveState.textContent = text[s];
    this.saveState.dataset['state'] = s;
    this.title.classList.toggle('dirty', s !== 'saved' && s !== 'read-only');
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

/** readOnlyReason is why a notebook must open read-only ("" if it need not). */
export function readOnlyReason(file: Pick<NotebookFile, 'damage' | 'kernel_mismatch'>): string {
  if (file.kernel_mismatch) return file.kernel_mismatch;
  if (file.damage?.length) return 'the file is damaged, and saving would lose what could not be read.';
  return '';
}
