/**
 * No notification leaks to users outside a room. Room `lobby` has members, and around it: an
 * outsider (logged in, not joined), a blacklisted user, and a user joined to a different room.
 * Every notification option is on (userlist and access-list updates, presence, direct messages).
 * Every room activity runs in turn; after each one the outsiders flush their sockets (the actor's
 * command resolved first, or for a closing connection the members' notification arrived first) and
 * must have received no `room*` notification about `lobby`. Users who leave or are evicted join the
 * outsiders from that moment on.
 */
import { describe, expect, it } from 'vitest';
import { type Received, type StoreFactory, type TestUser, startChat } from '../helpers.js';

const options = {
  enableRoomsManagement: true,
  enableDirectMessages: true,
  enableUserlistUpdates: true,
  enableAccessListsUpdates: true,
  presence: true,
};

function isRoomNotification(entry: Received, roomName?: string): boolean {
  return entry.name.startsWith('room') && (roomName === undefined || entry.args[0] === roomName);
}

function member(userName: string) {
  return { id: userName, role: 'MEMBER', name: userName };
}

/**
 * `lobby` (owned by `owner`, `banned` on its blacklist) with owner, alice (two connections), bob
 * (two connections), dave, erin, frank and gina joined; carol logged in but not joined yet;
 * outsider and banned logged in; elsewhere joined to room `other`. Inboxes start empty.
 */
async function setUp(createStore: StoreFactory) {
  const harness = await startChat(createStore, options);
  await harness.chat.addRoom('lobby', { owner: 'owner', blacklist: ['banned'] });
  await harness.chat.addRoom('other', { owner: 'elsewhere' });
  const login = (userName: string): Promise<TestUser> => harness.login(userName);
  const users = {
    owner: await login('owner'),
    alice1: await login('alice'),
    alice2: await login('alice'),
    bob1: await login('bob'),
    bob2: await login('bob'),
    carol: await login('carol'),
    dave: await login('dave'),
    erin: await login('erin'),
    frank: await login('frank'),
    gina: await login('gina'),
    outsider: await login('outsider'),
    banned: await login('banned'),
    elsewhere: await login('elsewhere'),
  };
  for (const user of [users.owner, users.alice1, users.alice2, users.bob1, users.bob2, users.dave, users.erin, users.frank, users.gina]) {
    await user.chat.roomJoin('lobby');
  }
  expect(await users.elsewhere.chat.roomJoin('other')).toBe(1);
  const all = Object.values(users);
  await Promise.all(all.map((user) => user.inbox.flush()));
  for (const user of all) user.inbox.clear();
  return { harness, users, all };
}

/**
 * The users outside `lobby`, each with the inbox position from which a `lobby` notification is a
 * leak (0 for those outside from the start; just after the eviction or leave for the others).
 */
class Outsiders {
  private readonly since = new Map<TestUser, number>();

  add(user: TestUser, since = user.inbox.received.length): void {
    this.since.set(user, since);
  }

  remove(user: TestUser): void {
    this.since.delete(user);
  }

  /** Flushes every outsider's socket, then asserts none of them received anything about `lobby`. */
  async expectNoLeak(step: string): Promise<void> {
    await Promise.all([...this.since.keys()].map((user) => user.inbox.flush()));
    for (const [user, since] of this.since) {
      const leaked = user.inbox.received.slice(since).filter((entry) => isRoomNotification(entry, 'lobby'));
      expect(leaked, `${step}: leaked to ${user.userName}`).toEqual([]);
    }
  }
}

/** The inbox position just after the user's `roomAccessRemoved` for `lobby`. */
function afterAccessRemoved(user: TestUser): number {
  const index = user.inbox.received.findIndex((entry) => entry.name === 'roomAccessRemoved' && entry.args[0] === 'lobby');
  expect(index, `${user.userName} got roomAccessRemoved`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

export default function notificationLeaksContract(createStore: StoreFactory): void {
  describe('chat notification leaks', () => {
    it('no room activity reaches users outside the room, nor evicted or departed users afterwards', async () => {
      const { harness, users } = await setUp(createStore);
      const { owner, alice1, alice2, bob1, bob2, carol, dave, erin, frank, gina, outsider, banned, elsewhere } = users;
      const outside = new Outsiders();
      for (const user of [outsider, banned, elsewhere, carol]) outside.add(user, 0);

      // join
      await outside.expectNoLeak('before the join');
      outside.remove(carol);
      expect(await carol.chat.roomJoin('lobby')).toBe(1);
      expect(await alice1.inbox.next('roomUserJoined')).toEqual(['lobby', 'carol']);
      expect(await alice1.inbox.next('roomMemberJoined')).toEqual(['lobby', member('carol')]);
      expect((await carol.inbox.next('roomMembers'))[0]).toBe('lobby');
      await outside.expectNoLeak('join');

      // message
      const id = await alice1.chat.roomMessage('lobby', { textMessage: 'hello' });
      expect((await bob2.inbox.next('roomMessage'))[1]).toMatchObject({ textMessage: 'hello', author: 'alice', id });
      await outside.expectNoLeak('message');

      // receipts, every kind
      for (const kind of ['typing', 'received', 'viewed'] as const) {
        await bob1.chat.roomReceipt('lobby', kind, id);
        expect(await alice1.inbox.next('roomReceipt')).toEqual(['lobby', { kind, userName: 'bob', messageId: id }]);
        await outside.expectNoLeak(`receipt ${kind}`);
      }

      // member message: only the addressed member's connections, not even the rest of the room
      await alice1.chat.roomMemberMessage('lobby', 'bob', { type: 'ping', value: 1 });
      const memberMessage = ['lobby', { from: 'alice', message: { type: 'ping', value: 1 } }];
      expect(await bob1.inbox.next('roomMemberMessage')).toEqual(memberMessage);
      expect(await bob2.inbox.next('roomMemberMessage')).toEqual(memberMessage);
      await Promise.all([owner, alice1, alice2, carol, dave].map((user) => user.inbox.flush()));
      for (const user of [owner, alice1, alice2, carol, dave]) expect(user.inbox.count('roomMemberMessage'), user.userName).toBe(0);
      await outside.expectNoLeak('member message');

      // broadcast
      await alice1.chat.roomBroadcast('lobby', { type: 'wave' });
      expect(await bob1.inbox.next('roomBroadcast')).toEqual(['lobby', { from: 'alice', message: { type: 'wave' } }]);
      await outside.expectNoLeak('broadcast');

      // list edits
      await owner.chat.roomAddToList('lobby', 'whitelist', ['alice', 'bob', 'erin']);
      expect(await alice1.inbox.next('roomAccessListAdded')).toEqual(['lobby', 'whitelist', ['alice', 'bob', 'erin']]);
      await owner.chat.roomAddToList('lobby', 'adminlist', ['bob']);
      expect(await alice1.inbox.next('roomAccessListAdded')).toEqual(['lobby', 'adminlist', ['bob']]);
      await owner.chat.roomRemoveFromList('lobby', 'adminlist', ['bob']);
      expect(await alice1.inbox.next('roomAccessListRemoved')).toEqual(['lobby', 'adminlist', ['bob']]);
      await outside.expectNoLeak('list edits');

      // data update
      await owner.chat.roomUpdateData('lobby', { topic: 'news' });
      expect(await alice1.inbox.next('roomDataUpdated')).toEqual(['lobby', { topic: 'news' }]);
      await outside.expectNoLeak('data update');

      // leave: frank is outside from now on
      expect(await frank.chat.roomLeave('lobby')).toBe(0);
      expect(await alice1.inbox.next('roomUserLeft')).toEqual(['lobby', 'frank']);
      expect(await alice1.inbox.next('roomMemberLeft')).toEqual(['lobby', member('frank')]);
      await frank.inbox.flush();
      outside.add(frank);
      await outside.expectNoLeak('leave');

      // close of a member's connection: notified after the close, so wait for the last notice first
      await gina.chat.disconnect();
      expect(await alice1.inbox.next('roomUserLeft')).toEqual(['lobby', 'gina']);
      expect(await alice1.inbox.next('roomMemberLeft')).toEqual(['lobby', member('gina')]);
      await outside.expectNoLeak('connection close');

      // eviction by the blacklist
      await owner.chat.roomAddToList('lobby', 'blacklist', ['carol']);
      expect(await carol.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
      expect(await alice1.inbox.next('roomUserLeft')).toEqual(['lobby', 'carol']);
      outside.add(carol, afterAccessRemoved(carol));
      await outside.expectNoLeak('eviction by the blacklist');

      // mode change: whitelist-only evicts dave, who is not whitelisted
      await owner.chat.roomSetWhitelistMode('lobby', true);
      expect(await alice1.inbox.next('roomModeChanged')).toEqual(['lobby', true]);
      expect(await dave.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
      expect(await alice1.inbox.next('roomUserLeft')).toEqual(['lobby', 'dave']);
      outside.add(dave, afterAccessRemoved(dave));
      await outside.expectNoLeak('mode change');

      // eviction by a whitelist removal in whitelist-only mode
      await owner.chat.roomRemoveFromList('lobby', 'whitelist', ['erin']);
      expect(await erin.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
      expect(await alice1.inbox.next('roomUserLeft')).toEqual(['lobby', 'erin']);
      outside.add(erin, afterAccessRemoved(erin));
      await outside.expectNoLeak('eviction by a whitelist removal');

      // the room goes on without the evicted
      const later = await alice1.chat.roomMessage('lobby', { textMessage: 'still here' });
      expect((await bob1.inbox.next('roomMessage', (_room, message) => message.id === later))[1]).toMatchObject({ textMessage: 'still here', author: 'alice' });
      await owner.chat.roomUpdateData('lobby', { topic: 'later' });
      expect(await bob1.inbox.next('roomDataUpdated', (_room, data) => data.topic === 'later')).toEqual(['lobby', { topic: 'later' }]);
      await outside.expectNoLeak('activity after the evictions');

      // activity in the other room reaches none of lobby's members
      await elsewhere.chat.roomMessage('other', { textMessage: 'elsewhere' });
      expect((await elsewhere.inbox.next('roomMessage'))[0]).toBe('other');
      const lobbyMembers = [owner, alice1, alice2, bob1, bob2];
      await Promise.all(lobbyMembers.map((user) => user.inbox.flush()));
      for (const user of lobbyMembers) expect(user.inbox.received.filter((entry) => isRoomNotification(entry, 'other')), user.userName).toEqual([]);
      await outside.expectNoLeak('activity in another room');

      // room delete: every joined connection is told, nobody else
      await owner.chat.roomDelete('lobby');
      for (const user of lobbyMembers) expect(await user.inbox.next('roomAccessRemoved'), user.userName).toEqual(['lobby']);
      await outside.expectNoLeak('room delete');

      // Those never in the room got no room notification at all; the other room's user only its own.
      expect(outsider.inbox.received.filter((entry) => isRoomNotification(entry))).toEqual([]);
      expect(banned.inbox.received.filter((entry) => isRoomNotification(entry))).toEqual([]);
      expect(elsewhere.inbox.received.filter((entry) => isRoomNotification(entry) && entry.args[0] !== 'other')).toEqual([]);
      expect(harness.errors).toEqual([]);
    });

    it('a direct message reaches only the recipient and the sender’s other connections', async () => {
      const { harness, users, all } = await setUp(createStore);
      const { alice1, alice2, bob1, bob2 } = users;
      const sent = await alice1.chat.directMessage('bob', { textMessage: 'psst' });
      expect(sent).toMatchObject({ textMessage: 'psst', author: 'alice' });
      expect(await bob1.inbox.next('directMessage')).toEqual([sent]);
      expect(await bob2.inbox.next('directMessage')).toEqual([sent]);
      expect(await alice2.inbox.next('directMessageEcho')).toEqual(['bob', sent]);
      await Promise.all(all.map((user) => user.inbox.flush()));
      const expected = (user: TestUser): [number, number] => (user === bob1 || user === bob2 ? [1, 0] : user === alice2 ? [0, 1] : [0, 0]);
      for (const user of all) {
        const name = `${user.userName} (${user.id})`;
        expect([user.inbox.count('directMessage'), user.inbox.count('directMessageEcho')], name).toEqual(expected(user));
      }
      expect(harness.errors).toEqual([]);
    });
  });
}
