import type { ChatServerOptions, CommandContext } from '@volley/chat';
import type { ProcessedMessage } from '@volley/chat/client';
import { describe, expect, it } from 'vitest';
import {
  type ChatHarness,
  expectChatError,
  startChat,
  type StoreFactory,
  unlinked,
} from '../helpers.js';

const text = { textMessage: 'hello' };

// The server API's users and execUserCommand; room management is in management.contract.ts.
export default function userManagementContract(createStore: StoreFactory): void {
  function managed(options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}): Promise<ChatHarness> {
    return startChat(createStore, { enableRoomsManagement: true, ...options });
  }

  describe('room and user management', () => {
    describe('server API: users', () => {
      it('addUser creates an offline user and emits join; userExists and invalidName refuse', async () => {
        const harness = await startChat(createStore);
        const joined: string[] = [];
        harness.chat.on('join', (userName) => joined.push(userName));
        expect(await harness.chat.hasUser('bob')).toBe(false);
        await harness.chat.addUser('bob');
        expect(await harness.chat.hasUser('bob')).toBe(true);
        expect(await harness.chat.getUserConnections('bob')).toEqual([]);
        await expectChatError(harness.chat.addUser('bob'), 'userExists', ['bob']);
        await expectChatError(harness.chat.addUser('b:ob'), 'invalidName', ['b:ob']);
        await expectChatError(harness.chat.addUser('carol', { blacklist: ['x}'] }), 'invalidName', ['x}']);
        expect(await harness.chat.hasUser('carol')).toBe(false);
        // A user that logged in exists too.
        await harness.login('dave');
        await expectChatError(harness.chat.addUser('dave'), 'userExists', ['dave']);
        // Logging in as an added user is not a new user.
        await harness.login('bob');
        expect(joined).toEqual(['bob', 'dave']);
      });

      it('addUser with a list past directListSizeLimit is listLimitExceeded and creates nothing', async () => {
        const harness = await startChat(createStore, { directListSizeLimit: 1 });
        const joined: string[] = [];
        harness.chat.on('join', (userName) => joined.push(userName));
        await expectChatError(harness.chat.addUser('bob', { whitelist: ['x', 'y'] }), 'listLimitExceeded', ['whitelist']);
        expect(await harness.chat.hasUser('bob')).toBe(false);
        expect(joined).toEqual([]);
        await harness.chat.addUser('bob', { blacklist: ['x', 'x'] });
        expect(joined).toEqual(['bob']);
      });

      it("addUser's lists and whitelist-only mode govern the user's direct messages", async () => {
        const harness = await startChat(createStore, { enableDirectMessages: true });
        await harness.chat.addUser('bob', { blacklist: ['alice'] });
        await harness.chat.addUser('carol', { whitelistOnly: true, whitelist: ['dave'] });
        const alice = await harness.login('alice');
        const dave = await harness.login('dave');
        const bob = await harness.login('bob');
        const carol = await harness.login('carol');
        expect(await bob.chat.directGetAccessList('blacklist')).toEqual(['alice']);
        expect(await carol.chat.directGetWhitelistMode()).toBe(true);
        expect(await carol.chat.directGetAccessList('whitelist')).toEqual(['dave']);
        await expectChatError(alice.chat.directMessage('bob', text), 'notAllowed', ['bob']);
        await expectChatError(alice.chat.directMessage('carol', text), 'notAllowed', ['carol']);
        await dave.chat.directMessage('carol', text);
        expect((await carol.inbox.next('directMessage'))[0].author).toBe('dave');
      });

      it('deleteUser: noUser when unknown, userOnline while connected, deletes and emits leave once offline', async () => {
        const harness = await startChat(createStore);
        const left: string[] = [];
        harness.chat.on('leave', (userName) => left.push(userName));
        await expectChatError(harness.chat.deleteUser('ghost'), 'noUser', ['ghost']);
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        await expectChatError(harness.chat.deleteUser('bob'), 'userOnline', ['bob']);
        const gone1 = unlinked(harness, 'bob');
        await bob1.chat.disconnect();
        await gone1;
        await expectChatError(harness.chat.deleteUser('bob'), 'userOnline', ['bob']);
        const gone2 = unlinked(harness, 'bob');
        await bob2.chat.disconnect();
        await gone2;
        expect(left).toEqual([]);
        await harness.chat.deleteUser('bob');
        expect(left).toEqual(['bob']);
        expect(await harness.chat.hasUser('bob')).toBe(false);
        await expectChatError(harness.chat.deleteUser('bob'), 'noUser', ['bob']);
        await harness.chat.addUser('offline');
        await harness.chat.deleteUser('offline');
        expect(left).toEqual(['bob', 'offline']);
      });

      it("disconnectUser closes every connection of the user and nobody else's", async () => {
        const harness = await startChat(createStore);
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const carol = await harness.login('carol');
        const closed = [bob1, bob2].map((user) => new Promise<number>((resolve) => user.chat.once('disconnected', (info) => resolve(info.code))));
        const gone = unlinked(harness, 'bob', 2);
        await harness.chat.disconnectUser('bob', 4001, 'kicked');
        expect(await Promise.all(closed)).toEqual([4001, 4001]);
        await gone;
        expect(await harness.chat.getUserConnections('bob')).toEqual([]);
        expect(await harness.chat.getUserConnections('carol')).toEqual([carol.id]);
        expect(carol.chat.state).toBe('connected');
        expect(await carol.chat.listOwnSockets()).toEqual({ [carol.id]: [] });
        expect(harness.errors).toEqual([]);
      });
    });

    describe('server API: execUserCommand', () => {
      it("runs a command as a user on one of the user's connections", async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room');
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        expect(await harness.chat.execUserCommand({ userName: 'bob', connectionId: bob1.id }, 'roomJoin', 'room')).toBe(1);
        expect(await bob2.inbox.next('roomJoinedEcho')).toEqual(['room', bob1.id, 1]);
        expect(await bob2.chat.listOwnSockets()).toEqual({ [bob1.id]: ['room'], [bob2.id]: [] });
        const id = await harness.chat.execUserCommand('bob', 'roomMessage', 'room', { textMessage: 'from the server' });
        expect(id).toBe(1);
        const [, message] = await bob1.inbox.next('roomMessage');
        expect(message).toMatchObject({ id: 1, author: 'bob', textMessage: 'from the server' });
        await bob1.inbox.flush();
        expect(bob1.inbox.count('roomJoinedEcho')).toBe(0);
        expect(await harness.chat.execUserCommand({ userName: 'bob', connectionId: bob1.id }, 'roomLeave', 'room')).toBe(0);
        expect(await bob2.inbox.next('roomLeftEcho')).toEqual(['room', bob1.id, 0]);
      });

      it('checks permissions as for the user, unless bypassPermissions is set', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', { owner: 'owner', whitelistOnly: true });
        await harness.chat.addUser('erin');
        const erin = { userName: 'erin' };
        await expectChatError(harness.chat.execUserCommand(erin, 'roomAddToList', 'room', 'adminlist', ['x']), 'notAllowed', ['room', 'adminlist']);
        await expectChatError(harness.chat.execUserCommand(erin, 'roomGetOwner', 'room'), 'notJoined', ['room']);
        await expectChatError(harness.chat.execUserCommand(erin, 'roomCreate', 'new', false), 'notAllowed', []);

        const root = { userName: 'erin', bypassPermissions: true };
        await harness.chat.execUserCommand(root, 'roomAddToList', 'room', 'adminlist', ['x']);
        expect(await harness.chat.execUserCommand(root, 'roomGetAccessList', 'room', 'adminlist')).toEqual(['x']);
        await harness.chat.execUserCommand(root, 'roomSetWhitelistMode', 'room', false);
        expect(await harness.chat.execUserCommand(root, 'roomGetWhitelistMode', 'room')).toBe(false);
        await harness.chat.execUserCommand(root, 'roomCreate', 'new', false);
        expect(await harness.chat.execUserCommand(root, 'roomGetOwner', 'new')).toBe('erin');
        await harness.chat.execUserCommand(root, 'roomDelete', 'room');
        expect(await harness.chat.hasRoom('room')).toBe(false);
        // Bypassing the rules does not make a user exist.
        await expectChatError(harness.chat.execUserCommand({ userName: 'ghost', bypassPermissions: true }, 'roomList'), 'noUser', ['ghost']);
      });

      it('refuses with noCommand, wrongArgumentsCount, badArgument, noUser, invalidSocket and noSocket', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room');
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const chat = harness.chat;
        await expectChatError(chat.execUserCommand('alice', 'noSuchCommand'), 'noCommand', ['noSuchCommand']);
        await expectChatError(chat.execUserCommand('alice', 'toString'), 'noCommand', ['toString']);
        await expectChatError(chat.execUserCommand('alice', 'roomJoin'), 'wrongArgumentsCount', ['roomJoin', ['roomName', 'accessToken']]);
        await expectChatError(chat.execUserCommand('alice', 'roomJoin', 'room', 'token', 'extra'), 'wrongArgumentsCount', ['roomJoin', ['roomName', 'accessToken']]);
        await expectChatError(chat.execUserCommand('alice', 'roomList', 'after', 10, 'extra'), 'wrongArgumentsCount', ['roomList', ['after', 'limit']]);
        await expectChatError(chat.execUserCommand('alice', 'roomGetOwner', 5), 'badArgument', ['roomName', 'must be string']);
        await expectChatError(chat.execUserCommand('alice', 'roomSetWhitelistMode', 'room', 'yes'), 'badArgument', ['mode', 'must be boolean']);
        await expectChatError(chat.execUserCommand('ghost', 'roomList'), 'noUser', ['ghost']);
        await expectChatError(chat.execUserCommand({ userName: 'alice', connectionId: bob.id }, 'roomJoin', 'room'), 'invalidSocket', [bob.id]);
        await expectChatError(chat.execUserCommand({ userName: 'alice', connectionId: 'no-such-connection' }, 'roomList'), 'invalidSocket', ['no-such-connection']);
        await expectChatError(chat.execUserCommand('alice', 'roomJoin', 'room'), 'noSocket', ['roomJoin']);
        await expectChatError(chat.execUserCommand('alice', 'roomLeave', 'room'), 'noSocket', ['roomLeave']);
        expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
        expect(harness.errors).toEqual([]);
      });

      it('runs the before and after hooks of the command', async () => {
        const calls: { hook: string; context: CommandContext; args: unknown[]; outcome?: unknown }[] = [];
        const harness = await startChat(createStore, {
          hooks: {
            before: {
              roomGetOwner(context, args) {
                calls.push({ hook: 'before', context, args });
              },
              roomMessage(context, [roomName, message]) {
                calls.push({ hook: 'before', context, args: [roomName, message] });
                return { args: [roomName, { textMessage: `${message.textMessage ?? ''}!` }] };
              },
            },
            after: {
              roomGetOwner(context, args, outcome) {
                calls.push({ hook: 'after', context, args, outcome: { ...outcome, error: outcome.error?.code } });
                if (outcome.error !== undefined) return { result: 'hidden' };
                return undefined;
              },
            },
          },
        });
        await harness.chat.addRoom('room', { owner: 'owner' });
        await harness.chat.addUser('owner');
        await harness.chat.addUser('erin');
        expect(await harness.chat.execUserCommand('owner', 'roomGetOwner', 'room')).toBe('owner');
        // The after hook turns erin's notJoined into a result.
        expect(await harness.chat.execUserCommand('erin', 'roomGetOwner', 'room')).toBe('hidden');
        const ownerContext = { userName: 'owner', connectionId: undefined, bypassPermissions: false, signal: expect.any(AbortSignal) };
        const erinContext = { userName: 'erin', connectionId: undefined, bypassPermissions: false, signal: expect.any(AbortSignal) };
        expect(calls).toEqual([
          { hook: 'before', context: ownerContext, args: ['room'] },
          { hook: 'after', context: ownerContext, args: ['room'], outcome: { result: 'owner', error: undefined } },
          { hook: 'before', context: erinContext, args: ['room'] },
          { hook: 'after', context: erinContext, args: ['room'], outcome: { error: 'notJoined' } },
        ]);

        calls.length = 0;
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        expect(await harness.chat.execUserCommand({ userName: 'bob', bypassPermissions: true }, 'roomMessage', 'room', { textMessage: 'hi' })).toBe(1);
        const [, message] = await bob.inbox.next('roomMessage');
        expect((message as ProcessedMessage).textMessage).toBe('hi!');
        expect(calls).toEqual([{ hook: 'before', context: { userName: 'bob', connectionId: undefined, bypassPermissions: true, signal: expect.any(AbortSignal) }, args: ['room', { textMessage: 'hi' }] }]);
        expect(harness.errors).toEqual([]);
      });
    });
  });
}
