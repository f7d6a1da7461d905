#!/usr/bin/env node
// Volley under attack, for docs/performance.md and docs/security.md: one attacker floods a Volley
// server (default options) with one kind of frame while a victim, another client of the same
// server, sends echo requests at a steady pace; the victim's p99 under each flood is set against
// its p99 alone. Three processes on loopback (server, victim, attacker), phases interleaved
// (alone, then each kind, round after round), every loop bounded in time.
//
//   node packages/bench/src/flood.mjs [--duration=3000] [--rounds=2] [--rate=1000] [--burst=<n>] [--reconnect]
//
// Without --reconnect the attacker floods from one connection, as in the issue that found these
// floods; once the server closes it (4207) it stays away. With --reconnect it opens a new
// connection each time, which no per-connection limit can stop (docs/security.md: limit
// connections per address in front of Volley). --burst sets the server's rateLimit burst (the
// default is the server's: 20 000) to see what a smaller one buys. It reports; nothing gates on it.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from '@volley/client';
import { Server } from '@volley/server';
import { WebSocket } from 'ws';
import { readIntegerOptions } from './flags.mjs';

const SELF = fileURLToPath(import.meta.url);

/** The floods, each a frame repeated as fast as the attacker's socket takes it. */
const KINDS = {
  'unknown _r': { handshake: true, text: '{"n":"_r","i":"zz1","p":1}' },
  'WebSocket pongs': { handshake: true, control: 0xa },
  'binary frames': { handshake: true, binary: true },
  '_p before the handshake': { handshake: false, text: '{"n":"_p","i":"p1"}' },
  'requests over the rate': { handshake: true, text: '{"n":"echo","i":"e1","p":1}' },
  'malformed text': { handshake: true, text: 'not json at all' },
};

const defaults = { duration: 3000, rounds: 2, rate: 1000, burst: undefined };
const usage = 'Usage: flood.mjs [--duration=3000] [--rounds=2] [--rate=1000] [--burst=<n>] [--reconnect]';

function readOptions(argv) {
  return readIntegerOptions(argv, defaults, usage, ['reconnect']);
}

// --- roles (each in its own process) -----------------------------------------------------------

async function serve() {
  const { burst } = JSON.parse(process.argv[3]);
  const server = new Server({ port: 0, host: '127.0.0.1', ...(burst === undefined ? {} : { rateLimit: { rate: 10_000, burst } }) });
  server.handle('echo', (message) => message.resolve(message.payload));
  await server.start();
  process.send({ port: server.port });
  process.on('disconnect', () => process.exit(0));
}

/** Echo requests one at a time, one every 1000/rate ms; resolves with the latencies in ms. */
async function victim(url, duration, rate) {
  const client = new Client(url, { WebSocket, reconnect: false });
  await client.connect();
  const latencies = [];
  const gap = 1000 / rate;
  const end = performance.now() + duration;
  let next = performance.now();
  while (performance.now() < end) {
    const start = performance.now();
    await client.send('echo', 1);
    latencies.push(performance.now() - start);
    next += gap;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else next = performance.now();
  }
  await client.disconnect();
  return latencies;
}

/** One masked client frame (RFC 6455) with the given opcode and payload. */
function maskedFrame(opcode, payload) {
  const length = payload.length;
  const header = length < 126 ? 2 : 4;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  const mask = [0x12, 0x34, 0x56, 0x78];
  frame.set(mask, header);
  for (let index = 0; index < length; index++) frame[header + 4 + index] = payload[index] ^ mask[index & 3];
  return frame;
}

/** Floods `url` with one kind of frame until `duration` ms have passed; resolves with what it did. */
async function attack(url, kindName, duration, reconnect) {
  const kind = KINDS[kindName];
  const frame =
    kind.control !== undefined
      ? maskedFrame(kind.control, Buffer.alloc(0))
      : kind.binary
        ? maskedFrame(0x2, Buffer.from([1, 2, 3]))
        : maskedFrame(0x1, Buffer.from(kind.text));
  // 64 KiB of frames per write: the size of one read on the server.
  const chunk = Buffer.concat(Array.from({ length: Math.floor(65_536 / frame.length) }, () => frame));
  const perChunk = chunk.length / frame.length;
  const end = performance.now() + duration;
  const report = { frames: 0, connections: 0, closes: {} };
  do {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', () => undefined);
    try {
      await once(socket, 'open');
    } catch {
      break;
    }
    report.connections += 1;
    if (kind.handshake) {
      socket.send('{"n":"_h","i":"h"}');
      await once(socket, 'message');
    }
    const raw = socket._socket;
    await new Promise((resolve) => {
      // ws reports the server's close frame only once the TCP connection ends, which a server
      // that stopped reading this socket delays: the ready state tells at once.
      const watch = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN && performance.now() < end) return;
        clearInterval(watch);
        const code = socket.readyState === WebSocket.OPEN ? 'open at the end' : String(socket._closeCode ?? 'cut');
        report.closes[code] = (report.closes[code] ?? 0) + 1;
        socket.terminate();
        resolve();
      }, 5);
      const pump = () => {
        while (socket.readyState === WebSocket.OPEN && performance.now() < end) {
          report.frames += perChunk;
          if (!raw.write(chunk)) {
            raw.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    if (!reconnect) break;
  } while (performance.now() < end);
  // One connection only: stay until the phase ends, so every phase lasts as long.
  const left = end - performance.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return report;
}

async function child(role) {
  if (role === 'server') return serve();
  const { url, duration, rate, kind, reconnect } = JSON.parse(process.argv[3]);
  const lifetime = setTimeout(() => process.exit(3), duration + 30_000);
  const result = role === 'victim' ? await victim(url, duration, rate) : await attack(url, kind, duration, reconnect);
  clearTimeout(lifetime);
  process.send(result, () => process.exit(0));
}

// --- the parent --------------------------------------------------------------------------------

function run(role, args = {}) {
  const process_ = fork(SELF, [role, JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = once(process_, 'message').then(([message]) => message);
  return { process: process_, result };
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const options = readOptions(process.argv.slice(2));
  const server = run('server', { burst: options.burst });
  const { port } = await server.result;
  const url = `ws://127.0.0.1:${port}`;
  const phases = ['alone', ...Object.keys(KINDS)];
  const samples = new Map(phases.map((phase) => [phase, []]));
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const phase of phases) {
        const args = { url, duration: options.duration, rate: options.rate, kind: phase, reconnect: options.reconnect };
        const attacker = phase === 'alone' ? undefined : run('attacker', args);
        const victimRun = run('victim', args);
        const [latencies, report] = await Promise.all([victimRun.result, attacker?.result]);
        latencies.sort((a, b) => a - b);
        samples.get(phase).push({ p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length, report });
      }
    }
  } finally {
    server.process.kill();
  }
  const alone = median(samples.get('alone').map((sample) => sample.p99));
  const lines = [
    `Victim: one Volley client, echo requests one at a time, ${options.rate}/s; ${options.rounds} round(s) of ${options.duration} ms per phase; ` +
      `attacker: ${options.reconnect ? 'a new connection each time it is closed' : 'one connection'}; ` +
      `server: ${options.burst === undefined ? 'default options' : `default options but rateLimit { rate: 10000, burst: ${options.burst} }`}.`,
    '',
    '| flood | attacker frames written | attacker connection(s) ended by | victim requests | victim p50 ms | victim p99 ms | p99 vs alone |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const phase of phases) {
    const runs = samples.get(phase);
    const p99 = median(runs.map((sample) => sample.p99));
    const ratio = p99 / alone;
    const frames = runs.reduce((sum, sample) => sum + (sample.report?.frames ?? 0), 0);
    const closes = {};
    for (const sample of runs) for (const [code, count] of Object.entries(sample.report?.closes ?? {})) closes[code] = (closes[code] ?? 0) + count;
    const ended = Object.entries(closes)
      .map(([code, count]) => `${code} ×${count}`)
      .join(', ');
    lines.push(
      `| ${phase} | ${phase === 'alone' ? '—' : Math.round(frames / runs.length).toLocaleString('en-US')} | ${ended || '—'} | ` +
        `${Math.round(median(runs.map((sample) => sample.count)))} | ${median(runs.map((sample) => sample.p50)).toFixed(3)} | ${p99.toFixed(3)} | ` +
        `${ratio.toFixed(2)}×${ratio > 5 ? ' (over 5×)' : ''} |`,
    );
  }
  console.log(lines.join('\n'));
}

if (process.argv[2] === 'server' || process.argv[2] === 'victim' || process.argv[2] === 'attacker') await child(process.argv[2]);
else await main();
