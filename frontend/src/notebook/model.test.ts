import { describe, expect, it } from 'vitest';
import { Notebook } from './model';

const stored = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'firn', display_name: 'Firn (Go)', language: 'go' }, papermill: { parameters: { ela: 2900 } } },
  x_top_level: { keep: true },
  cells: [
    { cell_type: 'markdown', id: 'intro', metadata: { tags: ['doc'] }, source: ['# Hintereisferner\n', 'Area $A$'], attachments: { 'a.png': { 'image/png': 'AAAA' } } },
    {
      cell_type: 'code', id: 'c1', metadata: { collapsed: false, custom: 1 }, execution_count: 3, source: 'fmt.Println("hi")',
      outputs: [
        { output_type: 'stream', name: 'stdout', text: ['hi\n', 'there\n'] },
        { output_type: 'display_data', data: { 'image/svg+xml': ['<svg>\n', '</svg>\n'], 'text/plain': ['fig'] }, metadata: { 'image/svg+xml': { isolated: true } } },
        { output_type: 'execute_result', execution_count: 3, data: { 'application/json': { a: [1, 2] } }, metadata: {}, x_unknown_output: 7 },
        { output_type: 'error', ename: 'panic', evalue: 'boom', traceback: ['panic: cell [3], line 2, column 1: boom'] },
      ],
    },
    { cell_type: 'raw', id: 'r', metadata: { format: 'text/plain' }, source: [] },
  ],
};

describe('Notebook JSON', () => {
  it('round-trips preserving unknown fields', () => {
    const nb = Notebook.fromJSON(structuredClone(stored));
    expect(nb.cells.map((c) => c.id)).toEqual(['intro', 'c1', 'r']);
    expect(nb.cells[0]!.source).toBe('# Hintereisferner\nArea $A$');
    expect(nb.cells[1]!.outputs.items[0]!['text']).toBe('hi\nthere\n');
    expect(nb.toJSON()).toEqual(stored);
  });

  it('gives cells ids when the file has none, and fixes duplicates', () => {
    const nb = Notebook.fromJSON({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [
      { cell_type: 'code', metadata: {}, source: '', outputs: [], execution_count: null },
      { cell_type: 'code', id: 'dup', metadata: {}, source: '', outputs: [], execution_count: null },
      { cell_type: 'code', id: 'dup', metadata: {}, source: '', outputs: [], execution_count: null },
    ] });
    const ids = nb.cells.map((c) => c.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[1]).toBe('dup');
    expect(nb.toJSON()['nbformat_minor']).toBe(5);
  });

  it('rejects what is not nbformat 4', () => {
    expect(() => Notebook.fromJSON([])).toThrow(/not a JSON object/);
    expect(() => Notebook.fromJSON({ nbformat: 3, cells: [] })).toThrow(/nbformat 3/);
  });
});

describe('Notebook edits', () => {
  it('undoes deletes in order and tracks dirty', () => {
    const nb = Notebook.fromJSON(structuredClone(stored));
    expect(nb.dirty).toBe(false);
    nb.remove(0);
    nb.remove(0);
    expect(nb.cells.map((c) => c.id)).toEqual(['r']);
    expect(nb.dirty).toBe(true);
    nb.undoDelete();
    expect(nb.cells.map((c) => c.id)).toEqual(['c1', 'r']);
    nb.undoDelete();
    expect(nb.cells.map((c) => c.id)).toEqual(['intro', 'c1', 'r']);
    expect(nb.undoDelete()).toBeUndefined();
    // Outputs came back with the cell.
    expect(nb.cells[1]!.outputs.items.length).toBe(4);
  });

  it('moves, splits and merges', () => {
    const nb = Notebook.newEmpty();
    nb.cells[0]!.source = 'a := 1\nb := 2';
    const n = nb.split(0, 'a := 1\n'.length)!;
    expect(nb.cells.map((c) => c.source)).toEqual(['a := 1', 'b := 2']);
    expect(nb.move(1, -1)).toBe(0);
    expect(nb.cells[0]).toBe(n);
    nb.merge(0);
    expect(nb.cells.map((c) => c.source)).toEqual(['b := 2\na := 1']);
    nb.setType(0, 'markdown');
    expect(nb.toJSON()['cells']).toEqual([{ cell_type: 'markdown', id: nb.cells[0]!.id, metadata: {}, source: ['b := 2\n', 'a := 1'] }]);
  });
});
