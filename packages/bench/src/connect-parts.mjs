#!/usr/bin/env node
// Splits the cost of a Volley connect into its parts, for docs/performance.md: what a bare ws
// connect costs, what the upgrade handshake adds on the wire and in the Volley server (a raw ws
// client offering it, with the answer in the 101's header or as a frame after it), and what the
// Volley client adds on top. One server process (this one,
// running both servers) and one client process; the three kinds of connect alternate in batches
// (A B C A B C …) so that they share the machine's load, and each batch is closed before the
// next, so that every batch starts from the same number of open sockets.
//
//   node packages/bench/src/connect-parts.mjs [--batch=500] [--rounds=8] [--skip=2] [--concurrency=16]
//
// Prints CPU µs per connection in each process, the median over the rounds after the first
// `skip` (warm-up: a fresh process optimises its connect path over thousands of connects).
// It reports; nothing gates on it.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client } from '@volley/client';
import { encodeUpgradeHandshake } from '@volley/protocol';
import { Server } from '@volley/server';
import { WebSocket, WebSocketServer } from 'ws';

const KINDS = {
  volley: 'Volley client → Volley server (upgrade handshake, answer in the 101)',
  'ws-answer': 'raw ws client offering the upgrade handshake, answer in the 101 → Volley server',
  'ws-upgrade': 'raw ws client offering the upgrade handshake, answer as a frame → Volley server',
  ws: 'bare ws client → bare ws server (no handshake)',
};

const defaults = { batch: 500, rounds: 8, skip: 2, concurrency: 16 };

function readOptions(argv) {
  const options = { ...defaults };
  for (const arg of argv) {
    const match = /^--(batch|rounds|skip|concurrency)=(\d+)$/.exec(arg);
    if (match === null) {
      console.error(`unknown argument ${arg}\nUsage: connect-parts.mjs [--batch=500] [--rounds=8] [--skip=2] [--concurrency=16]`);
      process.exit(2);
    }
    options[match[1]] = Number(match[2]);
  }
  if (options.batch < 1 || options.rounds < 1 || options.skip >= options.rounds || options.concurrency < 1) {
    console.error('need batch ≥ 1, rounds ≥ 1, skip < rounds, concurrency ≥ 1');
    process.exit(2);
  }
  return options;
}

const cpuNow = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/** Counts a server's open sockets and tells when it is back to none. */
class OpenCount {
  count = 0;
  #idle = [];
  opened() {
    this.count += 1;
  }
  closed() {
    this.count -= 1;
    if (this.count === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
  idle() {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }
}

async function serve(options) {
  const volleyOpen = new OpenCount();
  const volley = new Server({ port: 0, host: '127.0.0.1', pingInterval: 0 });
  volley.on('connection', () => volleyOpen.opened());
  volley.on('disconnected', () => volleyOpen.closed());
  await volley.start();
  const wsOpen = new OpenCount();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, clientTracking: false });
  await once(wss, 'listening');
  wss.on('connection', (socket) => {
    wsOpen.opened();
    socket.on('message', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => wsOpen.closed());
  });
  const child = fork(fileURLToPath(import.meta.url), ['--client', String(volley.port), String(wss.address().port), JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const results = Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, { client: [], server: [] }]));
  let serverStart = 0;
  child.on('message', (message) => {
    if (message.type === 'start') {
      serverStart = cpuNow();
      child.send('go');
    } else if (message.type === 'end') {
      results[message.kind].server.push((cpuNow() - serverStart) / options.batch);
      results[message.kind].client.push(message.cpu / options.batch);
      // Every batch closes before the next one starts.
      const open = message.kind === 'ws' ? wsOpen : volleyOpen;
      void open.idle().then(() => child.send('go'));
    }
  });
  const [code] = await once(child, 'exit');
  await volley.stop();
  wss.close();
  if (code !== 0) throw new Error(`the client process exited with ${code}`);
  report(results, options);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function report(results, options) {
  const rows = Object.entries(KINDS).map(([kind, label]) => {
    const client = median(results[kind].client.slice(options.skip));
    const server = median(results[kind].server.slice(options.skip));
    return { kind, label, client, server, total: client + server };
  });
  const base = rows.find((row) => row.kind === 'ws');
  console.log(`CPU µs per connection, median of ${options.rounds - options.skip} batches of ${options.batch} (after ${options.skip} warm-up batches), ${options.concurrency} at a time\n`);
  console.log('| connect | client µs | server µs | total µs | vs bare ws |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    console.log(`| ${row.label} | ${row.client.toFixed(0)} | ${row.server.toFixed(0)} | ${row.total.toFixed(0)} | ${(row.total / base.total).toFixed(2)}× |`);
  }
}

async function drive(volleyPort, wsPort, options) {
  const volleyUrl = `ws://127.0.0.1:${volleyPort}`;
  const wsUrl = `ws://127.0.0.1:${wsPort}`;
  const offer = encodeUpgradeHandshake(undefined);
  const answerOffer = encodeUpgradeHandshake(undefined, true);
  // Each connector resolves with a function that closes what it opened.
  const connectors = {
    async volley() {
      const client = new Client(volleyUrl, { WebSocket, pingInterval: 0, reconnect: false });
      await client.connect();
      return () => client.disconnect();
    },
    async 'ws-answer'() {
      const socket = new WebSocket(volleyUrl, answerOffer, { perMessageDeflate: false });
      socket.on('error', () => undefined);
      // The answer is in the 101's header: the connect is done once the socket is open.
      await once(socket, 'open');
      return () => closeSocket(socket);
    },
    async 'ws-upgrade'() {
      const socket = new WebSocket(volleyUrl, offer, { perMessageDeflate: false });
      socket.on('error', () => undefined);
      // The handshake answer is the first frame.
      await once(socket, 'message');
      return () => closeSocket(socket);
    },
    async ws() {
      const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
      socket.on('error', () => undefined);
      await once(socket, 'open');
      return () => closeSocket(socket);
    },
  };
  const go = () => new Promise((resolve) => process.once('message', resolve));
  const batch = async (connect) => {
    const closers = [];
    let started = 0;
    const worker = async () => {
      while (started < options.batch) {
        started += 1;
        closers.push(await connect());
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.batch) }, worker));
    return closers;
  };
  for (let round = 0; round < options.rounds; round++) {
    for (const kind of Object.keys(KINDS)) {
      process.send({ type: 'start' });
      await go();
      const start = cpuNow();
      const closers = await batch(connectors[kind]);
      const cpu = cpuNow() - start;
      process.send({ type: 'end', kind, cpu });
      await Promise.all(closers.map((close) => close()));
      await go();
    }
  }
  process.disconnect();
}

function closeSocket(socket) {
  const closed = once(socket, 'close');
  socket.close();
  return closed;
}

if (process.argv[2] === '--client') {
  await drive(Number(process.argv[3]), Number(process.argv[4]), JSON.parse(process.argv[5]));
} else {
  await serve(readOptions(process.argv.slice(2)));
}
