import { InMemoryAdapter } from '@volley/server';
import { adapterContract } from '@volley/test-utils';

adapterContract('InMemoryAdapter', () => new InMemoryAdapter());
