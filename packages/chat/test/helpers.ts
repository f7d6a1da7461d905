/**
 * Shared helpers of the chat tests: a chat server on 127.0.0.1 port 0 over a given store, logged-in
 * chat clients over `ws`, and an inbox that records every notification a client receives.
 *
 * Asserting that a notification did NOT arrive never sleeps: `inbox.flush()` makes a round trip on
 * the client's own socket. The server writes a command's notifications before it answers the
 * command, and one socket delivers in order, so once the acting client has its answer and the
 * observing client has flushed, everything the action sent to the observer has arrived.
 */
import { ChatClient, type ChatClientOptions, type ChatNotificationName, type ChatNotifications, chatNotificationNames } from '@volley/chat/client';
import { ChatError, ChatServer, type ChatServerOptions, type ChatStore, type RoomState } from '@volley/chat';
import { VolleyError } from '@volley/client';
import { onCleanup } from '@volley/test-utils';
import { expect } from 'vitest';
import { WebSocket } from 'ws';

/** How long an awaited notification may take before the test fails with a readable message. */
export const EVENT_TIMEOUT = 3000;

/** Creates a fresh, empty store for one test. */
export type StoreFactory = () => ChatStore | Promise<ChatStore>;

export { cleanup, onCleanup } from '@volley/test-utils';

/** One recorded notification. */
export interface Received {
  name: ChatNotificationName;
  args: unknown[];
}

/**
 * Records every notification of a chat client, in arrival order. `next()` consumes the first
 * unconsumed one of a name (waiting for it), `count()` counts those received so far.
 */
export class Inbox {
  readonly received: Received[] = [];
  private readonly consumed = new Set<Received>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly chat: ChatClient) {
    for (const name of chatNotificationNames) {
      (chat.on as (event: string, listener: (...args: unknown[]) => void) => unknown).call(chat, name, (...args: unknown[]) => {
        this.received.push({ name, args });
        for (const wake of [...this.waiters]) wake();
      });
    }
  }

  /** Arguments of the next unconsumed `name` notification (matching `filter`); waits up to `timeout` ms. */
  next<K extends ChatNotificationName>(
    name: K,
    filter: (...args: Parameters<ChatNotifications[K]>) => boolean = () => true,
    timeout = EVENT_TIMEOUT,
  ): Promise<Parameters<ChatNotifications[K]>> {
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        const found = this.received.find(
          (entry) => entry.name === name && !this.consumed.has(entry) && filter(...(entry.args as Parameters<ChatNotifications[K]>)),
        );
        if (found === undefined) return false;
        this.consumed.add(found);
        resolve(found.args as Parameters<ChatNotifications[K]>);
        return true;
      };
      if (look()) return;
      const wake = (): void => {
        if (!look()) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`Timed out after ${timeout} ms waiting for "${name}"; received: ${this.received.map((entry) => entry.name).join(', ') || 'nothing'}`));
      }, timeout);
      this.waiters.add(wake);
    });
  }

  /** How many `name` notifications arrived so far (consumed or not). */
  count(name: ChatNotificationName): number {
    return this.received.filter((entry) => entry.name === name).length;
  }

  /** Every `name` notification so far, as argument lists. */
  all<K extends ChatNotificationName>(name: K): Parameters<ChatNotifications[K]>[] {
    return this.received.filter((entry) => entry.name === name).map((entry) => entry.args as Parameters<ChatNotifications[K]>);
  }

  /** Forgets everything received so far. */
  clear(): void {
    this.received.length = 0;
    this.consumed.clear();
  }

  /**
   * Makes a round trip on this client's socket, so that every notification the server wrote to it
   * before now has arrived. See the file comment.
   */
  async flush(): Promise<void> {
    await this.chat.client.ping();
  }
}

/** A logged-in test user: its chat client and what it received. */
export interface TestUser {
  chat: ChatClient;
  inbox: Inbox;
  /** This connection's id (auth data `id`). */
  id: string;
  userName: string;
}

/** A running chat server and ways to log in to it. */
export interface ChatHarness {
  chat: ChatServer;
  url: string;
  store: ChatStore;
  /** What the server's `error` event reported (hooks that threw, failed deliveries). */
  errors: unknown[];
  /** Logs in a new connection (with `{userName}` as auth unless `options.auth` is given). */
  login(userName: string, options?: ChatClientOptions): Promise<TestUser>;
  /** A connected, not yet logged-in client and its inbox (for login tests). */
  client(options?: ChatClientOptions): { chat: ChatClient; inbox: Inbox };
}

/** Starts a chat server on 127.0.0.1 port 0 over a fresh store; everything closes at cleanup. */
export async function startChat(createStore: StoreFactory, options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}): Promise<ChatHarness> {
  const store = await createStore();
  const chat = new ChatServer({ port: 0, host: '127.0.0.1', store, ...options });
  // Errors a test does not expect must fail it, not vanish.
  const errors: unknown[] = [];
  chat.on('error', (error) => errors.push(error));
  await chat.start();
  onCleanup(async () => {
    await chat.stop();
    await store.close();
  });
  const url = `ws://127.0.0.1:${chat.port}`;
  const client = (clientOptions: ChatClientOptions = {}): { chat: ChatClient; inbox: Inbox } => {
    const chatClient = new ChatClient(url, { WebSocket, reconnect: false, pingInterval: 0, ...clientOptions });
    onCleanup(() => chatClient.disconnect());
    return { chat: chatClient, inbox: new Inbox(chatClient) };
  };
  return {
    chat,
    url,
    store,
    errors,
    client,
    async login(userName, clientOptions = {}) {
      const { chat: chatClient, inbox } = client({ auth: { userName }, ...clientOptions });
      const login = await chatClient.connect();
      return { chat: chatClient, inbox, id: login.authData.id, userName: login.userName };
    },
  };
}

/** Resolves with the ChatError `promise` rejects with; fails if it resolves or rejects otherwise. */
export async function chatErrorOf(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChatError) return error;
    throw new Error(`Expected a ChatError, got ${String(error)}`, { cause: error });
  }
  throw new Error('Expected a ChatError, but the promise resolved');
}

/** Asserts that `promise` rejects with exactly this ChatError code and args. */
export async function expectChatError(promise: Promise<unknown>, code: string, args: unknown[]): Promise<void> {
  const error = await chatErrorOf(promise);
  expect({ code: error.code, args: error.args }).toEqual({ code, args });
}

/** Resolves with the VolleyError `promise` rejects with (a raw request); fails otherwise. */
export async function volleyErrorOf(promise: Promise<unknown>): Promise<VolleyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VolleyError) return error;
    throw new Error(`Expected a VolleyError, got ${String(error)}`, { cause: error });
  }
  throw new Error('Expected a VolleyError, but the promise resolved');
}

/** A sorted copy: stores may return list members in any order. */
export function sorted<T>(values: readonly T[]): T[] {
  return [...values].sort();
}

/** What an inbox received besides the login confirmation. */
export function notifications(inbox: Inbox): Received[] {
  return inbox.received.filter((entry) => entry.name !== 'loginConfirmed');
}

/** Resolves once the server has unlinked `count` connections of `userName` (its close handling is asynchronous). */
export function unlinked(harness: ChatHarness, userName: string, count = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const listener = (user: string): void => {
      if (user !== userName || ++seen < count) return;
      harness.chat.off('unlink', listener);
      resolve();
    };
    harness.chat.on('unlink', listener);
  });
}

/** A room's settings with the defaults of a plain room. */
export function roomState(name: string, changes: Partial<RoomState> = {}): RoomState {
  return {
    name,
    owner: 'owner',
    whitelistOnly: false,
    historyMaxSize: 100,
    lastMessageId: 0,
    visible: false,
    presence: false,
    accessToken: null,
    enableUserlistUpdates: false,
    enableAccessListsUpdates: false,
    data: {},
    ...changes,
  };
}
