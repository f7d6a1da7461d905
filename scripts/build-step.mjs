#!/usr/bin/env node
// Builds what a demo needs before it starts, saying so, so that a first run (a minute of tsup on
// a fresh clone) does not look hung: prints what it does, then turbo's output of each package as
// it is built (a package already built shows nothing), then how long it took.
//
//   node scripts/build-step.mjs <turbo filter>
import { spawnSync } from 'node:child_process';

const filter = process.argv[2];
const started = Date.now();
console.log(`Building the packages${filter ? ` for ${filter.replace(/\.\.\.$/, '')}` : ''} (the first run takes about a minute)…`);
const args = ['exec', 'turbo', 'run', 'build', '--output-logs=new-only', ...(filter ? [`--filter=${filter}`] : [])];
const build = spawnSync('pnpm', args, { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
console.log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
