import { type ChatCommandName, ChatError, chatCommandNames, commandArguments } from '@volley/chat/client';
import { ErrorCode, VolleyError } from '@volley/client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StoreFactory, startChat } from '../helpers.js';

/*
 * Fuzzing the chat (issue 5): one logged-in user sends every command with random payloads — some
 * pure garbage, most shaped like the command's arguments with random values so that they get
 * past the schema and into the rules. Properties: every request gets exactly one answer, and a
 * refusal is always a ChatError (never an internal error, never a hang); the server reports
 * nothing on its `error` event; nothing escapes to the process; afterwards the user's connection
 * and another user's still work.
 */

const names = ['lobby', 'den', 'alice', 'bob', 'mallory', '', 'a:b', '{x}', '\u0000'];
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...names),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -3, max: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom(...names), { maxLength: 4 }),
  fc.constantFrom('adminlist', 'blacklist', 'whitelist', 'userlist', 'typing', 'viewed'),
  fc.record({ textMessage: fc.string({ maxLength: 8 }) }),
  fc.record({ type: fc.string({ maxLength: 5 }), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Plausible values per argument name, so that most calls pass the schema and reach the rules. */
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  roomName: fc.constantFrom('lobby', 'den', 'nowhere', 'a:b'),
  userName: fc.constantFrom('alice', 'bob', 'mallory', 'a:b'),
  toUser: fc.constantFrom('alice', 'bob', 'mallory'),
  userNames: fc.array(fc.constantFrom('alice', 'bob', 'mallory', 'x:y'), { maxLength: 3 }),
  listName: fc.constantFrom('adminlist', 'blacklist', 'whitelist', 'userlist', 'nolist'),
  mode: fc.boolean(),
  whitelistOnly: fc.boolean(),
  id: fc.integer({ min: 0, max: 6 }),
  limit: fc.integer({ min: 0, max: 6 }),
  message: fc.oneof(fc.record({ textMessage: fc.string({ maxLength: 8 }) }), fc.record({ type: fc.constantFrom('text', 'emoji'), value: fc.jsonValue({ maxDepth: 1 }) })),
  data: fc.dictionary(fc.constantFrom('topic', 'x'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  accessToken: fc.constantFrom('t0ken', 'wrong', null),
  kind: fc.constantFrom('typing', 'received', 'viewed'),
  messageId: fc.integer({ min: 1, max: 6 }),
  options: fc.record({ visible: fc.boolean(), presence: fc.boolean() }, { requiredKeys: [] }),
};

/** A payload shaped like the command's arguments: mostly plausible values, sometimes junk or a missing argument. */
function shaped(command: ChatCommandName): fc.Arbitrary<unknown> {
  const argumentNames = commandArguments[command] as readonly string[];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of argumentNames) {
    const key = name.replace(/\?$/, '');
    model[key] = fc.oneof({ weight: 6, arbitrary: plausible[key] ?? anyValue }, { weight: 1, arbitrary: anyValue });
  }
  const required = argumentNames.filter((name) => !name.endsWith('?'));
  return fc.oneof({ weight: 8, arbitrary: fc.record(model, { requiredKeys: required }) }, { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) });
}

const call: fc.Arbitrary<{ command: ChatCommandName; payload: unknown }> = fc
  .constantFrom(...chatCommandNames)
  .chain((command) => fc.record({ command: fc.constant(command), payload: fc.oneof({ weight: 4, arbitrary: shaped(command) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }) }));

export default function fuzzContract(createStore: StoreFactory): void {
  describe('chat fuzz', () => {
    it('random commands and payloads: one answer each, only ChatErrors, nothing reported, both users still served', async () => {
      const escaped: unknown[] = [];
      const onEscape = (error: unknown): void => void escaped.push(error);
      process.on('uncaughtException', onEscape);
      process.on('unhandledRejection', onEscape);
      try {
        const harness = await startChat(createStore, {
          enableRoomsManagement: true,
          enableDirectMessages: true,
          enableUserlistUpdates: true,
          enableAccessListsUpdates: true,
          presence: true,
        });
        await harness.chat.addRoom('lobby', { owner: 'alice', visible: true });
        await harness.chat.addRoom('den', { owner: 'bob', whitelistOnly: true });
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        await harness.chat.execUserCommand({ userName: 'bob', bypassPermissions: true }, 'roomSetAccessToken', 'den', 't0ken');
        await bob.chat.roomJoin('lobby');
        let answered = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 8 }), async (calls) => {
            // Sent together, as a busy client would; each must settle exactly once.
            const outcomes = await Promise.all(
              calls.map(({ command, payload }) =>
                alice.chat.client.send(command, payload).then(
                  () => 'ok',
                  (error: unknown) => {
                    if (!(error instanceof VolleyError) || error.code !== ErrorCode.MESSAGE_REJECTED) return `transport ${String(error)}`;
                    const refusal = ChatError.fromWire(error.payload);
                    return refusal === undefined ? `not a ChatError ${JSON.stringify(error.payload)}` : refusal.code;
                  },
                ),
              ),
            );
            answered += outcomes.length;
            for (const outcome of outcomes) {
              expect(outcome).not.toMatch(/^(transport|not a ChatError)/);
              expect(outcome).not.toBe('internalError');
            }
          }),
          { numRuns: 150 },
        );
        expect(answered).toBeGreaterThanOrEqual(150);
        expect(harness.errors).toEqual([]);
        // Both users are still served (alice may have left or lost the lobby: use a fresh room).
        await harness.chat.addRoom('after', { owner: 'bob' });
        expect(await alice.chat.roomJoin('after')).toBe(1);
        expect(await bob.chat.roomJoin('after')).toBe(1);
        expect(await bob.chat.roomMessage('after', { textMessage: 'still here' })).toBe(1);
        const [roomName, message] = await alice.inbox.next('roomMessage', (room) => room === 'after');
        expect([roomName, message.textMessage]).toEqual(['after', 'still here']);
      } finally {
        process.off('uncaughtException', onEscape);
        process.off('unhandledRejection', onEscape);
      }
      expect(escaped).toEqual([]);
    });
  });
}
