/*
 * WebSocket framing of the Node client's writes. With write batching on (ws in Node), the client
 * writes its frames straight to the TCP socket instead of through ws's `send()`, which builds two
 * option objects, a buffer copy of the text, a header buffer and a chunk list per frame and
 * writes header and payload as two chunks. Here a frame is one view of a shared slab, one
 * `write()`. RFC 6455 asks a client's frames to be masked with 4 unpredictable bytes: they come
 * from `crypto.getRandomValues`, drawn 4 KiB at a time. Writes go into the socket ws writes its
 * own control frames to, in call order, so nothing is reordered. Web APIs only (TextEncoder,
 * crypto): this module is part of the browser build, though only Node ever calls it.
 */

/**
 * Texts longer than this go through ws's own sender, whose masking may be native. At 3 UTF-8
 * bytes per UTF-16 unit at most, a frame here stays under 65,536 bytes: a 2-byte length at most.
 */
export const MAX_MASKED_TEXT = 16 * 1024;

const SLAB_SIZE = 64 * 1024;
const MASK_POOL_SIZE = 4096;
/** Largest header here: 2 bytes, 2 of extended length, 4 of mask. */
const MAX_HEAD = 8;

const encoder = new TextEncoder();
let slab = new Uint8Array(0);
let slabOffset = 0;
const maskPool = new Uint8Array(MASK_POOL_SIZE);
let maskOffset = MASK_POOL_SIZE;

/**
 * One unfragmented, masked text frame (a client's) holding `text` as UTF-8; `text` has at most
 * {@link MAX_MASKED_TEXT} characters. The view is only read by the socket it is written to.
 */
export function maskedTextFrame(text: string): Uint8Array {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: reserve that, the payload is written first.
  const room = MAX_HEAD + text.length * 3;
  if (slab.length - slabOffset < room) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOffset = 0;
  }
  const payloadStart = slabOffset + MAX_HEAD;
  const length = encoder.encodeInto(text, slab.subarray(payloadStart, slabOffset + room)).written;
  // The header goes right before the payload, in the shortest length form the RFC asks for.
  const head = length < 126 ? 6 : 8;
  const start = payloadStart - head;
  slab[start] = 0x81; // FIN, text
  if (head === 6) {
    slab[start + 1] = 0x80 | length;
  } else {
    slab[start + 1] = 0x80 | 126;
    slab[start + 2] = length >>> 8;
    slab[start + 3] = length & 0xff;
  }
  if (maskOffset === MASK_POOL_SIZE) {
    crypto.getRandomValues(maskPool);
    maskOffset = 0;
  }
  const maskAt = payloadStart - 4;
  const m0 = maskPool[maskOffset]!;
  const m1 = maskPool[maskOffset + 1]!;
  const m2 = maskPool[maskOffset + 2]!;
  const m3 = maskPool[maskOffset + 3]!;
  maskOffset += 4;
  slab[maskAt] = m0;
  slab[maskAt + 1] = m1;
  slab[maskAt + 2] = m2;
  slab[maskAt + 3] = m3;
  const end = payloadStart + length;
  const bytes = slab;
  let index = payloadStart;
  for (; index + 3 < end; index += 4) {
    bytes[index] = bytes[index]! ^ m0;
    bytes[index + 1] = bytes[index + 1]! ^ m1;
    bytes[index + 2] = bytes[index + 2]! ^ m2;
    bytes[index + 3] = bytes[index + 3]! ^ m3;
  }
  const tail = end - index;
  if (tail > 0) bytes[index] = bytes[index]! ^ m0;
  if (tail > 1) bytes[index + 1] = bytes[index + 1]! ^ m1;
  if (tail > 2) bytes[index + 2] = bytes[index + 2]! ^ m2;
  slabOffset = end;
  return slab.subarray(start, end);
}
