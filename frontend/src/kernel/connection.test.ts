import { describe, expect, it } from 'vitest';
import { Connection, SeqFilter, type ConnStatus } from './connection';
import type { ServerFrame } from './messages';
import { MockServer } from '../../tests/mockServer';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SeqFilter', () => {
  it('passes each seq once and in order', () => {
    const f = new SeqFilter();
    expect([1, 2, 2, 1, 3, 5, 4, 6].filter((s) => f.accept(s))).toEqual([1, 2, 3, 5, 6]);
    expect(f.last).toBe(6);
  });
});

describe('Connection', () => {
  it('replays after reconnect with since=last seq and drops duplicates', async () => {
    const server = new MockServer();
    const got: ServerFrame[] = [];
    const statuses: ConnStatus[] = [];
    const timers: (() => void)[] = [];
    const c = new Connection({
      url: (since) => `ws://h/api/sessions/s1/ws?since=${since}`,
      onFrame: (f) => got.push(f),
      onStatus: (s) => statuses.push(s),
      newSocket: server.newSocket,
      setTimer: (fn) => { timers.push(fn); return timers.length; },
      clearTimer: () => {},
    });
    server.publish({ type: 'kernel', state: 'idle' });
    c.connect();
    await tick();
    expect(got.map((f) => f.seq)).toEqual([1]);
    expect(c.status).toBe('idle');

    server.publish({ type: 'queued', cell_id: 'a', msg_id: 'm1' });
    server.sockets[0]!.drop();
    expect(c.status).toBe('reconnecting');
    // Frames published while disconnected.
    server.publish({ type: 'queued', cell_id: 'b', msg_id: 'm2' });
    server.publish({ type: 'kernel', state: 'busy' });
    // Something sent while offline waits in the outbox.
    c.send({ type: 'interrupt' });
    expect(server.received).toEqual([]);

    timers.shift()!();
    await tick();
    expect(server.sockets[1]!.url).toContain('since=2');
    expect(server.received).toEqual([{ type: 'interrupt' }]);
    // A server that replays too much (or twice) does not duplicate frames.
    server.sockets[1]!.deliver(server.frames[1]);
    server.sockets[1]!.deliver(server.frames[2]);
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(c.status).toBe('busy');
    expect(statuses).toContain('reconnecting');
    c.close();
  });

  it('takes the kernel state from status messages', async () => {
    const server = new MockServer();
    const c = new Connection({ url: () => 'ws://h/x?since=0', onFrame: () => {}, newSocket: server.newSocket });
    c.connect();
    await tick();
    server.publish({ type: 'message', cell_id: '', msg: { header: { msg_id: 'x', msg_type: 'status' }, parent_header: {}, metadata: {}, content: { execution_state: 'busy' } } });
    expect(c.status).toBe('busy');
    server.publish({ type: 'kernel', state: 'dead', cause: 'out of memory' });
    expect(c.status).toBe('dead');
    c.close();
  });
});
