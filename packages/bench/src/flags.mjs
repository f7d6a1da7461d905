// Command-line flags of the bench scripts: `--name=value`, `--name value`, and boolean switches.

/**
 * Splits argv into `{ flag: value }`; the names in `switches` take no value and become `true`.
 * Throws on a positional argument or a valued flag without a value.
 */
export function readFlags(argv, switches) {
  const raw = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) raw[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (switches.includes(arg.slice(2))) raw[arg.slice(2)] = true;
    else if (i + 1 < argv.length) raw[arg.slice(2)] = argv[++i];
    else throw new Error(`flag ${arg} needs a value`);
  }
  return raw;
}
