// One server node of the cluster example, in a process of its own. NODE_ID names it, PORT picks
// its port (0: any free one), REDIS_URL and PREFIX say where the cluster lives. Prints one JSON
// line {"node", "port"} once it listens.
//
// Its clients may ask it two things: `shout` broadcasts to the room `lobby` (every member, on every
// node), and `ask` sends a request to any connection of the cluster, by id, and answers with what
// that connection's client answered.
import { RedisAdapter } from '@volley/redis';
import { Server } from '@volley/server';

const nodeId = process.env.NODE_ID ?? 'node';
const adapter = new RedisAdapter({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: process.env.PREFIX ?? 'volley-example-cluster', nodeId });
const server = new Server({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', adapter });

server.on('connection', (connection) => {
  connection.on('join', async (message) => {
    await connection.joinRoom('lobby');
    message.resolve(nodeId);
  });
  connection.on('shout', async (message) => {
    await server.getRoom('lobby').broadcast('news', `${message.payload} (from ${nodeId})`);
    message.resolve(true);
  });
  connection.on('ask', async (message) => {
    const { to, question } = message.payload;
    message.resolve(await server.send(to, 'question', question, 5000));
  });
});

await server.start();
process.stdout.write(`${JSON.stringify({ node: nodeId, port: server.port })}\n`);
process.on('SIGINT', () => void server.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
