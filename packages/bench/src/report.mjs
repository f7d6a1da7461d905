// Turns the runs into tables (absolute figures with their spread, and ratios to the baseline),
// the design targets beside the measured ratios, and docs/performance.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { median, metrics, scenarios } from './scenarios.mjs';

/** Median, min and max of one metric over a system's successful runs. */
export function summarize(runs, metric) {
  const values = runs.map((run) => run[metric]).filter((value) => Number.isFinite(value));
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** Ratio of `system` to the scenario's baseline for `metric`, or undefined. */
export function ratio(results, scenario, system, metric) {
  const own = summarize(results.get(scenario.key)?.get(system)?.runs ?? [], metric);
  const base = summarize(results.get(scenario.key)?.get(scenario.baseline)?.runs ?? [], metric);
  if (own === undefined || base === undefined || base.median === 0) return undefined;
  return own.median / base.median;
}

const formatRatio = (value) => (value === undefined ? '–' : `${value.toFixed(2)}×`);

/** One markdown table per scenario: each metric as "median (min–max)" followed by its ratio. */
export function scenarioTable(results, scenario, systemNames, options) {
  const rows = results.get(scenario.key);
  const unit = { rr1: 'rt', rr: 'rt', s2c: 'rt', broadcast: 'delivery', connect: 'conn' }[scenario.key];
  const header = ['system'];
  for (const key of scenario.metrics) {
    const label = metrics[key].label.replace('unit', unit ?? 'unit');
    header.push(`${label} ${metrics[key].better === 'higher' ? '↑' : '↓'}`, `vs ${scenario.baseline}`);
  }
  const table = [header];
  for (const name of systemNames) {
    const entry = rows?.get(name);
    if (entry === undefined) continue;
    const row = [name === scenario.baseline ? `**${name}** (baseline)` : name];
    if (entry.na !== undefined) {
      row.push('n/a', '', ...scenario.metrics.slice(1).flatMap(() => ['', '']));
      table.push(row);
      continue;
    }
    for (const key of scenario.metrics) {
      const summary = summarize(entry.runs, key);
      if (summary === undefined) {
        row.push(entry.errors.length > 0 ? 'error' : '–', '–');
        continue;
      }
      const format = metrics[key].format;
      const spread = summary.n > 1 ? ` (${format(summary.min)}–${format(summary.max)})` : '';
      row.push(`${format(summary.median)}${spread}`, formatRatio(ratio(results, scenario, name, key)));
    }
    table.push(row);
  }
  const lines = [`### ${scenario.title}`, '', scenario.describe(options) + '.', '', ...markdownTable(table)];
  const notes = [];
  for (const name of systemNames) {
    const entry = rows?.get(name);
    if (entry?.na !== undefined) notes.push(`- ${name}: ${entry.na}`);
    for (const error of entry?.errors ?? []) notes.push(`- ${name}: a run failed: ${error}`);
  }
  if (notes.length > 0) lines.push('', ...notes);
  return lines;
}

/** A markdown table with padded columns, readable as plain text too. */
export function markdownTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(3, ...rows.map((row) => [...String(row[column] ?? '')].length)));
  const pad = (cell, width) => String(cell ?? '') + ' '.repeat(width - [...String(cell ?? '')].length);
  const line = (row) => `| ${row.map((cell, column) => pad(cell, widths[column])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(line)];
}

/**
 * The design targets (ratios to the baseline of the same run) and the peers' ratios measured
 * earlier on other machines, beside what this run measured.
 */
const targets = [
  { scenario: 'rr', metric: 'rate', target: '≥ 1.5×', ok: (v) => v >= 1.5, what: 'throughput, many in flight', issue: { 'rpc-websockets': '1.0×', 'socket.io': '0.82×', 'ws-raw': '1.65×', 'ws-json-batched': '1.8×' } },
  { scenario: 's2c', metric: 'rate', target: '≥ 1.5×', ok: (v) => v >= 1.5, what: 'throughput, server → client' },
  { scenario: 'rr', metric: 'serverCpu', target: '≤ 0.6×', ok: (v) => v <= 0.6, what: 'server CPU per request, many in flight', issue: { 'ws-json-batched': '≈0.5×' } },
  { scenario: 's2c', metric: 'serverCpu', target: '≤ 0.6×', ok: (v) => v <= 0.6, what: 'server CPU per request, server → client' },
  { scenario: 'rr', metric: 'p99', target: '≤ 0.8×', ok: (v) => v <= 0.8, what: 'p99 latency, many in flight' },
  { scenario: 's2c', metric: 'p99', target: '≤ 0.8×', ok: (v) => v <= 0.8, what: 'p99 latency, server → client' },
  { scenario: 'rr1', metric: 'serverCpu', target: '≤ 1.1×', ok: (v) => v <= 1.1, what: 'server CPU per request, one in flight' },
  { scenario: 'broadcast', metric: 'deliveries', target: '≥ 1.2×', ok: (v) => v >= 1.2, what: 'broadcast deliveries/s', issue: { 'socket.io': '0.70×' } },
  { scenario: 'memory', metric: 'heap', target: '≤ 1.5×', ok: (v) => v <= 1.5, what: 'heap per idle connection', issue: { 'socket.io': '3.3×' } },
  { scenario: 'connect', metric: 'connects', target: '≥ 0.85× of ws-raw', ok: (v) => v >= 0.85, what: 'connection + handshake rate', issue: { 'socket.io': '0.47×' } },
];

export function targetsTable(results, systemNames) {
  const peers = systemNames.filter((name) => name !== 'volley' && name !== 'ws-json');
  const table = [['design target', 'scenario', 'baseline', 'goal', 'volley', 'met', ...peers]];
  for (const target of targets) {
    const scenario = scenarios.find((s) => s.key === target.scenario);
    if (!results.has(scenario.key)) continue;
    const own = ratio(results, scenario, 'volley', target.metric);
    const row = [target.what, scenario.key, scenario.baseline, target.target, formatRatio(own), own === undefined ? '–' : target.ok(own) ? 'yes' : 'no'];
    for (const peer of peers) {
      const measured = results.get(scenario.key)?.get(peer)?.na !== undefined ? 'n/a' : formatRatio(ratio(results, scenario, peer, target.metric));
      const reference = target.issue?.[peer];
      row.push(reference === undefined ? measured : `${measured} (earlier: ${reference})`);
    }
    table.push(row);
  }
  return markdownTable(table);
}

/** The whole report as markdown lines (printed and written). */
export function reportLines({ results, systemNames, scenarioKeys, options, machine, notes, command }) {
  const lines = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, ${machine.os}; Node ${machine.node}; load average at start ${machine.load}.`,
    `Run: ${machine.date}, \`${command}\`, ${options.runs} run(s) per figure${options.runs > 1 ? ' (median, min–max in parentheses)' : ' (a single run: no median, no spread)'}, ` +
      `${options.warmup} ms warm-up + ${options.duration} ms measured per run, systems interleaved A B A B.`,
  ];
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  for (const key of scenarioKeys) {
    const scenario = scenarios.find((s) => s.key === key);
    lines.push('', ...scenarioTable(results, scenario, systemNames, options));
  }
  lines.push(
    '',
    '### Design targets beside the measured ratios',
    '',
    'Ratios to the baseline measured in the same run (higher is better for rates, lower for CPU, latency and memory). ' +
      'Earlier measurements of the peers, on other machines, published with the targets, are in parentheses.',
    '',
    ...targetsTable(results, systemNames),
  );
  return lines;
}

const DIFFERENCE_HEADING = '## What made the difference';
const DIFFERENCE_PLACEHOLDER = `${DIFFERENCE_HEADING}\n\n_To be filled in by the lead: which changes to Volley's hot paths moved which figure, measured before and after each one._\n`;

/**
 * Writes docs/performance.md: how to run, the method, the latest results. The section "What made
 * the difference" is written by hand and kept as it is across runs.
 */
export function writeDocument(path, resultLines) {
  let difference = DIFFERENCE_PLACEHOLDER;
  if (existsSync(path)) {
    const previous = readFileSync(path, 'utf8');
    const at = previous.indexOf(DIFFERENCE_HEADING);
    if (at >= 0) difference = previous.slice(at);
  }
  const document = `# Performance

How Volley compares with raw \`ws\`, socket.io and rpc-websockets, measured by \`packages/bench\`.
The figures below are rewritten by every run of the benchmark; the last section is written by hand.

## How to run

\`\`\`sh
pnpm bench            # full run: 3 runs per figure, 8 to 10 minutes on 2 cores
pnpm bench --quick    # about a minute: 1 run per figure, shorter runs, fewer connections
pnpm bench --scenarios=rr,s2c --systems=volley,ws-json,ws-json-batched --runs=5 --duration=5000
pnpm bench --scenarios=connect --compare=../volley-before   # A/B: another checkout's build as volley-compare
\`\`\`

Flags: \`--duration\` (ms measured per run), \`--warmup\` (ms), \`--runs\`, \`--clients\`, \`--inflight\`,
\`--payload\` (characters of the payload string), \`--scenarios\` (${scenarios.map((s) => s.key).join(', ')}),
\`--systems\`, \`--procs\` (client processes for broadcast, memory, connect), \`--broadcast-clients\`,
\`--memory-connections\`, \`--connect-connections\`, \`--connect-warmup\` (connections per client process
before the connect scenario measures; 5 measures cold processes), \`--concurrency\` (connects at a time per client
process), \`--window\` (broadcasts in flight), \`--quick\`, \`--out=<file>\`, \`--no-write\`. \`pnpm bench --help\` lists them.
\`--compare=<dir>\` adds the system \`volley-compare\`: Volley built in another checkout (run \`pnpm install\`
and \`pnpm build\` there first), interleaved with the others, which is how a change is measured against the
build before it. \`VOLLEY_BATCH=0\`, \`VOLLEY_FRAMING=0\`, \`VOLLEY_UPGRADE=0\` and \`VOLLEY_UPGRADE_ANSWER=0\` turn off write
batching, own framing, the upgrade handshake and the answer in the 101 response for the Volley systems, to measure what
each buys.
\`BENCH_CPU_PROF=<dir> pnpm bench …\` writes a V8 CPU profile of every server and load process to \`<dir>\`.
The benchmark reports; it never fails a build and is not part of \`pnpm test\`.

## Method

- The server and the load generators run in **separate processes** (\`child_process.fork\`), on
  127.0.0.1 only; a fresh server process per run. Every loop is bounded in count and in time.
- Systems: **volley**; **ws-json**, raw \`ws\` with the minimal JSON id correlation written by hand
  (\`{id, name, payload}\`), **the baseline** of every ratio (of \`ws-raw\` for the connect rate);
  **ws-raw**, raw \`ws\` echoing opaque binary frames of the same length (no JSON, no ids, no
  handshake message); **ws-json-batched**, ws-json with each socket's server-side writes held until
  the end of the event-loop turn (cork on the first write, uncork all in one \`setImmediate\`): the
  ceiling; **socket.io** 4 with acknowledgements, WebSocket transport only; **rpc-websockets**.
- Pings are off (volley \`pingInterval: 0\`; socket.io cannot turn them off, its interval is longer
  than any run); compression is off everywhere.
- Per scenario the systems run interleaved (A B C … A B C …) so that the ratios share the machine's
  load. Each figure is the median over the runs with the min–max spread; the ratio is the ratio of
  the medians to the baseline's median.
- CPU figures are \`process.cpuUsage()\` deltas (user + system) over the measured window, in each
  process, divided by the units done (round trips, deliveries, connections): on shared cores the
  rate alone misleads.
- rr and s2c: one client process holds all the connections; the load is closed-loop (each worker
  sends its next request when its answer arrives). Latency is measured by whichever side sends the
  requests, from the call to the resolved answer.
- Handshakes: volley runs its handshake (carried in the upgrade, its answer in a header of the 101
  response for the Node client, see docs/protocol.md), socket.io its CONNECT, ws-json a hand-written
  one-round-trip "hello"; ws-raw and rpc-websockets have none (their connect is the bare upgrade).
- The connect rate is bounded by the clients on few cores (a \`ws\` client spends about twice the
  server's CPU per connection): read it together with the server CPU per connection. Each client
  process first opens \`--connect-warmup\` connections (kept open), as the other scenarios warm
  up: a fresh process optimises its connect path over its first few hundred connections.
- Rooms: volley \`getRoom().broadcast\`, socket.io \`io.to(room).emit\`, rpc-websockets its event
  notification to subscribers (serialised once per subscriber); the ws systems loop over their
  handshaken sockets with one pre-serialised frame.
- Broadcast: a client process reports (over IPC) when all its members have a broadcast; the time
  "to reach everyone" uses wall clocks of the server and the client processes on the same machine.
- Memory: the server runs with \`--expose-gc\`; heap and RSS after full collections, the delta from
  a base with a few connections open, divided by the connections added.
- On a machine shared with other work (see the load average) the rates swing from run to run; the
  CPU figures per unit are far steadier and are the ones to compare.

## Results

${resultLines.join('\n')}

${difference.trimEnd()}
`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, document);
}
