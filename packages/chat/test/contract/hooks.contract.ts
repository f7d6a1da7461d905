import {
  AnswerBudget,
  ChatError,
  ChatErrorCode,
  type CommandContext,
  type CommandOutcome,
} from '@volley/chat';
import { ErrorCode } from '@volley/client';
import { describe, expect, it } from 'vitest';
import {
  chatErrorOf,
  notifications,
  startChat,
  type StoreFactory,
  volleyErrorOf,
} from '../helpers.js';

// The before and after hooks; join/leave hooks, the command timeout and the message event are in hooks-lifecycle.contract.ts.
export default function hooksContract(createStore: StoreFactory): void {
  describe('chat hooks: before', () => {
    it('a before hook gets the context and positional arguments, and may rewrite the arguments', async () => {
      const seen: { context: CommandContext; args: unknown[] }[] = [];
      const harness = await startChat(createStore, {
        hooks: {
          before: {
            roomMessage(context, args) {
              seen.push({ context, args: [...args] });
              const [roomName, message] = args;
              return { args: [roomName, { textMessage: `${String(message.textMessage)} (edited)` }] };
            },
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      await bob.chat.roomJoin('lobby');
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'hi' })).toBe(1);
      expect(seen).toEqual([
        {
          context: { userName: 'alice', connectionId: alice.id, bypassPermissions: false, signal: expect.any(AbortSignal), answerBudget: expect.any(AnswerBudget) },
          args: ['lobby', { textMessage: 'hi' }],
        },
      ]);
      const [roomName, message] = await bob.inbox.next('roomMessage');
      expect(roomName).toBe('lobby');
      expect(message).toMatchObject({ textMessage: 'hi (edited)', author: 'alice', id: 1 });
      expect((await alice.chat.roomRecentHistory('lobby')).map((stored) => stored.textMessage)).toEqual(['hi (edited)']);
      expect(harness.errors).toEqual([]);
    });

    it('a before hook answering {result} replaces the command: no state change, no notification, no after hook', async () => {
      const afterCalls: string[] = [];
      const harness = await startChat(createStore, {
        enableUserlistUpdates: true,
        hooks: {
          before: {
            roomJoin: () => ({ result: 7 }),
            roomMessage: () => ({ result: 99 }),
          },
          after: {
            roomJoin: () => void afterCalls.push('roomJoin'),
            roomMessage: () => void afterCalls.push('roomMessage'),
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const alice2 = await harness.login('alice');
      const bob = await harness.login('bob');
      await harness.chat.execUserCommand({ userName: 'bob', connectionId: bob.id, bypassPermissions: true }, 'roomJoin', 'lobby');
      // execUserCommand runs the hooks too, so bob never really joined either.
      expect(await alice.chat.roomJoin('lobby')).toBe(7);
      // Not joined, yet the answer comes back: the command (and its notJoined check) never ran.
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'hi' })).toBe(99);
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [], [alice2.id]: [] });
      expect(await harness.store.getRoomList('lobby', 'userlist')).toEqual([]);
      expect((await harness.store.getRoom('lobby'))?.lastMessageId).toBe(0);
      await alice2.inbox.flush();
      await bob.inbox.flush();
      await alice.inbox.flush();
      expect(alice2.inbox.count('roomJoinedEcho')).toBe(0);
      expect(notifications(bob.inbox)).toEqual([]);
      expect(alice.inbox.count('roomMessage')).toBe(0);
      expect(afterCalls).toEqual([]);
      expect(harness.errors).toEqual([]);
    });

    it('a before hook throwing a ChatError refuses the command with it, and the command does not run', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          before: {
            roomMessage(context) {
              if (context.userName === 'mallory') throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['muted']);
            },
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const mallory = await harness.login('mallory');
      await alice.chat.roomJoin('lobby');
      await mallory.chat.roomJoin('lobby');
      const error = await chatErrorOf(mallory.chat.roomMessage('lobby', { textMessage: 'spam' }));
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(error.args).toEqual(['muted']);
      await alice.inbox.flush();
      expect(alice.inbox.count('roomMessage')).toBe(0);
      expect(await alice.chat.roomHistoryInfo('lobby')).toMatchObject({ historySize: 0, lastMessageId: 0 });
      // A ChatError is an answer, not a server failure.
      expect(harness.errors).toEqual([]);
    });

    it('a before hook throwing a plain Error gives the client internalError without its text, and the server an error event with the original', async () => {
      const failure = new Error('secret database password in here');
      const harness = await startChat(createStore, {
        hooks: {
          before: {
            listOwnSockets() {
              throw failure;
            },
          },
        },
      });
      const alice = await harness.login('alice');
      const rejected = await volleyErrorOf(alice.chat.client.send('listOwnSockets', {}));
      expect(rejected.code).toBe(ErrorCode.MESSAGE_REJECTED);
      const error = ChatError.fromWire(rejected.payload);
      expect(error?.code).toBe(ChatErrorCode.INTERNAL_ERROR);
      expect(error?.args).toEqual([]);
      expect(JSON.stringify(rejected.payload)).not.toContain('secret');
      expect(harness.errors).toEqual([failure]);
      expect(harness.errors[0]).toBe(failure);
    });

    it('hooks run for execUserCommand with the server context (no connection, bypassPermissions as given)', async () => {
      const contexts: CommandContext[] = [];
      const harness = await startChat(createStore, {
        hooks: {
          before: { roomGetOwner: (context) => void contexts.push({ ...context }) },
          after: { roomGetOwner: (context) => void contexts.push({ ...context }) },
        },
      });
      await harness.chat.addRoom('lobby', { owner: 'alice' });
      await harness.chat.addUser('bot');
      expect(await harness.chat.execUserCommand({ userName: 'bot', bypassPermissions: true }, 'roomGetOwner', 'lobby')).toBe('alice');
      const error = await chatErrorOf(harness.chat.execUserCommand('bot', 'roomGetOwner', 'lobby'));
      expect(error.code).toBe(ChatErrorCode.NOT_JOINED);
      expect(contexts).toEqual([
        { userName: 'bot', connectionId: undefined, bypassPermissions: true, signal: expect.any(AbortSignal) },
        { userName: 'bot', connectionId: undefined, bypassPermissions: true, signal: expect.any(AbortSignal) },
        { userName: 'bot', connectionId: undefined, bypassPermissions: false, signal: expect.any(AbortSignal) },
        { userName: 'bot', connectionId: undefined, bypassPermissions: false, signal: expect.any(AbortSignal) },
      ]);
      expect(harness.errors).toEqual([]);
    });
  });

  describe('chat hooks: after', () => {
    it('an after hook sees the (rewritten) arguments and the result, and returning nothing keeps the result', async () => {
      const seen: { args: unknown[]; outcome: CommandOutcome<'roomMessage'> }[] = [];
      const harness = await startChat(createStore, {
        hooks: {
          before: { roomMessage: (_context, [roomName]) => ({ args: [roomName, { textMessage: 'rewritten' }] }) },
          after: {
            roomMessage(_context, args, outcome) {
              seen.push({ args: [...args], outcome: { ...outcome } });
            },
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('lobby');
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'original' })).toBe(1);
      expect(seen).toEqual([{ args: ['lobby', { textMessage: 'rewritten' }], outcome: { result: 1 } }]);
      expect(harness.errors).toEqual([]);
    });

    it('an after hook returning {result} replaces the result of a command that ran', async () => {
      const harness = await startChat(createStore, {
        hooks: { after: { roomMessage: (_context, _args, outcome) => ({ result: (outcome.result ?? 0) + 1000 }) } },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('lobby');
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'hi' })).toBe(1001);
      // The command itself ran: the message went out and was stored with its real id.
      const [, message] = await alice.inbox.next('roomMessage');
      expect(message).toMatchObject({ textMessage: 'hi', id: 1 });
      expect(await alice.chat.roomHistoryInfo('lobby')).toMatchObject({ historySize: 1, lastMessageId: 1 });
      expect(harness.errors).toEqual([]);
    });

    it('an after hook runs on errors too, sees outcome.error, and the error reaches the client unless replaced', async () => {
      const outcomes: CommandOutcome<'roomMessage'>[] = [];
      const harness = await startChat(createStore, {
        hooks: { after: { roomMessage: (_context, _args, outcome) => void outcomes.push({ ...outcome }) } },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const error = await chatErrorOf(alice.chat.roomMessage('lobby', { textMessage: 'hi' }));
      expect(error.code).toBe(ChatErrorCode.NOT_JOINED);
      expect(error.args).toEqual(['lobby']);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]!.result).toBeUndefined();
      expect(outcomes[0]!.error).toBeInstanceOf(ChatError);
      expect(outcomes[0]!.error?.code).toBe(ChatErrorCode.NOT_JOINED);
      expect(outcomes[0]!.error?.args).toEqual(['lobby']);
      expect(harness.errors).toEqual([]);
    });

    it('an after hook returning {result} turns a failure into success', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          after: {
            roomGetOwner(_context, _args, outcome) {
              if (outcome.error?.code === ChatErrorCode.NO_ROOM) return { result: null };
            },
          },
        },
      });
      const alice = await harness.login('alice');
      expect(await alice.chat.roomGetOwner('nowhere')).toBeNull();
      expect(harness.errors).toEqual([]);
    });

    it('an after hook throwing a ChatError replaces the outcome, though the command already ran', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          after: {
            roomMessage() {
              throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['after']);
            },
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      await bob.chat.roomJoin('lobby');
      const error = await chatErrorOf(alice.chat.roomMessage('lobby', { textMessage: 'hi' }));
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(error.args).toEqual(['after']);
      const [, message] = await bob.inbox.next('roomMessage');
      expect(message).toMatchObject({ textMessage: 'hi', id: 1 });
      expect(harness.errors).toEqual([]);
    });

    it('an after hook throwing a plain Error gives the client internalError and the server an error event with the original', async () => {
      const failure = new TypeError('after hook bug');
      const harness = await startChat(createStore, {
        hooks: {
          after: {
            roomList() {
              throw failure;
            },
          },
        },
      });
      const alice = await harness.login('alice');
      const error = await chatErrorOf(alice.chat.roomList());
      expect(error.code).toBe(ChatErrorCode.INTERNAL_ERROR);
      expect(error.args).toEqual([]);
      expect(harness.errors).toEqual([failure]);
      expect(harness.errors[0]).toBe(failure);
      // The connection keeps working.
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
    });
  });
}
