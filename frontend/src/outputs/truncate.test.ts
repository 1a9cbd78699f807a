import { describe, expect, it } from 'vitest';
import { truncate } from './truncate';
import { growStream, renderOutput } from './render';

describe('truncate', () => {
  it('keeps short text', () => {
    expect(truncate('a\nb\n', 10, 100)).toEqual({ text: 'a\nb\n', truncated: false, hiddenLines: 0, hiddenChars: 0 });
  });
  it('cuts by lines', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const t = truncate(text, 10, 1e6);
    expect(t.truncated).toBe(true);
    expect(t.text.split('\n').length - 1).toBe(10);
    expect(t.hiddenLines).toBe(40);
  });
  it('cuts by characters at a line end when it can', () => {
    const text = 'x'.repeat(60) + '\n' + 'y'.repeat(60) + '\n';
    const t = truncate(text, 1000, 100);
    expect(t.text).toBe('x'.repeat(60) + '\n');
    expect(t.hiddenChars).toBe(61);
  });
  it('cuts one huge line by characters', () => {
    const t = truncate('z'.repeat(1000), 1000, 100);
    expect(t.text.length).toBe(100);
    expect(t.truncated).toBe(true);
  });
});

describe('show all', () => {
  it('renders the head and reveals the rest on click', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `row ${i}`).join('\n');
    const el = renderOutput({ output_type: 'stream', name: 'stdout', text });
    const pre = el.querySelector('pre')!;
    expect(pre.textContent!.split('\n').length).toBeLessThanOrEqual(1001);
    const btn = el.querySelector<HTMLButtonElement>('[data-testid="show-all"]')!;
    expect(btn).not.toBeNull();
    expect(el.textContent).toContain('2,000 more lines');
    btn.click();
    expect(el.querySelector('pre')!.textContent).toBe(text);
    expect(el.querySelector('[data-testid="show-all"]')).toBeNull();
  });

  it('grows a cut stream in place', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `row ${i}\n`).join('');
    const el = renderOutput({ output_type: 'stream', name: 'stdout', text: lines(1500) });
    const pre = el.querySelector('pre')!;
    expect(growStream(el, { output_type: 'stream', name: 'stdout', text: lines(3000) })).toBe(true);
    expect(el.querySelector('pre')).toBe(pre);
    expect(el.textContent).toContain('2,000 more lines');
    el.querySelector<HTMLButtonElement>('[data-testid="show-all"]')!.click();
    expect(pre.textContent).toBe(lines(3000));
    expect(growStream(el, { output_type: 'stream', name: 'stdout', text: lines(4000) })).toBe(true);
    expect(pre.textContent).toBe(lines(4000));
    expect(growStream(el, { output_type: 'stream', name: 'stdout', text: 'other\n' })).toBe(false);
    const short = renderOutput({ output_type: 'stream', name: 'stdout', text: lines(10) });
    expect(growStream(short, { output_type: 'stream', name: 'stdout', text: lines(20) })).toBe(false);
  });
});
