import { describe, expect, it } from 'vitest';
import { appendStream, applyCarriageReturns, OutputList } from './outputs';

describe('stream text', () => {
  it.each([
    ['plain', 'a\n', 'b\n'],
    ['a progress bar over messages', 'start\n10%', '\r20%\r30%\n'],
    ['backspace', 'ab', '\bc\n'],
    ['\\r in the first message only', 'x\ry\n', 'z\n'],
  ])('appends %s like resolving the whole text', (_, a, b) => {
    expect(appendStream(applyCarriageReturns(a), b)).toBe(applyCarriageReturns(a + b));
  });

  it('joins 100,000 lines in linear time', () => {
    const list = new OutputList();
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i += 50) {
      let chunk = '';
      for (let j = i; j < i + 50; j++) chunk += j + '\n';
      list.apply({ header: { msg_id: 'm', msg_type: 'stream' }, parent_header: {}, metadata: {}, content: { name: 'stdout', text: chunk } });
    }
    const text = String(list.items[0]!['text']);
    expect(text.split('\n').length).toBe(100_001);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
