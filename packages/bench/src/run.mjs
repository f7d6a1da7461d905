#!/usr/bin/env node
// The benchmark of issue 3: Volley against raw ws (the hand-written JSON baseline, opaque frames,
// batched writes), socket.io and rpc-websockets, in separate processes on loopback, interleaved.
// Prints the tables and writes docs/performance.md. It reports; it never gates anything.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './ipc.mjs';
import { reportLines, writeDocument } from './report.mjs';
import { metrics, scenarios, scenariosByKey } from './scenarios.mjs';
import { loadSystem, systemNames } from './systems/index.mjs';
import { readFlags } from './flags.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const SERVER = here('./server.mjs');
const CLIENT = here('./client.mjs');
const DEFAULT_OUT = here('../../../docs/performance.md');

const fullDefaults = {
  runs: 3,
  duration: 2000,
  warmup: 800,
  clients: 50,
  inflight: 10,
  payload: 64,
  procs: 4,
  broadcastClients: 1000,
  memoryConnections: 5000,
  connectConnections: 2000,
  connectWarmup: 500,
  concurrency: 16,
  window: 4,
  broadcastSamples: 30,
};

const quickDefaults = {
  ...fullDefaults,
  runs: 1,
  duration: 400,
  warmup: 200,
  broadcastClients: 250,
  memoryConnections: 1000,
  connectConnections: 500,
  connectWarmup: 100,
  broadcastSamples: 10,
};

const numericFlags = {
  runs: 'runs per system and scenario (median, min–max)',
  duration: 'ms measured per run',
  warmup: 'ms of load before the measured window',
  clients: 'connections of the rr and s2c scenarios',
  inflight: 'requests in flight per connection (rr, s2c)',
  payload: 'characters of the payload string',
  procs: 'client processes of broadcast, memory and connect',
  'broadcast-clients': 'members of the broadcast room',
  'memory-connections': 'idle connections of the memory scenario',
  'connect-connections': 'connections of the connect scenario',
  'connect-warmup': 'connections each client process opens before the connect scenario measures (5 measures cold processes)',
  concurrency: 'connections opened at a time per client process',
  window: 'broadcasts in flight in the broadcast throughput run',
  'broadcast-samples': 'single broadcasts timed one at a time',
};

const usage = `Usage: pnpm bench [flags]
  --quick                   about a minute: 1 run, short runs, fewer connections
  --scenarios=a,b           ${scenarios.map((s) => s.key).join(', ')} (default: all)
  --systems=a,b             ${systemNames.join(', ')} (default: all but volley-compare)
  --compare=<dir>           also run volley-compare: Volley built in another checkout (after \`pnpm build\` there), for an A/B in one run
${Object.entries(numericFlags)
  .map(([flag, text]) => `  --${`${flag}=<n>`.padEnd(24)}${text} (default ${fullDefaults[camel(flag)]}, quick ${quickDefaults[camel(flag)]})`)
  .join('\n')}
  --out=<file>              where to write the report (default docs/performance.md)
  --no-write                print only`;

function camel(flag) {
  return flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

function parseFlags(argv) {
  const raw = readFlags(argv, ['quick', 'no-write', 'help']);
  if (raw.help) return { help: true };
  const options = { ...(raw.quick ? quickDefaults : fullDefaults), quick: raw.quick === true };
  for (const flag of Object.keys(numericFlags)) {
    if (raw[flag] === undefined) continue;
    const value = Number(raw[flag]);
    if (!Number.isInteger(value) || value < (flag === 'warmup' ? 0 : 1)) throw new Error(`--${flag} must be a positive integer, got ${raw[flag]}`);
    options[camel(flag)] = value;
  }
  const known = new Set([...Object.keys(numericFlags), 'quick', 'no-write', 'help', 'scenarios', 'systems', 'out', 'compare']);
  for (const flag of Object.keys(raw)) if (!known.has(flag)) throw new Error(`unknown flag --${flag}`);
  const aliases = { rr50: 'rr', bcast: 'broadcast', mem: 'memory', conn: 'connect', handshake: 'connect' };
  options.scenarios = raw.scenarios === undefined ? scenarios.map((s) => s.key) : list(raw.scenarios).map((s) => aliases[s] ?? s);
  for (const key of options.scenarios) if (!scenariosByKey.has(key)) throw new Error(`unknown scenario ${key}`);
  options.compare = raw.compare === undefined ? undefined : resolve(String(raw.compare));
  if (options.compare !== undefined && !existsSync(join(options.compare, 'packages/server/dist/index.js'))) {
    throw new Error(`--compare: no Volley build in ${options.compare} (run pnpm install and pnpm build there)`);
  }
  const defaultSystems = systemNames.filter((name) => name !== 'volley-compare' || options.compare !== undefined);
  options.systems = raw.systems === undefined ? defaultSystems : list(raw.systems);
  for (const name of options.systems) if (!systemNames.includes(name)) throw new Error(`unknown system ${name}`);
  if (options.systems.includes('volley-compare') && options.compare === undefined) throw new Error('volley-compare needs --compare=<checkout dir>');
  // Keep the catalogue's order (volley first, the baseline second) whatever order was given.
  options.systems = systemNames.filter((name) => options.systems.includes(name));
  options.out = raw.out ?? DEFAULT_OUT;
  options.write = raw['no-write'] !== true;
  options.payloadBody = { d: 'x'.repeat(options.payload) };
  return options;
}

const list = (value) => String(value).split(',').map((s) => s.trim()).filter(Boolean);

/** Scales the connection counts down when the file descriptor or port limits cannot hold them. */
function applyLimits(options) {
  const notes = [];
  const fdLimit = softFileLimit();
  if (fdLimit !== undefined) {
    const room = fdLimit - 200;
    for (const [key, label] of [['memoryConnections', 'memory'], ['connectConnections', 'connect'], ['broadcastClients', 'broadcast']]) {
      if (options[key] + 20 > room) {
        notes.push(`The open-file limit (ulimit -n = ${fdLimit}) is too low for ${options[key]} connections in one server: the ${label} scenario uses ${room - 20}. Raise it with \`ulimit -n\` before \`pnpm bench\`.`);
        options[key] = room - 20;
      }
    }
  }
  if (fdLimit !== undefined) {
    // The warm-up connections of the connect scenario stay open while it measures.
    const room = fdLimit - 220 - options.connectConnections;
    if (options.connectWarmup * options.procs > room) {
      const warmup = Math.max(5, Math.floor(room / options.procs));
      notes.push(`The open-file limit (ulimit -n = ${fdLimit}) leaves room for ${warmup} warm-up connections per process in the connect scenario, not ${options.connectWarmup}.`);
      options.connectWarmup = warmup;
    }
  }
  const ports = ephemeralPorts();
  if (ports !== undefined) {
    const room = ports - 2000;
    for (const key of ['memoryConnections', 'connectConnections', 'broadcastClients']) {
      if (options[key] > room) {
        notes.push(`Only ${ports} ephemeral ports: ${key} scaled down from ${options[key]} to ${room}.`);
        options[key] = room;
      }
    }
  }
  if (options.quick) notes.push('Quick mode: single runs and fewer connections (broadcast, memory, connect); use the full run for the figures to quote.');
  return notes;
}

function softFileLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function ephemeralPorts() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return high - low + 1;
  } catch {
    return undefined;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** Runs one scenario for one system in fresh processes; every child is gone when it returns. */
async function runOnce(scenario, system, options) {
  const children = [];
  const lifetime = 300_000 + 4 * (options.warmup + options.duration);
  const spawn = async (file, execArgv = []) => {
    const child = new Child(file, [String(lifetime), system.name], execArgv);
    children.push(child);
    await Promise.race([child.ready, child.exited.then(() => Promise.reject(new Error(`${file} exited at start`)))]);
    return child;
  };
  const context = {
    system,
    options,
    async start({ room, clients: count }) {
      const startServer = async () => {
        const server = await spawn(SERVER, ['--expose-gc']);
        const { port } = await server.call('start', { room, payload: options.payloadBody });
        return { server, url: `ws://127.0.0.1:${port}` };
      };
      const [{ server, url }, clients] = await Promise.all([startServer(), Promise.all(Array.from({ length: count }, () => spawn(CLIENT)))]);
      return { server, url, clients };
    },
  };
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run took longer than ${lifetime / 1000} s`)), lifetime);
  });
  try {
    return await Promise.race([scenario.run(context), timeout]);
  } finally {
    clearTimeout(timer);
    await Promise.all(children.map((child) => child.kill()));
  }
}

function progressLine(scenario, result) {
  return scenario.metrics
    .map((key) => `${metrics[key].format(result[key])} ${metrics[key].label.replace(' µs/unit', ' µs')}`)
    .join(', ');
}

async function main() {
  let options;
  try {
    options = parseFlags(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(usage);
    return;
  }
  if (options.systems.includes('volley') && !existsSync(here('../node_modules/@volley/server/dist/index.js'))) {
    console.error('The Volley packages are not built: run `pnpm build` (or `pnpm bench`, which builds first).');
    process.exit(2);
  }
  // The bench's child processes inherit it: systems/volley.mjs loads volley-compare from there.
  if (options.compare !== undefined) process.env.VOLLEY_COMPARE_DIR = options.compare;
  const notes = applyLimits(options);
  const info = machine();
  const command = `pnpm bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const began = Date.now();
  console.error(`${command}: ${options.scenarios.join(', ')} × ${options.systems.join(', ')}, ${options.runs} run(s) each`);
  for (const note of notes) console.error(`note: ${note}`);

  const systemsByName = new Map(await Promise.all(options.systems.map(async (name) => [name, await loadSystem(name)])));
  const results = new Map();
  for (const key of options.scenarios) {
    const scenario = scenariosByKey.get(key);
    const rows = new Map();
    results.set(key, rows);
    for (const name of options.systems) {
      const applies = scenario.applies(systemsByName.get(name));
      rows.set(name, { runs: [], errors: [], na: applies === true ? undefined : applies });
    }
    // A B A B: every system once per round, so that all ratios share the machine's load.
    for (let run = 1; run <= options.runs; run++) {
      for (const name of options.systems) {
        const entry = rows.get(name);
        if (entry.na !== undefined) continue;
        const label = `[${key} ${run}/${options.runs}] ${name}`;
        try {
          const result = await runOnce(scenario, systemsByName.get(name), options);
          entry.runs.push(result);
          console.error(`${label}: ${progressLine(scenario, result)}`);
        } catch (error) {
          const message = String(error?.message ?? error).split('\n')[0];
          entry.errors.push(message);
          console.error(`${label}: FAILED: ${message}`);
        }
      }
    }
  }

  const lines = reportLines({ results, systemNames: options.systems, scenarioKeys: options.scenarios, options, machine: info, notes, command });
  console.log(lines.join('\n'));
  if (options.write) {
    writeDocument(options.out, lines);
    console.error(`\nwritten to ${options.out}`);
  }
  console.error(`took ${((Date.now() - began) / 1000).toFixed(0)} s`);
}

await main();
