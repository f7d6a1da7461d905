/*
 * WebSocket framing of the server's own writes. With write batching on, the server writes its
 * frames straight to the TCP socket instead of through ws's `send()`: ws builds two option
 * objects, a header buffer and a chunk list per frame and writes header and payload as two
 * chunks, which costs more than the JSON of a small frame. A frame here is one buffer, one
 * `write()`. Only what RFC 6455 asks of a server's unfragmented text frame is done: FIN, opcode
 * 1, no mask, the length in the shortest form. Writes go into the same socket ws writes its
 * control frames to (close, pong), in call order, so nothing is reordered. The server never
 * offers compression, the one ws feature that would need ws's own sender.
 */

/** One unfragmented, unmasked text frame (a server's) holding `payload`'s UTF-8 bytes. */
export function textFrame(payload: string | Uint8Array): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, text
  if (head === 2) {
    frame[1] = length;
  } else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (typeof payload === 'string') frame.write(payload, head, length, 'utf8');
  else frame.set(payload, head);
  return frame;
}

let lastPayload: Uint8Array | undefined;
let lastFrame: Buffer | undefined;

/**
 * {@link textFrame} of a broadcast's encoded bytes, framed once for all its members: a broadcast
 * hands the same bytes to every member in a row, so the last one framed is kept.
 */
export function sharedTextFrame(payload: Uint8Array): Buffer {
  if (payload !== lastPayload) {
    lastFrame = textFrame(payload);
    lastPayload = payload;
  }
  return lastFrame!;
}
