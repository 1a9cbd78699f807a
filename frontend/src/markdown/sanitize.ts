// HTML and SVG from notebooks and kernels are untrusted. They are cleaned
// by DOMPurify configured from Firn's one sanitizing policy,
// internal/sanitize/policy.json, which the Go side (the kernel's display
// package and the exporter) builds its sanitizers from too: the same
// elements, attributes, link and image rules and CSS properties. Nothing
// that loads from another host or positions itself outside its output is
// kept (see the Go package's documentation for the policy).

import DOMPurify, { type DOMPurify as Purifier, type UponSanitizeAttributeHookEvent } from 'dompurify';
import policy from '../../../internal/sanitize/policy.json';

/** The policy file, as the frontend reads it. */
export interface Policy {
  remote_resources: boolean;
  link_schemes: string[];
  relative_links: boolean;
  embedded_image_types: string[];
  html: {
    elements: string[];
    drop_with_content: string[];
    global_attributes: string[];
    attributes: Record<string, string[]>;
    attribute_patterns: Record<string, string>;
    link_attributes: string[];
    image_attributes: string[];
  };
  css: { properties: Record<string, string>; values: Record<string, string> };
  svg: {
    elements: string[];
    attributes: string[];
    link_elements: string[];
    image_elements: string[];
    css_properties: string[];
    css_value: string;
  };
}

export const firnPolicy: Policy = policy;

const lower = (xs: string[]): string[] => xs.map((x) => x.toLowerCase());
/** A policy pattern: the whole value, ignoring case (as Go's (?i)). */
const pattern = (expr: string): RegExp => new RegExp(expr, 'i');

/** The policy's sets and patterns, ready to use. */
class Rules {
  readonly htmlElements: string[];
  readonly htmlAttrs: string[];
  readonly global: Set<string>;
  readonly perElement: Map<string, Set<string>>;
  readonly patterns: Map<string, RegExp>;
  readonly linkAttrs: Set<string>;
  readonly imageAttrs: Set<string>;
  readonly css: Map<string, RegExp>;
  readonly svgElements: string[];
  readonly svgAttrs: string[];
  readonly svgLinks: Set<string>;
  readonly svgImages: Set<string>;
  readonly svgCSS: Set<string>;
  readonly svgCSSValue: RegExp;

  constructor(readonly p: Policy) {
    this.htmlElements = lower(p.html.elements);
    this.global = new Set(lower(p.html.global_attributes));
    this.perElement = new Map(Object.entries(p.html.attributes).map(([el, as]) => [el, new Set(lower(as))]));
    this.htmlAttrs = [...new Set([...this.global, ...[...this.perElement.values()].flatMap((s) => [...s])])];
    this.patterns = new Map(Object.entries(p.html.attribute_patterns).map(([k, v]) => [k, pattern(v)]));
    this.linkAttrs = new Set(p.html.link_attributes);
    this.imageAttrs = new Set(p.html.image_attributes);
    this.css = new Map(Object.entries(p.css.properties).map(([prop, v]) => [prop, pattern(p.css.values[v] ?? v)]));
    this.svgElements = lower(p.svg.elements);
    this.svgAttrs = lower(p.svg.attributes);
    this.svgLinks = new Set(lower(p.svg.link_elements));
    this.svgImages = new Set(lower(p.svg.image_elements));
    this.svgCSS = new Set(lower(p.svg.css_properties));
    this.svgCSSValue = pattern(p.svg.css_value);
  }

  /** linkURL: may a link go to u? (Go: sanitize.LinkURL) */
  linkURL(u: string): boolean {
    const s = scheme(browserURL(u));
    if (s === null) return false;
    if (s === '') return this.p.relative_links;
    return this.p.link_schemes.includes(s);
  }

  /** imageURL: may an image load u? (Go: sanitize.ImageURL) */
  imageURL(u: string): boolean {
    const v = browserURL(u);
    const s = scheme(v);
    if (s === null) return false;
    if (s === 'data') {
      const i = v.indexOf(';base64,');
      return i > 0 && lower(this.p.embedded_image_types).includes(v.slice(5, i).toLowerCase());
    }
    if (this.p.remote_resources) return s === '' || s === 'http' || s === 'https';
    return false;
  }

  /** htmlStyle keeps the declarations the policy allows, or returns ''. */
  htmlStyle(style: string): string {
    const kept: string[] = [];
    for (const [prop, value] of declarations(style)) {
      const re = this.css.get(prop);
      if (re && !value.includes('\\') && re.test(value)) kept.push(`${prop}: ${value}`);
    }
    return kept.join('; ');
  }

  /** svgStyle keeps the declarations of SVG's paint and text properties with plain values. */
  svgStyle(style: string): string {
    const kept: string[] = [];
    for (const [prop, value] of declarations(style)) {
      if (this.svgCSS.has(prop) && this.svgCSSValue.test(value)) kept.push(`${prop}:${value}`);
    }
    return kept.join(';');
  }
}

/** browserURL is u as a browser reads it: ends trimmed, tabs and newlines removed. */
function browserURL(u: string): string {
  // eslint-disable-next-line no-control-regex
  return u.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '');
}

/** scheme of u lower case, '' if relative, null if u has a colon that ends no valid scheme. */
function scheme(u: string): string | null {
  const m = /[:/?#]/.exec(u);
  if (!m || m[0] !== ':') return '';
  const s = u.slice(0, m.index).toLowerCase();
  return /^[a-z][a-z0-9+.-]*$/.test(s) ? s : null;
}

/** declarations splits a style attribute into [property (lower case), value] pairs. */
function declarations(style: string): [string, string][] {
  const out: [string, string][] = [];
  for (const d of style.split(';')) {
    const i = d.indexOf(':');
    if (i < 0) continue;
    out.push([d.slice(0, i).trim().toLowerCase(), d.slice(i + 1).trim()]);
  }
  return out;
}

/** unsafeValue: a script URL, CSS expression() or @import anywhere in the value. */
function unsafeValue(v: string): boolean {
  // eslint-disable-next-line no-control-regex
  const squeezed = v.replace(/[\x00-\x20\x7f]/g, '').toLowerCase();
  return ['javascript:', 'vbscript:', 'expression(', '@import'].some((s) => squeezed.includes(s));
}

/** outsideURL: a url(…) in the value that does not point into the document (url(#id)). */
function outsideURL(v: string): boolean {
  for (const m of v.matchAll(/url\(\s*['"]?\s*(.?)/gi)) if (m[1] !== '#') return true;
  return false;
}

export const rules = new Rules(firnPolicy);

let purify: Purifier | null = null;
let mode: 'html' | 'svg' = 'html';

function purifier(): Purifier {
  if (purify) return purify;
  const p = DOMPurify(window);
  p.addHook('uponSanitizeAttribute', (node: Element, data: UponSanitizeAttributeHookEvent) => {
    if (!data.keepAttr) return;
    const el = node.nodeName.toLowerCase();
    const name = data.attrName;
    const v = data.attrValue;
    if (name.startsWith('on') || unsafeValue(v)) {
      data.keepAttr = false;
      return;
    }
    if (mode === 'svg') {
      if (outsideURL(v)) data.keepAttr = false;
      else if (name === 'href' || name === 'xlink:href') {
        if (rules.svgLinks.has(el)) data.keepAttr = rules.linkURL(v);
        else if (rules.svgImages.has(el)) data.keepAttr = rules.imageURL(v);
        else data.keepAttr = v.trim().startsWith('#');
      } else if (name === 'style') {
        data.attrValue = rules.svgStyle(v);
        data.keepAttr = data.attrValue !== '';
      }
      return;
    }
    if (!rules.global.has(name) && !rules.perElement.get(el)?.has(name)) {
      data.keepAttr = false;
    } else if (rules.linkAttrs.has(name)) {
      data.keepAttr = rules.linkURL(v);
    } else if (rules.imageAttrs.has(name)) {
      data.keepAttr = rules.imageURL(v);
    } else if (name === 'style') {
      data.attrValue = rules.htmlStyle(v);
      data.keepAttr = data.attrValue !== '';
    } else {
      const re = rules.patterns.get(name);
      if (re && !re.test(v)) data.keepAttr = false;
    }
  });
  // Links open in a new tab and cannot reach back into the notebook page.
  p.addHook('afterSanitizeAttributes', (node: Element) => {
    if (node.nodeName.toLowerCase() === 'a' && (node.hasAttribute('href') || node.hasAttribute('xlink:href'))) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  purify = p;
  return p;
}

/** sanitizeHTML cleans an HTML fragment with the policy's HTML allowlist. */
export function sanitizeHTML(html: string): string {
  const p = purifier();
  mode = 'html';
  return p.sanitize(html, {
    ALLOWED_TAGS: rules.htmlElements,
    ALLOWED_ATTR: rules.htmlAttrs,
    ADD_FORBID_CONTENTS: lower(firnPolicy.html.drop_with_content),
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    KEEP_CONTENT: true,
  });
}

/** sanitizeSVG cleans an SVG document for inline display with the policy's SVG allowlist. */
export function sanitizeSVG(svg: string): string {
  const p = purifier();
  mode = 'svg';
  try {
    return p.sanitize(svg, {
      // Text is a node DOMPurify checks too (KEEP_CONTENT adds it for HTML).
      ALLOWED_TAGS: [...rules.svgElements, '#text'],
      ALLOWED_ATTR: rules.svgAttrs,
      ADD_DATA_URI_TAGS: [...rules.svgImages],
      ALLOW_DATA_ATTR: false,
      ALLOW_ARIA_ATTR: false,
      KEEP_CONTENT: false,
    });
  } finally {
    mode = 'html';
  }
}
