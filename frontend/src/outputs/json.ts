// application/json outputs as a collapsible tree.

function leaf(v: unknown): HTMLElement {
  const s = document.createElement('span');
  s.className = 'json-' + (v === null ? 'null' : typeof v);
  s.textContent = JSON.stringify(v);
  return s;
}

function node(key: string | null, v: unknown, depth: number): HTMLElement {
  if (v === null || typeof v !== 'object') {
    const d = document.createElement('div');
    d.className = 'json-row';
    if (key !== null) d.append(keyEl(key));
    d.append(leaf(v));
    return d;
  }
  const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
  const det = document.createElement('details');
  det.className = 'json-node';
  det.open = depth < 2;
  const sum = document.createElement('summary');
  if (key !== null) sum.append(keyEl(key));
  sum.append(document.createTextNode(Array.isArray(v) ? `[${entries.length}]` : `{${entries.length}}`));
  det.append(sum);
  const max = 500;
  for (const [k, x] of entries.slice(0, max)) det.append(node(k, x, depth + 1));
  if (entries.length > max) {
    const more = document.createElement('div');
    more.className = 'json-more';
    more.textContent = `… ${entries.length - max} more`;
    det.append(more);
  }
  return det;
}

function keyEl(k: string): HTMLElement {
  const s = document.createElement('span');
  s.className = 'json-key';
  s.textContent = k + ': ';
  return s;
}

export function renderJSON(v: unknown): HTMLElement {
  const el = document.createElement('div');
  el.className = 'output-json';
  el.append(node(null, v, 0));
  return el;
}
