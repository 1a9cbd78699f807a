// A widget output (display.Slider and the others) drawn as a live control.
// Moving it calls onChange with the new value; the panel runs the cells
// that read it. Without onChange (a read-only notebook, an export) the
// control is drawn disabled, showing its value.

import type { WidgetDesc } from '../notebook/reactive';

/** WidgetChange is called with a control's new value; it resolves when the cells that read it have run. */
export type WidgetChange = (d: WidgetDesc, value: number | string | boolean) => Promise<void>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text) el.textContent = text;
  return el;
}

function fmt(v: number): string {
  return String(Math.round(v * 1e9) / 1e9);
}

/** widgetEl draws a widget description as a control. */
export function widgetEl(d: WidgetDesc, onChange?: WidgetChange): HTMLElement {
  const box = h('div', 'output-widget');
  box.dataset['testid'] = 'widget';
  box.dataset['kind'] = d.kind;
  box.dataset['label'] = d.label;
  const id = 'w-' + d.model_id + '-' + Math.random().toString(36).slice(2, 8);
  const label = h('label', 'widget-label', d.label);
  label.htmlFor = id;
  const disabled = !onChange;
  const send = (v: number | string | boolean) => (onChange ? onChange(d, v) : Promise.resolve());
  switch (d.kind) {
    case 'slider':
    case 'number':
    case 'play': {
      const input = h('input', 'widget-input');
      input.id = id;
      input.type = d.kind === 'number' ? 'number' : 'range';
      input.min = String(d.min ?? 0);
      input.max = String(d.max ?? 100);
      input.step = d.step ? String(d.step) : 'any';
      input.value = String(d.value);
      input.disabled = disabled;
      const shown = h('output', 'widget-value', fmt(Number(d.value)));
      shown.dataset['testid'] = 'widget-value';
      input.addEventListener('input', () => {
        const v = Number(input.value);
        if (!Number.isFinite(v)) return;
        shown.textContent = fmt(v);
        void send(v);
      });
      box.append(label, input, shown);
      if (d.kind === 'play') box.append(playButton(d, input, shown, send, disabled));
      break;
    }
    case 'dropdown': {
      const sel = h('select', 'widget-input');
      sel.id = id;
      for (const o of d.options ?? []) {
        const opt = h('option', '', o);
        opt.value = o;
        sel.append(opt);
      }
      sel.value = String(d.value);
      sel.disabled = disabled;
      sel.addEventListener('change', () => void send(sel.value));
      box.append(label, sel);
      break;
    }
    case 'checkbox': {
      const cb = h('input', 'widget-input');
      cb.id = id;
      cb.type = 'checkbox';
      cb.checked = d.value === true;
      cb.disabled = disabled;
      cb.addEventListener('change', () => void send(cb.checked));
      box.append(cb, label);
      break;
    }
    case 'button': {
      const b = h('button', 'btn widget-button', d.label);
      b.type = 'button';
      b.disabled = disabled;
      let clicks = Number(d.value) || 0;
      b.addEventListener('click', () => void send(++clicks));
      box.append(b);
      break;
    }
    default:
      box.append(h('span', 'widget-label', `${String(d.label)}: a control of kind ${String(d.kind)} this page does not know`));
  }
  return box;
}

/**
 * playButton moves the slider one step at a time to its end, each step
 * after the cells that read it have run, so the animation never runs
 * ahead of the kernel; pressed again, it pauses.
 */
function playButton(d: WidgetDesc, input: HTMLInputElement, shown: HTMLElement, send: (v: number) => Promise<void>, disabled: boolean): HTMLElement {
  const b = h('button', 'btn widget-play', '▶');
  b.type = 'button';
  b.disabled = disabled;
  b.dataset['testid'] = 'widget-play';
  b.setAttribute('aria-label', `Play ${d.label}`);
  let playing = false;
  const step = d.step || 1;
  const max = d.max ?? 100;
  const stop = () => {
    playing = false;
    b.textContent = '▶';
    b.setAttribute('aria-label', `Play ${d.label}`);
  };
  const advance = async () => {
    while (playing) {
      const v = Number(input.value) + step;
      if (v > max + step / 2) break;
      input.value = String(v);
      shown.textContent = fmt(v);
      await send(v);
      await new Promise((r) => setTimeout(r, 100));
    }
    stop();
  };
  b.addEventListener('click', () => {
    if (playing) {
      stop();
      return;
    }
    playing = true;
    b.textContent = '⏸';
    b.setAttribute('aria-label', `Pause ${d.label}`);
    if (Number(input.value) + step > max + step / 2) input.value = String(d.min ?? 0);
    void advance();
  });
  return b;
}
