import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { argumentName, type ChatCommandName, commandArguments } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';

/*
 * The chat's only ajv import. Every command payload has a schema, compiled once per process;
 * a payload that fails it is refused with `badArgument` naming the field, before any hook or
 * store call.
 */

type Schema = Record<string, unknown>;

const name: Schema = { type: 'string', maxLength: 1024 };
const names: Schema = { type: 'array', items: name, maxItems: 10_000 };
const roomListName: Schema = { type: 'string', maxLength: 64 };
const jsonObject: Schema = { type: 'object' };
const presenceContent: Schema = {
  type: 'object',
  properties: { type: { type: 'string', maxLength: 256 }, value: {} },
  required: ['type'],
  additionalProperties: false,
};

/** Schema of each argument, by command. */
const argumentSchemas: { [K in ChatCommandName]: Record<string, Schema> } = {
  directAddToList: { listName: roomListName, userNames: names },
  directGetAccessList: { listName: roomListName },
  directGetWhitelistMode: {},
  directMessage: { toUser: name, message: jsonObject },
  directRemoveFromList: { listName: roomListName, userNames: names },
  directSetWhitelistMode: { mode: { type: 'boolean' } },
  listOwnSockets: {},
  roomAddToList: { roomName: name, listName: roomListName, userNames: names },
  roomCreate: {
    roomName: name,
    whitelistOnly: { type: 'boolean' },
    options: {
      type: 'object',
      properties: { visible: { type: 'boolean' }, presence: { type: 'boolean' }, data: jsonObject },
      additionalProperties: false,
    },
  },
  roomDelete: { roomName: name },
  roomGetAccessList: { roomName: name, listName: roomListName },
  roomGetOwner: { roomName: name },
  roomGetWhitelistMode: { roomName: name },
  roomHistoryGet: { roomName: name, id: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 0 } },
  roomHistoryInfo: { roomName: name },
  roomJoin: { roomName: name, accessToken: { type: 'string', maxLength: 1024 } },
  roomLeave: { roomName: name },
  roomMessage: { roomName: name, message: jsonObject },
  roomNotificationsInfo: { roomName: name },
  roomRecentHistory: { roomName: name },
  roomRemoveFromList: { roomName: name, listName: roomListName, userNames: names },
  roomSetWhitelistMode: { roomName: name, mode: { type: 'boolean' } },
  roomUserSeen: { roomName: name, userName: name },
  systemMessage: { data: {} },
  roomList: { after: name, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
  roomGetData: { roomName: name },
  roomUpdateData: { roomName: name, data: jsonObject },
  roomSetAccessToken: { roomName: name, accessToken: { type: ['string', 'null'], maxLength: 1024 } },
  roomReceipt: { roomName: name, kind: { enum: ['typing', 'received', 'viewed'] }, messageId: { type: 'integer', minimum: 1 } },
  roomMemberMessage: { roomName: name, toUser: name, message: presenceContent },
  roomBroadcast: { roomName: name, message: presenceContent },
};

/**
 * Deepest nesting of objects and arrays allowed in an argument (room data, messages, presence
 * values, `systemMessage` data). JSON that deep is never needed by a chat, and deeper data would
 * be accepted here only to make every later read (structuredClone, JSON.stringify, a Redis
 * script) fail or recurse deeply.
 */
export const MAX_ARGUMENT_DEPTH = 32;

/** Checks command payloads against their schemas. */
export class CommandValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv({ allErrors: false, strict: true });
    for (const [command, properties] of Object.entries(argumentSchemas)) {
      const required = (commandArguments[command as ChatCommandName] as readonly string[]).filter((arg) => !arg.endsWith('?')).map(argumentName);
      this.validators.set(command, ajv.compile({ type: 'object', properties, required, additionalProperties: false }));
    }
  }

  /**
   * Returns the payload as an argument object, or throws `badArgument` naming the first field
   * that fails. An absent payload counts as `{}`.
   */
  validate(command: ChatCommandName, payload: unknown): Record<string, unknown> {
    const args = payload === undefined ? {} : payload;
    const validate = this.validators.get(command)!;
    if (!validate(args)) throw badArgument(validate.errors?.[0]);
    // Checked after the schema: the payload is an object of known arguments by now.
    for (const [field, value] of Object.entries(args as Record<string, unknown>)) {
      if (nestedDeeperThan(value, MAX_ARGUMENT_DEPTH)) {
        throw new ChatError(ChatErrorCode.BAD_ARGUMENT, [field, `must not be nested deeper than ${MAX_ARGUMENT_DEPTH} levels`]);
      }
    }
    return args as Record<string, unknown>;
  }
}

/**
 * True when `value` has objects or arrays nested more than `limit` levels deep. Walks with an
 * explicit stack, so that hostile depth cannot overflow the call stack here either, and stops at
 * the first level past the limit.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(node)) {
      // Bytes are a leaf, not a million nested numbers.
      if (child !== null && typeof child === 'object' && !ArrayBuffer.isView(child)) stack.push([child as object, depth + 1]);
    }
  }
  return false;
}

function badArgument(error: ErrorObject | undefined): ChatError {
  if (error === undefined) return new ChatError(ChatErrorCode.BAD_ARGUMENT, ['payload', 'invalid']);
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const path = error.instancePath.split('/').filter(Boolean);
  if (params.missingProperty !== undefined) path.push(params.missingProperty);
  if (params.additionalProperty !== undefined) path.push(params.additionalProperty);
  const field = path.length === 0 ? 'payload' : path.join('.');
  return new ChatError(ChatErrorCode.BAD_ARGUMENT, [field, error.message ?? 'invalid']);
}
