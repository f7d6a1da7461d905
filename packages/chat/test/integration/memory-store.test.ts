/**
 * Runs the whole chat contract suite (every `test/contract/*.contract.ts`) against the in-memory
 * store. A store for several nodes (Redis) gets a runner like this one, over its own factory.
 */
import { afterEach } from 'vitest';
import { MemoryChatStore } from '@volley/chat';
import { cleanup } from '../helpers.js';
import { loadContracts } from '../contract/load-contracts.js';

afterEach(cleanup);

for (const contract of await loadContracts()) contract(() => new MemoryChatStore());
