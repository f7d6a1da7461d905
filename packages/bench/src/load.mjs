// The closed-loop load of the request/response scenarios: `inflight` workers per target, each
// sending its next request as soon as the previous answer arrives. Used by the client process
// (client → server requests) and by the server process (server → client requests).
import { performance } from 'node:perf_hooks';
import { emitToParent, sleep } from './ipc.mjs';

/** Latency samples kept per run at most; beyond it only the count goes on. */
const MAX_SAMPLES = 2_000_000;

/**
 * Runs the load for `warmup` + `duration` ms (or until `maxCount` round trips were measured) and
 * returns what the measured window saw. Emits the marks `start` and `end` to the parent at the
 * window's edges, each with this process's CPU usage, so that the parent can snapshot the others.
 * @param targets one function per connection: `() => Promise` (one request)
 */
export async function runLoad(targets, { inflight, warmup, duration, maxCount }) {
  const latencies = new Float64Array(Math.min(MAX_SAMPLES, maxCount));
  let samples = 0;
  let done = 0;
  let errors = 0;
  let firstError;
  let measuring = false;
  let stop = false;
  let reachedMax;
  const maxReached = new Promise((resolve) => (reachedMax = resolve));

  const worker = async (request) => {
    while (!stop) {
      const started = performance.now();
      try {
        await request();
      } catch (error) {
        errors++;
        firstError ??= String(error?.message ?? error);
        return; // a failed connection stops its worker; the run is reported with its errors
      }
      if (measuring) {
        if (samples < latencies.length) latencies[samples++] = performance.now() - started;
        if (++done >= maxCount) {
          stop = true;
          reachedMax();
        }
      }
    }
  };
  const workers = [];
  for (const request of targets) for (let i = 0; i < inflight; i++) workers.push(worker(request));

  await sleep(warmup);
  const cpuStart = process.cpuUsage();
  const timeStart = performance.now();
  measuring = true;
  emitToParent('mark', { name: 'start' });
  await Promise.race([sleep(duration), maxReached]);
  measuring = false;
  const elapsed = performance.now() - timeStart;
  const cpu = process.cpuUsage(cpuStart);
  emitToParent('mark', { name: 'end' });
  stop = true;
  // Every worker stops after its request in flight returns; a lost answer must not hang the run.
  await Promise.race([Promise.all(workers), sleep(5_000)]);

  const sorted = latencies.subarray(0, samples).sort();
  return {
    count: done,
    elapsed,
    cpu: cpu.user + cpu.system,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    firstError,
  };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
