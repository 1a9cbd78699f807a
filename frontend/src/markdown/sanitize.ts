// HTML and SVG from notebooks and kernels are untrusted: DOMPurify removes
// scripts, event handlers and javascript: URLs before anything is shown.

import DOMPurify from 'dompurify';

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  // Links open in a new tab and cannot reach back into the notebook page.
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** sanitizeHTML cleans HTML (MathML and inline SVG allowed, forms and frames not). */
export function sanitizeHTML(html: string): string {
  hook();
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    ADD_ATTR: ['target', 'encoding'],
    // KaTeX's MathML keeps the TeX source in <semantics><annotation>
    // (text only; annotation-xml, the risky one, stays forbidden).
    ADD_TAGS: ['semantics', 'annotation'],
  });
}

/** sanitizeSVG cleans an SVG document for inline display. */
export function sanitizeSVG(svg: string): string {
  hook();
  return DOMPurify.sanitize(svg, {
    USE_PROFILES: { svg: true, svgFilters: true },
  });
}
