// Reactive notebooks and widgets: what the page keeps in the notebook's
// metadata (the reactive switch, widget values in nbformat's widget
// state) and what it works out from the server's def/use graph (POST
// /api/graph): which cells are stale, which names no cell defines any
// more. The panel runs what the graph's plan says.

import type { Notebook, Cell } from './model';
import type { JSONObject } from './nbformat';

/** GraphAnswer is POST /api/graph's answer (kernel/reactive). */
export interface GraphAnswer {
  cells: { id: string; defines: string[]; uses: string[]; depends_on: string[] }[];
  problems: { cell: string; message: string }[];
  run: string[];
  blocked: { cell: string; message: string }[];
}

export const widgetMime = 'application/vnd.firn.widget+json';
const widgetStateMime = 'application/vnd.jupyter.widget-state+json';

/** WidgetDesc is a widget output's description (kernel/display). */
export interface WidgetDesc {
  kind: 'slider' | 'number' | 'play' | 'dropdown' | 'checkbox' | 'button';
  label: string;
  model_id: string;
  value: number | string | boolean;
  min?: number;
  max?: number;
  step?: number;
  options?: string[];
}

function firnMeta(nb: Notebook): JSONObject {
  const f = nb.metadata['firn'];
  return f && typeof f === 'object' && !Array.isArray(f) ? (f as JSONObject) : {};
}

/** isReactive reports whether the notebook runs reactively (metadata.firn.reactive). */
export function isReactive(nb: Notebook): boolean {
  return firnMeta(nb)['reactive'] === true;
}

/** setReactive records the mode in the notebook's metadata. */
export function setReactive(nb: Notebook, on: boolean): void {
  const f = { ...firnMeta(nb) };
  if (on) f['reactive'] = true;
  else delete f['reactive'];
  nb.metadata['firn'] = f;
  nb.setDirty();
}

// ipywidgets' model of each kind, so that Jupyter's tools read the state.
const models: Record<WidgetDesc['kind'], string> = {
  slider: 'FloatSliderModel', number: 'BoundedFloatTextModel', play: 'PlayModel',
  dropdown: 'DropdownModel', checkbox: 'CheckboxModel', button: 'ButtonModel',
};

function widgetState(nb: Notebook): Record<string, JSONObject> {
  const w = nb.metadata['widgets'] as JSONObject | undefined;
  const s = (w?.[widgetStateMime] as JSONObject | undefined)?.['state'];
  return s && typeof s === 'object' ? (s as Record<string, JSONObject>) : {};
}

/**
 * widgetValues are the values the reader chose, by label, as the
 * notebook's widget state holds them (nbformat's metadata.widgets).
 */
export function widgetValues(nb: Notebook): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of Object.values(widgetState(nb))) {
    const st = (m['state'] ?? {}) as JSONObject;
    const label = st['description'];
    if (typeof label !== 'string') continue;
    if (m['model_name'] === 'DropdownModel') {
      const opts = st['_options_labels'];
      const i = st['index'];
      if (Array.isArray(opts) && typeof i === 'number' && i >= 0 && i < opts.length) out[label] = opts[i];
    } else if (m['model_name'] === 'ButtonModel') {
      if (typeof st['clicks'] === 'number') out[label] = st['clicks'];
    } else if ('value' in st) {
      out[label] = st['value'];
    }
  }
  return out;
}

/** setWidgetValue records the reader's value of a widget in the notebook's widget state. */
export function setWidgetValue(nb: Notebook, d: WidgetDesc, value: unknown): void {
  const state: JSONObject = { description: d.label };
  if (d.kind === 'dropdown') {
    state['_options_labels'] = d.options ?? [];
    state['index'] = (d.options ?? []).indexOf(String(value));
  } else if (d.kind === 'button') {
    state['clicks'] = value;
  } else {
    state['value'] = value;
    if (d.min !== undefined) state['min'] = d.min;
    if (d.max !== undefined) state['max'] = d.max;
    if (d.step !== undefined) state['step'] = d.step;
  }
  const all = { ...widgetState(nb) };
  all[d.model_id] = {
    model_name: models[d.kind], model_module: '@jupyter-widgets/controls', model_module_version: '2.0.0', state,
  };
  nb.metadata['widgets'] = { [widgetStateMime]: { version_major: 2, version_minor: 0, state: all } };
}

/** setWidgetOutput shows value in the cell's stored widget outputs of that label. */
export function setWidgetOutput(c: Cell, label: string, value: unknown): void {
  for (const o of c.outputs.items) {
    const data = o['data'] as Record<string, unknown> | undefined;
    const d = data?.[widgetMime] as WidgetDesc | undefined;
    if (d && d.label === label) d.value = value as WidgetDesc['value'];
  }
}

/** dependents are the cells that use names of the cells in from, directly or through others. */
export function dependents(g: GraphAnswer, from: Iterable<string>): Set<string> {
  const users = new Map<string, string[]>();
  for (const c of g.cells) for (const d of c.depends_on) users.set(d, [...(users.get(d) ?? []), c.id]);
  const out = new Set<string>();
  const walk = (id: string) => {
    for (const u of users.get(id) ?? []) {
      if (!out.has(u)) {
        out.add(u);
        walk(u);
      }
    }
  };
  for (const id of from) walk(id);
  return out;
}

/**
 * staleCells are the code cells whose outputs no longer match the code:
 * cells edited since they ran, and every cell that uses their names; the
 * value is why.
 */
export function staleCells(nb: Notebook, g: GraphAnswer): Map<string, string> {
  const out = new Map<string, string>();
  const edited = nb.cells.filter((c) => c.type === 'code' && c.ranSource !== null && c.ranSource !== c.source);
  for (const c of edited) out.set(c.id, 'edited since it ran');
  const byId = new Map(g.cells.map((c) => [c.id, c]));
  for (const id of dependents(g, edited.map((c) => c.id))) {
    if (out.has(id)) continue;
    const uses = byId.get(id)?.uses ?? [];
    const from = edited.find((c) => byId.get(c.id)?.defines.some((n) => uses.includes(n)));
    out.set(id, from ? `uses ${byId.get(from.id)!.defines.filter((n) => uses.includes(n)).join(', ')}, edited since it ran` : 'depends on a cell edited since it ran');
  }
  return out;
}

/** vanished are names a cell defined when it ran that no cell of g defines now. */
export function vanished(ran: Map<string, string[]>, g: GraphAnswer): string[] {
  const now = new Set(g.cells.flatMap((c) => c.defines));
  const gone = new Set<string>();
  for (const names of ran.values()) for (const n of names) if (!now.has(n)) gone.add(n);
  return [...gone].sort();
}
