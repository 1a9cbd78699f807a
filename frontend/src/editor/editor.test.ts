import { describe, expect, it, vi } from 'vitest';
import { CellEditor } from './editor';

// jsdom has no layout; CodeMirror measures text ranges after an update.
const noRects = { length: 0, item: () => null, [Symbol.iterator]: [][Symbol.iterator] } as unknown as DOMRectList;
Range.prototype.getClientRects ??= () => noRects;
Range.prototype.getBoundingClientRect ??= () => new DOMRect();

function editor(source: string): CellEditor {
  const parent = document.createElement('div');
  document.body.append(parent);
  return new CellEditor(parent, source, 'go', { onChange: () => {}, onFocus: () => {}, onKeydown: () => false }, 'code cell editor');
}

// Refreshing a cell (every kernel message of a running cell does) must not
// cost transactions when nothing changes: a language reconfigure
// re-parses the whole cell.
describe('CellEditor does no work for no change', () => {
  it.each([
    ['same language', (e: CellEditor) => e.setLanguage('go'), 0],
    ['other language', (e: CellEditor) => e.setLanguage('text'), 1],
    ['no error line, again', (e: CellEditor) => e.showErrorLine(0), 0],
    ['an error line', (e: CellEditor) => e.showErrorLine(2), 1],
    ['a line past the end is none', (e: CellEditor) => e.showErrorLine(9), 0],
    ['same text', (e: CellEditor) => e.setValue('x := 1\ny := x'), 0],
  ])('%s', (_name, act, dispatches) => {
    const e = editor('x := 1\ny := x');
    const spy = vi.spyOn(e.view, 'dispatch');
    act(e);
    expect(spy).toHaveBeenCalledTimes(dispatches);
  });

  it('highlights the error line until the text changes', () => {
    const e = editor('x := 1\ny := x');
    e.showErrorLine(2);
    expect(e.view.dom.querySelectorAll('[data-testid="error-line"]').length).toBe(1);
    const spy = vi.spyOn(e.view, 'dispatch');
    e.showErrorLine(2);
    expect(spy).not.toHaveBeenCalled();
    e.view.dispatch({ changes: { from: 0, insert: '// note\n' } });
    expect(e.view.dom.querySelectorAll('[data-testid="error-line"]').length).toBe(0);
    e.showErrorLine(2); // the field was cleared by the edit, so this shows it again
    expect(e.view.dom.querySelectorAll('[data-testid="error-line"]').length).toBe(1);
  });
});
