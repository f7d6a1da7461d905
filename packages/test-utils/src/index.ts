/**
 * @volley/test-utils — helpers the workspace's test suites share (private, never published): the
 * clean-up registry, event helpers, real servers and clients on 127.0.0.1 port 0, a raw `ws` peer
 * and a raw `ws` server that speak frames by hand, the Chromium launcher, the TypeScript-API
 * compile harness and the browser bundle size check.
 */
export { adapterContract, RecordingMember } from './adapter-contract.js';
export { cleanup, onCleanup } from './cleanup.js';
export { chromiumAvailable, chromiumPath, isCI, launchChromium, skipBrowser } from './chromium.js';
export { limitBytes, measureBundle, sizeCheckOf } from './bundle-size.js';
export { deferred, delay, EVENT_TIMEOUT, later, record, rejectionOf, waitFor, waitForArgs } from './events.js';
export { RawPeer, refusedStatus } from './raw-peer.js';
export { REDIS_URL, redisAnswers, requireRedis, skipRedis, testPrefix } from './redis.js';
export { startRawServer } from './raw-server.js';
export { COMPILE_TIMEOUT, diagnosticLines, TypeChecker, UNUSED_DIRECTIVE } from './type-checker.js';
export { connectClient, connectionOf, makeClient, serveEcho, startServer } from './volley.js';

export type { SizeCheck } from './bundle-size.js';
export type { Emitter } from './events.js';
export type { RawPeerOptions, ReceivedFrame } from './raw-peer.js';
export type { RawServerSocket } from './raw-server.js';
