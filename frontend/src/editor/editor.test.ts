import { describe, expect, it, vi } from 'vitest';
import { runScopeHandlers } from '@codemirror/view';
import { completionStatus } from '@codemirror/autocomplete';
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

// The keys of completion and docs, as a user presses them: CodeMirror's
// keymap runs on each key event as it would in the page.
describe('completion and docs from the keyboard', () => {
  function withKernel(source: string, cursor: number) {
    const inspected: Array<[string, number]> = [];
    const parent = document.createElement('div');
    document.body.append(parent);
    const e = new CellEditor(parent, source, 'go', {
      onChange: () => {}, onFocus: () => {}, onKeydown: () => false,
      complete: async (code, pos) => {
        const start = code.lastIndexOf('.', pos) + 1;
        return {
          matches: ['Println'], cursor_start: start, cursor_end: pos,
          types: [{ text: 'Println', type: 'function', signature: 'func Println(a ...any) (n int, err error)', doc: 'Println formats using the default formats.' }],
        };
      },
      inspect: async (code, pos) => {
        inspected.push([code, pos]);
        return { found: true, data: { 'text/plain': 'func Println(a ...any) (n int, err error)\n\nPrintln formats using the default formats.' } };
      },
    }, 'code cell editor');
    e.view.dispatch({ selection: { anchor: cursor } });
    const press = (key: string, mods: KeyboardEventInit = {}) =>
      runScopeHandlers(e.view, new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...mods }), 'editor');
    return { e, press, inspected };
  }
  const tooltip = (e: CellEditor) => e.view.dom.querySelector('[data-testid="inspect-tooltip"]');

  it('Tab opens the completion after a name, shows signature and doc, and Tab accepts it', async () => {
    const { e, press } = withKernel('fmt.Pri', 7);
    expect(press('Tab')).toBe(true);
    await vi.waitFor(() => expect(completionStatus(e.view.state)).toBe('active'));
    const row = e.view.dom.querySelector('.cm-tooltip-autocomplete li');
    expect(row?.textContent).toContain('Println');
    expect(row?.querySelector('.cm-completionDetail')?.textContent).toBe('(a ...any) (n int, err error)');
    await vi.waitFor(() => expect(e.view.dom.querySelector('.cm-completionInfo')?.textContent).toContain('Println formats using the default formats.'));
    // CodeMirror ignores an accept within 75 ms of the popup opening (a
    // key meant for the text): press until it takes it, as a user would.
    await vi.waitFor(() => {
      expect(press('Tab')).toBe(true);
      expect(e.value).toBe('fmt.Println');
    });
    expect(completionStatus(e.view.state)).toBe(null);
  });

  it('Tab indents where no name is before the cursor', () => {
    const { e, press } = withKernel('x := 1', 0);
    expect(press('Tab')).toBe(true);
    expect(e.value).toBe('\tx := 1');
  });

  it.each([
    ['Shift+Tab', 'Tab', { shiftKey: true }],
    ['Ctrl+I', 'i', { ctrlKey: true }],
  ])('%s shows the docs of the name at the cursor; Esc closes them', async (_name, key, mods) => {
    const { e, press, inspected } = withKernel('x := 1\nfmt.Println("hé")', 12);
    expect(press(key, mods)).toBe(true);
    await vi.waitFor(() => expect(tooltip(e)?.textContent).toContain('Println formats using the default formats.'));
    expect(inspected).toEqual([['x := 1\nfmt.Println("hé")', 12]]);
    expect(e.value).toBe('x := 1\nfmt.Println("hé")'); // no indentation changed
    expect(press('Escape')).toBe(true);
    expect(tooltip(e)).toBe(null);
  });

  it('Shift+Tab away from a name indents less', () => {
    const { e, press, inspected } = withKernel('\tx := 1', 0);
    expect(press('Tab', { shiftKey: true })).toBe(true);
    expect(e.value).toBe('x := 1');
    expect(inspected).toEqual([]);
  });
});
