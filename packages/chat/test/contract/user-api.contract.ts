/**
 * The server API for applications built on the chat's users (Krmx-style servers): listing users
 * and whether they are online, application messages both ways, async `authenticate` listeners
 * with their timeout, `acceptNewUsers`, `kick`, and the order of events with async work in them.
 */
import { ChatError, ChatErrorCode } from '@volley/chat';
import { CloseCode } from '@volley/client';
import { deferred } from '@volley/test-utils';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, type StoreFactory, startChat, unlinked, volleyErrorOf } from '../helpers.js';
import { recordServerEvents } from './server-events.js';

export default function userApiContract(createStore: StoreFactory): void {
  describe('chat user API: users and application messages', () => {
    it('listUsers names every user in order with its open connections', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addUser('carol');
      await harness.login('bob');
      await harness.login('bob');
      await harness.login('alice');
      expect(await harness.chat.listUsers()).toEqual([
        { userName: 'alice', connections: 1 },
        { userName: 'bob', connections: 2 },
        { userName: 'carol', connections: 0 },
      ]);
      expect(await harness.chat.listUsers('alice', 1)).toEqual([{ userName: 'bob', connections: 2 }]);
    });

    it('sendToUser reaches every connection of the user only; broadcastToUsers everyone but exceptUser', async () => {
      const harness = await startChat(createStore);
      const [alice1, alice2, bob, carol] = [await harness.login('alice'), await harness.login('alice'), await harness.login('bob'), await harness.login('carol')];
      const got = new Map<string, unknown[]>();
      for (const [label, user] of Object.entries({ alice1, alice2, bob, carol })) {
        got.set(label, []);
        user.chat.onMessage('turn', (payload) => got.get(label)!.push(payload));
      }
      await harness.chat.sendToUser('alice', 'turn', { player: 'alice' });
      await harness.chat.broadcastToUsers('turn', { round: 2 }, { exceptUser: 'bob' });
      await harness.chat.broadcastToUsers('turn', { round: 3 });
      await Promise.all([alice1, alice2, bob, carol].map((user) => user.inbox.flush()));
      expect(Object.fromEntries(got)).toEqual({
        alice1: [{ player: 'alice' }, { round: 2 }, { round: 3 }],
        alice2: [{ player: 'alice' }, { round: 2 }, { round: 3 }],
        bob: [{ round: 3 }],
        carol: [{ round: 2 }, { round: 3 }],
      });
      expect(() => harness.chat.sendToUser('alice', 'roomMessage', {})).toThrow(TypeError);
      expect(() => alice1.chat.onMessage('roomJoin', () => undefined)).toThrow(TypeError);
    });

    it('chat.handle answers ChatClient.send with the handler\'s result, knows the sender, and rejects what the handler throws', async () => {
      const harness = await startChat(createStore);
      harness.chat.handle('move', async (payload, sender) => ({ ...sender, payload }));
      harness.chat.handle('cheat', () => {
        throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['cheat']);
      });
      const alice = await harness.login('alice');
      expect(await alice.chat.send('move', { to: 'e4' })).toEqual({ userName: 'alice', connectionId: alice.id, payload: { to: 'e4' } });
      const refused = await chatErrorOf(alice.chat.send('cheat'));
      expect([refused.code, refused.args]).toEqual(['notAllowed', ['cheat']]);
      // Any other throw is reported, and the client gets internalError without its text.
      const bug = new Error('the secret of a bug');
      harness.chat.handle('crash', () => {
        throw bug;
      });
      const crashed = await chatErrorOf(alice.chat.send('crash'));
      expect([crashed.code, crashed.args, crashed.message]).toEqual(['internalError', [], 'internalError']);
      expect(harness.errors).toEqual([bug]);
      await expect(alice.chat.send('roomList')).rejects.toThrow(TypeError);
      expect(() => harness.chat.handle('roomList', () => 1)).toThrow(TypeError);
      // The chat's commands are unaffected.
      expect(await alice.chat.roomList()).toEqual([]);
    });
  });

  describe('chat user API: logins', () => {
    it('async authenticate listeners are awaited in turn; a ChatError or string thrown, or reject(), refuses with that reason', async () => {
      const harness = await startChat(createStore);
      const order: string[] = [];
      harness.chat.on('authenticate', async (userName) => {
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`first ${userName}`);
        if (userName === 'mallory') throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['banned']);
        if (userName === 'trudy') throw 'not today';
      });
      harness.chat.on('authenticate', (userName, _info, reject) => {
        order.push(`second ${userName}`);
        if (userName === 'eve') reject('eavesdropper');
      });
      await harness.login('alice');
      expect(order).toEqual(['first alice', 'second alice']);
      const mallory = await chatErrorOf(harness.client({ auth: { userName: 'mallory' } }).chat.connect());
      expect([mallory.code, mallory.args]).toEqual(['notAllowed', ['banned']]);
      const trudy = await volleyErrorOf(harness.client({ auth: { userName: 'trudy' } }).chat.connect());
      expect(trudy.payload).toBe('not today');
      const eve = await volleyErrorOf(harness.client({ auth: { userName: 'eve' } }).chat.connect());
      expect(eve.payload).toBe('eavesdropper');
      // The refusing listener stops the turn: the second never saw mallory or trudy.
      expect(order).toEqual(['first alice', 'second alice', 'first mallory', 'first trudy', 'first eve', 'second eve']);
      expect(harness.errors).toEqual([]);
    });

    it('an authenticate listener that never settles refuses the login with timeout after authenticateTimeout', async () => {
      const harness = await startChat(createStore, { authenticateTimeout: 50 });
      harness.chat.on('authenticate', () => new Promise<void>(() => undefined));
      const error = await chatErrorOf(harness.client({ auth: { userName: 'alice' } }).chat.connect());
      expect([error.code, error.args]).toEqual(['timeout', ['authenticate']]);
      expect(await harness.chat.hasUser('alice')).toBe(false);
    });

    it('acceptNewUsers off refuses users the chat does not know with notAllowed [name]; known users still log in; it changes at run time', async () => {
      const harness = await startChat(createStore, { acceptNewUsers: false });
      await harness.chat.addUser('alice');
      expect(harness.chat.acceptNewUsers).toBe(false);
      await harness.login('alice');
      const refused = await chatErrorOf(harness.client({ auth: { userName: 'bob' } }).chat.connect());
      expect([refused.code, refused.args]).toEqual(['notAllowed', ['bob']]);
      expect(await harness.chat.hasUser('bob')).toBe(false);
      harness.chat.acceptNewUsers = true;
      await harness.login('bob');
      expect(() => (harness.chat.acceptNewUsers = 'yes' as never)).toThrow(TypeError);
    });
  });

  describe('chat user API: server presence', () => {
    it('with serverPresence, connections hear of users joining, coming online, going offline and leaving, and get the user list on login', async () => {
      const harness = await startChat(createStore, { serverPresence: true });
      const alice = await harness.login('alice');
      expect(await alice.inbox.next('userList')).toEqual([[{ userName: 'alice', connections: 1 }]]);
      const bob1 = await harness.login('bob');
      expect(await alice.inbox.next('userJoined')).toEqual(['bob']);
      expect(await alice.inbox.next('userLinked')).toEqual(['bob']);
      expect(await bob1.inbox.next('userList')).toEqual([
        [
          { userName: 'alice', connections: 1 },
          { userName: 'bob', connections: 1 },
        ],
      ]);
      // A second connection of an online user: no news for the others.
      const bob2 = await harness.login('bob');
      expect((await bob2.inbox.next('userList'))[0]).toContainEqual({ userName: 'bob', connections: 2 });
      const bob1Gone = unlinked(harness, 'bob');
      await bob1.chat.disconnect();
      await bob1Gone;
      await alice.inbox.flush();
      expect([alice.inbox.count('userLinked'), alice.inbox.count('userUnlinked')]).toEqual([1, 0]);
      await bob2.chat.disconnect();
      expect(await alice.inbox.next('userUnlinked')).toEqual(['bob']);
      await harness.chat.deleteUser('bob');
      expect(await alice.inbox.next('userLeft')).toEqual(['bob']);
      // A connection hears none of its own arrival.
      expect(bob1.inbox.count('userJoined') + bob1.inbox.count('userLinked')).toBe(0);
    });

    it('without serverPresence (the default) nobody hears of other users', async () => {
      const harness = await startChat(createStore);
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await harness.chat.kick('bob');
      await alice.inbox.flush();
      for (const name of ['userList', 'userJoined', 'userLinked', 'userUnlinked', 'userLeft'] as const) expect(alice.inbox.count(name), name).toBe(0);
      expect(bob.inbox.count('userList')).toBe(0);
    });
  });

  describe('chat user API: kick and the order of events', () => {
    it('kick closes every connection of the user with 4209, which does not reconnect, then deletes it: unlink before leave', async () => {
      const harness = await startChat(createStore, { hooks: { disconnect: () => new Promise((resolve) => setTimeout(resolve, 20)) } });
      const events = recordServerEvents(harness.chat);
      const alice1 = await harness.login('alice', { reconnect: true });
      const alice2 = await harness.login('alice', { reconnect: true });
      const bob = await harness.login('bob');
      const closed = [alice1, alice2].map((user) => new Promise<{ code: number; reason: string; willReconnect: boolean }>((resolve) => user.chat.once('disconnected', resolve)));
      await harness.chat.kick('alice', 'cheating');
      for (const info of await Promise.all(closed)) expect(info).toEqual({ code: CloseCode.KICKED, reason: 'cheating', willReconnect: false });
      const tail = events.all.filter((event) => event.name === 'unlink' || event.name === 'leave').map((event) => [event.name, event.args[0]]);
      expect(tail).toEqual([
        ['unlink', 'alice'],
        ['unlink', 'alice'],
        ['leave', 'alice'],
      ]);
      expect(await harness.chat.hasUser('alice')).toBe(false);
      expect(bob.chat.state).toBe('connected');
      await expect(harness.chat.kick('nobody')).rejects.toMatchObject({ code: 'noUser' });
    });

    it('stop() emits close only after the logouts of the connections it closed (their unlink), slow disconnect hooks included', async () => {
      const hookDone = deferred();
      const harness = await startChat(createStore, {
        hooks: {
          async disconnect() {
            await new Promise((resolve) => setTimeout(resolve, 30));
            hookDone.resolve();
          },
        },
      });
      const order: string[] = [];
      harness.chat.on('unlink', (userName) => order.push(`unlink ${userName}`));
      harness.chat.on('close', () => order.push('close'));
      await harness.login('alice');
      await harness.chat.stop();
      expect(order).toEqual(['unlink alice', 'close']);
      await hookDone.promise;
    });
  });
}
