// The shared table of hostile inputs (internal/sanitize/sanitizetest/
// hostile.json), run through the frontend's sanitizers as the notebook
// shows them: HTML and SVG outputs by renderOutput, Markdown by
// renderMarkdown. The checks are those of the Go side's sanitizetest.Check,
// read from the same policy file: every side must satisfy the same
// expectations.

import { describe, expect, it } from 'vitest';
import table from '../../../internal/sanitize/sanitizetest/hostile.json';
import policy from '../../../internal/sanitize/policy.json';
import { renderMarkdown } from './render';
import { renderOutput } from '../outputs/render';

interface Case {
  name: string;
  kind: 'html' | 'svg' | 'markdown';
  input: string;
  keep_text?: string[];
  keep_elements?: string[];
  keep_attrs?: string[];
  keep_css?: string[];
  absent?: string[];
  may_reject?: boolean;
}
const cases = (table as { cases: Case[] }).cases;

const SVG_NS = 'http://www.w3.org/2000/svg';
const MATH_NS = 'http://www.w3.org/1998/Math/MathML';
const lower = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase()));
const re = (expr: string) => new RegExp(expr, 'i');

// The checker's own reading of policy.json (not the sanitizer's code).
const k = {
  htmlElements: lower(policy.html.elements),
  svgElements: lower(policy.svg.elements),
  global: lower(policy.html.global_attributes),
  perElement: new Map(Object.entries(policy.html.attributes).map(([e, a]) => [e, lower(a)])),
  patterns: new Map(Object.entries(policy.html.attribute_patterns).map(([n, e]) => [n, re(e)])),
  links: lower(policy.html.link_attributes),
  images: lower(policy.html.image_attributes),
  schemes: lower(policy.link_schemes),
  imageTypes: policy.embedded_image_types.map((t) => `data:${t.toLowerCase()};base64,`),
  css: new Map(Object.entries(policy.css.properties).map(([p, e]) => [p, re((policy.css.values as Record<string, string>)[e] ?? e)])),
  svgAttrs: lower(policy.svg.attributes),
  svgLinkEls: lower(policy.svg.link_elements),
  svgImageEls: lower(policy.svg.image_elements),
  svgCSS: lower(policy.svg.css_properties),
  svgCSSValue: re(policy.svg.css_value),
};

// eslint-disable-next-line no-control-regex
const squeeze = (v: string) => v.replace(/[\x00-\x20\x7f]/g, '').toLowerCase();
function link(v: string): boolean {
  const s = squeeze(v);
  const m = /[:/?#]/.exec(s);
  return !m || m[0] !== ':' || k.schemes.has(s.slice(0, m.index));
}
const image = (v: string) => k.imageTypes.some((p) => squeeze(v).startsWith(p));
function unescapeCSS(s: string): string {
  return s.replace(/\\([0-9a-f]{1,6}[ \t\n]?|.)/gi, (_m, g: string) => {
    const hex = g.trim();
    return /^[0-9a-f]{1,6}$/i.test(hex) ? String.fromCodePoint(parseInt(hex, 16)) : g;
  });
}
function declarations(style: string): [string, string][] {
  return style.split(';').filter((d) => d.trim() !== '').map((d) => {
    const i = d.indexOf(':');
    const [p, v] = i < 0 ? [d, ''] : [d.slice(0, i), d.slice(i + 1)];
    return [unescapeCSS(p).trim().toLowerCase(), unescapeCSS(v).trim()];
  });
}

function parse(html: string): DocumentFragment {
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.content;
}

function walk(root: Node, svg: boolean): string[] {
  const bad: string[] = [];
  const visit = (n: Node) => {
    if (n.nodeType === Node.COMMENT_NODE) bad.push(`a comment is left: <!--${(n as Comment).data}-->`);
    if (n instanceof Element) {
      const el = n.localName.toLowerCase();
      const inSVG = n.namespaceURI === SVG_NS;
      if (inSVG && !svg) bad.push(`<${el}>: SVG inside an HTML output`);
      else if (inSVG && !k.svgElements.has(el)) bad.push(`<${el}>: an SVG element the policy does not allow`);
      else if (n.namespaceURI === MATH_NS) bad.push(`<${el}>: MathML`);
      else if (!inSVG && (svg || !k.htmlElements.has(el))) bad.push(`<${el}>: an HTML element the policy does not allow here`);
      let href = '';
      for (const a of Array.from(n.attributes)) {
        const name = a.name.toLowerCase();
        const v = a.value;
        const sq = squeeze(v);
        if (name.startsWith('on')) {
          bad.push(`<${el} ${name}>: an event handler`);
          continue;
        }
        for (const s of ['javascript:', 'vbscript:', 'expression(', '@import']) if (sq.includes(s)) bad.push(`<${el} ${name}="${v}">: ${s}`);
        for (const m of v.matchAll(/url\(\s*['"]?\s*(.?)/gi)) if (!inSVG || m[1] !== '#') bad.push(`<${el} ${name}="${v}">: url() that leaves the document`);
        if (el === 'a' && (name === 'target' || name === 'rel')) continue;
        if (name === 'href' || name === 'xlink:href') href = sq;
        if (inSVG) {
          if (name.startsWith('xmlns')) continue;
          if (!k.svgAttrs.has(name)) bad.push(`<${el} ${name}>: an SVG attribute the policy does not allow`);
          else if (name === 'href' || name === 'xlink:href') {
            if (k.svgLinkEls.has(el) ? !link(v) : k.svgImageEls.has(el) ? !image(v) : !v.trim().startsWith('#')) bad.push(`<${el} ${name}="${v}">: a reference the policy does not allow`);
          } else if (name === 'style') {
            for (const [p, val] of declarations(v)) if (!k.svgCSS.has(p) || !k.svgCSSValue.test(val)) bad.push(`<${el} style>: ${p}: ${val}`);
          }
          continue;
        }
        if (!k.global.has(name) && !k.perElement.get(el)?.has(name)) bad.push(`<${el} ${name}>: an attribute the policy does not allow`);
        else if (k.links.has(name)) { if (!link(v)) bad.push(`<${el} ${name}="${v}">: a link the policy does not allow`); }
        else if (k.images.has(name)) { if (!image(v)) bad.push(`<${el} ${name}="${v}">: an image source the policy does not allow`); }
        else if (name === 'style') {
          for (const [p, val] of declarations(v)) if (!k.css.get(p)?.test(val)) bad.push(`<${el} style>: ${p}: ${val}`);
        } else if (k.patterns.has(name) && !k.patterns.get(name)!.test(v)) bad.push(`<${el} ${name}="${v}">: a value the policy does not allow`);
      }
      if (el === 'a' && /^https?:/.test(href) && (n.getAttribute('target') !== '_blank' || !(n.getAttribute('rel') ?? '').includes('noopener'))) {
        bad.push(`<a href="${href}">: a link to another site without target=_blank and rel=noopener`);
      }
    }
    n.childNodes.forEach(visit);
  };
  visit(root);
  return bad;
}

function expectations(c: Case, root: Node): string[] {
  const bad: string[] = [];
  const text = root.textContent ?? '';
  const elements = new Set<string>();
  const attrs = new Set<string>();
  const css = new Set<string>();
  const names: string[] = [];
  const visit = (n: Node) => {
    if (n instanceof Element) {
      elements.add(n.localName.toLowerCase());
      names.push(n.localName);
      for (const a of Array.from(n.attributes)) {
        const name = a.name.toLowerCase();
        attrs.add(`${name}=${a.value}`);
        names.push(name);
        if (name !== 'title' && name !== 'alt') names.push(a.value);
        if (name === 'style') for (const [p] of declarations(a.value)) css.add(p);
      }
    }
    n.childNodes.forEach(visit);
  };
  visit(root);
  for (const s of c.keep_text ?? []) if (!text.includes(s)) bad.push(`lost the text ${JSON.stringify(s)} (text: ${JSON.stringify(text)})`);
  for (const s of c.keep_elements ?? []) if (!elements.has(s)) bad.push(`lost the element <${s}>`);
  for (const s of c.keep_attrs ?? []) if (!attrs.has(s)) bad.push(`lost the attribute ${s}`);
  for (const s of c.keep_css ?? []) if (!css.has(s)) bad.push(`lost the style property ${s}`);
  const all = names.join('\0').toLowerCase();
  for (const s of c.absent ?? []) if (all.includes(s.toLowerCase())) bad.push(`${JSON.stringify(s)} is left in an element or attribute`);
  return bad;
}

/** check is sanitizetest.Check: the policy, then the case's expectations, on a first and a second parse. */
export function check(c: Case, out: string): string[] {
  const first = parse(out);
  const second = parse((() => { const t = document.createElement('template'); t.content.append(first.cloneNode(true)); return t.innerHTML; })());
  const bad = [...walk(first, c.kind === 'svg'), ...walk(second, c.kind === 'svg').map((p) => 'after a second parse: ' + p)];
  return [...new Set([...bad, ...expectations(c, first)])];
}

/** shown is what the notebook page shows of a case. */
function shown(c: Case): string {
  if (c.kind === 'markdown') return renderMarkdown(c.input);
  const mime = c.kind === 'svg' ? 'image/svg+xml' : 'text/html';
  const el = renderOutput({ output_type: 'display_data', data: { [mime]: c.input }, metadata: {} });
  const box = el.querySelector(c.kind === 'svg' ? '.output-svg' : '.output-html')!;
  return box.innerHTML;
}

describe('the shared hostile table', () => {
  for (const c of cases) {
    it(`${c.kind}/${c.name}`, () => {
      const out = shown(c);
      expect(check(c, out), `input: ${c.input}\noutput: ${out}`).toEqual([]);
    });
  }

  it('catches the hostile inputs as they are', () => {
    for (const c of cases) {
      if (c.kind === 'markdown' || !(c.absent ?? []).length) continue;
      expect(check(c, c.input).length, `${c.kind}/${c.name}`).toBeGreaterThan(0);
    }
  });
});
