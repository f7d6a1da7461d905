/**
 * The server's own failures never reach clients as text: a store call or an event listener that
 * throws something other than a ChatError gives the client `internalError` with no arguments, and
 * the server an `error` event with the original. (Hook errors: see hooks.contract.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ChatError } from '@volley/chat/client';
import type { ChatStore } from '@volley/chat';
import { type ConnectionOperation, InMemoryAdapter } from '@volley/server';
import { type StoreFactory, chatErrorOf, startChat } from '../helpers.js';

const secret = 'db at 10.0.0.1 refused user admin/hunter2';

/** A store from `createStore` whose method `method` throws `failure` while `armed.on` is true. */
function failingStore(createStore: StoreFactory, method: keyof ChatStore, failure: Error, armed: { on: boolean }): StoreFactory {
  return async () => {
    const store = await createStore();
    return new Proxy(store, {
      get(target, key) {
        if (key === method && armed.on) {
          return async () => {
            throw failure;
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}

export default function internalErrorsContract(createStore: StoreFactory): void {
  describe('chat internal errors', () => {
    for (const method of ['hasUser', 'addUser', 'addConnection'] as const) {
      it(`a store failure in ${method} during login rejects it with internalError, without the text, and reports the original`, async () => {
        const failure = new Error(secret);
        const harness = await startChat(failingStore(createStore, method, failure, { on: true }));
        const { chat, inbox } = harness.client({ auth: { userName: 'alice' } });
        const error = await chatErrorOf(chat.connect());
        expect([error.code, error.args, error.message]).toEqual(['internalError', [], 'internalError']);
        const [reason] = await inbox.next('loginRejected');
        expect(reason).toBeInstanceOf(ChatError);
        expect(JSON.stringify(reason)).not.toContain('hunter2');
        expect(harness.errors).toEqual([failure]);
      });
    }

    it('an authenticate listener that throws rejects the login with internalError and reports the original', async () => {
      const harness = await startChat(createStore);
      const failure = new Error(secret);
      harness.chat.on('authenticate', () => {
        throw failure;
      });
      const error = await chatErrorOf(harness.client({ auth: { userName: 'alice' } }).chat.connect());
      expect([error.code, error.args, error.message]).toEqual(['internalError', [], 'internalError']);
      expect(harness.errors).toEqual([failure]);
    });

    it('the reason an authenticate listener gives to reject is what the client gets', async () => {
      const harness = await startChat(createStore);
      harness.chat.on('authenticate', (_userName, _info, reject) => reject(new ChatError('notAllowed', ['banned'])));
      const error = await chatErrorOf(harness.client({ auth: { userName: 'alice' } }).chat.connect());
      expect([error.code, error.args]).toEqual(['notAllowed', ['banned']]);
      expect(harness.errors).toEqual([]);
    });

    it('a store failure in a command gives the client internalError without the text and reports the original', async () => {
      const failure = new Error(secret);
      const armed = { on: false };
      const harness = await startChat(failingStore(createStore, 'getRoom', failure, armed));
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      armed.on = true;
      const error = await chatErrorOf(alice.chat.roomJoin('lobby'));
      expect([error.code, error.args, error.message]).toEqual(['internalError', [], 'internalError']);
      expect(harness.errors).toEqual([failure]);
      armed.on = false;
      // The connection goes on working once the store does.
      expect(await alice.chat.roomJoin('lobby')).toBe(1);
    });

    it('a connection lost with its node (connectionLost) whose user the store cannot read is reported, fails its hand-over, and nothing else happens', async () => {
      const failure = new Error(secret);
      const armed = { on: true };
      const harness = await startChat(failingStore(createStore, 'getConnectionUser', failure, armed));
      const unlinked: unknown[] = [];
      harness.chat.on('unlink', (...args) => unlinked.push(args));
      const reported: unknown[] = [];
      harness.chat.on('error', (error) => reported.push(error));
      // What the server does for a dead node's connection that a cluster adapter hands over: call
      // the listeners and await them. A rejection makes the adapter hand it over again later.
      const listeners = harness.chat.volley.listeners('connectionLost');
      expect(listeners).toHaveLength(1);
      await expect(listeners[0]!('lost-connection')).rejects.toBe(failure);
      expect(reported).toEqual([failure]);
      expect(unlinked).toEqual([]);
    });

    it('an evicted connection on another node that cannot be taken out of the room channel (Redis down) is reported, and the eviction goes on', async () => {
      const failure = new Error(secret);
      const operations: [string, ConnectionOperation['type']][] = [];
      // This node's adapter, as a cluster adapter with Redis down: any operation on a connection
      // of another node fails.
      const adapter = new (class extends InMemoryAdapter {
        apply(id: string, operation: ConnectionOperation): Promise<boolean> {
          operations.push([id, operation.type]);
          return Promise.reject(failure);
        }
      })();
      const harness = await startChat(createStore, { serverOptions: { adapter } });
      await harness.chat.addRoom('lobby');
      const ann = await harness.login('ann');
      const bob = await harness.login('bob');
      expect(await bob.chat.roomJoin('lobby')).toBe(1);
      // A second connection of bob's, on another node: the store knows it, this node does not.
      await harness.store.addConnection('bob', 'remote-connection');
      await harness.store.joinRoom('lobby', 'bob', 'remote-connection', Date.now());

      await harness.chat.execUserCommand({ userName: 'ann', bypassPermissions: true }, 'roomAddToList', 'lobby', 'blacklist', ['bob']);
      expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
      expect(operations).toContainEqual(['remote-connection', 'leave']);
      expect(harness.errors).toEqual([expect.objectContaining({ code: 'INTERNAL_ERROR', message: `Adapter failed: ${secret}`, cause: failure })]);
      // Both connections are out of the room for the store, and the local one for the channel.
      expect(await harness.store.getJoinedConnections('lobby', 'bob')).toEqual([]);
      await ann.chat.roomJoin('lobby');
      await ann.chat.roomMessage('lobby', { textMessage: 'after' });
      await bob.inbox.flush();
      expect(bob.inbox.count('roomMessage')).toBe(0);
    });
  });
}
