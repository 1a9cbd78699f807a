// Connection is the websocket of one session: it reconnects with growing
// delays, asks the server to replay what it missed (?since=last seq seen),
// drops frames it has already seen, and reports one status that mixes the
// socket's state with the kernel's.

import type { KernelState } from '../api/types';
import { isServerFrame, type ClientFrame, type ServerFrame } from './messages';

export type ConnStatus =
  | 'connecting' | 'reconnecting'
  | 'starting' | 'idle' | 'busy' | 'dead' | 'restarting';

/** SeqFilter passes each seq once, in increasing order. */
export class SeqFilter {
  last = 0;
  /** accept reports whether a frame with this seq is new, and records it. */
  accept(seq: number): boolean {
    if (seq <= this.last) return false;
    this.last = seq;
    return true;
  }
}

/** Minimal WebSocket surface used here, so tests can pass a fake. */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectionOptions {
  /** url gives the websocket address that replays frames after since. */
  url: (since: number) => string;
  onFrame: (f: ServerFrame) => void;
  onStatus?: (s: ConnStatus, cause?: string) => void;
  /** newSocket opens a socket (defaults to the browser's WebSocket). */
  newSocket?: (url: string) => SocketLike;
  /** delays in ms between reconnect attempts; the last one repeats. */
  backoff?: number[];
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

const OPEN = 1;

export class Connection {
  readonly seen = new SeqFilter();
  status: ConnStatus = 'connecting';
  kernelState: KernelState = 'starting';
  private sock: SocketLike | null = null;
  private outbox: string[] = [];
  private attempts = 0;
  private timer: unknown = null;
  private closed = false;
  private everOpened = false;

  constructor(private readonly opts: ConnectionOptions) {}

  connect(): void {
    this.closed = false;
    this.open();
  }

  /** send delivers a frame now, or as soon as the socket is open again. */
  send(frame: ClientFrame): void {
    const data = JSON.stringify(frame);
    if (this.sock && this.sock.readyState === OPEN) this.sock.send(data);
    else this.outbox.push(data);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) (this.opts.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = null;
    const s = this.sock;
    this.sock = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'closed by client');
    }
  }

  private setStatus(s: ConnStatus, cause?: string): void {
    this.status = s;
    this.opts.onStatus?.(s, cause);
  }

  private open(): void {
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    const make = this.opts.newSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
    let sock: SocketLike;
    try {
      sock = make(this.opts.url(this.seen.last));
    } catch {
      this.retry();
      return;
    }
    this.sock = sock;
    sock.onopen = () => {
      this.attempts = 0;
      this.everOpened = true;
      this.setStatus(this.kernelState);
      const pending = this.outbox;
      this.outbox = [];
      for (const d of pending) sock.send(d);
    };
    sock.onmessage = (ev: MessageEvent) => this.receive(String(ev.data));
    sock.onerror = () => { /* onclose follows */ };
    sock.onclose = () => {
      if (this.sock !== sock) return;
      this.sock = null;
      if (!this.closed) this.retry();
    };
  }

  private retry(): void {
    const delays = this.opts.backoff ?? [250, 500, 1000, 2000, 4000, 8000];
    const ms = delays[Math.min(this.attempts, delays.length - 1)] ?? 1000;
    this.attempts++;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    const set = this.opts.setTimer ?? ((fn: () => void, t: number) => setTimeout(fn, t));
    this.timer = set(() => {
      this.timer = null;
      if (!this.closed) this.open();
    }, ms);
  }

  /** receive handles one raw frame (exported for tests through the socket). */
  receive(data: string): void {
    let v: unknown;
    try {
      v = JSON.parse(data);
    } catch {
      return;
    }
    if (!isServerFrame(v) || !this.seen.accept(v.seq)) return;
    this.track(v);
    this.opts.onFrame(v);
  }

  private track(f: ServerFrame): void {
    if (f.type === 'kernel') {
      this.kernelState = f.state;
      this.setStatus(f.state, f.cause);
    } else if (f.type === 'message' && f.msg.header.msg_type === 'status') {
      const st = f.msg.content['execution_state'];
      if (st === 'busy' || st === 'idle' || st === 'starting') {
        this.kernelState = st;
        this.setStatus(st);
      }
    }
  }
}
