import { packageBuild } from '../../tsup.base.js';

// Two entries: `client` must never pull in server code, ajv or ws (browsers load it).
export default packageBuild(['src/index.ts', 'src/client.ts']);
