import { defineConfig } from 'tsup';

export default defineConfig({
  // Two entries: `client` must never pull in server code, ajv or ws (browsers load it).
  entry: ['src/index.ts', 'src/client.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
