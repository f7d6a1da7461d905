import { WebSocket, type ClientOptions as WsClientOptions, type RawData } from 'ws';
import { onCleanup } from './cleanup.js';
import { EVENT_TIMEOUT } from './events.js';

/** A frame as a raw peer received it: parsed JSON, or `{ raw }` for text that is not JSON. */
export type ReceivedFrame = { n?: unknown; p?: unknown; i?: unknown; e?: any; raw?: string; binary?: boolean };

/** Options of {@link RawPeer.open}. */
export interface RawPeerOptions extends WsClientOptions {
  /** Answer the server's `_p` frames with a pong. @default true */
  autoPong?: boolean;
}

/**
 * A WebSocket peer driven frame by frame. It records every received frame; `nextFrame` consumes
 * them in order, and `barrier` proves what did (or did not) arrive before a ping round trip.
 */
export class RawPeer {
  /** Every frame received, in order. */
  readonly received: ReceivedFrame[] = [];
  /** The connection id the server gave in its handshake answer. */
  id: string | undefined;
  /** Resolves when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private mark = 0;
  private barriers = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: WebSocket,
    private readonly autoPong: boolean,
  ) {
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data: RawData, isBinary) => this.receive(data, isBinary));
  }

  /** Opens a raw socket to `url` (no handshake yet); terminated in cleanup. */
  static async open(url: string, options: RawPeerOptions = {}): Promise<RawPeer> {
    const { autoPong = true, ...wsOptions } = options;
    const socket = new WebSocket(url, wsOptions);
    const peer = new RawPeer(socket, autoPong);
    onCleanup(() => peer.terminate());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return peer;
  }

  /** Opens a raw socket and completes the handshake; resolves with the server's answer `p`. */
  static async connect(url: string, options: RawPeerOptions & { payload?: unknown } = {}): Promise<RawPeer> {
    const { payload, ...rest } = options;
    const peer = await RawPeer.open(url, rest);
    const answer = await peer.handshake(payload);
    if (answer.e !== undefined) throw new Error(`Handshake rejected: ${JSON.stringify(answer.e)}`);
    return peer;
  }

  /** Sends an object as one JSON text frame. */
  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends text as is. */
  sendText(text: string): void {
    this.socket.send(text);
  }

  /** Sends `_h` and resolves with the `_r` that answers it; a successful answer sets {@link id}. */
  async handshake(payload?: unknown, id = 'hs'): Promise<ReceivedFrame> {
    this.send(payload === undefined ? { n: '_h', i: id } : { n: '_h', p: payload, i: id });
    const answer = await this.nextFrame((frame) => frame.n === '_r' && frame.i === id);
    const connectionId = (answer.p as { id?: unknown } | undefined)?.id;
    if (answer.e === undefined && typeof connectionId === 'string') this.id = connectionId;
    return answer;
  }

  /**
   * Resolves with the next not yet consumed frame that matches, consuming it and every frame
   * before it.
   */
  async nextFrame(match: (frame: ReceivedFrame) => boolean = () => true, timeout = EVENT_TIMEOUT): Promise<ReceivedFrame> {
    const { frame } = await this.take(match, timeout);
    return frame;
  }

  /**
   * Sends a ping and waits for its pong. The server handles frames in order, so whatever it sent
   * in answer to earlier frames arrives before the pong: the result is every frame received since
   * the last consumed one, without the pong.
   */
  async barrier(): Promise<ReceivedFrame[]> {
    const id = `barrier-${++this.barriers}`;
    this.send({ n: '_p', i: id });
    const { skipped } = await this.take((frame) => frame.n === '_r' && frame.i === id, EVENT_TIMEOUT);
    return skipped;
  }

  /** Closes the socket with a close handshake. */
  close(code?: number): void {
    this.socket.close(code);
  }

  /** Destroys the socket at once (no close frame). */
  terminate(): void {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
  }

  private take(match: (frame: ReceivedFrame) => boolean, timeout: number): Promise<{ frame: ReceivedFrame; skipped: ReceivedFrame[] }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let index = this.mark; index < this.received.length; index++) {
          const frame = this.received[index]!;
          if (match(frame)) {
            const skipped = this.received.slice(this.mark, index);
            this.mark = index + 1;
            resolve({ frame, skipped });
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeout} ms waiting for a frame; unconsumed: ${JSON.stringify(this.received.slice(this.mark))}`));
      }, timeout);
      this.waiters.add(waiter);
    });
  }

  private receive(data: RawData, isBinary: boolean): void {
    const text = data.toString();
    let frame: ReceivedFrame;
    if (isBinary) {
      frame = { raw: text, binary: true };
    } else {
      try {
        const parsed: unknown = JSON.parse(text);
        frame = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ReceivedFrame) : { raw: text };
      } catch {
        frame = { raw: text };
      }
    }
    this.received.push(frame);
    if (this.autoPong && frame.n === '_p' && typeof frame.i === 'string') this.send({ n: '_r', i: frame.i, p: 'pong' });
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Tries a WebSocket upgrade that the server must refuse; resolves with the HTTP status of the
 * refusal. Fails if the upgrade succeeds.
 */
export function refusedStatus(url: string, options: WsClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    onCleanup(() => socket.terminate());
    const timer = setTimeout(() => reject(new Error('The upgrade got no answer')), EVENT_TIMEOUT);
    socket.once('open', () => {
      clearTimeout(timer);
      reject(new Error('The upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      resolve(response.statusCode ?? 0);
      // With this listener, ws leaves the failed attempt to us.
      response.resume();
      socket.terminate();
    });
    // Some refusals also surface as an error after the response; the status is what counts.
    socket.on('error', () => undefined);
  });
}
