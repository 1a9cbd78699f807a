// ANSI escape sequences (SGR colours and styles) to HTML spans. Text is
// escaped; every escape sequence other than SGR is dropped.

const names = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface Style {
  fg: string | null; // class name suffix or "#rrggbb"
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

const plain = (): Style => ({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false });

function color256(n: number): string {
  if (n < 8) return names[n]!;
  if (n < 16) return 'bright-' + names[n - 8]!;
  if (n < 232) {
    const i = n - 16;
    const v = [0, 95, 135, 175, 215, 255];
    const r = v[Math.floor(i / 36)]!, g = v[Math.floor(i / 6) % 6]!, b = v[i % 6]!;
    return rgb(r, g, b);
  }
  const l = 8 + (n - 232) * 10;
  return rgb(l, l, l);
}

function rgb(r: number, g: number, b: number): string {
  const h = (x: number) => Math.max(0, Math.min(255, x | 0)).toString(16).padStart(2, '0');
  return '#' + h(r) + h(g) + h(b);
}

function applySGR(st: Style, params: number[]): void {
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) Object.assign(st, plain());
    else if (p === 1) st.bold = true;
    else if (p === 2) st.dim = true;
    else if (p === 3) st.italic = true;
    else if (p === 4) st.underline = true;
    else if (p === 7) st.inverse = true;
    else if (p === 22) { st.bold = false; st.dim = false; }
    else if (p === 23) st.italic = false;
    else if (p === 24) st.underline = false;
    else if (p === 27) st.inverse = false;
    else if (p >= 30 && p <= 37) st.fg = names[p - 30]!;
    else if (p === 39) st.fg = null;
    else if (p >= 40 && p <= 47) st.bg = names[p - 40]!;
    else if (p === 49) st.bg = null;
    else if (p >= 90 && p <= 97) st.fg = 'bright-' + names[p - 90]!;
    else if (p >= 100 && p <= 107) st.bg = 'bright-' + names[p - 100]!;
    else if (p === 38 || p === 48) {
      let c: string | null = null;
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        c = color256(params[i + 2]!);
        i += 2;
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        c = rgb(params[i + 2]!, params[i + 3]!, params[i + 4]!);
        i += 4;
      }
      if (p === 38) st.fg = c; else st.bg = c;
    }
  }
}

function open(st: Style): string {
  const cls: string[] = [];
  const css: string[] = [];
  let fg = st.fg, bg = st.bg;
  if (st.inverse) [fg, bg] = [bg ?? 'default-bg', fg ?? 'default-fg'];
  const put = (c: string | null, kind: 'fg' | 'bg') => {
    if (!c) return;
    if (c.startsWith('#')) css.push((kind === 'fg' ? 'color:' : 'background-color:') + c);
    else cls.push(`ansi-${c}-${kind}`);
  };
  put(fg, 'fg');
  put(bg, 'bg');
  if (st.bold) cls.push('ansi-bold');
  if (st.dim) cls.push('ansi-dim');
  if (st.italic) cls.push('ansi-italic');
  if (st.underline) cls.push('ansi-underline');
  if (cls.length === 0 && css.length === 0) return '';
  return `<span${cls.length ? ` class="${cls.join(' ')}"` : ''}${css.length ? ` style="${css.join(';')}"` : ''}>`;
}

// CSI sequences, OSC sequences (ended by BEL or ST), and other 2-char escapes.
const escapeRe = /\x1b\[([0-9;?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/**
 * setANSIText shows text with ANSI escapes in el: plain text (the usual
 * case) as a text node, without the HTML parser.
 */
export function setANSIText(el: HTMLElement, text: string): void {
  if (text.includes('\x1b')) el.innerHTML = ansiToHTML(text);
  else el.textContent = text;
}

/** ansiToHTML converts text with ANSI escapes to safe HTML. */
export function ansiToHTML(text: string): string {
  let out = '';
  const st = plain();
  let span = '';
  let last = 0;
  const flush = (s: string) => {
    if (!s) return;
    out += span ? span + escapeHTML(s) + '</span>' : escapeHTML(s);
  };
  for (const m of text.matchAll(escapeRe)) {
    flush(text.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[2] === 'm') {
      const params = (m[1] ?? '').split(';').filter((x) => x !== '').map((x) => parseInt(x, 10) || 0);
      applySGR(st, params);
      span = open(st);
    }
  }
  flush(text.slice(last));
  return out;
}

/** stripAnsi removes every escape sequence. */
export function stripAnsi(text: string): string {
  return text.replace(escapeRe, '');
}
