// The six scenarios of issue 3. Each `run(context)` measures one system once, in fresh server and
// client processes, and returns its metrics. CPU figures are microseconds of user + system time
// per unit (request, delivery, connection), from process.cpuUsage() deltas in each process.
import { sleep } from './ipc.mjs';

const MAX_COUNT = 20_000_000;

/** How the metrics print; `better` says which direction is good (ratios are always system / baseline). */
export const metrics = {
  rate: { label: 'rt/s', better: 'higher', format: formatRate },
  deliveries: { label: 'deliveries/s', better: 'higher', format: formatRate },
  connects: { label: 'connections/s', better: 'higher', format: formatRate },
  p50: { label: 'p50 ms', better: 'lower', format: formatMs },
  p99: { label: 'p99 ms', better: 'lower', format: formatMs },
  oneBroadcast: { label: 'one broadcast to all, ms', better: 'lower', format: formatMs },
  serverCpu: { label: 'server CPU µs/unit', better: 'lower', format: formatCpu },
  clientCpu: { label: 'client CPU µs/unit', better: 'lower', format: formatCpu },
  heap: { label: 'heap KB/conn', better: 'lower', format: formatKb },
  rss: { label: 'RSS KB/conn', better: 'lower', format: formatKb },
};

/**
 * @typedef {object} Context
 * @property {object} system the system under test
 * @property {object} options resolved flags
 * @property {(options: {room: boolean, clients: number}) => Promise<{server: Child, url: string, clients: Child[]}>} start
 *   starts the server process and `clients` client processes (in parallel)
 */

export const scenarios = [
  {
    key: 'rr1',
    title: 'Request/response, 1 client, 1 request in flight',
    describe: (o) => `one connection, one request at a time, payload ${o.payload} B; unit = one round trip`,
    metrics: ['rate', 'p50', 'p99', 'serverCpu', 'clientCpu'],
    baseline: 'ws-json',
    applies: () => true,
    run: (context) => requestResponse(context, 1, 1),
  },
  {
    key: 'rr',
    title: 'Request/response, many clients, many requests in flight',
    describe: (o) => `${o.clients} connections × ${o.inflight} requests in flight, payload ${o.payload} B; unit = one round trip`,
    metrics: ['rate', 'p50', 'p99', 'serverCpu', 'clientCpu'],
    baseline: 'ws-json',
    applies: () => true,
    run: (context) => requestResponse(context, context.options.clients, context.options.inflight),
  },
  {
    key: 's2c',
    title: 'Server → client requests (the server awaits the clients)',
    describe: (o) => `${o.clients} connections × ${o.inflight} requests in flight sent by the server, payload ${o.payload} B; unit = one round trip`,
    metrics: ['rate', 'p50', 'p99', 'serverCpu', 'clientCpu'],
    baseline: 'ws-json',
    applies: (system) => system.serverRequests,
    run: serverToClient,
  },
  {
    key: 'broadcast',
    title: 'Room broadcast',
    describe: (o) =>
      `${o.broadcastClients} members in ${o.procs} client processes; deliveries/s with at most ${o.window} broadcasts not yet received by all; ` +
      `"one broadcast to all" = median time from send until the last member has it, one broadcast at a time (${o.broadcastSamples} samples); unit = one delivery`,
    metrics: ['deliveries', 'oneBroadcast', 'serverCpu', 'clientCpu'],
    baseline: 'ws-json',
    applies: (system) => system.broadcast,
    run: broadcast,
  },
  {
    key: 'memory',
    title: 'Memory per idle connection on the server',
    describe: (o) =>
      `${o.memoryConnections} connections after the handshake, opened from ${o.procs} processes; heap and RSS after gc, ` +
      `measured from a base of ${memoryWarmCount(o)} open connections`,
    metrics: ['heap', 'rss'],
    baseline: 'ws-json',
    applies: () => true,
    run: memory,
  },
  {
    key: 'connect',
    title: 'Connection + handshake rate',
    describe: (o) =>
      `${o.connectConnections} connections from ${o.procs} processes, ${o.concurrency} at a time each, until the handshake completed, ` +
      `after ${o.connectWarmup} warm-up connections per process; unit = one connection`,
    metrics: ['connects', 'serverCpu', 'clientCpu'],
    baseline: 'ws-raw',
    applies: () => true,
    run: connect,
  },
];

export const scenariosByKey = new Map(scenarios.map((scenario) => [scenario.key, scenario]));

async function requestResponse(context, clients, inflight) {
  const { system, options } = context;
  const { server, url, clients: [client] } = await context.start({ room: false, clients: 1 });
  await client.call('connect', { url, count: clients, concurrency: options.concurrency, role: 'rr', payload: options.payloadBody }, 60_000);
  await client.call('check', { opaque: system.opaque === true });
  const marks = snapshotAtMarks(client, [server]);
  const result = await client.call('rr', { inflight, warmup: options.warmup, duration: options.duration, maxCount: MAX_COUNT }, loadTimeout(options));
  assertClean(result);
  return roundTripFigures(result, await cpuBetweenMarks(marks), result.cpu);
}

async function serverToClient(context) {
  const { options } = context;
  const { server, url, clients: [client] } = await context.start({ room: false, clients: 1 });
  await client.call('connect', { url, count: options.clients, concurrency: options.concurrency, role: 's2c', payload: options.payloadBody }, 60_000);
  await waitForCount(server, options.clients);
  const marks = snapshotAtMarks(server, [client]);
  const result = await server.call('s2c', { inflight: options.inflight, warmup: options.warmup, duration: options.duration, maxCount: MAX_COUNT }, loadTimeout(options));
  assertClean(result);
  return roundTripFigures(result, result.cpu, await cpuBetweenMarks(marks));
}

/** The figures of a round-trip scenario: its rate, latencies, and each side's CPU (µs in all) per round trip. */
function roundTripFigures(result, serverCpu, clientCpu) {
  return {
    rate: (result.count / result.elapsed) * 1000,
    p50: result.p50,
    p99: result.p99,
    serverCpu: serverCpu / result.count,
    clientCpu: clientCpu / result.count,
  };
}

async function broadcast(context) {
  const { options } = context;
  const members = options.broadcastClients;
  const { server, url, clients } = await context.start({ room: true, clients: options.procs });
  const shares = split(members, clients.length);

  // A broadcast is complete once every client process reported that all its members have it.
  const reports = new Map(); // seq → { processes, latest }
  let onComplete = () => undefined;
  for (const client of clients) {
    client.on('got', ({ seq, t }) => {
      const entry = reports.get(seq) ?? { processes: 0, latest: 0 };
      entry.processes++;
      entry.latest = Math.max(entry.latest, t);
      if (entry.processes === clients.length) {
        reports.delete(seq);
        onComplete(seq, entry.latest);
      } else {
        reports.set(seq, entry);
      }
    });
  }

  await Promise.all(
    clients.map((client, i) =>
      client.call('connect', { url, count: shares[i], concurrency: options.concurrency, role: 'broadcast', payload: options.payloadBody }, 120_000),
    ),
  );
  await waitForCount(server, members);

  // One broadcast at a time on an otherwise idle system: the time until the last member has it.
  const warm = 5;
  const times = [];
  const sequentialDeadline = Date.now() + 20_000;
  for (let i = 0; i < warm + options.broadcastSamples && Date.now() < sequentialDeadline; i++) {
    let arrived;
    const complete = new Promise((resolve) => (arrived = resolve));
    onComplete = (seq, latest) => arrived({ seq, latest });
    const sent = await server.call('broadcastOne');
    const got = await withTimeout(complete, 5_000, 'a broadcast did not reach every member within 5 s');
    if (got.seq !== sent.seq) throw new Error(`broadcast ${got.seq} arrived while waiting for ${sent.seq}`);
    if (i >= warm) times.push(got.latest - sent.t);
  }

  // Throughput: the server keeps `window` broadcasts in flight, acknowledged by the parent.
  onComplete = (seq) => server.tell('ack', { seq });
  const marks = snapshotAtMarks(server, clients);
  const result = await server.call(
    'broadcastRun',
    { window: options.window, warmup: options.warmup, duration: options.duration, maxCount: MAX_COUNT },
    loadTimeout(options),
  );
  if (result.lost > 0) throw new Error(`${result.lost} broadcasts never reached every member`);
  const clientCpu = await cpuBetweenMarks(marks);
  const deliveries = result.count * members;
  return {
    deliveries: (deliveries / result.elapsed) * 1000,
    oneBroadcast: median(times),
    serverCpu: result.cpu / deliveries,
    clientCpu: clientCpu / deliveries,
  };
}

/** Connections open when the memory base is taken: the first ones allocate code and caches. */
export function memoryWarmCount(options) {
  return Math.min(100, Math.floor(options.memoryConnections / 10));
}

async function memory(context) {
  const { options } = context;
  const total = options.memoryConnections;
  const warm = memoryWarmCount(options);
  const { server, url, clients } = await context.start({ room: false, clients: options.procs });
  const open = async (count) => {
    const shares = split(count, clients.length);
    await Promise.all(
      clients.map((client, i) =>
        client.call('connect', { url, count: shares[i], concurrency: options.concurrency, role: 'idle', payload: options.payloadBody }, 180_000),
      ),
    );
  };
  await open(warm);
  await waitForCount(server, warm);
  const before = await server.call('memory');
  await open(total - warm);
  await waitForCount(server, total);
  // Let the last handshakes' leftovers (timers, buffers) settle before collecting.
  await sleep(200);
  const after = await server.call('memory');
  const added = total - warm;
  return {
    heap: (after.heapUsed - before.heapUsed) / added / 1024,
    rss: (after.rss - before.rss) / added / 1024,
  };
}

async function connect(context) {
  const { options } = context;
  const total = options.connectConnections;
  const { server, url, clients } = await context.start({ room: false, clients: options.procs });
  const connectAll = (counts, timeout) =>
    Promise.all(
      clients.map((client, i) =>
        client.call('connect', { url, count: counts[i], concurrency: options.concurrency, role: 'idle', payload: options.payloadBody }, timeout),
      ),
    );
  // Warm-up connections first, as every other scenario warms up: a fresh process compiles and
  // optimises its connect path over its first few hundred connections, and without them the
  // figure measures how much JavaScript each system runs cold more than its connect rate.
  // They stay open; --connect-warmup=5 measures cold processes.
  const warm = clients.map(() => options.connectWarmup);
  await connectAll(warm, 30_000);
  const warmTotal = warm.reduce((a, b) => a + b, 0);
  await waitForCount(server, warmTotal);
  const serverCpuStart = await server.call('cpu');
  const results = await connectAll(split(total, clients.length), 180_000);
  await waitForCount(server, warmTotal + total);
  const serverCpu = (await server.call('cpu')) - serverCpuStart;
  const start = Math.min(...results.map((r) => r.start));
  const end = Math.max(...results.map((r) => r.end));
  const clientCpu = results.reduce((sum, r) => sum + r.cpu, 0);
  return {
    connects: (total / (end - start)) * 1000,
    serverCpu: serverCpu / total,
    clientCpu: clientCpu / total,
  };
}

/** At the driver's marks, snapshots the CPU of the other processes. */
function snapshotAtMarks(driver, others) {
  const marks = {};
  driver.on('mark', ({ name }) => {
    marks[name] = Promise.all(others.map((child) => child.call('cpu')));
  });
  return marks;
}

async function cpuBetweenMarks(marks) {
  if (marks.start === undefined || marks.end === undefined) throw new Error('the load did not report its marks');
  const [start, end] = await Promise.all([marks.start, marks.end]);
  return end.reduce((sum, v) => sum + v, 0) - start.reduce((sum, v) => sum + v, 0);
}

function assertClean(result) {
  if (result.errors > 0) throw new Error(`${result.errors} requests failed, first: ${result.firstError}`);
  if (result.count === 0) throw new Error('no round trip completed in the measured window');
}

/** Polls the server until `count` connections completed their handshake (bounded). */
async function waitForCount(server, count, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await server.call('count');
    if (seen >= count) return;
    await sleep(20);
  }
  throw new Error(`the server saw ${seen} of ${count} connections after ${timeout} ms`);
}

function loadTimeout(options) {
  return options.warmup + options.duration + 30_000;
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** Splits `total` into `parts` near-equal shares. */
export function split(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function formatRate(value) {
  return Math.round(value).toLocaleString('en-US');
}

function formatMs(value) {
  return value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function formatCpu(value) {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function formatKb(value) {
  return value.toFixed(2);
}
