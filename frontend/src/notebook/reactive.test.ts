import { describe, expect, it } from 'vitest';
import { Notebook } from './model';
import {
  dependents, isReactive, setReactive, setWidgetOutput, setWidgetValue, staleCells, vanished, widgetMime, widgetValues,
  type GraphAnswer, type WidgetDesc,
} from './reactive';
import { renderOutput } from '../outputs/render';

function nb(cells: [string, string, number | null][], metadata: Record<string, unknown> = {}): Notebook {
  return Notebook.fromJSON({
    nbformat: 4, nbformat_minor: 5, metadata,
    cells: cells.map(([id, source, n]) => ({ cell_type: 'code', id, source, metadata: {}, outputs: [], execution_count: n })),
  });
}

// ela → glacier → plot, volume; z alone.
const graph: GraphAnswer = {
  cells: [
    { id: 'ela', defines: ['ela'], uses: [], depends_on: [] },
    { id: 'glacier', defines: ['g'], uses: ['ela'], depends_on: ['ela'] },
    { id: 'plot', defines: [], uses: ['g'], depends_on: ['glacier'] },
    { id: 'volume', defines: [], uses: ['g'], depends_on: ['glacier'] },
    { id: 'z', defines: ['z'], uses: [], depends_on: [] },
  ],
  problems: [], run: [], blocked: [],
};

describe('reactive mode', () => {
  it('is recorded in metadata.firn, keeping what else is there', () => {
    const n = nb([], { firn: { version: '1.0' } });
    expect(isReactive(n)).toBe(false);
    setReactive(n, true);
    expect(n.metadata['firn']).toEqual({ version: '1.0', reactive: true });
    expect(isReactive(n)).toBe(true);
    setReactive(n, false);
    expect(n.metadata['firn']).toEqual({ version: '1.0' });
  });

  it('finds dependents through other cells', () => {
    expect([...dependents(graph, ['ela'])].sort()).toEqual(['glacier', 'plot', 'volume']);
    expect([...dependents(graph, ['z'])]).toEqual([]);
  });

  it('marks an edited cell and its users stale, naming the names', () => {
    const n = nb([['ela', 'ela := 1', 1], ['glacier', 'g := ela', 2], ['plot', 'p(g)', 3], ['volume', 'v(g)', 4], ['z', 'z := 1', 5]]);
    expect(staleCells(n, graph).size).toBe(0);
    n.setSource(n.byId('glacier')!, 'g := ela * 2');
    const s = staleCells(n, graph);
    expect(Object.fromEntries(s)).toEqual({
      glacier: 'edited since it ran', plot: 'uses g, edited since it ran', volume: 'uses g, edited since it ran',
    });
  });

  it('a cell that never ran is not stale', () => {
    const n = nb([['ela', 'ela := 1', null]]);
    n.setSource(n.byId('ela')!, 'ela := 2');
    expect(staleCells(n, graph).size).toBe(0);
  });

  it('finds names no cell defines any more', () => {
    const ran = new Map([['ela', ['ela']], ['old', ['w', 'z']]]);
    expect(vanished(ran, graph)).toEqual(['w']);
  });
});

describe('widget state', () => {
  const slider: WidgetDesc = { kind: 'slider', label: 'ELA (m)', model_id: 'firn-1', value: 3000, min: 2500, max: 3500, step: 10 };
  const dropdown: WidgetDesc = { kind: 'dropdown', label: 'climate', model_id: 'firn-2', value: 'constant', options: ['constant', 'random'] };
  const button: WidgetDesc = { kind: 'button', label: 'again', model_id: 'firn-3', value: 0 };

  it('round-trips the reader\'s values through nbformat\'s widget state', () => {
    const n = nb([]);
    setWidgetValue(n, slider, 3120);
    setWidgetValue(n, dropdown, 'random');
    setWidgetValue(n, button, 2);
    const st = (n.metadata['widgets'] as Record<string, { state: Record<string, { model_name: string; state: Record<string, unknown> }> }>)['application/vnd.jupyter.widget-state+json']!;
    expect(st.state['firn-1']!.model_name).toBe('FloatSliderModel');
    expect(st.state['firn-2']!.state).toEqual({ description: 'climate', _options_labels: ['constant', 'random'], index: 1 });
    // Read back as a reopened notebook does.
    const again = Notebook.fromJSON(n.toJSON());
    expect(widgetValues(again)).toEqual({ 'ELA (m)': 3120, climate: 'random', again: 2 });
  });

  it('shows the value in the stored output', () => {
    const n = Notebook.fromJSON({
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [{ cell_type: 'code', id: 'a', source: 's', metadata: {}, execution_count: 1, outputs: [{ output_type: 'display_data', data: { [widgetMime]: { ...slider }, 'text/plain': 'ELA' }, metadata: {} }] }],
    });
    setWidgetOutput(n.cells[0]!, 'ELA (m)', 2990);
    const out = n.toJSON()['cells'] as { outputs: { data: Record<string, WidgetDesc> }[] }[];
    expect(out[0]!.outputs[0]!.data[widgetMime]!.value).toBe(2990);
  });
});

describe('widget outputs', () => {
  const out = (d: WidgetDesc) => ({ output_type: 'display_data', data: { [widgetMime]: d, 'text/plain': d.label }, metadata: {} });

  it('a slider calls back with the number moved to, and shows it', async () => {
    const got: unknown[] = [];
    const el = renderOutput(out({ kind: 'slider', label: 'ELA (m)', model_id: 'm', value: 3000, min: 2500, max: 3500, step: 10 }), {
      onWidget: async (_d, v) => { got.push(v); },
    });
    const input = el.querySelector('input[type="range"]') as HTMLInputElement;
    expect(input.disabled).toBe(false);
    expect(el.querySelector('[data-testid="widget-value"]')!.textContent).toBe('3000');
    input.value = '2800';
    input.dispatchEvent(new Event('input'));
    expect(got).toEqual([2800]);
    expect(el.querySelector('[data-testid="widget-value"]')!.textContent).toBe('2800');
  });

  it('without a callback the control is drawn disabled, with its value', () => {
    const el = renderOutput(out({ kind: 'dropdown', label: 'climate', model_id: 'm', value: 'random', options: ['constant', 'random'] }));
    const sel = el.querySelector('select') as HTMLSelectElement;
    expect(sel.disabled).toBe(true);
    expect(sel.value).toBe('random');
  });

  it('checkbox and button', () => {
    const got: unknown[] = [];
    const onWidget = async (_d: WidgetDesc, v: number | string | boolean) => { got.push(v); };
    const cb = renderOutput(out({ kind: 'checkbox', label: 'warmer', model_id: 'm', value: false }), { onWidget });
    const box = cb.querySelector('input[type="checkbox"]') as HTMLInputElement;
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    const b = renderOutput(out({ kind: 'button', label: 'again', model_id: 'm', value: 1 }), { onWidget });
    (b.querySelector('button') as HTMLButtonElement).click();
    (b.querySelector('button') as HTMLButtonElement).click();
    expect(got).toEqual([true, 2, 3]);
  });

  it('a play control steps to the end, each step after the cells ran', async () => {
    const got: number[] = [];
    const el = renderOutput(out({ kind: 'play', label: 'year', model_id: 'm', value: 0, min: 0, max: 3, step: 1 }), {
      onWidget: async (_d, v) => { got.push(v as number); },
    });
    const play = el.querySelector('[data-testid="widget-play"]') as HTMLButtonElement;
    // Done when the button shows ▶ again (it shows ⏸ while playing).
    const stopped = new Promise<void>((resolve) => {
      new MutationObserver(() => { if (play.textContent === '▶') resolve(); }).observe(play, { childList: true, characterData: true, subtree: true });
    });
    play.click();
    expect(play.textContent).toBe('⏸');
    await stopped;
    expect(got).toEqual([1, 2, 3]);
  });
});
