/**
 * @volley/session — the part of Volley that the server's connections and the client share: the
 * session that routes a socket's frames (responses, pings, application messages), the requests
 * awaiting an answer, what a peer is admitted to send, and when to ping.
 *
 * Internal: it is a dependency of `@volley/server` and `@volley/client`, which re-export what
 * users need (`IncomingMessage`); its API may change in any release. It is wire-agnostic apart from
 * what `@volley/protocol` encodes and decodes for it, and loads nothing Node-only (the write
 * batcher is in `@volley/session/node`), so it is part of the browser client.
 */
export { Admission } from './admission.js';
export { DeadlineQueue } from './deadline-queue.js';
export { emitSafely } from './emit-safely.js';
export { EventListeners } from './event-listeners.js';
export { IncomingMessage } from './incoming-message.js';
export { Keepalive } from './keepalive.js';
export { MessageHandlers } from './message-handlers.js';
export { PendingRequests } from './pending-requests.js';
export { Peer } from './peer.js';
export { ServerSession } from './server-session.js';
export { Session } from './session.js';
export { TokenBucket } from './token-bucket.js';

export type { AdmissionLimits } from './admission.js';
export type { MessageListener, Responder } from './incoming-message.js';
export type { PeerMessageHandler } from './peer.js';
export type { AdmissionPolicy, SessionHost, SessionOptions } from './session-host.js';
export type { SessionPhase } from './session.js';
