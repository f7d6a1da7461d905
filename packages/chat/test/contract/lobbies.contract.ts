import type { AddRoomOptions, ChatServerOptions } from '@volley/chat';
import type { RoomSummary } from '@volley/chat/client';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, expectChatError, startChat, type StoreFactory } from '../helpers.js';

/** A shared store may list rooms in any order: compare them by name. */
function byName(rooms: RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => a.name.localeCompare(b.name));
}

const text = { textMessage: 'hello' };

export default function lobbiesContract(createStore: StoreFactory): void {
  /** A chat with room `room`, owned by `owner`, with `admin` on its adminlist and access token `secret`. */
  async function setup(options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}, room: AddRoomOptions = {}): Promise<ChatHarness> {
    const harness = await startChat(createStore, options);
    await harness.chat.addRoom('room', { owner: 'owner', adminlist: ['admin'], ...room });
    await harness.chat.addUser('root');
    await harness.chat.execUserCommand({ userName: 'root', bypassPermissions: true }, 'roomSetAccessToken', 'room', 'secret');
    return harness;
  }

  describe('lobbies: visibility, access token and room data', () => {
    describe('roomList', () => {
      it('lists visible rooms to everyone and the others only to their members and admins', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('hall', { owner: 'owner', visible: true });
        await harness.chat.addRoom('den', { owner: 'owner', adminlist: ['admin'] });
        await harness.chat.addRoom('attic', { owner: 'other' });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const member = await harness.login('member');
        const outsider = await harness.login('outsider');
        await member.chat.roomJoin('hall');
        await member.chat.roomJoin('den');

        const hall = { name: 'hall', owner: 'owner', members: 1, visible: true };
        const den = { name: 'den', owner: 'owner', members: 1, visible: false };
        expect(await outsider.chat.roomList()).toEqual([hall]);
        expect(byName(await member.chat.roomList())).toEqual([den, hall]);
        expect(byName(await admin.chat.roomList())).toEqual([den, hall]);
        expect(byName(await owner.chat.roomList())).toEqual([den, hall]);
        // Bypassing permissions sees every room.
        expect(byName((await harness.chat.execUserCommand({ userName: 'outsider', bypassPermissions: true }, 'roomList')) as RoomSummary[])).toEqual([
          { name: 'attic', owner: 'other', members: 0, visible: false },
          den,
          hall,
        ]);

        await member.chat.roomLeave('den');
        expect(await member.chat.roomList()).toEqual([hall]);
      });

      it('the member count counts users, not connections, and follows joins and leaves', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('hall', { visible: true });
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const carol = await harness.login('carol');
        const viewer = await harness.login('viewer');
        const members = async (): Promise<number> => (await viewer.chat.roomList())[0]!.members;
        expect(await members()).toBe(0);
        await bob1.chat.roomJoin('hall');
        await bob2.chat.roomJoin('hall');
        expect(await members()).toBe(1);
        await carol.chat.roomJoin('hall');
        expect(await members()).toBe(2);
        await bob1.chat.roomLeave('hall');
        expect(await members()).toBe(2);
        await bob2.chat.roomLeave('hall');
        expect(await members()).toBe(1);
        expect(await viewer.chat.roomList()).toEqual([{ name: 'hall', owner: null, members: 1, visible: true }]);
      });

      it('roomCreate makes a visible room with its data when asked, an invisible one by default', async () => {
        const harness = await startChat(createStore, { enableRoomsManagement: true });
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        await alice.chat.roomCreate('public', false, { visible: true, data: { topic: 'welcome', tags: ['a'] } });
        await alice.chat.roomCreate('private', false);
        expect(await bob.chat.roomList()).toEqual([{ name: 'public', owner: 'alice', members: 0, visible: true }]);
        expect(await alice.chat.roomGetData('public')).toEqual({ name: 'public', owner: 'alice', members: 0, visible: true, data: { topic: 'welcome', tags: ['a'] } });
        expect(await alice.chat.roomGetData('private')).toEqual({ name: 'private', owner: 'alice', members: 0, visible: false, data: {} });
        await expectChatError(alice.chat.roomCreate('odd', false, { colour: 'red' } as never), 'badArgument', ['options.colour', 'must NOT have additional properties']);
        await expectChatError(alice.chat.roomCreate('odd', false, { visible: 'yes' } as never), 'badArgument', ['options.visible', 'must be boolean']);
        expect(await harness.chat.hasRoom('odd')).toBe(false);
      });
    });

    describe('access token', () => {
      it('only the owner sets the access token', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const member = await harness.login('member');
        const holder = await harness.login('holder');
        await member.chat.roomJoin('room');
        await holder.chat.roomJoin('room', 'secret');
        await expectChatError(admin.chat.roomSetAccessToken('room', 'mine'), 'notAllowed', ['room']);
        await expectChatError(member.chat.roomSetAccessToken('room', 'mine'), 'notAllowed', ['room']);
        await expectChatError(holder.chat.roomSetAccessToken('room', 'mine'), 'notAllowed', ['room']);
        await expectChatError(owner.chat.roomSetAccessToken('nowhere', 'mine'), 'noRoom', ['nowhere']);
        // The token is unchanged: it still lets people in, 'mine' does not.
        const late = await harness.login('late');
        await expectChatError(late.chat.roomJoin('room', 'mine'), 'notAllowed', ['room']);
        expect(await late.chat.roomJoin('room', 'secret')).toBe(1);
        await owner.chat.roomSetAccessToken('room', 'mine');
        const later = await harness.login('later');
        expect(await later.chat.roomJoin('room', 'mine')).toBe(1);
      });

      it('the right token lets a user into a whitelist-only room; a wrong one, or none, is notAllowed', async () => {
        const harness = await setup({}, { whitelistOnly: true });
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('room'), 'notAllowed', ['room']);
        await expectChatError(bob.chat.roomJoin('room', 'wrong'), 'notAllowed', ['room']);
        await expectChatError(bob.chat.roomJoin('room', ''), 'notAllowed', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
        expect(await bob.chat.roomJoin('room', 'secret')).toBe(1);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['bob']);
        expect(await bob.chat.roomMessage('room', text)).toBe(1);
        // Holding the token, another connection of the user joins without presenting it.
        const bob2 = await harness.login('bob');
        expect(await bob2.chat.roomJoin('room')).toBe(2);
      });

      it('a token presented to a room without one is notAllowed', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('open');
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('open', 'anything'), 'notAllowed', ['open']);
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
      });

      it('a blacklisted user is refused even with the token, and gains nothing by presenting it', async () => {
        const harness = await setup({}, { blacklist: ['bob'] });
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('room', 'secret'), 'notAllowed', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
        // No admin rights either: the blacklist beats the token.
        await expectChatError(bob.chat.roomRemoveFromList('room', 'blacklist', ['bob']), 'notAllowed', ['room', 'blacklist']);
        await expectChatError(bob.chat.roomGetOwner('room'), 'notJoined', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual(['bob']);
      });

      it('token holders may edit the whitelist and blacklist, set the mode, update the data and read', async () => {
        const harness = await setup({}, { data: { topic: 'old' } });
        const owner = await harness.login('owner');
        const holder = await harness.login('holder');
        await holder.chat.roomJoin('room', 'secret');
        await holder.chat.roomAddToList('room', 'whitelist', ['w']);
        await holder.chat.roomAddToList('room', 'blacklist', ['b']);
        await holder.chat.roomRemoveFromList('room', 'blacklist', ['b']);
        await holder.chat.roomSetWhitelistMode('room', true);
        expect(await holder.chat.roomUpdateData('room', { topic: 'new' })).toEqual({ topic: 'new' });
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['w']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
        expect(await owner.chat.roomGetWhitelistMode('room')).toBe(true);
        // Token holders are never evicted by whitelist-only mode while they hold it.
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['holder']);
        // Admin-level rights do not depend on staying joined.
        await holder.chat.roomLeave('room');
        expect(await holder.chat.roomGetWhitelistMode('room')).toBe(true);
        expect((await holder.chat.roomGetData('room')).data).toEqual({ topic: 'new' });
      });

      it('a token holder put on the blacklist is evicted and loses its admin-level rights', async () => {
        const harness = await setup();
        const admin = await harness.login('admin');
        const holder = await harness.login('holder');
        await holder.chat.roomJoin('room', 'secret');
        await admin.chat.roomAddToList('room', 'blacklist', ['holder']);
        expect(await holder.inbox.next('roomAccessRemoved')).toEqual(['room']);
        await expectChatError(holder.chat.roomRemoveFromList('room', 'blacklist', ['holder']), 'notAllowed', ['room', 'blacklist']);
        await expectChatError(holder.chat.roomGetOwner('room'), 'notJoined', ['room']);
        await expectChatError(holder.chat.roomJoin('room', 'secret'), 'notAllowed', ['room']);
        expect(await admin.chat.roomGetAccessList('room', 'blacklist')).toEqual(['holder']);
      });

      it('token holders may not edit the adminlist, name the owner, delete the room or set the token', async () => {
        const harness = await setup({ enableRoomsManagement: true });
        const owner = await harness.login('owner');
        const holder = await harness.login('holder');
        await holder.chat.roomJoin('room', 'secret');
        await expectChatError(holder.chat.roomAddToList('room', 'adminlist', ['holder']), 'notAllowed', ['room', 'adminlist']);
        await expectChatError(holder.chat.roomAddToList('room', 'blacklist', ['owner']), 'notAllowed', ['room', 'blacklist']);
        await expectChatError(holder.chat.roomDelete('room'), 'notAllowed', ['room']);
        await expectChatError(holder.chat.roomSetAccessToken('room', 'stolen'), 'notAllowed', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
        expect(await harness.chat.hasRoom('room')).toBe(true);
      });

      it('changing the token revokes its holders: a holder joined to a whitelist-only room is evicted and loses its rights', async () => {
        const harness = await setup({ enableUserlistUpdates: true }, { whitelistOnly: true });
        const owner = await harness.login('owner');
        const holder1 = await harness.login('holder');
        const holder2 = await harness.login('holder');
        await owner.chat.roomJoin('room');
        await holder1.chat.roomJoin('room', 'secret');
        await holder2.chat.roomJoin('room');
        await owner.chat.roomSetAccessToken('room', 'fresh');
        expect(await holder1.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await holder2.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await owner.inbox.next('roomUserLeft')).toEqual(['room', 'holder']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['owner']);
        await expectChatError(holder1.chat.roomAddToList('room', 'whitelist', ['x']), 'notAllowed', ['room', 'whitelist']);
        await expectChatError(holder1.chat.roomJoin('room', 'secret'), 'notAllowed', ['room']);
        expect(await holder1.chat.roomJoin('room', 'fresh')).toBe(1);
        // Setting the same token again changes nothing.
        await owner.chat.roomSetAccessToken('room', 'fresh');
        await holder1.inbox.flush();
        expect(holder1.inbox.count('roomAccessRemoved')).toBe(1);
        expect((await owner.chat.roomGetAccessList('room', 'userlist')).sort()).toEqual(['holder', 'owner']);
      });

      it('clearing the token revokes its holders and no token lets anyone in any more', async () => {
        const harness = await setup({}, { whitelistOnly: true });
        const owner = await harness.login('owner');
        const holder = await harness.login('holder');
        await holder.chat.roomJoin('room', 'secret');
        await owner.chat.roomSetAccessToken('room', null);
        expect(await holder.inbox.next('roomAccessRemoved')).toEqual(['room']);
        await expectChatError(holder.chat.roomSetWhitelistMode('room', false), 'notAllowed', ['room']);
        await expectChatError(holder.chat.roomJoin('room', 'secret'), 'notAllowed', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
      });

      it('a revoked holder of a room that is not whitelist-only stays joined as a plain member', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const holder = await harness.login('holder');
        await holder.chat.roomJoin('room', 'secret');
        await holder.chat.roomAddToList('room', 'whitelist', ['x']);
        await owner.chat.roomSetAccessToken('room', 'other');
        await holder.inbox.flush();
        expect(holder.inbox.count('roomAccessRemoved')).toBe(0);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['holder']);
        await expectChatError(holder.chat.roomAddToList('room', 'whitelist', ['y']), 'notAllowed', ['room', 'whitelist']);
        expect(await holder.chat.roomMessage('room', text)).toBe(1);
      });
    });

    describe('room data', () => {
      it('roomGetData: the public part to outsiders of a visible room, with data to members and admins', async () => {
        const harness = await setup({}, { visible: true, data: { topic: 'chess', level: 3 } });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const member = await harness.login('member');
        const outsider = await harness.login('outsider');
        await member.chat.roomJoin('room');
        const publicPart = { name: 'room', owner: 'owner', members: 1, visible: true };
        const whole = { ...publicPart, data: { topic: 'chess', level: 3 } };
        expect(await outsider.chat.roomGetData('room')).toEqual(publicPart);
        expect(await member.chat.roomGetData('room')).toEqual(whole);
        expect(await admin.chat.roomGetData('room')).toEqual(whole);
        expect(await owner.chat.roomGetData('room')).toEqual(whole);
        await expectChatError(outsider.chat.roomGetData('nowhere'), 'noRoom', ['nowhere']);
      });

      it('roomGetData of a room that is not visible is notJoined for outsiders', async () => {
        const harness = await setup({}, { data: { topic: 'secret plans' } });
        const admin = await harness.login('admin');
        const outsider = await harness.login('outsider');
        await expectChatError(outsider.chat.roomGetData('room'), 'notJoined', ['room']);
        expect(await admin.chat.roomGetData('room')).toEqual({ name: 'room', owner: 'owner', members: 0, visible: false, data: { topic: 'secret plans' } });
        await outsider.chat.roomJoin('room');
        expect(await outsider.chat.roomGetData('room')).toEqual({ name: 'room', owner: 'owner', members: 1, visible: false, data: { topic: 'secret plans' } });
      });

      it("roomUpdateData merges fields, resolves with the result and sends roomDataUpdated to the room's members only", async () => {
        const harness = await setup({}, { visible: true, data: { topic: 'chess', level: 3 } });
        const owner = await harness.login('owner');
        const member1 = await harness.login('member');
        const member2 = await harness.login('member');
        const idle = await harness.login('member');
        const outsider = await harness.login('outsider');
        await member1.chat.roomJoin('room');
        await member2.chat.roomJoin('room');
        const merged = { topic: 'chess', level: 4, clock: { minutes: 5 } };
        expect(await owner.chat.roomUpdateData('room', { level: 4, clock: { minutes: 5 } })).toEqual(merged);
        expect(await member1.inbox.next('roomDataUpdated')).toEqual(['room', merged]);
        expect(await member2.inbox.next('roomDataUpdated')).toEqual(['room', merged]);
        await Promise.all([owner, member1, member2, idle, outsider].map((user) => user.inbox.flush()));
        // The owner is not joined and the idle connection is not joined: neither is told.
        expect(owner.inbox.count('roomDataUpdated')).toBe(0);
        expect(idle.inbox.count('roomDataUpdated')).toBe(0);
        expect(outsider.inbox.count('roomDataUpdated')).toBe(0);
        expect(member1.inbox.count('roomDataUpdated')).toBe(1);
        expect((await member1.chat.roomGetData('room')).data).toEqual(merged);

        // Fields are replaced whole, not merged deeply.
        expect(await owner.chat.roomUpdateData('room', { clock: { seconds: 30 }, topic: null })).toEqual({ topic: null, level: 4, clock: { seconds: 30 } });
        expect(await member2.inbox.next('roomDataUpdated')).toEqual(['room', { topic: null, level: 4, clock: { seconds: 30 } }]);
        expect(harness.errors).toEqual([]);
      });

      it('roomUpdateData is for the owner, admins and token holders; members and outsiders get notAllowed', async () => {
        const harness = await setup({}, { data: { n: 0 } });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const holder = await harness.login('holder');
        const member = await harness.login('member');
        const outsider = await harness.login('outsider');
        await holder.chat.roomJoin('room', 'secret');
        await member.chat.roomJoin('room');
        expect(await owner.chat.roomUpdateData('room', { owner: 1 })).toEqual({ n: 0, owner: 1 });
        expect(await admin.chat.roomUpdateData('room', { admin: 1 })).toEqual({ n: 0, owner: 1, admin: 1 });
        expect(await holder.chat.roomUpdateData('room', { holder: 1 })).toEqual({ n: 0, owner: 1, admin: 1, holder: 1 });
        await member.inbox.flush();
        expect(member.inbox.count('roomDataUpdated')).toBe(3);
        member.inbox.clear();
        await expectChatError(member.chat.roomUpdateData('room', { member: 1 }), 'notAllowed', ['room']);
        await expectChatError(outsider.chat.roomUpdateData('room', { outsider: 1 }), 'notAllowed', ['room']);
        await expectChatError(owner.chat.roomUpdateData('nowhere', { x: 1 }), 'noRoom', ['nowhere']);
        await member.inbox.flush();
        expect(member.inbox.count('roomDataUpdated')).toBe(0);
        expect((await member.chat.roomGetData('room')).data).toEqual({ n: 0, owner: 1, admin: 1, holder: 1 });
      });
    });
  });
}
