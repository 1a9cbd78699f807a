// FileBrowser is the workspace panel: the files of a directory with open,
// create, rename, duplicate, delete (undoable from the trash), upload and
// download, and the bundled lessons one click away, each with a reset to
// its original (the student's copy goes to the trash, undoable).

import { ApiError, type Api } from '../api/client';
import type { FileEntry, Lesson } from '../api/types';

export interface FileBrowserHost {
  open: (path: string) => void;
  notify: (msg: string, opts?: { undo?: () => void; error?: boolean }) => void;
  prompt: (title: string, label: string, value: string) => Promise<string | null>;
  /** renamed tells the app that a file moved (the open notebook may follow). */
  renamed?: (from: string, to: string) => void;
  /** deleted tells the app that a file or folder went to the trash (an open notebook in it closes). */
  deleted?: (path: string) => void;
  /** confirm asks before something that replaces the user's work; ok labels the button that does it. */
  confirm?: (title: string, message: string, ok: string) => Promise<boolean>;
  /** replaced tells the app that the notebook at path was replaced by another file (a reset lesson). */
  replaced?: (path: string) => void;
}

export function joinPath(dir: string, name: string): string {
  return dir ? `${dir.replace(/\/$/, '')}/${name}` : name;
}

export function parentDir(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function button(label: string, aria: string, testid: string, onClick: () => void, cls = 'btn btn-small btn-ghost'): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = label;
  b.title = aria;
  b.setAttribute('aria-label', aria);
  b.dataset['testid'] = testid;
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    onClick();
  });
  return b;
}

export class FileBrowser {
  readonly el: HTMLElement;
  dir = '';
  entries: FileEntry[] = [];
  private readonly crumbs: HTMLElement;
  private readonly list: HTMLElement;
  private readonly lessonsEl: HTMLElement;
  private readonly upload: HTMLInputElement;
  private readonly quotaEl: HTMLElement;

  constructor(private readonly api: Api, private readonly host: FileBrowserHost) {
    this.el = document.createElement('nav');
    this.el.className = 'files';
    this.el.dataset['testid'] = 'file-browser';
    this.el.setAttribute('aria-label', 'Workspace files');

    const head = document.createElement('div');
    head.className = 'files-head';
    const title = document.createElement('h2');
    title.textContent = 'Files';
    this.upload = document.createElement('input');
    this.upload.type = 'file';
    this.upload.multiple = true;
    this.upload.hidden = true;
    this.upload.dataset['testid'] = 'upload-input';
    this.upload.addEventListener('change', () => {
      if (this.upload.files?.length) void this.uploadFiles(Array.from(this.upload.files));
      this.upload.value = '';
    });
    const tools = document.createElement('div');
    tools.className = 'files-tools';
    tools.append(
      button('+ Notebook', 'New notebook', 'files-new-notebook', () => void this.newNotebook()),
      button('+ Folder', 'New folder', 'files-new-folder', () => void this.newFolder()),
      button('Upload', 'Upload files', 'files-upload', () => this.upload.click()),
      button('⟳', 'Refresh', 'files-refresh', () => void this.refresh()),
    );
    head.append(title, tools, this.upload);

    this.crumbs = document.createElement('div');
    this.crumbs.className = 'files-crumbs';
    this.list = document.createElement('ul');
    this.list.className = 'files-list';
    this.list.dataset['testid'] = 'file-list';

    const lessonsHead = document.createElement('h2');
    lessonsHead.textContent = 'Lessons';
    this.lessonsEl = document.createElement('ul');
    this.lessonsEl.className = 'files-list lessons';
    this.lessonsEl.dataset['testid'] = 'lesson-list';

    // The workspace's quota, where the server sets one (firn hub).
    this.quotaEl = document.createElement('p');
    this.quotaEl.className = 'files-quota';
    this.quotaEl.dataset['testid'] = 'quota';
    this.quotaEl.hidden = true;

    this.el.append(head, this.crumbs, this.list, this.quotaEl, lessonsHead, this.lessonsEl);
    this.el.addEventListener('dragover', (ev) => {
      ev.preventDefault();
      this.el.classList.add('drop');
    });
    this.el.addEventListener('dragleave', () => this.el.classList.remove('drop'));
    this.el.addEventListener('drop', (ev) => {
      ev.preventDefault();
      this.el.classList.remove('drop');
      const files = ev.dataTransfer?.files;
      if (files?.length) void this.uploadFiles(Array.from(files));
    });
  }

  private fail(e: unknown): void {
    this.host.notify(e instanceof Error ? e.message : String(e), { error: true });
  }

  async refresh(dir = this.dir): Promise<void> {
    try {
      const l = await this.api.listFiles(dir);
      this.dir = l.path;
      this.entries = l.entries;
      this.renderList();
    } catch (e) {
      this.fail(e);
    }
    void this.showQuota();
  }

  /** showQuota shows how much of the workspace's quota is used (nothing without a quota). */
  private async showQuota(): Promise<void> {
    let q;
    try {
      q = await this.api.quota();
    } catch {
      return; // an older server, or none: no quota shown
    }
    if (!q.quota_bytes && !q.quota_files) {
      this.quotaEl.hidden = true;
      return;
    }
    const parts: string[] = [];
    if (q.quota_bytes) parts.push(`${size(q.used_bytes)} of ${size(q.quota_bytes)}`);
    if (q.quota_files) parts.push(`${q.used_files.toLocaleString('en')} of ${q.quota_files.toLocaleString('en')} files`);
    this.quotaEl.textContent = 'Used: ' + parts.join(', ');
    const full = Math.max(q.quota_bytes ? q.used_bytes / q.quota_bytes : 0, q.quota_files ? q.used_files / q.quota_files : 0);
    this.quotaEl.classList.toggle('files-quota-full', full >= 0.9);
    this.quotaEl.hidden = false;
  }

  /** The bundled lessons, in order (empty until loadLessons). */
  lessons: Lesson[] = [];

  async loadLessons(): Promise<void> {
    let lessons: Lesson[] = [];
    try {
      lessons = await this.api.lessons();
    } catch (e) {
      this.fail(e);
    }
    this.lessons = lessons;
    this.lessonsEl.replaceChildren(...lessons.map((l) => {
      const li = document.createElement('li');
      li.className = 'file-entry';
      li.dataset['file'] = l.file;
      const acts = document.createElement('span');
      acts.className = 'file-actions';
      acts.append(button('↺', `Reset lesson ${l.title || l.file} to its original`, 'lesson-reset', () => void this.resetLesson(l)));
      li.append(button(l.title || l.file, `Open lesson ${l.title || l.file}`, 'lesson-entry', () => void this.openLesson(l), 'file-name'), acts);
      return li;
    }));
  }

  /** openLesson copies lesson l into the workspace (once) and opens it. */
  async openLesson(l: Lesson): Promise<void> {
    try {
      const e = await this.api.openLesson(l.file);
      this.host.open(e.path);
      void this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * resetLesson puts lesson l back as it was bundled, after asking: the
   * student's copy goes to the trash (Undo brings it back) and its kernel
   * stops.
   */
  async resetLesson(l: Lesson): Promise<void> {
    const name = l.title || l.file;
    const ok = await (this.host.confirm?.(`Reset lesson ${name}?`,
      `Your copy of the lesson, with your changes and outputs, goes to the trash, its kernel stops, ` +
      'and the lesson comes back as it was bundled.', 'Reset lesson') ?? Promise.resolve(true));
    if (!ok) return;
    try {
      const e = await this.api.resetLesson(l.file);
      this.host.replaced?.(e.path);
      void this.refresh();
      const id = e.trash_id;
      this.host.notify(`Lesson ${name} is as it was bundled.`, id ? { undo: () => void this.undoReset(e.path, id) } : {});
    } catch (err) {
      this.fail(err);
    }
  }

  /** undoReset puts the student's copy (trashed as id) back in place of the reset lesson at path. */
  private async undoReset(path: string, id: string): Promise<void> {
    try {
      await this.api.fileOp('delete', path);
      await this.api.fileOp('restore', id);
      this.host.replaced?.(path);
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  private renderList(): void {
    this.crumbs.replaceChildren();
    const parts = this.dir ? this.dir.split('/') : [];
    const root = button('workspace', 'Workspace root', 'crumb', () => void this.refresh(''), 'crumb');
    this.crumbs.append(root);
    parts.forEach((p, i) => {
      this.crumbs.append(document.createTextNode(' / '));
      this.crumbs.append(button(p, `Folder ${p}`, 'crumb', () => void this.refresh(parts.slice(0, i + 1).join('/')), 'crumb'));
    });

    const items: HTMLElement[] = [];
    if (this.dir) {
      const li = document.createElement('li');
      li.className = 'file-entry';
      li.append(button('..', 'Parent folder', 'file-up', () => void this.refresh(parentDir(this.dir)), 'file-name'));
      items.push(li);
    }
    for (const e of this.entries) items.push(this.entryEl(e));
    this.list.replaceChildren(...items);
  }

  private entryEl(e: FileEntry): HTMLElement {
    const li = document.createElement('li');
    li.className = `file-entry file-${e.type}`;
    li.dataset['testid'] = 'file-entry';
    li.dataset['path'] = e.path;
    li.dataset['type'] = e.type;
    const icon = e.type === 'directory' ? '▸ ' : e.type === 'notebook' ? '◆ ' : '· ';
    const name = button(icon + e.name, e.type === 'directory' ? `Open folder ${e.name}` : `Open ${e.name}`, 'file-open', () => {
      if (e.type === 'directory') void this.refresh(e.path);
      else if (e.type === 'notebook') this.host.open(e.path);
      else window.open(this.api.downloadURL(e.path), '_blank', 'noopener');
    }, 'file-name');
    name.title = `${e.path}${e.type === 'directory' ? '' : ' — ' + formatSize(e.size)}\nmodified ${new Date(e.modified).toLocaleString()}`;
    const acts = document.createElement('span');
    acts.className = 'file-actions';
    acts.append(
      button('✎', `Rename ${e.name}`, 'file-rename', () => void this.rename(e)),
      button('❐', `Duplicate ${e.name}`, 'file-duplicate', () => void this.duplicate(e)),
    );
    if (e.type !== 'directory') {
      const a = document.createElement('a');
      a.className = 'btn btn-small btn-ghost';
      a.href = this.api.downloadURL(e.path);
      a.setAttribute('download', e.name);
      a.textContent = '↓';
      a.title = `Download ${e.name}`;
      a.setAttribute('aria-label', `Download ${e.name}`);
      a.dataset['testid'] = 'file-download';
      acts.append(a);
    }
    acts.append(button('✕', `Delete ${e.name}`, 'file-delete', () => void this.remove(e)));
    li.append(name, acts);
    return li;
  }

  async newNotebook(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const path = joinPath(this.dir, i === 0 ? 'Untitled.ipynb' : `Untitled${i}.ipynb`);
      try {
        const e = await this.api.fileOp('create', path);
        await this.refresh();
        this.host.open(e.path || path);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) continue;
        this.fail(err);
        return;
      }
    }
  }

  async newFolder(): Promise<void> {
    const name = await this.host.prompt('New folder', 'Folder name', 'data');
    if (!name) return;
    try {
      await this.api.fileOp('mkdir', joinPath(this.dir, name));
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  async rename(e: FileEntry): Promise<void> {
    const name = await this.host.prompt(`Rename ${e.name}`, 'New name', e.name);
    if (!name || name === e.name) return;
    if (name.includes('/')) {
      this.host.notify('A name cannot contain "/".', { error: true });
      return;
    }
    const to = joinPath(parentDir(e.path), name);
    try {
      await this.api.fileOp('rename', e.path, to);
      this.host.renamed?.(e.path, to);
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  async duplicate(e: FileEntry): Promise<void> {
    try {
      await this.api.fileOp('copy', e.path, '');
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  async remove(e: FileEntry): Promise<void> {
    try {
      const r = await this.api.fileOp('delete', e.path);
      this.host.deleted?.(e.path);
      await this.refresh();
      const id = r.trash_id;
      this.host.notify(`Deleted ${e.name}.`, id ? { undo: () => void this.restore(id) } : {});
    } catch (err) {
      this.fail(err);
    }
  }

  async restore(trashId: string): Promise<void> {
    try {
      await this.api.fileOp('restore', trashId);
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  async uploadFiles(files: File[]): Promise<void> {
    try {
      await this.api.upload(this.dir, files);
      this.host.notify(`Uploaded ${files.length} file${files.length > 1 ? 's' : ''}.`);
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }
}

/** size is a size to read: "1.2 MiB". */
function size(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} bytes`;
}
