import type { BroadcastTarget } from '@volley/server';

/*
 * A broadcast as it crosses Redis: a small binary header, then the frame's bytes exactly as the
 * sending node encoded them, so that no receiving node parses or re-encodes anything.
 *
 *   u8 version (2) · u16 origin length · origin · u16 room length · room · u16 except length ·
 *   except · u16 except-room length · except room · frame bytes
 *
 * Lengths are UTF-8 byte counts; 0xFFFF marks an absent field. Version 1 (no except room) is
 * still read, so that nodes of the previous version can take part during a rolling upgrade.
 */
const VERSION = 2;
const ABSENT = 0xffff;

/** A decoded broadcast: who sent it, whom it targets, and the encoded frame to deliver. */
export interface BroadcastEnvelope {
  /** Id of the node that sent it (it has delivered to its own members already). */
  readonly origin: string;
  readonly target: BroadcastTarget;
  /** The encoded frame: a view of the message, not a copy. */
  readonly frame: Buffer;
}

/** Encodes a broadcast of `frame` to `target`, sent by node `origin`. */
export function encodeBroadcast(origin: string, frame: Uint8Array | string, target: BroadcastTarget): Buffer {
  const parts = [origin, target.room, target.except, target.exceptRoom].map((text) => (text === undefined ? undefined : Buffer.from(text)));
  for (const part of parts) {
    if (part !== undefined && part.length >= ABSENT) throw new RangeError('A node id, room name or connection id of a broadcast is 64 KiB or longer');
  }
  const body = typeof frame === 'string' ? Buffer.from(frame) : frame;
  const headerLength = 1 + parts.reduce((sum, part) => sum + 2 + (part?.length ?? 0), 0);
  const message = Buffer.allocUnsafe(headerLength + body.length);
  message[0] = VERSION;
  let at = 1;
  for (const part of parts) {
    message.writeUInt16BE(part === undefined ? ABSENT : part.length, at);
    at += 2;
    if (part !== undefined) at += part.copy(message, at);
  }
  message.set(body, at);
  return message;
}

/** Decodes a broadcast; undefined for a message that is not one (another version, truncated). */
export function decodeBroadcast(message: Buffer): BroadcastEnvelope | undefined {
  const version = message[0];
  if (message.length < 7 || (version !== 1 && version !== VERSION)) return undefined;
  let at = 1;
  const fields: (string | undefined)[] = [];
  for (let index = 0; index < (version === 1 ? 3 : 4); index++) {
    if (at + 2 > message.length) return undefined;
    const length = message.readUInt16BE(at);
    at += 2;
    if (length === ABSENT) {
      fields.push(undefined);
      continue;
    }
    if (at + length > message.length) return undefined;
    fields.push(message.toString('utf8', at, at + length));
    at += length;
  }
  const [origin, room, except, exceptRoom] = fields;
  if (origin === undefined) return undefined;
  return { origin, target: { room, except, exceptRoom }, frame: message.subarray(at) };
}
