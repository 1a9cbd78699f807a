// A kernel the server stopped (idle culling, an admin, room for another
// notebook, the server shutting down) leaves a note in its notebook,
// metadata.firn.kernel_stopped = {cause, at} (see app/cull.go), written
// with the outputs it saved. Whoever opens the notebook next is told
// why their variables are gone, once: the page then drops the note.

import type { Notebook } from './model';
import type { JSONObject } from './nbformat';

/** KernelStopped is the note: why the kernel stopped, and when (RFC 3339). */
export interface KernelStopped {
  cause: string;
  at: string;
}

function object(v: unknown): JSONObject | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as JSONObject) : null;
}

/** takeKernelStopped returns the notebook's note and removes it (the notebook is then dirty); null without one. */
export function takeKernelStopped(nb: Notebook): KernelStopped | null {
  const firn = object(nb.metadata['firn']);
  const note = firn && object(firn['kernel_stopped']);
  if (!firn || !note) return null;
  const rest = { ...firn };
  delete rest['kernel_stopped'];
  if (Object.keys(rest).length > 0) nb.metadata['firn'] = rest;
  else delete nb.metadata['firn'];
  nb.setDirty();
  return {
    cause: typeof note['cause'] === 'string' && note['cause'] ? note['cause'] : 'stopped by the server',
    at: typeof note['at'] === 'string' ? note['at'] : '',
  };
}

/** stoppedMessage is what the page says of the note (dates in the reader's time zone). */
export function stoppedMessage(s: KernelStopped, locale?: string, timeZone?: string): string {
  const t = Date.parse(s.at);
  const when = Number.isNaN(t) ? '' : ' on ' + new Date(t).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const what = s.cause.startsWith('stopped') ? `was ${s.cause}` : `ended: ${s.cause}`;
  return `This notebook's kernel ${what}${when}. The outputs below are the ones saved then; its variables are gone: run the cells again to use them.`;
}
