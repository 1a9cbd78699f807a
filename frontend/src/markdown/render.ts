// Markdown cells and text/markdown outputs: marked (GitHub flavour), then
// the sanitizer (DOMPurify with Firn's policy), then KaTeX for $…$ and
// $$…$$. Math is kept as escaped TeX in <span class="math …"> through the
// sanitizer, as the HTML export keeps it, and typeset afterwards: KaTeX's
// markup (inline styles, MathML) is Firn's own, not the notebook's, and
// need not pass the policy.

import { Marked, type TokenizerAndRendererExtension } from 'marked';
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { sanitizeHTML } from './sanitize';
import { escapeHTML } from '../outputs/ansi';

/** renderMath typesets TeX, showing the error in place of a bad formula. */
export function renderMath(tex: string, display: boolean): string {
  try {
    return katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore' });
  } catch (e) {
    return `<code class="math-error" title="${escapeHTML(String(e))}">${escapeHTML(tex)}</code>`;
  }
}

const blockMath: TokenizerAndRendererExtension = {
  name: 'blockMath',
  level: 'block',
  start: (src: string) => src.match(/^\s*\$\$/m)?.index,
  tokenizer(src: string) {
    const m = /^\s*\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src);
    if (!m) return undefined;
    return { type: 'blockMath', raw: m[0], text: m[1]!.trim() };
  },
  renderer: (tok) => `<div class="math-display">${mathSpan(String(tok['text']), true)}</div>\n`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: 'inlineMath',
  level: 'inline',
  start: (src: string) => {
    const i = src.indexOf('$');
    return i < 0 ? undefined : i;
  },
  tokenizer(src: string) {
    // $$…$$ inline (display), or $…$ where the inner text neither starts
    // nor ends with a space (so "$5 and $6" stays text).
    let m = /^\$\$([\s\S]+?)\$\$/.exec(src);
    if (m) return { type: 'inlineMath', raw: m[0], text: m[1]!.trim(), display: true };
    m = /^\$(?!\s)((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)/.exec(src);
    if (m) return { type: 'inlineMath', raw: m[0], text: m[1]!, display: false };
    return undefined;
  },
  renderer: (tok) => mathSpan(String(tok['text']), Boolean(tok['display'])),
};

/** mathSpan keeps TeX for typesetting after the sanitizer. */
function mathSpan(tex: string, display: boolean): string {
  return `<span class="math ${display ? 'display' : 'inline'}">${escapeHTML(tex)}</span>`;
}

const md = new Marked({ gfm: true, breaks: false, extensions: [blockMath, inlineMath] });

/** renderMarkdown returns sanitized HTML for a Markdown source, its math typeset. */
export function renderMarkdown(src: string): string {
  const html = sanitizeHTML(md.parse(src, { async: false }));
  if (!html.includes('class="math')) return html;
  // A template's content is inert: nothing in it loads or runs.
  const t = document.createElement('template');
  t.innerHTML = html;
  for (const el of t.content.querySelectorAll<HTMLElement>('span.math')) {
    el.innerHTML = renderMath(el.textContent ?? '', el.classList.contains('display'));
  }
  return t.innerHTML;
}
