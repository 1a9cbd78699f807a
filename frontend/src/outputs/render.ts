// Rendering of one output (a stored nbformat output) into DOM: streams
// with ANSI colours, errors with tracebacks, rich MIME bundles (progress,
// HTML, Markdown, SVG, PNG, JSON, text), long text cut with "show all".

import type { NbOutput } from '../notebook/nbformat';
import { ansiToHTML, setANSIText, stripAnsi } from './ansi';
import { truncate } from './truncate';
import { sanitizeHTML, sanitizeSVG } from '../markdown/sanitize';
import { fillMarkdown } from '../markdown/lazy';
import { renderJSON } from './json';
import { widgetEl, type WidgetChange } from './widget';
import { widgetMime, type WidgetDesc } from '../notebook/reactive';

export const progressMime = 'application/vnd.firn.progress+json';

/** Preferred MIME types, best first (as Jupyter, with Firn's progress bar on top). */
export const mimeOrder = [
  widgetMime, progressMime, 'text/html', 'text/markdown', 'image/svg+xml', 'image/png', 'image/jpeg',
  'image/gif', 'application/json', 'text/plain',
];

export function pickMime(data: Record<string, unknown>): string | null {
  for (const m of mimeOrder) if (m in data) return m;
  const other = Object.keys(data).find((k) => k.endsWith('+json'));
  return other ?? null;
}

export interface RenderOptions {
  maxLines?: number;
  maxChars?: number;
  /** onWidget makes widget outputs live controls (else they are drawn disabled). */
  onWidget?: WidgetChange;
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text) el.textContent = text;
  return el;
}

/** A cut text block: its whole text, and how to tell how much is hidden. */
interface CutBlock {
  text: string;
  opts: RenderOptions;
  say: HTMLElement;
  pre: HTMLElement;
  /** "show all" was clicked: more text is appended in full. */
  all: boolean;
}
const cutBlocks = new WeakMap<HTMLElement, CutBlock>();

function cutNote(t: { hiddenLines: number; hiddenChars: number }): string {
  const what = t.hiddenLines > 1 ? `${t.hiddenLines.toLocaleString()} more lines` : `${t.hiddenChars.toLocaleString()} more characters`;
  return `Output cut: ${what}. `;
}

/** textBlock shows (ANSI) text in a <pre>, cut when huge, with a "show all" button. */
export function textBlock(text: string, cls: string, opts: RenderOptions = {}): HTMLElement {
  const wrap = h('div', 'output-text-wrap');
  const pre = h('pre', cls);
  const t = truncate(text, opts.maxLines, opts.maxChars);
  setANSIText(pre, t.text);
  wrap.append(pre);
  if (t.truncated) {
    const note = h('div', 'output-truncated');
    const say = h('span', '', cutNote(t));
    const block: CutBlock = { text, opts, say, pre, all: false };
    cutBlocks.set(wrap, block);
    note.append(say);
    const btn = h('button', 'btn btn-small', 'Show all');
    btn.type = 'button';
    btn.dataset['testid'] = 'show-all';
    btn.addEventListener('click', () => {
      block.all = true;
      setANSIText(pre, block.text);
      note.remove();
    });
    note.append(btn);
    wrap.append(note);
  }
  return wrap;
}

/**
 * errorLine finds the cell line named by a Firn traceback ("cell [3], line 7, column 2"), or 0.
 * A line of another cell ("at line 4, column 2 of cell [2]", a panic in a function
 * declared there) is not this cell's.
 */
export function errorLine(o: NbOutput): number {
  if (o.output_type !== 'error') return 0;
  const tb = Array.isArray(o['traceback']) ? (o['traceback'] as unknown[]).map(String) : [];
  for (const l of tb) {
    const m = /\bcell \[\d+\], line (\d+)(?:, column \d+)?/.exec(l.replace(/\x1b\[[0-9;]*m/g, ''));
    if (m) return parseInt(m[1]!, 10);
  }
  return 0;
}

function progressEl(v: unknown): HTMLElement {
  const el = h('div', 'output-progress');
  const label = h('span', 'progress-title');
  const bar = h('progress');
  const pct = h('span', 'progress-pct');
  el.append(label, bar, pct);
  setProgress(el, v);
  return el;
}

/** setProgress updates a progress output element in place. */
export function setProgress(el: HTMLElement, v: unknown): void {
  const p = (v ?? {}) as { title?: string; done?: number; total?: number };
  const label = el.querySelector('.progress-title')!;
  const bar = el.querySelector('progress')!;
  const pct = el.querySelector('.progress-pct')!;
  const done = Number(p.done ?? 0);
  const total = Number(p.total ?? 0);
  label.textContent = p.title ?? '';
  if (total > 0) {
    bar.max = total;
    bar.value = Math.min(done, total);
    const percent = Math.floor((done * 100) / total);
    pct.textContent = `${percent} % (${done}/${total})`;
    bar.setAttribute('aria-valuetext', `${percent} percent`);
  } else {
    bar.removeAttribute('value');
    pct.textContent = `${done} done`;
  }
  bar.setAttribute('aria-label', p.title || 'progress');
}

function str(v: unknown): string {
  return Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : JSON.stringify(v);
}

function renderMime(mime: string, data: Record<string, unknown>, meta: Record<string, unknown>, opts: RenderOptions): HTMLElement {
  const v = data[mime];
  switch (mime) {
    case widgetMime:
      return widgetEl(v as WidgetDesc, opts.onWidget);
    case progressMime:
      return progressEl(v);
    case 'text/html': {
      const el = h('div', 'output-html');
      el.innerHTML = sanitizeHTML(str(v));
      return el;
    }
    case 'text/markdown': {
      const el = h('div', 'output-markdown markdown-body');
      void fillMarkdown(el, str(v));
      return el;
    }
    case 'image/svg+xml': {
      const el = h('div', 'output-svg');
      el.innerHTML = sanitizeSVG(str(v));
      const svg = el.querySelector('svg');
      if (svg) {
        svg.setAttribute('role', 'img');
        if (!svg.getAttribute('aria-label')) svg.setAttribute('aria-label', 'figure');
      }
      return el;
    }
    case 'image/png':
    case 'image/jpeg':
    case 'image/gif': {
      const img = h('img', 'output-image');
      img.src = `data:${mime};base64,${str(v).replace(/\s/g, '')}`;
      img.alt = typeof data['text/plain'] === 'string' ? data['text/plain'] : 'image';
      const m = (meta[mime] ?? {}) as { width?: number; height?: number };
      if (m.width) img.width = m.width;
      if (m.height) img.height = m.height;
      return img;
    }
    case 'application/json':
      return renderJSON(v);
    case 'text/plain':
      return textBlock(str(v), 'output-plain', opts);
    default:
      return mime.endsWith('+json') ? renderJSON(v) : textBlock(str(v), 'output-plain', opts);
  }
}

/** renderOutput builds the element of one output. */
/**
 * tracebackHasHead reports whether an error's traceback already starts with
 * "ENAME: …EVALUE" (Firn's kernel puts the cell, line and column there), so
 * that a separate "ENAME: EVALUE" header would only repeat it.
 */
export function tracebackHasHead(o: NbOutput): boolean {
  const tb = o['traceback'];
  if (!Array.isArray(tb) || tb.length === 0) return false;
  const first = stripAnsi(String(tb[0])).trimEnd();
  const ename = String(o['ename'] ?? '');
  const evalue = String(o['evalue'] ?? '').trimEnd();
  return ename !== '' && first.startsWith(ename + ': ') && first.endsWith(evalue);
}

export function renderOutput(o: NbOutput, opts: RenderOptions = {}): HTMLElement {
  const el = h('div', 'output');
  el.dataset['testid'] = 'output';
  el.dataset['outputType'] = o.output_type;
  switch (o.output_type) {
    case 'stream': {
      const name = String(o['name'] ?? 'stdout');
      el.classList.add('output-stream', 'output-' + name);
      el.append(textBlock(str(o['text']), 'output-stream-text', opts));
      break;
    }
    case 'error': {
      el.classList.add('output-error');
      el.setAttribute('role', 'alert');
      const tb = Array.isArray(o['traceback']) ? (o['traceback'] as unknown[]).map(String) : [];
      if (!tracebackHasHead(o)) {
        const head = h('div', 'error-head');
        head.append(h('strong', '', String(o['ename'] ?? 'Error')), document.createTextNode(': ' + String(o['evalue'] ?? '')));
        el.append(head);
      }
      if (tb.length) el.append(textBlock(tb.join('\n'), 'error-traceback', opts));
      break;
    }
    case 'display_data':
    case 'execute_result': {
      const data = (o['data'] ?? {}) as Record<string, unknown>;
      const meta = (o['metadata'] ?? {}) as Record<string, unknown>;
      const mime = pickMime(data);
      el.classList.add('output-rich');
      if (mime) {
        el.dataset['mime'] = mime;
        el.append(renderMime(mime, data, meta, opts));
      }
      break;
    }
    default:
      el.append(textBlock(`(output of type ${o.output_type} not shown)`, 'output-plain'));
  }
  return el;
}

/**
 * updateOutput shows o in el, which showed an older version of the same
 * display: a progress bar is updated in place, anything else re-rendered.
 */
/**
 * growStream shows more text of a stream output in place when its view is
 * cut and the text only grew: the head shown stays, the count of hidden
 * lines changes. It returns false when the output must be drawn anew.
 */
export function growStream(el: HTMLElement, o: NbOutput): boolean {
  if (o.output_type !== 'stream' || el.dataset['outputType'] !== 'stream') return false;
  const wrap = el.querySelector<HTMLElement>('.output-text-wrap');
  const b = wrap ? cutBlocks.get(wrap) : undefined;
  const text = str(o['text']);
  if (!b || !text.startsWith(b.text)) return false;
  const more = text.slice(b.text.length);
  b.text = text;
  if (b.all) {
    b.pre.insertAdjacentHTML('beforeend', ansiToHTML(more));
    return true;
  }
  b.say.textContent = cutNote(truncate(text, b.opts.maxLines, b.opts.maxChars));
  return true;
}

export function updateOutput(el: HTMLElement, o: NbOutput, opts: RenderOptions = {}): HTMLElement {
  const data = (o['data'] ?? {}) as Record<string, unknown>;
  if (el.dataset['mime'] === progressMime && pickMime(data) === progressMime) {
    const p = el.querySelector<HTMLElement>('.output-progress');
    if (p) {
      setProgress(p, data[progressMime]);
      return el;
    }
  }
  const n = renderOutput(o, opts);
  el.replaceWith(n);
  return n;
}
