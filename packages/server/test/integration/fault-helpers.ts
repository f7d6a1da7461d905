/**
 * Fault injection for integration tests: a Volley server in a child process that can be killed,
 * a TCP proxy that can stall or cut traffic, and a bounded wait. Everything started here is torn
 * down by the shared cleanup registry of helpers.ts (`afterEach(cleanup)`).
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server as NetServer, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EVENT_TIMEOUT, onCleanup } from '@volley/test-utils';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const serverDist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/child-server.mjs', import.meta.url));

/**
 * The child server runs the built package: build it once if it is missing (`pnpm test` builds
 * first; a bare `vitest run` may not have).
 */
export async function ensureServerBuilt(): Promise<void> {
  if (existsSync(serverDist)) return;
  await promisify(execFile)('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, timeout: 120_000 });
  if (!existsSync(serverDist)) throw new Error(`The build did not produce ${serverDist}`);
}

/** Rejects with a readable message unless `promise` settles within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// A Volley server in a child process

/** What fixtures/child-server.mjs reports over IPC. */
export type ChildMessage =
  | { type: 'listening'; port: number }
  | { type: 'handshake'; payload: unknown }
  | { type: 'slow'; payload: unknown }
  | { type: 'error'; message: string };

/**
 * A Volley server (fixtures/child-server.mjs) in its own process: `echo` answers, `slow` never
 * does, the handshake answers `{ pid }`. Killed in cleanup.
 */
export class ChildServer {
  /** Every IPC message received, in order. */
  readonly messages: ChildMessage[] = [];
  /** Resolves with the exit signal (or code) once the process has exited. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = exitOf(child);
    child.on('message', (message: ChildMessage) => {
      this.messages.push(message);
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /** Forks the fixture, listening on `port` (0 for a free one); resolves once it listens. */
  static async start(port = 0): Promise<ChildServer> {
    // execArgv [] : not the test runner's flags. stderr is kept for the failure message.
    const child = fork(fixture, [String(port)], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    onCleanup(() => killChild(child));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const first = await within(
      new Promise<ChildMessage>((resolve, reject) => {
        child.once('message', resolve);
        child.once('error', reject);
        child.once('exit', (code, signal) => reject(new Error(`The child server exited (${code ?? signal}) before listening: ${stderr}`)));
      }),
      10_000,
      'the child server to listen',
    );
    if (first.type !== 'listening') throw new Error(`The child server failed to start: ${JSON.stringify(first)} ${stderr}`);
    const server = new ChildServer(child, first.port);
    server.messages.push(first);
    return server;
  }

  /** The server's URL. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The child's process id. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once `count` messages of `type` have arrived in total (rejects after `timeout`). */
  async waitForMessages(type: ChildMessage['type'], count: number, timeout = EVENT_TIMEOUT): Promise<ChildMessage[]> {
    const matching = (): ChildMessage[] => this.messages.filter((message) => message.type === type);
    if (matching().length >= count) return matching();
    let waiter: (() => void) | undefined;
    try {
      return await within(
        new Promise<ChildMessage[]>((resolve) => {
          waiter = () => {
            if (matching().length >= count) resolve(matching());
          };
          this.waiters.add(waiter);
        }),
        timeout,
        `${count} "${type}" messages from the child server`,
      );
    } finally {
      if (waiter !== undefined) this.waiters.delete(waiter);
    }
  }

  /** Kills the process with SIGKILL (no chance to close anything) and resolves once it has exited. */
  async kill(): Promise<void> {
    await killChild(this.child);
  }
}

function exitOf(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

async function killChild(child: ChildProcess): Promise<void> {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy that can stall or cut

/** One proxied TCP connection: the accepted socket and the one to the target. */
interface Pipe {
  downstream: Socket;
  upstream: Socket;
  stalled: boolean;
}

/**
 * A TCP proxy on 127.0.0.1:0 forwarding to `127.0.0.1:targetPort`. `stall()` stops forwarding in
 * both directions without closing anything — to each end, the other has vanished without a FIN —
 * on every current connection, and on new ones until `resume()`. `cut()` destroys both sockets of
 * every connection. Closed in cleanup.
 */
export class TcpProxy {
  /** Connections accepted so far (including closed ones). */
  accepted = 0;
  private readonly pipes = new Set<Pipe>();
  private stalling = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: NetServer,
    private readonly targetPort: number,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts a proxy to `127.0.0.1:targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    onCleanup(() => proxy.close());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** The proxy's WebSocket URL. */
  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address !== 'object') throw new Error('The proxy is not listening');
    return `ws://127.0.0.1:${address.port}`;
  }

  /** Number of connections whose sockets are still open (stalled ones included). */
  get open(): number {
    return this.pipes.size;
  }

  /** Stops forwarding on every connection, current and new, without closing any. */
  stall(): void {
    this.stalling = true;
    for (const pipe of this.pipes) stallPipe(pipe);
  }

  /**
   * Forwards new connections again. Stalled ones stay stalled, like connections lost in a network
   * partition: their peers have to notice and give up on them.
   */
  resume(): void {
    this.stalling = false;
  }

  /** Destroys both sockets of every connection (each end sees its peer drop). */
  cut(): void {
    for (const pipe of this.pipes) destroyPipe(pipe);
    this.pipes.clear();
  }

  /** Resolves once `count` connections have been accepted in total. */
  async waitForAccepted(count: number, timeout = EVENT_TIMEOUT): Promise<void> {
    if (this.accepted >= count) return;
    let waiter: (() => void) | undefined;
    try {
      await within(
        new Promise<void>((resolve) => {
          waiter = () => {
            if (this.accepted >= count) resolve();
          };
          this.waiters.add(waiter);
        }),
        timeout,
        `${count} proxied connections`,
      );
    } finally {
      if (waiter !== undefined) this.waiters.delete(waiter);
    }
  }

  /** Cuts every connection and stops listening. */
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(downstream: Socket): void {
    const upstream = new Socket();
    const pipe: Pipe = { downstream, upstream, stalled: false };
    this.pipes.add(pipe);
    this.accepted += 1;
    for (const socket of [downstream, upstream]) {
      socket.setNoDelay(true);
      // A stalled pipe ignores everything, errors included; others fail as a whole.
      socket.on('error', () => {
        if (!pipe.stalled) this.drop(pipe);
      });
      socket.on('close', () => {
        if (!pipe.stalled) this.drop(pipe);
      });
    }
    forward(downstream, upstream, pipe);
    forward(upstream, downstream, pipe);
    // Until the target answers, the client's bytes wait in the socket: pause it.
    downstream.pause();
    upstream.connect(this.targetPort, '127.0.0.1', () => {
      if (!pipe.stalled) downstream.resume();
    });
    if (this.stalling) stallPipe(pipe);
    for (const waiter of [...this.waiters]) waiter();
  }

  private drop(pipe: Pipe): void {
    if (!this.pipes.delete(pipe)) return;
    destroyPipe(pipe);
  }
}

function forward(from: Socket, to: Socket, pipe: Pipe): void {
  from.on('data', (chunk: Buffer) => {
    if (!pipe.stalled) to.write(chunk);
  });
  from.on('end', () => {
    if (!pipe.stalled) to.end();
  });
}

function stallPipe(pipe: Pipe): void {
  pipe.stalled = true;
  // Paused sockets read nothing more: what is sent to them waits in kernel buffers, and a FIN or
  // RST behind it is never seen, so nothing reaches the other end.
  pipe.downstream.pause();
  pipe.upstream.pause();
}

function destroyPipe(pipe: Pipe): void {
  pipe.stalled = false;
  pipe.downstream.destroy();
  pipe.upstream.destroy();
}
