import { ChatError, ChatErrorCode, type ChatServerEvents } from '@volley/chat';
import { type ChatCommandName, chatCommandNames, commandArguments, isChatErrorCode } from '@volley/chat/client';
import { ErrorCode, VolleyError } from '@volley/client';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, type ChatHarness, notifications, startChat, type StoreFactory, type TestUser, volleyErrorOf } from '../helpers.js';

/** One argument of a command: a value its schema accepts, and values it must refuse. */
interface ArgumentSpec {
  valid: unknown;
  /** Values of a wrong type (or out of range) for this argument; empty when the schema takes anything. */
  wrong: unknown[];
}

/** A payload with exactly one defect and the field the refusal must name. */
interface BadPayload {
  label: string;
  payload: unknown;
  field: string;
}

const roomName: ArgumentSpec = { valid: 'lobby', wrong: [42, true, null, ['lobby'], {}, 'x'.repeat(1025)] };
const userName: ArgumentSpec = { valid: 'bob', wrong: [7, null, ['bob']] };
const listName: ArgumentSpec = { valid: 'blacklist', wrong: [7, null, ['blacklist']] };
const userNames: ArgumentSpec = { valid: ['carol'], wrong: ['carol', 5, null, { 0: 'carol' }] };
const boolean: ArgumentSpec = { valid: true, wrong: ['true', 1, null] };
const chatMessage: ArgumentSpec = { valid: { textMessage: 'hi' }, wrong: ['hi', 5, null, [{ textMessage: 'hi' }]] };
const presenceContent: ArgumentSpec = { valid: { type: 'text', value: 'hi' }, wrong: ['hi', null, [{ type: 'text' }]] };

/** Every command's arguments. Typed over every command name, so a new command cannot be forgotten. */
const commandSpecs: { [K in ChatCommandName]: Record<string, ArgumentSpec> } = {
  directAddToList: { listName, userNames },
  directGetAccessList: { listName },
  directGetWhitelistMode: {},
  directMessage: { toUser: userName, message: chatMessage },
  directRemoveFromList: { listName, userNames },
  directSetWhitelistMode: { mode: boolean },
  listOwnSockets: {},
  roomAddToList: { roomName, listName, userNames },
  roomCreate: { roomName: { ...roomName, valid: 'hall' }, whitelistOnly: boolean, options: { valid: { visible: true }, wrong: [true, 'visible', null, []] } },
  roomDelete: { roomName },
  roomGetAccessList: { roomName, listName },
  roomGetOwner: { roomName },
  roomGetWhitelistMode: { roomName },
  roomHistoryGet: { roomName, id: { valid: 0, wrong: ['0', 1.5, -1, null] }, limit: { valid: 10, wrong: ['10', 2.5, -1, null] } },
  roomHistoryInfo: { roomName },
  roomJoin: { roomName, accessToken: { valid: 'secret', wrong: [5, null, false, 'x'.repeat(1025)] } },
  roomLeave: { roomName },
  roomMessage: { roomName, message: chatMessage },
  roomNotificationsInfo: { roomName },
  roomRecentHistory: { roomName },
  roomRemoveFromList: { roomName, listName, userNames },
  roomSetWhitelistMode: { roomName, mode: boolean },
  roomUserSeen: { roomName, userName },
  // Any JSON is a system message's data.
  systemMessage: { data: { valid: { any: ['json'] }, wrong: [] } },
  roomList: { after: { valid: 'lobby', wrong: [5, null, false, 'x'.repeat(1025)] }, limit: { valid: 10, wrong: ['10', 0, 1001, 2.5, null] } },
  roomGetData: { roomName },
  roomUpdateData: { roomName, data: { valid: { topic: 'news' }, wrong: ['news', 3, null, [{ topic: 'news' }]] } },
  roomSetAccessToken: { roomName, accessToken: { valid: null, wrong: [5, false, {}, ['secret']] } },
  roomReceipt: { roomName, kind: { valid: 'typing', wrong: ['read', 'TYPING', 1, null] }, messageId: { valid: 1, wrong: ['1', 0, -3, 1.5, null] } },
  roomMemberMessage: { roomName, toUser: userName, message: presenceContent },
  roomBroadcast: { roomName, message: presenceContent },
};

/** Defects inside nested arguments, with the dotted path the refusal must name. */
const nestedDefects: { [K in ChatCommandName]?: { argument: string; value: unknown; field: string }[] } = {
  directAddToList: [{ argument: 'userNames', value: ['carol', 5], field: 'userNames.1' }],
  directRemoveFromList: [{ argument: 'userNames', value: [null], field: 'userNames.0' }],
  roomAddToList: [{ argument: 'userNames', value: ['carol', ['dave']], field: 'userNames.1' }],
  roomRemoveFromList: [{ argument: 'userNames', value: [{}], field: 'userNames.0' }],
  roomCreate: [
    { argument: 'options', value: { visible: 'yes' }, field: 'options.visible' },
    { argument: 'options', value: { presence: 1 }, field: 'options.presence' },
    { argument: 'options', value: { data: 'topic' }, field: 'options.data' },
    { argument: 'options', value: { color: 'red' }, field: 'options.color' },
  ],
  roomMemberMessage: [
    { argument: 'message', value: { value: 'hi' }, field: 'message.type' },
    { argument: 'message', value: { type: 5 }, field: 'message.type' },
    { argument: 'message', value: { type: 'text', extra: 1 }, field: 'message.extra' },
  ],
  roomBroadcast: [
    { argument: 'message', value: { type: null }, field: 'message.type' },
    { argument: 'message', value: { type: 'text', from: 'mallory' }, field: 'message.from' },
  ],
};

/** Payloads that are not an object at all. */
const nonObjects: unknown[] = ['lobby', 42, true, null, [], ['lobby']];

/** A valid payload of the command (every argument, optional ones included). */
function validPayload(command: ChatCommandName): Record<string, unknown> {
  return Object.fromEntries(Object.entries(commandSpecs[command]).map(([name, spec]) => [name, spec.valid]));
}

/** Every bad payload of the command, each with one defect. */
function badPayloads(command: ChatCommandName): BadPayload[] {
  const base = validPayload(command);
  const bad: BadPayload[] = [];
  for (const [name, spec] of Object.entries(commandSpecs[command])) {
    for (const value of spec.wrong) bad.push({ label: `${name} = ${JSON.stringify(value).slice(0, 40)}`, payload: { ...base, [name]: value }, field: name });
  }
  for (const name of commandArguments[command] as readonly string[]) {
    if (name.endsWith('?')) continue;
    const { [name]: _missing, ...rest } = base;
    bad.push({ label: `without ${name}`, payload: rest, field: name });
  }
  for (const { argument, value, field } of nestedDefects[command] ?? []) {
    bad.push({ label: `${argument} = ${JSON.stringify(value)}`, payload: { ...base, [argument]: value }, field });
  }
  bad.push({ label: 'unknown key', payload: { ...base, unknownKey: 1 }, field: 'unknownKey' });
  for (const payload of nonObjects) bad.push({ label: `payload ${JSON.stringify(payload)}`, payload, field: 'payload' });
  return bad;
}

/** Everything a slipped-through bad payload could have changed. */
async function snapshot(harness: ChatHarness, users: TestUser[]): Promise<unknown> {
  const { store } = harness;
  const lists: Record<string, string[]> = {};
  for (const list of ['adminlist', 'blacklist', 'whitelist', 'tokenholders', 'userlist'] as const) lists[list] = (await store.getRoomList('lobby', list)).sort();
  const sockets: Record<string, string[]> = {};
  for (const user of users) sockets[user.id] = await store.getConnectionRooms(user.id);
  return {
    rooms: (await store.listRooms(undefined, undefined, 1000)).map((room) => room.name).sort(),
    lobby: await store.getRoom('lobby'),
    lists,
    historySize: await store.getHistorySize('lobby'),
    direct: {
      blacklist: await store.getDirectList('alice', 'blacklist'),
      whitelist: await store.getDirectList('alice', 'whitelist'),
      whitelistOnly: await store.getDirectWhitelistMode('alice'),
    },
    sockets,
  };
}

/**
 * A chat where most commands would do something: alice owns `lobby` and has a second, joined
 * connection; bob is joined; every notification of the setup has arrived and been cleared.
 */
async function setup(createStore: StoreFactory): Promise<{ harness: ChatHarness; alice: TestUser; alice2: TestUser; bob: TestUser }> {
  const harness = await startChat(createStore, { enableRoomsManagement: true, enableDirectMessages: true, enableUserlistUpdates: true, enableAccessListsUpdates: true });
  await harness.chat.addRoom('lobby', { owner: 'alice', presence: true });
  const alice = await harness.login('alice');
  const alice2 = await harness.login('alice');
  const bob = await harness.login('bob');
  await alice.inbox.next('socketConnectEcho');
  await alice2.chat.roomJoin('lobby');
  await bob.chat.roomJoin('lobby');
  await alice.inbox.next('roomJoinedEcho');
  for (const user of [alice, alice2, bob]) {
    await user.inbox.flush();
    user.inbox.clear();
  }
  return { harness, alice, alice2, bob };
}

export default function badPayloadsContract(createStore: StoreFactory): void {
  describe('chat bad payloads', () => {
    for (const command of chatCommandNames) {
      it(`${command}: every malformed payload is badArgument naming the field, changes nothing, and leaves the connections working`, async () => {
        expect(commandSpecs[command]).toBeDefined();
        expect(Object.keys(commandSpecs[command])).toEqual((commandArguments[command] as readonly string[]).map((name) => name.replace(/\?$/, '')));
        const { harness, alice, alice2, bob } = await setup(createStore);
        const messages: ChatServerEvents['message'][] = [];
        harness.chat.on('message', (...args) => void messages.push(args));
        const before = await snapshot(harness, [alice, alice2, bob]);

        const cases = badPayloads(command);
        for (const { label, payload, field } of cases) {
          const rejected = await volleyErrorOf(alice.chat.client.send(command, payload));
          expect(rejected.code, label).toBe(ErrorCode.MESSAGE_REJECTED);
          const error = ChatError.fromWire(rejected.payload);
          expect(error, label).toBeInstanceOf(ChatError);
          expect(error!.code, label).toBe(ChatErrorCode.BAD_ARGUMENT);
          expect(error!.args[0], label).toBe(field);
          expect(error!.args, label).toHaveLength(2);
          expect(typeof error!.args[1], label).toBe('string');
        }
        // Refused before anything ran: no state change, no notification, no message event, no server error.
        expect(await snapshot(harness, [alice, alice2, bob])).toEqual(before);
        for (const user of [alice, alice2, bob]) await user.inbox.flush();
        for (const user of [alice, alice2, bob]) expect(notifications(user.inbox)).toEqual([]);
        expect(messages).toEqual([]);
        expect(harness.errors).toEqual([]);

        // Both connections still work, and the valid form of the same command passes validation.
        expect(alice.chat.state).toBe('connected');
        expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [], [alice2.id]: ['lobby'] });
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: ['lobby'] });
        const answer = await alice.chat.client.send(command, validPayload(command)).then(
          () => 'resolved',
          (error: unknown) => (error instanceof VolleyError ? ChatError.fromWire(error.payload)?.code : String(error)),
        );
        expect(answer).not.toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(answer === 'resolved' || isChatErrorCode(answer)).toBe(true);
        expect(messages.map(([user, message]) => [user, message.command])).toEqual([
          ['alice', 'listOwnSockets'],
          ['bob', 'listOwnSockets'],
          ['alice', command],
        ]);
        expect(harness.errors).toEqual([]);
      });
    }

    it('an unknown command name gets Volley NO_HANDLER, and the connection keeps working', async () => {
      const harness = await startChat(createStore);
      const alice = await harness.login('alice');
      for (const name of ['roomExplode', 'RoomJoin', 'loginConfirmed', 'roomUserJoined', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        const rejected = await volleyErrorOf(alice.chat.client.send(name, {}));
        expect(rejected.code, name).toBe(ErrorCode.MESSAGE_REJECTED);
        expect((rejected.payload as { code?: unknown }).code, name).toBe(ErrorCode.NO_HANDLER);
        expect(ChatError.fromWire(rejected.payload), name).toBeUndefined();
      }
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
      expect(harness.errors).toEqual([]);
    });

    it('execUserCommand with an unknown command name is noCommand [name]', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addUser('alice');
      for (const name of ['roomExplode', 'RoomJoin', 'loginConfirmed', 'constructor', 'toString', '__proto__', '']) {
        const error = await chatErrorOf(harness.chat.execUserCommand('alice', name));
        expect(error.code, name).toBe(ChatErrorCode.NO_COMMAND);
        expect(error.args, name).toEqual([name]);
      }
      expect(harness.errors).toEqual([]);
    });

    it('data nested deeper than the limit is refused before it is stored, so later reads still work', async () => {
      const harness = await startChat(createStore, { enableRoomsManagement: true });
      await harness.chat.addRoom('lobby', { owner: 'alice' });
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('lobby');
      // Deep, but not so deep that the client cannot serialise it (the unit test goes to 20 000).
      let deep: unknown = 'bottom';
      for (let level = 0; level < 2_000; level++) deep = { d: deep };
      const error = await chatErrorOf(alice.chat.roomUpdateData('lobby', { deep }));
      expect(error.code).toBe(ChatErrorCode.BAD_ARGUMENT);
      expect(error.args[0]).toBe('data');
      const addError = await chatErrorOf(harness.chat.addRoom('deep', { data: { deep } }));
      expect([addError.code, addError.args[0]]).toEqual([ChatErrorCode.BAD_ARGUMENT, 'data']);
      expect(await harness.chat.hasRoom('deep')).toBe(false);
      expect(await alice.chat.roomGetData('lobby')).toMatchObject({ name: 'lobby', data: {} });
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'still fine' })).toBe(1);
      expect(harness.errors).toEqual([]);
    });

    it('execUserCommand refuses bad positional arguments with badArgument naming the field, as on the wire', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('lobby');
      await harness.chat.addUser('alice');
      const cases: [string, unknown[], string][] = [
        ['roomGetOwner', [42], 'roomName'],
        ['roomHistoryGet', ['lobby', 0, 'ten'], 'limit'],
        ['roomCreate', ['hall', false, { color: 'red' }], 'options.color'],
        ['roomBroadcast', ['lobby', { value: 1 }], 'message.type'],
      ];
      for (const [command, args, field] of cases) {
        const error = await chatErrorOf(harness.chat.execUserCommand({ userName: 'alice', bypassPermissions: true }, command, ...args));
        expect(error.code, command).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args[0], command).toBe(field);
      }
      expect(await harness.chat.hasRoom('hall')).toBe(false);
      expect(harness.errors).toEqual([]);
    });
  });
}
