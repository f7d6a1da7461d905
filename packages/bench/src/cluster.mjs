#!/usr/bin/env node
// Volley over several nodes on Redis, for docs/performance.md and docs/scaling.md: a room broadcast
// to 1,000 members spread over 3 nodes against the same on 1 node (deliveries/s, time to reach
// everyone, CPU per delivery summed over the nodes and Redis), and an awaited send to a client on
// another node against one on the same node (rate and p99). Node processes, one members process
// and this driver, on loopback and the Redis at REDIS_URL (127.0.0.1:6379); every loop bounded.
//
//   node packages/bench/src/cluster.mjs [--nodes=3] [--members=1000] [--duration=2000] [--rounds=2] [--inflight=10]
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from '@volley/client';
import { RedisAdapter } from '@volley/redis';
import { Server } from '@volley/server';
import { createClient } from 'redis';
import { WebSocket } from 'ws';
import { readIntegerOptions } from './flags.mjs';
import { Child, emitToParent, serveCommands, wallNow } from './ipc.mjs';

const SELF = fileURLToPath(import.meta.url);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIFETIME = 10 * 60_000;
const defaults = { nodes: 3, members: 1000, duration: 2000, rounds: 2, inflight: 10 };
const usage = 'Usage: cluster.mjs [--nodes=3] [--members=1000] [--duration=2000] [--rounds=2] [--inflight=10]';

// ---------------------------------------------------------------------------------------------
// Child: one server node

async function runNode() {
  const [, , , prefix, nodeId] = process.argv;
  const adapter = new RedisAdapter({ url: REDIS_URL, prefix, nodeId });
  // One driver connection sends faster than the default rate limit allows: the bench measures
  // throughput, not the limit.
  const server = new Server({ port: 0, host: '127.0.0.1', adapter, rateLimit: false });
  server.on('connection', (connection) => {
    connection.on('join', async (message) => {
      await connection.joinRoom('room');
      message.resolve(true);
    });
    connection.on('shout', (message) => {
      server.getRoom('room').broadcast('news', message.payload).then(
        () => message.resolve(true),
        (error) => message.reject(error),
      );
    });
    connection.on('echo', (message) => message.resolve(message.payload));
    connection.on('ask', (message) => {
      server.send(message.payload, 'q', 1, 10_000).then(
        (answer) => message.resolve(answer),
        (error) => message.reject(error),
      );
    });
  });
  await server.start();
  serveCommands({ cpu: () => process.cpuUsage(), stop: () => server.stop() }, LIFETIME);
  emitToParent('ready', { port: server.port });
}

// ---------------------------------------------------------------------------------------------
// Child: the room's members, spread over the nodes

async function runMembers() {
  const clients = [];
  const received = new Map();
  let deliveries = 0;
  let members = 0;
  serveCommands(
    {
      async connect({ urls, count }) {
        members = count;
        for (let index = 0; index < count; index++) {
          const client = new Client(urls[index % urls.length], { WebSocket, reconnect: false, pingInterval: 0 });
          client.on('news', (message) => {
            deliveries += 1;
            const seq = message.payload;
            const seen = (received.get(seq) ?? 0) + 1;
            if (seen === members) {
              received.delete(seq);
              emitToParent('all', { seq, at: wallNow() });
            } else received.set(seq, seen);
          });
          client.on('q', (message) => message.resolve(2));
          await client.connect();
          await client.send('join');
          clients.push(client);
        }
        // The ids by node, for the awaited sends.
        return urls.map((_, node) => clients.filter((_, index) => index % urls.length === node).map((client) => client.id));
      },
      deliveries: () => deliveries,
      /** Requests to their own nodes from the first `connections` members, `inflight` each, for `duration` ms. */
      async load({ connections, inflight, duration }) {
        const started = performance.now();
        const deadline = started + duration;
        let done = 0;
        await Promise.all(
          clients.slice(0, connections).flatMap((client) =>
            Array.from({ length: inflight }, async () => {
              while (performance.now() < deadline) {
                await client.send('echo', 'x'.repeat(64));
                done += 1;
              }
            }),
          ),
        );
        return (done / (performance.now() - started)) * 1000;
      },
      stop: () => Promise.all(clients.map((client) => client.disconnect())),
    },
    LIFETIME,
  );
  emitToParent('ready');
}

// ---------------------------------------------------------------------------------------------
// Driver

function readOptions(argv) {
  return readIntegerOptions(argv, defaults, usage);
}

/** Redis's own CPU time so far, in µs (INFO cpu). */
async function redisCpu(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1e6;
}

const cpuMicros = (usage) => usage.user + usage.system;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** `count` node processes, the members over them, and a driver client on node 0. */
async function startCluster(count, options) {
  const prefix = `volley-bench-cluster-${process.pid}-${count}-${Math.random().toString(36).slice(2, 8)}`;
  const nodes = [];
  const urls = [];
  for (let index = 0; index < count; index++) {
    const child = new Child(SELF, ['node', prefix, `n${index}`]);
    nodes.push(child);
    const { port } = await child.ready;
    urls.push(`ws://127.0.0.1:${port}`);
  }
  const members = new Child(SELF, ['members']);
  await members.ready;
  const idsByNode = await members.call('connect', { urls, count: options.members }, 120_000);
  const driver = new Client(urls[0], { WebSocket, reconnect: false, pingInterval: 0 });
  await driver.connect();
  return { prefix, nodes, members, idsByNode, driver };
}

async function stopCluster(cluster, redis) {
  await cluster.driver.disconnect();
  await cluster.members.call('stop').catch(() => undefined);
  cluster.members.process.kill();
  for (const node of cluster.nodes) {
    await node.call('stop').catch(() => undefined);
    node.process.kill();
  }
  const keys = await redis.keys(`{${cluster.prefix}}*`);
  if (keys.length > 0) await redis.del(keys);
}

/** CPU of every node and of Redis, in µs, summed. */
async function serverCpu(cluster, redis) {
  const usages = await Promise.all(cluster.nodes.map((node) => node.call('cpu')));
  return usages.reduce((sum, usage) => sum + cpuMicros(usage), 0) + (await redisCpu(redis));
}

/** Broadcasts with `window` in flight for `duration` ms; deliveries/s and CPU µs per delivery. */
async function broadcastThroughput(cluster, options, redis, window = 4) {
  let seq = 0;
  let done = 0;
  const waiting = new Map();
  cluster.members.listeners.set('all', ({ seq: finished }) => {
    waiting.get(finished)?.();
    waiting.delete(finished);
  });
  const one = () =>
    new Promise((resolve) => {
      const id = `t${++seq}`;
      waiting.set(id, resolve);
      cluster.driver.send('shout', id).catch(() => resolve());
    });
  const cpuBefore = await serverCpu(cluster, redis);
  const started = performance.now();
  const deadline = started + options.duration;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (performance.now() < deadline) {
        await one();
        done += 1;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = (await serverCpu(cluster, redis)) - cpuBefore;
  const deliveries = done * options.members;
  return { rate: (deliveries / elapsed) * 1000, cpuPerDelivery: cpu / deliveries };
}

/** Time from sending one broadcast until the last member has it, one at a time (ms, median). */
async function broadcastLatency(cluster, samples = 15) {
  const times = [];
  for (let index = 0; index < samples; index++) {
    const id = `l${index}`;
    const arrived = new Promise((resolve) => cluster.members.listeners.set('all', ({ seq, at }) => seq === id && resolve(at)));
    const sent = wallNow();
    await cluster.driver.send('shout', id);
    times.push((await arrived) - sent);
  }
  return median(times);
}

/** Awaited sends from node 0 to `targets` with `inflight` in flight for `duration` ms. */
async function awaitedSends(cluster, targets, options) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + options.duration;
  await Promise.all(
    Array.from({ length: options.inflight }, async () => {
      while (performance.now() < deadline) {
        const target = targets[next++ % targets.length];
        const sent = performance.now();
        await cluster.driver.send('ask', target);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const elapsed = performance.now() - started;
  return { rate: (latencies.length / elapsed) * 1000, p99: percentile(latencies, 0.99) };
}

function table(rows) {
  const header = ['setup', 'figure', ...rows[0].runs.map((_, index) => `run ${index + 1}`), 'median'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.setup} | ${row.figure} | ${row.runs.map(row.format).join(' | ')} | ${row.format(median(row.runs))} |`);
  return lines.join('\n');
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const setups = [1, options.nodes];
  const rows = new Map();
  const add = (setup, figure, value, format) => {
    const key = `${setup}|${figure}`;
    if (!rows.has(key)) rows.set(key, { setup, figure, runs: [], format });
    rows.get(key).runs.push(value);
  };
  const rate = (value) => Math.round(value).toLocaleString('en-US');
  const fixed = (digits) => (value) => value.toFixed(digits);
  for (let round = 1; round <= options.rounds; round++) {
    for (const count of setups) {
      const setup = `${count} node${count > 1 ? 's' : ''}`;
      console.error(`[round ${round}] ${setup}, ${options.members} members`);
      const cluster = await startCluster(count, options);
      try {
        const throughput = await broadcastThroughput(cluster, options, redis);
        add(setup, 'broadcast deliveries/s', throughput.rate, rate);
        add(setup, 'broadcast CPU µs per delivery (nodes + Redis)', throughput.cpuPerDelivery, fixed(2));
        add(setup, 'one broadcast to all, ms', await broadcastLatency(cluster), fixed(1));
        const same = await awaitedSends(cluster, cluster.idsByNode[0], options);
        add(setup, 'awaited send, same node: rt/s', same.rate, rate);
        add(setup, 'awaited send, same node: p99 ms', same.p99, fixed(2));
        add(setup, 'requests to the nodes, rt/s (50 connections × 10 in flight)', await cluster.members.call('load', { connections: 50, inflight: 10, duration: options.duration }, 60_000), rate);
        if (count > 1) {
          const cross = await awaitedSends(cluster, cluster.idsByNode.slice(1).flat(), options);
          add(setup, 'awaited send, other node: rt/s', cross.rate, rate);
          add(setup, 'awaited send, other node: p99 ms', cross.p99, fixed(2));
        }
      } finally {
        await stopCluster(cluster, redis);
      }
    }
  }
  await redis.close();
  console.log(`${options.members} members in one room, spread over the nodes; the driver on node 0 (no rate limit); ${options.inflight} awaited sends in flight; ${options.rounds} round(s), setups interleaved.\n`);
  console.log(table([...rows.values()]));
}

const role = process.argv[2];
if (role === 'node') await runNode();
else if (role === 'members') await runMembers();
else await main();
