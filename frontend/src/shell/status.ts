// The kernel status indicator: a coloured dot, the kernel's name and its
// state ("Kernel: local · Idle"), announced when it changes
// (data-testid="kernel-status", data-state=the status, data-kernel=the
// kernel's name); the tooltip says where it runs and over what.

import type { ConnStatus } from '../kernel/connection';

const words: Record<ConnStatus | 'none', string> = {
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  starting: 'Starting',
  idle: 'Idle',
  busy: 'Busy',
  dead: 'Dead',
  restarting: 'Restarting',
  none: 'No kernel',
};

export class KernelStatus {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private readonly cause: HTMLElement;
  private kernel = '';
  private about = '';
  private state: ConnStatus | 'none' = 'none';
  private why: string | undefined;

  constructor() {
    this.el = document.createElement('div');
    this.el.className = 'kernel-status';
    this.el.dataset['testid'] = 'kernel-status';
    this.el.setAttribute('role', 'status');
    this.el.setAttribute('aria-live', 'polite');
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.setAttribute('aria-hidden', 'true');
    this.text = document.createElement('span');
    this.cause = document.createElement('span');
    this.cause.className = 'cause';
    this.cause.dataset['testid'] = 'kernel-cause';
    this.el.append(dot, this.text, this.cause);
    this.set('none');
  }

  /** setKernel names the kernel shown ("" for none) and what its tooltip says of it. */
  setKernel(name: string, about = ''): void {
    this.kernel = name;
    this.about = about;
    this.el.dataset['kernel'] = name;
    this.set(this.state, this.why);
  }

  set(s: ConnStatus | 'none', cause?: string): void {
    this.state = s;
    this.why = cause;
    this.el.dataset['state'] = s;
    const name = s === 'none' ? '' : this.kernel;
    this.text.textContent = 'Kernel: ' + (name ? `${name} · ` : '') + words[s];
    const title = cause ? `${words[s]}: ${cause}` : words[s];
    this.el.title = name && this.about ? `${this.about}\n${title}` : title;
    // The cause of a death stays in view while the kernel is down, and
    // a start that waits says why (a Slurm kernel's place in the queue).
    const show = (s === 'dead' || s === 'restarting' || s === 'starting') && cause ? cause : '';
    this.cause.textContent = show ? `(${show})` : '';
    this.cause.hidden = !show;
  }
}
