// Short messages at the bottom of the page, optionally with an action
// (such as Undo). They are announced to screen readers.

let region: HTMLElement | null = null;

function host(): HTMLElement {
  if (!region || !region.isConnected) {
    region = document.createElement('div');
    region.className = 'toasts';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    document.body.append(region);
  }
  return region;
}

export interface ToastOptions {
  action?: { label: string; run: () => void };
  kind?: 'info' | 'error';
  ms?: number;
}

export function toast(message: string, opts: ToastOptions = {}): () => void {
  // The same message again (a refused key pressed twice) replaces the one shown.
  if (!opts.action) {
    for (const t of host().querySelectorAll<HTMLElement>('.toast')) {
      if (t.dataset['message'] === message && !t.querySelector('[data-testid="toast-action"]')) t.remove();
    }
  }
  const el = document.createElement('div');
  el.className = 'toast' + (opts.kind === 'error' ? ' toast-error' : '');
  el.dataset['message'] = message;
  el.dataset['testid'] = 'toast';
  const span = document.createElement('span');
  span.textContent = message;
  el.append(span);
  const dismiss = () => el.remove();
  if (opts.action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-small';
    b.textContent = opts.action.label;
    b.dataset['testid'] = 'toast-action';
    const act = opts.action;
    b.addEventListener('click', () => {
      dismiss();
      act.run();
    });
    el.append(b);
  }
  const x = document.createElement('button');
  x.type = 'button';
  x.className = 'btn btn-small btn-ghost';
  x.textContent = '×';
  x.setAttribute('aria-label', 'Dismiss');
  x.addEventListener('click', dismiss);
  el.append(x);
  host().append(el);
  setTimeout(dismiss, opts.ms ?? (opts.action ? 10000 : 5000));
  return dismiss;
}
