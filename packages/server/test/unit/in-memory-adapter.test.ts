import { InMemoryAdapter } from '@volley/server';
import { adapterContract } from '../contract/adapter-contract.js';

adapterContract('InMemoryAdapter', () => new InMemoryAdapter());
