// One-command demo (`pnpm echo` at the repo root): starts the echo server in this process, runs
// the client against it, prints the echo, and keeps the server up for more clients until Ctrl-C.
// `--once` stops after the first echo. PORT picks the port (default 8080; 0 = any free port),
// HOST the interface (default every one).
import { echo } from './client.mjs';
import { startEchoServer } from './server.mjs';

const once = process.argv.includes('--once');
const port = Number(process.env.PORT ?? 8080);

let server;
try {
  server = await startEchoServer({ port, host: process.env.HOST });
} catch (error) {
  if (error.code === 'EADDRINUSE') {
    console.error(`Port ${port} is in use. Pick another: PORT=8081 pnpm echo (or PORT=0 for any free port)`);
    process.exit(1);
  }
  throw error;
}
const url = `ws://localhost:${server.port}`;
console.log(`Echo server listening on ${url}`);

try {
  const text = 'Hello, Volley!';
  // 127.0.0.1 rather than localhost: where localhost resolves to ::1 but the machine has no
  // IPv6, the server listens on IPv4 only.
  const { greeting, echoed } = await echo(`ws://127.0.0.1:${server.port}`, text);
  console.log(`server: ${greeting}`);
  console.log(`sent:   ${JSON.stringify(text)}`);
  console.log(`echoed: ${JSON.stringify(echoed)}`);
} catch (error) {
  console.error(`The echo failed: ${error.message}`);
  await server.stop();
  process.exit(1);
}

if (once) {
  await server.stop();
} else {
  console.log(`Still listening. From another terminal: node examples/echo/client.mjs ${url} "your text"`);
  console.log('Ctrl-C to stop.');
  const stop = async () => {
    await server.stop();
    console.log('Server stopped.');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
