import { Client, ClientEvent, type ClientOptions, VolleyError } from '@volley/client';
import { afterEach, beforeEach, vi } from 'vitest';
import { FakeWebSocket } from './fake-web-socket.js';

/*
 * What the client's unit tests share: a client over FakeWebSocket with fake timers, the log of
 * its lifecycle events, and small promise helpers. Each test file calls useFakeClient().
 */

export const URL = 'ws://volley.test/socket';

/** Every lifecycle event a client emitted, in order, with its argument. */
export type EventLog = [name: string, arg: unknown][];

export function record(client: Client): EventLog {
  const log: EventLog = [];
  client.on(ClientEvent.CONNECTING, () => log.push([ClientEvent.CONNECTING, undefined]));
  client.on(ClientEvent.CONNECTED, (payload) => log.push([ClientEvent.CONNECTED, payload]));
  client.on(ClientEvent.DISCONNECTED, (info) => log.push([ClientEvent.DISCONNECTED, info]));
  client.on(ClientEvent.RECONNECTING, (info) => log.push([ClientEvent.RECONNECTING, info]));
  client.on(ClientEvent.ERROR, (error) => log.push([ClientEvent.ERROR, error]));
  client.on(ClientEvent.STATE_CHANGE, (change) => log.push([ClientEvent.STATE_CHANGE, change]));
  return log;
}

export function named(log: EventLog, name: string): unknown[] {
  return log.filter(([event]) => event === name).map(([, arg]) => arg);
}

export function errorCodes(log: EventLog): string[] {
  return named(log, ClientEvent.ERROR).map((error) => (error as VolleyError).code);
}

/** Resolves with the error `promise` rejects with; fails the test if it resolves. Attaches at once, so no unhandled rejection. */
export function rejection(promise: Promise<unknown>): Promise<VolleyError> {
  return promise.then(
    (value) => {
      throw new Error(`Expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as VolleyError,
  );
}

/** Watches a promise without awaiting it, to assert that it is still pending. */
export function watch(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  const done = (): void => {
    state.settled = true;
  };
  promise.then(done, done);
  return state;
}

/** Lets promise callbacks run (no timers advance). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

export function newClient(options: ClientOptions = {}): { client: Client; log: EventLog } {
  const client = new Client(URL, { WebSocket: FakeWebSocket, ...options });
  return { client, log: record(client) };
}

/** A client whose handshake succeeded on a fake socket. */
export async function connectedClient(
  options: ClientOptions = {},
  welcome: unknown = { hello: 'ann' },
): Promise<{ client: Client; socket: FakeWebSocket; log: EventLog }> {
  const { client, log } = newClient(options);
  const connecting = client.connect();
  const socket = FakeWebSocket.last();
  socket.open();
  socket.acceptHandshake(welcome);
  await connecting;
  return { client, socket, log };
}

/** Fake timers and a fresh FakeWebSocket registry for every test of the calling file. */
export function useFakeClient(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.reset();
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
}
