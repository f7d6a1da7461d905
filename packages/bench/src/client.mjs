// A load-generator process: opens connections of one system to the server under test and, on
// the parent's command, drives requests, answers the server's requests, or counts broadcasts.
import { performance } from 'node:perf_hooks';
import { emitToParent, serveCommands, wallNow } from './ipc.mjs';
import { runLoad } from './load.mjs';
import { loadSystem } from './systems/index.mjs';

const lifetime = Number(process.argv[2] ?? 600_000);
const system = await loadSystem(process.argv[3]);
const connections = [];
let payload;

// Broadcast bookkeeping: the k-th broadcast a connection receives is broadcast k (every system
// keeps the order per socket). When all local connections have it, the parent hears of it.
const receivedBy = new Map(); // broadcast index → local connections that received it
let broadcastMembers = 0;
function broadcastReceived(state) {
  const index = state.received++;
  const count = (receivedBy.get(index) ?? 0) + 1;
  if (count === broadcastMembers) {
    receivedBy.delete(index);
    emitToParent('got', { seq: index, t: wallNow() });
  } else {
    receivedBy.set(index, count);
  }
}

serveCommands(
  {
    /** Opens `count` connections, `concurrency` at a time; reports wall-clock start/end and CPU. */
    async connect({ url, count, concurrency, role, payload: body }) {
      payload = body;
      if (role === 'broadcast') broadcastMembers += count;
      const cpuStart = process.cpuUsage();
      const start = wallNow();
      let next = 0;
      const opener = async () => {
        while (next < count) {
          next++;
          const state = { received: 0 };
          const onBroadcast = role === 'broadcast' ? () => broadcastReceived(state) : undefined;
          connections.push(await system.connect(url, { role, payload, onBroadcast }));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, opener));
      const end = wallNow();
      const cpu = process.cpuUsage(cpuStart);
      return { start, end, cpu: cpu.user + cpu.system };
    },

    /** One request on the first connection; the answer must echo the payload. */
    async check({ opaque }) {
      const answer = await connections[0].request(payload);
      const ok = opaque ? Buffer.isBuffer(answer) && answer.length > 0 : JSON.stringify(answer) === JSON.stringify(payload);
      if (!ok) throw new Error(`the echo answer does not match the request: ${String(answer).slice(0, 200)}`);
      return true;
    },

    rr: ({ inflight, warmup, duration, maxCount }) =>
      runLoad(
        connections.map((connection) => () => connection.request(payload)),
        { inflight, warmup, duration, maxCount },
      ),

    cpu: () => {
      const cpu = process.cpuUsage();
      return cpu.user + cpu.system;
    },

    now: () => ({ wall: wallNow(), mono: performance.now() }),
  },
  lifetime,
);
emitToParent('ready');
