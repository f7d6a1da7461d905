// Request/reply over the child_process IPC channel, for the benchmark's parent and its children.
// The channel carries only control traffic (start, marks, CPU snapshots); the measured traffic
// goes over the loopback sockets.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * In a child: answers the parent's commands with `handlers[cmd](message)`. The child exits when
 * the parent goes away or after `lifetime` ms at most, so that no child outlives a stuck run.
 */
export function serveCommands(handlers, lifetime) {
  process.on('message', async (message) => {
    if (typeof message?.cmd !== 'string') return;
    const handler = handlers[message.cmd];
    try {
      if (handler === undefined) throw new Error(`unknown command ${message.cmd}`);
      const result = await handler(message);
      if (message.rid !== undefined && process.connected) process.send({ rid: message.rid, ok: true, result });
    } catch (error) {
      if (message.rid !== undefined && process.connected) {
        process.send({ rid: message.rid, ok: false, error: String(error?.stack ?? error) });
      }
    }
  });
  process.on('disconnect', () => process.exit(0));
  // A clean exit on SIGTERM lets --cpu-prof (BENCH_CPU_PROF) write its profile.
  if (process.env.BENCH_CPU_PROF) process.on('SIGTERM', () => process.exit(0));
  setTimeout(() => {
    console.error(`bench child ${process.pid} exceeded its lifetime of ${lifetime} ms`);
    process.exit(3);
  }, lifetime).unref();
}

/** Sends an event (no reply) from a child to the parent. */
export function emitToParent(type, data = {}) {
  if (process.connected) process.send({ type, ...data });
}

/** The parent's handle on one child process. */
export class Child {
  constructor(file, args = [], execArgv = []) {
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every server and load process to <dir>.
    const profile = process.env.BENCH_CPU_PROF;
    if (profile) execArgv = [...execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`, '--cpu-prof-interval=100'];
    this.process = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.nextId = 0;
    this.pending = new Map();
    this.listeners = new Map();
    this.ready = new Promise((resolve) => this.listeners.set('ready', resolve));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        for (const { reject, timer } of this.pending.values()) {
          clearTimeout(timer);
          reject(new Error(`child exited (${code ?? signal}) during a command`));
        }
        this.pending.clear();
        resolve();
      });
    });
    this.process.on('message', (message) => {
      if (message.rid !== undefined) {
        const entry = this.pending.get(message.rid);
        if (entry === undefined) return;
        this.pending.delete(message.rid);
        clearTimeout(entry.timer);
        if (message.ok) entry.resolve(message.result);
        else entry.reject(new Error(message.error));
      } else if (message.type !== undefined) {
        this.listeners.get(message.type)?.(message);
      }
    });
    this.process.on('error', () => undefined);
  }

  /** Runs `cmd` in the child and resolves with its result; rejects after `timeout` ms. */
  call(cmd, args = {}, timeout = 30_000) {
    const rid = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new Error(`command ${cmd} timed out after ${timeout} ms`));
      }, timeout);
      this.pending.set(rid, { resolve, reject, timer });
      try {
        this.process.send({ ...args, cmd, rid });
      } catch (error) {
        this.pending.delete(rid);
        clearTimeout(timer);
        reject(error);
      }
    });
  }

  /** Sends a command without waiting for an answer. */
  tell(cmd, args = {}) {
    if (this.process.connected) this.process.send({ ...args, cmd });
  }

  /** One listener per event type. */
  on(type, listener) {
    this.listeners.set(type, listener);
  }

  /** Ends the child: SIGTERM, then SIGKILL if it is still there after a second. */
  async kill() {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 1000);
    await this.exited;
    clearTimeout(timer);
  }
}
