#!/usr/bin/env node
// The soak of issue 5: thousands of connections and a steady request mix against one Volley
// server (default limits), in separate processes on loopback, for a bounded time. It asserts that
// nothing is lost or duplicated and that no connection closes unexpectedly, and reports the
// server's memory curve. Exits 1 on a lost, duplicated or unexpectedly closed anything, or on
// clearly unbounded heap growth; 2 on a usage error. Last line of output: a JSON summary.
//
//   pnpm soak [--connections=2000] [--duration=60000] [--rate=2] [--procs=4] [--quick]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Child } from './ipc.mjs';
import { readFlags } from './flags.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const SERVER = here('./soak-server.mjs');
const CLIENT = here('./soak-client.mjs');
const MiB = 1024 * 1024;

/**
 * Flatness of the heap: growth of the median heapUsed from the second quarter of the samples to
 * the last. The first quarter is left out (rooms fill up, caches and JIT warm up).
 * Flat: at most FLAT_BOUND (the larger of 4 MiB and 10 %). Unbounded (exit 1): more than
 * UNBOUNDED_BOUND (the larger of 32 MiB and 50 %) with at least MIN_SAMPLES samples.
 */
const FLAT_BOUND = { bytes: 4 * MiB, ratio: 0.1 };
const UNBOUNDED_BOUND = { bytes: 32 * MiB, ratio: 0.5 };
const MIN_SAMPLES = 8;

const fullDefaults = { connections: 2000, duration: 60_000, rate: 2, procs: 4, rooms: 0, payload: 32, 'ask-rate': 0.5, concurrency: 16 };
const quickDefaults = { ...fullDefaults, connections: 500, duration: 10_000 };

const numericFlags = {
  connections: 'connections in total, spread over the client processes',
  duration: 'ms of load',
  rate: 'client messages per second per connection (55 % echo, 20 % note, 15 % join/leave, 10 % shout)',
  'ask-rate': 'server → client requests per second per connection',
  procs: 'client processes',
  rooms: 'rooms (0: one per 25 connections, at least 4)',
  payload: 'characters of the echo payload',
  concurrency: 'connections opened at a time per client process',
};

const usage = `Usage: pnpm soak [flags]
  --quick                   ${quickDefaults.connections} connections for ${quickDefaults.duration / 1000} s
${Object.entries(numericFlags)
  .map(([flag, text]) => `  --${`${flag}=<n>`.padEnd(24)}${text} (default ${fullDefaults[flag]})`)
  .join('\n')}`;

function parseFlags(argv) {
  const raw = readFlags(argv, ['quick', 'help']);
  for (const flag of Object.keys(raw)) if (!(flag in numericFlags) && flag !== 'quick' && flag !== 'help') throw new Error(`unknown flag --${flag}`);
  if (raw.help) return { help: true };
  const options = { ...(raw.quick ? quickDefaults : fullDefaults) };
  for (const flag of Object.keys(numericFlags)) {
    if (raw[flag] === undefined) continue;
    const value = Number(raw[flag]);
    const fractional = flag === 'rate' || flag === 'ask-rate';
    const min = flag === 'rooms' || flag === 'ask-rate' ? 0 : fractional ? Number.MIN_VALUE : 1;
    if (!Number.isFinite(value) || (!fractional && !Number.isInteger(value)) || value < min) throw new Error(`--${flag} must be a ${fractional ? 'positive number' : 'positive integer'}, got ${raw[flag]}`);
    options[flag] = value;
  }
  options.procs = Math.min(options.procs, options.connections);
  if (options.rooms === 0) options.rooms = Math.max(4, Math.round(options.connections / 25));
  return options;
}

/** Scales the connection count down when the open-file or port limits cannot hold it. */
function applyLimits(options) {
  const notes = [];
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft) && options.connections > soft - 200) {
      notes.push(`ulimit -n is ${soft}: connections scaled down from ${options.connections} to ${soft - 200}.`);
      options.connections = soft - 200;
    }
  } catch {
    // no /proc: keep the figures
  }
  return notes;
}

function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The flatness verdict of the heap curve (see FLAT_BOUND). */
function flatness(samples) {
  const n = samples.length;
  if (n < MIN_SAMPLES) return { verdict: 'too short', growth: undefined, samples: n };
  const q2 = median(samples.slice(Math.floor(n / 4), Math.floor(n / 2)).map((s) => s.heapUsed));
  const q4 = median(samples.slice(Math.floor((3 * n) / 4)).map((s) => s.heapUsed));
  const growth = q4 - q2;
  const flat = Math.max(FLAT_BOUND.bytes, FLAT_BOUND.ratio * q2);
  const unbounded = Math.max(UNBOUNDED_BOUND.bytes, UNBOUNDED_BOUND.ratio * q2);
  const verdict = growth <= flat ? 'flat' : growth > unbounded ? 'unbounded' : 'growing';
  return { verdict, growth, flatBound: flat, unboundedBound: unbounded, q2, q4, samples: n };
}

const mib = (bytes) => (bytes / MiB).toFixed(1);

/** At most `rows` samples, evenly spaced, always with the first and the last. */
function memoryTable(samples, rows = 12) {
  const picked = samples.length <= rows ? samples : Array.from({ length: rows }, (_, i) => samples[Math.round((i * (samples.length - 1)) / (rows - 1))]);
  return ['| t (s) | RSS (MiB) | heapUsed (MiB) |', '|---:|---:|---:|', ...picked.map((s) => `| ${s.t.toFixed(1)} | ${mib(s.rss)} | ${mib(s.heapUsed)} |`)];
}

function sum(list, key) {
  return list.reduce((total, item) => total + item[key], 0);
}

async function main() {
  let options;
  try {
    options = parseFlags(process.argv.slice(2));
  } catch (error) {
    console.error(`soak: ${error.message}\n${usage}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const notes = applyLimits(options);
  for (const note of notes) console.log(`note: ${note}`);
  const settleTimeout = 15_000;
  // Every child exits on its own after this, whatever happens to the parent.
  const lifetime = options.duration + 4 * settleTimeout + 120_000;
  const started = performance.now();
  const children = [];
  const spawn = async (file, args, execArgv = []) => {
    const child = new Child(file, [String(lifetime), ...args], execArgv);
    children.push(child);
    await Promise.race([child.ready, child.exited.then(() => Promise.reject(new Error(`${file} exited at start`)))]);
    return child;
  };
  let watchdog;
  const deadline = new Promise((_, reject) => {
    watchdog = setTimeout(() => reject(new Error(`the soak took longer than ${lifetime / 1000} s`)), lifetime);
  });

  const run = async () => {
    const server = await spawn(SERVER, [], ['--expose-gc']);
    const { port } = await server.call('start');
    const url = `ws://127.0.0.1:${port}`;
    const clients = await Promise.all(Array.from({ length: options.procs }, (_, i) => spawn(CLIENT, [String(i)])));
    const shares = clients.map((_, i) => Math.floor(options.connections / options.procs) + (i < options.connections % options.procs ? 1 : 0));
    console.log(`soak: ${options.connections} connections in ${options.procs} client processes, ${options.rate} msg/s and ${options['ask-rate']} server requests/s per connection, ${options.rooms} rooms, ${options.duration / 1000} s`);
    const connectTimeout = 60_000 + options.connections * 20;
    await Promise.all(clients.map((client, i) => client.call('connect', { url, count: shares[i], concurrency: options.concurrency }, connectTimeout)));
    const connected = await server.call('count');
    console.log(`soak: ${connected} connections established in ${((performance.now() - started) / 1000).toFixed(1)} s; load running`);

    await server.call('startLoad', { rooms: options.rooms, askRate: options['ask-rate'] });
    const runTimeout = options.duration + settleTimeout + 30_000;
    const runs = await Promise.all(
      clients.map((client) => client.call('run', { duration: options.duration, rate: options.rate, rooms: options.rooms, payloadSize: options.payload, settleTimeout }, runTimeout)),
    );
    const stopped = await server.call('stopLoad', { settleTimeout }, settleTimeout + 30_000);
    await Promise.all(clients.map((client) => client.call('verify', {}, settleTimeout + 30_000)));
    await server.call('closing');
    const clientStats = await Promise.all(clients.map((client) => client.call('close', {}, settleTimeout + 30_000)));
    const serverStats = await server.call('stats', { timeout: 10_000 }, 40_000);
    await server.call('stop', {}, 30_000).catch(() => undefined);
    return { connected, runs, stopped, clientStats, serverStats };
  };

  let result;
  try {
    result = await Promise.race([run(), deadline]);
  } catch (error) {
    console.error(`soak FAILED: ${error?.stack ?? error}`);
    console.log(JSON.stringify({ soak: { completed: false, error: String(error?.message ?? error) } }));
    return 1;
  } finally {
    clearTimeout(watchdog);
    await Promise.all(children.map((child) => child.kill()));
  }

  const { connected, runs, stopped, clientStats: c, serverStats: s } = result;
  const sent = {};
  for (const key of ['echo', 'note', 'join', 'leave', 'shout']) sent[key] = c.reduce((total, stats) => total + stats.sent[key], 0);
  const requests = sent.echo + sent.join + sent.leave + sent.shout;
  const lostParts = {
    clientRequestsFailed: sum(c, 'failed'),
    clientRequestsUnsettled: sum(runs, 'pending'),
    messagesNeverHandled: s.gaps,
    serverRequestsFailed: s.asksFailed,
    serverRequestsUnsettled: stopped.asksInFlight,
    serverRequestsNotReceived: sum(c, 'askGaps'),
    broadcastsMissing: sum(c, 'missingBroadcasts'),
    sequenceMismatches: sum(c, 'seqMismatches'),
    unansweredOnWire: sum(c, 'unansweredOnWire'),
  };
  const duplicatedParts = {
    messagesHandledTwice: s.duplicates,
    serverRequestsReceivedTwice: sum(c, 'askDuplicates'),
    broadcastsReceivedTwice: sum(c, 'broadcastDuplicates'),
    broadcastsInExcess: sum(c, 'extraBroadcasts'),
    responsesUnmatched: sum(c, 'unmatchedResponses'),
    requestIdsReused: sum(c, 'duplicateRequestIds'),
  };
  const lost = Object.values(lostParts).reduce((a, b) => a + b, 0);
  const duplicated = Object.values(duplicatedParts).reduce((a, b) => a + b, 0);
  const unexpectedCloses = s.unexpectedCloses + sum(c, 'unexpectedCloses');
  const memory = flatness(s.samples);
  const seconds = options.duration / 1000;

  console.log('');
  console.log(`| traffic | count |`);
  console.log(`|---|---:|`);
  console.log(`| connections (server / clients) | ${connected} / ${sum(c, 'connections')} |`);
  console.log(`| client → server requests (echo ${sent.echo}, join ${sent.join}, leave ${sent.leave}, shout ${sent.shout}) | ${requests} (${Math.round(requests / seconds)}/s) |`);
  console.log(`| client → server notes | ${sent.note} |`);
  console.log(`| server → client requests answered | ${s.asksAnswered} of ${s.asksSent} |`);
  console.log(`| room broadcasts / deliveries received (expected) | ${s.broadcasts} / ${sum(c, 'broadcasts')} (${s.expectedDeliveries}) |`);
  console.log(`| lost | ${lost} |`);
  console.log(`| duplicated | ${duplicated} |`);
  console.log(`| unexpected closes | ${unexpectedCloses} |`);
  console.log(`| local errors reported (_error, server error) | ${s.errors + sum(c, 'errors')} |`);
  console.log('');
  console.log('Server memory after a full GC, sampled every second during the load:');
  for (const line of memoryTable(s.samples)) console.log(line);
  const bounds = memory.growth === undefined ? `fewer than ${MIN_SAMPLES} samples` : `heapUsed median ${mib(memory.q2)} MiB in the 2nd quarter → ${mib(memory.q4)} MiB in the last (${memory.growth >= 0 ? '+' : ''}${mib(memory.growth)} MiB; flat ≤ ${mib(memory.flatBound)}, unbounded > ${mib(memory.unboundedBound)})`;
  console.log(`Memory: ${memory.verdict} — ${bounds}`);
  const firsts = [c.map((x) => x.firstFailure), s.firstAskFailure, s.firstUnexpectedClose, c.map((x) => x.firstUnexpectedClose), s.firstError, c.map((x) => x.firstError)]
    .flat()
    .filter((x) => x !== undefined);
  for (const first of firsts.slice(0, 8)) console.log(`  first: ${first}`);

  const ok = lost === 0 && duplicated === 0 && unexpectedCloses === 0 && memory.verdict !== 'unbounded';
  console.log(ok ? 'soak PASSED' : 'soak FAILED');
  const summary = {
    completed: true,
    ok,
    connections: connected,
    durationMs: options.duration,
    requests,
    notes: sent.note,
    serverRequests: s.asksSent,
    broadcasts: s.broadcasts,
    deliveries: sum(c, 'broadcasts'),
    lost,
    lostParts,
    duplicated,
    duplicatedParts,
    unexpectedCloses,
    errors: s.errors + sum(c, 'errors'),
    memory: { verdict: memory.verdict, growthBytes: memory.growth, samples: s.samples.map((x) => [x.t, x.rss, x.heapUsed]) },
    limitNotes: notes,
  };
  console.log(JSON.stringify({ soak: summary }));
  return ok ? 0 : 1;
}

process.exitCode = await main();
