import { ChatError, ChatErrorCode, type ChatServerEvents, type CommandOutcome } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import {
  chatErrorOf,
  type ChatHarness,
  notifications,
  startChat,
  type StoreFactory,
} from '../helpers.js';

/** Resolves with the arguments of the server event's next emission. */
function nextServerEvent<K extends keyof ChatServerEvents>(harness: ChatHarness, name: K): Promise<ChatServerEvents[K]> {
  return new Promise((resolve) => {
    (harness.chat.once as (event: string, listener: (...args: unknown[]) => void) => unknown).call(harness.chat, name, (...args: unknown[]) =>
      resolve(args as ChatServerEvents[K]),
    );
  });
}

// Join and leave hooks, the command timeout and the message event; before/after hooks are in hooks.contract.ts.
export default function hooksLifecycleContract(createStore: StoreFactory): void {
  describe('chat hooks: join and leave', () => {
    it('the join hook gets (user, room, connectionId) for every new join, not for a duplicate one', async () => {
      const calls: unknown[][] = [];
      const harness = await startChat(createStore, { hooks: { join: (...args) => void calls.push(args) } });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const alice2 = await harness.login('alice');
      expect(await alice.chat.roomJoin('lobby')).toBe(1);
      expect(await alice.chat.roomJoin('lobby')).toBe(1);
      expect(await alice2.chat.roomJoin('lobby')).toBe(2);
      expect(calls).toEqual([
        ['alice', 'lobby', alice.id],
        ['alice', 'lobby', alice2.id],
      ]);
      expect(harness.errors).toEqual([]);
    });

    it('a join hook rejecting rolls the join back: roomJoin fails with its error, no membership, no notification', async () => {
      let refuse = true;
      const harness = await startChat(createStore, {
        hooks: {
          join(userName) {
            if (userName === 'bob' && refuse) throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['bob is banned']);
          },
        },
      });
      await harness.chat.addRoom('lobby', { enableUserlistUpdates: true, presence: true });
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      const bob2 = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      expect(await bob.inbox.next('socketConnectEcho')).toEqual([bob2.id, 2]);
      bob.inbox.clear();

      const error = await chatErrorOf(bob.chat.roomJoin('lobby'));
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(error.args).toEqual(['bob is banned']);
      expect(await alice.chat.roomGetAccessList('lobby', 'userlist')).toEqual(['alice']);
      expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [], [bob2.id]: [] });
      // Not even a last-seen time: the refused join never took effect.
      expect(await alice.chat.roomUserSeen('lobby', 'bob')).toEqual({ joined: false, timestamp: null });
      const notJoined = await chatErrorOf(bob.chat.roomMessage('lobby', { textMessage: 'hi' }));
      expect(notJoined.code).toBe(ChatErrorCode.NOT_JOINED);
      expect(notJoined.args).toEqual(['lobby']);
      // Alice's message does not reach bob: his socket left the room's channel too.
      await alice.chat.roomMessage('lobby', { textMessage: 'anyone?' });
      await alice.inbox.next('roomMessage');
      await bob.inbox.flush();
      await bob2.inbox.flush();
      await alice.inbox.flush();
      expect(alice.inbox.count('roomUserJoined')).toBe(0);
      expect(alice.inbox.count('roomMemberJoined')).toBe(0);
      expect(bob2.inbox.count('roomJoinedEcho')).toBe(0);
      expect(notifications(bob.inbox)).toEqual([]);

      // Nothing of the failed join stays counted: the next join is bob's first.
      refuse = false;
      expect(await bob.chat.roomJoin('lobby')).toBe(1);
      expect(await alice.inbox.next('roomUserJoined')).toEqual(['lobby', 'bob']);
      expect(await bob2.inbox.next('roomJoinedEcho')).toEqual(['lobby', bob.id, 1]);
      expect(harness.errors).toEqual([]);
    });

    it('a join hook throwing a plain Error rolls the join back with internalError and reports the original', async () => {
      const failure = new Error('join hook bug');
      const harness = await startChat(createStore, {
        hooks: {
          join() {
            throw failure;
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const error = await chatErrorOf(alice.chat.roomJoin('lobby'));
      expect(error.code).toBe(ChatErrorCode.INTERNAL_ERROR);
      expect(error.args).toEqual([]);
      expect(harness.errors).toEqual([failure]);
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
      expect(await harness.store.getRoomList('lobby', 'userlist')).toEqual([]);
    });

    it('the leave hook gets (user, room, connectionId) on roomLeave and on close, not for a leave when not joined', async () => {
      const calls: unknown[][] = [];
      const harness = await startChat(createStore, { hooks: { leave: (...args) => void calls.push(args) } });
      await harness.chat.addRoom('lobby');
      await harness.chat.addRoom('hall');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      expect(await alice.chat.roomLeave('lobby')).toBe(0);
      expect(await alice.chat.roomLeave('lobby')).toBe(0);
      expect(calls).toEqual([['alice', 'lobby', alice.id]]);

      await bob.chat.roomJoin('lobby');
      await bob.chat.roomJoin('hall');
      const unlinked = nextServerEvent(harness, 'unlink');
      await bob.chat.disconnect();
      expect(await unlinked).toEqual(['bob', bob.id]);
      expect(calls.slice(1).sort()).toEqual([
        ['bob', 'hall', bob.id],
        ['bob', 'lobby', bob.id],
      ]);
      expect(harness.errors).toEqual([]);
    });

    it('the leave hook runs when a user is evicted, not when the room is deleted', async () => {
      const calls: unknown[][] = [];
      const harness = await startChat(createStore, { hooks: { leave: (...args) => void calls.push(args) } });
      await harness.chat.addRoom('lobby', { owner: 'alice' });
      await harness.chat.addRoom('hall');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('lobby');
      await bob.chat.roomJoin('hall');
      await alice.chat.roomAddToList('lobby', 'blacklist', ['bob']);
      expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
      expect(calls).toEqual([['bob', 'lobby', bob.id]]);
      await harness.chat.deleteRoom('hall');
      expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['hall']);
      expect(calls).toEqual([['bob', 'lobby', bob.id]]);
      expect(harness.errors).toEqual([]);
    });

    it('a leave hook error on roomLeave is reported and does not undo the leave', async () => {
      const failure = new Error('leave hook bug');
      const harness = await startChat(createStore, {
        enableUserlistUpdates: true,
        hooks: {
          leave() {
            throw failure;
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      await bob.chat.roomJoin('lobby');
      expect(await bob.chat.roomLeave('lobby')).toBe(0);
      expect(await alice.inbox.next('roomUserLeft')).toEqual(['lobby', 'bob']);
      expect(await alice.chat.roomGetAccessList('lobby', 'userlist')).toEqual(['alice']);
      expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
      expect((await chatErrorOf(bob.chat.roomMessage('lobby', { textMessage: 'hi' }))).code).toBe(ChatErrorCode.NOT_JOINED);
      expect(harness.errors).toEqual([failure]);
    });

    it('a leave hook error on close is reported and does not undo the leave', async () => {
      const failure = new ChatError(ChatErrorCode.NOT_ALLOWED, ['stay']);
      const harness = await startChat(createStore, {
        enableUserlistUpdates: true,
        hooks: {
          leave() {
            throw failure;
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      await bob.chat.roomJoin('lobby');
      const reported = nextServerEvent(harness, 'error');
      await bob.chat.disconnect();
      expect(await reported).toEqual([failure]);
      expect(await alice.inbox.next('roomUserLeft')).toEqual(['lobby', 'bob']);
      expect(await alice.chat.roomGetAccessList('lobby', 'userlist')).toEqual(['alice']);
      expect(await alice.chat.roomUserSeen('lobby', 'bob')).toMatchObject({ joined: false });
      expect(harness.errors).toEqual([failure]);
    });
  });

  describe('chat hooks: command timeout and message event', () => {
    it('a before hook that never resolves fails the command with timeout [command] after commandTimeout', async () => {
      const harness = await startChat(createStore, {
        commandTimeout: 100,
        hooks: { before: { roomJoin: () => new Promise<never>(() => {}) } },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const started = Date.now();
      const error = await chatErrorOf(alice.chat.roomJoin('lobby'));
      expect(error.code).toBe(ChatErrorCode.TIMEOUT);
      expect(error.args).toEqual(['roomJoin']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      // Only that command timed out: the connection keeps working, and the join never happened.
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
      expect(harness.errors).toEqual([]);
    });

    it('a join hook that answers after commandTimeout changes nothing: the client got timeout, the join never takes effect', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let finished!: (outcome: CommandOutcome<'roomJoin'>) => void;
      const done = new Promise<CommandOutcome<'roomJoin'>>((resolve) => (finished = resolve));
      const harness = await startChat(createStore, {
        commandTimeout: 100,
        enableUserlistUpdates: true,
        hooks: {
          join: (userName) => (userName === 'alice' ? released : undefined),
          after: {
            roomJoin: (context, _args, outcome) => {
              if (context.userName === 'alice') finished(outcome);
            },
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      expect(await bob.chat.roomJoin('lobby')).toBe(1);
      const error = await chatErrorOf(alice.chat.roomJoin('lobby'));
      expect(error.code).toBe(ChatErrorCode.TIMEOUT);
      // The hook answers late; the command must stop there instead of joining.
      release();
      const outcome = await done;
      expect(outcome.error?.code).toBe(ChatErrorCode.TIMEOUT);
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
      expect(await harness.store.getRoomList('lobby', 'userlist')).not.toContain('alice');
      expect(await harness.store.getUserSeen('lobby', 'alice')).toEqual({ joined: false, timestamp: null });
      await bob.inbox.flush();
      expect(bob.inbox.count('roomUserJoined')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('the server emits message {command, args, connectionId} for every valid command, before hooks and whatever its outcome', async () => {
      const messages: ChatServerEvents['message'][] = [];
      const harness = await startChat(createStore, { hooks: { before: { roomGetOwner: () => ({ result: 'nobody' }) } } });
      harness.chat.on('message', (...args) => void messages.push(args));
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      await alice.chat.roomMessage('lobby', { textMessage: 'hi' });
      await bob.chat.listOwnSockets();
      expect(await bob.chat.roomGetOwner('lobby')).toBe('nobody');
      await chatErrorOf(bob.chat.roomLeave('nowhere'));
      // Neither a refused payload nor the server API counts as a user's message.
      await chatErrorOf(bob.chat.command('roomLeave', [42 as unknown as string]));
      await harness.chat.execUserCommand('alice', 'listOwnSockets');
      expect(messages).toStrictEqual([
        ['alice', { command: 'roomJoin', args: ['lobby', undefined], connectionId: alice.id }],
        ['alice', { command: 'roomMessage', args: ['lobby', { textMessage: 'hi' }], connectionId: alice.id }],
        ['bob', { command: 'listOwnSockets', args: [], connectionId: bob.id }],
        ['bob', { command: 'roomGetOwner', args: ['lobby'], connectionId: bob.id }],
        ['bob', { command: 'roomLeave', args: ['nowhere'], connectionId: bob.id }],
      ]);
      expect(harness.errors).toEqual([]);
    });
  });
}
