#!/usr/bin/env node
// The chat's cost on Redis, for docs/performance.md: one chat node with its MemoryChatStore
// against the same node with a RedisChatStore (and a RedisAdapter), runs interleaved. `members`
// logged-in clients in one room each send room messages one after another for `duration` ms
// (every message a store write with its history id, a fan-out to the others, an answer); and
// each client joins and leaves a room of its own `joins` times. Reports commands/s, the p50/p99
// of a command's round trip, and the Redis/memory ratios. The server and its clients share this
// process (on loopback); Redis (REDIS_URL, 127.0.0.1:6379) is its own process. Every loop is
// bounded by count or time.
//
//   node packages/bench/src/chat.mjs [--members=10] [--duration=2000] [--joins=100] [--rounds=3]
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ChatServer, MemoryChatStore } from '@volley/chat';
import { ChatClient } from '@volley/chat/client';
import { RedisAdapter } from '@volley/redis';
import { RedisChatStore } from '@volley/redis/chat';
import { createClient } from 'redis';
import { WebSocket } from 'ws';
import { readIntegerOptions } from './flags.mjs';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const defaults = { members: 10, duration: 2000, joins: 100, rounds: 3 };
const usage = 'Usage: chat.mjs [--members=10] [--duration=2000] [--joins=100] [--rounds=3]';
const options = readIntegerOptions(process.argv.slice(2), defaults, usage);

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One run over a store: { messages/s, p50, p99 (ms), joins+leaves/s }. */
async function run(kind) {
  const prefix = `volley-bench-chat-${process.pid}-${randomBytes(4).toString('hex')}`;
  const redis = kind === 'redis' ? createClient({ url: REDIS_URL, disableOfflineQueue: true }) : undefined;
  await redis?.connect();
  const chat = new ChatServer({
    port: 0,
    host: '127.0.0.1',
    store: redis ? new RedisChatStore({ client: redis, prefix }) : new MemoryChatStore(),
    serverOptions: { rateLimit: false, ...(redis ? { adapter: new RedisAdapter({ client: redis, prefix }) } : {}) },
  });
  chat.on('error', (error) => console.error(error));
  await chat.start();
  const clients = [];
  try {
    await chat.addRoom('room');
    for (let index = 0; index < options.members; index++) {
      const client = new ChatClient(`ws://127.0.0.1:${chat.port}`, { WebSocket, auth: { userName: `u${index}` }, reconnect: false, pingInterval: 0 });
      await client.connect();
      await client.roomJoin('room');
      clients.push(client);
    }
    // Messages: every client sends one after another until the time is up.
    const latencies = [];
    const end = performance.now() + options.duration;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < end) {
          const started = performance.now();
          await client.roomMessage('room', { textMessage: 'hello' });
          latencies.push(performance.now() - started);
        }
      }),
    );
    const elapsed = options.duration / 1000;
    latencies.sort((a, b) => a - b);
    // Joins and leaves: each client, its own room, a bounded count.
    for (let index = 0; index < clients.length; index++) await chat.addRoom(`own${index}`);
    const joinsStarted = performance.now();
    await Promise.all(
      clients.map(async (client, index) => {
        for (let count = 0; count < options.joins; count++) {
          await client.roomJoin(`own${index}`);
          await client.roomLeave(`own${index}`);
        }
      }),
    );
    const joinSeconds = (performance.now() - joinsStarted) / 1000;
    return {
      rate: latencies.length / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      joins: (2 * options.joins * clients.length) / joinSeconds,
    };
  } finally {
    await Promise.all(clients.map((client) => client.disconnect()));
    await chat.stop();
    if (redis) {
      const keys = await redis.keys(`{${prefix}}*`);
      if (keys.length > 0) await redis.del(keys);
      await redis.close();
    }
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = { memory: [], redis: [] };
for (let round = 0; round < options.rounds; round++) {
  for (const kind of ['memory', 'redis']) results[kind].push(await run(kind));
}
const summary = {};
for (const kind of ['memory', 'redis']) {
  summary[kind] = Object.fromEntries(['rate', 'p50', 'p99', 'joins'].map((key) => [key, median(results[kind].map((result) => result[key]))]));
}
console.log(`chat on one node, ${options.members} members, ${options.rounds} interleaved rounds (medians)`);
console.log('store   | roomMessage/s | p50 ms | p99 ms | join+leave/s');
for (const kind of ['memory', 'redis']) {
  const s = summary[kind];
  console.log(`${kind.padEnd(7)} | ${s.rate.toFixed(0).padStart(13)} | ${s.p50.toFixed(2).padStart(6)} | ${s.p99.toFixed(2).padStart(6)} | ${s.joins.toFixed(0).padStart(12)}`);
}
const ratio = (key) => (summary.redis[key] / summary.memory[key]).toFixed(2);
console.log(`redis/memory: roomMessage/s ${ratio('rate')}×, p50 ${ratio('p50')}×, p99 ${ratio('p99')}×, join+leave/s ${ratio('joins')}×`);
