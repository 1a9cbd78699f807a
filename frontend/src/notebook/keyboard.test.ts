import { describe, expect, it } from 'vitest';
import { KeyModel, type Action, type Key } from './keyboard';

function run(keys: (Key | string)[], start: 'command' | 'edit' = 'command', clock = () => 0) {
  const m = new KeyModel(clock);
  m.mode = start;
  const out: (Action | null)[] = keys.map((k) => m.handle(typeof k === 'string' ? { key: k } : k));
  return { out, mode: m.mode };
}

describe('KeyModel', () => {
  const table: { name: string; keys: (Key | string)[]; start?: 'command' | 'edit'; want: (Action | null)[]; mode: 'command' | 'edit' }[] = [
    { name: 'Enter edits, Esc leaves', keys: ['Enter', 'Escape'], want: ['enter-edit', 'exit-edit'], mode: 'command' },
    { name: 'run keys work in both modes', keys: [{ key: 'Enter', shift: true }, { key: 'Enter', ctrl: true }, { key: 'Enter', alt: true }], want: ['run-advance', 'run', 'run-insert-below'], mode: 'command' },
    { name: 'run keys in edit mode', start: 'edit', keys: [{ key: 'Enter', shift: true }], want: ['run-advance'], mode: 'edit' },
    { name: 'letters are typed in edit mode', start: 'edit', keys: ['a', 'b', 'd', 'd', 'Enter'], want: [null, null, null, null, null], mode: 'edit' },
    { name: 'A B M Y Z', keys: ['a', 'b', 'm', 'y', 'z'], want: ['insert-above', 'insert-below', 'to-markdown', 'to-code', 'undo-delete'], mode: 'command' },
    { name: 'D D deletes, one D does nothing', keys: ['d', 'd', 'd'], want: [null, 'delete', null], mode: 'command' },
    { name: 'D then another key cancels the chord', keys: ['d', 'j', 'd'], want: [null, 'select-next', null], mode: 'command' },
    { name: 'I I interrupts, 0 0 restarts', keys: ['i', 'i', '0', '0'], want: [null, 'interrupt', null, 'restart'], mode: 'command' },
    { name: 'arrows and J/K move', keys: ['ArrowUp', 'ArrowDown', 'k', 'j'], want: ['select-prev', 'select-next', 'select-prev', 'select-next'], mode: 'command' },
    { name: 'Ctrl+S saves in both modes', keys: [{ key: 's', ctrl: true }, 'Enter', { key: 's', meta: true }], want: ['save', 'enter-edit', 'save'], mode: 'edit' },
    { name: 'split only in edit mode', keys: [{ key: '-', ctrl: true, shift: true }, 'Enter', { key: '-', ctrl: true, shift: true }], want: [null, 'enter-edit', 'split'], mode: 'edit' },
    { name: 'Shift+M merges, capital letters otherwise ignored', keys: [{ key: 'M', shift: true }, { key: 'A', shift: true }], want: ['merge-below', null], mode: 'command' },
    { name: 'Ctrl+other is left to the browser', keys: [{ key: 'c', ctrl: true }], want: [null], mode: 'command' },
  ];
  for (const t of table) {
    it(t.name, () => {
      const r = run(t.keys, t.start);
      expect(r.out).toEqual(t.want);
      expect(r.mode).toBe(t.mode);
    });
  }

  it('a chord times out', () => {
    let now = 0;
    const m = new KeyModel(() => now, 800);
    expect(m.handle({ key: 'd' })).toBeNull();
    now = 2000;
    expect(m.handle({ key: 'd' })).toBeNull();
    now = 2100;
    expect(m.handle({ key: 'd' })).toBe('delete');
  });
});
