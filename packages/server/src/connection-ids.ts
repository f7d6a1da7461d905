import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
const POOL_SIZE = ID_BYTES * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A fresh random connection id: 128 bits from the system's CSPRNG, as 22 URL-safe characters.
 * Random bytes are drawn 4 KiB at a time, so an id costs one base64 encoding of 16 bytes.
 * Ids are unpredictable on purpose: applications sometimes use them in their own APIs.
 */
export function randomConnectionId(): string {
  if (offset === POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
