/**
 * @volley/session/node — what only Node sides of Volley use (the server, and the client with
 * `ws`): the write batcher that holds a TCP socket's writes until the end of the read or turn.
 * Internal, like the rest of `@volley/session`.
 */
export { corkableOf, sharedWriteBatcher, WriteBatcher } from './write-batcher.js';

export type { Corkable, ReadCorkable } from './write-batcher.js';
