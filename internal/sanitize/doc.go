// Package sanitize is Firn's one policy for untrusted HTML, SVG and CSS:
// what a notebook's outputs and Markdown may show. The policy is the file
// policy.json in this directory, an allowlist with named options. Three
// sanitizers derive from it:
//
//   - kernel/display, for the HTML and SVG that a cell shows (HTML and SVG
//     below, built on bluemonday and on encoding/xml);
//   - notebooks/export, for the HTML page and the Markdown file it writes
//     (the same functions);
//   - the frontend, whose DOMPurify configuration and hooks are made from
//     the same file (frontend/src/markdown/sanitize.ts imports it).
//
// The file testdata/hostile.json lists hostile inputs with what must hold
// for each; the tests of this package, of kernel/display, of
// notebooks/export and the frontend's (vitest with jsdom) run all three
// sanitizers on it and check the same expectations.
//
//	clean := sanitize.HTML(`<p onclick="steal()">ELA <b>2900 m</b></p>`)
//	// clean == `<p>ELA <b>2900 m</b></p>`
//	svg, err := sanitize.SVG(plot)  // svg.SVG, svg.Width, svg.Height
//
// # The policy
//
// HTML keeps text formatting, headings, lists, tables, quotes, details,
// progress and meter, links and images (policy.json's html.elements), with
// a few attributes each; elements that hold code or other documents
// (script, style, iframe, object, embed, template, noscript, svg, math, …)
// go with their content, other elements go and leave their text. Event
// handlers and every attribute not listed go. Links may go to http, https
// and mailto URLs or relative paths and fragments; links to other sites
// open in a new tab (target="_blank", rel="noopener noreferrer"), and the
// notebook page opens every link so. Images may show only what
// the notebook holds: base64 data: URLs of PNG, JPEG, GIF and WebP
// (remote_resources is false).
//
// A style attribute keeps colour, background colour, text alignment,
// vertical alignment, font weight and style, text decoration and white
// space, each with a value from a closed set or a colour; every other
// property goes, so no position, size, margin, transform, url(), @import
// or expression() is left. A <style> element is never kept, in HTML or
// SVG: its rules would apply to the whole page.
//
// SVG keeps the drawing elements (shapes, text, gradients, patterns,
// markers, clipping, masking, filters, links); script, foreignObject
// (HTML inside SVG), style, the animation elements (which can rewrite a
// link) and anything else go with their content. Attributes are the
// geometry and presentation attributes of those elements; a value may
// refer with url(…) only to the document itself (url(#id)); href on
// <use>, gradients and filters must be a fragment, on <image> an embedded
// image, on <a> an allowed link. A style attribute keeps the paint and
// text properties of SVG whose values are plain (colours, numbers,
// lengths, names, url(#id)).
//
// # Outputs stay in their cell
//
// An output cannot load anything from another host and cannot cover the
// notebook: that is Jupyter's model for a notebook you did not run, and
// Firn applies it to every output, whoever ran it, and to Markdown, so
// that opening a notebook never makes a request to another host. Two
// layers give it:
//
//  1. The sanitizers above remove what loads (remote images, url() in
//     CSS, @import, <style>, <link>, <base>, <meta>, frames) and what
//     positions (every CSS property but the few listed).
//  2. The page contains each output: the frontend's output area and
//     rendered Markdown, and the exported page's output area, have
//     CSS containment (contain: layout paint), so even an element that
//     were positioned fixed would be placed and clipped inside its
//     output.
//
// Outputs are not put in sandboxed iframes: each would need its own
// document, a size negotiated by script and its own copy of the styles,
// and plots, tables and KaTeX would stop flowing with the text; the
// sanitizer already removes all script, so a frame would add cost and
// no safety that containment does not give.
package sanitize
