import { describe, expect, it } from 'vitest';
import { Notebook } from './model';
import { stoppedMessage, takeKernelStopped } from './stopped';

function nbWith(firn: unknown): Notebook {
  return Notebook.fromJSON({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'firn', display_name: 'Go (Firn)', language: 'go' }, firn } as never,
    cells: [],
  });
}

describe('takeKernelStopped', () => {
  it('returns the note once and keeps the rest of metadata.firn', () => {
    const nb = nbWith({ reactive: true, kernel_stopped: { cause: 'stopped after 1h0m0s idle (outputs saved)', at: '2026-12-05T09:00:00Z' } });
    expect(takeKernelStopped(nb)).toEqual({ cause: 'stopped after 1h0m0s idle (outputs saved)', at: '2026-12-05T09:00:00Z' });
    expect(nb.metadata['firn']).toEqual({ reactive: true });
    expect(nb.dirty).toBe(true);
    expect(takeKernelStopped(nb)).toBeNull();
  });
  it('drops metadata.firn when the note was all of it', () => {
    const nb = nbWith({ kernel_stopped: { cause: 'the server stopped', at: 'yesterday' } });
    expect(takeKernelStopped(nb)?.cause).toBe('the server stopped');
    expect('firn' in nb.metadata).toBe(false);
  });
  it('is null without a note, or with one that is not an object', () => {
    expect(takeKernelStopped(nbWith({ reactive: true }))).toBeNull();
    expect(takeKernelStopped(nbWith({ kernel_stopped: 'idle' }))).toBeNull();
    expect(takeKernelStopped(nbWith(undefined))).toBeNull();
  });
});

describe('stoppedMessage', () => {
  it.each([
    [{ cause: 'stopped after 1h0m0s idle (outputs saved)', at: '2026-12-05T09:00:00Z' },
      "This notebook's kernel was stopped after 1h0m0s idle (outputs saved) on Dec 5, 2026, 9:00 AM. The outputs below are the ones saved then; its variables are gone: run the cells again to use them."],
    [{ cause: 'the server stopped', at: '' },
      "This notebook's kernel ended: the server stopped. The outputs below are the ones saved then; its variables are gone: run the cells again to use them."],
  ])('says why and when: %j', (s, want) => {
    expect(stoppedMessage(s, 'en-US', 'UTC')).toBe(want);
  });
});
