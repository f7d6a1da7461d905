import { packageBuild } from '../../tsup.base.js';

// The Node-only write batcher is an entry of its own, so that browsers never load it.
export default packageBuild(['src/index.ts', 'src/node.ts']);
