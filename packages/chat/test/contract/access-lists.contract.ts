import type { AddRoomOptions, ChatServerOptions } from '@volley/chat';
import type { RoomListName } from '@volley/chat/client';
import { describe, expect, it } from 'vitest';
import {
  type ChatHarness,
  expectChatError,
  sorted,
  startChat,
  type StoreFactory,
} from '../helpers.js';

const text = { textMessage: 'hello' };

type ChatOptions = Omit<ChatServerOptions, 'port' | 'store' | 'server'>;

/** A chat with room `room`, owned by `owner`, with `admin` on its adminlist. */
export async function setupRoom(createStore: StoreFactory, options: ChatOptions = {}, room: AddRoomOptions = {}): Promise<ChatHarness> {
  const harness = await startChat(createStore, options);
  await harness.chat.addRoom('room', { owner: 'owner', adminlist: ['admin'], ...room });
  return harness;
}

// Who may join, edit and read a room's access lists; losing access, notifications and whitelist mode are in access-removal.contract.ts.
export default function accessListsContract(createStore: StoreFactory): void {
  const setup = (options?: ChatOptions, room?: AddRoomOptions): Promise<ChatHarness> => setupRoom(createStore, options, room);

  describe('room access lists and modes', () => {
    describe('join access', () => {
      it('the owner and admins join a whitelist-only room even when blacklisted and not whitelisted', async () => {
        const harness = await setup({}, { whitelistOnly: true, blacklist: ['owner', 'admin'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        expect(await owner.chat.roomJoin('room')).toBe(1);
        expect(await admin.chat.roomJoin('room')).toBe(1);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['admin', 'owner']);
        expect(harness.errors).toEqual([]);
      });

      it('a blacklisted user never joins, not even when whitelisted, and nothing about it changes', async () => {
        const harness = await setup({}, { blacklist: ['bob'], whitelist: ['bob'] });
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('room'), 'notAllowed', ['room']);
        await owner.chat.roomSetWhitelistMode('room', true);
        await expectChatError(bob.chat.roomJoin('room'), 'notAllowed', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
        expect(await owner.chat.roomUserSeen('room', 'bob')).toEqual({ joined: false, timestamp: null });
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
      });

      it('in whitelist-only mode only whitelisted users (and admins) join; without the mode anyone not blacklisted does', async () => {
        const harness = await setup({}, { whitelistOnly: true, whitelist: ['carol'] });
        const owner = await harness.login('owner');
        const carol = await harness.login('carol');
        const dave = await harness.login('dave');
        expect(await carol.chat.roomJoin('room')).toBe(1);
        await expectChatError(dave.chat.roomJoin('room'), 'notAllowed', ['room']);
        await owner.chat.roomSetWhitelistMode('room', false);
        expect(await dave.chat.roomJoin('room')).toBe(1);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['carol', 'dave']);
      });

      it('joining a room that does not exist is noRoom', async () => {
        const harness = await setup();
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('nowhere'), 'noRoom', ['nowhere']);
      });
    });

    describe('who edits which list', () => {
      it('the owner adds to and removes from the adminlist, whitelist and blacklist', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        for (const list of ['adminlist', 'whitelist', 'blacklist'] as const) {
          await owner.chat.roomAddToList('room', list, ['x', 'y']);
        }
        expect(sorted(await owner.chat.roomGetAccessList('room', 'adminlist'))).toEqual(['admin', 'x', 'y']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['x', 'y']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'blacklist'))).toEqual(['x', 'y']);
        for (const list of ['adminlist', 'whitelist', 'blacklist'] as const) {
          await owner.chat.roomRemoveFromList('room', list, ['x']);
        }
        expect(sorted(await owner.chat.roomGetAccessList('room', 'adminlist'))).toEqual(['admin', 'y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['y']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual(['y']);
        expect(harness.errors).toEqual([]);
      });

      it('admins edit the whitelist and blacklist but never the adminlist', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        await admin.chat.roomAddToList('room', 'whitelist', ['x']);
        await admin.chat.roomAddToList('room', 'blacklist', ['y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['x']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual(['y']);
        await admin.chat.roomRemoveFromList('room', 'whitelist', ['x']);
        await admin.chat.roomRemoveFromList('room', 'blacklist', ['y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual([]);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);

        await expectChatError(admin.chat.roomAddToList('room', 'adminlist', ['x']), 'notAllowed', ['room', 'adminlist']);
        await expectChatError(admin.chat.roomRemoveFromList('room', 'adminlist', ['admin']), 'notAllowed', ['room', 'adminlist']);
        expect(await owner.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
      });

      it("admins may not put the owner's name in a list edit, and such an edit changes nothing", async () => {
        const harness = await setup({}, { whitelist: ['owner'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        await expectChatError(admin.chat.roomAddToList('room', 'blacklist', ['x', 'owner']), 'notAllowed', ['room', 'blacklist']);
        await expectChatError(admin.chat.roomRemoveFromList('room', 'whitelist', ['owner']), 'notAllowed', ['room', 'whitelist']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['owner']);
      });

      it('members and outsiders may not edit any list', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const member = await harness.login('member');
        const outsider = await harness.login('outsider');
        await member.chat.roomJoin('room');
        for (const user of [member, outsider]) {
          for (const list of ['adminlist', 'whitelist', 'blacklist'] as const) {
            await expectChatError(user.chat.roomAddToList('room', list, ['x']), 'notAllowed', ['room', list]);
            await expectChatError(user.chat.roomRemoveFromList('room', list, ['admin']), 'notAllowed', ['room', list]);
          }
        }
        expect(await owner.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual([]);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
      });

      it('the userlist is never editable, not even by the owner', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        await expectChatError(owner.chat.roomAddToList('room', 'userlist', ['x']), 'notAllowed', ['room', 'userlist']);
        await expectChatError(owner.chat.roomRemoveFromList('room', 'userlist', ['bob']), 'notAllowed', ['room', 'userlist']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['bob']);
      });

      it('an unknown list name is noList for edits and reads', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const friends = 'friends' as RoomListName;
        await expectChatError(owner.chat.roomAddToList('room', friends, ['x']), 'noList', ['friends']);
        await expectChatError(owner.chat.roomRemoveFromList('room', friends, ['x']), 'noList', ['friends']);
        await expectChatError(owner.chat.roomGetAccessList('room', friends), 'noList', ['friends']);
        await expectChatError(owner.chat.roomGetAccessList('room', 'tokenholders' as RoomListName), 'noList', ['tokenholders']);
      });

      it('adding duplicates and removing absent names succeed', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        await owner.chat.roomAddToList('room', 'whitelist', ['a', 'a', 'b']);
        await owner.chat.roomAddToList('room', 'whitelist', ['a']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['a', 'b']);
        await owner.chat.roomRemoveFromList('room', 'whitelist', ['zed', 'b', 'b']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['a']);
        await owner.chat.roomRemoveFromList('room', 'blacklist', ['nobody']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
        expect(harness.errors).toEqual([]);
      });

      it('an invalid name in userNames is invalidName and nothing is added or removed', async () => {
        const harness = await setup({ isValidName: (name) => name !== 'forbidden' });
        const owner = await harness.login('owner');
        await owner.chat.roomAddToList('room', 'whitelist', ['keep']);
        await expectChatError(owner.chat.roomAddToList('room', 'whitelist', ['ok', 'bad:name']), 'invalidName', ['bad:name']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['']), 'invalidName', ['']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['a{b}']), 'invalidName', ['a{b}']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['tab\there']), 'invalidName', ['tab\there']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['forbidden']), 'invalidName', ['forbidden']);
        await expectChatError(owner.chat.roomRemoveFromList('room', 'whitelist', ['keep', 'x:y']), 'invalidName', ['x:y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['keep']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
      });

      it('an add that would pass roomListSizeLimit is listLimitExceeded and adds nothing', async () => {
        const harness = await setup({ roomListSizeLimit: 3 });
        const owner = await harness.login('owner');
        await owner.chat.roomAddToList('room', 'whitelist', ['a', 'b']);
        await expectChatError(owner.chat.roomAddToList('room', 'whitelist', ['c', 'd']), 'listLimitExceeded', ['whitelist']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['a', 'b']);
        // Names already on the list do not count against the limit.
        await owner.chat.roomAddToList('room', 'whitelist', ['c', 'a', 'c']);
        await owner.chat.roomAddToList('room', 'whitelist', ['a', 'b', 'c']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['a', 'b', 'c']);
        await expectChatError(owner.chat.roomAddToList('room', 'whitelist', ['d']), 'listLimitExceeded', ['whitelist']);
        // Each list has its own limit.
        await owner.chat.roomAddToList('room', 'blacklist', ['x', 'y', 'z']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'blacklist'))).toEqual(['x', 'y', 'z']);
        expect(harness.errors).toEqual([]);
      });

      it('list edits of a room that does not exist are noRoom', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        await expectChatError(owner.chat.roomAddToList('nowhere', 'whitelist', ['x']), 'noRoom', ['nowhere']);
        await expectChatError(owner.chat.roomRemoveFromList('nowhere', 'whitelist', ['x']), 'noRoom', ['nowhere']);
        await expectChatError(owner.chat.roomGetAccessList('nowhere', 'whitelist'), 'noRoom', ['nowhere']);
      });
    });

    describe('read commands', () => {
      it('an outsider gets notJoined from every read command', async () => {
        const harness = await setup();
        const outsider = await harness.login('outsider');
        const reads: Promise<unknown>[] = [
          outsider.chat.roomGetAccessList('room', 'whitelist'),
          outsider.chat.roomGetOwner('room'),
          outsider.chat.roomGetWhitelistMode('room'),
          outsider.chat.roomHistoryInfo('room'),
          outsider.chat.roomRecentHistory('room'),
          outsider.chat.roomHistoryGet('room', 0, 10),
          outsider.chat.roomUserSeen('room', 'owner'),
          outsider.chat.roomNotificationsInfo('room'),
        ];
        // All awaited at once: one awaited after another would leave the later rejections unhandled meanwhile.
        await Promise.all(reads.map((read) => expectChatError(read, 'notJoined', ['room'])));
      });

      it('a user joined on any of its connections reads with every connection', async () => {
        const harness = await setup({ enableUserlistUpdates: true }, { whitelist: ['w'] });
        const joined = await harness.login('bob');
        const other = await harness.login('bob');
        await joined.chat.roomJoin('room');
        const messageId = await joined.chat.roomMessage('room', text);
        expect(messageId).toBe(1);
        const reader = other.chat;
        expect(await reader.roomGetAccessList('room', 'whitelist')).toEqual(['w']);
        expect(await reader.roomGetAccessList('room', 'userlist')).toEqual(['bob']);
        expect(await reader.roomGetOwner('room')).toBe('owner');
        expect(await reader.roomGetWhitelistMode('room')).toBe(false);
        expect(await reader.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10_000, historySize: 1, lastMessageId: 1 });
        const recent = await reader.roomRecentHistory('room');
        expect(recent).toHaveLength(1);
        expect(recent[0]).toMatchObject({ textMessage: 'hello', author: 'bob', id: 1 });
        expect(await reader.roomHistoryGet('room', 0, 10)).toEqual(recent);
        const seen = await reader.roomUserSeen('room', 'bob');
        expect(seen.joined).toBe(true);
        expect(typeof seen.timestamp).toBe('number');
        expect(await reader.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: true });
      });

      it('the owner and admins read without joining', async () => {
        const harness = await setup({}, { whitelistOnly: true });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        for (const user of [owner, admin]) {
          expect(await user.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
          expect(await user.chat.roomGetOwner('room')).toBe('owner');
          expect(await user.chat.roomGetWhitelistMode('room')).toBe(true);
          expect(await user.chat.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10_000, historySize: 0, lastMessageId: 0 });
          expect(await user.chat.roomRecentHistory('room')).toEqual([]);
          expect(await user.chat.roomHistoryGet('room', 0, 5)).toEqual([]);
          expect(await user.chat.roomUserSeen('room', 'nobody')).toEqual({ joined: false, timestamp: null });
          expect(await user.chat.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: false });
        }
      });

      it('a user that left the room reads no more', async () => {
        const harness = await setup();
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        expect(await bob.chat.roomGetOwner('room')).toBe('owner');
        expect(await bob.chat.roomLeave('room')).toBe(0);
        await expectChatError(bob.chat.roomGetOwner('room'), 'notJoined', ['room']);
      });
    });
  });
}
