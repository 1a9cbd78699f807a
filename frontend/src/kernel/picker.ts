// The kernel picker: which kernel a notebook runs on ("local",
// "local-tcp"; later remote ones), chosen from the list the server gives
// (GET /api/kernels), and the notebook's memory of it
// (metadata.firn.kernel, which the server writes when it switches).

import type { KernelChoice, SessionKernel } from '../api/types';
import type { JSONObject } from '../notebook/nbformat';

/** kernelName is the name the picker shows for a session's kernel. */
export function kernelName(k: Partial<SessionKernel> | undefined): string {
  if (!k) return '';
  if (k.spec) return k.spec;
  if (k.name && k.transport) return `${k.name} (${k.transport})`;
  return k.name ?? '';
}

/** kernelTitle is the tooltip of a kernel: its name, where it runs, what carries its messages, its process. */
export function kernelTitle(k: Partial<SessionKernel> | undefined, choice?: KernelChoice): string {
  const name = kernelName(k);
  if (!name) return '';
  const parts = [`Kernel ${name}`];
  if (choice?.description) parts.push(choice.description);
  if (k?.transport) parts.push(`transport: ${k.transport}`);
  if (k?.pid) parts.push(`process ${k.pid}`);
  return parts.join(' · ');
}

/**
 * setNotebookKernel records the kernel in metadata.firn.kernel and the profile options chosen
 * in metadata.firn.kernel_options (removed when there are none), as the server writes them on
 * a switch, so that the page's next save keeps them; it reports whether that changed the metadata.
 */
export function setNotebookKernel(metadata: JSONObject, name: string, options?: Record<string, string>): boolean {
  const firn = metadata['firn'];
  const obj: JSONObject = firn && typeof firn === 'object' && !Array.isArray(firn) ? firn as JSONObject : {};
  const opts = options && Object.keys(options).length > 0 ? { ...options } : undefined;
  if (obj['kernel'] === name && metadata['firn'] === obj && JSON.stringify(obj['kernel_options']) === JSON.stringify(opts)) return false;
  obj['kernel'] = name;
  if (opts) obj['kernel_options'] = opts;
  else delete obj['kernel_options'];
  metadata['firn'] = obj;
  return true;
}

/** byUser reports whether a kernel frame's cause is the user's doing (a restart, a switch), not a death. */
export function byUser(cause: string | undefined): boolean {
  return !!cause && (cause === 'restarted by the user' || /^switched to the kernel \S+ by the user$/.test(cause));
}

/** switchMessage is what the confirmation says before a switch. */
export function switchMessage(to: KernelChoice): string {
  return `The notebook's kernel restarts as ${to.name} (${to.description}). ` +
    'All variables are lost, as after a restart; outputs stay. The notebook remembers its kernel.';
}

export interface PickerHost {
  /** pick is called when the user chooses another kernel; it resolves to whether the switch happened. */
  pick: (to: KernelChoice) => Promise<boolean>;
}

/**
 * KernelPicker is a select of the server's kernels
 * (data-testid="kernel-picker"); it shows the session's kernel and asks
 * its host to switch when the user picks another.
 */
export class KernelPicker {
  readonly el: HTMLSelectElement;
  private choices: KernelChoice[] = [];
  private current = '';

  constructor(private readonly host: PickerHost) {
    this.el = document.createElement('select');
    this.el.className = 'kernel-picker';
    this.el.dataset['testid'] = 'kernel-picker';
    this.el.setAttribute('aria-label', 'Kernel of this notebook');
    this.el.title = 'The kernel this notebook runs on: pick another to switch (a restart)';
    this.el.disabled = true;
    this.el.addEventListener('change', () => void this.changed());
  }

  /** setChoices fills the list with the server's kernels. */
  setChoices(choices: KernelChoice[]): void {
    this.choices = choices;
    this.render();
  }

  /** choice returns the server's kernel of that name. */
  choice(name: string): KernelChoice | undefined {
    return this.choices.find((c) => c.name === name);
  }

  /** setCurrent shows the session's kernel ("" when there is no session). */
  setCurrent(name: string): void {
    this.current = name;
    this.render();
  }

  get value(): string {
    return this.current;
  }

  private render(): void {
    const names = this.choices.map((c) => c.name);
    if (this.current && !names.includes(this.current)) names.unshift(this.current);
    this.el.replaceChildren(...names.map((n) => {
      const o = document.createElement('option');
      o.value = n;
      const c = this.choice(n);
      o.textContent = c ? `${n} (${c.transport})` : n;
      if (c) o.title = c.description;
      return o;
    }));
    this.el.value = this.current;
    this.el.disabled = !this.current || this.choices.length < 2;
  }

  private async changed(): Promise<void> {
    const to = this.choice(this.el.value);
    const before = this.current;
    if (!to || to.name === before) {
      this.el.value = before;
      return;
    }
    this.el.disabled = true;
    let ok = false;
    try {
      ok = await this.host.pick(to);
    } finally {
      if (ok) this.current = to.name;
      this.render();
    }
  }
}
