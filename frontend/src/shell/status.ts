// The kernel status indicator: a coloured dot and a word, announced when
// it changes (data-testid="kernel-status", data-state=the status).

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

  set(s: ConnStatus | 'none', cause?: string): void {
    this.el.dataset['state'] = s;
    this.text.textContent = 'Kernel: ' + words[s];
    this.el.title = cause ? `${words[s]}: ${cause}` : words[s];
    // The cause of a death stays in view while the kernel is down.
    const show = (s === 'dead' || s === 'restarting') && cause ? cause : '';
    this.cause.textContent = show ? `(${show})` : '';
    this.cause.hidden = !show;
  }
}
