// The server process: runs one system's server, echoes requests, and on the parent's command
// sends server → client requests, broadcasts, or reports its CPU and memory.
// Started with --expose-gc so that the memory figures are taken after a full collection.
import { performance } from 'node:perf_hooks';
import { emitToParent, serveCommands, sleep, wallNow } from './ipc.mjs';
import { runLoad } from './load.mjs';
import { loadSystem } from './systems/index.mjs';

const lifetime = Number(process.argv[2] ?? 600_000);
const system = await loadSystem(process.argv[3]);
let server;
let payload;
let nextBroadcast = 0;
let acked = 0;
let onAck = () => undefined;

const broadcastOne = () => server.broadcast({ s: nextBroadcast++, d: payload.d });

serveCommands(
  {
    async start({ room, payload: body }) {
      payload = body;
      server = await system.createServer({ room, payload });
      return { port: server.port };
    },

    count: () => server.count(),

    cpu: () => {
      const cpu = process.cpuUsage();
      return cpu.user + cpu.system;
    },

    /** Heap and RSS after full collections. */
    async memory() {
      for (let i = 0; i < 4; i++) {
        globalThis.gc();
        await sleep(20);
      }
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      return { rss, heapUsed, external, arrayBuffers };
    },

    /** Server → client requests over every connection, `inflight` per connection. */
    s2c: ({ inflight, warmup, duration, maxCount }) =>
      runLoad(
        server.connections().map((connection) => () => server.request(connection, payload)),
        { inflight, warmup, duration, maxCount },
      ),

    /** One broadcast; answers with its index and the wall-clock time it was sent. */
    broadcastOne() {
      const seq = nextBroadcast;
      const t = wallNow();
      broadcastOne();
      acked = nextBroadcast;
      return { seq, t };
    },

    /**
     * Broadcasts with at most `window` broadcasts not yet received by everyone (the parent
     * acknowledges each one once all client processes have it), for `warmup` + `duration` ms.
     */
    async broadcastRun({ window, warmup, duration, maxCount }) {
      let stop = false;
      let measuring = false;
      let measured = 0;
      let drained = () => undefined;
      const pump = () => {
        while (!stop && nextBroadcast - acked < window) broadcastOne();
        if (stop && acked === nextBroadcast) drained();
      };
      onAck = (seq) => {
        acked = Math.max(acked, seq + 1);
        if (measuring && ++measured >= maxCount) stop = true;
        pump();
      };
      pump();
      await sleep(warmup);
      const cpuStart = process.cpuUsage();
      const timeStart = performance.now();
      measuring = true;
      measured = 0;
      emitToParent('mark', { name: 'start' });
      const deadline = performance.now() + duration;
      while (!stop && performance.now() < deadline) await sleep(Math.min(50, deadline - performance.now()));
      measuring = false;
      const elapsed = performance.now() - timeStart;
      const cpu = process.cpuUsage(cpuStart);
      emitToParent('mark', { name: 'end' });
      stop = true;
      await Promise.race([new Promise((resolve) => ((drained = resolve), pump())), sleep(5_000)]);
      const lost = nextBroadcast - acked;
      onAck = () => undefined;
      return { count: measured, elapsed, cpu: cpu.user + cpu.system, lost };
    },

    ack: ({ seq }) => onAck(seq),
  },
  lifetime,
);
emitToParent('ready');
