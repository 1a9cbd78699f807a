// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { KernelPicker, byUser, kernelName, kernelTitle, setNotebookKernel, switchMessage } from './picker';
import { KernelStatus } from '../shell/status';
import { applyFrame } from '../notebook/execution';
import { Notebook } from '../notebook/model';
import type { KernelChoice } from '../api/types';

const local: KernelChoice = { name: 'local', description: 'a process on this machine, over pipes', where: 'local', transport: 'pipe' };
const tcp: KernelChoice = { name: 'local-tcp', description: 'a process on this machine, over loopback TCP with a token', where: 'local', transport: 'tcp' };

describe('kernel picker', () => {
  it.each([
    [{ spec: 'local-tcp', name: 'local', transport: 'tcp' }, 'local-tcp'],
    [{ name: 'local', transport: 'pipe' }, 'local (pipe)'],
    [undefined, ''],
  ])('names the kernel %j as %s', (k, want) => {
    expect(kernelName(k)).toBe(want);
  });

  it('says in the tooltip where the kernel runs and over what', () => {
    expect(kernelTitle({ spec: 'local-tcp', transport: 'tcp', pid: 42 }, tcp))
      .toBe('Kernel local-tcp · a process on this machine, over loopback TCP with a token · transport: tcp · process 42');
  });

  it('shows the kernel and its state in the status', () => {
    const s = new KernelStatus();
    s.setKernel('local', 'Kernel local · transport: pipe');
    s.set('idle');
    expect(s.el.textContent).toBe('Kernel: local · Idle');
    expect(s.el.dataset['kernel']).toBe('local');
    expect(s.el.title).toBe('Kernel local · transport: pipe\nIdle');
    s.set('none');
    expect(s.el.textContent).toBe('Kernel: No kernel');
  });

  it('shows a Slurm kernel waiting in the queue, and not once it is idle', () => {
    const s = new KernelStatus();
    s.setKernel('slurm', 'Kernel slurm · transport: nats');
    s.set('starting', 'Slurm job 12: pending (Priority), estimated start 2026-12-05T14:05:00');
    expect(s.el.textContent).toBe('Kernel: slurm · Starting(Slurm job 12: pending (Priority), estimated start 2026-12-05T14:05:00)');
    s.set('idle');
    expect(s.el.textContent).toBe('Kernel: slurm · Idle');
  });

  it('records the kernel in metadata.firn.kernel, keeping the rest', () => {
    const meta: Record<string, unknown> = { firn: { version: 'v1' }, kernelspec: { name: 'firn' } };
    expect(setNotebookKernel(meta, 'local-tcp')).toBe(true);
    expect(meta).toEqual({ firn: { version: 'v1', kernel: 'local-tcp' }, kernelspec: { name: 'firn' } });
    expect(setNotebookKernel(meta, 'local-tcp')).toBe(false);
    // Options chosen in the switch dialog go with it; a switch without any removes them.
    expect(setNotebookKernel(meta, 'hpc', { time: '20' })).toBe(true);
    expect(meta['firn']).toEqual({ version: 'v1', kernel: 'hpc', kernel_options: { time: '20' } });
    expect(setNotebookKernel(meta, 'hpc', { time: '20' })).toBe(false);
    expect(setNotebookKernel(meta, 'hpc', { time: '10' })).toBe(true);
    expect(meta['firn']).toEqual({ version: 'v1', kernel: 'hpc', kernel_options: { time: '10' } });
    expect(setNotebookKernel(meta, 'local')).toBe(true);
    expect(meta['firn']).toEqual({ version: 'v1', kernel: 'local' });
    const odd: Record<string, unknown> = { firn: 'not an object' };
    setNotebookKernel(odd, 'local');
    expect(odd).toEqual({ firn: { kernel: 'local' } });
  });

  it('tells a switch from a death', () => {
    expect(byUser('restarted by the user')).toBe(true);
    expect(byUser('switched to the kernel local-tcp by the user')).toBe(true);
    expect(byUser('kernel process signal: killed')).toBe(false);
    expect(byUser(undefined)).toBe(false);
    expect(switchMessage(tcp)).toContain('All variables are lost');
  });

  it('lists the server kernels and asks to switch when another is picked', async () => {
    const asked: string[] = [];
    let answer = false;
    const p = new KernelPicker({ pick: async (to) => { asked.push(to.name); return answer; } });
    expect(p.el.disabled).toBe(true);
    p.setCurrent('local');
    p.setChoices([local, tcp]);
    expect([...p.el.options].map((o) => o.textContent)).toEqual(['local (pipe)', 'local-tcp (tcp)']);
    expect(p.el.value).toBe('local');
    expect(p.el.disabled).toBe(false);

    // Cancelled (or failed): the picker shows the kernel it runs on.
    p.el.value = 'local-tcp';
    p.el.dispatchEvent(new Event('change'));
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual(['local-tcp']);
    expect(p.el.value).toBe('local');

    answer = true;
    p.el.value = 'local-tcp';
    p.el.dispatchEvent(new Event('change'));
    await new Promise((r) => setTimeout(r, 0));
    expect(p.value).toBe('local-tcp');
    expect(p.el.value).toBe('local-tcp');
  });

  it('keeps a kernel the server does not list in view', () => {
    const p = new KernelPicker({ pick: async () => false });
    p.setChoices([local, tcp]);
    p.setCurrent('gpu');
    expect([...p.el.options].map((o) => o.value)).toEqual(['gpu', 'local', 'local-tcp']);
  });

  it('keeps a switched frame\'s options in the notebook, which the page\'s next save writes', () => {
    const nb = Notebook.fromJSON({ nbformat: 4, nbformat_minor: 5, metadata: { firn: { kernel: 'local' } }, cells: [] });
    applyFrame(nb, { seq: 3, type: 'switched', spec: 'hpc', options: { time: '20' }, name: 'slurm', transport: 'nats' });
    expect(nb.toJSON()['metadata']).toEqual({ firn: { kernel: 'hpc', kernel_options: { time: '20' } } });
  });

  it('folds a switched frame into the notebook: metadata, stopped cells, a notice', () => {
    const nb = Notebook.fromJSON({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'a', source: 'x', metadata: {}, outputs: [], execution_count: null }] });
    nb.cells[0]!.state = 'running';
    const eff = applyFrame(nb, { seq: 3, type: 'switched', spec: 'local-tcp', name: 'local', transport: 'tcp' });
    expect(nb.metadata).toEqual({ firn: { kernel: 'local-tcp' } });
    expect(nb.cells[0]!.state).toBe('idle');
    expect(eff.notice).toBe('The kernel is now local-tcp (tcp): its variables are gone, as after a restart. Run the cells again.');
  });
});
