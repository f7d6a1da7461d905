// One-command demo (`pnpm cluster` at the repo root): two server nodes in processes of their own,
// on Redis (REDIS_URL, default redis://127.0.0.1:6379), and two clients, one on each node. A
// broadcast from node a reaches the client on node b; a request from node a reaches the client on
// node b and comes back with its answer. `--once` stops after that; otherwise the nodes keep
// running until Ctrl-C. PORT_A and PORT_B pick the ports (default 8081 and 8082; 0: any free).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client } from '@volley/client';
import { WebSocket } from 'ws';

const runOnce = process.argv.includes('--once');
const nodeScript = fileURLToPath(new URL('./node.mjs', import.meta.url));
const prefix = process.env.PREFIX ?? 'volley-example-cluster';

async function startNode(nodeId, port) {
  const child = spawn(process.execPath, [nodeScript], { env: { ...process.env, NODE_ID: nodeId, PORT: String(port), PREFIX: prefix }, stdio: ['ignore', 'pipe', 'inherit'] });
  const [exited, line] = await Promise.race([once(child, 'exit').then(() => [true]), once(child.stdout, 'data').then(([data]) => [false, data])]);
  if (exited) throw new Error(`Node ${nodeId} did not start (is Redis running at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}?)`);
  const { port: listening } = JSON.parse(line.toString());
  console.log(`node ${nodeId} listening on ws://127.0.0.1:${listening}`);
  return { child, url: `ws://127.0.0.1:${listening}` };
}

const nodes = [];
const stopAll = async () => {
  for (const { child } of nodes) child.kill('SIGTERM');
  await Promise.all(nodes.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)));
};

try {
  nodes.push(await startNode('a', process.env.PORT_A ?? 8081), await startNode('b', process.env.PORT_B ?? 8082));
  const ann = new Client(nodes[0].url, { WebSocket, reconnect: false });
  const bob = new Client(nodes[1].url, { WebSocket, reconnect: false });
  const news = new Promise((resolve) => bob.on('news', (message) => resolve(message.payload)));
  bob.on('question', (message) => message.resolve(`bob says yes to "${message.payload}"`));
  await ann.connect();
  await bob.connect();
  console.log(`ann joined the lobby on node ${await ann.send('join')}, bob on node ${await bob.send('join')}`);

  await ann.send('shout', 'hello everyone');
  console.log(`bob got the broadcast: ${await news}`);
  const answer = await ann.send('ask', { to: bob.id, question: 'coffee?' });
  console.log(`ann asked bob across nodes; answer: ${answer}`);

  await ann.disconnect();
  await bob.disconnect();
} catch (error) {
  console.error(`The cluster demo failed: ${error.message}`);
  await stopAll();
  process.exit(1);
}

if (runOnce) {
  await stopAll();
} else {
  console.log('The nodes keep running; connect more clients, or press Ctrl-C to stop.');
  process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
}
