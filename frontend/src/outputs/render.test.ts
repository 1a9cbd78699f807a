import { describe, expect, it } from 'vitest';
import { errorLine, renderOutput, tracebackHasHead } from './render';

describe('error outputs', () => {
  const interrupted = {
    output_type: 'error', ename: 'Interrupted', evalue: 'cell [12] was interrupted',
    traceback: ['Interrupted: cell [12] was interrupted', '  cell [12], line 1, column 1'],
  };
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['traceback starts with the head', interrupted, true],
    ['with colours', { ...interrupted, traceback: ['\x1b[31mInterrupted: cell [12] was interrupted\x1b[0m'] }, true],
    ['cell position before the value', { output_type: 'error', ename: 'E', evalue: 'boom', traceback: ['E: cell [1], line 2: boom'] }, true],
    ['another first line', { output_type: 'error', ename: 'E', evalue: 'boom', traceback: ['goroutine 1 [running]:'] }, false],
    ['no traceback', { output_type: 'error', ename: 'E', evalue: 'boom', traceback: [] }, false],
  ];
  it.each(cases)('%s', (_, o, want) => {
    expect(tracebackHasHead(o as never)).toBe(want);
  });

  it('shows the first line once', () => {
    const el = renderOutput(interrupted as never);
    expect(el.querySelector('.error-head')).toBeNull();
    expect(el.textContent!.split('Interrupted: cell [12] was interrupted').length - 1).toBe(1);
    const other = renderOutput(cases[3]![1] as never);
    expect(other.querySelector('.error-head')!.textContent).toBe('E: boom');
  });
});

describe('errorLine', () => {
  const err = (traceback: string[]) => ({ output_type: 'error', ename: 'panic', evalue: 'x', traceback });
  it.each([
    ['a line of the cell', ['panic: cell [3], line 7, column 2: boom', '    s[5] = 1', '    ^'], 7],
    ['a compile error', ['CompileError: cell [1], line 3, column 5: undefined: x'], 3],
    // a panic in a function declared in another cell: not this cell's line
    ['a line of another cell', ['panic: cell [6]: inner', '  at line 4, column 3 of cell [4]:', '    panic("inner")', '    ^', '  in h', '  in the cell'], 0],
    ['no line', ['KernelDied: kernel process exit status 2'], 0],
  ])('%s', (_name, traceback, want) => {
    expect(errorLine(err(traceback))).toBe(want);
  });
});
