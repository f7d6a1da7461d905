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

/**
 * The options of a bench script whose flags are positive integers (`defaults` names them all)
 * and boolean `switches`. An unknown flag or a bad value prints the message and `usage` and exits
 * with code 2, before anything runs.
 */
export function readIntegerOptions(argv, defaults, usage, switches = []) {
  const fail = (message) => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  let raw;
  try {
    raw = readFlags(argv, switches);
  } catch (error) {
    fail(error.message);
  }
  const options = { ...defaults };
  for (const name of switches) options[name] = raw[name] === true;
  for (const [flag, value] of Object.entries(raw)) {
    if (switches.includes(flag)) continue;
    if (!(flag in defaults)) fail(`unknown flag --${flag}`);
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) fail(`--${flag} must be a positive integer`);
    options[flag] = number;
  }
  return options;
}
