// The smallest Volley client: connects (handshake included), sends one request, prints the
// answer, disconnects. `node client.mjs [url] [text]`; url defaults to ws://localhost:$PORT (8080).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Client } from '@volley/client';
// Node 20 has no global WebSocket: the client takes ws's. In a browser, leave the option out.
import { WebSocket } from 'ws';

/** Connects to `url`, asks the server to echo `text`, disconnects; resolves with what it saw. */
export async function echo(url, text) {
  const client = new Client(url, { WebSocket, handshake: { payload: { name: 'echo client' } }, reconnect: false });
  const welcome = await client.connect();
  try {
    const echoed = await client.send('echo', text);
    return { greeting: welcome.greeting, echoed };
  } finally {
    await client.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const url = process.argv[2] ?? `ws://localhost:${process.env.PORT ?? 8080}`;
  const text = process.argv[3] ?? 'Hello, Volley!';
  const { greeting, echoed } = await echo(url, text);
  console.log(`server: ${greeting}`);
  console.log(`sent:   ${JSON.stringify(text)}`);
  console.log(`echoed: ${JSON.stringify(echoed)}`);
}
