import type { WebSocketLike } from '@volley/client';

/** A frame as the test sees it: decoded, so assertions read like the protocol document. */
export interface SentFrame {
  n: string;
  p?: unknown;
  i?: string;
  e?: unknown;
}

/**
 * A WebSocket double for the client's unit tests. It never touches the network: the test drives
 * it (`open()`, `receive()`, `serverClose()`) and reads what the client wrote from `sent`.
 * Every instance is recorded in `FakeWebSocket.instances`, newest last, so reconnections show up
 * as new sockets.
 */
export class FakeWebSocket implements WebSocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** Every socket created since the last {@link reset}, oldest first. */
  static instances: FakeWebSocket[] = [];

  /** Forgets every socket; call in `beforeEach`. */
  static reset(): void {
    FakeWebSocket.instances = [];
  }

  /** The socket created last. Throws when none was, so a test fails with a clear message. */
  static last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (socket === undefined) throw new Error('No FakeWebSocket was created');
    return socket;
  }

  readyState = FakeWebSocket.CONNECTING;
  /** Raw text frames the client sent, in order. */
  readonly rawSent: string[] = [];
  /** `close()` calls made by the client, in order. */
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];

  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  /** The sent frames, decoded. */
  get sent(): SentFrame[] {
    return this.rawSent.map((text) => JSON.parse(text) as SentFrame);
  }

  /** The frame sent last, decoded; throws when nothing was sent. */
  lastSent(): SentFrame {
    const text = this.rawSent.at(-1);
    if (text === undefined) throw new Error('The client sent nothing on this socket');
    return JSON.parse(text) as SentFrame;
  }

  /** Sent frames named `name`. */
  sentNamed(name: string): SentFrame[] {
    return this.sent.filter((frame) => frame.n === name);
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error(`send() on a socket in readyState ${this.readyState}`);
    this.rawSent.push(data);
  }

  /** Records the call and starts closing; the close event comes only when the test calls {@link finishClose}. */
  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSING;
  }

  // --- driven by the test ---

  /** The connection opened. */
  open(): void {
    if (this.readyState !== FakeWebSocket.CONNECTING) throw new Error('open() on a socket that is not connecting');
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.({ type: 'open' });
  }

  /** An inbound frame: a string as is, anything else JSON-encoded. */
  receive(frame: unknown): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('receive() on a socket that is not open');
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** An inbound binary frame. */
  receiveBinary(bytes: Uint8Array): void {
    this.onmessage?.({ data: bytes });
  }

  /** Answers the client's handshake request (the last `_h` sent) the way a Volley server does. */
  acceptHandshake(payload: unknown, id = 'conn-1'): void {
    this.receive({ n: '_r', i: this.handshakeRequest().i, p: { payload, id } });
  }

  /** The client's `_h` frame; throws when it has not sent one. */
  handshakeRequest(): SentFrame {
    const frame = this.sentNamed('_h').at(-1);
    if (frame === undefined) throw new Error('The client sent no handshake on this socket');
    return frame;
  }

  /** The socket closed (by the peer, the network, or to complete the client's own `close()`). */
  finishClose(code = 1006, reason = ''): void {
    if (this.readyState === FakeWebSocket.CLOSED) throw new Error('The socket is already closed');
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }

  /** Completes the close the client asked for with its own code, as a real socket would. */
  finishClientClose(): void {
    const call = this.closeCalls.at(-1);
    if (call === undefined) throw new Error('The client did not call close()');
    this.finishClose(call.code ?? 1005, call.reason ?? '');
  }

  /** A socket error, as browsers report it: no detail. */
  error(): void {
    this.onerror?.({ type: 'error' });
  }
}
