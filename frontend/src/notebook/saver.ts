// Saver writes the notebook to the server: about two seconds after a
// change, at once on Ctrl+S, never two writes at a time, and with the
// etag of the last write, so a change made on disk by someone else is a
// conflict (409) that the user resolves, not a silent overwrite.
//
// Two tabs of one notebook share its kernel, so both get the same outputs
// and both save them. Those changes are "shared" (changed(true)): when the
// other tab has saved (a "saved" frame) and the file on disk has what is
// shown here, outputs included, adopt() takes its etag and drops the shared
// changes; with other outputs, follow() takes only the etag; a 409
// whose disk version has the same cells (only outputs differ) is written
// over without asking.

import { ApiError } from '../api/client';

export type SaveState = 'saved' | 'dirty' | 'saving' | 'error' | 'conflict';

export interface SaverOptions {
  /** write stores the notebook given the etag last seen; returns the new etag. */
  write: (etag: string) => Promise<string>;
  /**
   * resolveConflict asks the user what to do about the file on disk, whose etag is now current
   * ("" if it is gone): "overwrite" keeps the version shown here (written over it), "reload" shows
   * the one on disk.
   */
  resolveConflict: (current: string) => Promise<'reload' | 'overwrite' | 'cancel'>;
  reload: () => Promise<void> | void;
  /** sameOnDisk reads the file and returns its etag if its cells (types and sources) are those shown, else null. */
  sameOnDisk?: () => Promise<string | null>;
  onState: (s: SaveState, detail?: string) => void;
  delayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class Saver {
  etag: string;
  state: SaveState = 'saved';
  private version = 0;
  private savedVersion = 0;
  /** version of the last change of the user's own (not shared with other tabs). */
  private localVersion = 0;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(etag: string, private readonly opts: SaverOptions) {
    this.etag = etag;
  }

  private set(s: SaveState, detail?: string): void {
    this.state = s;
    this.opts.onState(s, detail);
  }

  get dirty(): boolean {
    return this.version !== this.savedVersion;
  }

  /**
   * changed records an edit and schedules a save (once; edits do not push it back).
   * shared marks a change that every tab of the notebook gets (kernel outputs).
   */
  changed(shared = false): void {
    this.version++;
    if (!shared) this.localVersion = this.version;
    if (this.state !== 'saving' && this.state !== 'conflict') this.set('dirty');
    if (this.timer === null && this.state !== 'conflict' && !this.stopped) {
      const set = this.opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
      this.timer = set(() => {
        this.timer = null;
        void this.save();
      }, this.opts.delayMs ?? 2000);
    }
  }

  /** save writes now (after the write in progress, if any). */
  save(): Promise<void> {
    if (this.timer !== null) {
      (this.opts.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>)))(this.timer);
      this.timer = null;
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        if (this.dirty) void this.save();
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const v = this.version;
    this.set('saving');
    try {
      this.etag = await this.opts.write(this.etag);
      this.savedVersion = v;
      this.set(this.dirty ? 'dirty' : 'saved');
      if (this.dirty) this.again = true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && Array.isArray(e.body['damage'])) {
        // The file on disk is damaged: the server keeps it rather than lose what it could not read.
        this.set('error', e.message);
        return;
      }
      if (e instanceof ApiError && e.status === 409) {
        const same = this.opts.sameOnDisk ? await this.opts.sameOnDisk().catch(() => null) : null;
        if (same !== null) {
          // Another tab saved the same cells (outputs may differ): not a conflict.
          this.etag = same;
          this.again = true;
          this.set('dirty');
          return;
        }
        const cur = e.body['etag'];
        if ((await this.ask(typeof cur === 'string' ? cur : this.etag, e.message)) === 'overwrite') this.again = true;
        return;
      }
      this.set('error', e instanceof Error ? e.message : String(e));
    }
  }

  /** ask shows the conflict with the file on disk (etag current) and does what the user chose. */
  private async ask(current: string, message: string): Promise<'reload' | 'overwrite' | 'cancel'> {
    this.set('conflict', message);
    const choice = await this.opts.resolveConflict(current);
    if (choice === 'overwrite') {
      this.etag = current;
      this.set('dirty');
    } else if (choice === 'reload') {
      await this.opts.reload();
    } else {
      this.set('conflict', 'Not saved: the file changed on disk.');
    }
    return choice;
  }

  /**
   * diskChanged handles a change of the file on disk found between saves (when the page gets
   * focus): the user keeps the version shown here, which is written over the file (etag current,
   * "" if it is gone), or reloads the one on disk.
   */
  async diskChanged(current: string, message: string): Promise<void> {
    if (this.stopped || this.running || this.state === 'conflict') return;
    if (this.timer !== null) (this.opts.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = null;
    if ((await this.ask(current, message)) === 'overwrite') {
      this.version++; // written even if nothing changed here since the last save
      await this.save();
    }
  }

  /**
   * adopt takes etag, the file's after another tab's save with the cells shown
   * here; changes shared with that tab need no save of their own.
   */
  adopt(etag: string): void {
    this.etag = etag;
    if (this.running || this.state === 'conflict' || this.localVersion > this.savedVersion) return;
    if (this.timer !== null) (this.opts.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = null;
    this.savedVersion = this.version;
    if (this.state !== 'saved') this.set('saved');
  }

  /**
   * follow takes etag, the file's after a save through this notebook's session (another tab's,
   * or the server's) of the cells shown here with other outputs: the next save writes over it
   * without a conflict, and changes not saved yet stay to be saved.
   */
  follow(etag: string): void {
    if (this.state !== 'conflict') this.etag = etag;
  }

  /** reset adopts a freshly loaded file. */
  reset(etag: string): void {
    this.etag = etag;
    this.savedVersion = this.version;
    this.set('saved');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) (this.opts.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = null;
  }
}
