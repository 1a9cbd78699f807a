// Modal dialogs (confirm, choose, prompt) on <dialog>, keyboard-usable:
// focus starts on the first control, Esc cancels.

export interface Choice<T extends string> {
  value: T;
  label: string;
  primary?: boolean;
  danger?: boolean;
}

function openDialog(d: HTMLDialogElement): void {
  document.body.append(d);
  if (typeof d.showModal === 'function') d.showModal();
  else d.setAttribute('open', '');
}

function closeDialog(d: HTMLDialogElement): void {
  if (typeof d.close === 'function' && d.open) d.close();
  d.remove();
}

/** choose shows a message with buttons and resolves with the one pressed (cancel on Esc). */
export function choose<T extends string>(title: string, message: string, choices: Choice<T>[], cancel: T, testid = 'dialog'): Promise<T> {
  return new Promise((resolve) => {
    const d = document.createElement('dialog');
    d.className = 'dialog';
    d.dataset['testid'] = testid;
    d.setAttribute('aria-labelledby', 'dialog-title');
    const h = document.createElement('h2');
    h.id = 'dialog-title';
    h.textContent = title;
    const p = document.createElement('p');
    p.textContent = message;
    const row = document.createElement('div');
    row.className = 'dialog-buttons';
    const done = (v: T) => {
      closeDialog(d);
      resolve(v);
    };
    for (const c of choices) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn' + (c.primary ? ' btn-primary' : '') + (c.danger ? ' btn-danger' : '');
      b.textContent = c.label;
      b.dataset['testid'] = `${testid}-${c.value}`;
      b.addEventListener('click', () => done(c.value));
      row.append(b);
    }
    d.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      done(cancel);
    });
    d.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        done(cancel);
      }
    });
    d.append(h, p, row);
    openDialog(d);
    (row.querySelector<HTMLButtonElement>('.btn-primary') ?? row.querySelector('button'))?.focus();
  });
}

/**
 * formDialog shows a form (title, body, Cancel and ok) and resolves with
 * what collect reads from it on ok, or null when cancelled (also Esc).
 */
function formDialog<T>(title: string, body: HTMLElement[], ok: { label: string; testid: string }, testid: string, collect: () => T, focus: () => void): Promise<T | null> {
  return new Promise((resolve) => {
    const d = document.createElement('dialog');
    d.className = 'dialog';
    d.dataset['testid'] = testid;
    const form = document.createElement('form');
    form.method = 'dialog';
    const h = document.createElement('h2');
    h.textContent = title;
    const row = document.createElement('div');
    row.className = 'dialog-buttons';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'btn';
    cancel.textContent = 'Cancel';
    const yes = document.createElement('button');
    yes.type = 'submit';
    yes.className = 'btn btn-primary';
    yes.textContent = ok.label;
    yes.dataset['testid'] = ok.testid;
    row.append(cancel, yes);
    form.append(h, ...body, row);
    d.append(form);
    let settled = false;
    const done = (v: T | null) => {
      if (settled) return;
      settled = true;
      closeDialog(d);
      resolve(v);
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      done(collect());
    });
    cancel.addEventListener('click', () => done(null));
    d.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      done(null);
    });
    openDialog(d);
    focus();
  });
}

/** prompt asks for a line of text; null when cancelled. */
export function prompt(title: string, label: string, value: string, testid = 'prompt'): Promise<string | null> {
  const l = document.createElement('label');
  l.textContent = label;
  const input = document.createElement('input');
  input.type = 'text';
  input.value = value;
  input.dataset['testid'] = `${testid}-input`;
  l.append(input);
  return formDialog(title, [l], { label: 'OK', testid: `${testid}-ok` }, testid, () => input.value.trim() || null, () => {
    input.focus();
    const dot = value.lastIndexOf('.');
    input.setSelectionRange(0, dot > 0 ? dot : value.length);
  });
}

/** sheet shows arbitrary content with a Close button. */
export function sheet(title: string, content: HTMLElement, testid = 'sheet'): void {
  const d = document.createElement('dialog');
  d.className = 'dialog dialog-wide';
  d.dataset['testid'] = testid;
  const h = document.createElement('h2');
  h.textContent = title;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn btn-primary';
  close.textContent = 'Close';
  close.addEventListener('click', () => closeDialog(d));
  d.addEventListener('cancel', (ev) => {
    ev.preventDefault();
    closeDialog(d);
  });
  const row = document.createElement('div');
  row.className = 'dialog-buttons';
  row.append(close);
  d.append(h, content, row);
  openDialog(d);
  close.focus();
}

/**
 * chooseOptions asks a question with a select per option (each with its
 * allowed values, the first chosen at first) and resolves with the values
 * chosen, or null when cancelled.
 */
export function chooseOptions(title: string, message: string, options: Record<string, string[]>, ok: string, testid = 'options'): Promise<Record<string, string> | null> {
  const p = document.createElement('p');
  p.textContent = message;
  const body: HTMLElement[] = [p];
  const selects: Record<string, HTMLSelectElement> = {};
  for (const key of Object.keys(options).sort()) {
    const l = document.createElement('label');
    l.className = 'dialog-option';
    l.textContent = key + ' ';
    const sel = document.createElement('select');
    sel.dataset['testid'] = `${testid}-${key}`;
    for (const v of options[key] ?? []) {
      const o = document.createElement('option');
      o.value = o.textContent = v;
      sel.append(o);
    }
    selects[key] = sel;
    l.append(sel);
    body.push(l);
  }
  const collect = () => {
    const out: Record<string, string> = {};
    for (const [k, sel] of Object.entries(selects)) out[k] = sel.value;
    return out;
  };
  return formDialog(title, body, { label: ok, testid: `${testid}-yes` }, testid, collect, () => Object.values(selects)[0]?.focus());
}
